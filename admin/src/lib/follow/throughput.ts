// Throughput (finished segments per second over a sliding window) and the ETA it implies, from
// samples of the batch's done + failed counter: arithmetic only, the caller says when it is.

import { THROUGHPUT_MIN_SPAN_MS, THROUGHPUT_WINDOW_MS } from "../config.ts";

interface Sample {
  at: number;
  finished: number;
}

export class ThroughputMeter {
  #samples: Sample[] = [];

  /** Records the finished count at time `at` (ms). A count that went down (a retry requeued
   * failed segments) starts the window again. */
  record(at: number, finished: number): void {
    const lastSample = this.#samples.at(-1);
    if (lastSample && finished < lastSample.finished) this.#samples = [];
    this.#samples.push({ at, finished });
    // Keep one sample at or before the window start, so the window is always fully spanned.
    const start = at - THROUGHPUT_WINDOW_MS;
    while (this.#samples.length > 2 && this.#samples[1].at <= start) {
      this.#samples.shift();
    }
  }

  /** Segments per second over the window ending at `now`, or null without enough history. The
   * count is a step function between samples: it holds each sample's value until the next. */
  rate(now: number): number | null {
    const samples = this.#samples;
    if (samples.length === 0) return null;
    const start = now - THROUGHPUT_WINDOW_MS;
    // The count at the window start: that of the last sample at or before it, if any.
    let fromAt = samples[0].at;
    let fromCount = samples[0].finished;
    for (const s of samples) {
      if (s.at > start) break;
      fromAt = start;
      fromCount = s.finished;
    }
    const span = now - fromAt;
    if (span < THROUGHPUT_MIN_SPAN_MS) return null;
    const last = samples[samples.length - 1];
    return Math.max(0, (last.finished - fromCount) / (span / 1000));
  }
}

/** Seconds until `remaining` segments finish at `rate` per second: 0 when none remain, null when
 * the rate is unknown or zero. */
export function etaSeconds(
  remaining: number,
  rate: number | null,
): number | null {
  if (remaining <= 0) return 0;
  if (rate === null || rate <= 0) return null;
  return Math.ceil(remaining / rate);
}
