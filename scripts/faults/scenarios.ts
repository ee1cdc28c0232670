// The fault suite's scenarios: each fault alone, then all of them in one batch. A scenario is a
// batch of its own words (plus, for the same-text case, pairs of words with one text) and the
// faults injected once a share of the batch is done; faults at the same share go in together.
import type { FaultKind } from "./inject.ts";

export interface Injection {
  /** Inject once this share of the batch's segments is done (0–1). */
  at: number;
  kinds: FaultKind[];
}

export interface Scenario {
  name: string;
  injections: Injection[];
  /** Pairs of words sharing one text, added to the batch (generated once, both done). */
  sameTextPairs: number;
}

/** A third of the way in: work is in flight and plenty is left to recover into. */
const MID = 0.3;
/** Pairs in the same-text scenarios: a handful, spread through the batch. */
const PAIRS = 5;

const one = (name: string, kind: FaultKind): Scenario => ({
  name,
  injections: [{ at: MID, kinds: [kind] }],
  sameTextPairs: 0,
});

export const SCENARIOS: Scenario[] = [
  { name: "no fault", injections: [], sameTextPairs: 0 },
  one("postgres restart -m fast", "pg-restart-fast"),
  one("postgres restart -m immediate", "pg-restart-immediate"),
  one("worker kill -9", "worker-kill-9"),
  one("provider hangs past timeout", "provider-hang"),
  one("provider 5xx burst", "provider-5xx"),
  one("storage answers 500", "storage-500"),
  one("storage uploads stall", "storage-stall"),
  one("word deleted + text edited", "word-edits"),
  { name: "same text in two words", injections: [], sameTextPairs: PAIRS },
  {
    name: "all together",
    injections: [
      { at: 0.2, kinds: ["provider-5xx", "storage-500", "word-edits", "worker-kill-9"] },
      { at: 0.45, kinds: ["provider-hang", "storage-stall", "pg-restart-fast"] },
      { at: 0.7, kinds: ["pg-restart-immediate"] },
    ],
    sameTextPairs: PAIRS,
  },
];

/** Whether a scenario restarts Postgres (skipped where the rig cannot). */
export function needsPostgres(s: Scenario): boolean {
  return s.injections.some((i) => i.kinds.some((k) => k.startsWith("pg-")));
}
