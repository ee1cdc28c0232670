// The Broadcast payloads the database sends (audio.broadcast_batch), checked into typed values or
// rejected: a payload of another shape is ignored, never half-applied.
//   batch:<id>  progress  { batch_id, seq, status, total, done, failed, cancelled, skipped,
//                           in_flight, updated_at }
//   batch:<id>  segments  { batch_id, seq, changes: [{ id, word_id, kind, status, storage_path?,
//                           error? }], more }  (error: the first 200 characters of last_error,
//                           and "…" when it was longer; a snapshot carries the whole one)
//   batches     batch     the batch's list row (id, status, counters, source, times, updated_at)

import type { Batch, BatchStatus, SegmentKind, SegmentStatus } from "../types.ts";

type Row = Record<string, unknown>;

export interface Progress {
  batchId: string;
  seq: number;
  status: BatchStatus;
  total: number;
  done: number;
  failed: number;
  cancelled: number;
  skipped: number;
  inFlight: number;
  updatedAt: string;
}

/** One segment's status change, as a segments message lists it. */
export interface SegmentChange {
  id: number | string;
  word_id: string;
  kind: SegmentKind;
  status: SegmentStatus;
  storage_path?: string;
  /** The segment's last_error, cut to 200 characters and "…" (the snapshot's rows have it all). */
  error?: string;
}

export interface SegmentsMessage {
  batchId: string;
  seq: number;
  changes: SegmentChange[];
  /** More segments changed than one message lists: none are listed, re-read them. */
  more: boolean;
}

const isCount = (v: unknown): v is number => typeof v === "number" && Number.isInteger(v) && v >= 0;
const isText = (v: unknown): v is string => typeof v === "string" && v !== "";
const isId = (v: unknown): v is number | string =>
  isText(v) || (typeof v === "number" && Number.isFinite(v));

export function asProgress(p: Row): Progress | null {
  const counters = ["total", "done", "failed", "cancelled", "skipped"] as const;
  if (!isText(p.batch_id) || !isCount(p.seq) || !isText(p.status) || !isText(p.updated_at)) {
    return null;
  }
  if (!counters.every((k) => isCount(p[k]))) return null;
  return {
    batchId: p.batch_id,
    seq: p.seq,
    status: p.status as BatchStatus,
    total: p.total as number,
    done: p.done as number,
    failed: p.failed as number,
    cancelled: p.cancelled as number,
    skipped: p.skipped as number,
    inFlight: isCount(p.in_flight) ? p.in_flight : 0,
    updatedAt: p.updated_at,
  };
}

function asChange(c: unknown): SegmentChange | null {
  if (typeof c !== "object" || c === null) return null;
  const r = c as Row;
  if (!isId(r.id) || !isText(r.word_id) || !isText(r.kind) || !isText(r.status)) return null;
  return r as unknown as SegmentChange;
}

/** A segments message; changes of another shape are left out, the rest kept. */
export function asSegmentsMessage(p: Row): SegmentsMessage | null {
  if (!isText(p.batch_id) || !isCount(p.seq) || !Array.isArray(p.changes)) return null;
  const changes = p.changes.map(asChange).filter((c): c is SegmentChange => c !== null);
  return { batchId: p.batch_id, seq: p.seq, changes, more: p.more === true };
}

/** What a batch message on topic batches says of a batch (the list row). */
export type ListRow =
  & Pick<Batch, "id" | "status" | "total" | "done" | "failed" | "cancelled" | "skipped">
  & Pick<Batch, "updated_at">
  & Partial<Batch>;

/** A batch message on topic batches, or null. */
export function asListRow(p: Row): ListRow | null {
  if (!isText(p.id) || !isText(p.status) || !isText(p.updated_at)) return null;
  const counters = ["total", "done", "failed", "cancelled", "skipped"];
  if (!counters.every((k) => isCount(p[k]))) return null;
  return p as unknown as ListRow;
}
