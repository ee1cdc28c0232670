// What a claim reads behind a deep queue: an admin batch queued behind a backfill of 20,000
// segments is claimed through the batches' indexes, touching a bounded number of buffers, not
// every segment or message ahead of it. Asserted on the buffers EXPLAIN (ANALYZE, BUFFERS) counts,
// never on time.
import assert from "node:assert/strict";
import postgres from "postgres";
import { withTestDatabase } from "../helpers/pg.ts";
import { createBatch } from "../helpers/batches.ts";

const BACKFILL = 20_000; // segments ahead of the admin batch (a walk over them reads ~10^4 buffers)
const CLAIM = 30; // what one worker at C = 15 claims at most (slots + prefetch)
// A claim reads each message's segment, queue row and batch, a few index pages each, and the
// bookkeeping (heartbeat, excused reads, turns): about 50 buffers per message measured (1,520 for
// this claim of 30, the session's first, so catalog reads included). 100 per message leaves room
// for plan or page-layout changes and stays far below a walk of the segments ahead (41,692 when
// the batch's head was found by walking the primary key).
const BUFFERS_PER_MESSAGE = 100;

Deno.test("a claim behind 20,000 queued segments reads a bounded number of buffers", async () => {
  await withTestDatabase(async (url) => {
    const sql = postgres(url, { max: 2, onnotice: () => {} });
    try {
      await sql`insert into public.words (word, definition, example_sentence, grade)
        select 'deep ' || i, '', '', 91 from generate_series(1, ${BACKFILL}::int) as i
        union all select 'urgent ' || i, '', '', 92 from generate_series(1, ${CLAIM}::int) as i`;
      await createBatch(sql, { grade: 91 }, { source: "backfill" });
      const admin = await createBatch(sql, { grade: 92 });
      await sql`analyze`;

      let plan: Record<string, number> = {};
      let batches: string[] = [];
      await sql.begin(async (tx) => {
        const [row] = await tx.unsafe(
          `explain (analyze, buffers, format json) select * from audio.claim_segments(${CLAIM}, 300)`,
        );
        plan = row["QUERY PLAN"][0].Plan;
        batches = (await tx`select distinct batch_id from public.audio_segments as s
          join pgmq.q_audio_segments as q on q.msg_id = s.msg_id where q.read_ct > 0`)
          .map((r) => String(r.batch_id));
        throw new RollbackClaim();
      }).catch((e) => {
        if (!(e instanceof RollbackClaim)) throw e;
      });
      assert.deepEqual(batches, [admin.batch_id], "the claim took the admin batch's segments");
      const buffers = plan["Shared Hit Blocks"] + plan["Shared Read Blocks"];
      assert.ok(
        buffers <= CLAIM * BUFFERS_PER_MESSAGE,
        `a claim of ${CLAIM} read ${buffers} buffers (bound ${CLAIM * BUFFERS_PER_MESSAGE})`,
      );
    } finally {
      await sql.end();
    }
  });
});

class RollbackClaim extends Error {}
