// Progress: when this worker's work last moved on. Every answered call of its work — a claim, a
// permit poll, the end of an attempt (alone or with the next's begin), a completion, a failure, a
// hand-back, an idle depth read, a circuit hold, open or close — counts; the cancel watcher's and the claim keeper's own calls do not (they run beside the
// work, and keep running while the work is stuck). The heartbeat beats only while the last
// progress is within the window, so a worker stuck in one call stops beating, audio.worker_alive()
// turns false, and the watchdog or the next start-batch starts another worker.
import type { ClaimedSegment, WorkerQueue } from "./queue.ts";

export class ProgressQueue implements WorkerQueue {
  #last: number;

  constructor(
    private readonly inner: WorkerQueue,
    private readonly now: () => number,
    private readonly windowMs: number,
  ) {
    this.#last = now();
  }

  /** Whether the work moved on within the window. */
  progressing(): boolean {
    return this.now() - this.#last <= this.windowMs;
  }

  get roundTrips(): number {
    return this.inner.roundTrips;
  }

  async #moved<T>(call: Promise<T>): Promise<T> {
    const answer = await call;
    this.#last = this.now();
    return answer;
  }

  claim(qty: number) {
    return this.#moved(this.inner.claim(qty));
  }
  beginAttempt(seg: ClaimedSegment) {
    return this.#moved(this.inner.beginAttempt(seg));
  }
  endAttempt(slot: number, segmentId: number, willUpload: boolean) {
    return this.#moved(this.inner.endAttempt(slot, segmentId, willUpload));
  }
  endAndBegin(...args: Parameters<WorkerQueue["endAndBegin"]>) {
    return this.#moved(this.inner.endAndBegin(...args));
  }
  complete(...args: Parameters<WorkerQueue["complete"]>) {
    return this.#moved(this.inner.complete(...args));
  }
  fail(seg: ClaimedSegment, error: string, rateLimited?: number) {
    return this.#moved(this.inner.fail(seg, error, rateLimited));
  }
  returnMessages(msgIds: number[], delayS?: number, error?: string) {
    return this.#moved(this.inner.returnMessages(msgIds, delayS, error));
  }
  depth() {
    return this.#moved(this.inner.depth());
  }
  hold(msgIds: number[]) {
    return this.#moved(this.inner.hold(msgIds));
  }
  openCircuit(reason: string, providerError: string, probeAfterS: number) {
    return this.#moved(this.inner.openCircuit(reason, providerError, probeAfterS));
  }
  closeCircuit(by: string) {
    return this.#moved(this.inner.closeCircuit(by));
  }
  concurrencyLimited(slot: number, segmentId: number) {
    return this.#moved(this.inner.concurrencyLimited(slot, segmentId));
  }
  // Beside the work: these never count as progress.
  extendClaims(msgIds: number[]) {
    return this.inner.extendClaims(msgIds);
  }
  cancelledBatches(batchIds: string[]) {
    return this.inner.cancelledBatches(batchIds);
  }
  heartbeat() {
    return this.inner.heartbeat();
  }
  limitTick() {
    return this.inner.limitTick();
  }
  leave() {
    return this.inner.leave();
  }
}
