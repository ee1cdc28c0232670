// What the listener of followBatch gets, and when: a FollowState built from what is held at the
// moment of notifying, at most once per interval however many changes arrive (coalesce.ts), plus
// the few facts only the follower knows (a snapshot landed since the last join, the last error).

import type { Timers } from "../timers.ts";
import { createCoalescer } from "./coalesce.ts";
import type { Connection, FollowState } from "./follow_types.ts";
import type { HeldBatch } from "./held.ts";
import { batchIsActive, batchProgress } from "./merge.ts";
import { etaSeconds, ThroughputMeter } from "./throughput.ts";

interface ViewInput {
  held: HeldBatch;
  /** Sampled here with the batch's done + failed at `now`, then asked for the rate. */
  meter: ThroughputMeter;
  now: number;
  /** Cap of the inFlight and failures lists. */
  listLimit: number;
  connection: Connection;
  snapshotLoaded: boolean;
  error: Error | null;
  version: number;
}

export function followState(v: ViewInput): FollowState {
  const { batch, segments } = v.held;
  // No sample before the batch row is known: 0 then the real count would read as a burst.
  if (batch) v.meter.record(v.now, batch.done + batch.failed);
  const rate = v.meter.rate(v.now);
  const remaining = batch ? batch.total - batch.done - batch.failed - batch.cancelled : 0;
  return {
    batchId: v.held.batchId,
    batch,
    segments: segments.byKey,
    total: batch?.total ?? 0,
    done: batch?.done ?? 0,
    failed: batch?.failed ?? 0,
    cancelled: batch?.cancelled ?? 0,
    skipped: batch?.skipped ?? 0,
    progress: batchProgress(batch),
    inFlight: segments.withStatus("generating", v.listLimit),
    inFlightCount: segments.count("generating"),
    failures: segments.withStatus("failed", v.listLimit),
    isActive: batchIsActive(batch),
    throughput: batch ? rate : null,
    etaSeconds: batch ? etaSeconds(remaining, rate) : null,
    connection: v.connection,
    snapshotLoaded: v.snapshotLoaded,
    error: v.error,
    version: v.version,
  };
}

interface ReporterDeps {
  held: HeldBatch;
  timers: Timers;
  /** At most one report per this many ms. */
  notifyIntervalMs: number;
  /** Cap of the inFlight and failures lists. */
  inFlightLimit: number;
  connection(): Connection;
  onState(state: FollowState): void;
}

interface Reporter {
  /** Something the listener sees changed: report it soon (coalesced). */
  changed(): void;
  /** The channel (re)joined: no snapshot has landed since. */
  joined(): void;
  /** A snapshot ended: null when it loaded, else its error. Reported at once. */
  snapshotSettled(error: Error | null): void;
  /** Subscribing failed or the channel dropped with this error. Reported with the next change. */
  failed(error: Error): void;
  /** No report after this. */
  stop(): void;
}

export function createReporter(deps: ReporterDeps): Reporter {
  const meter = new ThroughputMeter();
  let snapshotLoaded = false;
  let error: Error | null = null;
  let version = 0;
  let stopped = false;
  const coalescer = createCoalescer(
    () => {
      if (stopped) return;
      deps.onState(followState({
        held: deps.held,
        meter,
        now: deps.timers.now(),
        listLimit: deps.inFlightLimit,
        connection: deps.connection(),
        snapshotLoaded,
        error,
        version: ++version,
      }));
    },
    deps.notifyIntervalMs,
    deps.timers,
  );

  return {
    changed() {
      if (!stopped) coalescer.request();
    },
    joined() {
      snapshotLoaded = false;
    },
    snapshotSettled(err) {
      if (err) error = err;
      else {
        snapshotLoaded = true;
        error = null;
      }
      if (stopped) return;
      coalescer.request();
      coalescer.flushNow();
    },
    failed(err) {
      error = err;
    },
    stop() {
      stopped = true;
      coalescer.cancel();
    },
  };
}
