// One segment's attempt → upload → complete, and every other way it ends, with the exact
// database calls each makes: begin_attempt outcomes that skip the provider, a cancel seen at
// end_attempt or at complete, Storage and database errors handing the message back after a
// delay, the budget running out while waiting for a permit, provider errors failing the
// segment, and aborts (batch cancelled vs run stopped).
import assert from "node:assert/strict";
import {
  ERROR_RETRY_DELAY_S,
  STORAGE_RETRY_FIRST_MS,
  STORAGE_RETRY_WINDOW_MS,
} from "../../supabase/functions/_shared/config.ts";
import type { WorkerEvent } from "../../supabase/functions/_shared/worker/events.ts";
import { WorkerCircuit } from "../../supabase/functions/_shared/worker/circuit.ts";
import { PermitGate } from "../../supabase/functions/_shared/worker/permit_gate.ts";
import type { AttemptOutcome } from "../../supabase/functions/_shared/worker/queue.ts";
import {
  processSegment,
  type SegmentDeps,
} from "../../supabase/functions/_shared/worker/segment.ts";
import {
  FakeClock,
  FakeQueue,
  type ProviderAnswer,
  type QueueScript,
  scriptedProvider,
  segment,
  settle,
  WAV,
} from "../helpers/worker_fakes.ts";

const SEG = segment(1);
const PATH = `voice/sonic-2/wav-pcm_s16le-44100/${SEG.textHash}.wav`;
const BEGIN = "beginAttempt 1";
const GOT_AUDIO = "endAttempt slot=1 1 upload=true";
const NO_AUDIO = "endAttempt slot=1 1 upload=false";

function setup(
  answers: ProviderAnswer[],
  opts: {
    script?: Partial<QueueScript>;
    upload?: () => Promise<void>;
    timeForAttempt?: () => boolean;
    provider?: SegmentDeps["provider"];
    retryMs?: number;
  } = {},
) {
  const clock = new FakeClock();
  const queue = new FakeQueue(opts.script);
  const gate = new PermitGate({
    queue,
    sleep: clock.sleep,
    random: () => 0.5,
    pollMs: 50,
    timeForAttempt: opts.timeForAttempt ?? (() => true),
  });
  const scripted = scriptedProvider(answers);
  const uploads: string[] = [];
  const events: WorkerEvent[] = [];
  const circuit = new WorkerCircuit({
    probeAfterS: 30,
    serverFailureLimit: 5,
    store: queue,
    now: clock.now,
  });
  const deps: SegmentDeps = {
    queue,
    gate,
    circuit,
    provider: opts.provider ?? scripted.provider,
    upload: (path, bytes, type) => {
      uploads.push(`${path} ${bytes.length} ${type}`);
      return opts.upload?.() ?? Promise.resolve();
    },
    now: clock.now,
    onEvent: (e) => events.push(e),
    sleep: clock.sleep,
    retryUnreachableMs: opts.retryMs ?? 0,
  };
  const batch = new AbortController();
  const stop = new AbortController();
  const run = () => processSegment(deps, SEG, batch.signal, stop.signal);
  return {
    queue,
    uploads,
    events,
    batch,
    stop,
    run,
    requests: scripted.requests,
    circuit,
    deps,
    clock,
  };
}

Deno.test("done: permit → audio → permit back (cleared for upload) → upload → complete", async () => {
  const { queue, uploads, events, run, requests } = setup([200]);
  assert.deepEqual(await run(), { outcome: "done", attempts: 1, rateLimited: 0 });
  assert.deepEqual(queue.calls, [
    BEGIN,
    GOT_AUDIO,
    `complete 1 ${PATH} bytes=${WAV.length} ms=0 429s=0`,
  ]);
  assert.deepEqual(uploads, [`${PATH} ${WAV.length} audio/wav`]);
  assert.equal(requests(), 1);
  assert.deepEqual(events, [{
    type: "done",
    segmentId: 1,
    batchId: "batch-1",
    attempts: 1,
    ms: 0,
  }]);
});

Deno.test("a 429 is retried under a fresh permit; the permit is given back between attempts", async () => {
  const { queue, events, run, requests } = setup([429, 200]);
  assert.deepEqual(await run(), { outcome: "done", attempts: 2, rateLimited: 1 });
  assert.deepEqual(queue.calls, [
    BEGIN,
    NO_AUDIO,
    BEGIN,
    GOT_AUDIO,
    `complete 1 ${PATH} bytes=${WAV.length} ms=0 429s=1`,
  ]);
  assert.equal(requests(), 2);
  assert.equal(events[0].type, "retry");
  assert.equal((events[0] as { status?: number }).status, 429);
});

