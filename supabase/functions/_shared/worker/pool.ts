// The worker loop shared by process-segments (an Edge Function invocation) and scripts/worker (a
// long-lived process). `concurrency` slots each take the next claimed segment the moment they
// free; claims run ahead so no slot waits on the database; a global permit (audio.begin_attempt)
// is held for each provider request and only for it. Stops claiming when the time budget is
// spent, hands back what it claimed but did not start, and says whether work is left.
import type { CartesiaClient, SynthesizeResult } from "../provider/types.ts";
import { isAbortError } from "../abort.ts";
import { ProviderError } from "../provider/provider_error.ts";
import {
  audioObjectPath,
  contentTypeOf,
  type OutputFormat,
  parseFormatKey,
} from "../audio_format.ts";
import { ERROR_RETRY_DELAY_S, HEARTBEAT_MS } from "../config.ts";
import type { AttemptOutcome, ClaimedSegment, SegmentQueue } from "./queue.ts";

export interface WorkerDeps {
  queue: SegmentQueue;
  // A provider client for a segment's model and format (segments carry their own).
  provider: (modelId: string, format: string) => CartesiaClient;
  upload: (path: string, bytes: Uint8Array, contentType: string) => Promise<void>;
  now: () => number;
  sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  random?: () => number;
  onEvent?: (event: WorkerEvent) => void;
}

export interface WorkerConfig {
  concurrency: number;
  // Extra segments claimed beyond the free slots, so a freed slot never waits for a claim.
  prefetch: number;
  budgetMs: number;
  // How long to keep polling when the queue holds only invisible messages (other workers' in
  // flight, or a dead worker's awaiting their visibility timeout). Infinity for a long-lived worker.
  idleExitMs: number;
  permitPollMs: number;
  idlePollMs: number;
  cancelPollMs: number;
  stopSignal?: AbortSignal;
  // Remove this worker's heartbeat when the run ends (false for a long-lived worker between runs:
  // it calls audio.worker_stopped itself when it exits).
  leave?: boolean;
}

export type WorkerEvent =
  | { type: "done"; segmentId: number; batchId: string; attempts: number; ms: number }
  | { type: "reused" | "cancelled" | "gone" | "wait"; segmentId: number; batchId: string }
  | { type: "failed"; segmentId: number; batchId: string; error: string }
  | { type: "retry"; segmentId: number; status?: number; delayMs: number }
  | { type: "error"; segmentId: number; error: string };

export interface WorkerReport {
  claimed: number;
  done: number;
  failed: number;
  reused: number;
  cancelled: number;
  attempts: number;
  rateLimited: number;
  errors: number;
  roundTrips: number;
  stoppedBy: "empty" | "idle" | "budget" | "stop";
  workLeft: boolean;
  // Another run should follow: this one stopped at its budget with work left, or (leaving)
  // messages were visible once it had left — a batch queued while it was on its way out saw its
  // heartbeat and did not kick.
  handOver: boolean;
  ms: number;
}

class SkipSegment extends Error {
  constructor(readonly outcome: Exclude<AttemptOutcome, "go" | "no_permit">) {
    super(outcome);
  }
}
class OutOfTime extends Error {}

