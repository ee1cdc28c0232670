// What a worker holds, on the real database with the Cartesia stand-in: waiting for identical text
// in flight never uses up the delivery limit; a message stays claimed while its worker holds it,
// however long the provider keeps the worker waiting; and when the limit does end a segment, its
// last_error keeps the real cause.
import assert from "node:assert/strict";
import { newHolder, startWorker } from "../../supabase/functions/_shared/worker/run.ts";
import { createBatch, waitForBatch } from "../helpers/batches.ts";
import { startTestStack, type TestStack } from "../helpers/stack.ts";

const GRADE = 96; // words of this file's own, apart from the sample vocabulary

async function addWords(stack: TestStack, rows: [string, string][]): Promise<string[]> {
  const ids = await stack.sql`
    insert into public.words (word, definition, example_sentence, grade)
    select w, d, '', ${GRADE}::smallint from unnest(${rows.map((r) => r[0])}::text[], ${
    rows.map((r) => r[1])
  }::text[]) as t (w, d)
    returning id`;
  return ids.map((r) => String(r.id));
}

async function noDrift(stack: TestStack): Promise<void> {
  assert.deepEqual([...await stack.sql`select * from audio.batch_counter_drift()`], []);
}

Deno.test("two words with the same text at 15 s provider latency: both done, one provider call", async () => {
  // A delivery limit of 2 against a wait of 2 s (begin_attempt's) behind a 15 s request: the
  // second segment waits about seven times, many more than the limit.
  const stack = await startTestStack({
    settings: {
      AUDIO_MAX_READS: "2",
      AUDIO_PROVIDER_TIMEOUT_MS: "30000",
      AUDIO_VISIBILITY_TIMEOUT_S: "40",
      AUDIO_WORKER_BUDGET_S: "60",
    },
    standin: { latencyMeanMs: 15_000, latencySpread: 0 },
  });
  try {
    const shared = "Light made by a flame in a glass case.";
    const ids = await addWords(stack, [["lantern", shared], ["lamp", shared]]);
    const batch = await createBatch(stack.sql, { wordIds: ids }, { kinds: ["definition"] });
    await stack.worker({ idleExitMs: 10_000 });
    await waitForBatch(stack.sql, batch.batch_id, ["completed", "completed_with_errors"]);
    const rows = await stack.sql`
      select status, reused, last_error from public.audio_segments
      where batch_id = ${batch.batch_id} order by reused`;
    assert.deepEqual(rows.map((r) => ({ ...r })), [
      { status: "done", reused: false, last_error: null },
      { status: "done", reused: true, last_error: null },
    ]);
    assert.equal(stack.sent.filter((s) => s.transcript === shared).length, 1);
    const [{ reads }] = await stack.sql`
      select coalesce(sum(reads), 0)::int as reads from audio.excused_reads`;
    assert.ok(reads > 2, `more waits (${reads}) than the delivery limit (2)`);
    await noDrift(stack);
  } finally {
    await stack.close();
  }
});

Deno.test("a slow provider keeps claimed segments waiting past the visibility timeout: each claimed once, sent once", async () => {
  // One request at a time across two workers, 4 s each: the last of four segments waits about
  // 12 s for the permit, longer than the 10 s visibility timeout its claim started. (The settings
  // keep a single request shorter than the visibility timeout; what outlasts it is the time a
  // claimed segment spends behind slow requests.)
  const stack = await startTestStack({
    settings: {
      AUDIO_GENERATION_CONCURRENCY: "1",
      AUDIO_PROVIDER_TIMEOUT_MS: "5000",
      AUDIO_VISIBILITY_TIMEOUT_S: "10",
    },
    standin: { latencyMeanMs: 4_000, latencySpread: 0 },
  });
  try {
    const ids = await addWords(stack, [
      ["anchor", ""],
      ["beacon", ""],
      ["compass", ""],
      ["dinghy", ""],
    ]);
    const batch = await createBatch(stack.sql, { wordIds: ids });
    const config = { prefetch: 1, idleExitMs: 15_000 };
    const reports = await Promise.all([stack.worker(config), stack.worker(config)]);
    await waitForBatch(stack.sql, batch.batch_id);
    assert.equal(
      reports.reduce((n, r) => n + r.claimed, 0),
      4,
      "no message reappeared while a worker held it",
    );
    assert.equal(stack.sent.length, 4, "one provider call per segment");
    assert.equal(new Set(stack.sent.map((s) => s.transcript)).size, 4);
    await noDrift(stack);
  } finally {
    await stack.close();
  }
});

Deno.test("the delivery limit ends a segment: last_error says so and keeps the Storage error", async () => {
  const stack = await startTestStack({
    settings: { AUDIO_MAX_READS: "2" },
    standin: { latencyMeanMs: 5 },
  });
  try {
    const [id] = await addWords(stack, [["lighthouse", ""]]);
    const batch = await createBatch(stack.sql, { wordIds: [id] });
    // Storage never answers in time (what the upload's timeout turns a stalled Storage into).
    const stalled = {
      ...stack.app,
      upload: () => Promise.reject(new Error("Storage did not answer within 30000 ms")),
    };
    const report = await startWorker(stalled, {
      holder: newHolder("stalled-storage"),
      config: { idleExitMs: 30_000 },
    });
    const [b] = await stack.sql`
      select status, failed from public.audio_batches where id = ${batch.batch_id}`;
    assert.deepEqual({ ...b }, { status: "completed_with_errors", failed: 1 });
    const [seg] = await stack.sql`
      select status, last_error from public.audio_segments where batch_id = ${batch.batch_id}`;
    assert.deepEqual({ ...seg }, {
      status: "failed",
      last_error: "delivered 3 times without finishing (limit 2); " +
        "last error: Storage did not answer within 30000 ms",
    });
    assert.equal(report.errors, 2, "two deliveries ended in the error, the third found the limit");
    await noDrift(stack);
  } finally {
    await stack.close();
  }
});
