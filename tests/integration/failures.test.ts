// Failure semantics: injected 429s and 5xx are retried within the limit; segments that run out of
// retries fail with the error and their message lands in the pgmq archive; other 4xx fail at once
// with the provider's message; the rest of the batch finishes.
import assert from "node:assert/strict";
import { createApp } from "../../supabase/functions/_shared/app.ts";
import { startWorker } from "../../supabase/functions/_shared/worker/run.ts";
import { adminHeaders, assertBackgroundClean, startTestStack } from "../helpers/stack.ts";
import { createBatch, waitForBatch } from "../helpers/batches.ts";

const MAX_RETRIES = 3;
// The stand-in's faults are drawn per text from this seed, the same on every run: with it, some
// of grade 3's segments exhaust their retries (unseeded, about one run in twelve had none, and the
// failure checks below compared two empty sets).
const FAULT_SEED = 3;

Deno.test("30 % 429s and 10 % 5xx: the batch completes, attempts stay within the limit, failures are archived", async () => {
  const stack = await startTestStack({
    settings: { AUDIO_MAX_RETRIES: String(MAX_RETRIES) },
    standin: { latencyMeanMs: 5, rate429: 0.3, rate5xx: 0.1, seed: FAULT_SEED },
  });
  try {
    const res = await stack.call("start-batch", { grade: 3 }, adminHeaders(stack));
    assert.equal(res.status, 201);
    const batchId = String(res.body.batchId);
    await stack.worker();
    const b = await waitForBatch(stack.sql, batchId, ["completed", "completed_with_errors"]) as {
      done: number;
      failed: number;
      total: number;
    };
    await assertBackgroundClean(stack);

    assert.equal(b.done + b.failed, b.total, "every segment ended done or failed");
    assert.ok(b.failed > 0, "the seeded faults exhaust some segments' retries");
    const [{ max_attempts }] = await stack
      .sql`select max(attempts)::int as max_attempts from public.audio_segments where batch_id = ${batchId}`;
    assert.ok(max_attempts <= MAX_RETRIES + 1, `attempts ${max_attempts} > ${MAX_RETRIES + 1}`);
    const [{ retried }] = await stack
      .sql`select count(*)::int as retried from public.audio_segments where batch_id = ${batchId} and attempts > 1`;
    assert.ok(retried > 0, "with 40 % faults some segments needed retries");
    assert.ok(stack.cartesia.stats().rateLimited > 0);

    const failed = await stack
      .sql`select id, msg_id, last_error, attempts from public.audio_segments where batch_id = ${batchId} and status = 'failed'`;
    assert.equal(failed.length, b.failed);
    for (const f of failed) {
      assert.equal(f.attempts, MAX_RETRIES + 1, "a segment fails only after its last retry");
      assert.match(f.last_error, /429|5\d\d|rate|server/i);
    }
    const archived = await stack
      .sql`select (message->>'segment_id')::bigint as id from pgmq.a_audio_segments`;
    assert.deepEqual(
      new Set(archived.map((r) => Number(r.id))),
      new Set(failed.map((f) => Number(f.id))),
      "failed = archived",
    );
    const [{ left }] = await stack.sql`select count(*)::int as left from pgmq.q_audio_segments`;
    assert.equal(left, 0, "no message left in the queue");
  } finally {
    await stack.close();
  }
});

Deno.test("a 4xx other than 429 fails the segment at once with the provider's message", async () => {
  const stack = await startTestStack({ standin: { latencyMeanMs: 5 } });
  try {
    const words = await stack.sql`select id from public.words order by word limit 3`;
    const batch = await createBatch(stack.sql, { wordIds: words.map((w) => w.id) });
    // The same pipeline sending an API version the provider does not offer: 400, not worth a
    // retry. (A wrong key is an account error instead: it stops the line and fails nothing, see
    // provider_circuit.test.ts.)
    const oldVersion = createApp(
      { ...stack.app.settings, CARTESIA_VERSION: "2023-01-01" },
      stack.app.platform,
      stack.sql,
    );
    const report = await startWorker(oldVersion, {
      holder: "old-version",
      config: { idleExitMs: 200 },
    });
    assert.equal(report.failed, 3);
    const segs = await stack
      .sql`select id, status, attempts, last_error from public.audio_segments where batch_id = ${batch.batch_id}`;
    for (const seg of segs) {
      assert.equal(seg.status, "failed");
      assert.equal(seg.attempts, 1, "no retry of a 4xx");
      assert.match(
        seg.last_error,
        /Cartesia answered 400: Invalid version: Cartesia-Version "2023-01-01" is not a supported/,
        "the provider's own message is kept",
      );
    }
    const [{ archived }] = await stack
      .sql`select count(*)::int as archived from pgmq.a_audio_segments`;
    assert.equal(archived, 3);
    const [b] = await stack
      .sql`select status, failed from public.audio_batches where id = ${batch.batch_id}`;
    assert.deepEqual({ ...b }, { status: "completed_with_errors", failed: 3 });
  } finally {
    await stack.close();
  }
});

Deno.test("a format the provider does not offer fails its segments without a request; other batches finish", async () => {
  const stack = await startTestStack({ standin: { latencyMeanMs: 5 } });
  try {
    const words = await stack.sql`select id from public.words order by word limit 3`;
    const ids = { wordIds: words.map((w) => w.id) };
    const bad = await createBatch(stack.sql, ids, { format: "wav-pcm_s16le-12345" });
    const good = await createBatch(stack.sql, ids, { kinds: ["definition"] });
    await stack.worker();
    const segs = await stack
      .sql`select batch_id, status, attempts, last_error from public.audio_segments order by id`;
    const badSegs = segs.filter((s) => s.batch_id === bad.batch_id);
    assert.ok(
      badSegs.every((s) => s.status === "failed" && s.attempts === 0),
      JSON.stringify(badSegs),
    );
    assert.match(badSegs[0].last_error, /sampleRate/);
    assert.ok(segs.filter((s) => s.batch_id === good.batch_id).every((s) => s.status === "done"));
    assert.equal(
      stack.cartesia.stats().totalRequests,
      3,
      "only the good batch reached the provider",
    );
  } finally {
    await stack.close();
  }
});
