// Statements sent in one round trip. With `prepare: false` (transaction-mode poolers keep no
// prepared statements) postgres.js sends a statement that has bind parameters in two exchanges:
// Parse and Describe, wait for the parameter types, then Bind and Execute. A statement without
// parameters goes in one write and one answer. The worker's calls on every segment (the claim, a
// begin, the hand-off, the completion) are therefore written with their values as SQL literals:
// half the socket writes and reads of the database client, and one round trip less between one
// provider request's end and the next one's start.
//
// Only integers, booleans, null, strings and arrays of integers are taken; anything else throws,
// so a value this module cannot write safely never reaches the database. A string becomes an
// escape string constant (E'...', the same whatever standard_conforming_strings says) with its
// backslashes and quotes doubled; a NUL, which no Postgres text can hold, is refused.
import type { Sql } from "./db.ts";

export type LiteralValue = number | string | boolean | null | readonly number[];

/** The SQL literal for one value (throws TypeError for a value it does not write). */
export function sqlLiteral(value: LiteralValue): string {
  if (value === null) return "null";
  if (typeof value === "boolean") return value ? "true" : "false";
  if (typeof value === "number") return integer(value);
  if (typeof value === "string") {
    if (value.includes("\0")) throw new TypeError("sqlLiteral: a string with a NUL character");
    return `E'${value.replace(/\\/g, "\\\\").replace(/'/g, "''")}'`;
  }
  if (Array.isArray(value)) return `'{${value.map(integer).join(",")}}'`;
  throw new TypeError(`sqlLiteral: cannot write a ${typeof value} as a literal`);
}

function integer(n: number): string {
  if (!Number.isSafeInteger(n)) throw new TypeError(`sqlLiteral: ${n} is not a safe integer`);
  return String(n);
}

/** Runs the statement with each interpolated value written as a literal (sqlLiteral), as one
 * parameterless statement: one round trip. Casts belong in the text, as with bind parameters. */
export function oneTrip(sql: Sql) {
  return (strings: TemplateStringsArray, ...values: LiteralValue[]) => {
    let text = strings[0];
    values.forEach((v, i) => (text += sqlLiteral(v) + strings[i + 1]));
    return sql.unsafe(text);
  };
}
