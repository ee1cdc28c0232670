// The claim-ahead buffer: claims run ahead of the slots, so a slot that frees takes its next
// segment at once instead of waiting on the database. It holds up to `capacity` segments between
// the buffer and the slots; one claim at a time; a refill starts as soon as the buffer falls
// below `prefetch`. Segments of a cancelled batch are dropped, and so is a message this worker
// already holds; what is left when the run ends is handed back to the queue (an excused delivery:
// no fault of the segment).
import type { ClaimedSegment, WorkerQueue } from "./queue.ts";

interface ClaimAheadDeps {
  queue: Pick<WorkerQueue, "claim" | "returnMessages">;
  // Segments held at most, in the buffer and in flight together (concurrency + prefetch).
  capacity: number;
  // Refill when fewer than this many are buffered.
  prefetch: number;
  // Segments in flight (taken from the buffer, not yet finished).
  inFlight: () => number;
  // False once the run stops claiming (its budget is spent, or it was told to stop).
  mayClaim: () => boolean;
  isCancelled: (batchId: string) => boolean;
  // Whether a slot of this worker is working on this message (absent: none is).
  inFlightMessage?: (msgId: number) => boolean;
}

export class ClaimAhead {
  readonly #buffer: ClaimedSegment[] = [];
  #claiming: Promise<void> | null = null;
  /** Segments claimed so far (dropped ones included). */
  claimed = 0;

  constructor(private readonly d: ClaimAheadDeps) {}

  /** Claims up to the capacity; joins the claim already running, if any. */
  refill(): Promise<void> {
    if (this.#claiming) return this.#claiming;
    this.#claiming = (async () => {
      const want = this.d.capacity - this.#buffer.length - this.d.inFlight();
      if (want <= 0 || !this.d.mayClaim()) return;
      const got = await this.d.queue.claim(want);
      this.claimed += got.length;
      for (const seg of got) {
        if (this.d.isCancelled(seg.batchId)) continue;
        // Read again while this worker still holds it (its visibility ran out before an
        // extension): one worker never holds a message twice, so keep the copy it has.
        if (this.#holds(seg.msgId)) continue;
        this.#buffer.push(seg);
      }
    })().finally(() => {
      this.#claiming = null;
    });
    return this.#claiming;
  }

  /** The next buffered segment (claiming first if none is), or undefined when the queue had none
   * to give; starts the next refill in the background when the buffer runs low. Throws when the
   * claim fails. */
  async take(): Promise<ClaimedSegment | undefined> {
    if (this.#buffer.length === 0) await this.refill();
    const seg = this.#buffer.shift();
    if (seg && this.#buffer.length < this.d.prefetch) void this.refill().catch(() => {});
    return seg;
  }

  /** The next buffered segment without waiting for a claim (a hand-off cannot wait: its permit
   * is held), or undefined when none is buffered; starts a refill when the buffer runs low. */
  takeNow(): ClaimedSegment | undefined {
    const seg = this.#buffer.shift();
    if (this.#buffer.length < this.d.prefetch) void this.refill().catch(() => {});
    return seg;
  }

  /** A segment taken but not started (its hand-off failed) goes back to the front. */
  putBack(seg: ClaimedSegment): void {
    this.#buffer.unshift(seg);
  }

  #holds(msgId: number): boolean {
    return this.#buffer.some((s) => s.msgId === msgId) ||
      (this.d.inFlightMessage?.(msgId) ?? false);
  }

  /** Segments in the buffer now. */
  get buffered(): number {
    return this.#buffer.length;
  }

  /** Message ids of the buffered segments. */
  msgIds(): number[] {
    return this.#buffer.map((s) => s.msgId);
  }

  /** Batch ids of the buffered segments, in buffer order. */
  batchIds(): string[] {
    return this.#buffer.map((s) => s.batchId);
  }

  /** Forgets the buffered segments of a cancelled batch (the SQL side deleted their messages). */
  drop(batchId: string): void {
    for (let i = this.#buffer.length - 1; i >= 0; i--) {
      if (this.#buffer[i].batchId === batchId) this.#buffer.splice(i, 1);
    }
  }

  /** At the end of a run: waits for a claim under way, then hands every buffered message back
   * so another worker takes it at once rather than after its visibility timeout. */
  async handBack(): Promise<void> {
    if (this.#claiming) await this.#claiming.catch(() => {});
    if (this.#buffer.length > 0) {
      await this.d.queue.returnMessages(this.#buffer.splice(0).map((s) => s.msgId)).catch(
        () => {},
      );
    }
  }
}
