// One segment, start to end: a permit for each provider attempt → the audio → upload to Storage
// → audio.complete_segment. Every way it can end is an outcome the caller counts:
//   done       uploaded and completed
//   reused     begin_attempt found identical audio already made (no provider call)
//   wait       identical content is being generated elsewhere; its message comes back shortly
//   gone       the segment is no longer queued or generating (another worker finished it)
//   cancelled  its batch was cancelled (before, during or after the request)
//   failed     the provider refused it, retries ran out, or its format cannot be requested
//   returned   out of budget while waiting for a permit, or the run was stopped: message handed
//              back for another worker (no fault of the segment: the delivery is excused)
//   held       the provider circuit is open (this segment's request met an account error, or
//              the circuit was already open): message handed back with its read and attempt
//              taken back, segment queued, nothing recorded against it (circuit.ts)
//   error      anything unexpected (Storage, database, including a failed fail or hand-back):
//              message handed back after a delay where the database still answers, the error
//              kept as the segment's last_error (secrets redacted); the delivery counts
// None of these throws: one segment's trouble never ends the run.
import { isAbortError, type SleepFn } from "../abort.ts";
import {
  audioObjectPath,
  contentTypeOf,
  type OutputFormat,
  parseFormatKey,
} from "../audio_format.ts";
import {
  ERROR_RETRY_DELAY_S,
  STORAGE_RETRY_FIRST_MS,
  STORAGE_RETRY_WINDOW_MS,
  UNREACHABLE_RETRY_MS,
} from "../config.ts";
import { isUnreachable } from "../db.ts";
import { ProviderError } from "../provider/provider_error.ts";
import type { CartesiaClient, SynthesizeResult } from "../provider/types.ts";
import { errorText, type OnEvent } from "./events.ts";
import { OutOfTime, type PermitGate, SkipSegment } from "./permit_gate.ts";
import { redactCredentials } from "../redact.ts";
import type { ClaimedSegment, WorkerQueue } from "./queue.ts";
import type { WorkerCircuit } from "./circuit.ts";
import type { WorkerLimit } from "./limit.ts";

type SegmentOutcome =
  | "done"
  | "reused"
  | "wait"
  | "gone"
  | "cancelled"
  | "failed"
  | "returned"
  | "held"
  | "error";

export interface SegmentResult {
  outcome: SegmentOutcome;
  // Provider attempts made (each under a permit), and how many were answered 429.
  attempts: number;
  rateLimited: number;
}

export interface SegmentDeps {
  queue: Pick<WorkerQueue, "endAttempt" | "complete" | "fail" | "returnMessages" | "hold">;
  gate: Pick<PermitGate, "acquire" | "freed">;
  circuit: Pick<WorkerCircuit, "mayRequest" | "heardOpen" | "answered" | "succeeded" | "failed">;
  // The learned concurrency limit (absent: a concurrency 429 is backed off like any 429).
  limit?: Pick<WorkerLimit, "heard">;
  // A provider client for a segment's model and format (segments carry their own).
  provider: (modelId: string, format: string) => CartesiaClient;
  upload: (path: string, bytes: Uint8Array, contentType: string) => Promise<void>;
  now: () => number;
  onEvent?: OnEvent;
  // How long to keep retrying end_attempt and complete_segment while the database cannot be
  // reached (a restart): the permit's lease, after which it frees itself anyway. Absent or 0: no
  // retry.
  retryUnreachableMs?: number;
  sleep?: SleepFn;
}

// batch aborts when the segment's batch is cancelled, stop when the run is told to stop.
export async function processSegment(
  d: SegmentDeps,
  seg: ClaimedSegment,
  batch: AbortSignal,
  stop: AbortSignal,
): Promise<SegmentResult> {
  const t0 = d.now();
  const tally = { attempts: 0, rateLimited: 0 };
  const signal = AbortSignal.any([batch, stop]);
  let format: OutputFormat;
  let client: CartesiaClient;
  try {
    format = parseFormatKey(seg.format);
    client = d.provider(seg.modelId, seg.format);
  } catch (err) {
    // A format or model the client cannot request is permanent for this segment: no retry.
    return await failSegment(d, seg, `cannot request this audio: ${errorText(err)}`, 0, tally);
  }
  if (!d.circuit.mayRequest(seg)) return await hold(d, seg, tally);
  try {
    const heard = await synthesize(d, seg, client, signal, tally);
    tally.rateLimited += heard.result.rateLimited;
    // live: end_attempt cleared this segment for upload (its batch was not cancelled).
    if (!heard.live) return cancelled(d, seg, tally);
    const path = audioObjectPath({
      voiceId: seg.voiceId,
      modelId: seg.modelId,
      format,
      textHash: seg.textHash,
    });
    const { bytes, rateLimited } = heard.result;
    await uploading(d, seg, signal, () => d.upload(path, bytes, contentTypeOf(format.container)));
    const completing = () =>
      d.queue.complete(seg, path, bytes.length, heard.providerMs, rateLimited);
    if (!(await surviving(d, completing))) {
      return cancelled(d, seg, tally);
    }
    const { attempts } = heard.result;
    await d.circuit.succeeded(seg).catch((err) => {
      // The probe's close did not reach the database: its lease runs out and another probe follows.
      d.onEvent?.({ type: "error", segmentId: seg.segmentId, error: errorText(err) });
    });
    d.onEvent?.({
      type: "done",
      segmentId: seg.segmentId,
      batchId: seg.batchId,
      attempts,
      ms: d.now() - t0,
    });
    return { outcome: "done", ...tally };
  } catch (err) {
    return await settle(d, seg, err, { signal, stop }, tally);
  }
}

