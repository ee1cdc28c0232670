// Postgres timestamps to comparable numbers with microsecond precision. Rows from Realtime carry
// Postgres's own text ("2026-11-24 10:00:00.123456+00"); rows from admin-api may be ISO strings.
// Date.parse keeps milliseconds only, and two updates of one row can fall in the same millisecond,
// so ordering them needs the microseconds.

const TIMESTAMP =
  /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?\s*(Z|[+-]\d{2}(?::?\d{2})?)?$/i;

/** Microseconds since the epoch (exact: 2^53 µs is about 285 years), or null if s is not a
 * timestamp. A timestamp without a zone is read as UTC. */
function timestampMicros(s: unknown): number | null {
  if (typeof s !== "string") return null;
  const m = TIMESTAMP.exec(s.trim());
  if (!m) return null;
  const [, y, mo, d, h, mi, sec, frac = "", zone = "Z"] = m;
  const ms = Date.UTC(
    Number(y),
    Number(mo) - 1,
    Number(d),
    Number(h),
    Number(mi),
    Number(sec),
  );
  const micros = Number((frac + "000000").slice(0, 6));
  let offsetMin = 0;
  if (zone.toUpperCase() !== "Z") {
    const sign = zone.startsWith("-") ? -1 : 1;
    const digits = zone.slice(1).replace(":", "");
    offsetMin = sign *
      (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2, 4) || "0"));
  }
  return (ms - offsetMin * 60_000) * 1000 + micros;
}

/** -1, 0 or 1 as a is older than, as old as, or newer than b. A missing or unreadable timestamp
 * counts as older than any readable one. */
export function compareTimestamps(a: unknown, b: unknown): number {
  const x = timestampMicros(a);
  const y = timestampMicros(b);
  if (x === null && y === null) return 0;
  if (x === null) return -1;
  if (y === null) return 1;
  return x < y ? -1 : x > y ? 1 : 0;
}
