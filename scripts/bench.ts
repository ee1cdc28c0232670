// The benchmark: N segments through W worker processes sharing a global limit C, against the
// Cartesia stand-in's latency model. Prints the figures measured at the provider (the plan's busy
// fraction, the hand-off gap, the first request, the most requests in flight, 429s), failures,
// database round trips per segment and each worker's CPU and peak memory (throughput/). Then two timings the tests leave to it: a batch cancelled mid-flight (how long
// after the cancel its requests still started, ended, and its objects were written) and a worker
// process killed mid-batch (how long until its segments were requested again and done).
// Run through scripts/bench (it prepares a throwaway database in AQ_BENCH_DB_URL).
//   scripts/bench [--n 300] [--latency-ms 200] [--spread 0.3] [--concurrency 3] [--workers 3]
//                 [--no-faults]
import { buildRig, die, VOICE } from "./throughput/rig.ts";
import { printRun } from "./throughput/print.ts";
import { THROUGHPUT_GRADE, throughputRun } from "./throughput/run.ts";

interface Options {
  n: number;
  latencyMs: number;
  spread: number;
  concurrency: number;
  workers: number;
  // Run the cancel and crash phases after the throughput run (--no-faults skips them).
  faults: boolean;
}
type NumberOption = Exclude<keyof Options, "faults">;

const LIMITS: Record<NumberOption, [number, number]> = {
  n: [1, 100_000],
  latencyMs: [0, 60_000],
  spread: [0, 1],
  concurrency: [1, 20],
  workers: [1, 16],
};

function parse(argv: string[]): Options {
  const o: Options = {
    n: 300,
    latencyMs: 200,
    spread: 0.3,
    concurrency: 3,
    workers: 3,
    faults: true,
  };
  const names: Record<string, NumberOption> = {
    "--n": "n",
    "--latency-ms": "latencyMs",
    "--spread": "spread",
    "--concurrency": "concurrency",
    "--workers": "workers",
  };
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === "--no-faults") {
      o.faults = false;
      continue;
    }
    const [flag, inline] = argv[i].split("=", 2);
    const key = names[flag];
    if (!key) {
      die(`unknown option ${argv[i]}; options: ${Object.keys(names).join(" ")} --no-faults`);
    }
    const raw = inline ?? argv[++i];
    const v = Number(raw);
    const [lo, hi] = LIMITS[key];
    if (!Number.isFinite(v) || v < lo || v > hi || (key !== "spread" && !Number.isInteger(v))) {
      die(
        `${flag} must be ${
          key === "spread" ? "a number" : "a whole number"
        } from ${lo} to ${hi}, got ${raw}`,
      );
    }
    o[key] = v;
  }
  return o;
}

// Words of their own, apart from the sample vocabulary: the cancel's, the crash's.
const CANCEL_GRADE = 998;
const CRASH_GRADE = 997;
// The crash phase's visibility timeout: how long a killed worker's messages stay hidden.
const CRASH_VISIBILITY_S = 10;

const opt = parse(Deno.args);
const rig = await buildRig(
  { latencyMeanMs: opt.latencyMs, latencySpread: opt.spread },
  {
    // Short timeouts, so a killed worker's segments come back in seconds (the crash phase);
    // requests here take well under the provider timeout.
    AUDIO_PROVIDER_TIMEOUT_MS: String((CRASH_VISIBILITY_S - 5) * 1000),
    AUDIO_VISIBILITY_TIMEOUT_S: String(CRASH_VISIBILITY_S),
  },
);
const { sql, cartesia, addWords, queueGrade, waitForStatus, waitUntil, startWorkers, stopWorkers } =
  rig;

// The provider requests (stand-in log) for a batch's texts.
async function requestsOf(batchId: string) {
  const texts = new Set(
    (await sql`select text from public.audio_segments where batch_id = ${batchId}`)
      .map((r) => `${VOICE}|${r.text}`),
  );
  return cartesia.stats().requests.filter((r) => r.text !== null && texts.has(r.text));
}

// waitForProgress: until the batch has `done` segments done and one generating.
async function waitForProgress(batchId: string, done: number): Promise<void> {
  await waitUntil(async () => {
    const [r] = await sql`select count(*) filter (where status = 'done')::int as done,
      count(*) filter (where status = 'generating')::int as generating
      from public.audio_segments where batch_id = ${batchId}`;
    return r.done >= done && r.generating > 0;
  });
}

const fmtMs = (ms: number) => `${Math.round(ms)} ms`;
// An offset from an event, in words: "12 ms after the cancel", "5 ms before the cancel".
const offset = (ms: number, event: string) =>
  `${Math.abs(Math.round(ms))} ms ${ms < 0 ? "before" : "after"} ${event}`;

