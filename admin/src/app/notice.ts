// The notice line under the header belongs to what it describes: a batch ("Batch started", "N
// failed segments queued again") or, when no batch came of the request ("Nothing to do"), the
// grade it was asked for. It shows only while that is what the page shows, and a batch's notice
// goes once the batch ends after the notice (its finished_at moves on).

import type { Batch } from "../lib/index.ts";

export interface Notice {
  text: string;
  /** The batch the notice is about, or null for an answer with no batch. */
  batchId: string | null;
  /** That batch's finished_at when the notice was made (null: not ended, or not known yet). */
  finishedAt: string | null;
  /** The grade shown when the notice was made. */
  grade: number | null;
}

export interface NoticeContext {
  followed: string | null;
  batch: Pick<Batch, "id" | "finished_at"> | null;
  grade: number | null;
}

export function noticeIsCurrent(n: Notice | null, ctx: NoticeContext): boolean {
  if (!n) return false;
  if (n.batchId === null) return ctx.grade === n.grade;
  if (ctx.followed !== n.batchId) return false;
  const b = ctx.batch;
  const endedSince = b !== null && b.id === n.batchId && b.finished_at !== null &&
    b.finished_at !== n.finishedAt;
  return !endedSince;
}
