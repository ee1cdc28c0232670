// The slot feed: what a free slot does next. It takes the next claimed segment, or decides that
// the slot stops: the budget is spent, the queue is empty, what is left is in this worker's
// other slots, or nothing has been visible for idleExitMs. While the queue holds only invisible
// messages (other workers' in flight, a dead worker's awaiting their timeout) it polls.
import type { SleepFn } from "../abort.ts";
import type { ClaimAhead } from "./claim_ahead.ts";
import { errorText, type OnEvent } from "./events.ts";
import type { ClaimedSegment, WorkerQueue } from "./queue.ts";

export type StopReason = "empty" | "idle" | "budget" | "stop";

interface SlotFeedDeps {
  claims: Pick<ClaimAhead, "take">;
  queue: Pick<WorkerQueue, "depth">;
  now: () => number;
  sleep: SleepFn;
  random: () => number;
  onEvent?: OnEvent;
  idlePollMs: number;
  // How long to keep polling when nothing is visible and nothing is in flight here.
  idleExitMs: number;
  inFlight: () => number;
  timeUp: () => boolean;
  stop: AbortSignal;
}

export class SlotFeed {
  /** Why the last slot to stop did so. */
  stoppedBy: StopReason = "empty";
  /** Claims or depth reads that failed (each cost one poll period). */
  errors = 0;
  #idleSince: number | null = null;
  #claimAgain = true;

  constructor(private readonly d: SlotFeedDeps) {}

  /** The next segment for a free slot, or null when that slot should stop. */
  async next(): Promise<ClaimedSegment | null> {
    const d = this.d;
    while (!d.stop.aborted) {
      if (d.timeUp()) {
        this.stoppedBy = "budget";
        return null;
      }
      let depth: { visible: number; total: number };
      try {
        const seg = await d.claims.take();
        if (seg) {
          this.#idleSince = null;
          this.#claimAgain = true;
          return seg;
        }
        depth = await d.queue.depth();
      } catch (err) {
        // A failed claim (connection blip, lock timeout) costs one poll period, not the run.
        this.errors++;
        d.onEvent?.({ type: "error", segmentId: 0, error: errorText(err) });
        await d.sleep(d.idlePollMs, d.stop).catch(() => {});
        continue;
      }
      const stop = this.#stopWhenDrained(depth.total);
      if (stop !== undefined) return stop;
      // Messages became visible between the empty claim and the depth read (a batch queued just
      // then): claim again at once, not a poll period later. Once while messages stay visible:
      // ones the claim keeps leaving (another batch's turn, an open circuit) are polled.
      if (depth.visible === 0) this.#claimAgain = true;
      else if (this.#claimAgain) {
        this.#claimAgain = false;
        continue;
      }
      await d.sleep(d.idlePollMs * (0.75 + d.random() / 2), d.stop).catch(() => {});
    }
    this.stoppedBy = "stop";
    return null;
  }

  // null: this slot stops; undefined: keep polling.
  #stopWhenDrained(total: number): null | undefined {
    const busy = this.d.inFlight();
    if (total === 0 && busy === 0) {
      this.stoppedBy = "empty";
      return null;
    }
    if (total === 0) return null; // the rest is in this worker's other slots
    this.#idleSince ??= this.d.now();
    if (busy === 0 && this.d.now() - this.#idleSince >= this.d.idleExitMs) {
      this.stoppedBy = "idle";
      return null;
    }
    return undefined;
  }
}
