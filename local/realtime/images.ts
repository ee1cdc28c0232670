// Row images as Supabase Realtime has them. The trigger sees the whole old row, but Realtime reads
// the WAL, which holds only what the table's REPLICA IDENTITY logs: with the default identity an
// UPDATE has no old row (unless the key changed: then the old key) and a DELETE only the key;
// with FULL, the whole old row. On a table with RLS a DELETE is sent to every subscriber whose
// role may select the table, so it carries only the key. Mirroring this keeps the local admin
// page honest: what works here works against Supabase.
import type { TableInfo } from "./catalog.ts";
import type { Change, Row } from "./changes.ts";

function keyColumns(row: Row, info: TableInfo): Row {
  const out: Row = {};
  for (const col of info.key) if (col.name in row) out[col.name] = row[col.name];
  return out;
}

function keyText(value: unknown): string {
  return typeof value === "string" ? value : JSON.stringify(value);
}

function keyChanged(change: Change, old: Row, info: TableInfo): boolean {
  return info.key.some((col) => keyText(old[col.name]) !== change.pk[col.name]);
}

/** The old row as the WAL has it: null for INSERT, else the columns replica identity logs. */
export function walOldImage(change: Change, info: TableInfo): Row | null {
  const old = change.oldRecord;
  if (change.type === "INSERT" || old === null) return null;
  if (change.truncated) return old; // already only the key
  switch (info.replicaIdentity) {
    case "full":
      return old;
    case "nothing":
      return {};
    case "default":
    case "index":
      if (change.type === "DELETE" || keyChanged(change, old, info)) return keyColumns(old, info);
      return {};
  }
}

/** The old row a subscriber receives: the WAL image, reduced to the key for DELETE under RLS. */
export function deliveredOldImage(change: Change, info: TableInfo): Row | null {
  const image = walOldImage(change, info);
  if (image !== null && change.type === "DELETE" && info.rls) return keyColumns(image, info);
  return image;
}
