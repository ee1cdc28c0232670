// The worker's side of the learned concurrency limit (the limit itself is one row in Postgres,
// shared by every worker: audio.concurrency_limit). Two jobs:
//   heard()  a provider answer on a permit, before the permit is given back: a 429 for the
//            concurrency limit (provider/concurrency_limit.ts) lowers the shared limit to the
//            requests in flight minus one, and unless it taught nothing (the limit pinned, or this
//            request alone in flight) the request is no failed attempt: the slot asks for another
//            permit and sends it again, no backoff, no retry spent. Any other answer: nothing.
//   run()    every LIMIT_WATCH_MS, audio.limit_tick: the ceiling and the pin recorded, the probe
//            step up when it is due, and the figures the worker reports (the limit, requests in
//            flight, concurrency 429s in the last minute). A change is one log line.
import type { SleepFn } from "../abort.ts";
import { isConcurrencyLimited } from "../provider/concurrency_limit.ts";
import type { OnEvent } from "./events.ts";
import type { ClaimedSegment, LimitStatus, WorkerQueue } from "./queue.ts";

/** What a run reports of the limit: the last read's figures, and the concurrency 429s this run
 * heard. */
export interface LimitFigures {
  limit: number;
  ceiling: number;
  inFlight: number;
  limitedLastMinute: number;
  concurrency429s: number;
}

interface LimitDeps {
  store: Pick<WorkerQueue, "concurrencyLimited" | "limitTick">;
  sleep: SleepFn;
  everyMs: number;
  onEvent?: OnEvent;
}

export class WorkerLimit {
  #last: LimitStatus | null = null;
  // The limit as this worker last heard it (a read or its own 429), so a change is logged once.
  #known: number | null = null;
  #heard = 0;

  constructor(private readonly d: LimitDeps) {}

  /** The last figures read (null before the first read), and the concurrency 429s this worker
   * heard. */
  get status(): { last: LimitStatus | null; concurrency429s: number } {
    return { last: this.#last, concurrency429s: this.#heard };
  }

  /** A provider answer heard on permit `slot`; true when the slot is to ask for a permit again
   * and resend (the attempt was taken back). A database error here makes it an ordinary 429. */
  async heard(slot: number, seg: ClaimedSegment, answer: unknown): Promise<boolean> {
    if (!isConcurrencyLimited(answer)) return false;
    this.#heard++;
    try {
      const r = await this.d.store.concurrencyLimited(slot, seg.segmentId);
      if (r.waits && this.#known !== r.limit) {
        this.#known = r.limit;
        this.d.onEvent?.({
          type: "limit",
          limit: r.limit,
          ceiling: this.#last?.ceiling ?? r.limit,
          inFlight: r.inFlight,
          cause: "429",
        });
      }
      return r.waits;
    } catch {
      return false;
    }
  }

  /** A last read at the run's end, for its report (undefined when the database did not answer). */
  async finalFigures(): Promise<LimitFigures | undefined> {
    await this.tick();
    if (!this.#last) return undefined;
    const { limit, ceiling, inFlight, limitedLastMinute } = this.#last;
    return { limit, ceiling, inFlight, limitedLastMinute, concurrency429s: this.#heard };
  }

  /** Reads (and probes) the limit until `stop`; never throws (a missed read is retried). */
  async run(stop: AbortSignal): Promise<void> {
    while (!stop.aborted) {
      await this.tick();
      await this.d.sleep(this.d.everyMs, stop).catch(() => {});
    }
  }

  /** One read of the limit; logs a probe step (a change the 429 path did not log). */
  async tick(): Promise<void> {
    try {
      const s = await this.d.store.limitTick();
      const before = this.#known;
      this.#last = s;
      this.#known = s.limit;
      if (s.changed && before !== s.limit) {
        this.d.onEvent?.({
          type: "limit",
          limit: s.limit,
          ceiling: s.ceiling,
          inFlight: s.inFlight,
          cause: "probe",
        });
      }
    } catch {
      // Retried on the next tick; permits are handed out under the stored limit meanwhile.
    }
  }
}
