// One worker run from settings: the glue between the App (database, provider, Storage) and the
// pool. process-segments and scripts/worker both start workers through here, so both honour the
// same permits, budget and timeouts.
import type { App } from "../app.ts";
import { sleep } from "../platform.ts";
import { runWorker, type WorkerConfig, type WorkerEvent, type WorkerReport } from "./pool.ts";
import { SegmentQueue } from "./queue.ts";

// Poll period while every permit is taken. A worker that frees a permit takes it again for its
// next segment a few ms later (it claims ahead), so other workers need not poll fast: 50 ms
// costs little throughput and keeps the database load to a few queries per segment.
const PERMIT_POLL_MS = 50;
// Poll period while the queue holds only invisible messages.
const IDLE_POLL_MS = 250;

export function workerConfig(app: App, overrides: Partial<WorkerConfig> = {}): WorkerConfig {
  const s = app.settings;
  return {
    concurrency: s.AUDIO_GENERATION_CONCURRENCY,
    prefetch: s.AUDIO_GENERATION_CONCURRENCY,
    budgetMs: s.AUDIO_WORKER_BUDGET_S * 1000,
    // Wait out one visibility timeout for messages other workers hold, so a dead worker's
    // segments are picked up by this run rather than the next cron tick.
    idleExitMs: s.AUDIO_VISIBILITY_TIMEOUT_S * 1000 + 5000,
    permitPollMs: PERMIT_POLL_MS,
    idlePollMs: IDLE_POLL_MS,
    cancelPollMs: s.AUDIO_CANCEL_POLL_MS,
    leave: true,
    ...overrides,
  };
}

export function newHolder(prefix: string): string {
  return `${prefix}-${crypto.randomUUID().slice(0, 8)}`;
}

export function startWorker(
  app: App,
  opts: {
    holder: string;
    config?: Partial<WorkerConfig>;
    onEvent?: (e: WorkerEvent) => void;
  },
): Promise<WorkerReport> {
  const s = app.settings;
  const queue = new SegmentQueue(app.sql, {
    holder: opts.holder,
    limit: s.AUDIO_GENERATION_CONCURRENCY,
    visibilityTimeoutS: s.AUDIO_VISIBILITY_TIMEOUT_S,
    // A permit outlives its request by a margin; a dead holder's permit frees itself after this.
    leaseS: Math.ceil(s.AUDIO_PROVIDER_TIMEOUT_MS / 1000) + 5,
    maxReads: s.AUDIO_MAX_READS,
  });
  return runWorker(
    {
      queue,
      provider: app.provider,
      upload: app.upload,
      now: app.platform.now,
      sleep,
      onEvent: opts.onEvent,
    },
    workerConfig(app, opts.config),
  );
}
