// Realtime hands rows over as loose records; these checks turn them into Batch / Segment or
// reject them (a row of another shape is ignored, never half-applied).

import type { Batch, Segment } from "../types.ts";

type Row = Record<string, unknown>;

const isId = (v: unknown): boolean =>
  (typeof v === "string" && v !== "") ||
  (typeof v === "number" && Number.isFinite(v));

export function asBatch(row: Row | null | undefined): Batch | null {
  if (!row || typeof row.id !== "string" || typeof row.status !== "string") {
    return null;
  }
  if (typeof row.total !== "number" || typeof row.done !== "number") {
    return null;
  }
  return row as unknown as Batch;
}

export function asSegment(row: Row | null | undefined): Segment | null {
  if (!row || !isId(row.id) || typeof row.batch_id !== "string") return null;
  if (typeof row.word_id !== "string" || typeof row.kind !== "string") {
    return null;
  }
  if (typeof row.status !== "string") return null;
  return row as unknown as Segment;
}
