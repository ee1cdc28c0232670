// The words of the chosen grade, searched and filtered: one row per word with a Regenerate button,
// a state badge per segment kind, and a play button where audio exists (ready, or stale: made for
// an older text, which the cell says). A failed segment shows the start of its reason under the
// badge (visible, not a tooltip only a mouse can reach). The table scrolls inside its own box, down
// through the loaded rows (virtualized: rows of a fixed height, only those in view rendered) and
// sideways on a narrow screen; the box is a focusable, labelled region, so the keyboard scrolls it
// too. The header row stays in view.

import { memo, useEffect } from "react";
import {
  type Segment,
  SEGMENT_KINDS,
  segmentKey,
  type SegmentKind,
  type SegState,
  type WordRow,
} from "../lib/index.ts";
import {
  FAILURE_TEXT_CHARS,
  WORD_LOAD_AHEAD_ROWS,
  WORD_OVERSCAN_ROWS,
  WORD_ROW_PX,
} from "../lib/config.ts";
import { failureReason } from "./failure_groups.ts";
import { effectiveState } from "./format.ts";
import { type RowWindow, useRowWindow } from "./row_window.ts";
import { WordFilters } from "./WordFilters.tsx";
import type { WordList } from "./word_list.ts";

const shorten = (t: string, n: number) => (t.length > n ? `${t.slice(0, n)}…` : t);

export const KIND_LABEL: Record<SegmentKind, string> = {
  word: "Word audio",
  definition: "Definition",
  sentence: "Sentence",
};

interface WordsTableProps {
  list: WordList;
  /** The followed batch's segments (live), by segmentKey. */
  live: ReadonlyMap<string, Segment>;
  playing: string | null;
  onPlay(wordId: string, kind: SegmentKind): void;
  /** Word ids whose regeneration request is in flight. */
  regenerating: ReadonlySet<string>;
  onRegenerate(wordId: string): void;
}

/** States whose audio exists and can be played. */
const PLAYABLE: ReadonlySet<SegState> = new Set(["ready", "stale"]);

/** Stands in for `rows` rows that are not rendered (hidden from assistive technology: the table's
 * aria-rowcount and each row's aria-rowindex say where the rendered rows sit). */
function Spacer({ rows }: { rows: number }) {
  if (rows <= 0) return null;
  return (
    <tr className="spacer" aria-hidden="true">
      <td colSpan={SEGMENT_KINDS.length + 1} style={{ height: rows * WORD_ROW_PX }} />
    </tr>
  );
}

/** Renders with the page (the live segments map is updated in place, so its identity says
 * nothing), but only the rows in the box's view plus an overscan (row_window.ts), whatever has
 * been loaded; each row is memoized on its word and its three live segments, so on a progress
 * update only the rendered rows whose segments changed render again. Nearing the last loaded row
 * reads the next page; "Load more words" does the same from the keyboard. */
export function WordsTable(p: WordsTableProps) {
  const { list } = p;
  const rows = list.rows;
  const win = useRowWindow(rows?.length ?? 0, WORD_ROW_PX, WORD_OVERSCAN_ROWS);
  const nearEnd = rows !== null && win.end >= rows.length - WORD_LOAD_AHEAD_ROWS;
  const { more, loading, loadMore } = list;
  useEffect(() => {
    if (nearEnd && more && !loading) loadMore();
  }, [nearEnd, more, loading, loadMore]);

  let body;
  if (!rows) body = <p>Loading words…</p>;
  else if (rows.length === 0) {
    body = <p>{list.search || list.state ? "No words match." : "No words in this grade."}</p>;
  } else body = <Grid {...p} rows={rows} win={win} />;
  return (
    <section className="words-section" aria-label="Words">
      <WordFilters list={list} />
      {body}
      {more && (
        <button type="button" data-testid="words-more" aria-busy={loading} onClick={loadMore}>
          {loading ? "Loading more words…" : "Load more words"}
        </button>
      )}
    </section>
  );
}

