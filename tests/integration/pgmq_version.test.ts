// The first migration refuses a pgmq older than 1.5.1 (Supabase projects that enabled pgmq early
// have 1.4.4, which `create extension if not exists` keeps) with what to run, instead of letting
// every claim fail later on the headers column 1.4 lacks. The migration file itself runs against
// a migrated database whose pg_extension row reports another version: its check reads only that
// row, so this is the state a project with that pgmq installed presents to it (the rest of the
// file is idempotent: `if not exists` and a comment).
import assert from "node:assert/strict";
import { sql, withTestDatabase } from "../helpers/pg.ts";

const MIGRATION = new URL(
  "../../supabase/migrations/20261201000100_extensions_and_schema.sql",
  import.meta.url,
);

/** Runs the migration file where pgmq reports `version`; the error it raised, or null. */
async function migrateWithPgmq(
  version: string,
): Promise<{ code: string; message: string; hint: string } | null> {
  const text = await Deno.readTextFile(MIGRATION);
  return await withTestDatabase(async (url) => {
    const db = sql(url);
    try {
      await db`update pg_catalog.pg_extension set extversion = ${version} where extname = 'pgmq'`;
      try {
        await db.unsafe(text);
        return null;
      } catch (error) {
        const e = error as { code: string; message: string; hint: string };
        return { code: e.code, message: e.message, hint: e.hint };
      }
    } finally {
      await db.end();
    }
  });
}

Deno.test("migrations: pgmq 1.4.4 installed stops the first migration, naming the version and the update", async () => {
  const refused = await migrateWithPgmq("1.4.4");
  assert.ok(refused, "the migration ran with pgmq 1.4.4");
  assert.equal(refused.code, "55000");
  assert.equal(
    refused.message,
    'pgmq 1.4.4 is installed, but audio-queue needs pgmq 1.5.1 or later: run "alter extension ' +
      'pgmq update;", then apply the migrations again',
  );
  // The server offers the stand-in's (or the real) 1.5.1 or later, so the update is enough.
  assert.match(refused.hint, /^alter extension pgmq update installs pgmq \d+\.\d+/);
});

Deno.test("migrations: versions are compared as numbers: 1.5.0 is refused, 1.5.1 and 1.10.0 pass", async () => {
  const older = await migrateWithPgmq("1.5.0");
  assert.equal(older?.code, "55000");
  assert.match(older?.message ?? "", /^pgmq 1\.5\.0 is installed/);
  assert.equal(await migrateWithPgmq("1.5.1"), null);
  // As text '1.10.0' < '1.5.1'.
  assert.equal(await migrateWithPgmq("1.10.0"), null);
});
