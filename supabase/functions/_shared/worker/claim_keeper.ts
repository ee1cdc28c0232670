// The claim keeper: a message stays claimed while this worker holds it — buffered by claim-ahead,
// waiting for a permit, backing off between retries, uploading. Every `everyMs` (a fraction of
// the visibility timeout, CLAIM_EXTEND_FRACTION) it extends the visibility timeout of every held
// message in one round trip, so a slow provider never lets another worker take a segment this
// one is still working on. A failed extension is retried on the next tick; the ones before the
// timeout runs out leave room for a few. A worker whose work has stopped moving (progress.ts)
// stops extending too: its messages then reappear for the worker started in its place.
import type { SleepFn } from "../abort.ts";
import { errorText, type OnEvent } from "./events.ts";
import type { WorkerQueue } from "./queue.ts";

interface ClaimKeeperDeps {
  queue: Pick<WorkerQueue, "extendClaims">;
  sleep: SleepFn;
  everyMs: number;
  // The msg_id of every message this worker holds right now.
  held: () => number[];
  // Whether the work moved on recently; absent: always.
  progressing?: () => boolean;
  onEvent?: OnEvent;
}

export class ClaimKeeper {
  /** Extensions sent, and those that failed. */
  extensions = 0;
  failures = 0;

  constructor(private readonly d: ClaimKeeperDeps) {}

  /** Extends until `stop`; never throws. */
  async run(stop: AbortSignal): Promise<void> {
    while (!stop.aborted) {
      await this.d.sleep(this.d.everyMs, stop).catch(() => {});
      const ids = [...new Set(this.d.held())];
      if (stop.aborted || ids.length === 0 || !(this.d.progressing?.() ?? true)) continue;
      this.extensions++;
      try {
        await this.d.queue.extendClaims(ids);
      } catch (err) {
        this.failures++;
        this.d.onEvent?.({ type: "error", segmentId: 0, error: errorText(err) });
      }
    }
  }
}
