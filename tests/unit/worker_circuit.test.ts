// The worker's side of the provider circuit (circuit.ts) and its hooks in one segment's run:
// account errors (401/403/402, a credits answer) open it and hold the segment; server failures
// open it only after the threshold of segments in a row; a probe's answer closes or re-opens it;
// a worker that knows the circuit open sends no request. A fake clock and a fake queue: no
// database, no wall clock.
import assert from "node:assert/strict";
import {
  ACCOUNT_REASONS,
  accountProblem,
} from "../../supabase/functions/_shared/provider/account_error.ts";
import { ProviderError } from "../../supabase/functions/_shared/provider/provider_error.ts";
import { WorkerCircuit } from "../../supabase/functions/_shared/worker/circuit.ts";
import { PermitGate } from "../../supabase/functions/_shared/worker/permit_gate.ts";
import { processSegment } from "../../supabase/functions/_shared/worker/segment.ts";
import type { QueueScript } from "../helpers/worker_fakes.ts";
import {
  FakeClock,
  FakeQueue,
  type ProviderAnswer,
  scriptedProvider,
  segment,
} from "../helpers/worker_fakes.ts";

function rejected(status: number, message = `Cartesia answered ${status}`) {
  return new ProviderError({ kind: "rejected", status, attempts: 1, rateLimited: 0, message });
}
function exhausted(status: number | undefined) {
  return new ProviderError({
    kind: "exhausted",
    status,
    attempts: 4,
    rateLimited: 0,
    message: `gave up after 4 attempts: ${status ?? "timeout"}`,
  });
}

function circuitWith(limit = 3) {
  const clock = new FakeClock();
  const queue = new FakeQueue();
  const circuit = new WorkerCircuit({
    probeAfterS: 30,
    serverFailureLimit: limit,
    store: queue,
    now: clock.now,
  });
  return { clock, queue, circuit };
}

Deno.test("account errors by status, and a credits answer by its words; everything else is the segment's", () => {
  assert.equal(accountProblem(rejected(401)), "key");
  assert.equal(accountProblem(rejected(403)), "forbidden");
  assert.equal(accountProblem(rejected(402)), "credits");
  assert.equal(
    accountProblem(rejected(400, "Cartesia answered 400: Insufficient credits: top up")),
    "credits",
  );
  assert.equal(accountProblem(rejected(400, "Cartesia answered 400: transcript: required")), null);
  assert.equal(accountProblem(rejected(422)), null);
  // A concurrency 429 is load, whatever its words; a 5xx is counted, not an account error.
  assert.equal(accountProblem(exhausted(429)), null);
  assert.equal(accountProblem(exhausted(503)), null);
});

Deno.test("a 401 opens the circuit with the key's reason at the clock's time; only the probe may still go", async () => {
  const { clock, queue, circuit } = circuitWith();
  await clock.advance(1234);
  assert.equal(await circuit.failed(segment(1), rejected(401)), "hold");
  assert.deepEqual(queue.calls, [`openCircuit "${ACCOUNT_REASONS.key}" probe=30s`]);
  assert.deepEqual(circuit.state, { open: true, openedAt: 1234, serverFailures: 0 });
  assert.equal(circuit.mayRequest(segment(2)), false);
  assert.equal(circuit.mayRequest(segment(3, "batch-1", { probe: true })), true);
  // A second account error of the same outage keeps the first opening time.
  await clock.advance(500);
  assert.equal(await circuit.failed(segment(2), rejected(402)), "hold");
  assert.equal(circuit.state.openedAt, 1234);
  assert.equal(queue.calls[1], `openCircuit "${ACCOUNT_REASONS.credits}" probe=30s`);
});

