// How a segment's processing ends when it does not end done: the settling of whatever the
// attempt → upload → complete path threw (segment.ts lists the outcomes), failing the segment,
// holding it for the provider circuit, handing its message back after an unexpected error, and
// a cancel. None throws.
import { isAbortError } from "../abort.ts";
import { ERROR_RETRY_DELAY_S } from "../config.ts";
import { ProviderError } from "../provider/provider_error.ts";
import { redactCredentials } from "../redact.ts";
import { errorText } from "./events.ts";
import { OutOfTime, SkipSegment } from "./permit_gate.ts";
import type { ClaimedSegment } from "./queue.ts";
import type { SegmentDeps, SegmentResult } from "./segment.ts";

// Every way the attempt → upload → complete path can throw, and what happens to the message.
export async function settle(
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

export async function failSegment(
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
export async function hold(
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

export function cancelled(
  d: SegmentDeps,
  seg: ClaimedSegment,
  tally: { attempts: number; rateLimited: number },
): SegmentResult {
  d.onEvent?.({ type: "cancelled", segmentId: seg.segmentId, batchId: seg.batchId });
  return { outcome: "cancelled", ...tally };
}
