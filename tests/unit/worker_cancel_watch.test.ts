// The cancel watcher: a heartbeat every HEARTBEAT_MS while the run is on (even with every slot
// waiting on the provider), one question per poll about the batches held, and for a cancelled
// batch: its requests aborted, its buffered messages dropped, no more questions about it. A
// cancel announced (NOTIFY) for a batch it holds is asked about at once; with LISTEN in place the
// poll runs at its longer fallback period, and the heartbeat keeps its own.
import assert from "node:assert/strict";
import { HEARTBEAT_MS } from "../../supabase/functions/_shared/config.ts";
import { CancelWatch } from "../../supabase/functions/_shared/worker/cancel_watch.ts";
import { FakeClock, FakeQueue } from "../helpers/worker_fakes.ts";

const POLL_MS = 250;

function setup(
  held: string[] = [],
  queue = new FakeQueue(),
  pollMs: number | (() => number) = POLL_MS,
) {
  const clock = new FakeClock();
  const dropped: string[] = [];
  const watch = new CancelWatch({
    queue,
    now: clock.now,
    sleep: clock.sleep,
    pollMs,
    heldBatches: () => held,
    onCancelled: (id) => dropped.push(id),
  });
  const stop = new AbortController();
  const running = watch.run(stop.signal);
  return { clock, queue, dropped, watch, stop, running };
}

Deno.test("heartbeat every HEARTBEAT_MS while the run is on, nothing else when nothing is held", async () => {
  const { clock, queue, stop, running } = setup();
  await clock.advance(HEARTBEAT_MS - POLL_MS);
  assert.deepEqual(queue.calls, []);
  await clock.advance(POLL_MS);
  assert.deepEqual(queue.calls, ["heartbeat"]);
  await clock.advance(HEARTBEAT_MS);
  assert.deepEqual(queue.calls, ["heartbeat", "heartbeat"]);
  stop.abort();
  await running;
});

Deno.test("asks once per poll about the batches held, each named once", async () => {
  const { clock, queue, stop, running } = setup(["b1", "b2", "b1", "b2", "b3"]);
  await clock.advance(POLL_MS * 2);
  assert.deepEqual(queue.calls, Array(2).fill("cancelledBatches b1,b2,b3"));
  stop.abort();
  await running;
});

Deno.test("a cancelled batch: its signal aborts, its buffered messages go, it is not asked about again", async () => {
  const queue = new FakeQueue({ cancelledBatches: (ids) => ids.filter((id) => id === "b2") });
  const { clock, dropped, watch, stop, running } = setup(["b1", "b2"], queue);
  const b1 = watch.signalFor("b1");
  const b2 = watch.signalFor("b2");
  assert.equal(watch.signalFor("b2"), b2, "one signal per batch");
  await clock.advance(POLL_MS);
  assert.ok(b2.aborted);
  assert.equal((b2.reason as DOMException).name, "AbortError");
  assert.equal(b1.aborted, false);
  assert.deepEqual(dropped, ["b2"]);
  assert.ok(watch.isCancelled("b2"));
  await clock.advance(POLL_MS);
  assert.deepEqual(queue.calls, ["cancelledBatches b1,b2", "cancelledBatches b1"]);
  stop.abort();
  await running;
});

Deno.test("a failed check or heartbeat is retried on the next tick, the watcher goes on", async () => {
  let fail = true;
  const queue = new FakeQueue({
    cancelledBatches: () => {
      if (fail) throw new Error("connection reset");
      return ["b1"];
    },
    heartbeat: () => {
      if (fail) throw new Error("connection reset");
    },
  });
  const { clock, dropped, stop, running } = setup(["b1"], queue);
  await clock.advance(HEARTBEAT_MS);
  fail = false;
  await clock.advance(POLL_MS);
  assert.deepEqual(dropped, ["b1"]);
  assert.equal(queue.calls.filter((c) => c.startsWith("cancelled")).length, 21);
  stop.abort();
  await running;
});

Deno.test("finish(): no heartbeat or question after it, and the loop ends", async () => {
  const { clock, queue, watch, running } = setup(["b1"]);
  clock.t = HEARTBEAT_MS; // a heartbeat is due at the next tick
  watch.finish();
  await clock.advance(POLL_MS);
  await running;
  assert.deepEqual(queue.calls, []);
});

const FALLBACK_MS = 1000;

Deno.test("an announced cancel of a batch it holds is asked about at once, not at the next poll", async () => {
  const queue = new FakeQueue({ cancelledBatches: (ids) => ids.filter((id) => id === "b2") });
  const { clock, dropped, watch, stop, running } = setup(["b1", "b2"], queue, FALLBACK_MS);
  const b2 = watch.signalFor("b2");
  await clock.advance(FALLBACK_MS / 4);
  assert.deepEqual(queue.calls, []);
  watch.announced("b2");
  await clock.advance(0);
  assert.deepEqual(queue.calls, ["cancelledBatches b1,b2"]);
  assert.ok(b2.aborted);
  assert.deepEqual(dropped, ["b2"]);
  // The next poll is a whole period after that question.
  await clock.advance(FALLBACK_MS - 1);
  assert.equal(queue.calls.length, 1);
  await clock.advance(1);
  assert.deepEqual(queue.calls, ["cancelledBatches b1,b2", "cancelledBatches b1"]);
  stop.abort();
  await running;
});

Deno.test("an announcement for a batch it does not hold, or already found cancelled, asks nothing", async () => {
  const queue = new FakeQueue({ cancelledBatches: (ids) => ids.filter((id) => id === "b1") });
  const { clock, watch, stop, running } = setup(["b1"], queue, FALLBACK_MS);
  watch.announced("other");
  await clock.advance(0);
  assert.deepEqual(queue.calls, []);
  await clock.advance(FALLBACK_MS);
  assert.ok(watch.isCancelled("b1"));
  watch.announced("b1");
  await clock.advance(0);
  assert.deepEqual(queue.calls, ["cancelledBatches b1"]);
  stop.abort();
  await running;
});

Deno.test("the poll period is read before each sleep; the heartbeat keeps its own period", async () => {
  let period = POLL_MS;
  const { clock, queue, stop, running } = setup(["b1"], new FakeQueue(), () => period);
  await clock.advance(POLL_MS * 4);
  assert.equal(queue.calls.length, 4);
  period = 3000; // LISTEN is in place from here: the poll slows down
  await clock.advance(POLL_MS);
  // t = 1,250: the sleep begun before the change ends; the next poll is 3,000 ms after it.
  assert.deepEqual(queue.calls.slice(4), ["cancelledBatches b1"]);
  await clock.advance(2999);
  assert.equal(queue.calls.length, 5);
  await clock.advance(1);
  assert.deepEqual(queue.calls.slice(4), ["cancelledBatches b1", "cancelledBatches b1"]);
  // t = 5,000: the heartbeat on time, without a question (the poll is due at 7,250).
  await clock.advance(HEARTBEAT_MS - 4250);
  assert.deepEqual(queue.calls.slice(6), ["heartbeat"]);
  await clock.advance(2249);
  assert.deepEqual(queue.calls.slice(6), ["heartbeat"]);
  await clock.advance(1);
  assert.deepEqual(queue.calls.slice(6), ["heartbeat", "cancelledBatches b1"]);
  stop.abort();
  await running;
});
