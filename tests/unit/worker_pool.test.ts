// runWorker, the composition: the exact database calls of a run (the benchmark's round trips per
// segment come from these), the report, a stop mid-request, a spent budget handing over, and the
// heartbeat and cancel watch while every slot waits on the provider.
import assert from "node:assert/strict";
import { HEARTBEAT_MS } from "../../supabase/functions/_shared/config.ts";
import type { CartesiaClient } from "../../supabase/functions/_shared/provider/types.ts";
import { runWorker, type WorkerConfig } from "../../supabase/functions/_shared/worker/pool.ts";
import {
  FakeClock,
  FakeQueue,
  type ProviderAnswer,
  scriptedProvider,
  segment,
  settle,
  WAV,
} from "../helpers/worker_fakes.ts";

const CANCEL_POLL_MS = 250;

type ProviderFn = (modelId: string, format: string) => CartesiaClient;

function setup(
  answers: ProviderAnswer[],
  cfg: Partial<WorkerConfig> = {},
  wrap: (p: ProviderFn) => ProviderFn = (p) => p,
) {
  const clock = new FakeClock();
  const queue = new FakeQueue();
  const uploads: string[] = [];
  const config: WorkerConfig = {
    concurrency: 1,
    prefetch: 1,
    budgetMs: 60_000,
    attemptMs: 1_000,
    idleExitMs: 0,
    permitPollMs: 50,
    idlePollMs: 250,
    cancelPollMs: CANCEL_POLL_MS,
    extendEveryMs: 20_000,
    progressWindowMs: 60_000,
    leave: true,
    ...cfg,
  };
  const run = () =>
    runWorker({
      queue,
      provider: wrap(scriptedProvider(answers).provider),
      upload: (path) => (uploads.push(path), Promise.resolve()),
      now: clock.now,
      sleep: clock.sleep,
      random: () => 0.5,
    }, config);
  return { clock, queue, uploads, run, config };
}

const complete = (id: number) =>
  `complete ${id} voice/sonic-2/wav-pcm_s16le-44100/${
    segment(id).textHash
  }.wav bytes=${WAV.length} ms=0 429s=0`;

Deno.test("one slot, two segments: the run's database calls, in order, and its report", async () => {
  const { queue, uploads, run } = setup([200]);
  queue.messages.push(segment(1), segment(2));
  const report = await run();
  assert.deepEqual(queue.calls, [
    "claim 2",
    "beginAttempt 1",
    "claim 1", // segment 2 left the buffer for the hand-off: refill in the background
    // The request of 1 answered: its attempt ends and 2's begins in one round trip, before 1's
    // upload, so 2's request goes out on the same permit at once.
    "endAndBegin slot=1 1 upload=true next=2",
    complete(1),
    "endAttempt slot=1 2 upload=true", // nothing buffered to hand the permit to
    complete(2),
    "claim 2",
    "depth", // nothing claimed, nothing visible or held: the queue is empty
    "leave",
    "depth", // after leaving: did work arrive meanwhile?
  ]);
  assert.equal(uploads.length, 2);
  assert.deepEqual({ ...report, ms: 0 }, {
    claimed: 2,
    done: 2,
    failed: 0,
    held: 0,
    reused: 0,
    cancelled: 0,
    attempts: 2,
    rateLimited: 0,
    errors: 0,
    roundTrips: 11,
    stoppedBy: "empty",
    workLeft: false,
    handOver: false,
    ms: 0,
  });
});

Deno.test("no hand-off to a segment that cannot be requested: it fails with no attempt begun", async () => {
  // Segment 2 asks for a sample rate the provider's client refuses (as the real one does).
  const { queue, run } = setup([200], {}, (provider) => (modelId, format) => {
    if (format.endsWith("-12345")) throw new Error("outputFormat.sampleRate: got 12345");
    return provider(modelId, format);
  });
  queue.messages.push(segment(1), segment(2, "batch-2", { format: "wav-pcm_s16le-12345" }));
  const report = await run();
  assert.ok(!queue.calls.some((c) => c.startsWith("endAndBegin")), queue.calls.join("\n"));
  assert.ok(!queue.calls.includes("beginAttempt 2"), "no attempt of segment 2 was begun");
  assert.ok(queue.calls.includes("endAttempt slot=1 1 upload=true"), "segment 1 ended alone");
  assert.deepEqual({ done: report.done, failed: report.failed, attempts: report.attempts }, {
    done: 1,
    failed: 1,
    attempts: 1,
  });
});

