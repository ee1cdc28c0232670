// Row lookups by primary key, one query for a whole batch of keys: the rows of truncated changes
// (read as the server's own role), and which rows a subscriber may see (read as the subscriber's
// role with its JWT claims set, so RLS policies decide — as Supabase Realtime checks each row).
import type postgres from "postgres";
import { keyString, type Row } from "./changes.ts";
import { quoteIdent, type TableInfo } from "./catalog.ts";
import type { Identity } from "./tokens.ts";

interface KeyQuery {
  /** `from <table> t join unnest(...) k on <key matches>`. */
  fromJoin: string;
  /** The key columns as JSON text, aliased k0, k1... */
  keyColumns: string;
  params: string[][];
}

/** Key text arrays, one per key column; unnest pairs them up and casts back to the column types. */
function keyQuery(info: TableInfo, pks: readonly Record<string, string>[]): KeyQuery {
  if (info.key.length === 0) {
    throw new Error(`${info.schema}.${info.table}: has no primary key; Realtime needs one`);
  }
  const params = info.key.map((col) => pks.map((pk) => pk[col.name] ?? ""));
  const aliases = info.key.map((_, i) => `k${i}`);
  const unnest = `unnest(${aliases.map((_, i) => `$${i + 1}::text[]`).join(", ")}) as k(${
    aliases.join(", ")
  })`;
  const on = info.key
    .map((col, i) => `t.${quoteIdent(col.name)} = k.k${i}::${col.sqlType}`)
    .join(" and ");
  const keyColumns = info.key
    .map((col, i) => `pg_catalog.to_jsonb(t.${quoteIdent(col.name)}) #>> '{}' as k${i}`)
    .join(", ");
  return { fromJoin: `from ${info.sqlName} t join ${unnest} on ${on}`, keyColumns, params };
}

function keyOfRow(info: TableInfo, row: Record<string, unknown>): string {
  const pk: Record<string, string> = {};
  info.key.forEach((col, i) => pk[col.name] = String(row[`k${i}`]));
  return keyString(pk, info.key.map((c) => c.name));
}

/** The current rows for `pks`, keyed by keyString (key columns in primary key order). */
export async function rowsByKey(
  sql: postgres.Sql,
  info: TableInfo,
  pks: readonly Record<string, string>[],
): Promise<Map<string, Row>> {
  const q = keyQuery(info, pks);
  const rows = await sql.unsafe(
    `select pg_catalog.to_jsonb(t) as row, ${q.keyColumns} ${q.fromJoin}`,
    q.params,
  );
  const out = new Map<string, Row>();
  for (const r of rows) out.set(keyOfRow(info, r), r.row as Row);
  return out;
}

/**
 * The keys among `pks` whose rows `identity` may SELECT: one transaction under its role with
 * request.jwt.claims set to its claims, so the table's RLS policies apply. A role without the
 * SELECT privilege sees nothing (the query's permission error is the answer, not a failure).
 */
export async function visibleKeys(
  sql: postgres.Sql,
  identity: Identity,
  info: TableInfo,
  pks: readonly Record<string, string>[],
): Promise<Set<string>> {
  const q = keyQuery(info, pks);
  try {
    const rows = await sql.begin(async (tx) => {
      // identity.role is one of tokens.ts's fixed role names, never text from the token itself.
      await tx.unsafe(`set local role ${quoteIdent(identity.role)}`);
      await tx`select pg_catalog.set_config('request.jwt.claims', ${
        JSON.stringify(identity.claims)
      }, true)`;
      return await tx.unsafe(`select ${q.keyColumns} ${q.fromJoin}`, q.params);
    });
    return new Set(rows.map((r) => keyOfRow(info, r)));
  } catch (err) {
    if (isPermissionDenied(err)) return new Set();
    throw err;
  }
}

function isPermissionDenied(err: unknown): boolean {
  // SQLSTATE 42501 insufficient_privilege.
  return typeof err === "object" && err !== null && "code" in err &&
    (err as { code: unknown }).code === "42501";
}
