// How work reaches a worker without anyone waiting for it: pg_cron's watchdog (audio.kick_worker
// → pg_net → the dispatcher → process-segments) and process-segments handing over to a fresh
// invocation of itself when its time budget is spent.
import assert from "node:assert/strict";
import { startNetDispatcher } from "../../local/pg_net/dispatcher.ts";
import {
  adminHeaders,
  assertBackgroundClean,
  startTestStack,
  TEST_KEY,
  waitFor,
} from "../helpers/stack.ts";
import { createBatch, waitForBatch } from "../helpers/batches.ts";

Deno.test("the watchdog's kick reaches process-segments through pg_net and the batch completes", async () => {
  const stack = await startTestStack({ standin: { latencyMeanMs: 5 } });
  const dispatcher = await startNetDispatcher({
    dbUrl: stack.app.settings.SUPABASE_DB_URL,
    pollIntervalMs: 100,
  });
  try {
    await stack.sql`select audio.set_setting('project_url', ${stack.url}),
      audio.set_setting('worker_secret', ${stack.app.settings.AUDIO_WORKER_SECRET})`;
    // A batch queued in SQL (no start-batch, so no kick): only the watchdog can start it.
    const batch = await createBatch(stack.sql, { grade: 4 });
    const [{ request_id }] = await stack.sql`select audio.kick_worker('cron') as request_id`;
    assert.ok(request_id !== null, "visible messages: the watchdog posts a kick");

    await waitForBatch(stack.sql, batch.batch_id);
    const status = await waitFor("the kick's response row", async () => {
      const rows = await stack
        .sql`select status_code from net._http_response where id = ${request_id}`;
      return rows.length ? Number(rows[0].status_code) : null;
    });
    assert.equal(status, 202, "process-segments accepted the worker secret");
    await assertBackgroundClean(stack);
    // Idle queue: the next tick posts nothing.
    const [{ again }] = await stack.sql`select audio.kick_worker('cron') as again`;
    assert.equal(again, null);
  } finally {
    await dispatcher.stop();
    await stack.sql`delete from audio.config where key in ('project_url', 'worker_secret')`;
    await stack.close();
  }
});

Deno.test("process-segments hands over to a fresh invocation when its time budget is spent", async () => {
  // A 5 s budget and ~12 s of work at C = 3: at least one hand-over is needed.
  // A plan of 10 against C = 3: the stand-in counts what the chained invocations really sent.
  const stack = await startTestStack({
    settings: { AUDIO_WORKER_BUDGET_S: "5" },
    planLimit: 10,
    standin: { latencyMeanMs: 100, latencySpread: 0.1 },
  });
  try {
    const words = await stack.sql`select id from public.words order by word limit 120`;
    const res = await stack.call("start-batch", {
      wordIds: words.map((w) => w.id),
      kinds: ["word", "definition", "sentence"],
    }, adminHeaders(stack));
    assert.equal(res.status, 201);
    await waitForBatch(stack.sql, String(res.body.batchId), ["completed"], 90_000);
    await assertBackgroundClean(stack);
    const runs = stack.logs.filter((l) => l.message === "worker run finished");
    assert.ok(runs.length >= 2, `expected a hand-over, saw ${runs.length} run(s)`);
    assert.ok(runs.some((r) => r.fields?.stoppedBy === "budget" && r.fields?.workLeft === true));
    assert.equal(
      stack.cartesia.stats().maxAtOnceByKey[TEST_KEY],
      3,
      "the invocations before and after the hand-over never sent more than C = 3 at once",
    );
  } finally {
    await stack.close();
  }
});

Deno.test("start-batch leaves a live worker alone and kicks when none is running", async () => {
  const stack = await startTestStack({ standin: { latencyMeanMs: 5 } });
  try {
    await stack.sql`select audio.worker_heartbeat('busy-worker')`;
    const first = await stack.call(
      "start-batch",
      { grade: 1, kinds: ["word"] },
      adminHeaders(stack),
    );
    assert.equal(first.status, 201);
    assert.equal(
      first.body.kicked,
      false,
      "a worker heartbeated just now: it claims the batch itself",
    );
    assert.equal(stack.background.length, 0, "no process-segments invocation was started");

    await stack.sql`select audio.worker_stopped('busy-worker')`;
    const second = await stack.call(
      "start-batch",
      { grade: 1, kinds: ["definition"] },
      adminHeaders(stack),
    );
    assert.equal(second.body.kicked, true);
    await waitFor("both batches done", async () => {
      const rows = await stack.sql`select status from public.audio_batches`;
      return rows.length === 2 && rows.every((r) => r.status === "completed");
    });
    await assertBackgroundClean(stack);
    const [{ workers }] = await stack.sql`select count(*)::int as workers from audio.workers`;
    assert.equal(workers, 0, "the run removed its heartbeat when it ended");
  } finally {
    await stack.close();
  }
});

Deno.test("a run that sees messages once it has left hands over; an empty queue does not", async () => {
  const stack = await startTestStack({ standin: { latencyMeanMs: 5 } });
  try {
    await createBatch(stack.sql, { grade: 4 });
    const hide = () =>
      stack.sql`update pgmq.q_audio_segments set vt = clock_timestamp() + interval '1 hour'`;
    await hide();

    // Only invisible messages: the run leaves at once and nothing is visible after it left.
    const quiet = await stack.worker({ idleExitMs: 0 });
    assert.equal(quiet.stoppedBy, "idle");
    assert.equal(quiet.handOver, false);

    // The batch becomes visible the moment the worker removes its heartbeat: the race where
    // start-batch saw the worker alive, did not kick, and the worker was already on its way out.
    await stack
      .sql`create or replace function public.test_reveal_queue() returns trigger language plpgsql as $$
      begin update pgmq.q_audio_segments set vt = clock_timestamp() - interval '1 second'; return null; end $$`;
    await stack.sql`create trigger reveal_on_leave after delete on audio.workers
      for each statement execute function public.test_reveal_queue()`;
    try {
      const raced = await stack.worker({ idleExitMs: 0 });
      assert.equal(raced.stoppedBy, "idle");
      assert.equal(raced.done, 0, "the run left before the messages were visible");
      assert.equal(raced.handOver, true, "visible messages after leaving: start another run");
    } finally {
      await stack.sql`drop trigger reveal_on_leave on audio.workers`;
      await stack.sql`drop function public.test_reveal_queue()`;
    }
    const [{ workers }] = await stack.sql`select count(*)::int as workers from audio.workers`;
    assert.equal(workers, 0, "each run removed its heartbeat");
  } finally {
    await stack.close();
  }
});
