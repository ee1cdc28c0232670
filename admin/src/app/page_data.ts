// The admin page's data from admin-api: the grades with their counts, the words of the chosen
// grade (a page at a time, word_list.ts), and the batch history, which follows the database's `batches` topic live
// (followBatchList). reload() reads them all again, and so does each end of the followed batch
// (its counts and states changed). The first history load also follows the newest batch still
// running, so a reopened page picks up where it was. A read that failed for want of a connection
// is tried again by itself (load_problems.ts).

import { useCallback, useEffect, useRef, useState } from "react";
import { type AudioQueueView, useAudioQueueContext } from "../hooks/index.ts";
import { BATCH_HISTORY_LIMIT, BATCH_HISTORY_MAX } from "../lib/config.ts";
import {
  type Batch,
  batchIsActive,
  type BatchListFollow,
  followBatchList,
  type GradeSummary,
} from "../lib/index.ts";
import { useLoadProblems } from "./load_problems.ts";
import { useWordList, type WordList } from "./word_list.ts";

export interface PageData {
  grades: GradeSummary[] | null;
  grade: number | null;
  /** Picks another grade; its words load afresh. */
  chooseGrade(grade: number): void;
  /** The chosen grade's words, a page at a time, searched and filtered by the server. */
  words: WordList;
  history: Batch[] | null;
  reload(): void;
  /** More history rows exist to ask for (a full page came back, under admin-api's cap). */
  canShowMore: boolean;
  /** Reads BATCH_HISTORY_LIMIT more history rows. */
  showMore(): void;
  /** Why a read is failing (it is retried by itself), or null. */
  loadProblem: string | null;
}

export function usePageData(q: AudioQueueView, report: (err: unknown) => void): PageData {
  const { client, supabase } = useAudioQueueContext();
  const [grades, setGrades] = useState<GradeSummary[] | null>(null);
  const [grade, setGrade] = useState<number | null>(null);
  const [history, setHistory] = useState<Batch[] | null>(null);
  const [refresh, setRefresh] = useState(0);
  const [historyLimit, setHistoryLimit] = useState(BATCH_HISTORY_LIMIT);
  const reload = useCallback(() => setRefresh((n) => n + 1), []);
  const loads = useLoadProblems(report, reload);
  const { failed, succeeded } = loads;

  useEffect(() => {
    client.grades().then((gs) => {
      succeeded("grades");
      setGrades(gs);
      setGrade((cur) => cur ?? gs[0]?.grade ?? null);
    }).catch((err) => failed("grades", err));
  }, [client, failed, succeeded, refresh]);

  const words = useWordList(client, grade, refresh, loads);

  const followedOnce = useRef(false);
  const list = useRef<BatchListFollow | null>(null);
  useEffect(() => {
    const follow = followBatchList(client, supabase, (bs) => {
      succeeded("history");
      setHistory(bs);
      if (!followedOnce.current) {
        followedOnce.current = true;
        const running = bs.find((b) => batchIsActive(b));
        if (running) q.follow(running.id);
      }
    }, { limit: historyLimit, onError: (err) => failed("history", err) });
    list.current = follow;
    return () => {
      follow.stop();
      list.current = null;
    };
    // q.follow is a state setter (stable); listing q would follow afresh on every render.
  }, [client, supabase, failed, succeeded, historyLimit]);
  useEffect(() => {
    if (refresh > 0) list.current?.refresh();
  }, [refresh]);

  // Each end of the followed batch (its id and finished_at) reloads once, also when the page first
  // sees the batch already ended: a batch of a few segments can end before it was ever seen
  // running.
  const endSeen = useRef<string | null>(null);
  const end = q.batch && !q.isGenerating && q.batch.finished_at
    ? `${q.batch.id} ${q.batch.finished_at}`
    : null;
  useEffect(() => {
    if (end === null || end === endSeen.current) return;
    endSeen.current = end;
    reload();
  }, [end, reload]);

  const chooseGrade = useCallback((g: number) => setGrade(g), []);
  const canShowMore = history !== null && history.length >= historyLimit &&
    historyLimit < BATCH_HISTORY_MAX;
  const showMore = useCallback(
    () => setHistoryLimit((n) => Math.min(n + BATCH_HISTORY_LIMIT, BATCH_HISTORY_MAX)),
    [],
  );
  return {
    grades,
    grade,
    chooseGrade,
    words,
    history,
    reload,
    canShowMore,
    showMore,
    loadProblem: loads.problem,
  };
}
