// Storage fault injection, for the fault suite: a window during which every Storage request is
// answered 500, and a window during which every Storage request is held (an upload that stalls)
// until the window ends, clear() is called or the client goes away. The gateway asks gate()
// before it serves a Storage route; nothing is injected until a window is opened.
import { storageErrors } from "./errors.ts";

export interface StorageFaults {
  /** Answer every Storage request 500 for the next `ms` milliseconds. */
  failFor(ms: number): void;
  /** Hold every Storage request for the next `ms` milliseconds, then serve it. */
  stallFor(ms: number): void;
  /** Close both windows now; held requests go on at once. */
  clear(): void;
  /** Requests held right now. */
  stalled(): number;
  /** Requests answered 500 and requests held, since the start. */
  injected(): { failed: number; stalled: number };
  /** Before a Storage request is served: the 500 to answer, or null (after any stall). The
   * request's signal is read only while stalling (reading it makes Deno warn on every request). */
  gate(req: Request): Promise<Response | null>;
}

/** One hour: no window beyond it is useful, and it catches seconds passed as milliseconds. */
const MAX_WINDOW_MS = 3_600_000;

function checkWindow(name: string, ms: number): void {
  if (!Number.isFinite(ms) || ms < 0 || ms > MAX_WINDOW_MS) {
    throw new Error(`storageFaults.${name}: ms must be 0–${MAX_WINDOW_MS}, got ${ms}`);
  }
}

export function storageFaults(now: () => number = Date.now): StorageFaults {
  let failUntil = 0;
  let stallUntil = 0;
  let held = 0;
  const totals = { failed: 0, stalled: 0 };
  // Aborted by clear() (and by a new stall window), so held requests re-read the window.
  let wake = new AbortController();
  const rewake = () => {
    wake.abort();
    wake = new AbortController();
  };

  const holdWhileStalled = async (signal: AbortSignal) => {
    held++;
    totals.stalled++;
    try {
      while (now() < stallUntil && !signal.aborted) {
        const woken = wake.signal;
        await new Promise<void>((resolve) => {
          const done = () => {
            clearTimeout(timer);
            signal.removeEventListener("abort", done);
            woken.removeEventListener("abort", done);
            resolve();
          };
          const timer = setTimeout(done, Math.max(0, stallUntil - now()));
          signal.addEventListener("abort", done);
          woken.addEventListener("abort", done);
        });
      }
    } finally {
      held--;
    }
  };

  return {
    failFor(ms) {
      checkWindow("failFor", ms);
      failUntil = now() + ms;
    },
    stallFor(ms) {
      checkWindow("stallFor", ms);
      stallUntil = now() + ms;
      rewake();
    },
    clear() {
      failUntil = 0;
      stallUntil = 0;
      rewake();
    },
    stalled: () => held,
    injected: () => ({ ...totals }),
    async gate(req) {
      if (now() < stallUntil) await holdWhileStalled(req.signal);
      if (now() >= failUntil) return null;
      totals.failed++;
      return storageErrors.internal().toResponse();
    },
  };
}
