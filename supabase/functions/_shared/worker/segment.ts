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
import type { SleepFn } from "../abort.ts";
import {
  audioObjectPath,
  contentTypeOf,
  type OutputFormat,
  parseFormatKey,
} from "../audio_format.ts";
import type { CartesiaClient, SynthesizeResult } from "../provider/types.ts";
import { errorText, type OnEvent } from "./events.ts";
import type { Begun, PermitGate } from "./permit_gate.ts";
import { cancelled, failSegment, hold, settle } from "./segment_endings.ts";
import { surviving, uploading } from "./retrying.ts";
import type { ClaimedSegment, WorkerQueue } from "./queue.ts";
import type { WorkerCircuit } from "./circuit.ts";
import type { WorkerLimit } from "./limit.ts";
import type { HandOffFn } from "./chains.ts";

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
  // The gapless hand-off (the pool's): an attempt that brought audio ends together with the next
  // segment's begin, in one round trip, and that segment starts on the permit at once. Answers
  // end_attempt's live, or null when no next segment was at hand (then the attempt ends alone).
  handOff?: HandOffFn;
}

/** Whether `seg` could be sent to the provider now: its format and model can be requested and the
 * provider circuit lets it through (processSegment's own first checks, without their settling). */
export function requestable(
  d: Pick<SegmentDeps, "provider" | "circuit">,
  seg: ClaimedSegment,
): boolean {
  try {
    parseFormatKey(seg.format);
    d.provider(seg.modelId, seg.format);
  } catch {
    return false;
  }
  return d.circuit.mayRequest(seg);
}

// batch aborts when the segment's batch is cancelled, stop when the run is told to stop. begun:
// this segment's begin, already answered by a hand-off (absent: the gate asks for a permit).
export async function processSegment(
  d: SegmentDeps,
  seg: ClaimedSegment,
  batch: AbortSignal,
  stop: AbortSignal,
  begun?: Begun,
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
    await releaseUnused(d, seg, begun);
    return await failSegment(d, seg, `cannot request this audio: ${errorText(err)}`, 0, tally);
  }
  if (!d.circuit.mayRequest(seg)) {
    await releaseUnused(d, seg, begun);
    return await hold(d, seg, tally);
  }
  try {
    const heard = await synthesize(d, seg, client, signal, tally, begun);
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
    // Read before the upload: once stored, the bytes' buffer is read into again (app.ts).
    const size = bytes.length;
    await uploading(d, seg, signal, () => d.upload(path, bytes, contentTypeOf(format.container)));
    const completing = () => d.queue.complete(seg, path, size, heard.providerMs, rateLimited);
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
  begun: Begun | undefined,
): Promise<{ result: SynthesizeResult; live: boolean; providerMs: number | null }> {
  let live = true;
  let providerMs: number | null = null;
  let first = begun;
  const result = await client.synthesize({
    transcript: seg.text,
    voiceId: seg.voiceId,
    signal,
    aroundAttempt: async (fn) => {
      // A 429 for the provider's concurrency limit that lowered the shared limit is no attempt:
      // the request goes again under a new permit (limit.ts), with no backoff and no retry spent.
      // The first attempt may come with its permit (a hand-off); later ones ask the gate.
      while (true) {
        const slot = await d.gate.acquire(seg, signal, first);
        first = undefined;
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
          // Audio in hand: the next segment's request may start on this permit in the same round
          // trip. Otherwise (a retry to wait for, a refusal, a cancel) the permit goes back alone.
          const handed = upload && d.handOff ? await d.handOff(slot, seg) : null;
          if (handed) {
            live = handed.live;
          } else {
            live = await surviving(d, () => d.queue.endAttempt(slot, seg.segmentId, upload));
            d.gate.freed();
          }
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

// A permit a hand-off took for this segment, not used because the segment cannot be requested
// (its format, an open circuit): given back at once rather than at its lease's end.
async function releaseUnused(d: SegmentDeps, seg: ClaimedSegment, begun?: Begun): Promise<void> {
  if (begun?.outcome !== "go" || begun.slot === null) return;
  const slot = begun.slot;
  await surviving(d, () => d.queue.endAttempt(slot, seg.segmentId, false)).catch(() => {});
  d.gate.freed();
}
