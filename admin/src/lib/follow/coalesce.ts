// Coalesces bursts: many changes, at most one notification per interval. A 10,000-segment batch
// can deliver hundreds of Realtime events a second; React should render a few times a second.

import type { Timers } from "../timers.ts";

interface Coalescer {
  /** Something changed: notify soon (at once if the last notification is old enough, but
   * always after the current synchronous burst). */
  request(): void;
  /** Notify now if a notification is pending (e.g. a snapshot just landed). */
  flushNow(): void;
  cancel(): void;
}

export function createCoalescer(
  notify: () => void,
  intervalMs: number,
  timers: Timers,
): Coalescer {
  let pending: unknown = null;
  let last = -Infinity;

  function fire(): void {
    pending = null;
    last = timers.now();
    notify();
  }

  return {
    request() {
      if (pending !== null) return;
      const wait = Math.max(0, last + intervalMs - timers.now());
      pending = timers.setTimeout(fire, wait);
    },
    flushNow() {
      if (pending === null) return;
      timers.clearTimeout(pending);
      fire();
    },
    cancel() {
      if (pending !== null) timers.clearTimeout(pending);
      pending = null;
    },
  };
}
