// The long-lived worker: the same pool, permits and settings as process-segments, without an
// Edge Function's wall clock. Runs until SIGTERM/SIGINT (then hands back what it claimed and
// stops), or with --once until the queue is empty. Settings from the environment (.env.example).
import { createApp } from "../supabase/functions/_shared/app.ts";
import { edgePlatform } from "../supabase/functions/_shared/platform.ts";
import { loadSettings, SettingsError } from "../supabase/functions/_shared/settings.ts";
import { abortableSleep as sleep } from "../supabase/functions/_shared/abort.ts";
import { newHolder, startWorker } from "../supabase/functions/_shared/worker/run.ts";

const once = Deno.args.includes("--once");
const quiet = Deno.args.includes("--quiet");
let settings;
try {
  settings = loadSettings(Deno.env.toObject());
} catch (err) {
  console.error(err instanceof SettingsError ? err.message : String(err));
  Deno.exit(2);
}
const app = createApp(settings, edgePlatform());
const stop = new AbortController();
for (const sig of ["SIGTERM", "SIGINT"] as const) Deno.addSignalListener(sig, () => stop.abort());

// Wake at once when a batch is queued (audio.create_batch notifies); polling stays the fallback
// where LISTEN is unavailable (e.g. through a transaction-mode pooler).
let wake = new AbortController();
await app.sql.listen("audio_queue_work", () => wake.abort()).catch((err) =>
  console.error(
    `LISTEN unavailable, polling every ${IDLE_PAUSE_MS} ms: ${
      err instanceof Error ? err.message : err
    }`,
  )
);
// The run report's counters, summed over runs.
const COUNTED = [
  "done",
  "failed",
  "reused",
  "cancelled",
  "attempts",
  "rateLimited",
  "errors",
  "roundTrips",
] as const;
const totals = {
  runs: 0,
  ...Object.fromEntries(COUNTED.map((k) => [k, 0])) as Record<(typeof COUNTED)[number], number>,
};

const holder = newHolder("worker");
console.log(
  JSON.stringify({
    message: "worker started",
    holder,
    concurrency: settings.AUDIO_GENERATION_CONCURRENCY,
  }),
);
// A long-lived worker has no wall clock: one run lasts a day at most, then the loop starts another.
const DAY_MS = 24 * 3600 * 1000;
// Pause between runs when the queue is empty: new work waits at most this long for a worker
// that is already up (start-batch also kicks process-segments at once).
const IDLE_PAUSE_MS = 500;
while (!stop.signal.aborted) {
  const report = await startWorker(app, {
    holder,
    config: {
      // Between runs the worker is still up (it heartbeats on each claim); it leaves at exit.
      leave: once,
      budgetMs: once ? settings.AUDIO_WORKER_BUDGET_S * 1000 : DAY_MS,
      idleExitMs: once ? 0 : DAY_MS,
      stopSignal: stop.signal,
    },
    onEvent: quiet ? undefined : (e) => console.log(JSON.stringify(e)),
  });
  totals.runs++;
  for (const k of COUNTED) totals[k] += report[k];
  if (!quiet || once) {
    console.log(JSON.stringify({ message: "worker run finished", holder, ...report }));
  }
  if (once) break;
  // The queue was empty: look again shortly, or at once when a batch is queued.
  if (report.stoppedBy === "empty" && !wake.signal.aborted) {
    await sleep(IDLE_PAUSE_MS, AbortSignal.any([stop.signal, wake.signal])).catch(() => {});
  }
  if (wake.signal.aborted) wake = new AbortController();
}
await app.sql`select audio.worker_stopped(${holder})`.catch(() => {});
await app.close();
console.log(
  JSON.stringify({ message: "worker stopped", holder, ...totals, peakRssBytes: peakRssBytes() }),
);

// peakRssBytes: the process's high-water resident memory (Linux VmHWM), or current RSS elsewhere.
function peakRssBytes(): number {
  try {
    const m = /^VmHWM:\s+(\d+) kB/m.exec(Deno.readTextFileSync("/proc/self/status"));
    if (m) return Number(m[1]) * 1024;
  } catch {
    // not Linux
  }
  return Deno.memoryUsage().rss;
}