// The provider call with its retries, a permit held around each attempt. live is end_attempt's
// answer for the last attempt; providerMs the duration of the last attempt that got an answer.
async function synthesize(
  d: SegmentDeps,
  seg: ClaimedSegment,
  client: CartesiaClient,
  signal: AbortSignal,
  tally: { attempts: number; rateLimited: number },
): Promise<{ result: SynthesizeResult; live: boolean; providerMs: number | null }> {
  let live = true;
  let providerMs: number | null = null;
  const result = await client.synthesize({
    transcript: seg.text,
    voiceId: seg.voiceId,
    signal,
    aroundAttempt: async (fn) => {
      // A 429 for the provider's concurrency limit that lowered the shared limit is no attempt:
      // the request goes again under a new permit (limit.ts), with no backoff and no retry spent.
      while (true) {
        const slot = await d.gate.acquire(seg, signal);
        tally.attempts++;
        let answer: unknown;
        let again = false;
        const sentAt = d.now();
        try {
          answer = await fn();
          providerMs = d.now() - sentAt;
        } finally {
          const gotAudio = typeof answer === "object" && answer !== null &&
            (answer as { ok?: unknown }).ok === true;
          // An account error stops the line before this permit can start anyone's next request;
          // a concurrency 429 lowers the limit before it can.
          await d.circuit.answered(seg, answer).catch(() => {});
          again = (await d.limit?.heard(slot, seg, answer)) ?? false;
          const upload = gotAudio && !signal.aborted;
          live = await surviving(d, () => d.queue.endAttempt(slot, seg.segmentId, upload));
          d.gate.freed();
        }
        if (!again) return answer as Awaited<ReturnType<typeof fn>>;
        tally.attempts--;
        tally.rateLimited++;
      }
    },
    onRetry: (info) => {
      d.onEvent?.({
        type: "retry",
        segmentId: seg.segmentId,
        batchId: seg.batchId,
        attempt: info.attempt,
        status: info.status,
        delayMs: info.delayMs,
        error: info.message,
      });
    },
  });
  return { result, live, providerMs };
}

// One call retried until a deadline: after a failure for which retryable() holds, wait delayMs(n)
// (n = the failures so far) and call again, as long as the next try starts by giveUpAt; otherwise,
// or without a sleep, or once signal aborts, the error goes to the caller. onRetry hears each wait.
async function retrying<T>(
  d: SegmentDeps,
  call: () => Promise<T>,
  o: {
    giveUpAt: number;
    delayMs: (failures: number) => number;
    retryable: (err: unknown) => boolean;
    signal?: AbortSignal;
    onRetry?: (err: unknown, failures: number, delayMs: number) => void;
  },
): Promise<T> {
  for (let failures = 1;; failures++) {
    try {
      return await call();
    } catch (err) {
      const delayMs = o.delayMs(failures);
      const retry = d.sleep && !o.signal?.aborted && o.retryable(err) &&
        d.now() + delayMs <= o.giveUpAt;
      if (!retry) throw err;
      o.onRetry?.(err, failures, delayMs);
      await d.sleep!(delayMs, o.signal);
    }
  }
}

// A call that must not be lost to a database restart: end_attempt (else the permit stays taken
// until its lease runs out) and complete_segment (else the audio, already uploaded, is generated
// again on the next delivery). While the database is unreachable the call is retried every
// UNREACHABLE_RETRY_MS for as long as the permit's lease would last, so it lands the moment the
// database is back and provider requests resume at once.
function surviving<T>(d: SegmentDeps, call: () => Promise<T>): Promise<T> {
  return retrying(d, call, {
    giveUpAt: d.now() + (d.retryUnreachableMs ?? 0),
    delayMs: () => UNREACHABLE_RETRY_MS,
    retryable: isUnreachable,
  });
}

// The upload of audio already paid for: a Storage error is retried (after 0.5, 1, 2, 4 s ...) for
// as long as the next try starts within STORAGE_RETRY_WINDOW_MS of the first, so a short Storage
// outage costs a wait, not a second provider call. Past the window the error goes on to settle()
// (message handed back with the error; the next delivery asks the provider again). A cancel or
// stop ends the waiting at once.
function uploading(
  d: SegmentDeps,
  seg: ClaimedSegment,
  signal: AbortSignal,
  upload: () => Promise<void>,
): Promise<void> {
  return retrying(d, upload, {
    giveUpAt: d.now() + STORAGE_RETRY_WINDOW_MS,
    delayMs: (failures) => STORAGE_RETRY_FIRST_MS * 2 ** (failures - 1),
    retryable: () => true,
    signal,
    onRetry: (err, attempt, delayMs) =>
      d.onEvent?.({
        type: "retry",
        segmentId: seg.segmentId,
        batchId: seg.batchId,
        attempt,
        delayMs,
        error: redactCredentials(`Storage upload: ${errorText(err)}`),
      }),
  });
}