Deno.test("one permit, two slots: the permit one slot gives back goes to the other at once", async () => {
  const { clock, queue, run } = setup([200], { concurrency: 2, prefetch: 0 });
  queue.messages.push(segment(1), segment(2));
  let holder: number | null = null;
  queue.script.beginAttempt = (seg) => {
    if (holder !== null) return { outcome: "no_permit", slot: null };
    holder = seg.segmentId;
    return { outcome: "go", slot: 1 };
  };
  queue.script.endAttempt = () => ((holder = null), true);
  const report = await run();
  assert.equal(report.done, 2);
  assert.equal(clock.t, 0, "no poll period was waited out");
  assert.deepEqual(queue.calls.filter((c) => /^(begin|end)Attempt/.test(c)), [
    "beginAttempt 1",
    "beginAttempt 2", // refused: slot 1 holds the only permit
    "endAttempt slot=1 1 upload=true",
    "beginAttempt 2", // woken by the release, not by the clock
    "endAttempt slot=1 2 upload=true",
  ]);
});

Deno.test("every slot waiting on the provider: heartbeats, cancel checks, and a cancel aborts", async () => {
  const { clock, queue, run } = setup(["hang"], { concurrency: 2, prefetch: 1 });
  queue.messages.push(segment(1, "a"), segment(2, "b"), segment(3, "a"));
  let cancelled: string[] = [];
  queue.script.cancelledBatches = (ids) => ids.filter((id) => cancelled.includes(id));
  const report = run();
  await clock.advance(HEARTBEAT_MS);
  const polls = HEARTBEAT_MS / CANCEL_POLL_MS;
  assert.equal(queue.calls.filter((c) => c === "heartbeat").length, 1);
  assert.deepEqual(
    queue.calls.filter((c) => c.startsWith("cancelledBatches")),
    Array(polls).fill("cancelledBatches a,b"),
    "in-flight batches first, each once, the buffered segment's batch included",
  );
  cancelled = ["a"];
  queue.script.depth = () => ({ visible: 0, total: 0 });
  const before = queue.calls.length;
  await clock.advance(CANCEL_POLL_MS);
  // Segment 1 is aborted and its buffered batch-mate 3 dropped; the slot that freed claims again.
  assert.deepEqual(queue.calls.slice(before, before + 3), [
    "cancelledBatches a,b",
    "endAttempt slot=1 1 upload=false",
    "claim 2",
  ]);
  cancelled = ["a", "b"];
  await clock.advance(CANCEL_POLL_MS);
  const r = await report;
  assert.equal(r.cancelled, 2);
  assert.equal(r.done, 0);
  assert.ok(!queue.calls.some((c) => c.startsWith("beginAttempt 3")), "3 was never started");
  assert.ok(!queue.calls.some((c) => c.startsWith("returnMessages")), "nothing to hand back");
});

Deno.test("told to stop mid-request: the request is aborted, every held message handed back", async () => {
  const stop = new AbortController();
  const { queue, run } = setup(["hang"], { leave: false, stopSignal: stop.signal });
  queue.messages.push(segment(1), segment(2), segment(3));
  const running = run();
  await settle();
  stop.abort();
  const report = await running;
  assert.deepEqual(queue.calls, [
    "claim 2",
    "beginAttempt 1",
    // (the cancel watcher, woken by the stop before its poll was due, asks nothing more)
    "endAttempt slot=1 1 upload=false",
    "returnMessages 101 delay=0", // the one in flight
    "returnMessages 102 delay=0", // the one buffered
    "depth",
  ]);
  assert.equal(report.stoppedBy, "stop");
  assert.equal(report.handOver, false, "a stopped worker hands over to nobody");
  assert.equal(report.cancelled, 0);
});