/** The table itself: the header row, a spacer, the window's rows, a spacer; keyed by the query
 * its rows answer, so rows of another query start at the top. */
function Grid(p: WordsTableProps & { rows: WordRow[]; win: RowWindow }) {
  const { list, live, rows, win } = p;
  return (
    <div
      key={list.key}
      className="table-scroll"
      role="region"
      aria-label="Words and their audio"
      tabIndex={0}
      ref={win.boxRef}
      onScroll={win.onScroll}
    >
      <table className="words" aria-rowcount={(list.total ?? rows.length) + 1}>
        <thead>
          <tr aria-rowindex={1}>
            <th>Word</th>
            {SEGMENT_KINDS.map((k) => <th key={k}>{KIND_LABEL[k]}</th>)}
          </tr>
        </thead>
        <tbody>
          <Spacer rows={win.first} />
          {rows.slice(win.first, win.end).map((w, i) => (
            <Row
              key={w.id}
              index={win.first + i}
              w={w}
              word={live.get(segmentKey(w.id, "word"))}
              definition={live.get(segmentKey(w.id, "definition"))}
              sentence={live.get(segmentKey(w.id, "sentence"))}
              playing={SEGMENT_KINDS.some((k) => p.playing === segmentKey(w.id, k))
                ? p.playing
                : null}
              regenerating={p.regenerating.has(w.id)}
              onPlay={p.onPlay}
              onRegenerate={p.onRegenerate}
            />
          ))}
          <Spacer rows={rows.length - win.end} />
        </tbody>
      </table>
    </div>
  );
}

interface RowProps extends Record<SegmentKind, Segment | undefined> {
  /** The row's place among all matching words (0 = first). */
  index: number;
  w: WordRow;
  /** segmentKey of the audio being fetched, when it is one of this row's. */
  playing: string | null;
  regenerating: boolean;
  onPlay(wordId: string, kind: SegmentKind): void;
  onRegenerate(wordId: string): void;
}

const Row = memo(function Row(p: RowProps) {
  const { w } = p;
  return (
    <tr
      data-testid={`word-row-${w.id}`}
      aria-rowindex={p.index + 2}
      style={{ height: WORD_ROW_PX }}
    >
      <td>
        <div className="cell word-cell">
          <span className="word-text">{w.word}</span>{" "}
          <button
            type="button"
            className="regenerate"
            data-testid={`regenerate-${w.id}`}
            aria-label={`Regenerate all audio of “${w.word}”`}
            title="Generate this word's three segments again, even where audio exists"
            aria-disabled={p.regenerating}
            aria-busy={p.regenerating}
            onClick={() => {
              if (!p.regenerating) p.onRegenerate(w.id);
            }}
          >
            ↻
          </button>
        </div>
      </td>
      {SEGMENT_KINDS.map((kind) => {
        const listed = w.segments[kind];
        const now = p[kind];
        const state = effectiveState(listed, now);
        const error = now?.last_error ?? listed.error ?? null;
        return (
          <td key={kind} title={listed.text}>
            <div className="cell">
              <span className={`badge badge-${state}`} data-testid={`seg-state-${w.id}-${kind}`}>
                {state}
              </span>
              {PLAYABLE.has(state) && (
                <button
                  type="button"
                  className="play"
                  data-testid={`play-${w.id}-${kind}`}
                  aria-label={`Play ${KIND_LABEL[kind].toLowerCase()} of “${w.word}”${
                    state === "stale" ? " (made for an older text)" : ""
                  }`}
                  disabled={p.playing === segmentKey(w.id, kind)}
                  onClick={() => p.onPlay(w.id, kind)}
                >
                  ▶
                </button>
              )}
              {state === "stale" && (
                <small className="reason stale-reason">made for an older text</small>
              )}
              {state === "failed" && (
                <small className="reason" data-testid={`seg-reason-${w.id}-${kind}`}>
                  {shorten(failureReason(error), FAILURE_TEXT_CHARS)}
                </small>
              )}
            </div>
          </td>
        );
      })}
    </tr>
  );
});
