// The followed batch's figures as the page shows them, as pure functions of the counters and a
// clock the caller passes: the share done, what was processed without succeeding, the status in
// words, the announcement for screen readers, and a smoothed success rate with its ETA.

import type { Batch, BatchStatus } from "../lib/index.ts";
import { RATE_MIN_SUCCESSES, RATE_SMOOTHING_MS, RATE_WARMUP_MS } from "../lib/config.ts";

type Counters = Pick<Batch, "total" | "done" | "failed" | "cancelled">;

/** Whole percent of the batch done (succeeded or reused), rounded down: 100 only when every
 * segment is done, so a batch cancelled or failed part-way never reads as finished. */
export function percentDone(b: Counters | null): number {
  if (!b || b.total <= 0) return 0;
  return Math.min(100, Math.floor((b.done / b.total) * 100));
}

/** Segments that reached an end without audio (failed or cancelled), shown beside "done". */
export function endedWithoutAudio(b: Counters | null): number {
  return b ? b.failed + b.cancelled : 0;
}

/** Segments not yet at an end (queued or generating). */
export function remaining(b: Counters | null): number {
  return b ? Math.max(0, b.total - b.done - b.failed - b.cancelled) : 0;
}

const STATUS_WORDS: Record<BatchStatus, string> = {
  queued: "queued",
  running: "running",
  completed: "completed",
  completed_with_errors: "completed with errors",
  cancelling: "cancelling",
  cancelled: "cancelled",
};

export function statusWords(status: BatchStatus): string {
  return STATUS_WORDS[status];
}

/** What the page's one polite live region says: the status and the share done in steps of 10 %,
 * so a screen reader hears progress every tenth of the batch, not ten times a second. */
export function announcement(b: (Counters & { status: BatchStatus }) | null): string {
  if (!b) return "";
  const step = Math.floor(percentDone(b) / 10) * 10;
  return `Batch ${statusWords(b.status)}: ${step}% done.`;
}

/** Segments succeeded per second, smoothed: samples of the batch's done count go in with their
 * time; the rate is null until the warm-up has passed and a few segments succeeded, then follows
 * the measured rate with an exponential time constant. Failures and cancels never count. */
export class SuccessRate {
  #first: { at: number; done: number } | null = null;
  #last: { at: number; done: number } | null = null;
  #smoothed: number | null = null;

  record(at: number, done: number): void {
    const last = this.#last;
    if (!this.#first || !last || done < last.done) {
      // The first sample, or a count that went back (another batch's numbers): start again.
      this.#first = { at, done };
      this.#last = { at, done };
      this.#smoothed = null;
      return;
    }
    if (at <= last.at) return;
    this.#last = { at, done };
    const first = this.#first;
    const warm = at - first.at >= RATE_WARMUP_MS && done - first.done >= RATE_MIN_SUCCESSES;
    if (!warm) return;
    if (this.#smoothed === null) {
      // Seeded with the mean over the whole warm-up, not the last second's burst.
      this.#smoothed = (done - first.done) / ((at - first.at) / 1000);
      return;
    }
    const instant = (done - last.done) / ((at - last.at) / 1000);
    const weight = 1 - Math.exp(-(at - last.at) / RATE_SMOOTHING_MS);
    this.#smoothed += (instant - this.#smoothed) * weight;
  }

  /** Segments per second, or null during the warm-up. */
  rate(): number | null {
    return this.#smoothed;
  }
}

/** Seconds until `left` segments finish at `rate`, rounded so the figure does not flicker: to
 * 5 s under two minutes, to the minute above. 0 when none are left, null without a rate. */
export function etaSeconds(left: number, rate: number | null): number | null {
  if (left <= 0) return 0;
  // Below one segment a minute the batch is stalled, not slow: no ETA is better than "3 days".
  if (rate === null || rate < 1 / 60) return null;
  const raw = left / rate;
  const step = raw < 120 ? 5 : 60;
  return Math.max(step, Math.ceil(raw / step) * step);
}