// Every way the attempt → upload → complete path can throw, and what happens to the message.
async function settle(
  d: SegmentDeps,
  seg: ClaimedSegment,
  err: unknown,
  signals: { signal: AbortSignal; stop: AbortSignal },
  tally: { attempts: number; rateLimited: number },
): Promise<SegmentResult> {
  if (err instanceof SkipSegment) {
    if (err.outcome === "circuit_open") {
      d.circuit.heardOpen();
      return await hold(d, seg, tally);
    }
    d.onEvent?.({ type: err.outcome, segmentId: seg.segmentId, batchId: seg.batchId });
    return { outcome: err.outcome, ...tally };
  }
  if (err instanceof OutOfTime) {
    // A hand-back that fails costs nothing but time: the message reappears at its visibility
    // timeout. It never ends the run (the other slots' requests go on).
    try {
      await d.queue.returnMessages([seg.msgId]);
      return { outcome: "returned", ...tally };
    } catch (returnErr) {
      d.onEvent?.({
        type: "error",
        segmentId: seg.segmentId,
        batchId: seg.batchId,
        error: errorText(returnErr),
      });
      return { outcome: "error", ...tally };
    }
  }
  if (isAbortError(err) || signals.signal.aborted) {
    if (!signals.stop.aborted) return cancelled(d, seg, tally);
    await d.queue.returnMessages([seg.msgId]).catch(() => {});
    return { outcome: "returned", ...tally };
  }
  if (err instanceof ProviderError) {
    tally.rateLimited += err.rateLimited;
    try {
      if (await d.circuit.failed(seg, err) === "hold") return await hold(d, seg, tally);
    } catch (circuitErr) {
      return await handBackAfterError(d, seg, circuitErr, tally);
    }
    return await failSegment(d, seg, err.message, err.rateLimited, tally, err.status);
  }
  return await handBackAfterError(d, seg, err, tally);
}

async function failSegment(
  d: SegmentDeps,
  seg: ClaimedSegment,
  error: string,
  rateLimited: number,
  tally: { attempts: number; rateLimited: number },
  status?: number,
): Promise<SegmentResult> {
  try {
    await d.queue.fail(seg, error, rateLimited);
  } catch (failErr) {
    // The segment could not be marked failed (a database error): hand the message back after the
    // error delay, so a later delivery records the failure; the run goes on.
    // The provider's refusal is kept as last_error with the hand-back, so it is not lost.
    return await handBackAfterError(d, seg, failErr, tally, error);
  }
  d.onEvent?.({
    type: "failed",
    segmentId: seg.segmentId,
    batchId: seg.batchId,
    error,
    attempts: tally.attempts,
    status,
  });
  return { outcome: "failed", ...tally };
}

// The circuit is open: the message goes back as if never read; the segment stays queued.
async function hold(
  d: SegmentDeps,
  seg: ClaimedSegment,
  tally: { attempts: number; rateLimited: number },
): Promise<SegmentResult> {
  try {
    await d.queue.hold([seg.msgId]);
  } catch (holdErr) {
    return await handBackAfterError(d, seg, holdErr, tally);
  }
  d.onEvent?.({ type: "held", segmentId: seg.segmentId, batchId: seg.batchId });
  return { outcome: "held", ...tally };
}

// Anything unexpected (Storage, the database): the message comes back after the error delay. The
// hand-back counts against the delivery limit and keeps lastError (by default the error's text) as
// the segment's last_error, so a segment the limit ends says what kept going wrong. Whatever looks
// like a credential is masked first: the text is stored and shown on the admin page.
async function handBackAfterError(
  d: SegmentDeps,
  seg: ClaimedSegment,
  err: unknown,
  tally: { attempts: number; rateLimited: number },
  lastError = errorText(err),
): Promise<SegmentResult> {
  d.onEvent?.({
    type: "error",
    segmentId: seg.segmentId,
    batchId: seg.batchId,
    error: redactCredentials(errorText(err)),
  });
  await d.queue.returnMessages([seg.msgId], ERROR_RETRY_DELAY_S, redactCredentials(lastError))
    .catch(() => {});
  return { outcome: "error", ...tally };
}

function cancelled(
  d: SegmentDeps,
  seg: ClaimedSegment,
  tally: { attempts: number; rateLimited: number },
): SegmentResult {
  d.onEvent?.({ type: "cancelled", segmentId: seg.segmentId, batchId: seg.batchId });
  return { outcome: "cancelled", ...tally };
}
