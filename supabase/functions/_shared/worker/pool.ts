// The worker run shared by process-segments (an Edge Function invocation) and the long-lived
// worker: `concurrency` slots each take the next claimed segment the moment they free. This file
// only composes the pieces, each in its own module:
//   claim_ahead.ts   claims run ahead of the slots; what is left is handed back at the end
//   slot_feed.ts     a free slot's next segment, or why it stops (budget, empty, idle, stop)
//   chains.ts        the slots as chains, and the gapless hand-off of a permit between them
//   permit_gate.ts   a global permit per provider attempt, and the wake-up when one frees
//   cancel_watch.ts  cancelled batches aborted mid-request; the heartbeat while busy
//   claim_keeper.ts  held messages' visibility extended, so none reappears while held
//   progress.ts      the work's calls, timed: the heartbeat beats only while work moves on
//   segment.ts       one segment: attempt → upload → complete, and every other outcome
//   circuit.ts       account errors stop the line: what this worker knows of the provider circuit
//   limit.ts         the learned concurrency limit: a concurrency 429 lowers it, a tick probes it
// Stops claiming when the time budget is spent, hands back what it claimed but did not start,
// and says whether work is left.
import type { SleepFn } from "../abort.ts";
import type { CartesiaClient } from "../provider/types.ts";
import { CIRCUIT_DEFAULTS } from "../config.ts";
import { CancelWatch } from "./cancel_watch.ts";
import { type CircuitSettings, WorkerCircuit } from "./circuit.ts";
import { ClaimAhead } from "./claim_ahead.ts";
import { ClaimKeeper } from "./claim_keeper.ts";
import { errorText, type OnEvent } from "./events.ts";
import { runChains } from "./chains.ts";
import { type LimitFigures, WorkerLimit } from "./limit.ts";
import { PermitGate } from "./permit_gate.ts";
import { type Listen, listenOrPoll } from "./announcements.ts";
import { ProgressQueue } from "./progress.ts";
import type { ClaimedSegment, WorkerQueue } from "./queue.ts";
import { processSegment, requestable, type SegmentResult } from "./segment.ts";
import { SlotFeed, type StopReason } from "./slot_feed.ts";

interface WorkerDeps {
  queue: WorkerQueue;
  // A provider client for a segment's model and format (segments carry their own).
  provider: (modelId: string, format: string) => CartesiaClient;
  upload: (path: string, bytes: Uint8Array, contentType: string) => Promise<void>;
  now: () => number;
  sleep: SleepFn;
  random?: () => number;
  onEvent?: OnEvent;
  // LISTEN for permits freed anywhere (audio.permit_channel()): calls onFreed per notification;
  // resolves to its unsubscribe. Absent, or rejecting: the permit poll alone finds freed permits.
  listenPermits?: Listen<() => void>;
  // LISTEN for cancels (audio.cancel_channel()): calls onCancel with the batch id per
  // notification; resolves to its unsubscribe. Absent, or rejecting: the cancel poll alone.
  listenCancels?: Listen<(batchId: string) => void>;
  // CPU time this process has used (ms); with cfg.cpuBudgetMs, the run watches its own use.
  // Absent (the runtime does not tell it, as Supabase's edge runtime does not): the budget counts
  // cfg.cpuEstimate instead.
  cpuMs?: () => number;
}

/** What a run without a CPU clock counts for its CPU (config.ts, CPU_ESTIMATE). */
export interface CpuEstimate {
  perSegmentMs: number;
  perSecondMs: number;
}

/** The CPU (ms) an estimate counts for `segments` taken over `ms` of a run. */
export function estimatedCpuMs(e: CpuEstimate, segments: number, ms: number): number {
  return segments * e.perSegmentMs + (ms / 1000) * e.perSecondMs;
}

