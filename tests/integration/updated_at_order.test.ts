// Row versions are ordered by updated_at (the admin page ignores a Realtime event older than the
// version it holds), so a later commit must never carry an earlier updated_at. Two workers
// finishing segments of one batch: the one whose transaction started first commits last, with
// the newest counters.
import assert from "node:assert/strict";
import { createBatch } from "../helpers/batches.ts";
import { cloneTemplate, sql as connect } from "../helpers/pg.ts";

Deno.test("a batch's updated_at follows commit order, not transaction start", async () => {
  const db = await cloneTemplate();
  const sql = connect(db.url);
  try {
    const words = await sql`select id from public.words where grade = 4 order by word limit 2`;
    const batch = await createBatch(sql, { wordIds: words.map((w) => w.id) });
    const segments = await sql`select id from public.audio_segments
      where batch_id = ${batch.batch_id} order by id`;
    assert.equal(segments.length, 2);

    const read = async () => {
      const [b] = await sql`select failed, status, updated_at::text as at from public.audio_batches
        where id = ${batch.batch_id}`;
      return b;
    };
    let afterFirst: Awaited<ReturnType<typeof read>> | undefined;
    // The early transaction: starts, lets the other start, commit and be read, then writes.
    await sql.begin(async (early) => {
      await early`select now()`;
      await new Promise((r) => setTimeout(r, 30));
      await sql`update public.audio_segments set status = 'failed', last_error = 'x'
        where id = ${segments[0].id}`;
      afterFirst = await read();
      await early`update public.audio_segments set status = 'failed', last_error = 'y'
        where id = ${segments[1].id}`;
    });
    const afterSecond = await read();
    assert.equal(afterFirst!.failed, 1);
    assert.equal(afterSecond.failed, 2);
    assert.equal(afterSecond.status, "completed_with_errors");
    const [{ later }] = await sql`select ${afterSecond.at}::timestamptz > ${
      afterFirst!.at
    }::timestamptz
      as later`;
    assert.ok(
      later,
      `the last commit is the newest version (${afterSecond.at} vs ${afterFirst!.at})`,
    );
  } finally {
    await sql.end({ timeout: 5 });
    await db.drop();
  }
});
