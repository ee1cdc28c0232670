// The permit gate: a global permit (audio.begin_attempt) for each provider attempt, held for the
// request only. One slot of this worker polls for a permit at a time and the others queue behind
// it, so with every permit busy W workers poll W times per period, not W × concurrency. A slot of
// this worker that frees a permit wakes the poller at once instead of leaving it to sleep out the
// period: the hand-off inside one worker costs no poll.
import type { SleepFn } from "../abort.ts";
import type { AttemptOutcome, ClaimedSegment, WorkerQueue } from "./queue.ts";

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
  pollMs: number;
  // Whether an attempt started now would end (at its timeout) within the run's budget.
  timeForAttempt: () => boolean;
}

export class PermitGate {
  // Resolves when the slot ahead in line has its permit (or gave up).
  #line: Promise<void> = Promise.resolve();
  #wake = new AbortController();

  constructor(private readonly d: PermitGateDeps) {}

  /** The permit's slot number; throws SkipSegment, OutOfTime, or the signal's reason. */
  async acquire(seg: ClaimedSegment, signal: AbortSignal): Promise<number> {
    let leave!: () => void;
    const ahead = this.#line;
    this.#line = new Promise((r) => (leave = r));
    try {
      await ahead;
      while (true) {
        if (signal.aborted) throw signal.reason;
        if (!this.d.timeForAttempt()) throw new OutOfTime();
        const r = await this.d.queue.beginAttempt(seg);
        if (r.outcome === "go" && r.slot !== null) return r.slot;
        if (r.outcome !== "no_permit") throw new SkipSegment(r.outcome as SkipOutcome);
        // No sleep when no attempt could start after it anyway.
        if (!this.d.timeForAttempt()) throw new OutOfTime();
        // Until the poll period ends (jittered, so workers drift apart) or a permit frees here.
        const wake = AbortSignal.any([signal, this.#wake.signal]);
        await this.d.sleep(this.d.pollMs * (0.5 + this.d.random()), wake).catch((err) => {
          if (signal.aborted) throw err;
        });
      }
    } finally {
      leave();
    }
  }

  /** A slot of this worker released its permit: wake the slot waiting for one. */
  freed(): void {
    this.#wake.abort();
    this.#wake = new AbortController();
  }
}
