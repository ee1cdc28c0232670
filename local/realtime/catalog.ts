// What the stand-in needs to know about a streamed table, read from the catalog and cached
// briefly: its columns and their types (the `columns` of every event, typed filters), its
// primary key (authorization and row lookups by key), whether RLS is on, whether it is in
// publication supabase_realtime, and which columns each role may SELECT.
import type postgres from "postgres";
import type { DbRole } from "./tokens.ts";

/** The publication Supabase Realtime streams. */
const PUBLICATION = "supabase_realtime";

// Long enough that a 20,000-event burst reads the catalog a handful of times, short enough
// that a migration (new column, new grant) shows up within seconds without a restart.
const CACHE_TTL_MS = 5_000;

export interface ColumnInfo {
  name: string;
  /** pg_type.typname, as Realtime's `columns[].type` (int8, uuid, text, timestamptz, _text...). */
  type: string;
}

export interface KeyColumn {
  name: string;
  /** format_type() of the column: what key text is cast to in lookups. */
  sqlType: string;
}

export interface TableInfo {
  schema: string;
  table: string;
  /** Quoted, schema-qualified name for SQL. */
  sqlName: string;
  columns: ColumnInfo[];
  types: ReadonlyMap<string, string>;
  key: KeyColumn[];
  rls: boolean;
  published: boolean;
  /** REPLICA IDENTITY: what Supabase's WAL has of an old row (default = key, full = all). */
  replicaIdentity: ReplicaIdentity;
}

export type ReplicaIdentity = "default" | "full" | "index" | "nothing";
const REPLICA_IDENTITIES: Record<string, ReplicaIdentity> = {
  d: "default",
  f: "full",
  i: "index",
  n: "nothing",
};

export interface Catalog {
  /** The table, or null when it does not exist. */
  table(schema: string, table: string): Promise<TableInfo | null>;
  /** The columns `role` may SELECT in `info`'s table. */
  selectable(role: DbRole, info: TableInfo): Promise<ReadonlySet<string>>;
  /** Tables in the publication as "schema.table". */
  published(): Promise<ReadonlySet<string>>;
}

/** Double-quotes an identifier for SQL. */
export function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

interface Cached<T> {
  at: number;
  value: Promise<T>;
}

/** A catalog reader over `sql` (a connection with catalog access, e.g. postgres). */
export function createCatalog(sql: postgres.Sql, now: () => number = Date.now): Catalog {
  const cache = new Map<string, Cached<unknown>>();

  function cached<T>(key: string, load: () => Promise<T>): Promise<T> {
    const hit = cache.get(key);
    if (hit && now() - hit.at < CACHE_TTL_MS) return hit.value as Promise<T>;
    const value = load();
    cache.set(key, { at: now(), value });
    // A failed read is not cached: the next call tries again.
    value.catch(() => cache.delete(key));
    return value;
  }

  async function loadTable(schema: string, table: string): Promise<TableInfo | null> {
    const rels = await sql<{ oid: number; rls: boolean; published: boolean; ident: string }[]>`
      select c.oid::int8 as oid, c.relrowsecurity as rls, c.relreplident as ident,
        exists (select 1 from pg_catalog.pg_publication_tables p
                where p.pubname = ${PUBLICATION} and p.schemaname = n.nspname
                  and p.tablename = c.relname) as published
      from pg_catalog.pg_class c
      join pg_catalog.pg_namespace n on n.oid = c.relnamespace
      where n.nspname = ${schema} and c.relname = ${table} and c.relkind in ('r', 'p')`;
    if (rels.length === 0) return null;
    const oid = Number(rels[0].oid);
    const columns = await sql<ColumnInfo[]>`
      select a.attname as name, t.typname as type
      from pg_catalog.pg_attribute a
      join pg_catalog.pg_type t on t.oid = a.atttypid
      where a.attrelid = ${oid} and a.attnum > 0 and not a.attisdropped
      order by a.attnum`;
    const key = await sql<KeyColumn[]>`
      select a.attname as name, pg_catalog.format_type(a.atttypid, null) as "sqlType"
      from pg_catalog.pg_index i
      cross join lateral pg_catalog.unnest(i.indkey) with ordinality as k(attnum, ord)
      join pg_catalog.pg_attribute a on a.attrelid = i.indrelid and a.attnum = k.attnum
      where i.indrelid = ${oid} and i.indisprimary
      order by k.ord`;
    return {
      schema,
      table,
      sqlName: `${quoteIdent(schema)}.${quoteIdent(table)}`,
      columns: [...columns],
      types: new Map(columns.map((c) => [c.name, c.type])),
      key: [...key],
      rls: rels[0].rls,
      published: rels[0].published,
      replicaIdentity: REPLICA_IDENTITIES[rels[0].ident] ?? "default",
    };
  }

  async function loadSelectable(role: DbRole, info: TableInfo): Promise<ReadonlySet<string>> {
    const rows = await sql<{ name: string }[]>`
      select a.attname as name
      from pg_catalog.pg_attribute a
      where a.attrelid = ${info.sqlName}::regclass and a.attnum > 0 and not a.attisdropped
        and pg_catalog.has_column_privilege(${role}, a.attrelid, a.attnum, 'SELECT')`;
    return new Set(rows.map((r) => r.name));
  }

  async function loadPublished(): Promise<ReadonlySet<string>> {
    const rows = await sql<{ name: string }[]>`
      select schemaname || '.' || tablename as name
      from pg_catalog.pg_publication_tables where pubname = ${PUBLICATION}`;
    return new Set(rows.map((r) => r.name));
  }

  return {
    table: (schema, table) => cached(`table:${schema}.${table}`, () => loadTable(schema, table)),
    selectable: (role, info) =>
      cached(`cols:${role}:${info.sqlName}`, () => loadSelectable(role, info)),
    published: () => cached("published", loadPublished),
  };
}
