// The tests' own isolation: each test stack works in a database of its own, cloned from the
// template (migrations and seed), and the clone is gone once the stack closes — so no test sees
// another's batches, and none needs to truncate tables first.
import assert from "node:assert/strict";
import postgres from "postgres";
import { adminUrl } from "../helpers/pg.ts";
import { startTestStack } from "../helpers/stack.ts";

Deno.test("test stacks: a fresh clone each, with the seed, dropped on close", async () => {
  const a = await startTestStack();
  const b = await startTestStack();
  const admin = postgres(adminUrl(), { max: 1, onnotice: () => {} });
  try {
    assert.notEqual(a.dbUrl, b.dbUrl);
    await a.sql`insert into public.words (word, grade) values ('only-in-a', 99)`;
    const [{ n }] = await b
      .sql`select count(*)::int as n from public.words where word = 'only-in-a'`;
    assert.equal(n, 0, "stack b sees stack a's row");
    const [{ words }] = await b.sql`select count(*)::int as words from public.words`;
    assert.ok(words > 0, "the clone carries the seed");
    await a.close();
    const name = new URL(a.dbUrl).pathname.slice(1);
    const [{ left }] =
      await admin`select count(*)::int as left from pg_database where datname = ${name}`;
    assert.equal(left, 0, "the closed stack's database is still there");
  } finally {
    await b.close();
    await admin.end();
  }
});
