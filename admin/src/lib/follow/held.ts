// What one follow holds: the batch row, the batch's segments, and the Broadcast seq the follow is
// up to. Every writer (the snapshot, the live messages, the live check) goes through here, so the
// ordering rules apply to all of them alike: an older version never replaces a newer one.
//
// The seq rule: the database numbers every message on batch:<id> (seq grows by one per message),
// and admin-api reads the batch row together with the seq of the last message sent. A message
// whose seq is not above the highest seen (from a message or a snapshot) says nothing new and is
// dropped. Once a snapshot has set the baseline after a join, a seq more than one above it means
// a message was lost on the way: admit() says so, and the follower reads a snapshot again.

import type { Batch } from "../types.ts";
import { mergeBatch } from "./merge.ts";
import type { Progress } from "./payloads.ts";
import { SegmentStore } from "./segment_store.ts";

/** What to do with a message: drop it (stale), apply it (next), or apply it and read a snapshot
 * again, since one before it went missing (gap). */
export type Admission = "stale" | "next" | "gap";

/** The fields a progress message does not carry, until a read of the batch row brings them. */
function placeholder(batchId: string, p: Progress): Batch {
  return {
    id: batchId,
    status: p.status,
    total: p.total,
    done: p.done,
    failed: p.failed,
    cancelled: p.cancelled,
    skipped: p.skipped,
    source: "admin",
    requested_by: null,
    grade: null,
    kinds: [],
    created_at: "",
    started_at: null,
    finished_at: null,
    cancel_requested_at: null,
    updated_at: p.updatedAt,
  };
}

/** What a progress message says of a batch row. */
function progressFields(b: Batch): Partial<Batch> {
  const { status, total, done, failed, cancelled, skipped, updated_at } = b;
  return { status, total, done, failed, cancelled, skipped, updated_at };
}

export class HeldBatch {
  #batch: Batch | null = null;
  #seq = 0;
  #baseline = false;
  /** The segments, keyed by segmentKey; SegmentStore keeps the newer version. */
  readonly segments = new SegmentStore();

  constructor(
    readonly batchId: string,
    /** Called after every change of the held batch row (not of the segments). */
    readonly onBatchChange: () => void = () => {},
  ) {}

  /** The batch row; null until a snapshot or a message brings it. */
  get batch(): Batch | null {
    return this.#batch;
  }

  /** The highest seq seen, from a message or a snapshot (0: none yet). */
  get seq(): number {
    return this.#seq;
  }

  /** The channel (re)joined: messages sent meanwhile were lost, so until the next snapshot a jump
   * in seq is expected, not a gap. */
  rejoined(): void {
    this.#baseline = false;
  }

  /** The seq rule for a message with this seq (see the top of this file). */
  admit(seq: number): Admission {
    if (seq <= this.#seq) return "stale";
    const gap = this.#baseline && seq > this.#seq + 1;
    this.#seq = seq;
    return gap ? "gap" : "next";
  }

  /** A snapshot's batch row, read together with the seq of the last message sent (row.seq):
   * messages up to it are older than the snapshot. Returns whether the held row changed. */
  takeSnapshot(row: Batch): boolean {
    if (row.id !== this.batchId) return false;
    if (typeof row.seq === "number" && row.seq > this.#seq) this.#seq = row.seq;
    this.#baseline = true;
    return this.takeBatch(row);
  }

  /** A progress message already admitted: its status and counters over the held row. */
  takeProgress(p: Progress): boolean {
    if (p.batchId !== this.batchId) return false;
    const base = this.#batch ?? placeholder(this.batchId, p);
    return this.takeBatch({
      ...base,
      status: p.status,
      total: p.total,
      done: p.done,
      failed: p.failed,
      cancelled: p.cancelled,
      skipped: p.skipped,
      updated_at: p.updatedAt,
    });
  }

  /** Merges a batch row in (mergeBatch). A row of another batch, or an older one, changes
   * nothing, except that it fills in what a row built from a progress message lacked; returns
   * whether the held row changed. */
  takeBatch(row: Batch): boolean {
    if (row.id !== this.batchId) return false;
    const held = this.#batch;
    let next = mergeBatch(held, row);
    if (next === held && held !== null && held.created_at === "" && row.created_at !== "") {
      next = { ...row, ...progressFields(held) };
    }
    if (next === held) return false;
    this.#batch = next;
    this.onBatchChange();
    return true;
  }
}
