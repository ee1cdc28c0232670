// The worker's side of the learned concurrency limit, on a fake clock and a scripted queue: which
// 429 is the concurrency limit's, a concurrency 429 that lowered the shared limit resent under a
// new permit with no retry spent, one that taught nothing (alone in flight, or pinned) and every
// other 429 backed off with Retry-After, and the periodic read that reports and logs the limit.
// The rules that set the limit (N - 1, never below 1, the probe after the quiet period, the
// ceiling, the pin) are the database's: supabase/tests/concurrency_limited and limit_tick.
import assert from "node:assert/strict";
import { isConcurrencyLimited } from "../../supabase/functions/_shared/provider/concurrency_limit.ts";
import type { WorkerEvent } from "../../supabase/functions/_shared/worker/events.ts";
import { WorkerCircuit } from "../../supabase/functions/_shared/worker/circuit.ts";
import { WorkerLimit } from "../../supabase/functions/_shared/worker/limit.ts";
import { PermitGate } from "../../supabase/functions/_shared/worker/permit_gate.ts";
import type { LimitHeard } from "../../supabase/functions/_shared/worker/queue.ts";
import { processSegment } from "../../supabase/functions/_shared/worker/segment.ts";
import {
  FakeClock,
  FakeQueue,
  type ProviderAnswer,
  scriptedProvider,
  segment,
} from "../helpers/worker_fakes.ts";

const CONCURRENCY_429: ProviderAnswer = {
  status: 429,
  body: JSON.stringify({
    error_code: "concurrency_limited",
    title: "Too many concurrent requests",
    message: "You have exceeded your plan's concurrency limit.",
    request_id: "r",
  }),
};
const RATE_429: ProviderAnswer = {
  status: 429,
  body: JSON.stringify({
    error_code: "rate_limited",
    title: "Too many requests",
    message: "slow down",
    request_id: "r",
  }),
  headers: { "retry-after": "7" },
};

function setup(answers: ProviderAnswer[], heard: (slot: number, id: number) => LimitHeard) {
  const clock = new FakeClock();
  const queue = new FakeQueue({ concurrencyLimited: heard });
  const events: WorkerEvent[] = [];
  const onEvent = (e: WorkerEvent) => events.push(e);
  const gate = new PermitGate({
    queue,
    sleep: clock.sleep,
    random: () => 0.5,
    pollMs: 50,
    timeForAttempt: () => true,
  });
  const circuit = new WorkerCircuit({
    probeAfterS: 30,
    serverFailureLimit: 5,
    store: queue,
    now: clock.now,
  });
  const limit = new WorkerLimit({ store: queue, sleep: clock.sleep, everyMs: 1000, onEvent });
  const scripted = scriptedProvider(answers);
  const run = () =>
    processSegment(
      {
        queue,
        gate,
        circuit,
        limit,
        provider: scripted.provider,
        upload: () => Promise.resolve(),
        now: clock.now,
        onEvent,
      },
      segment(1),
      new AbortController().signal,
      new AbortController().signal,
    );
  return { queue, events, run, requests: scripted.requests, limit, clock };
}

const retries = (events: WorkerEvent[]) => events.filter((e) => e.type === "retry");

Deno.test("a 429 is the concurrency limit's when it says so, or when it carries no code at all", () => {
  const failure = (status: number, errorCode?: string | null) => ({
    ok: false,
    retryable: true,
    status,
    message: "m",
    ...(errorCode === undefined ? {} : { errorCode }),
  });
  assert.equal(isConcurrencyLimited(failure(429, "concurrency_limited")), true);
  assert.equal(isConcurrencyLimited(failure(429)), true, "older versions: plain text, no code");
  assert.equal(isConcurrencyLimited(failure(429, "rate_limited")), false);
  assert.equal(isConcurrencyLimited(failure(429, null)), false, "JSON with no specific code");
  assert.equal(isConcurrencyLimited(failure(503)), false);
  assert.equal(isConcurrencyLimited({ ok: true }), false);
});