export interface WorkerConfig {
  concurrency: number;
  // Extra segments claimed beyond the free slots, so a freed slot never waits for a claim.
  prefetch: number;
  budgetMs: number;
  // CPU time (ms) the run may use (an Edge Function's CPU limit, less a margin): once spent, it
  // starts nothing more and hands over, like at the end of its time budget. Absent: not watched.
  cpuBudgetMs?: number;
  // Where the deps have no CPU clock, the CPU the budget counts: perSegmentMs for each segment
  // the run took plus perSecondMs for each second it has run (config.ts,
  // CPU_ESTIMATE_PER_SEGMENT_MS). Absent too: the budget is not watched.
  cpuEstimate?: CpuEstimate;
  // The longest one provider attempt may take (its timeout): an attempt starts only while this
  // much of the budget is left, so a run never overruns its budget by a request.
  attemptMs: number;
  // How long to keep polling when the queue holds only invisible messages (other workers' in
  // flight, or a dead worker's awaiting their visibility timeout). Infinity for a long-lived worker.
  idleExitMs: number;
  permitPollMs: number;
  // The permit poll's period once LISTEN announces freed permits (absent: permitPollMs).
  permitListenPollMs?: number;
  idlePollMs: number;
  cancelPollMs: number;
  // The cancel poll's period once LISTEN announces cancels (absent: cancelPollMs).
  cancelListenPollMs?: number;
  // A permit's lease: how long end_attempt and complete_segment are retried while the database
  // cannot be reached (absent: not retried).
  permitLeaseMs?: number;
  // How often held messages' visibility is extended (a fraction of the visibility timeout).
  extendEveryMs: number;
  // The longest a healthy worker's work goes without an answered call (progress.ts); past it the
  // heartbeat stops.
  progressWindowMs: number;
  stopSignal?: AbortSignal;
  // Remove this worker's heartbeat when the run ends (false for a long-lived worker between runs:
  // it calls audio.worker_stopped itself when it exits).
  leave?: boolean;
  // The provider circuit's probe interval and server-failure threshold (settings).
  circuit?: CircuitSettings;
  // How often the learned concurrency limit is read and probed (audio.limit_tick); absent: never
  // read by this run (a 429 still lowers it), and the report has no limit.
  limitWatchMs?: number;
}

export interface WorkerReport {
  claimed: number;
  done: number;
  failed: number;
  // Segments handed back untouched because the provider circuit was open.
  held: number;
  reused: number;
  cancelled: number;
  attempts: number;
  rateLimited: number;
  errors: number;
  roundTrips: number;
  stoppedBy: StopReason;
  workLeft: boolean;
  // Another run should follow: this one stopped at its budget with work left, or (leaving)
  // messages were visible once it had left — a batch queued while it was on its way out saw its
  // heartbeat and did not kick.
  handOver: boolean;
  ms: number;
  // The CPU the run's budget counted, when it watched one: measured by the runtime, or estimated
  // from the work where the runtime does not tell it.
  cpu?: { ms: number; measured: boolean };
  // The learned concurrency limit at the run's last read, requests in flight then, concurrency
  // 429s in the last minute (all workers), and those this run heard (when the limit was watched).
  limit?: LimitFigures;
}

// The report counter each segment outcome adds one to (the others count nowhere).
const COUNTED_AS = {
  done: "done",
  failed: "failed",
  held: "held",
  reused: "reused",
  cancelled: "cancelled",
  error: "errors",
} as const satisfies Partial<Record<SegmentResult["outcome"], keyof WorkerReport>>;

