// The runtime's shutdown notice (Supabase's edge runtime sends beforeunload before it ends an
// instance, at its wall-clock or CPU limit or when it recycles it): every run of the instance is
// told to stop, so it aborts its requests in flight and hands back every message it holds (an
// excused delivery) instead of leaving them to their visibility timeout, and its successor is
// started at once when work is left.
import type { WorkerReport } from "./pool.ts";

export class ShutdownNotice {
  readonly #runs = new Set<AbortController>();
  #given = false;

  /** onShutdown: the platform's hook for the notice (absent: none ever comes). */
  constructor(onShutdown?: (fn: () => void) => void) {
    onShutdown?.(() => {
      this.#given = true;
      for (const run of this.#runs) run.abort();
    });
  }

  /** Whether the notice has come. */
  get given(): boolean {
    return this.#given;
  }

  /** A run's stop signal, aborted by the notice (at once, if it already came); done() when the
   * run has ended. */
  track(): { signal: AbortSignal; done: () => void } {
    const run = new AbortController();
    if (this.#given) run.abort();
    this.#runs.add(run);
    return { signal: run.signal, done: () => this.#runs.delete(run) };
  }
}

/** Whether a run's end should start a fresh invocation: it handed over (its budget spent with
 * work left), or the shutdown notice stopped it with work left. */
export function successorNeeded(report: WorkerReport, stoppedByNotice: boolean): boolean {
  return report.handOver || (stoppedByNotice && report.workLeft);
}
