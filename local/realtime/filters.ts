// postgres_changes filters: the `filter` string of a binding (`column=op.value`, several joined by
// commas meaning AND, optional `not.` before the operator, PostgREST-style double quotes around
// values with `,` `(` `)` `"` `\`), parsed once at join and evaluated against each change's row.
// Operators: eq, neq, lt, lte, gt, gte, in. Values compare as the column's type (numbers,
// booleans, timestamps to the microsecond, uuids case-insensitively, everything else as text in
// code-point order, where Postgres would use the column's collation). A NULL column value never
// matches, negated or not, as in SQL.

export type FilterOp = "eq" | "neq" | "lt" | "lte" | "gt" | "gte" | "in";
const OPS: readonly FilterOp[] = ["eq", "neq", "lt", "lte", "gt", "gte", "in"];

/** One `column=[not.]op.value` condition; `values` has one entry except for `in`. */
export interface Condition {
  column: string;
  op: FilterOp;
  negate: boolean;
  values: string[];
}

/** Splits on `sep` outside double quotes and parentheses. */
function splitTop(text: string, sep: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let quoted = false;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quoted) {
      if (ch === "\\") i++;
      else if (ch === '"') quoted = false;
    } else if (ch === '"') quoted = true;
    else if (ch === "(") depth++;
    else if (ch === ")") depth--;
    else if (ch === sep && depth === 0) {
      parts.push(text.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(text.slice(start));
  return parts;
}

/** A value as written: `"..."` is unquoted and unescaped, anything else is taken verbatim. */
function unquote(raw: string, where: string): string {
  if (!raw.startsWith('"')) return raw;
  if (raw.length < 2 || !raw.endsWith('"')) {
    throw new Error(`${where}: unterminated quoted value ${raw}`);
  }
  return raw.slice(1, -1).replace(/\\(.)/g, "$1");
}

function parseCondition(text: string): Condition {
  const where = `filter "${text}"`;
  const eq = text.indexOf("=");
  if (eq <= 0) {
    throw new Error(`${where}: expected column=operator.value (e.g. batch_id=eq.<uuid>)`);
  }
  const column = text.slice(0, eq).trim();
  let rest = text.slice(eq + 1);
  let negate = false;
  if (rest.startsWith("not.")) {
    negate = true;
    rest = rest.slice(4);
  }
  const dot = rest.indexOf(".");
  const opName = dot < 0 ? rest : rest.slice(0, dot);
  const op = OPS.find((o) => o === opName);
  if (!op || dot < 0) {
    throw new Error(
      `${where}: operator "${opName}" is not supported by the local Realtime stand-in ` +
        `(supported: ${OPS.join(", ")})`,
    );
  }
  const value = rest.slice(dot + 1);
  if (op !== "in") return { column, op, negate, values: [unquote(value, where)] };
  if (!value.startsWith("(") || !value.endsWith(")")) {
    throw new Error(`${where}: in takes a list in parentheses, e.g. status=in.(queued,done)`);
  }
  const items = splitTop(value.slice(1, -1), ",").map((v) => unquote(v, where));
  if (items.length === 1 && items[0] === "") {
    throw new Error(`${where}: in needs at least one value`);
  }
  return { column, op, negate, values: items };
}

/** Parses a binding's filter (undefined/empty = no conditions); throws naming the bad part. */
export function parseFilter(filter: unknown): Condition[] {
  if (filter === undefined || filter === null || filter === "") return [];
  if (typeof filter !== "string") throw new Error("filter: must be a string like column=eq.value");
  return splitTop(filter, ",").map((part) => parseCondition(part));
}

type Kind = "number" | "bool" | "time" | "uuid" | "text";
type Comparable = number | boolean | string;

const NUMERIC_TYPES = new Set(["int2", "int4", "int8", "float4", "float8", "numeric", "oid"]);
const TIME_TYPES = new Set(["timestamptz", "timestamp", "date"]);
const TRUE_WORDS = new Set(["t", "true", "y", "yes", "on", "1"]);
const FALSE_WORDS = new Set(["f", "false", "n", "no", "off", "0"]);
// Date, optional time with up to microseconds, optional zone (Z, +hh, +hhmm, +hh:mm).
const TIME_RE =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,6}))?)?)?\s*(Z|[+-]\d{2}(?::?\d{2})?)?$/i;

function kindOf(type: string): Kind {
  if (NUMERIC_TYPES.has(type)) return "number";
  if (type === "bool") return "bool";
  if (TIME_TYPES.has(type)) return "time";
  if (type === "uuid") return "uuid";
  return "text";
}

/** Microseconds since the epoch; a value without a zone is read as UTC. null if unparseable. */
function timeValue(text: string): number | null {
  const m = TIME_RE.exec(text.trim());
  if (!m) return null;
  const [, y, mo, d, h = "0", mi = "0", s = "0", frac = "", zone = "Z"] = m;
  const ms = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s));
  const micros = Number(frac.padEnd(6, "0"));
  let offsetMin = 0;
  if (zone.toUpperCase() !== "Z") {
    const sign = zone.startsWith("-") ? -1 : 1;
    const digits = zone.slice(1).replace(":", "");
    offsetMin = sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2, 4) || "0"));
  }
  return (ms - offsetMin * 60_000) * 1000 + micros;
}

function normalize(kind: Kind, raw: unknown): Comparable | null {
  if (raw === null || raw === undefined) return null;
  const text = typeof raw === "string"
    ? raw
    : typeof raw === "object"
    ? JSON.stringify(raw)
    : String(raw);
  switch (kind) {
    case "number": {
      const n = typeof raw === "number" ? raw : text.trim() === "" ? NaN : Number(text);
      return Number.isNaN(n) ? null : n;
    }
    case "bool": {
      if (typeof raw === "boolean") return raw;
      const word = text.trim().toLowerCase();
      return TRUE_WORDS.has(word) ? true : FALSE_WORDS.has(word) ? false : null;
    }
    case "time":
      return timeValue(text);
    case "uuid":
      return text.trim().toLowerCase();
    case "text":
      return text;
  }
}

function compare(a: Comparable, b: Comparable): number {
  if (a === b) return 0;
  return a < b ? -1 : 1;
}

function holds(op: FilterOp, cmp: number): boolean {
  switch (op) {
    case "eq":
    case "in":
      return cmp === 0;
    case "neq":
      return cmp !== 0;
    case "lt":
      return cmp < 0;
    case "lte":
      return cmp <= 0;
    case "gt":
      return cmp > 0;
    case "gte":
      return cmp >= 0;
  }
}

/** Whether one condition holds for a column value of the given Postgres type (pg_type.typname). */
export function conditionHolds(cond: Condition, value: unknown, type: string): boolean {
  const kind = kindOf(type);
  const left = normalize(kind, value);
  if (left === null) return false;
  let result = false;
  for (const written of cond.values) {
    const right = normalize(kind, written);
    if (right !== null && holds(cond.op, compare(left, right))) {
      result = true;
      break;
    }
  }
  return cond.negate ? !result : result;
}

/** Whether every condition holds for `row`; `types` maps column → typname. */
export function rowMatches(
  conditions: readonly Condition[],
  row: Record<string, unknown> | null,
  types: ReadonlyMap<string, string>,
): boolean {
  if (conditions.length === 0) return true;
  if (row === null) return false;
  return conditions.every((c) => conditionHolds(c, row[c.column], types.get(c.column) ?? "text"));
}
