// The literals of sql_literal.ts read back through Postgres as the values written, whatever
// standard_conforming_strings says; and the worker's per-segment calls reach the database with
// their values as literals (no bind parameters: one round trip each), doing what they did.
import assert from "node:assert/strict";
import fc from "fast-check";
import postgres from "postgres";
import { oneTrip, sqlLiteral } from "../../supabase/functions/_shared/sql_literal.ts";
import { SegmentQueue } from "../../supabase/functions/_shared/worker/queue.ts";
import { addWords, createBatch } from "../helpers/batches.ts";
import { withTempDatabase, withTestDatabase } from "../helpers/pg.ts";

Deno.test("literals read back as the values written, with standard_conforming_strings on or off", async () => {
  await withTempDatabase(async (url) => {
    const sql = postgres(url, { max: 1, prepare: false, onnotice: () => {} });
    try {
      for (const conforming of ["on", "off"]) {
        await sql.unsafe(`set standard_conforming_strings = ${conforming}`);
        await fc.assert(
          fc.asyncProperty(
            fc.string({ unit: "binary", maxLength: 60 }).filter((s) => !s.includes("\0")),
            fc.array(fc.integer(), { maxLength: 5 }),
            fc.maxSafeInteger(),
            async (text, ints, big) => {
              const [r] = await sql.unsafe(
                `select ${sqlLiteral(text)}::text as text, ${sqlLiteral(ints)}::bigint[] as ints,
                  ${sqlLiteral(big)}::bigint as big`,
              );
              assert.equal(r.text, text);
              assert.deepEqual(r.ints.map(Number), ints);
              assert.equal(Number(r.big), big);
            },
          ),
          { numRuns: 300 },
        );
      }
      // What an injection would look like stays one string.
      const one = oneTrip(sql);
      const evil = "x'); select pg_sleep(10); --\\";
      const [r] = await one`select ${evil}::text as s, ${null}::integer as n, ${true} as b`;
      assert.deepEqual({ ...r }, { s: evil, n: null, b: true });
    } finally {
      await sql.end();
    }
  });
});

Deno.test("the claim, begin, hand-off, end and completion go without bind parameters, and work", async () => {
  await withTestDatabase(async (url) => {
    // Every statement the client sends, with its bind parameters.
    const sent: { text: string; params: unknown[] }[] = [];
    const sql = postgres(url, {
      max: 2,
      prepare: false,
      onnotice: () => {},
      debug: (_conn, text, params) => sent.push({ text, params }),
    });
    try {
      const ids = await addWords(sql, 77, ["quartz", "ember"]);
      const batch = await createBatch(sql, { wordIds: ids });
      const queue = new SegmentQueue(sql, {
        holder: "literal-test",
        limit: 3,
        visibilityTimeoutS: 60,
        leaseS: 60,
        maxReads: 5,
        limitProbeS: 300,
        limitPinned: false,
      });
      sent.length = 0;
      const [a, b] = await queue.claim(2);
      assert.deepEqual([a.batchId, b.batchId], [batch.batch_id, batch.batch_id]);
      const begun = await queue.beginAttempt(a);
      assert.equal(begun.outcome, "go");
      const handOff = await queue.endAndBegin(begun.slot!, a.segmentId, true, b);
      assert.deepEqual([handOff.live, handOff.outcome], [true, "go"]);
      assert.equal(await queue.complete(a, "test/it's.wav", 1234, 200, 0), true);
      assert.equal(await queue.endAttempt(handOff.slot!, b.segmentId, false), true);

      assert.equal(sent.length, 5, sent.map((s) => s.text).join("\n"));
      assert.deepEqual(
        sent.filter((s) => s.params.length > 0),
        [],
        "no statement bound parameters",
      );
      const rows = await sql`select id, status, storage_path, attempts from public.audio_segments
        where batch_id = ${batch.batch_id} order by id`;
      assert.deepEqual(rows.map((r) => [Number(r.id), r.status, r.storage_path, r.attempts]), [
        [a.segmentId, "done", "test/it's.wav", 1],
        [b.segmentId, "generating", null, 1],
      ]);
    } finally {
      await sql.end();
    }
  });
});
