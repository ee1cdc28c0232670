// The worker's calls that must outlast a short outage: one call retried until a deadline, and its
// two uses — a database call that must not be lost to a restart (surviving) and the upload of
// audio already paid for (uploading). segment.ts and the pool's hand-off use them.
import type { SleepFn } from "../abort.ts";
import {
  STORAGE_RETRY_FIRST_MS,
  STORAGE_RETRY_WINDOW_MS,
  UNREACHABLE_RETRY_MS,
} from "../config.ts";
import { isConflictRollback, isUnreachable } from "../db.ts";
import { redactCredentials } from "../redact.ts";
import { errorText, type OnEvent } from "./events.ts";
import type { ClaimedSegment } from "./queue.ts";

export interface RetryDeps {
  now: () => number;
  // Absent: nothing is retried.
  sleep?: SleepFn;
  // How long to keep retrying a call while the database cannot be reached (a permit's lease);
  // absent or 0: no retry.
  retryUnreachableMs?: number;
  onEvent?: OnEvent;
}

// One call retried until a deadline: after a failure for which retryable() holds, wait delayMs(n)
// (n = the failures so far) and call again, as long as the next try starts by giveUpAt; otherwise,
// or without a sleep, or once signal aborts, the error goes to the caller. onRetry hears each wait.
async function retrying<T>(
  d: RetryDeps,
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
// database is back and provider requests resume at once. A call Postgres rolled back to end a
// deadlock or a serialization conflict is retried the same way: nothing of it was kept.
export function surviving<T>(d: RetryDeps, call: () => Promise<T>): Promise<T> {
  return retrying(d, call, {
    giveUpAt: d.now() + (d.retryUnreachableMs ?? 0),
    delayMs: () => UNREACHABLE_RETRY_MS,
    retryable: (err) => isUnreachable(err) || isConflictRollback(err),
  });
}

// The upload of audio already paid for: a Storage error is retried (after 0.5, 1, 2, 4 s ...) for
// as long as the next try starts within STORAGE_RETRY_WINDOW_MS of the first, so a short Storage
// outage costs a wait, not a second provider call. Past the window the error goes on to settle()
// (message handed back with the error; the next delivery asks the provider again). A cancel or
// stop ends the waiting at once.
export function uploading(
  d: RetryDeps,
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
