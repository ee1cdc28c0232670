// The long-lived worker survives a Postgres restart (fast and immediate shutdown, down for two
// seconds), idle and mid-batch: it keeps going, the batch completes, and the counters equal the rows. How long after
// Postgres accepted connections again the first provider request went out is printed, not
// asserted (timings belong to the benchmark).
import assert from "node:assert/strict";
import { abortableSleep } from "../../supabase/functions/_shared/abort.ts";
import { runLongLived } from "../../supabase/functions/_shared/worker/long_lived.ts";
import { newHolder, startWorker } from "../../supabase/functions/_shared/worker/run.ts";
import { createBatch, waitForBatch } from "../helpers/batches.ts";
import { restartCluster } from "../helpers/cluster.ts";
import { startTestStack, type TestStack, waitFor } from "../helpers/stack.ts";

// The sample vocabulary's grade the batches take (its words' word kind: a few dozen segments).
const GRADE = 4;

function startLoop(stack: TestStack) {
  const stop = new AbortController();
  const warnings: string[] = [];
  const state = { died: null as unknown, pauses: 0 };
  const holder = newHolder("restart");
  const loop = runLongLived({
    run: (config, onEvent) => startWorker(stack.app, { holder, config, onEvent }),
    listen: (channel, onNotify) => stack.app.sql.listen(channel, onNotify),
    sleep: (ms, signal) => (state.pauses++, abortableSleep(ms, signal)),
    log: () => {},
    warn: (text) => warnings.push(text),
  }, { holder, once: false, quiet: true, budgetS: 60, concurrency: 3, stop: stop.signal });
  loop.catch((err) => (state.died = err));
  const alive = () => {
    if (state.died) throw new Error(`the worker loop died: ${state.died}`);
    return true;
  };
  return { stop, loop, alive, state, warnings };
}

// Down this long: long enough that the worker's claims, permit polls, attempt ends, heartbeats
// and cancel checks are all refused meanwhile.
const DOWN_MS = 2000;

// Restarts Postgres; returns when it accepts connections again (the time resumption counts from).
async function restart(mode: "fast" | "immediate"): Promise<number> {
  await restartCluster(mode, DOWN_MS);
  return Date.now();
}

function resumedAfter(stack: TestStack, acceptedAt: number): string {
  const next = stack.sent.find((s) => s.at >= acceptedAt);
  return next ? `${next.at - acceptedAt} ms` : "no request after the restart";
}

async function assertCompleted(stack: TestStack, batchId: string): Promise<void> {
  const b = await waitForBatch(stack.sql, batchId, ["completed", "completed_with_errors"], 120_000);
  assert.equal(b.status, "completed", JSON.stringify(b));
  const [{ undone }] = await stack.sql`
    select count(*) filter (where status <> 'done')::int as undone
    from public.audio_segments where batch_id = ${batchId}`;
  assert.equal(undone, 0);
  assert.deepEqual([...await stack.sql`select * from audio.batch_counter_drift()`], []);
}

for (const mode of ["fast", "immediate"] as const) {
  Deno.test(`Postgres restarted (${mode}) while the long-lived worker idles: it goes on and completes the next batch`, async () => {
    const stack = await startTestStack({ standin: { latencyMeanMs: 50 } });
    const w = startLoop(stack);
    try {
      await waitFor("the worker's first idle pause", () => w.alive() && w.state.pauses > 0);
      const acceptedAt = await restart(mode);
      const batch = await createBatch(stack.sql, { grade: GRADE });
      await waitFor(
        "a provider request after the restart",
        () => w.alive() && stack.sent.some((s) => s.at >= acceptedAt),
        60_000,
      );
      console.log(
        `${mode} restart while idle: requests resumed ${
          resumedAfter(stack, acceptedAt)
        } after Postgres accepted connections`,
      );
      await assertCompleted(stack, batch.batch_id);
      w.alive();
    } finally {
      w.stop.abort();
      await w.loop.catch(() => {});
      await stack.close();
    }
  });

  Deno.test(`Postgres restarted (${mode}) mid-batch: the long-lived worker goes on and the batch completes`, async () => {
    const stack = await startTestStack({ standin: { latencyMeanMs: 200, latencySpread: 0.2 } });
    const w = startLoop(stack);
    try {
      const batch = await createBatch(stack.sql, { grade: GRADE });
      await waitFor("a few segments done", async () => {
        w.alive();
        const [{ done }] = await stack.sql`
          select done from public.audio_batches where id = ${batch.batch_id}`;
        return done >= 3;
      });
      const acceptedAt = await restart(mode);
      await assertCompleted(stack, batch.batch_id);
      console.log(
        `${mode} restart mid-batch (${batch.queued} segments): requests resumed ${
          resumedAfter(stack, acceptedAt)
        } after Postgres accepted connections; ${stack.sent.length} provider calls`,
      );
      w.alive();
    } finally {
      w.stop.abort();
      await w.loop.catch(() => {});
      await stack.close();
    }
  });
}
