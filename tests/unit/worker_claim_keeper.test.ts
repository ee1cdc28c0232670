// The claim keeper: every held message's visibility is extended once per period in one call, a
// failed extension is retried on the next period, and a worker whose work stopped moving stops
// extending (its messages reappear for the worker started in its place).
import assert from "node:assert/strict";
import { ClaimKeeper } from "../../supabase/functions/_shared/worker/claim_keeper.ts";
import { FakeClock, FakeQueue } from "../helpers/worker_fakes.ts";

const EVERY_MS = 20_000;

function setup(held: number[], progressing = () => true) {
  const clock = new FakeClock();
  const queue = new FakeQueue();
  const keeper = new ClaimKeeper({
    queue,
    sleep: clock.sleep,
    everyMs: EVERY_MS,
    held: () => held,
    progressing,
  });
  const stop = new AbortController();
  const running = keeper.run(stop.signal);
  return { clock, queue, keeper, stop, running };
}

Deno.test("every held message extended once per period, in one call, repeats dropped", async () => {
  const { clock, queue, stop, running } = setup([101, 102, 101]);
  await clock.advance(EVERY_MS - 1);
  assert.deepEqual(queue.calls, [], "nothing before the period");
  await clock.advance(1);
  assert.deepEqual(queue.calls, ["extendClaims 101,102"]);
  await clock.advance(EVERY_MS);
  assert.deepEqual(queue.calls, ["extendClaims 101,102", "extendClaims 101,102"]);
  stop.abort();
  await running;
});

Deno.test("nothing held: no call", async () => {
  const { clock, queue, stop, running } = setup([]);
  await clock.advance(3 * EVERY_MS);
  assert.deepEqual(queue.calls, []);
  stop.abort();
  await running;
});

Deno.test("a failed extension is counted and retried on the next period", async () => {
  const { clock, queue, keeper, stop, running } = setup([101]);
  let calls = 0;
  queue.script.extendClaims = () => {
    if (calls++ === 0) throw new Error("connection reset");
    return 1;
  };
  await clock.advance(2 * EVERY_MS);
  assert.equal(keeper.failures, 1);
  assert.deepEqual(queue.calls, ["extendClaims 101", "extendClaims 101"]);
  stop.abort();
  await running;
});

Deno.test("work that stopped moving: no more extensions", async () => {
  let moving = true;
  const { clock, queue, stop, running } = setup([101], () => moving);
  await clock.advance(EVERY_MS);
  moving = false;
  await clock.advance(3 * EVERY_MS);
  assert.deepEqual(queue.calls, ["extendClaims 101"]);
  stop.abort();
  await running;
});
