// The fault suite, short: the scenarios of scripts/bench faults on small batches through real
// worker processes, each held to the targets that are not timings — nothing lost, counters equal
// to the rows, the batch finished, no more duplicate provider calls than crashes injected — and
// each checked to have really hit the pipeline. (The benchmark adds the resume time.)
import assert from "node:assert/strict";
import { answeredAt, type ScenarioResult, targetsMissed } from "../../scripts/faults/measure.ts";
import type { FaultRig } from "../../scripts/faults/rig.ts";
import { runScenario } from "../../scripts/faults/run.ts";
import { SCENARIOS } from "../../scripts/faults/scenarios.ts";
import { workerProcesses } from "../../scripts/faults/worker_procs.ts";
import { startOwnCluster } from "../helpers/own_cluster.ts";
import { startTestStack, type TestStack } from "../helpers/stack.ts";

// Seconds, not minutes: a killed worker's messages come back after the visibility timeout, the
// shortest settings.ts allows above the provider timeout (timeout + the 5 s upload margin).
const PROVIDER_TIMEOUT_MS = 1000;
const VISIBILITY_S = 6;
const WORKERS = 2;
// Small batches: enough for work in flight when the fault hits and work left after it.
const N = 24;
// Generous: a batch here ends in seconds; the wait only bounds a stuck one.
const TIMEOUT_MS = 90_000;
const FINISHED = ["completed", "completed_with_errors", "cancelled"];

async function withRig(
  opts: { dbUrl?: string; restart?: FaultRig["restartPostgres"] },
  fn: (rig: FaultRig, stack: TestStack) => Promise<void>,
): Promise<void> {
  const stack = await startTestStack({
    settings: {
      AUDIO_PROVIDER_TIMEOUT_MS: String(PROVIDER_TIMEOUT_MS),
      AUDIO_VISIBILITY_TIMEOUT_S: String(VISIBILITY_S),
    },
    standin: { latencyMeanMs: 60, latencySpread: 0.3 },
    ...(opts.dbUrl ? { dbUrl: opts.dbUrl } : {}),
  });
  const s = stack.app.settings;
  const workers = workerProcesses({
    SUPABASE_URL: s.SUPABASE_URL,
    SUPABASE_SERVICE_ROLE_KEY: s.SUPABASE_SERVICE_ROLE_KEY,
    SUPABASE_DB_URL: s.SUPABASE_DB_URL,
    AUDIO_WORKER_SECRET: s.AUDIO_WORKER_SECRET,
    CARTESIA_API_KEY: s.CARTESIA_API_KEY,
    CARTESIA_BASE_URL: s.CARTESIA_BASE_URL,
    CARTESIA_VOICE_ID: s.CARTESIA_VOICE_ID,
    AUDIO_GENERATION_CONCURRENCY: String(s.AUDIO_GENERATION_CONCURRENCY),
    AUDIO_BACKOFF_BASE_MS: String(s.AUDIO_BACKOFF_BASE_MS),
    AUDIO_MAX_BACKOFF_MS: String(s.AUDIO_MAX_BACKOFF_MS),
    AUDIO_PROVIDER_TIMEOUT_MS: String(PROVIDER_TIMEOUT_MS),
    AUDIO_VISIBILITY_TIMEOUT_S: String(VISIBILITY_S),
  });
  const rig: FaultRig = {
    sql: stack.sql,
    cartesia: stack.cartesia,
    storage: stack.storage,
    workers,
    voiceId: s.CARTESIA_VOICE_ID,
    providerTimeoutMs: PROVIDER_TIMEOUT_MS,
    ...(opts.restart ? { restartPostgres: opts.restart } : {}),
    note: () => {},
  };
  try {
    await fn(rig, stack);
  } finally {
    await workers.stopAll();
    await stack.close();
  }
}

async function run(rig: FaultRig, name: string): Promise<ScenarioResult> {
  const sc = SCENARIOS.find((s) => s.name === name);
  if (!sc) throw new Error(`no scenario "${name}"`);
  rig.cartesia.resetStats();
  return await runScenario(rig, sc, SCENARIOS.indexOf(sc), {
    n: N,
    workers: WORKERS,
    timeoutMs: TIMEOUT_MS,
    timed: false,
    firstGrade: 900,
  });
}

// perCrash: duplicate provider calls allowed per crash injected (the suite's target is 1). A
// missed duplicate target says which texts were answered twice and when, and what the workers
// printed (their retries, failures and errors), so a rare miss can be explained from its output.
function assertTargets(rig: FaultRig, r: ScenarioResult, perCrash = 1) {
  assert.equal(r.lost, 0, `${r.name}: segments lost`);
  assert.equal(r.drift, 0, `${r.name}: counters differ from rows`);
  assert.ok(FINISHED.includes(r.status), `${r.name}: batch left ${r.status}`);
  assert.ok(
    r.duplicates <= r.crashes * perCrash,
    [
      `${r.name}: ${r.duplicates} duplicates, ${r.crashes} crashes (at most ${perCrash} each)`,
      ...r.duplicated,
      `worker processes that exited on their own: ${r.workerExits}; the workers' latest lines:`,
      ...rig.workers.lines(),
    ].join("\n"),
  );
}