Deno.test("begin_attempt outcomes that need no provider call end the segment there", async () => {
  for (const outcome of ["reused", "wait", "gone", "cancelled"] as AttemptOutcome[]) {
    const { queue, events, run, requests, uploads } = setup([200], {
      script: { beginAttempt: () => ({ outcome, slot: null }) },
    });
    assert.deepEqual(await run(), { outcome, attempts: 0, rateLimited: 0 });
    assert.deepEqual(queue.calls, [BEGIN], outcome);
    assert.equal(requests(), 0);
    assert.deepEqual(uploads, []);
    assert.deepEqual(events, [{ type: outcome, segmentId: 1, batchId: "batch-1" }]);
  }
});

Deno.test("cancelled while the request ran (end_attempt says not live): nothing uploaded", async () => {
  const { queue, uploads, run } = setup([200], { script: { endAttempt: () => false } });
  assert.deepEqual(await run(), { outcome: "cancelled", attempts: 1, rateLimited: 0 });
  assert.deepEqual(queue.calls, [BEGIN, GOT_AUDIO]);
  assert.deepEqual(uploads, []);
});

Deno.test("cancelled during the upload (complete refuses): counted cancelled, not done", async () => {
  const { queue, uploads, events, run } = setup([200], { script: { complete: () => false } });
  assert.equal((await run()).outcome, "cancelled");
  assert.equal(uploads.length, 1);
  assert.equal(queue.calls.length, 3);
  assert.deepEqual(events, [{ type: "cancelled", segmentId: 1, batchId: "batch-1" }]);
});

Deno.test("a brief Storage outage costs a wait, not a second provider call", async () => {
  let failures = 2;
  const { queue, uploads, events, run, requests, clock } = setup([200], {
    upload: () =>
      failures-- > 0 ? Promise.reject(new Error("Storage answered 500")) : Promise.resolve(),
  });
  const result = run();
  await clock.advance(STORAGE_RETRY_WINDOW_MS);
  assert.deepEqual(await result, { outcome: "done", attempts: 1, rateLimited: 0 });
  assert.equal(requests(), 1, "one provider request");
  assert.equal(uploads.length, 3, "the same audio uploaded again");
  assert.deepEqual(clock.slept, [STORAGE_RETRY_FIRST_MS, STORAGE_RETRY_FIRST_MS * 2]);
  assert.deepEqual(queue.calls, [
    BEGIN,
    GOT_AUDIO,
    `complete 1 ${PATH} bytes=${WAV.length} ms=0 429s=0`,
  ]);
  assert.deepEqual(
    events.filter((e) => e.type === "retry").map((e) => "attempt" in e && e.attempt),
    [1, 2],
  );
});

Deno.test("a Storage error past the retry window hands the message back after the retry delay, with its error", async () => {
  const { queue, uploads, events, run, clock } = setup([200], {
    upload: () => Promise.reject(new Error("Storage upload failed: 503")),
  });
  const result = run();
  await clock.advance(STORAGE_RETRY_WINDOW_MS * 2);
  assert.deepEqual(await result, { outcome: "error", attempts: 1, rateLimited: 0 });
  // Tries at 0, 0.5, 1.5, 3.5 and 7.5 s; the next (after 8 s more) would start past the window.
  assert.equal(uploads.length, 5);
  assert.ok(clock.slept.reduce((a, b) => a + b, 0) <= STORAGE_RETRY_WINDOW_MS);
  assert.deepEqual(queue.calls, [
    BEGIN,
    GOT_AUDIO,
    `returnMessages 101 delay=${ERROR_RETRY_DELAY_S} error="Storage upload failed: 503"`,
  ]);
  assert.deepEqual(events.at(-1), {
    type: "error",
    segmentId: 1,
    batchId: "batch-1",
    error: "Storage upload failed: 503",
  });
});

Deno.test("the error kept on the segment never carries a secret", async () => {
  const { queue, events, run } = setup([200], {
    script: {
      complete: () => {
        throw new Error(
          "connect to postgres://worker:s3cret@db.example:5432/postgres failed; " +
            "Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.eyJyb2xlIjoic2VydmljZV9yb2xlIn0.c2ln",
        );
      },
    },
  });
  assert.equal((await run()).outcome, "error");
  const kept = "connect to postgres://worker:[redacted]@db.example:5432/postgres failed; " +
    "Authorization: Bearer [redacted]";
  assert.equal(
    queue.calls.at(-1),
    `returnMessages 101 delay=${ERROR_RETRY_DELAY_S} error="${kept}"`,
  );
  assert.deepEqual(events, [{ type: "error", segmentId: 1, batchId: "batch-1", error: kept }]);
});

