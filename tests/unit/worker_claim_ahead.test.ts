// The claim-ahead buffer: claims up to the capacity, refills in the background below the
// prefetch mark, one claim at a time, drops cancelled batches, never holds a message twice, and
// hands back what is left.
import assert from "node:assert/strict";
import type { ClaimedSegment } from "../../supabase/functions/_shared/worker/queue.ts";
import { ClaimAhead } from "../../supabase/functions/_shared/worker/claim_ahead.ts";
import { FakeQueue, segment, settle } from "../helpers/worker_fakes.ts";

function setup(over: { cancelled?: Set<string>; mayClaim?: () => boolean } = {}) {
  const queue = new FakeQueue();
  const held = { inFlight: 0, inFlightMessages: new Set<number>() };
  const claims = new ClaimAhead({
    queue,
    capacity: 4, // concurrency 2 + prefetch 2
    prefetch: 2,
    inFlight: () => held.inFlight,
    mayClaim: over.mayClaim ?? (() => true),
    isCancelled: (id) => over.cancelled?.has(id) ?? false,
    inFlightMessage: (msgId) => held.inFlightMessages.has(msgId),
  });
  return { queue, held, claims };
}

const ids = (segs: (ClaimedSegment | undefined)[]) => segs.map((s) => s?.segmentId);

Deno.test("claims the capacity up front, hands out in order, refills below the prefetch mark", async () => {
  const { queue, held, claims } = setup();
  queue.messages.push(...[1, 2, 3, 4, 5, 6, 7].map((i) => segment(i)));
  const first = await claims.take();
  held.inFlight = 1;
  const second = await claims.take(); // 2 left buffered: not below the mark
  held.inFlight = 2;
  await settle();
  assert.deepEqual(queue.calls, ["claim 4"]);
  const third = await claims.take(); // 1 left: refill the room, 4 held - 1 buffered - 2 in flight
  held.inFlight = 3;
  await settle();
  assert.deepEqual(queue.calls, ["claim 4", "claim 1"], "refill asks for the room left");
  assert.deepEqual(ids([first, second, third]), [1, 2, 3]);
  assert.deepEqual(claims.batchIds(), ["batch-1", "batch-1"]);
  assert.equal(claims.claimed, 5);
});

Deno.test("no room, or no claiming allowed: no claim is made", async () => {
  const { queue, held, claims } = setup();
  held.inFlight = 4;
  assert.equal(await claims.take(), undefined);
  const stopped = setup({ mayClaim: () => false });
  assert.equal(await stopped.claims.take(), undefined);
  assert.deepEqual([...queue.calls, ...stopped.queue.calls], []);
});

Deno.test("one claim at a time: takes during a claim join it", async () => {
  const queue = new FakeQueue();
  let answer!: (segs: ClaimedSegment[]) => void;
  queue.script.claim = () => new Promise((r) => (answer = r));
  const claims = new ClaimAhead({
    queue,
    capacity: 4,
    prefetch: 2,
    inFlight: () => 0,
    mayClaim: () => true,
    isCancelled: () => false,
  });
  const a = claims.take();
  const b = claims.take();
  await settle();
  assert.deepEqual(queue.calls, ["claim 4"]);
  answer([segment(1), segment(2), segment(3), segment(4)]);
  assert.deepEqual(ids([await a, await b]), [1, 2]);
  await settle();
  assert.deepEqual(queue.calls, ["claim 4"], "2 still buffered: no refill");
});

Deno.test("a cancelled batch's segments are not buffered, and drop() forgets buffered ones", async () => {
  const cancelled = new Set(["gone-batch"]);
  const { queue, claims } = setup({ cancelled });
  queue.messages.push(
    segment(1, "live"),
    segment(2, "gone-batch"),
    segment(3, "later"),
    segment(4, "live"),
  );
  assert.equal((await claims.take())?.segmentId, 1);
  assert.deepEqual(claims.batchIds(), ["later", "live"]);
  claims.drop("live");
  assert.deepEqual(claims.batchIds(), ["later"]);
  assert.equal(claims.claimed, 4, "dropped segments were still claimed");
});

Deno.test("handBack waits for the claim under way, then returns every buffered message at once", async () => {
  const queue = new FakeQueue();
  let answer!: (segs: ClaimedSegment[]) => void;
  queue.script.claim = () => new Promise((r) => (answer = r));
  const claims = new ClaimAhead({
    queue,
    capacity: 3,
    prefetch: 3,
    inFlight: () => 0,
    mayClaim: () => true,
    isCancelled: () => false,
  });
  void claims.refill();
  const handedBack = claims.handBack();
  await settle();
  assert.deepEqual(queue.calls, ["claim 3"]);
  answer([segment(1), segment(2), segment(3)]);
  await handedBack;
  assert.deepEqual(queue.calls, ["claim 3", "returnMessages 101,102,103 delay=0"]);
  assert.deepEqual(claims.batchIds(), []);
  await claims.handBack();
  assert.equal(queue.calls.length, 2, "nothing buffered: no round trip");
});

Deno.test("a message read again while held (in flight or buffered) is not held twice", async () => {
  const { queue, held, claims } = setup();
  // Its visibility ran out while this worker held it: the same messages come back in a claim.
  const again = [segment(1), segment(2), segment(3)];
  queue.script.claim = () => again.splice(0);
  const first = await claims.take(); // claims 1, 2, 3 and hands out 1
  held.inFlight = 1;
  held.inFlightMessages.add(first!.msgId);
  again.push(segment(1), segment(2), segment(4));
  queue.script.claim = () => again.splice(0);
  await claims.refill();
  assert.deepEqual(claims.msgIds(), [102, 103, 104], "101 is in flight, 102 buffered: once each");
  assert.equal(claims.claimed, 6, "every read is counted as claimed");
});
