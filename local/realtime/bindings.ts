// A channel's postgres_changes bindings: built from the join's config.postgres_changes (each
// `{ event, schema, table?, filter? }`), checked against the catalog, given the id realtime-js
// matches events by, and matched against changes. An invalid binding keeps its id (the client
// needs one per binding) but never matches; the channel reports it in a `system` error message.
import type { Catalog, TableInfo } from "./catalog.ts";
import type { Change, ChangeType, Row } from "./changes.ts";
import { type Condition, parseFilter, rowMatches } from "./filters.ts";
import type { Payload } from "./protocol.ts";

export type BindingEvent = "*" | ChangeType;
const EVENTS: readonly BindingEvent[] = ["*", "INSERT", "UPDATE", "DELETE"];

export interface Binding {
  /** What the client sent, echoed back with `id` in the join reply. */
  params: Payload;
  id: number;
  event: BindingEvent;
  /** "*" = every schema. */
  schema: string;
  /** null = every table of the schema. */
  table: string | null;
  conditions: Condition[];
  /** Why this binding never matches, or null. */
  error: string | null;
}

// Realtime's ids are :erlang.phash2 values (0 .. 2^27 - 1); ours live in the same range.
const ID_MASK = 0x7ffffff;

/** A stable id for a binding's params: FNV-1a over their JSON with sorted keys. */
function bindingId(params: Payload): number {
  const canonical = JSON.stringify(params, Object.keys(params).sort());
  let hash = 0x811c9dc5;
  for (let i = 0; i < canonical.length; i++) {
    hash ^= canonical.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash & ID_MASK;
}

function optionalString(params: Payload, field: string, where: string): string | null {
  const value = params[field];
  if (value === undefined || value === null) return null;
  if (typeof value !== "string") throw new Error(`${where}.${field}: must be a string`);
  return value;
}

async function checkTable(
  catalog: Catalog,
  schema: string,
  table: string,
  conditions: readonly Condition[],
  where: string,
): Promise<void> {
  const info = await catalog.table(schema, table);
  if (!info) throw new Error(`${where}: table ${schema}.${table} does not exist`);
  if (!info.published) {
    throw new Error(
      `RealtimeDisabledForConfiguration: ${schema}.${table} is not in publication ` +
        `supabase_realtime (alter publication supabase_realtime add table ${schema}.${table}; ` +
        `then select realtime_standin.install())`,
    );
  }
  for (const c of conditions) {
    if (!info.types.has(c.column)) {
      throw new Error(`${where}.filter: ${schema}.${table} has no column "${c.column}"`);
    }
  }
}

async function buildOne(raw: unknown, index: number, catalog: Catalog): Promise<Binding> {
  const where = `postgres_changes[${index}]`;
  const params: Payload = typeof raw === "object" && raw !== null && !Array.isArray(raw)
    ? { ...(raw as Payload) }
    : {};
  const binding: Binding = {
    params,
    id: bindingId(params),
    event: "*",
    schema: "*",
    table: null,
    conditions: [],
    error: null,
  };
  try {
    if (Object.keys(params).length === 0) throw new Error(`${where}: must be an object`);
    const event = String(params.event ?? "").toUpperCase();
    const known = EVENTS.find((e) => e === event);
    if (!known) throw new Error(`${where}.event: must be one of ${EVENTS.join(", ")}`);
    const schema = optionalString(params, "schema", where);
    if (schema === null || schema === "") {
      throw new Error(`${where}.schema: required (e.g. "public")`);
    }
    const table = optionalString(params, "table", where);
    const conditions = parseFilter(params.filter);
    const oneTable = table !== null && table !== "*";
    if (conditions.length > 0 && (!oneTable || schema === "*")) {
      throw new Error(`${where}.filter: needs one schema and one table`);
    }
    if (oneTable && schema !== "*") await checkTable(catalog, schema, table, conditions, where);
    Object.assign(binding, { event: known, schema, table: oneTable ? table : null, conditions });
  } catch (err) {
    binding.error = err instanceof Error ? err.message : String(err);
  }
  return binding;
}

/** The bindings of a join's config.postgres_changes, in the client's order. */
export async function buildBindings(list: unknown, catalog: Catalog): Promise<Binding[]> {
  if (!Array.isArray(list)) return [];
  const out: Binding[] = [];
  for (let i = 0; i < list.length; i++) out.push(await buildOne(list[i], i, catalog));
  return out;
}

/**
 * Whether a valid binding wants this change (event, schema, table, filter). The filter reads the
 * new row, or for a DELETE the old row as the WAL has it (`walOld`, see images.ts): with the
 * default replica identity that is only the key, so filters on other columns drop DELETEs, as
 * on Supabase.
 */
export function bindingMatches(
  b: Binding,
  change: Change,
  info: TableInfo,
  walOld: Row | null,
): boolean {
  if (b.error !== null) return false;
  if (b.event !== "*" && b.event !== change.type) return false;
  if (b.schema !== "*" && b.schema !== change.schema) return false;
  if (b.table !== null && b.table !== change.table) return false;
  const row = change.type === "DELETE" ? walOld : change.record;
  return rowMatches(b.conditions, row, info.types);
}