Deno.test("a concurrency 429 that lowered the limit is resent under a new permit: no backoff, no retry spent", async () => {
  // Four refusals in a row would spend the client's two retries twice over.
  const { queue, events, run, requests } = setup(
    [CONCURRENCY_429, CONCURRENCY_429, CONCURRENCY_429, CONCURRENCY_429, 200],
    () => ({ waits: true, limit: 2, inFlight: 3 }),
  );
  assert.deepEqual(await run(), { outcome: "done", attempts: 1, rateLimited: 4 });
  assert.equal(requests(), 5);
  assert.deepEqual(retries(events), [], "no backoff between them");
  const limited = [
    "beginAttempt 1",
    "concurrencyLimited slot=1 1",
    "endAttempt slot=1 1 upload=false",
  ];
  assert.deepEqual(queue.calls.slice(0, 12), [...limited, ...limited, ...limited, ...limited]);
  // The limit is told before the permit is given back, so no one starts above it meanwhile.
  assert.deepEqual(queue.calls.slice(12, 14), [
    "beginAttempt 1",
    "endAttempt slot=1 1 upload=true",
  ]);
  assert.deepEqual(events.filter((e) => e.type === "limit"), [
    { type: "limit", limit: 2, ceiling: 2, inFlight: 3, cause: "429" },
  ], "the change is logged once");
});

Deno.test("a concurrency 429 that taught nothing (alone in flight, or pinned) is backed off like any 429", async () => {
  const { queue, events, run } = setup(
    [CONCURRENCY_429, 200],
    () => ({ waits: false, limit: 3, inFlight: 1 }),
  );
  assert.deepEqual(await run(), { outcome: "done", attempts: 2, rateLimited: 1 });
  assert.equal(retries(events).length, 1);
  assert.equal((retries(events)[0] as { status?: number }).status, 429);
  assert.equal(queue.calls.filter((c) => c.startsWith("concurrencyLimited")).length, 1);
});

Deno.test("a 429 for a rate or quota limit never touches the concurrency limit: backoff with Retry-After", async () => {
  const { queue, events, run } = setup([RATE_429, 200], () => {
    throw new Error("not a concurrency 429");
  });
  assert.deepEqual(await run(), { outcome: "done", attempts: 2, rateLimited: 1 });
  assert.deepEqual(queue.calls.filter((c) => c.startsWith("concurrencyLimited")), []);
  assert.equal((retries(events)[0] as { delayMs: number }).delayMs, 7000, "Retry-After: 7 s");
});

Deno.test("a 5xx keeps its backoff and spends a retry; the limit is not asked", async () => {
  const { queue, events, run } = setup([503, 503, 200], () => {
    throw new Error("not a concurrency 429");
  });
  assert.deepEqual(await run(), { outcome: "done", attempts: 3, rateLimited: 0 });
  assert.equal(retries(events).length, 2);
  assert.deepEqual(queue.calls.filter((c) => c.startsWith("concurrencyLimited")), []);
});

Deno.test("the database not answering the 429 report makes it an ordinary 429", async () => {
  const { events, run } = setup([CONCURRENCY_429, 200], () => {
    throw new Error("connection refused");
  });
  assert.deepEqual(await run(), { outcome: "done", attempts: 2, rateLimited: 1 });
  assert.equal(retries(events).length, 1);
});

Deno.test("the limit is read every period until the run stops; a probe step is one log line", async () => {
  const clock = new FakeClock();
  let limit = 2;
  const queue = new FakeQueue({
    limitTick: () => ({
      limit,
      ceiling: 6,
      inFlight: 2,
      limitedLastMinute: 1,
      pinned: false,
      changed: limit === 3,
    }),
  });
  const events: WorkerEvent[] = [];
  const watch = new WorkerLimit({
    store: queue,
    sleep: clock.sleep,
    everyMs: 1000,
    onEvent: (e) => events.push(e),
  });
  const stop = new AbortController();
  const running = watch.run(stop.signal);
  await clock.advance(999);
  assert.equal(queue.calls.length, 1, "one read at the start, none before the period ends");
  limit = 3;
  await clock.advance(1);
  assert.equal(queue.calls.length, 2);
  await clock.advance(1000);
  assert.equal(queue.calls.length, 3);
  stop.abort();
  await running;
  assert.deepEqual(events, [{ type: "limit", limit: 3, ceiling: 6, inFlight: 2, cause: "probe" }]);
  assert.deepEqual(await watch.finalFigures(), {
    limit: 3,
    ceiling: 6,
    inFlight: 2,
    limitedLastMinute: 1,
    concurrency429s: 0,
  });
});