Deno.test("a database error at complete hands the message back after the retry delay", async () => {
  const { queue, run } = setup([200], {
    script: {
      complete: () => {
        throw new Error("connection reset");
      },
    },
  });
  assert.equal((await run()).outcome, "error");
  assert.deepEqual(queue.calls.slice(2), [
    `complete 1 ${PATH} bytes=${WAV.length} ms=0 429s=0`,
    `returnMessages 101 delay=${ERROR_RETRY_DELAY_S} error="connection reset"`,
  ]);
});

Deno.test("out of budget while waiting for a permit: the message goes back at once, no request", async () => {
  const { queue, run, requests } = setup([200], {
    script: { beginAttempt: () => ({ outcome: "no_permit", slot: null }) },
    timeForAttempt: (() => {
      let polls = 0;
      return () => polls++ === 0; // time for the first poll only
    })(),
  });
  assert.deepEqual(await run(), { outcome: "returned", attempts: 0, rateLimited: 0 });
  assert.deepEqual(queue.calls, [BEGIN, "returnMessages 101 delay=0"]);
  assert.equal(requests(), 0);
});

Deno.test("a 4xx from the provider fails the segment at once with its message", async () => {
  const { queue, events, run, requests } = setup([400]);
  assert.deepEqual(await run(), { outcome: "failed", attempts: 1, rateLimited: 0 });
  const error = "Cartesia answered 400: status 400: scripted";
  assert.deepEqual(queue.calls, [BEGIN, NO_AUDIO, `fail 1 "${error}" 429s=0`]);
  assert.equal(requests(), 1);
  assert.deepEqual(events, [{
    type: "failed",
    segmentId: 1,
    batchId: "batch-1",
    error,
    attempts: 1,
    status: 400,
  }]);
});