export async function runWorker(given: WorkerDeps, cfg: WorkerConfig): Promise<WorkerReport> {
  const { now } = given;
  const queue = new ProgressQueue(given.queue, now, cfg.progressWindowMs);
  const deps = { ...given, queue };
  const started = now();
  // The CPU budget, where one is set: the segments this run took feed its estimate.
  let taken = 0;
  const cpuBudgetMs = cfg.cpuBudgetMs;
  const cpu = cpuBudgetMs === undefined
    ? null
    : cpuClock(given.cpuMs, cfg.cpuEstimate, () => ({ taken, ms: now() - started }));
  const cpuSpent = () => cpu !== null && cpuBudgetMs !== undefined && cpu.used() >= cpuBudgetMs;
  const stop = new AbortController();
  const onStop = () => stop.abort();
  cfg.stopSignal?.addEventListener("abort", onStop, { once: true });
  if (cfg.stopSignal?.aborted) stop.abort();
  const run: RunState = {
    stop: stop.signal,
    // The budget is spent once one more attempt would not end within it: claims stop then too,
    // so nothing is claimed only to be handed back (each claim spends a delivery).
    // The CPU budget ends the run's work the same way.
    timeUp: () => now() - started + cfg.attemptMs > cfg.budgetMs || cpuSpent(),
    inFlight: new Map(),
    permitsAnnounced: false,
    cancelsAnnounced: false,
  };
  const { watch, claims, feed, gate, circuit, keeper } = assemble(deps, cfg, run);
  const limit = new WorkerLimit({
    store: queue,
    sleep: deps.sleep,
    everyMs: cfg.limitWatchMs ?? 0,
    onEvent: deps.onEvent,
  });
  const segmentDeps = {
    ...deps,
    gate,
    circuit,
    limit,
    retryUnreachableMs: cfg.permitLeaseMs ?? 0,
  };

  const report = emptyReport();
  const watching = watch.run(stop.signal);
  const keeping = keeper.run(stop.signal);
  const limiting = cfg.limitWatchMs ? limit.run(stop.signal) : Promise.resolve();
  // The LISTENs (announcements.ts): a freed permit wakes the gate's waiting slot, a cancel the
  // cancel watch; each poll slows to its fallback period once its LISTEN is in place.
  const hearingPermits = listenOrPoll(
    "freed permits",
    given.listenPermits,
    () => gate.freed(),
    () => {
      run.permitsAnnounced = true;
    },
    given.onEvent,
  );
  const hearingCancels = listenOrPoll(
    "cancels",
    given.listenCancels,
    (batchId: string) => watch.announced(batchId),
    () => {
      run.cancelsAnnounced = true;
    },
    given.onEvent,
  );
  try {
    await runChains({
      concurrency: cfg.concurrency,
      feed,
      claims,
      queue,
      gate,
      retry: segmentDeps,
      inFlight: run.inFlight,
      mayStart: () => !run.timeUp() && !stop.signal.aborted,
      requestable: (seg) => requestable(segmentDeps, seg),
      process: async (seg, begun, handOff) => {
        taken++;
        const batch = watch.signalFor(seg.batchId);
        const deps = { ...segmentDeps, handOff };
        tally(report, await processSegment(deps, seg, batch, stop.signal, begun));
      },
    });
  } finally {
    watch.finish();
    stop.abort();
    await watching;
    await keeping;
    await limiting;
    // Not awaited: a LISTEN still connecting (the database down) must not hold the run's end.
    for (const l of [hearingPermits, hearingCancels]) {
      void l.then((unlisten) => unlisten?.().catch(() => {}));
    }
    await claims.handBack();
    cfg.stopSignal?.removeEventListener("abort", onStop);
    if (cfg.leave) await queue.leave().catch(() => {});
  }
  report.claimed = claims.claimed;
  report.errors += feed.errors;
  report.stoppedBy = cfg.stopSignal?.aborted ? "stop" : feed.stoppedBy;
  // Read after leaving, so work queued meanwhile is seen here or kicks a fresh worker. If the
  // database does not answer, assume work is left: a run that stopped at its budget hands over.
  const depth = await queue.depth().catch((err) => {
    report.errors++;
    deps.onEvent?.({ type: "error", segmentId: 0, error: errorText(err) });
    return { visible: 0, total: 1 };
  });
  report.workLeft = depth.total > 0;
  report.handOver = (report.workLeft && report.stoppedBy === "budget") ||
    (cfg.leave === true && report.stoppedBy !== "stop" && depth.visible > 0);
  if (cfg.limitWatchMs) report.limit = await limit.finalFigures();
  report.roundTrips = queue.roundTrips;
  if (cpu !== null) {
    report.cpu = { ms: Math.round(cpu.used()), measured: cpu.measured };
  }
  report.ms = now() - started;
  return report;
}

// What the pieces of one run share: the run's stop, its budget, and the segments in flight.
interface RunState {
  stop: AbortSignal;
  timeUp: () => boolean;
  inFlight: Map<number, ClaimedSegment>;
  // Whether freed permits are announced to this run (its LISTEN is in place).
  permitsAnnounced: boolean;
  // Whether cancels are announced to this run (its LISTEN is in place).
  cancelsAnnounced: boolean;
}

