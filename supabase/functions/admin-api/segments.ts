// admin-api's read of a batch's segments: one page in queue order (id), all of them or those of
// one status, after a cursor (the last id seen).
//
//   GET /admin-api/batches/<id>/segments?status=<status>&after=<id>&limit=<n>
//   → { segments: [{ id, batch_id, word_id, kind, text, status, attempts, last_error,
//                    storage_path, updated_at }] }
import type postgres from "postgres";

type Sql = postgres.Sql | postgres.TransactionSql;

export interface SegmentsFilter {
  batchId: string;
  status: string | null;
  after: number;
  limit: number;
}

// One page. Without a status the batch is named by a range and the order includes batch_id, so
// only audio_segments_batch_idx gives it: with `batch_id =` and `order by id` the planner may walk
// the primary key from the oldest segment filtering on the batch, as if the batch's rows were
// spread through the table; a batch's rows sit together, a new one's at the end (900,000 rows
// passed over at catalog size for the newest batch). With a status, the partial index that holds
// it gives id order: audio_segments_pending_batch_idx (queued, generating) or
// audio_segments_finished_batch_idx (done, failed, cancelled). The index's own condition is said
// outright beside the status, so a plan made without the status's value (a prepared statement's
// generic plan) can use the index too.
export function segmentsPage(tx: Sql, f: SegmentsFilter) {
  const where = f.status === null
    ? tx`batch_id >= ${f.batchId}::uuid and batch_id <= ${f.batchId}::uuid and id > ${f.after}
      order by batch_id, id`
    : UNFINISHED.includes(f.status)
    ? tx`batch_id = ${f.batchId}::uuid and status in ('queued', 'generating') and status = ${f.status}
      and id > ${f.after} order by id`
    : tx`batch_id = ${f.batchId}::uuid and status in ('done', 'failed', 'cancelled')
      and status = ${f.status} and id > ${f.after} order by id`;
  return tx`
    select id, batch_id, word_id, kind, text, status, attempts, last_error, storage_path,
      updated_at::text as updated_at
    from public.audio_segments
    where ${where} limit ${f.limit}`;
}

const UNFINISHED = ["queued", "generating"];
