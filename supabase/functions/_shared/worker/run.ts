// One worker run from settings: the glue between the App (database, provider, Storage) and the
// pool. process-segments and the long-lived worker both start runs through here, so both honour
// the same permits, budget and timeouts.
import { abortableSleep } from "../abort.ts";
import type { App } from "../app.ts";
import {
  CANCEL_CHANNEL,
  CANCEL_FALLBACK_POLL_MS,
  CLAIM_EXTEND_FRACTION,
  CPU_ESTIMATE,
  DB_STATEMENT_TIMEOUT_MS,
  IDLE_EXIT_MARGIN_MS,
  IDLE_POLL_MS,
  LEASE_MARGIN_S,
  LIMIT_WATCH_MS,
  PERMIT_CHANNEL,
  PERMIT_FALLBACK_POLL_MS,
  PERMIT_POLL_MS,
  PROGRESS_MARGIN_MS,
  STORAGE_UPLOAD_TIMEOUT_MS,
} from "../config.ts";
import type { Listen } from "./announcements.ts";
import type { OnEvent } from "./events.ts";
import { runWorker, type WorkerConfig, type WorkerReport } from "./pool.ts";
import { SegmentQueue } from "./queue.ts";

// A permit's lease: the provider timeout and a margin (LEASE_MARGIN_S says why).
function leaseS(app: App): number {
  return Math.ceil(app.settings.AUDIO_PROVIDER_TIMEOUT_MS / 1000) + LEASE_MARGIN_S;
}

function workerConfig(app: App, overrides: Partial<WorkerConfig> = {}): WorkerConfig {
  const s = app.settings;
  return {
    concurrency: s.AUDIO_GENERATION_CONCURRENCY,
    prefetch: s.AUDIO_GENERATION_CONCURRENCY,
    budgetMs: s.AUDIO_WORKER_BUDGET_S * 1000,
    attemptMs: s.AUDIO_PROVIDER_TIMEOUT_MS,
    idleExitMs: s.AUDIO_VISIBILITY_TIMEOUT_S * 1000 + IDLE_EXIT_MARGIN_MS,
    permitPollMs: PERMIT_POLL_MS,
    permitListenPollMs: PERMIT_FALLBACK_POLL_MS,
    idlePollMs: IDLE_POLL_MS,
    cancelPollMs: s.AUDIO_CANCEL_POLL_MS,
    cancelListenPollMs: Math.max(s.AUDIO_CANCEL_POLL_MS, CANCEL_FALLBACK_POLL_MS),
    circuit: {
      probeAfterS: s.AUDIO_CIRCUIT_PROBE_S,
      serverFailureLimit: s.AUDIO_CIRCUIT_5XX_SEGMENTS,
    },
    permitLeaseMs: leaseS(app) * 1000,
    extendEveryMs: s.AUDIO_VISIBILITY_TIMEOUT_S * 1000 * CLAIM_EXTEND_FRACTION,
    // The longest quiet stretch of a healthy worker: one attempt, one backoff sleep, one upload
    // or one statement, plus the margin (config.ts, PROGRESS_MARGIN_MS).
    progressWindowMs: Math.max(
      s.AUDIO_PROVIDER_TIMEOUT_MS,
      s.AUDIO_MAX_BACKOFF_MS,
      STORAGE_UPLOAD_TIMEOUT_MS,
      DB_STATEMENT_TIMEOUT_MS,
    ) + PROGRESS_MARGIN_MS,
    leave: true,
    limitWatchMs: LIMIT_WATCH_MS,
    // A CPU budget (process-segments sets one) counts this where the runtime has no CPU clock.
    cpuEstimate: CPU_ESTIMATE,
    ...overrides,
  };
}

// A LISTEN on the channel, as the pool subscribes (announcements.ts). postgres.js keeps one
// connection for all its LISTENs and re-listens after a reconnect.
function listenOn(app: App, channel: string): Listen<(payload: string) => void> {
  return async (on) => {
    const listening = await app.sql.listen(channel, on);
    return () => listening.unlisten();
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
    onEvent?: OnEvent;
  },
): Promise<WorkerReport> {
  const s = app.settings;
  const queue = new SegmentQueue(app.sql, {
    holder: opts.holder,
    limit: s.AUDIO_GENERATION_CONCURRENCY,
    visibilityTimeoutS: s.AUDIO_VISIBILITY_TIMEOUT_S,
    leaseS: leaseS(app),
    maxReads: s.AUDIO_MAX_READS,
    limitProbeS: s.AUDIO_LIMIT_PROBE_S,
    limitPinned: s.AUDIO_LIMIT_PINNED,
  });
  return runWorker(
    {
      queue,
      provider: app.provider,
      upload: app.upload,
      now: app.platform.now,
      sleep: abortableSleep,
      onEvent: opts.onEvent,
      cpuMs: app.platform.cpuMs,
      listenPermits: listenOn(app, PERMIT_CHANNEL),
      listenCancels: listenOn(app, CANCEL_CHANNEL),
    },
    workerConfig(app, opts.config),
  );
}
