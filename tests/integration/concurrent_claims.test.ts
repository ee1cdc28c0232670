// Claims of many workers at once, in turn order: every message goes to exactly one claim, none is
// left behind, and no claim fails (no deadlock between claims recording their batches' turns).
import assert from "node:assert/strict";
import postgres from "postgres";
import { withTestDatabase } from "../helpers/pg.ts";
import { createBatch } from "../helpers/batches.ts";

const CLAIMERS = 6; // concurrent claim loops, each on its own connection (workers)
const PER_CLAIM = 5; // messages each claim asks for
const MAX_CLAIMS = 500; // bound on each loop (the queue holds 150 messages)

Deno.test("concurrent claims hand every message out exactly once, without errors", async () => {
  await withTestDatabase(async (url) => {
    const sql = postgres(url, { max: CLAIMERS + 1, onnotice: () => {} });
    try {
      // Three admin batches and a backfill, 150 segments in all.
      await sql`insert into public.words (word, definition, example_sentence, grade)
        select 'claim test ' || g || ' ' || i, '', '', g::smallint
        from generate_series(81, 84) as g, generate_series(1, 30 + 30 * (g = 84)::int) as i`;
      for (const grade of [81, 82, 83]) await createBatch(sql, { grade });
      await createBatch(sql, { grade: 84 }, { source: "backfill" });
      const [{ queued }] = await sql`select count(*)::int as queued from pgmq.q_audio_segments`;
      assert.equal(queued, 150);

      const claimed: number[] = [];
      await Promise.all(Array.from({ length: CLAIMERS }, async () => {
        for (let i = 0; i < MAX_CLAIMS; i++) {
          const rows = await sql`select msg_id from audio.claim_segments(${PER_CLAIM}, 300)`;
          if (rows.length === 0) {
            const [{ visible }] = await sql`select visible::int from audio.queue_depth()`;
            if (visible === 0) return;
          }
          claimed.push(...rows.map((r) => Number(r.msg_id)));
        }
      }));

      assert.equal(new Set(claimed).size, claimed.length, "no message handed out twice");
      assert.equal(claimed.length, 150, "every message handed out");
    } finally {
      await sql.end();
    }
  });
});
