// The words table's rows, read a page at a time from admin-api: the chosen grade's words matching
// the search (debounced) and the state filter, the next page appended on request, and the loaded
// range read again on each reload (a batch ended, Refresh). Each read carries the generation of
// the query it was made for; an answer for an older query (the user typed on, picked another
// grade) is dropped, so a slow answer never replaces a newer one.

import { useCallback, useEffect, useRef, useState } from "react";
import { WORD_PAGE_SIZE, WORD_SEARCH_DEBOUNCE_MS } from "../lib/config.ts";
import type { AudioQueueClient, SegState, WordQuery, WordRow } from "../lib/index.ts";

export interface WordList {
  /** The loaded rows, in word order; null until the grade's first page arrives. */
  rows: WordRow[] | null;
  /** How many words match the grade, search and filter in all (null until known). */
  total: number | null;
  /** A page after the loaded ones exists. */
  more: boolean;
  /** A read is in flight. */
  loading: boolean;
  /** Names the query the loaded rows answer: it changes when rows of another query arrive (the
   * table starts again at its top), not on a reload or a further page. */
  key: string;
  /** The search box's text as typed (the server sees it after a pause). */
  search: string;
  setSearch(text: string): void;
  state: SegState | null;
  setState(state: SegState | null): void;
  /** Reads the next page, unless one is already on its way or none is left. */
  loadMore(): void;
}

interface Loaded {
  /** The query these rows answer (grade, search, state). */
  key: string;
  rows: WordRow[];
  cursor: string | null;
  total: number;
}

interface Reporter {
  failed(source: string, err: unknown): void;
  succeeded(source: string): void;
}

/** Reads pages from the start until at least `want` rows (or the end): a reload keeps what was
 * scrolled into view. At most want / WORD_PAGE_SIZE + 1 requests. */
async function readFirst(client: AudioQueueClient, base: WordQuery, want: number): Promise<Loaded> {
  const key = JSON.stringify([base.grade, base.q, base.state ?? null]);
  const rows: WordRow[] = [];
  let cursor: string | undefined;
  let total = 0;
  do {
    const page = await client.wordsPage({ ...base, limit: WORD_PAGE_SIZE, after: cursor });
    rows.push(...page.words);
    total = page.total;
    cursor = page.nextCursor ?? undefined;
  } while (cursor && rows.length < want);
  return { key, rows, cursor: cursor ?? null, total };
}

/** One hook of about 85 lines on purpose: the debounced search, the query's generation, the
 * in-flight flag and the loaded rows are shared by the first read, its reloads and loadMore, and
 * splitting them would pass the same refs back and forth. */
export function useWordList(
  client: AudioQueueClient,
  grade: number | null,
  refresh: number,
  report: Reporter,
): WordList {
  const [search, setSearch] = useState("");
  const [q, setQ] = useState("");
  const [state, setState] = useState<SegState | null>(null);
  const [loaded, setLoaded] = useState<Loaded | null>(null);
  const [loading, setLoading] = useState(false);
  const generation = useRef(0);
  const inFlight = useRef(false);
  const current = useRef(loaded);
  current.current = loaded;

  useEffect(() => {
    const timer = setTimeout(() => setQ(search.trim()), WORD_SEARCH_DEBOUNCE_MS);
    return () => clearTimeout(timer);
  }, [search]);

  // A reload of the same query reads as many rows as are loaded; a new query reads one page.
  // Another grade starts from nothing; another search or filter keeps the old rows in view until
  // the new ones arrive.
  const lastQuery = useRef({ grade, q, state });
  const { failed, succeeded } = report;
  // Runs one read of query generation `gen`: marks the list loading, applies the answer only if
  // no newer query was asked meanwhile, and reports the failure of a read still current.
  const settle = useCallback(<T>(gen: number, read: Promise<T>, apply: (v: T) => void) => {
    inFlight.current = true;
    setLoading(true);
    read.then((v) => {
      if (gen !== generation.current) return;
      succeeded("words");
      apply(v);
    }).catch((err) => {
      if (gen === generation.current) failed("words", err);
    }).finally(() => {
      if (gen !== generation.current) return;
      inFlight.current = false;
      setLoading(false);
    });
  }, [failed, succeeded]);
  useEffect(() => {
    if (grade === null) return;
    const gen = ++generation.current;
    const last = lastQuery.current;
    lastQuery.current = { grade, q, state };
    const same = last.grade === grade && last.q === q && last.state === state;
    if (last.grade !== grade) setLoaded(null);
    const want = same
      ? Math.max(current.current?.rows.length ?? 0, WORD_PAGE_SIZE)
      : WORD_PAGE_SIZE;
    settle(gen, readFirst(client, { grade, q, state: state ?? undefined }, want), setLoaded);
  }, [client, grade, q, state, refresh, settle]);

  const loadMore = useCallback(() => {
    const l = current.current;
    if (grade === null || !l?.cursor || inFlight.current) return;
    const next = client.wordsPage({
      grade,
      q,
      state: state ?? undefined,
      limit: WORD_PAGE_SIZE,
      after: l.cursor,
    });
    settle(generation.current, next, (page) =>
      setLoaded({
        key: l.key,
        rows: [...l.rows, ...page.words],
        cursor: page.nextCursor,
        total: page.total,
      }));
  }, [client, grade, q, state, settle]);

  return {
    rows: loaded?.rows ?? null,
    total: loaded?.total ?? null,
    more: !!loaded?.cursor,
    loading,
    key: loaded?.key ?? "",
    search,
    setSearch,
    state,
    setState,
    loadMore,
  };
}
