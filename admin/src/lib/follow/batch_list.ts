// The batch history as the page shows it: the latest batches, newest first, each the newest
// version seen of it (by updated_at), whether it came from a read of the list or from a `batch`
// message on topic batches. Pure functions; follow_list.ts wires them to the reads and messages.

import type { Batch } from "../types.ts";
import type { ListRow } from "./payloads.ts";
import { compareTimestamps } from "./timestamps.ts";

/** The fields a list row from a message may lack, until the list is read again. */
const ABSENT: Partial<Batch> = {
  source: "admin",
  requested_by: null,
  grade: null,
  kinds: [],
  created_at: "",
  started_at: null,
  finished_at: null,
  cancel_requested_at: null,
};

/** `rows` merged into `list`: a row replaces the held version of its batch unless that one is
 * newer; fields a row lacks keep their held values. Newest first (created_at), at most `limit`. */
export function mergeList(
  list: readonly Batch[],
  rows: readonly ListRow[],
  limit: number,
): Batch[] {
  const byId = new Map(list.map((b) => [b.id, b]));
  for (const row of rows) {
    const held = byId.get(row.id);
    if (held && compareTimestamps(row.updated_at, held.updated_at) < 0) continue;
    byId.set(row.id, { ...ABSENT, ...held, ...row } as Batch);
  }
  return [...byId.values()]
    .sort((a, b) => compareTimestamps(b.created_at, a.created_at))
    .slice(0, limit);
}
