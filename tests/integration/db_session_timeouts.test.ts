// The functions' database sessions carry the statement and lock timeouts of config.ts, so a hung
// statement or a lock never released ends in an error instead of a stuck worker.
import assert from "node:assert/strict";
import {
  DB_LOCK_TIMEOUT_MS,
  DB_STATEMENT_TIMEOUT_MS,
} from "../../supabase/functions/_shared/config.ts";
import { createSql } from "../../supabase/functions/_shared/db.ts";
import { withTestDatabase } from "../helpers/pg.ts";

Deno.test("a function's session has the statement and lock timeouts of config.ts", async () => {
  await withTestDatabase(async (url) => {
    const db = createSql(url, 2);
    try {
      const rows = await db`
        select name, setting::int as ms from pg_settings
        where name in ('statement_timeout', 'lock_timeout') order by name`;
      assert.deepEqual(rows.map((r) => [r.name, r.ms]), [
        ["lock_timeout", DB_LOCK_TIMEOUT_MS],
        ["statement_timeout", DB_STATEMENT_TIMEOUT_MS],
      ]);
      // A statement past the timeout ends with an error (here a shorter one, set for the test).
      await assert.rejects(
        db.begin(async (tx) => {
          await tx`set local statement_timeout = '100ms'`;
          await tx`select pg_sleep(5)`;
        }),
        { code: "57014" }, // query_canceled
      );
    } finally {
      await db.end();
    }
  });
});
