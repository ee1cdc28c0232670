// The permit gate: begin_attempt until a permit is free, one poller per worker, woken at once
// when a slot of the same worker frees a permit; the outcomes that need no provider call.
import assert from "node:assert/strict";
import {
  OutOfTime,
  PermitGate,
  SkipSegment,
} from "../../supabase/functions/_shared/worker/permit_gate.ts";
import type { AttemptOutcome } from "../../supabase/functions/_shared/worker/queue.ts";
import { FakeClock, FakeQueue, segment, settle } from "../helpers/worker_fakes.ts";

const POLL_MS = 50;

// begin_attempt answers no_permit until `free` holds a slot number.
function setup(opts: { timeForAttempt?: () => boolean } = {}) {
  const clock = new FakeClock();
  const permit = { free: null as number | null };
  const queue = new FakeQueue({
    beginAttempt: () =>
      permit.free === null
        ? { outcome: "no_permit", slot: null }
        : { outcome: "go", slot: permit.free },
  });
  const gate = new PermitGate({
    queue,
    sleep: clock.sleep,
    random: () => 0.5,
    pollMs: POLL_MS,
    timeForAttempt: opts.timeForAttempt ?? (() => true),
  });
  return { clock, permit, queue, gate };
}

Deno.test("a free permit: one begin_attempt, its slot", async () => {
  const { permit, queue, gate } = setup();
  permit.free = 4;
  assert.equal(await gate.acquire(segment(1), new AbortController().signal), 4);
  assert.deepEqual(queue.calls, ["beginAttempt 1"]);
});

Deno.test("every permit busy: polls once per period (jittered) until one frees", async () => {
  const { clock, permit, queue, gate } = setup();
  const got = gate.acquire(segment(1), new AbortController().signal);
  await clock.advance(POLL_MS);
  await clock.advance(POLL_MS);
  permit.free = 2;
  await clock.advance(POLL_MS);
  assert.equal(await got, 2);
  assert.deepEqual(queue.calls, Array(4).fill("beginAttempt 1"));
  // pollMs × (0.5 + random) with random = 0.5.
  assert.deepEqual(clock.slept, [POLL_MS, POLL_MS, POLL_MS]);
});

Deno.test("one slot polls at a time: the next waits its turn, then asks for itself", async () => {
  const { clock, permit, queue, gate } = setup();
  const signal = new AbortController().signal;
  const first = gate.acquire(segment(1), signal);
  const second = gate.acquire(segment(2), signal);
  await clock.advance(POLL_MS * 3);
  assert.deepEqual(queue.calls, Array(4).fill("beginAttempt 1"), "only the first slot polls");
  permit.free = 1;
  await clock.advance(POLL_MS);
  assert.equal(await first, 1);
  assert.equal(await second, 1);
  assert.deepEqual(queue.calls.slice(4), ["beginAttempt 1", "beginAttempt 2"]);
});

Deno.test("a permit freed by this worker wakes the poller at once, not at the period's end", async () => {
  const { clock, permit, queue, gate } = setup();
  const got = gate.acquire(segment(1), new AbortController().signal);
  await settle();
  assert.deepEqual(queue.calls, ["beginAttempt 1"]);
  assert.equal(clock.sleeping, 1, "sleeping out the poll period");
  permit.free = 3;
  gate.freed();
  await settle();
  assert.equal(await got, 3);
  assert.equal(clock.t, 0, "no time passed");
  assert.deepEqual(queue.calls, ["beginAttempt 1", "beginAttempt 1"]);
});

Deno.test("outcomes that need no provider call throw SkipSegment with the outcome", async () => {
  for (const outcome of ["reused", "wait", "cancelled", "gone"] as AttemptOutcome[]) {
    const queue = new FakeQueue({ beginAttempt: () => ({ outcome, slot: null }) });
    const clock = new FakeClock();
    const gate = new PermitGate({
      queue,
      sleep: clock.sleep,
      random: () => 0.5,
      pollMs: POLL_MS,
      timeForAttempt: () => true,
    });
    await assert.rejects(
      gate.acquire(segment(1), new AbortController().signal),
      (err) => err instanceof SkipSegment && err.outcome === outcome,
    );
    assert.deepEqual(queue.calls, ["beginAttempt 1"]);
  }
});

