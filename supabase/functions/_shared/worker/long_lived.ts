// The long-lived worker's loop: the same runs, permits and settings as process-segments, without
// an Edge Function's wall clock. Run after run until `stop` aborts (or, with `once`, until the
// queue is empty). After a run that found the queue empty it pauses LONG_LIVED_IDLE_PAUSE_MS, cut
// short by a NOTIFY on audio_queue_work (new or retried work) where LISTEN works. Where it does
// not (a transaction-mode pooler), the failed LISTEN is logged and those pauses are its polling.
// main.ts is the program around it.
import type { SleepFn } from "../abort.ts";
import { LONG_LIVED_IDLE_PAUSE_MS, LONG_LIVED_RUN_MS, WORK_CHANNEL } from "../config.ts";
import { errorText, type OnEvent } from "./events.ts";
import { eventLogger } from "./event_log.ts";
import type { WorkerConfig, WorkerReport } from "./pool.ts";

// The run report's counters the loop sums over its runs.
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

type LongLivedTotals = { runs: number } & Record<(typeof COUNTED)[number], number>;

export interface LongLivedDeps {
  // One worker run (startWorker with this worker's holder).
  run: (config: Partial<WorkerConfig>, onEvent?: OnEvent) => Promise<WorkerReport>;
  // Subscribe to a NOTIFY channel (postgres.js sql.listen); may reject.
  listen: (channel: string, onNotify: () => void) => Promise<unknown>;
  sleep: SleepFn;
  // One JSON line for the log (stdout), and a warning (stderr).
  log: (line: Record<string, unknown>) => void;
  warn: (text: string) => void;
}

interface LongLivedOptions {
  holder: string;
  // Stop once the queue is empty (one run, with the Edge Function's budget).
  once: boolean;
  // Print run reports and per-segment events only when not quiet (retries, failures and
  // unexpected errors are printed either way).
  quiet: boolean;
  budgetS: number;
  // For the start line only.
  concurrency: number;
  stop: AbortSignal;
}

export async function runLongLived(
  deps: LongLivedDeps,
  opts: LongLivedOptions,
): Promise<LongLivedTotals> {
  let wake = new AbortController();
  await deps.listen(WORK_CHANNEL, () => wake.abort()).catch((err) =>
    deps.warn(`LISTEN unavailable, polling every ${LONG_LIVED_IDLE_PAUSE_MS} ms: ${errorText(err)}`)
  );
  // Only now: a batch queued after this line wakes the worker (the benchmark waits for it).
  deps.log({ message: "worker started", holder: opts.holder, concurrency: opts.concurrency });
  const totals = { runs: 0, ...Object.fromEntries(COUNTED.map((k) => [k, 0])) } as LongLivedTotals;
  // Retries, failures and unexpected errors always; every other event unless quiet.
  const onEvent = eventLogger(deps.log, opts.quiet);
  while (!opts.stop.aborted) {
    let report: WorkerReport;
    try {
      report = await deps.run({
        // Between runs the worker is still up (it heartbeats on each claim); it leaves at exit.
        leave: opts.once,
        budgetMs: opts.once ? opts.budgetS * 1000 : LONG_LIVED_RUN_MS,
        idleExitMs: opts.once ? 0 : LONG_LIVED_RUN_MS,
        stopSignal: opts.stop,
      }, onEvent);
    } catch (err) {
      // A run never throws by design; should one, the process outlives it: say so, pause, go on.
      deps.warn(`worker run failed, starting another: ${errorText(err)}`);
      await deps.sleep(LONG_LIVED_IDLE_PAUSE_MS, opts.stop).catch(() => {});
      continue;
    }
    totals.runs++;
    for (const k of COUNTED) totals[k] += report[k];
    if (!opts.quiet || opts.once) {
      deps.log({ message: "worker run finished", holder: opts.holder, ...report });
    }
    if (opts.once) break;
    // The queue was empty: look again shortly, or at once when a batch is queued.
    if (report.stoppedBy === "empty" && !wake.signal.aborted) {
      const either = AbortSignal.any([opts.stop, wake.signal]);
      await deps.sleep(LONG_LIVED_IDLE_PAUSE_MS, either).catch(() => {});
    }
    if (wake.signal.aborted) wake = new AbortController();
  }
  return totals;
}
