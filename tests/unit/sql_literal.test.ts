// sqlLiteral writes only what it can write safely: integers, booleans, null, strings as escape
// string constants with backslashes and quotes doubled, arrays of integers; everything else
// throws. (tests/integration/sql_literal.test.ts reads the literals back through Postgres.)
import assert from "node:assert/strict";
import { sqlLiteral } from "../../supabase/functions/_shared/sql_literal.ts";

Deno.test("integers, booleans and null as they are", () => {
  assert.equal(sqlLiteral(42), "42");
  assert.equal(sqlLiteral(-7), "-7");
  assert.equal(sqlLiteral(0), "0");
  assert.equal(sqlLiteral(Number.MAX_SAFE_INTEGER), "9007199254740991");
  assert.equal(sqlLiteral(true), "true");
  assert.equal(sqlLiteral(false), "false");
  assert.equal(sqlLiteral(null), "null");
});

Deno.test("a string: an escape string constant, its backslashes and quotes doubled", () => {
  assert.equal(sqlLiteral("worker-1a2b"), "E'worker-1a2b'");
  assert.equal(sqlLiteral("it's"), "E'it''s'");
  assert.equal(sqlLiteral("a\\b"), "E'a\\\\b'");
  assert.equal(sqlLiteral("\\'); drop table x; --"), "E'\\\\''); drop table x; --'");
  assert.equal(sqlLiteral("héllo ✓ 🎧"), "E'héllo ✓ 🎧'");
  assert.equal(sqlLiteral(""), "E''");
});

Deno.test("an array of integers", () => {
  assert.equal(sqlLiteral([1, 2, 30]), "'{1,2,30}'");
  assert.equal(sqlLiteral([]), "'{}'");
});

Deno.test("anything else is refused, naming what", () => {
  for (const bad of [1.5, NaN, Infinity, 2 ** 60]) {
    assert.throws(() => sqlLiteral(bad), /not a safe integer/);
  }
  assert.throws(() => sqlLiteral("a\0b"), /NUL/);
  assert.throws(() => sqlLiteral([1, 2.5]), /not a safe integer/);
  assert.throws(() => sqlLiteral(["1"] as unknown as number[]), /not a safe integer/);
  assert.throws(() => sqlLiteral(undefined as unknown as null), /cannot write a undefined/);
  assert.throws(() => sqlLiteral({} as unknown as null), /cannot write a object/);
  assert.throws(() => sqlLiteral(10n as unknown as number), /cannot write a bigint/);
});
