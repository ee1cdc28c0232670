// The slot feed: a free slot's next segment, or why it stops (budget, empty, idle, stop), polling
// while the queue holds only invisible messages, and surviving a failed claim.
import assert from "node:assert/strict";
import type { WorkerEvent } from "../../supabase/functions/_shared/worker/events.ts";
import type { ClaimedSegment } from "../../supabase/functions/_shared/worker/queue.ts";
import { SlotFeed } from "../../supabase/functions/_shared/worker/slot_feed.ts";
import { FakeClock, FakeQueue, segment } from "../helpers/worker_fakes.ts";

const IDLE_POLL_MS = 250;
const IDLE_EXIT_MS = 1000;

function setup(opts: {
  take?: () => ClaimedSegment | undefined;
  depth?: { visible: number; total: number };
  inFlight?: number;
  timeUp?: () => boolean;
} = {}) {
  const clock = new FakeClock();
  const queue = new FakeQueue({ depth: () => opts.depth ?? { visible: 0, total: 0 } });
  const events: WorkerEvent[] = [];
  const stop = new AbortController();
  const feed = new SlotFeed({
    claims: {
      take: () => {
        queue.calls.push("take");
        return Promise.resolve(opts.take?.());
      },
    },
    queue,
    now: clock.now,
    sleep: clock.sleep,
    random: () => 0.5,
    onEvent: (e) => events.push(e),
    idlePollMs: IDLE_POLL_MS,
    idleExitMs: IDLE_EXIT_MS,
    inFlight: () => opts.inFlight ?? 0,
    timeUp: opts.timeUp ?? (() => false),
    stop: stop.signal,
  });
  return { clock, queue, events, stop, feed };
}

Deno.test("a claimed segment goes to the slot; no depth read", async () => {
  const { queue, feed } = setup({ take: () => segment(7) });
  assert.equal((await feed.next())?.segmentId, 7);
  assert.deepEqual(queue.calls, ["take"]);
});

Deno.test("budget spent: the slot stops at once, touching nothing", async () => {
  const { queue, feed } = setup({ take: () => segment(1), timeUp: () => true });
  assert.equal(await feed.next(), null);
  assert.equal(feed.stoppedBy, "budget");
  assert.deepEqual(queue.calls, []);
});

Deno.test("queue empty and nothing in flight: one depth read, stops as empty", async () => {
  const { queue, feed } = setup();
  assert.equal(await feed.next(), null);
  assert.equal(feed.stoppedBy, "empty");
  assert.deepEqual(queue.calls, ["take", "depth"]);
});

Deno.test("queue empty but this worker's other slots busy: this slot stops, the reason is theirs", async () => {
  const { feed } = setup({ inFlight: 2 });
  feed.stoppedBy = "budget";
  assert.equal(await feed.next(), null);
  assert.equal(feed.stoppedBy, "budget", "left as the last slot set it");
});

Deno.test("only invisible messages: polls every idle period, stops as idle after idleExitMs", async () => {
  const { clock, queue, feed } = setup({ depth: { visible: 0, total: 3 } });
  const next = feed.next();
  for (let i = 0; i < 4; i++) await clock.advance(IDLE_POLL_MS);
  assert.equal(await next, null);
  assert.equal(feed.stoppedBy, "idle");
  assert.equal(clock.t, IDLE_EXIT_MS);
  // idlePollMs × (0.75 + random / 2) with random = 0.5: the period itself.
  assert.deepEqual(clock.slept, Array(4).fill(IDLE_POLL_MS));
  assert.deepEqual(queue.calls, Array(5).fill(["take", "depth"]).flat());
});

Deno.test("messages visible after an empty claim (a batch just queued): claims again at once", async () => {
  const takes = [undefined, segment(5)];
  const { clock, queue, feed } = setup({
    take: () => takes.shift(),
    depth: { visible: 4, total: 4 },
  });
  assert.equal((await feed.next())?.segmentId, 5);
  assert.deepEqual(clock.slept, [], "no poll period waited");
  assert.deepEqual(queue.calls, ["take", "depth", "take"]);
});

Deno.test("visible messages the claim keeps leaving: claimed again once, then polled", async () => {
  const { clock, queue, stop, feed } = setup({ depth: { visible: 2, total: 2 } });
  const next = feed.next();
  await clock.advance(IDLE_POLL_MS);
  assert.deepEqual(clock.slept, [IDLE_POLL_MS, IDLE_POLL_MS], "a poll period between claims");
  assert.deepEqual(queue.calls, ["take", "depth", "take", "depth", "take", "depth"]);
  stop.abort();
  assert.equal(await next, null);
});

Deno.test("after a segment, the next empty claim with messages visible claims again at once", async () => {
  const takes = [undefined, segment(1), undefined, segment(2)];
  const { clock, queue, feed } = setup({
    take: () => takes.shift(),
    depth: { visible: 3, total: 3 },
  });
  assert.equal((await feed.next())?.segmentId, 1);
  assert.equal((await feed.next())?.segmentId, 2);
  assert.deepEqual(clock.slept, []);
  assert.deepEqual(queue.calls, ["take", "depth", "take", "take", "depth", "take"]);
});

Deno.test("invisible messages while this worker has work in flight: keeps polling past idleExitMs", async () => {
  const { clock, stop, feed } = setup({ depth: { visible: 0, total: 3 }, inFlight: 1 });
  const next = feed.next();
  await clock.advance(IDLE_EXIT_MS * 3);
  assert.ok(clock.slept.length >= 12, "still polling");
  stop.abort();
  assert.equal(await next, null);
  assert.equal(feed.stoppedBy, "stop");
});

Deno.test("a failed claim costs one idle period, is reported, and the slot goes on", async () => {
  let calls = 0;
  const { clock, events, feed } = setup({
    take: () => {
      if (calls++ === 0) throw new Error("connection reset");
      return segment(3);
    },
  });
  const next = feed.next();
  await clock.advance(IDLE_POLL_MS);
  assert.equal((await next)?.segmentId, 3);
  assert.equal(feed.errors, 1);
  assert.deepEqual(events, [{ type: "error", segmentId: 0, error: "connection reset" }]);
  assert.deepEqual(clock.slept, [IDLE_POLL_MS]);
});

Deno.test("told to stop: no segment, stops as stop", async () => {
  const { queue, stop, feed } = setup({ take: () => segment(1) });
  stop.abort();
  assert.equal(await feed.next(), null);
  assert.equal(feed.stoppedBy, "stop");
  assert.deepEqual(queue.calls, []);
});