export async function runWorker(deps: WorkerDeps, cfg: WorkerConfig): Promise<WorkerReport> {
  const { queue, now, sleep } = deps;
  const random = deps.random ?? Math.random;
  const started = now();
  const stop = new AbortController();
  const onStop = () => stop.abort();
  cfg.stopSignal?.addEventListener("abort", onStop, { once: true });
  if (cfg.stopSignal?.aborted) stop.abort();

  const report: WorkerReport = {
    claimed: 0,
    done: 0,
    failed: 0,
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
  const buffer: ClaimedSegment[] = [];
  const inFlight = new Map<number, ClaimedSegment>();
  const batchAborts = new Map<string, AbortController>();
  const cancelled = new Set<string>();
  let claiming: Promise<void> | null = null;
  let idleSince: number | null = null;

  const timeUp = () => now() - started >= cfg.budgetMs;

  const refill = (): Promise<void> => {
    if (claiming) return claiming;
    claiming = (async () => {
      const want = cfg.concurrency + cfg.prefetch - buffer.length - inFlight.size;
      if (want <= 0 || timeUp() || stop.signal.aborted) return;
      const got = await queue.claim(want);
      report.claimed += got.length;
      for (const seg of got) if (!cancelled.has(seg.batchId)) buffer.push(seg);
    })().finally(() => {
      claiming = null;
    });
    return claiming;
  };

  // next: the next segment for a free slot, or null when this worker should stop.
  const next = async (): Promise<ClaimedSegment | null> => {
    while (!stop.signal.aborted) {
      if (timeUp()) {
        report.stoppedBy = "budget";
        return null;
      }
      let depth: { visible: number; total: number };
      try {
        if (buffer.length === 0) await refill();
        const seg = buffer.shift();
        if (seg) {
          idleSince = null;
          if (buffer.length < cfg.prefetch) void refill().catch(() => {});
          return seg;
        }
        depth = await queue.depth();
      } catch (err) {
        // A failed claim (connection blip, lock timeout) costs one poll period, not the run.
        report.errors++;
        deps.onEvent?.({
          type: "error",
          segmentId: 0,
          error: err instanceof Error ? err.message : String(err),
        });
        await sleep(cfg.idlePollMs, stop.signal).catch(() => {});
        continue;
      }
      if (depth.total === 0 && inFlight.size === 0) {
        report.stoppedBy = "empty";
        return null;
      }
      if (depth.total === 0) return null; // the rest is in this worker's other slots
      idleSince ??= now();
      if (inFlight.size === 0 && now() - idleSince >= cfg.idleExitMs) {
        report.stoppedBy = "idle";
        return null;
      }
      await sleep(cfg.idlePollMs * (0.75 + random() / 2), stop.signal).catch(() => {});
    }
    report.stoppedBy = "stop";
    return null;
  };

  // acquire: a global permit for one provider attempt; throws SkipSegment when the segment needs
  // no (more) provider calls, OutOfTime when the budget ran out while waiting.
  // Only one slot of this worker polls for a permit at a time; the others queue behind it here.
  // With every permit busy, W workers then poll W times per period instead of W x concurrency.
  let gate: Promise<void> = Promise.resolve();
  const acquire = async (seg: ClaimedSegment, signal: AbortSignal): Promise<number> => {
    let open!: () => void;
    const previous = gate;
    gate = new Promise((r) => (open = r));
    try {
      await previous;
      while (true) {
        if (signal.aborted) throw signal.reason;
        const r = await queue.beginAttempt(seg);
        if (r.outcome === "go" && r.slot !== null) return r.slot;
        if (r.outcome !== "no_permit") throw new SkipSegment(r.outcome as SkipSegment["outcome"]);
        if (timeUp()) throw new OutOfTime();
        // Sleep until the poll period ends or a slot of this worker frees a permit.
        await sleep(cfg.permitPollMs * (0.5 + random()), AbortSignal.any([signal, poke.signal]))
          .catch((err) => {
            if (signal.aborted) throw err;
          });
      }
    } finally {
      open();
    }
  };
  let poke = new AbortController();
  const permitFreed = () => {
    poke.abort();
    poke = new AbortController();
  };

  const processSegment = async (seg: ClaimedSegment): Promise<void> => {
    const t0 = now();
    let batchCtl = batchAborts.get(seg.batchId);
    if (!batchCtl) {
      batchCtl = new AbortController();
      batchAborts.set(seg.batchId, batchCtl);
    }
    const signal = AbortSignal.any([batchCtl.signal, stop.signal]);
    inFlight.set(seg.segmentId, seg);
    let live = true;
    let lastAttemptMs: number | null = null;
    let format: OutputFormat;
    let client: CartesiaClient;
    try {
      format = parseFormatKey(seg.format);
      client = deps.provider(seg.modelId, seg.format);
    } catch (err) {
      // A format or model the client cannot request is permanent for this segment: no retry.
      const message = `cannot request this audio: ${
        err instanceof Error ? err.message : String(err)
      }`;
      await queue.fail(seg, message);
      report.failed++;
      deps.onEvent?.({
        type: "failed",
        segmentId: seg.segmentId,
        batchId: seg.batchId,
        error: message,
      });
      inFlight.delete(seg.segmentId);
      return;
    }
    try {
      const result: SynthesizeResult = await client.synthesize({
        transcript: seg.text,
        voiceId: seg.voiceId,
        signal,
        aroundAttempt: async (fn) => {
          const slot = await acquire(seg, signal);
          report.attempts++;
          let outcome: unknown;
          const sentAt = now();
          try {
            outcome = await fn();
            lastAttemptMs = now() - sentAt;
            return outcome as Awaited<ReturnType<typeof fn>>;
          } finally {
            const gotAudio = typeof outcome === "object" && outcome !== null &&
              (outcome as { ok?: unknown }).ok === true;
            live = await queue.endAttempt(slot, seg.segmentId, gotAudio && !signal.aborted);
            permitFreed();
          }
        },
        onRetry: (info) => {
          deps.onEvent?.({
            type: "retry",
            segmentId: seg.segmentId,
            status: info.status,
            delayMs: info.delayMs,
          });
        },
      });
      report.rateLimited += result.rateLimited;
      // live: end_attempt cleared this segment for upload (its batch was not cancelled).
      if (!live) {
        report.cancelled++;
        deps.onEvent?.({ type: "cancelled", segmentId: seg.segmentId, batchId: seg.batchId });
        return;
      }
      const path = audioObjectPath({
        voiceId: seg.voiceId,
        modelId: seg.modelId,
        format,
        textHash: seg.textHash,
      });
      await deps.upload(path, result.bytes, contentTypeOf(format.container));
      if (await queue.complete(seg, path, result.bytes.length, lastAttemptMs, result.rateLimited)) {
        report.done++;
        deps.onEvent?.({
          type: "done",
          segmentId: seg.segmentId,
          batchId: seg.batchId,
          attempts: result.attempts,
          ms: now() - t0,
        });
      } else {
        report.cancelled++;
        deps.onEvent?.({ type: "cancelled", segmentId: seg.segmentId, batchId: seg.batchId });
      }
    } catch (err) {
      if (err instanceof SkipSegment) {
        if (err.outcome === "reused") report.reused++;
        if (err.outcome === "cancelled") report.cancelled++;
        deps.onEvent?.({ type: err.outcome, segmentId: seg.segmentId, batchId: seg.batchId });
      } else if (err instanceof OutOfTime) {
        await queue.returnMessages([seg.msgId]);
      } else if (isAbortError(err) || signal.aborted) {
        if (stop.signal.aborted) {
          await queue.returnMessages([seg.msgId]).catch(() => {});
        } else {
          report.cancelled++;
          deps.onEvent?.({ type: "cancelled", segmentId: seg.segmentId, batchId: seg.batchId });
        }
      } else if (err instanceof ProviderError) {
        report.rateLimited += err.rateLimited;
        await queue.fail(seg, err.message, err.rateLimited);
        report.failed++;
        deps.onEvent?.({
          type: "failed",
          segmentId: seg.segmentId,
          batchId: seg.batchId,
          error: err.message,
        });
      } else {
        report.errors++;
        const message = err instanceof Error ? err.message : String(err);
        deps.onEvent?.({ type: "error", segmentId: seg.segmentId, error: message });
        await queue.returnMessages([seg.msgId], ERROR_RETRY_DELAY_S).catch(() => {});
      }
    } finally {
      inFlight.delete(seg.segmentId);
    }
  };

  // Watch for cancelled batches while anything is in flight; abort their requests at once.
  // This loop also keeps the worker's heartbeat fresh while every slot waits on the provider.
  let lastBeat = now();
  const watchCancels = async () => {
    while (!stop.signal.aborted && !done) {
      await sleep(cfg.cancelPollMs, stop.signal).catch(() => {});
      if (!done && now() - lastBeat >= HEARTBEAT_MS) {
        lastBeat = now();
        await queue.heartbeat().catch(() => {});
      }
      const ids = [...new Set([...inFlight.values(), ...buffer].map((s) => s.batchId))]
        .filter((id) => !cancelled.has(id));
      if (ids.length === 0 || done) continue;
      try {
        for (const id of await queue.cancelledBatches(ids)) {
          cancelled.add(id);
          batchAborts.get(id)?.abort(new DOMException("batch cancelled", "AbortError"));
          for (let i = buffer.length - 1; i >= 0; i--) {
            if (buffer[i].batchId === id) buffer.splice(i, 1);
          }
        }
      } catch {
        // A missed poll is retried on the next tick; the SQL side refuses cancelled work anyway.
      }
    }
  };

  let done = false;
  const slot = async () => {
    for (let seg = await next(); seg; seg = await next()) await processSegment(seg);
  };
  const watcher = watchCancels();
  try {
    await Promise.all(Array.from({ length: cfg.concurrency }, slot));
  } finally {
    done = true;
    stop.abort();
    await watcher;
    if (claiming) await (claiming as Promise<void>).catch(() => {});
    if (buffer.length > 0) {
      await queue.returnMessages(buffer.splice(0).map((s) => s.msgId)).catch(() => {});
    }
    cfg.stopSignal?.removeEventListener("abort", onStop);
    if (cfg.leave) await queue.leave().catch(() => {});
  }
  if (cfg.stopSignal?.aborted) report.stoppedBy = "stop";
  // Read after leaving, so work queued meanwhile is seen here or kicks a fresh worker.
  const depth = await queue.depth();
  report.workLeft = depth.total > 0;
  report.handOver = (report.workLeft && report.stoppedBy === "budget") ||
    (cfg.leave === true && report.stoppedBy !== "stop" && depth.visible > 0);
  report.roundTrips = queue.roundTrips;
  report.ms = now() - started;
  return report;
}
