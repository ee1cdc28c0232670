// The words of the chosen grade: one row per word, a state badge per segment kind, and a play
// button where the audio is ready.

import {
  type Segment,
  SEGMENT_KINDS,
  segmentKey,
  type SegmentKind,
  type WordRow,
} from "../lib/index.ts";
import { effectiveState } from "./format.ts";

const KIND_LABEL: Record<SegmentKind, string> = {
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
}

export function WordsTable({ words, live, playing, onPlay }: WordsTableProps) {
  if (!words) return <p>Loading words…</p>;
  if (words.length === 0) return <p>No words in this grade.</p>;
  return (
    <table className="words">
      <thead>
        <tr>
          <th>Word</th>
          {SEGMENT_KINDS.map((k) => <th key={k}>{KIND_LABEL[k]}</th>)}
        </tr>
      </thead>
      <tbody>
        {words.map((w) => (
          <tr key={w.id} data-testid={`word-row-${w.id}`}>
            <td>{w.word}</td>
            {SEGMENT_KINDS.map((kind) => {
              const listed = w.segments[kind];
              const state = effectiveState(
                listed,
                live.get(segmentKey(w.id, kind)),
              );
              const error = live.get(segmentKey(w.id, kind))?.last_error ??
                listed.error;
              return (
                <td key={kind} title={listed.text}>
                  <span
                    className={`badge badge-${state}`}
                    data-testid={`seg-state-${w.id}-${kind}`}
                    title={state === "failed" && error ? error : state}
                  >
                    {state}
                  </span>
                  {state === "ready" && (
                    <button
                      type="button"
                      className="play"
                      data-testid={`play-${w.id}-${kind}`}
                      aria-label={`Play the ${kind} of ${w.word}`}
                      disabled={playing === segmentKey(w.id, kind)}
                      onClick={() => onPlay(w.id, kind)}
                    >
                      ▶
                    </button>
                  )}
                </td>
              );
            })}
          </tr>
        ))}
      </tbody>
    </table>
  );
}