// The pieces of one run, wired to each other: the watcher drops a cancelled batch from the
// buffer, the buffer skips what the watcher knows is cancelled, the feed takes from the buffer.
function assemble(
  deps: WorkerDeps & { queue: ProgressQueue },
  cfg: WorkerConfig,
  run: RunState,
) {
  const { queue, now, sleep } = deps;
  const random = deps.random ?? Math.random;
  const inFlight = () => run.inFlight.size;
  const circuit = new WorkerCircuit({
    ...(cfg.circuit ?? CIRCUIT_DEFAULTS),
    store: queue,
    now,
    onEvent: deps.onEvent,
  });
  // Every claim tells the circuit what it brought (segments only come while it is closed).
  const claimQueue = {
    claim: async (qty: number) => {
      const got = await queue.claim(qty);
      circuit.heardClaim(got);
      return got;
    },
    returnMessages: (ids: number[], delayS?: number) => queue.returnMessages(ids, delayS),
  };
  const watch: CancelWatch = new CancelWatch({
    queue,
    now,
    sleep,
    pollMs: () =>
      run.cancelsAnnounced ? cfg.cancelListenPollMs ?? cfg.cancelPollMs : cfg.cancelPollMs,
    heldBatches: () => [...[...run.inFlight.values()].map((s) => s.batchId), ...claims.batchIds()],
    onCancelled: (id) => claims.drop(id),
    progressing: () => deps.queue.progressing(),
  });
  const claims = new ClaimAhead({
    queue: claimQueue,
    capacity: cfg.concurrency + cfg.prefetch,
    prefetch: cfg.prefetch,
    inFlight,
    mayClaim: () => !run.timeUp() && !run.stop.aborted,
    isCancelled: (id) => watch.isCancelled(id),
    inFlightMessage: (msgId) => [...run.inFlight.values()].some((s) => s.msgId === msgId),
  });
  const feed = new SlotFeed({
    claims,
    queue,
    now,
    sleep,
    random,
    onEvent: deps.onEvent,
    idlePollMs: cfg.idlePollMs,
    idleExitMs: cfg.idleExitMs,
    inFlight,
    timeUp: run.timeUp,
    stop: run.stop,
  });
  const gate = new PermitGate({
    queue,
    sleep,
    random,
    pollMs: () =>
      run.permitsAnnounced ? cfg.permitListenPollMs ?? cfg.permitPollMs : cfg.permitPollMs,
    timeForAttempt: () => !run.timeUp(),
  });
  const keeper = new ClaimKeeper({
    queue,
    sleep,
    everyMs: cfg.extendEveryMs,
    progressing: () => deps.queue.progressing(),
    held: () => [...[...run.inFlight.values()].map((s) => s.msgId), ...claims.msgIds()],
    onEvent: deps.onEvent,
  });
  return { watch, claims, feed, gate, circuit, keeper };
}

// The CPU the run has used so far (ms): the runtime's count where it gives one, else the estimate
// from the segments taken and the time run; null with neither.
function cpuClock(
  cpuMs: (() => number) | undefined,
  estimate: CpuEstimate | undefined,
  work: () => { taken: number; ms: number },
): { used: () => number; measured: boolean } | null {
  if (cpuMs) {
    const atStart = cpuMs();
    return { used: () => cpuMs() - atStart, measured: true };
  }
  if (!estimate) return null;
  return {
    used: () => {
      const w = work();
      return estimatedCpuMs(estimate, w.taken, w.ms);
    },
    measured: false,
  };
}

function tally(report: WorkerReport, r: SegmentResult): void {
  report.attempts += r.attempts;
  report.rateLimited += r.rateLimited;
  const counter = COUNTED_AS[r.outcome as keyof typeof COUNTED_AS];
  if (counter) report[counter]++;
}

function emptyReport(): WorkerReport {
  return {
    claimed: 0,
    done: 0,
    failed: 0,
    held: 0,
    reused: 0,
    cancelled: 0,
    attempts: 0,
    rateLimited: 0,
    errors: 0,
    roundTrips: 0,
    stoppedBy: "empty",
    workLeft: false,
    handOver: false,
    ms: 0,
  };
}
