// The clock and timers the follow pieces use, behind one small interface so tests drive time by
// hand, and the one timer pattern they share: a timer kept running while a condition holds.

export interface Timers {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const realTimers: Timers = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => globalThis.setTimeout(fn, ms),
  clearTimeout: (h) => globalThis.clearTimeout(h as ReturnType<typeof globalThis.setTimeout>),
};

export interface Repeater {
  /** Starts the timer if want() holds and none is pending, stops it if want() no longer holds.
   * Call it after anything want() reads has changed. */
  sync(): void;
  /** Stops for good: no run after this. */
  stop(): void;
}

/** Runs fire() every `ms` while want() holds. A run that finds want() false does nothing; after
 * a run the timer is set again at once, or, when fire() returns a promise, once it settles (so a
 * slow read is never overlapped by the next). */
export function repeatWhile(
  timers: Timers,
  ms: number,
  want: () => boolean,
  fire: () => void | Promise<unknown>,
): Repeater {
  let handle: unknown = null;
  let stopped = false;

  function sync(): void {
    const on = !stopped && want();
    if (on && handle === null) {
      handle = timers.setTimeout(run, ms);
    } else if (!on && handle !== null) {
      timers.clearTimeout(handle);
      handle = null;
    }
  }

  function run(): void {
    handle = null;
    if (stopped || !want()) return;
    const pending = fire();
    if (pending) void pending.finally(sync);
    else sync();
  }

  return {
    sync,
    stop() {
      stopped = true;
      if (handle !== null) timers.clearTimeout(handle);
      handle = null;
    },
  };
}