Deno.test("retries used up: the segment fails with the last error and its 429s counted", async () => {
  const { queue, run, requests } = setup([429]);
  assert.deepEqual(await run(), { outcome: "failed", attempts: 3, rateLimited: 3 });
  assert.equal(requests(), 3, "maxRetries 2: three requests");
  assert.match(queue.calls.at(-1)!, /^fail 1 "gave up after 3 attempts .*429s=3$/);
});

Deno.test("batch cancelled mid-request: the request is aborted, the permit given back, nothing kept", async () => {
  const { queue, uploads, events, batch, run } = setup(["hang"]);
  const result = run();
  await settle();
  batch.abort(new DOMException("batch cancelled", "AbortError"));
  assert.deepEqual(await result, { outcome: "cancelled", attempts: 1, rateLimited: 0 });
  assert.deepEqual(queue.calls, [BEGIN, NO_AUDIO]);
  assert.deepEqual(uploads, []);
  assert.deepEqual(events, [{ type: "cancelled", segmentId: 1, batchId: "batch-1" }]);
});

Deno.test("run stopped mid-request: the message is handed back for another worker, not cancelled", async () => {
  const { queue, events, stop, run } = setup(["hang"]);
  const result = run();
  await settle();
  stop.abort();
  assert.deepEqual(await result, { outcome: "returned", attempts: 1, rateLimited: 0 });
  assert.deepEqual(queue.calls, [BEGIN, NO_AUDIO, "returnMessages 101 delay=0"]);
  assert.deepEqual(events, []);
});

Deno.test("a format or model the client cannot request fails the segment before any permit", async () => {
  const badKey = setup([200]);
  const seg = segment(2, "batch-1", { format: "ogg-opus-48000" });
  const deps = {
    queue: badKey.queue,
    gate: { acquire: () => Promise.reject(new Error("not asked")), freed: () => {} },
    circuit: new WorkerCircuit({
      probeAfterS: 30,
      serverFailureLimit: 5,
      store: badKey.queue,
      now: () => 0,
    }),
    provider: () => assert.fail("no client for an unparsable format"),
    upload: () => Promise.resolve(),
    now: () => 0,
  };
  const signal = new AbortController().signal;
  assert.equal((await processSegment(deps, seg, signal, signal)).outcome, "failed");
  assert.match(
    badKey.queue.calls[0],
    /^fail 2 "cannot request this audio: format "ogg-opus-48000"/,
  );

  const badModel = setup([200], {
    provider: () => {
      throw new Error("modelId: must be a non-empty string");
    },
  });
  assert.equal((await badModel.run()).outcome, "failed");
  assert.deepEqual(badModel.queue.calls, [
    'fail 1 "cannot request this audio: modelId: must be a non-empty string" 429s=0',
  ]);
});

Deno.test("marking a segment failed fails (database error): message back after the delay, no throw", async () => {
  const { queue, events, run } = setup([400], {
    script: {
      fail: () => {
        throw new Error("connection reset");
      },
    },
  });
  assert.deepEqual(await run(), { outcome: "error", attempts: 1, rateLimited: 0 });
  assert.deepEqual(queue.calls.slice(-2), [
    `fail 1 "Cartesia answered 400: status 400: scripted" 429s=0`,
    // The segment keeps the provider's answer as its error, for a later delivery to record.
    `returnMessages 101 delay=${ERROR_RETRY_DELAY_S} ` +
    `error="Cartesia answered 400: status 400: scripted"`,
  ]);
  assert.deepEqual(events, [
    { type: "error", segmentId: 1, batchId: "batch-1", error: "connection reset" },
  ]);
});

Deno.test("out of budget and the hand-back fails: an error, not a thrown run", async () => {
  const { queue, run, requests } = setup([200], {
    script: {
      beginAttempt: () => ({ outcome: "no_permit", slot: null }),
      returnMessages: () => {
        throw new Error("connection reset");
      },
    },
    timeForAttempt: (() => {
      let polls = 0;
      return () => polls++ === 0;
    })(),
  });
  assert.deepEqual(await run(), { outcome: "error", attempts: 0, rateLimited: 0 });
  assert.deepEqual(queue.calls, [BEGIN, "returnMessages 101 delay=0"]);
  assert.equal(requests(), 0);
});

// A database that cannot be reached, as postgres.js reports it.
const refused = () => Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED" });

Deno.test("database unreachable at end_attempt and complete: both retried until it is back, no hand-back", async () => {
  // Each call is refused `times` times, then answers.
  const refusedThen = <T>(times: number, answer: T) => () => {
    if (times-- > 0) throw refused();
    return answer;
  };
  const { queue, clock, run } = setup([200], {
    retryMs: 10_000,
    script: { endAttempt: refusedThen(3, true), complete: refusedThen(2, true) },
  });
  const result = run();
  await clock.advance(2_000);
  assert.deepEqual(await result, { outcome: "done", attempts: 1, rateLimited: 0 });
  assert.deepEqual(queue.calls, [
    BEGIN,
    ...Array(4).fill(GOT_AUDIO), // three refused, every 250 ms, then the permit is back
    ...Array(3).fill(`complete 1 ${PATH} bytes=${WAV.length} ms=0 429s=0`),
  ]);
});

Deno.test("complete rolled back for a deadlock: called again at once, no hand-back", async () => {
  // Postgres ends a deadlock by rolling one of its transactions back (40P01): nothing of it was
  // kept, and the audio, already uploaded, must not be generated again on a later delivery.
  let deadlocks = 2;
  const { queue, clock, run } = setup([200], {
    retryMs: 10_000,
    script: {
      complete: () => {
        if (deadlocks-- > 0) throw Object.assign(new Error("deadlock detected"), { code: "40P01" });
        return true;
      },
    },
  });
  const result = run();
  await clock.advance(2_000);
  assert.deepEqual(await result, { outcome: "done", attempts: 1, rateLimited: 0 });
  assert.deepEqual(queue.calls, [
    BEGIN,
    GOT_AUDIO,
    ...Array(3).fill(`complete 1 ${PATH} bytes=${WAV.length} ms=0 429s=0`),
  ]);
});

Deno.test("unreachable past the permit's lease, or a statement error: not retried", async () => {
  const down = setup([200], {
    retryMs: 600,
    script: {
      endAttempt: () => {
        throw refused();
      },
    },
  });
  const result = down.run();
  await down.clock.advance(5_000);
  assert.equal((await result).outcome, "error");
  assert.equal(down.queue.calls.filter((c) => c === GOT_AUDIO).length, 3, "at 0, 250 and 500 ms");
  const refusedStatement = setup([200], {
    retryMs: 10_000,
    script: {
      complete: () => {
        throw Object.assign(new Error("duplicate key value"), { code: "23505" });
      },
    },
  });
  assert.equal((await refusedStatement.run()).outcome, "error");
  assert.equal(refusedStatement.queue.calls.filter((c) => c.startsWith("complete")).length, 1);
});
