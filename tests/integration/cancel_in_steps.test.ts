// A cancel larger than one step (audio.cancel_step_size()): the call cancels one step and answers
// 'cancelling'; audio.finish_cancels cancels the rest a step per transaction and the batch ends
// cancelled, its counters equal to its rows, no message of it left. Neither the cancel nor a step
// holds a lock another batch's worker needs: that worker's begin and completion go through
// while the cancel's (or the step's) transaction is still open, under a lock_timeout that fails
// them if they had to wait for it.
import assert from "node:assert/strict";
import postgres from "postgres";
import { createBatch, TEST_AUDIO } from "../helpers/batches.ts";
import { withTestDatabase } from "../helpers/pg.ts";

const GRADE = 94; // this file's own words, apart from the sample vocabulary
// Words of the big batch: three segments each, so 12,000 segments, more than one step.
const BIG_WORDS = 4000;

type Sql = ReturnType<typeof postgres>;

async function addWords(sql: Sql, n: number, prefix: string): Promise<string[]> {
  const rows = await sql`
    insert into public.words (word, definition, example_sentence, grade)
    select ${prefix} || g, 'meaning ' || g, 'sentence ' || g, ${GRADE}::smallint
    from generate_series(1, ${n}::integer) as g
    returning id`;
  return rows.map((r) => String(r.id));
}

// A worker of another batch: begins its next segment, ends the request and completes it, never waiting for a lock
// (lock_timeout: a wait of 200 ms means a lock the cancel holds, and fails the statement).
async function otherBatchWorker(url: string, batchId: string): Promise<void> {
  const w = postgres(url, { max: 1, onnotice: () => {} });
  try {
    await w.begin(async (tx) => {
      await tx`set local lock_timeout = '200ms'`;
      const [seg] = await tx`select id, msg_id from public.audio_segments
        where batch_id = ${batchId} and status = 'queued' order by id limit 1`;
      const [b] =
        await tx`select * from audio.begin_attempt(${seg.id}, ${seg.msg_id}, 'worker-b', 3, 60, 600)`;
      assert.equal(b.outcome, "go", "the other batch's segment began");
      await tx`select audio.end_attempt(${b.slot}, 'worker-b', ${seg.id}, true)`;
      await tx`select audio.complete_segment(${seg.id}, ${seg.msg_id}, 'p/b.mp3', 10)`;
    });
  } finally {
    await w.end();
  }
}

async function counts(sql: Sql, batchId: string) {
  const [b] = await sql`select status, total, cancelled,
      (select count(*)::int from public.audio_segments where batch_id = ${batchId}
        and status in ('queued', 'generating')) as unfinished,
      (select count(*)::int from pgmq.q_audio_segments as q
        join public.audio_segments as s on s.msg_id = q.msg_id where s.batch_id = ${batchId}) as messages
    from public.audio_batches where id = ${batchId}`;
  return b;
}

Deno.test("a cancel larger than a step answers at once; the steps finish it without stalling another batch", async () => {
  await withTestDatabase(async (url) => {
    const sql = postgres(url, { max: 2, onnotice: () => {} });
    try {
      const [{ step }] = await sql`select audio.cancel_step_size() as step`;
      const big = await createBatch(sql, { wordIds: await addWords(sql, BIG_WORDS, "big") }, {
        kinds: ["word", "definition", "sentence"],
      });
      const small = await createBatch(sql, { wordIds: await addWords(sql, 4, "small") });
      assert.equal(big.queued, BIG_WORDS * 3);
      assert.ok(big.queued > step, "the big batch takes more than one step");

      // The cancel, its transaction held open while the other batch's worker runs.
      const reserved = await sql.reserve();
      try {
        await reserved`begin`;
        const [c] = await reserved`select audio.cancel_batch(${big.batch_id}) as status`;
        assert.equal(c.status, "cancelling");
        await otherBatchWorker(url, small.batch_id);
        await reserved`commit`;
      } finally {
        reserved.release();
      }
      const after = await counts(sql, big.batch_id);
      assert.equal(after.status, "cancelling");
      assert.equal(after.cancelled, step, "the call cancelled one step");
      assert.equal(after.unfinished, big.queued - step);
      assert.equal(after.messages, after.unfinished, "only the unfinished segments keep messages");
      // The page counts none of the cancelling batch's segments as pending, though most are
      // still queued rows: only the other batch's two left.
      const [summary] = await sql`select pending from audio.grade_summary(
        ${TEST_AUDIO.voiceId}, ${TEST_AUDIO.modelId}, ${TEST_AUDIO.format}) where grade = ${GRADE}`;
      assert.equal(summary.pending, 3, "the other batch's queued segments only");

      // A background step, its transaction held open, does not stall the other batch either.
      const stepper = await sql.reserve();
      try {
        await stepper`begin`;
        const [s] = await stepper`select audio.finish_cancels_step() as n`;
        assert.equal(s.n, big.queued - step);
        await otherBatchWorker(url, small.batch_id);
        await stepper`rollback`;
      } finally {
        stepper.release();
      }

      await sql.unsafe("call audio.finish_cancels()");
      const done = await counts(sql, big.batch_id);
      assert.deepEqual(
        { ...done },
        {
          status: "cancelled",
          total: big.queued,
          cancelled: big.queued,
          unfinished: 0,
          messages: 0,
        },
      );
      assert.deepEqual([...await sql`select * from audio.batch_counter_drift()`], []);
      const [small2] = await sql`select status, done from public.audio_batches
        where id = ${small.batch_id}`;
      assert.equal(small2.done, 2, "the other batch's two completions stand");
    } finally {
      await sql.end();
    }
  });
});