Deno.test("budget spent with work left: nothing claimed, and the report asks for a hand-over", async () => {
  const { queue, run } = setup([200], { budgetMs: 0, leave: false });
  queue.messages.push(segment(1));
  const report = await run();
  assert.deepEqual(queue.calls, ["depth"]);
  assert.equal(report.stoppedBy, "budget");
  assert.equal(report.workLeft, true);
  assert.equal(report.handOver, true);
});

Deno.test("work queued while the run was leaving: seen after leaving, so the run hands over", async () => {
  const { queue, run } = setup([200]);
  let depthReads = 0;
  queue.script.depth =
    () => (depthReads++ === 0 ? { visible: 0, total: 0 } : { visible: 1, total: 1 });
  const report = await run();
  assert.deepEqual(queue.calls, ["claim 2", "depth", "leave", "depth"]);
  assert.equal(report.stoppedBy, "empty");
  assert.equal(report.handOver, true);
});

Deno.test("less budget left than one attempt takes: nothing claimed, the run hands over", async () => {
  // A budget of 0.9 s and attempts of up to 1 s: no attempt could end within the budget, so
  // nothing is claimed (a claim only to hand back would spend a delivery) and a successor is asked.
  const { queue, uploads, run } = setup([200], { budgetMs: 900, attemptMs: 1_000, leave: false });
  queue.messages.push(segment(1));
  const report = await run();
  assert.deepEqual(queue.calls, ["depth"]);
  assert.equal(uploads.length, 0);
  assert.equal(report.stoppedBy, "budget");
  assert.equal(report.handOver, true);
});

Deno.test("the closing depth read fails: counted as an error, the run still ends and hands over", async () => {
  const { queue, run } = setup([200], { budgetMs: 0, leave: false });
  queue.messages.push(segment(1));
  queue.script.depth = () => {
    throw new Error("connection refused");
  };
  const report = await run();
  assert.equal(report.errors, 1);
  assert.equal(report.workLeft, true, "unknown depth: assume work is left");
  assert.equal(report.handOver, true, "a run that stopped at its budget hands over");
});

Deno.test("a slow provider: every held message's visibility is extended each period", async () => {
  const { clock, queue, run } = setup(["hang"], { concurrency: 1, prefetch: 1 });
  queue.messages.push(segment(1), segment(2));
  queue.script.cancelledBatches = () => [];
  const running = run();
  await clock.advance(20_000);
  // 101 in flight (its request hangs), 102 buffered: one call for both.
  assert.deepEqual(queue.calls.filter((c) => c.startsWith("extendClaims")), [
    "extendClaims 101,102",
  ]);
  await clock.advance(20_000);
  assert.equal(queue.calls.filter((c) => c === "extendClaims 101,102").length, 2);
  queue.script.cancelledBatches = (ids) => ids;
  queue.script.depth = () => ({ visible: 0, total: 0 });
  await clock.advance(CANCEL_POLL_MS);
  await running;
});

Deno.test("stuck in one call: the heartbeat and the extensions stop once the progress window passes", async () => {
  const { clock, queue, run } = setup([200], {
    progressWindowMs: 60_000,
    idleExitMs: 10_000,
    budgetMs: 1_000_000,
  });
  queue.messages.push(segment(1));
  let unstick!: (ok: boolean) => void;
  queue.script.complete = () => new Promise((r) => (unstick = r));
  const beats: number[] = [];
  queue.script.heartbeat = () => void beats.push(clock.t);
  const running = run();
  // The attempt ended at t = 0 (its endAttempt answered: progress); complete never answers.
  await clock.advance(150_000);
  assert.deepEqual(
    beats,
    Array.from({ length: 12 }, (_, i) => (i + 1) * HEARTBEAT_MS),
    "a beat every HEARTBEAT_MS up to the window's end (60 s), none after",
  );
  const extensions = queue.calls.filter((c) => c.startsWith("extendClaims"));
  assert.deepEqual(extensions, ["extendClaims 101", "extendClaims 101", "extendClaims 101"]);
  // The call answers at last: the worker moves on and beats again.
  unstick(true);
  queue.script.depth = () => ({ visible: 0, total: 1 });
  await clock.advance(1_000);
  assert.ok(beats.at(-1)! > 150_000, "progress again: beating again");
  queue.script.depth = () => ({ visible: 0, total: 0 });
  await clock.advance(1_000);
  assert.equal((await running).done, 1);
});

