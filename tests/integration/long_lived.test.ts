// The long-lived worker's loop on the real database: where LISTEN is refused (a transaction-mode
// pooler) it says so and keeps going by polling, so a batch queued later is still processed; where
// LISTEN works, audio.create_batch's NOTIFY wakes it from its idle pause.
import assert from "node:assert/strict";
import {
  abortableSleep,
  abortError,
  type SleepFn,
} from "../../supabase/functions/_shared/abort.ts";
import { LONG_LIVED_IDLE_PAUSE_MS } from "../../supabase/functions/_shared/config.ts";
import {
  type LongLivedDeps,
  runLongLived,
} from "../../supabase/functions/_shared/worker/long_lived.ts";
import { newHolder, startWorker } from "../../supabase/functions/_shared/worker/run.ts";
import { createBatch } from "../helpers/batches.ts";
import { startTestStack, type TestStack, waitFor } from "../helpers/stack.ts";

// Starts the loop; `died` holds its error as soon as it throws, so waits fail at once.
function startLoop(
  stack: TestStack,
  listen: LongLivedDeps["listen"],
  sleep: SleepFn,
) {
  const stop = new AbortController();
  const lines: Record<string, unknown>[] = [];
  const warnings: string[] = [];
  const state = { died: null as unknown };
  // The idle pauses asked for (the loop sleeps for nothing else).
  const pauses: number[] = [];
  const holder = newHolder("long-lived");
  const loop = runLongLived({
    run: (config, onEvent) => startWorker(stack.app, { holder, config, onEvent }),
    listen,
    sleep: (ms, signal) => (pauses.push(ms), sleep(ms, signal)),
    log: (line) => lines.push(line),
    warn: (text) => warnings.push(text),
  }, { holder, once: false, quiet: true, budgetS: 140, concurrency: 3, stop: stop.signal });
  loop.catch((err) => (state.died = err));
  const alive = () => {
    if (state.died) throw new Error(`the worker loop died: ${state.died}`);
  };
  return { stop, lines, warnings, pauses, loop, alive };
}

async function queueBatchWhenIdle(stack: TestStack, w: ReturnType<typeof startLoop>) {
  // Its first run finds nothing: the batch arrives while it is idle, after its first pause began.
  await waitFor("the worker's first idle pause", () => (w.alive(), w.pauses.length > 0));
  const batch = await createBatch(stack.sql, { grade: 4 });
  await waitFor("the batch to complete", async () => {
    w.alive();
    const [b] = await stack
      .sql`select status from public.audio_batches where id = ${batch.batch_id}`;
    return b.status === "completed";
  });
  w.stop.abort();
  return { batch, totals: await w.loop };
}

Deno.test("LISTEN refused: the worker says it polls, keeps going, and a batch queued later completes", async () => {
  const stack = await startTestStack({ standin: { latencyMeanMs: 5 } });
  try {
    const refused = () =>
      Promise.reject(new Error("LISTEN is not supported in transaction pooling mode"));
    const w = startLoop(stack, refused, abortableSleep);
    const { batch, totals } = await queueBatchWhenIdle(stack, w);
    assert.equal(totals.done, batch.queued);
    assert.ok(totals.runs >= 2, "an empty run first, then the one that found the batch");
    assert.ok(w.pauses.length >= 1 && w.pauses.every((ms) => ms === LONG_LIVED_IDLE_PAUSE_MS));
    assert.deepEqual(w.warnings, [
      `LISTEN unavailable, polling every ${LONG_LIVED_IDLE_PAUSE_MS} ms: ` +
      "LISTEN is not supported in transaction pooling mode",
    ]);
  } finally {
    await stack.close();
  }
});

Deno.test("LISTEN works: a queued batch's NOTIFY ends the idle pause", async () => {
  const stack = await startTestStack({ standin: { latencyMeanMs: 5 } });
  try {
    // An idle pause that never ends by itself: only the NOTIFY (or the stop) ends it.
    const endless: SleepFn = (_ms, signal) =>
      new Promise((_, reject) =>
        signal?.addEventListener("abort", () => reject(abortError(signal)), { once: true })
      );
    let listening: { unlisten: () => Promise<void> } | null = null;
    const w = startLoop(stack, async (channel, onNotify) => {
      listening = await stack.sql.listen(channel, onNotify);
    }, endless);
    const { batch, totals } = await queueBatchWhenIdle(stack, w);
    assert.equal(totals.done, batch.queued);
    assert.deepEqual(w.warnings, []);
    assert.ok(w.pauses.every((ms) => ms === LONG_LIVED_IDLE_PAUSE_MS));
    assert.equal(w.lines[0].message, "worker started");
    await listening!.unlisten();
  } finally {
    await stack.close();
  }
});
