// What one follow holds: the batch row and the batch's segments. Every writer (the snapshot, the
// live events, the live check) goes through here, so the ordering rules of merge.ts apply to all
// of them alike: an older version never replaces a newer one.

import type { Batch } from "../types.ts";
import { mergeBatch } from "./merge.ts";
import { SegmentStore } from "./segment_store.ts";

export class HeldBatch {
  #batch: Batch | null = null;
  /** The segments, keyed by segmentKey; SegmentStore.apply keeps the newer version. */
  readonly segments = new SegmentStore();

  constructor(
    readonly batchId: string,
    /** Called after every change of the held batch row (not of the segments). */
    readonly onBatchChange: () => void = () => {},
  ) {}

  /** The batch row; null until a snapshot or an event brings it. */
  get batch(): Batch | null {
    return this.#batch;
  }

  /** Merges a batch row in (mergeBatch). A row of another batch, or an older one, changes
   * nothing; returns whether the held row changed. */
  takeBatch(row: Batch): boolean {
    if (row.id !== this.batchId) return false;
    const next = mergeBatch(this.#batch, row);
    if (next === this.#batch) return false;
    this.#batch = next;
    this.onBatchChange();
    return true;
  }
}