// A worker killed with SIGKILL loses the audio of every request the provider already answered and
// it had not yet stored: at most two per slot, since a slot's upload runs beside the next request
// it handed its permit to (the gapless hand-off), and that request may have been answered too. At
// this test's ~60 ms requests on a loaded machine the slots spend a fair share of their time
// between the answer and the upload, so the bound held here is that worst case; the benchmark
// (200 ms requests) holds the suite's target of one.
const killAllowance = (stack: TestStack) => 2 * stack.app.settings.AUDIO_GENERATION_CONCURRENCY;

const postmasterStart = async (rig: FaultRig): Promise<number> =>
  (await rig.sql`select pg_postmaster_start_time() as t`)[0].t.getTime();

const serverErrors = (stack: TestStack) =>
  ["500", "502", "503"].reduce((a, k) => a + (stack.cartesia.stats().byStatus[k] ?? 0), 0);

Deno.test("fault suite (short): a killed worker, provider hangs and 5xx, stalled uploads, word edits, shared text", async () => {
  await withRig({}, async (rig, stack) => {
    const kill = await run(rig, "worker kill -9");
    assertTargets(rig, kill, killAllowance(stack));
    assert.equal(kill.crashes, 1);

    const hang = await run(rig, "provider hangs past timeout");
    assertTargets(rig, hang);
    assert.ok(stack.cartesia.stats().abandoned > 0, "no request hung until the worker gave up");

    const burst = await run(rig, "provider 5xx burst");
    assertTargets(rig, burst);
    assert.ok(serverErrors(stack) > 0, "no request was answered 5xx");

    const stall = await run(rig, "storage uploads stall");
    assertTargets(rig, stall);
    assert.ok(rig.storage.injected().stalled > 0, "no upload stalled");

    const edits = await run(rig, "word deleted + text edited");
    assertTargets(rig, edits);
    assert.equal(edits.segments, N - 1, "the deleted word's segment is gone from the batch");

    const twins = await run(rig, "same text in two words");
    assertTargets(rig, twins);
    assert.equal(twins.done, twins.segments, "both words of each pair are done");
    assert.equal(twins.duplicates, 0);
  });
});

// A Storage 500 after the provider answered costs a wait (the upload is retried), not a second
// provider call.
Deno.test("fault suite (short): Storage answering 500 loses nothing, pays nothing twice, and the batch ends", async () => {
  await withRig({}, async (rig) => {
    const r = await run(rig, "storage answers 500");
    assertTargets(rig, r);
    assert.equal(r.duplicates, 0);
    assert.ok(rig.storage.injected().failed > 0, "no Storage request was answered 500");
  });
});

Deno.test("fault suite (short): Postgres restarted (fast, then immediate) on a cluster of the test's own", async () => {
  const cluster = await startOwnCluster();
  try {
    await withRig({ dbUrl: cluster.url, restart: cluster.restart }, async (rig) => {
      for (const name of ["postgres restart -m fast", "postgres restart -m immediate"]) {
        const before = await postmasterStart(rig);
        const r = await run(rig, name);
        assert.ok(await postmasterStart(rig) > before, `${name}: Postgres was not restarted`);
        assertTargets(rig, r);
        assert.equal(r.crashes, 1);
        assert.ok(r.resumeMs !== null, `${name}: no provider request after Postgres came back`);
      }
    });
  } finally {
    await cluster.close();
  }
});

Deno.test("fault suite: each target missed is named with its figures; timings only when timed", () => {
  const met: ScenarioResult = {
    name: "x",
    segments: 10,
    done: 9,
    failed: 1,
    reasons: { "HTTP 503": 1 },
    lost: 0,
    status: "completed_with_errors",
    drift: 0,
    duplicates: 1,
    duplicated: [],
    crashes: 1,
    resumeMs: 4000,
    resumeTarget: true,
    workerExits: 0,
    failures: [],
  };
  assert.deepEqual(targetsMissed(met, true), []);
  assert.deepEqual(
    targetsMissed({ ...met, lost: 2, drift: 1, status: "running", duplicates: 3 }, false),
    [
      "2 segments lost",
      "1 batches' counters differ from their rows",
      "batch left running",
      "3 duplicate provider calls for 1 crash",
    ],
  );
  assert.deepEqual(targetsMissed({ ...met, resumeMs: 6000 }, true), [
    "provider requests resumed 6000 ms after Postgres came back",
  ]);
  assert.deepEqual(targetsMissed({ ...met, resumeMs: null }, true), [
    "no provider request after Postgres came back",
  ]);
  assert.deepEqual(targetsMissed({ ...met, resumeMs: 6000 }, false), [], "untimed: no timing");
  assert.deepEqual(
    targetsMissed({ ...met, resumeMs: 6000, resumeTarget: false }, true),
    [],
    "only a Postgres restart's resume time has a target",
  );
});

Deno.test("fault suite: a text answered twice is shown with its answers' starts from the fault's end", () => {
  const req = (text: string, start: number, status: number) => ({
    key: "k",
    text,
    start,
    end: start + 60,
    status,
  });
  const requests = [req("v|a", 1000, 200), req("v|b", 1100, 499), req("v|a", 7000, 200)];
  assert.equal(
    answeredAt("v|a", requests, 1200),
    "v|a: 200 at -200 ms, +5800 ms (from the fault's end)",
  );
  assert.equal(
    answeredAt("v|a", requests, null),
    "v|a: 200 at +0 ms, +6000 ms (from the first)",
  );
  // Only answers that carried audio count: a request the client left (499) is not one.
  assert.equal(
    answeredAt("v|b", [...requests, req("v|b", 1300, 200)], 1200),
    "v|b: 200 at +100 ms (from the fault's end)",
  );
});