Deno.test("budget spent while waiting: OutOfTime after the refused poll, no sleep", async () => {
  let polls = 0;
  const { clock, queue, gate } = setup({ timeForAttempt: () => polls++ === 0 });
  await assert.rejects(gate.acquire(segment(1), new AbortController().signal), OutOfTime);
  assert.deepEqual(queue.calls, ["beginAttempt 1"]);
  assert.deepEqual(clock.slept, []);
});

Deno.test("too little budget left for an attempt: OutOfTime before asking for a permit", async () => {
  const { permit, queue, gate } = setup({ timeForAttempt: () => false });
  permit.free = 1;
  await assert.rejects(gate.acquire(segment(1), new AbortController().signal), OutOfTime);
  assert.deepEqual(queue.calls, [], "no begin_attempt: no permit taken, no attempt counted");
});

Deno.test("an abort ends the wait at once and lets the next slot in", async () => {
  const { clock, permit, queue, gate } = setup();
  const ctl = new AbortController();
  const first = gate.acquire(segment(1), ctl.signal);
  const second = gate.acquire(segment(2), new AbortController().signal);
  await settle();
  permit.free = 5;
  ctl.abort(new DOMException("batch cancelled", "AbortError"));
  await assert.rejects(first, { name: "AbortError" });
  assert.equal(await second, 5);
  assert.equal(clock.t, 0);
  assert.deepEqual(queue.calls, ["beginAttempt 1", "beginAttempt 2"]);
  // Already aborted: not even one round trip.
  await assert.rejects(gate.acquire(segment(3), ctl.signal), /batch cancelled/);
  assert.equal(queue.calls.length, 2);
});

Deno.test("a permit freed while begin_attempt was on its way: straight back, no sleep", async () => {
  const clock = new FakeClock();
  let answers = 0;
  const queue = new FakeQueue({
    beginAttempt: () => {
      // The first ask is refused, and a permit frees (announced) before its answer arrives.
      if (answers++ > 0) return { outcome: "go", slot: 2 };
      gate.freed();
      return { outcome: "no_permit", slot: null };
    },
  });
  const gate: PermitGate = new PermitGate({
    queue,
    sleep: clock.sleep,
    random: () => 0.5,
    pollMs: POLL_MS,
    timeForAttempt: () => true,
  });
  assert.equal(await gate.acquire(segment(1), new AbortController().signal), 2);
  assert.deepEqual(clock.slept, [], "the release was not lost to the sleep after it");
  assert.deepEqual(queue.calls, ["beginAttempt 1", "beginAttempt 1"]);
});

Deno.test("a hand-off's answer: its permit without a round trip; its other outcomes as if asked", async () => {
  const { queue, gate } = setup();
  const signal = new AbortController().signal;
  assert.equal(await gate.acquire(segment(1), signal, { outcome: "go", slot: 7 }), 7);
  const aborted = AbortSignal.abort();
  assert.equal(
    await gate.acquire(segment(1), aborted, { outcome: "go", slot: 7 }),
    7,
    "a permit already taken is returned even after an abort, so the attempt's end gives it back",
  );
  await assert.rejects(
    gate.acquire(segment(1), signal, { outcome: "circuit_open", slot: null }),
    (err) => err instanceof SkipSegment && err.outcome === "circuit_open",
  );
  assert.deepEqual(queue.calls, []);
});

Deno.test("a hand-off that got no permit: the gate asks again like any slot", async () => {
  const { permit, queue, gate } = setup();
  permit.free = 3;
  const got = await gate.acquire(segment(1), new AbortController().signal, {
    outcome: "no_permit",
    slot: null,
  });
  assert.equal(got, 3);
  assert.deepEqual(queue.calls, ["beginAttempt 1"]);
});

Deno.test("the poll period is read at each sleep: the slower fallback once LISTEN is in place", async () => {
  const clock = new FakeClock();
  let period = POLL_MS;
  let free = false;
  const queue = new FakeQueue({
    beginAttempt: () => (free ? { outcome: "go", slot: 1 } : { outcome: "no_permit", slot: null }),
  });
  const gate = new PermitGate({
    queue,
    sleep: clock.sleep,
    random: () => 0.5,
    pollMs: () => period,
    timeForAttempt: () => true,
  });
  const got = gate.acquire(segment(1), new AbortController().signal);
  await settle(); // asleep for the short period
  period = 1000; // LISTEN is in place from here
  await clock.advance(POLL_MS);
  await clock.advance(1000);
  free = true;
  await clock.advance(1000);
  assert.equal(await got, 1);
  assert.deepEqual(clock.slept, [POLL_MS, 1000, 1000]);
});
