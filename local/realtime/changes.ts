// One row change as changes.sql's trigger sends it over NOTIFY, parsed and checked. A change whose
// row did not fit in a NOTIFY payload arrives `truncated` (key only); completeTruncated() reads
// those rows by key before delivery.

export type ChangeType = "INSERT" | "UPDATE" | "DELETE";
const CHANGE_TYPES: readonly ChangeType[] = ["INSERT", "UPDATE", "DELETE"];

export type Row = Record<string, unknown>;

export interface Change {
  schema: string;
  table: string;
  type: ChangeType;
  commitTimestamp: string;
  /** Primary key column → the text of its JSON value (casts back to the column's type). */
  pk: Record<string, string>;
  /** The new row (INSERT, UPDATE); null for DELETE. */
  record: Row | null;
  /** The old row (UPDATE, DELETE); null for INSERT. Only the key when the row was truncated. */
  oldRecord: Row | null;
  truncated: boolean;
  /** Realtime's `errors` (e.g. "Error 413: Payload Too Large" when a truncated row is gone). */
  errors: string[] | null;
}

function isRow(value: unknown): value is Row {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function keyOf(value: unknown, field: string): Record<string, string> {
  if (!isRow(value)) throw new Error(`${field}: must be an object of key column → text`);
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(value)) {
    if (typeof v !== "string") throw new Error(`${field}.${k}: must be text (got ${typeof v})`);
    out[k] = v;
  }
  return out;
}

/** Parses one NOTIFY payload; throws naming the bad field. */
export function parseChange(text: string): Change {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new Error("notification: payload is not JSON (is changes.sql current?)");
  }
  if (!isRow(raw)) throw new Error("notification: payload must be a JSON object");
  const { schema, table, type, commit_timestamp: ts } = raw;
  if (typeof schema !== "string" || typeof table !== "string") {
    throw new Error("notification: schema and table must be strings");
  }
  const changeType = CHANGE_TYPES.find((t) => t === type);
  if (!changeType) throw new Error(`notification.type: must be one of ${CHANGE_TYPES.join(", ")}`);
  if (typeof ts !== "string") throw new Error("notification.commit_timestamp: must be a string");
  const pk = keyOf(raw.pk, "notification.pk");
  const truncated = raw.truncated === true;
  if (truncated) {
    const oldPk = raw.old_pk === undefined ? pk : keyOf(raw.old_pk, "notification.old_pk");
    return {
      schema,
      table,
      type: changeType,
      commitTimestamp: ts,
      pk,
      record: null,
      oldRecord: changeType === "INSERT" ? null : { ...oldPk },
      truncated,
      errors: null,
    };
  }
  const record = changeType === "DELETE" ? null : raw.record;
  const oldRecord = changeType === "INSERT" ? null : raw.old_record;
  if (record !== null && !isRow(record)) throw new Error("notification.record: must be an object");
  if (oldRecord !== null && !isRow(oldRecord)) {
    throw new Error("notification.old_record: must be an object");
  }
  return {
    schema,
    table,
    type: changeType,
    commitTimestamp: ts,
    pk,
    record,
    oldRecord,
    truncated,
    errors: null,
  };
}

/** The key of a change as one string (key columns in `order`), for set lookups. */
export function keyString(pk: Record<string, string>, order: readonly string[]): string {
  return JSON.stringify(order.map((c) => pk[c] ?? null));
}

/**
 * Fills the `record` of truncated INSERT/UPDATE changes with the row as it is now, read by key
 * through `fetchRows(schema, table, pks)` (which returns rows keyed by keyString). A row that is
 * gone gets `{}` and Realtime's "Error 413: Payload Too Large".
 */
export async function completeTruncated(
  changes: Change[],
  fetchRows: (
    schema: string,
    table: string,
    pks: Record<string, string>[],
  ) => Promise<Map<string, Row>>,
  keyOrder: (schema: string, table: string) => Promise<readonly string[]>,
): Promise<void> {
  const byTable = new Map<string, Change[]>();
  for (const c of changes) {
    if (!c.truncated || c.type === "DELETE") continue;
    const k = `${c.schema}.${c.table}`;
    const list = byTable.get(k) ?? [];
    list.push(c);
    byTable.set(k, list);
  }
  for (const list of byTable.values()) {
    const { schema, table } = list[0];
    const order = await keyOrder(schema, table);
    const rows = await fetchRows(schema, table, list.map((c) => c.pk));
    for (const c of list) {
      const row = rows.get(keyString(c.pk, order));
      if (row) c.record = row;
      else {
        c.record = {};
        c.errors = ["Error 413: Payload Too Large"];
      }
    }
  }
}
