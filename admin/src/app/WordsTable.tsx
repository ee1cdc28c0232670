// The words of the chosen grade: one row per word with a Regenerate button, a state badge per
// segment kind, and a play button where audio exists (ready, or stale: made for an older text,
// which the cell says). A failed segment shows the start of its reason under the badge (visible,
// not a tooltip only a mouse can reach). The table scrolls sideways inside its own box on a
// narrow screen (a focusable, labelled region, so the keyboard can scroll it too).

import { memo } from "react";
import {
  type Segment,
  SEGMENT_KINDS,
  segmentKey,
  type SegmentKind,
  type SegState,
  type WordRow,
} from "../lib/index.ts";
import { FAILURE_TEXT_CHARS } from "../lib/config.ts";
import { failureReason } from "./failure_groups.ts";
import { effectiveState } from "./format.ts";

const shorten = (t: string, n: number) => (t.length > n ? `${t.slice(0, n)}…` : t);

export const KIND_LABEL: Record<SegmentKind, string> = {
  word: "Word audio",
  definition: "Definition",
  sentence: "Sentence",
};

interface WordsTableProps {
  words: WordRow[] | null;
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

/** Renders with the page (the live segments map is updated in place, so its identity says nothing);
 * each row is memoized on its word and its three live segments, so on a progress update only the
 * rows whose segments changed render again: a grade of thousands of words stays cheap while a
 * batch pours in. */
export function WordsTable(p: WordsTableProps) {
  const { words, live } = p;
  if (!words) return <p>Loading words…</p>;
  if (words.length === 0) return <p>No words in this grade.</p>;
  return (
    <div className="table-scroll" role="region" aria-label="Words and their audio" tabIndex={0}>
      <table className="words">
        <thead>
          <tr>
            <th>Word</th>
            {SEGMENT_KINDS.map((k) => <th key={k}>{KIND_LABEL[k]}</th>)}
          </tr>
        </thead>
        <tbody>
          {words.map((w) => (
            <Row
              key={w.id}
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
        </tbody>
      </table>
    </div>
  );
}

interface RowProps extends Record<SegmentKind, Segment | undefined> {
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
    <tr data-testid={`word-row-${w.id}`}>
      <td>
        {w.word}{" "}
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
      </td>
      {SEGMENT_KINDS.map((kind) => {
        const listed = w.segments[kind];
        const now = p[kind];
        const state = effectiveState(listed, now);
        const error = now?.last_error ?? listed.error ?? null;
        return (
          <td key={kind} title={listed.text}>
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
          </td>
        );
      })}
    </tr>
  );
});