Deno.test("the hand-off: the next request goes out on the permit before the last upload ends, with no sleep", async () => {
  const { clock, queue } = setup([200], { concurrency: 1, prefetch: 2 });
  queue.messages.push(segment(1), segment(2), segment(3));
  const requests = scriptedProvider([200]);
  const uploads: string[] = [];
  let releaseFirst!: () => void;
  const firstUpload = new Promise<void>((r) => (releaseFirst = r));
  const report = runWorker({
    queue,
    provider: requests.provider,
    upload: (path) => {
      uploads.push(path);
      return uploads.length === 1 ? firstUpload : Promise.resolve();
    },
    now: clock.now,
    sleep: clock.sleep,
    random: () => 0.5,
  }, {
    concurrency: 1,
    prefetch: 2,
    budgetMs: 60_000,
    attemptMs: 1_000,
    idleExitMs: 0,
    permitPollMs: 50,
    idlePollMs: 250,
    cancelPollMs: CANCEL_POLL_MS,
    extendEveryMs: 20_000,
    progressWindowMs: 60_000,
    leave: true,
  });
  await settle();
  // Segment 1's upload is still held; its permit went on to 2 at once. One slot finishing is the
  // most (concurrency 1): 2 ends alone and uploads before the slot asks for 3's permit.
  assert.equal(requests.requests(), 3, "2 and 3 were sent while the first upload waits");
  releaseFirst();
  const r = await report;
  assert.equal(r.done, 3);
  assert.deepEqual(queue.calls.filter((c) => /Attempt|endAndBegin/.test(c)), [
    "beginAttempt 1",
    "endAndBegin slot=1 1 upload=true next=2",
    "endAttempt slot=1 2 upload=true",
    "beginAttempt 3",
    "endAttempt slot=1 3 upload=true",
  ]);
  // The only sleeps are the cancel watch's and the claim keeper's, beside the work; the clock never
  // moved, so no request waited for anything but the calls above.
  assert.deepEqual(new Set(clock.slept), new Set([CANCEL_POLL_MS, 20_000]));
  assert.equal(clock.t, 0);
});

Deno.test("CPU budget spent: nothing more starts, the buffer is handed back, the run hands over", async () => {
  const { queue, uploads } = setup([200], { concurrency: 1, prefetch: 2, cpuBudgetMs: 1500 });
  queue.messages.push(segment(1), segment(2), segment(3), segment(4));
  queue.script.depth = () => ({ visible: 1, total: 1 }); // 4, handed back, is still queued
  // The work's CPU, as the process would count it: 1 s per upload.
  let cpu = 0;
  const report = await runWorker({
    queue,
    provider: scriptedProvider([200]).provider,
    upload: (path) => {
      uploads.push(path);
      cpu += 1000;
      return Promise.resolve();
    },
    now: () => 0,
    sleep: new FakeClock().sleep,
    random: () => 0.5,
    cpuMs: () => cpu,
  }, {
    concurrency: 1,
    prefetch: 2,
    budgetMs: 60_000,
    attemptMs: 1_000,
    idleExitMs: 0,
    permitPollMs: 50,
    idlePollMs: 250,
    cancelPollMs: CANCEL_POLL_MS,
    extendEveryMs: 20_000,
    progressWindowMs: 60_000,
    leave: true,
    cpuBudgetMs: 1500,
  });
  // 1 handed its permit to 2 before its upload (1 s); 2 ended alone (1 still finishing) and
  // uploaded (2 s): from then on nothing starts.
  assert.equal(report.done, 2);
  assert.equal(report.stoppedBy, "budget");
  assert.equal(report.handOver, true);
  assert.ok(queue.calls.includes("returnMessages 103,104 delay=0"), queue.calls.join("\n"));
  assert.deepEqual(queue.calls.filter((c) => /^(begin|end)Attempt|^endAndBegin/.test(c)), [
    "beginAttempt 1",
    "endAndBegin slot=1 1 upload=true next=2",
    "endAttempt slot=1 2 upload=true",
  ]);
});

