// The permit gate: a global permit (audio.begin_attempt) for each provider attempt, held for the
// request only. One slot of this worker polls for a permit at a time and the others queue behind
// it, so with every permit busy W workers poll W times per period, not W × concurrency. A permit
// freed by a slot of this worker, or by another worker (the NOTIFY on audio.permit_channel()
// reaches freed()), wakes the poller at once instead of leaving it to sleep out the period. A
// segment begun by a hand-off (audio.end_and_begin) arrives with its begin's answer and asks for
// nothing more, unless that answer was no_permit.
import type { SleepFn } from "../abort.ts";
import type { AttemptOutcome, ClaimedSegment, HandOff, WorkerQueue } from "./queue.ts";

/** What a hand-off's begin answered for a segment (audio.end_and_begin). */
export type Begun = Pick<HandOff, "outcome" | "slot">;

type SkipOutcome = Exclude<AttemptOutcome, "go" | "no_permit">;

/** The segment needs no (more) provider calls: reused, wait, cancelled or gone (see
 * audio.begin_attempt's table of outcomes). */
export class SkipSegment extends Error {
  constructor(readonly outcome: SkipOutcome) {
    super(outcome);
  }
}

/** The time budget left is too short for one more attempt (before a permit is asked for, or
 * while waiting for one): no attempt starts without the time to finish it. */
export class OutOfTime extends Error {}

interface PermitGateDeps {
  queue: Pick<WorkerQueue, "beginAttempt">;
  sleep: SleepFn;
  random: () => number;
  // The poll period: short while nothing announces freed permits, long once LISTEN does.
  pollMs: number | (() => number);
  // Whether an attempt started now would end (at its timeout) within the run's budget.
  timeForAttempt: () => boolean;
}

export class PermitGate {
  // Resolves when the slot ahead in line has its permit (or gave up).
  #line: Promise<void> = Promise.resolve();
  #wake = new AbortController();
  // Permits freed so far: one freed while begin_attempt was on its way (too late for it to see,
  // too early for a sleep to hear) sends the poller straight back instead of to sleep.
  #freedCount = 0;

  constructor(private readonly d: PermitGateDeps) {}

  /** The permit's slot number; throws SkipSegment, OutOfTime, or the signal's reason. begun: the
   * answer a hand-off already got for this segment (its permit, when go: returned even if the
   * signal aborted, so the attempt's end gives it back). */
  async acquire(seg: ClaimedSegment, signal: AbortSignal, begun?: Begun): Promise<number> {
    if (begun && begun.outcome !== "no_permit") {
      if (begun.outcome === "go" && begun.slot !== null) return begun.slot;
      throw new SkipSegment(begun.outcome as SkipOutcome);
    }
    let leave!: () => void;
    const ahead = this.#line;
    this.#line = new Promise((r) => (leave = r));
    try {
      await ahead;
      while (true) {
        if (signal.aborted) throw signal.reason;
        if (!this.d.timeForAttempt()) throw new OutOfTime();
        const freedBefore = this.#freedCount;
        const r = await this.d.queue.beginAttempt(seg);
        if (r.outcome === "go" && r.slot !== null) return r.slot;
        if (r.outcome !== "no_permit") throw new SkipSegment(r.outcome as SkipOutcome);
        // No sleep when no attempt could start after it anyway.
        if (!this.d.timeForAttempt()) throw new OutOfTime();
        if (this.#freedCount !== freedBefore) continue;
        // Until the poll period ends (jittered, so workers drift apart) or a permit frees here.
        const wake = AbortSignal.any([signal, this.#wake.signal]);
        const pollMs = typeof this.d.pollMs === "number" ? this.d.pollMs : this.d.pollMs();
        await this.d.sleep(pollMs * (0.5 + this.d.random()), wake).catch((err) => {
          if (signal.aborted) throw err;
        });
      }
    } finally {
      leave();
    }
  }

  /** A permit was released (by a slot of this worker, or announced by NOTIFY): wake the slot
   * waiting for one. */
  freed(): void {
    this.#freedCount++;
    this.#wake.abort();
    this.#wake = new AbortController();
  }
}
