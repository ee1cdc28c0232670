// The cancel watcher: while a run is on, every poll period it asks which of the batches it holds
// (in flight or buffered) were cancelled, aborts their in-flight provider requests at once and
// has their buffered messages dropped. A cancel announced by NOTIFY (audio.cancel_channel(), at
// the cancel's commit) for a batch it holds reaches announced() and it asks at once; while that
// LISTEN is in place the poll is only a fallback, at a longer period. The same loop keeps the
// worker's heartbeat fresh while every slot waits on the provider and no claim records it — only
// while the work progresses.
import type { SleepFn } from "../abort.ts";
import { HEARTBEAT_MS } from "../config.ts";
import type { WorkerQueue } from "./queue.ts";

interface CancelWatchDeps {
  queue: Pick<WorkerQueue, "heartbeat" | "cancelledBatches">;
  now: () => number;
  sleep: SleepFn;
  // The poll period, read before each sleep: short while nothing announces cancels, long once
  // LISTEN does.
  pollMs: number | (() => number);
  // The batch of every segment in flight, then of every buffered one (repeats allowed).
  heldBatches: () => string[];
  // A batch was found cancelled: drop its buffered messages.
  onCancelled: (batchId: string) => void;
  // Whether the worker's work moved on recently (progress.ts): the heartbeat means progress, so a
  // worker stuck in one call stops beating. Absent: always.
  progressing?: () => boolean;
}

export class CancelWatch {
  readonly #cancelled = new Set<string>();
  readonly #aborts = new Map<string, AbortController>();
  #wake = new AbortController();
  #lastBeat: number;
  #finished = false;

  constructor(private readonly d: CancelWatchDeps) {
    this.#lastBeat = d.now();
  }

  /** Aborts when the batch is found cancelled; the provider requests of its segments use it. */
  signalFor(batchId: string): AbortSignal {
    let ctl = this.#aborts.get(batchId);
    if (!ctl) {
      ctl = new AbortController();
      this.#aborts.set(batchId, ctl);
    }
    return ctl.signal;
  }

  isCancelled(batchId: string): boolean {
    return this.#cancelled.has(batchId);
  }

  /** A cancel was announced (NOTIFY): if this worker holds the batch, ask about it now. The
   * announcement is only a hint; the database's answer decides, as for a poll. */
  announced(batchId: string): void {
    if (this.#cancelled.has(batchId) || !this.d.heldBatches().includes(batchId)) return;
    this.#wake.abort();
  }

  /** The run is over: no more heartbeats or checks, even before `stop` ends the loop. */
  finish(): void {
    this.#finished = true;
  }

  /** Watches until finish() or `stop`; never throws (a missed poll is retried on the next). */
  async run(stop: AbortSignal): Promise<void> {
    let lastCheck = this.d.now();
    while (!stop.aborted && !this.#finished) {
      const pollMs = typeof this.d.pollMs === "number" ? this.d.pollMs : this.d.pollMs();
      // Until the next poll, or the heartbeat if that is due first, or an announcement.
      const pollIn = lastCheck + pollMs - this.d.now();
      const beatIn = this.#lastBeat + HEARTBEAT_MS - this.d.now();
      const waitMs = Math.max(0, beatIn > 0 ? Math.min(pollIn, beatIn) : pollIn);
      await this.d.sleep(waitMs, AbortSignal.any([stop, this.#wake.signal])).catch(() => {});
      const announced = this.#wake.signal.aborted;
      if (announced) this.#wake = new AbortController();
      const beat = this.d.progressing?.() ?? true;
      if (!this.#finished && beat && this.d.now() - this.#lastBeat >= HEARTBEAT_MS) {
        this.#lastBeat = this.d.now();
        await this.d.queue.heartbeat().catch(() => {});
      }
      // Woken for the heartbeat alone: the poll is not due yet.
      if (!announced && this.d.now() - lastCheck < pollMs) continue;
      lastCheck = this.d.now();
      const ids = [...new Set(this.d.heldBatches())].filter((id) => !this.#cancelled.has(id));
      if (ids.length === 0 || this.#finished) continue;
      try {
        for (const id of await this.d.queue.cancelledBatches(ids)) this.#cancel(id);
      } catch {
        // Retried on the next tick; the SQL side refuses a cancelled batch's work anyway.
      }
    }
  }

  #cancel(batchId: string): void {
    this.#cancelled.add(batchId);
    this.#aborts.get(batchId)?.abort(new DOMException("batch cancelled", "AbortError"));
    this.d.onCancelled(batchId);
  }
}