// Four segments, one slot, each upload 1 s of the clock, a CPU budget of 1,000 ms and an estimate of
// 400 ms a segment taken and 100 ms a second; cpuMs: the runtime's CPU clock, if it has one.
async function budgetedRun(cpuMs?: () => number) {
  let t = 0;
  const { queue, config } = setup([200], {
    prefetch: 2,
    cpuBudgetMs: 1000,
    cpuEstimate: { perSegmentMs: 400, perSecondMs: 100 },
  });
  queue.messages.push(segment(1), segment(2), segment(3), segment(4));
  queue.script.depth = () => ({ visible: 1, total: 2 });
  const upload = () => {
    t += 1000;
    return Promise.resolve();
  };
  const clock = { now: () => t, sleep: new FakeClock().sleep, random: () => 0.5 };
  const provider = scriptedProvider([200]).provider;
  const report = await runWorker({ queue, provider, upload, cpuMs, ...clock }, config);
  return { report, calls: queue.calls.join("\n") };
}

Deno.test("no CPU clock: the budget counts the estimate (segments taken, seconds run) and the run hands over", async () => {
  // Supabase's edge runtime gives a function no CPU time. 1 hands its permit to 2 before its
  // upload, 2 ends alone and uploads: 2 segments and 2 s make the budget, so 3 and 4 (claimed) are
  // handed back untouched.
  const { report, calls } = await budgetedRun();
  assert.equal(report.done, 2, calls);
  assert.equal(report.stoppedBy, "budget");
  assert.equal(report.handOver, true);
  assert.deepEqual(report.cpu, { ms: 1000, measured: false });
  assert.match(calls, /^returnMessages 103,104 /m);
});

Deno.test("a CPU clock where there is one: the estimate is not counted", async () => {
  // The same run with the runtime's count (nothing spent): every segment is done.
  const { report, calls } = await budgetedRun(() => 7);
  assert.equal(report.done, 4, calls);
  assert.notEqual(report.stoppedBy, "budget");
  assert.deepEqual(report.cpu, { ms: 0, measured: true });
});

Deno.test("a slot that found nothing comes back when work is buffered again: C requests at once", async () => {
  // Two slots. The first claim brings one segment: the other slot finds nothing and stops. More
  // work arrives; once the buffer holds it, a second slot starts again.
  const { queue, run } = setup([200], { concurrency: 2, prefetch: 2 });
  let claims = 0;
  let depths = 0;
  queue.script.claim = (qty) => {
    if (claims++ > 0) return queue.messages.splice(0, qty);
    queue.messages.push(segment(2), segment(3), segment(4), segment(5));
    return [segment(1)];
  };
  queue.script.depth = () =>
    depths++ === 0
      ? { visible: 0, total: 0 }
      : { visible: queue.messages.length, total: queue.messages.length };
  // Two permits; the most held at once is what the run really had in flight.
  const held = new Set<number>();
  let most = 0;
  const take = () => {
    const slot = [1, 2].find((s) => !held.has(s));
    if (slot === undefined) return { outcome: "no_permit" as const, slot: null };
    held.add(slot);
    most = Math.max(most, held.size);
    return { outcome: "go" as const, slot };
  };
  queue.script.beginAttempt = take;
  queue.script.endAttempt = (slot) => (held.delete(slot), true);
  queue.script.endAndBegin = (slot, _id, _upload, _next) => {
    held.delete(slot);
    return { live: true, ...take() };
  };
  const report = await run();
  assert.equal(report.done, 5);
  assert.equal(most, 2, "two requests in flight again once work was buffered");
});