Deno.test("server failures open the circuit only at the threshold of segments in a row", async () => {
  const { queue, circuit } = circuitWith(3);
  assert.equal(await circuit.failed(segment(1), exhausted(503)), "fail");
  assert.equal(await circuit.failed(segment(2), exhausted(undefined)), "fail");
  assert.equal(circuit.state.serverFailures, 2);
  assert.deepEqual(queue.calls, [], "below the threshold nothing opens");
  assert.equal(await circuit.failed(segment(3), exhausted(500)), "hold");
  assert.equal(queue.calls.length, 1);
  assert.match(queue.calls[0], /^openCircuit "the provider failed 3 segments in a row/);
  assert.equal(circuit.state.open, true);
});

Deno.test("audio or a segment's own refusal in between starts the count again", async () => {
  const { queue, circuit } = circuitWith(3);
  await circuit.failed(segment(1), exhausted(502));
  await circuit.failed(segment(2), exhausted(502));
  await circuit.succeeded(segment(3));
  await circuit.failed(segment(4), exhausted(502));
  await circuit.failed(segment(5), exhausted(502));
  assert.equal(await circuit.failed(segment(6), rejected(400)), "fail");
  await circuit.failed(segment(7), exhausted(502));
  assert.equal(await circuit.failed(segment(8), exhausted(502)), "fail");
  assert.equal(circuit.state.serverFailures, 2);
  assert.deepEqual(queue.calls, []);
  // A 429 that ran out of retries is load, not an outage: it neither counts nor resets.
  assert.equal(await circuit.failed(segment(9), exhausted(429)), "fail");
  assert.equal(circuit.state.serverFailures, 0);
});

Deno.test("the probe: audio closes the circuit; a server failure re-opens it at once; a 400 closes it", async () => {
  const probe = segment(1, "batch-1", { probe: true });
  const ok = circuitWith(5);
  ok.circuit.heardOpen();
  await ok.circuit.succeeded(probe);
  assert.deepEqual(ok.queue.calls, ["closeCircuit probe"]);
  assert.equal(ok.circuit.state.open, false);

  const down = circuitWith(5);
  down.circuit.heardOpen();
  assert.equal(await down.circuit.failed(probe, exhausted(503)), "hold");
  assert.match(down.queue.calls[0], /^openCircuit "the provider failed 1 segment in a row/);

  const fine = circuitWith(5);
  fine.circuit.heardOpen();
  assert.equal(await fine.circuit.failed(probe, rejected(400)), "fail");
  assert.deepEqual(fine.queue.calls, ["closeCircuit probe"]);
});

Deno.test("claims tell the worker the circuit closed: any segment that is not a probe", async () => {
  const { clock, circuit } = circuitWith();
  await clock.advance(10);
  circuit.heardOpen();
  circuit.heardClaim([segment(1, "batch-1", { probe: true })]);
  assert.deepEqual(circuit.state, { open: true, openedAt: 10, serverFailures: 0 });
  circuit.heardClaim([segment(2)]);
  assert.deepEqual(circuit.state, { open: false, openedAt: null, serverFailures: 0 });
});

// processSegment with a real circuit over the fake queue.
function run(answers: ProviderAnswer[], script: Partial<QueueScript> = {}) {
  const clock = new FakeClock();
  const queue = new FakeQueue(script);
  const circuit = new WorkerCircuit({
    probeAfterS: 30,
    serverFailureLimit: 5,
    store: queue,
    now: clock.now,
  });
  const gate = new PermitGate({
    queue,
    sleep: clock.sleep,
    random: () => 0.5,
    pollMs: 50,
    timeForAttempt: () => true,
  });
  const scripted = scriptedProvider(answers);
  const deps = {
    queue,
    gate,
    circuit,
    provider: scripted.provider,
    upload: () => Promise.resolve(),
    now: clock.now,
  };
  const signal = new AbortController().signal;
  return {
    queue,
    circuit,
    requests: scripted.requests,
    one: (id: number) => processSegment(deps, segment(id), signal, signal),
  };
}

Deno.test("a 401: one request, the circuit opens, the segment is held (not failed) and the next sends nothing", async () => {
  const { queue, requests, one } = run([401]);
  assert.deepEqual(await one(1), { outcome: "held", attempts: 1, rateLimited: 0 });
  // The circuit opens before the permit is given back (once), so no request anywhere can take
  // that permit while it still reads closed.
  assert.deepEqual(queue.calls, [
    "beginAttempt 1",
    `openCircuit "${ACCOUNT_REASONS.key}" probe=30s`,
    "endAttempt slot=1 1 upload=false",
    "hold 101",
  ]);
  assert.equal(requests(), 1);
  // The next segment this worker holds goes back without a permit or a request.
  assert.deepEqual(await one(2), { outcome: "held", attempts: 0, rateLimited: 0 });
  assert.deepEqual(queue.calls.slice(4), ["hold 102"]);
  assert.equal(requests(), 1);
});

Deno.test("begin_gated_attempt says circuit_open (another worker opened it): held, no request", async () => {
  const { queue, circuit, requests, one } = run([200], {
    beginAttempt: () => ({ outcome: "circuit_open", slot: null }),
  });
  assert.deepEqual(await one(1), { outcome: "held", attempts: 0, rateLimited: 0 });
  assert.deepEqual(queue.calls, ["beginAttempt 1", "hold 101"]);
  assert.equal(requests(), 0);
  assert.equal(circuit.state.open, true);
});

Deno.test("the hand-back fails (database down): the message comes back after the error delay", async () => {
  const { queue, one } = run([401], {
    hold: () => {
      throw new Error("connection refused");
    },
  });
  assert.equal((await one(1)).outcome, "error");
  assert.equal(queue.calls.at(-1), 'returnMessages 101 delay=5 error="connection refused"');
});