// The cancel phase: a batch cancelled while its requests are in flight. How long after the cancel
// requests of it still started and ended, and objects of it were still written.
async function cancelPhase(): Promise<void> {
  await addWords(CANCEL_GRADE, 120, "cancel");
  const batchId = await queueGrade(CANCEL_GRADE);
  await waitForProgress(batchId, opt.concurrency * 2);
  await sql`select audio.cancel_batch(${batchId}::uuid)`;
  const cancelledAt = Date.now();
  await waitForStatus(batchId, ["cancelled"]);
  const requests = await requestsOf(batchId);
  const lastStart = Math.max(...requests.map((r) => r.start));
  const lastEnd = Math.max(...requests.map((r) => r.end ?? Date.now()));
  const aborted = requests.filter((r) => r.status === 499 && r.end! >= cancelledAt).length;
  const [{ last_write }] = await sql`select max(o.updated_at) as last_write
    from storage.objects as o join public.audio_segments as s on s.storage_path = o.name
    where s.batch_id = ${batchId}`;
  console.log(`cancel, a batch of 120 cancelled mid-flight (C=${opt.concurrency})`);
  console.log(`  last request start            ${offset(lastStart - cancelledAt, "the cancel")}`);
  const wrote = last_write
    ? offset(new Date(last_write).getTime() - cancelledAt, "the cancel")
    : "none";
  console.log(
    `  last request end              ${
      offset(lastEnd - cancelledAt, "the cancel")
    } (${aborted} aborted)`,
  );
  console.log(`  last object written           ${wrote}`);
}

// The crash phase: one worker process killed with SIGKILL mid-batch. How long until its segments
// were taken over and finished, and how many provider calls the crash cost twice.
async function crashPhase(env: Record<string, string>): Promise<void> {
  await addWords(CRASH_GRADE, 150, "crash");
  const victim = await startWorkers(1, env);
  const batchId = await queueGrade(CRASH_GRADE);
  await waitUntil(async () => {
    const [r] = await sql`select count(*)::int as n from audio.permits as p
      join public.audio_segments as s on s.id = p.segment_id
      where p.holder = ${victim.holders[0]} and s.batch_id = ${batchId}`;
    return r.n > 0;
  });
  victim.procs[0].kill("SIGKILL");
  await victim.procs[0].status;
  const killedAt = Date.now();
  const orphans = await sql`select s.id from audio.permits as p
    join public.audio_segments as s on s.id = p.segment_id where p.holder = ${victim.holders[0]}`;
  await waitForStatus(batchId, ["completed", "completed_with_errors"]);
  const [f] = await sql`select max(finished_at) as last_done, count(*)::int as total
    from public.audio_segments where id = any(${orphans.map((o) => o.id)}::bigint[])`;
  const orphanTexts = new Set(
    (await sql`select text from public.audio_segments where id = any(${
      orphans.map((o) => o.id)
    }::bigint[])`).map((r) => `${VOICE}|${r.text}`),
  );
  const requests = await requestsOf(batchId);
  const firstRetake = Math.min(
    ...requests.filter((r) => orphanTexts.has(r.text!) && r.start >= killedAt).map((r) => r.start),
  );
  const [{ segments }] =
    await sql`select count(*)::int as segments from public.audio_segments where batch_id = ${batchId}`;
  console.log(
    `crash, one of ${
      opt.workers + 1
    } worker processes killed mid-batch (visibility timeout ${CRASH_VISIBILITY_S} s)`,
  );
  console.log(`  segments it held              ${f.total}`);
  console.log(`  first one requested again     ${fmtMs(firstRetake - killedAt)} after the kill`);
  console.log(
    `  last one done                 ${
      fmtMs(new Date(f.last_done).getTime() - killedAt)
    } after the kill`,
  );
  console.log(
    `  provider calls                ${requests.length} for ${segments} segments (${
      requests.length - segments
    } more: the killed requests)`,
  );
  await stopWorkers(victim);
}

try {
  const result = await throughputRun(rig, opt);
  printRun(result);
  if (result.plan.maxInFlight > opt.concurrency || result.done !== opt.n) Deno.exitCode = 1;

  if (opt.faults) {
    const env = rig.env(opt.concurrency);
    const faultWorkers = await startWorkers(opt.workers, env);
    await cancelPhase();
    await crashPhase(env);
    await stopWorkers(faultWorkers);
  }
} finally {
  await rig.close([THROUGHPUT_GRADE, CANCEL_GRADE, CRASH_GRADE]);
}
