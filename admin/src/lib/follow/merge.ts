// The ordering rules of followBatch, as pure functions: which of two versions of a batch row or a
// segment row wins. Realtime may deliver an update after a snapshot that already contains a newer
// version, or two updates out of order across a reconnect; the held state must never go back.

import { compareTimestamps } from "./timestamps.ts";
import type { Batch, Segment } from "../types.ts";

const COUNTERS = ["done", "failed", "cancelled", "skipped"] as const;

function counterSum(b: Batch): number {
  return COUNTERS.reduce((n, k) => n + b[k], 0);
}

/** The batch row to hold after seeing `incoming`:
 * - older updated_at than held: held (a late event);
 * - newer: incoming, even if a counter went down (a retry moves failed back to queued);
 * - same updated_at (one transaction writes the row more than once, and a snapshot can carry the
 *   same version as an event): counters never go back, each is the larger of the two, and the
 *   status comes from the version that has counted more. */
export function mergeBatch(held: Batch | null, incoming: Batch): Batch {
  if (!held || held.id !== incoming.id) return incoming;
  const cmp = compareTimestamps(incoming.updated_at, held.updated_at);
  if (cmp < 0) return held;
  if (cmp > 0) return incoming;
  const base = counterSum(incoming) >= counterSum(held) ? incoming : held;
  const merged: Batch = { ...base };
  for (const k of COUNTERS) merged[k] = Math.max(held[k], incoming[k]);
  return merged;
}

/** True when `incoming` should replace `held` for the same segment: it is not older. Equal
 * updated_at means the same transaction (or the same version); the later delivery wins. */
export function segmentIsCurrent(
  held: Segment | undefined,
  incoming: Segment,
): boolean {
  return !held || compareTimestamps(incoming.updated_at, held.updated_at) >= 0;
}

/** Done, failed and cancelled segments over the total, 0..1 (0 for an empty batch). */
export function batchProgress(b: Batch | null): number {
  if (!b || b.total <= 0) return 0;
  return Math.min(1, (b.done + b.failed + b.cancelled) / b.total);
}

const ACTIVE: ReadonlySet<Batch["status"]> = new Set([
  "queued",
  "running",
  "cancelling",
]);

/** True while the batch may still change on its own (queued, running, cancelling). */
export function batchIsActive(b: Batch | null): boolean {
  return b !== null && ACTIVE.has(b.status);
}
