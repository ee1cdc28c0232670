// The benchmark: N segments through W worker processes sharing a global limit C, against the
// Cartesia stand-in's latency model. Prints wall time, the limit N·L̄/C, efficiency, the most
// requests at once at the provider, 429s, database round trips per segment and each worker's
// peak memory. Then two timings the tests leave to it: a batch cancelled mid-flight (how long
// after the cancel its requests still started, ended, and its objects were written) and a worker
// process killed mid-batch (how long until its segments were requested again and done).
// Run through scripts/bench (it prepares a throwaway database in AQ_BENCH_DB_URL).
//   scripts/bench [--n 300] [--latency-ms 200] [--spread 0.3] [--concurrency 3] [--workers 3]
//                 [--no-faults]
import postgres from "postgres";
import { startCartesiaStandin } from "../local/cartesia/server.ts";
import { localKeys, randomSecret } from "../local/gateway/keys.ts";
import { newProjectKeys } from "../local/gateway/keyring.ts";
import { startGateway } from "../local/gateway/server.ts";
import { spawnWorker } from "./faults/worker_procs.ts";

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

function die(message: string): never {
  console.error(`bench: ${message}`);
  Deno.exit(2);
}

// Lines of a child's stdout, as they come.
async function* lines(stream: ReadableStream<Uint8Array>): AsyncGenerator<string> {
  let buf = "";
  const decoder = new TextDecoder();
  for await (const bytes of stream) {
    buf += decoder.decode(bytes, { stream: true });
    let i: number;
    while ((i = buf.indexOf("\n")) >= 0) {
      yield buf.slice(0, i);
      buf = buf.slice(i + 1);
    }
  }
  if (buf) yield buf;
}

// Words of their own, apart from the sample vocabulary: the throughput run's, the cancel's, the
// crash's.
const BENCH_GRADE = 999;
const CANCEL_GRADE = 998;
const CRASH_GRADE = 997;
// The crash phase's visibility timeout: how long a killed worker's messages stay hidden.
const CRASH_VISIBILITY_S = 10;
const POLL_MS = 20; // completion is read from the database this often
const TIMEOUT_MS = 30 * 60_000;
const PLAN_HEADROOM = 10; // the stand-in's plan is C + this

const opt = parse(Deno.args);
const dbUrl = Deno.env.get("AQ_BENCH_DB_URL") ??
  die("AQ_BENCH_DB_URL is not set; run scripts/bench");
const sql = postgres(dbUrl, { max: 2, onnotice: () => {} });
const storageRoot = await Deno.makeTempDir({ prefix: "aq-bench-" });
const cartesia = await startCartesiaStandin({
  port: 0,
  // The plan allows more than C, so every request the workers send reaches the stand-in and its
  // count of requests at once is the workers' real concurrency (a plan of C would refuse the
  // excess with 429 before counting it).
  keys: { "bench-key": opt.concurrency + PLAN_HEADROOM },
  latencyMeanMs: opt.latencyMs,
  latencySpread: opt.spread,
});
const keys = await newProjectKeys();
const { serviceRoleKey } = await localKeys(keys.jwtSecret);
const gateway = await startGateway({
  port: 0,
  keys,
  storageRoot,
  dbUrl,
  functions: {},
  log: () => {},
});
const children: Deno.ChildProcess[] = [];

interface WorkerFinal {
  roundTrips: number;
  peakRssBytes: number;
  errors: number;
}
interface Workers {
  procs: Deno.ChildProcess[];
  holders: string[];
  finals: Promise<WorkerFinal>[];
}

// startWorkers: `count` long-lived worker processes; resolves once each has said it started.
async function startWorkers(count: number, env: Record<string, string>): Promise<Workers> {
  const w: Workers = { procs: [], holders: [], finals: [] };
  const started: Promise<void>[] = [];
  for (let i = 0; i < count; i++) {
    const child = spawnWorker(env, "inherit");
    children.push(child);
    w.procs.push(child);
    let ready!: () => void;
    started.push(new Promise((r) => (ready = r)));
    const index = i;
    w.finals.push((async () => {
      const out = { roundTrips: 0, peakRssBytes: 0, errors: 0 };
      for await (const line of lines(child.stdout)) {
        const msg = JSON.parse(line);
        if (msg.message === "worker started") {
          w.holders[index] = msg.holder;
          ready();
        }
        if (msg.message === "worker stopped") {
          out.roundTrips = msg.roundTrips;
          out.errors = msg.errors;
          out.peakRssBytes = msg.peakRssBytes;
        }
      }
      return out;
    })());
  }
  await Promise.all(started);
  return w;
}

async function stopWorkers(w: Workers): Promise<WorkerFinal[]> {
  for (const c of w.procs) {
    try {
      c.kill("SIGTERM");
    } catch {
      // already gone (killed on purpose)
    }
  }
  const reports = await Promise.all(w.finals);
  for (const c of w.procs) await c.status;
  return reports;
}

// addWords: `count` words of their own grade, one segment each (the word).
async function addWords(grade: number, count: number, label: string): Promise<void> {
  await sql`delete from public.words where grade = ${grade}`;
  await sql`insert into public.words (word, definition, example_sentence, grade)
    select ${label} || ' segment ' || i || ' of ' || ${count}::int, '', '', ${grade}::smallint
    from generate_series(1, ${count}::int) as i`;
}

async function queueGrade(grade: number): Promise<string> {
  const [batch] =
    await sql`select * from audio.create_batch(p_grade => ${grade}::smallint, p_kinds => array['word'],
    p_voice_id => 'bench-voice', p_model_id => 'sonic-2', p_format => 'wav-pcm_s16le-44100', p_missing_only => false)`;
  return batch.batch_id;
}

// waitForStatus: until the batch's status is one of `statuses`; how long that took (ms).
async function waitForStatus(batchId: string, statuses: string[]): Promise<number> {
  const t0 = performance.now();
  await waitUntil(async () => {
    const [{ status }] = await sql`select status from public.audio_batches where id = ${batchId}`;
    return statuses.includes(status);
  });
  return performance.now() - t0;
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

async function waitUntil(ok: () => Promise<boolean>): Promise<void> {
  const t0 = performance.now();
  while (!(await ok())) {
    if (performance.now() - t0 > TIMEOUT_MS) die("a bench phase did not progress in 30 minutes");
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
}

// The provider requests (stand-in log) for a batch's texts.
async function requestsOf(batchId: string) {
  const texts = new Set(
    (await sql`select text from public.audio_segments where batch_id = ${batchId}`)
      .map((r) => `bench-voice|${r.text}`),
  );
  return cartesia.stats().requests.filter((r) => r.text !== null && texts.has(r.text));
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
    }::bigint[])`).map((r) => `bench-voice|${r.text}`),
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
  await sql`truncate public.audio_batches, public.audio_segments, public.word_audio, audio.generated_audio cascade`;
  await sql`select pgmq.purge_queue(queue_name => 'audio_segments'::text)`;
  await addWords(BENCH_GRADE, opt.n, "bench");

  const env = {
    SUPABASE_URL: gateway.url,
    SUPABASE_SERVICE_ROLE_KEY: serviceRoleKey,
    SUPABASE_DB_URL: dbUrl,
    AUDIO_WORKER_SECRET: randomSecret(),
    CARTESIA_BASE_URL: cartesia.url,
    CARTESIA_API_KEY: "bench-key",
    CARTESIA_VOICE_ID: "bench-voice",
    AUDIO_GENERATION_CONCURRENCY: String(opt.concurrency),
    // Short timeouts, so a killed worker's segments come back in seconds (the crash phase);
    // requests here take well under the provider timeout.
    AUDIO_PROVIDER_TIMEOUT_MS: String((CRASH_VISIBILITY_S - 5) * 1000),
    AUDIO_VISIBILITY_TIMEOUT_S: String(CRASH_VISIBILITY_S),
  };
  const workers = await startWorkers(opt.workers, env);
  cartesia.resetStats();

  const t0 = performance.now();
  const queuedAt = Date.now(); // the stand-in's clock (Date.now, same process)
  const batchId = await queueGrade(BENCH_GRADE);
  await waitForStatus(batchId, ["completed", "completed_with_errors", "cancelled"]);
  const wallMs = performance.now() - t0;
  const reports = await stopWorkers(workers);

  const [m] = await sql`select count(*) filter (where status = 'done')::int as done,
      count(*) filter (where status = 'failed')::int as failed,
      avg(provider_ms)::float as mean_ms, sum(rate_limited)::int as rate_limited
    from public.audio_segments where batch_id = ${batchId}`;
  const stats = cartesia.stats();
  const limitMs = (m.done * m.mean_ms) / opt.concurrency;
  const rt = reports.reduce((a, r) => a + r.roundTrips, 0);
  const mib = (b: number) => `${(b / 1024 / 1024).toFixed(1)} MiB`;

  console.log(
    `audio-queue benchmark: N=${opt.n}, latency ${opt.latencyMs} ms ±${
      opt.spread * 100
    }%, C=${opt.concurrency}, ${opt.workers} worker processes`,
  );
  console.log(`  segments done / failed        ${m.done} / ${m.failed}`);
  console.log(`  wall time                     ${(wallMs / 1000).toFixed(2)} s`);
  console.log(
    `  mean provider time L          ${m.mean_ms.toFixed(1)} ms (measured by the workers)`,
  );
  console.log(`  limit N*L/C                   ${(limitMs / 1000).toFixed(2)} s`);
  console.log(`  efficiency (limit / wall)     ${(limitMs / wallMs).toFixed(3)}`);
  // The same on the provider's own clock: the plan's busy fraction, Σ request time at the
  // stand-in ÷ C ÷ (queued → last answer).
  const answered = stats.requests.filter((r) => r.end !== null);
  const busyMs = answered.reduce((sum, r) => sum + (r.end! - r.start), 0);
  const spanMs = Math.max(...answered.map((r) => r.end!)) - queuedAt;
  console.log(
    `  plan busy at the provider     ${(busyMs / opt.concurrency / spanMs).toFixed(3)} ` +
      `(Σ request time at the stand-in ÷ C ÷ ${(spanMs / 1000).toFixed(2)} s)`,
  );
  console.log(
    `  max requests at once          ${stats.maxAtOnce} at the provider (C = ${opt.concurrency})`,
  );
  console.log(
    `  429s                          ${stats.rateLimited} (provider) / ${m.rate_limited} (workers)`,
  );
  console.log(`  provider requests             ${stats.totalRequests}`);
  console.log(
    `  db round trips per segment    ${
      (rt / opt.n).toFixed(2)
    } (${rt} in all, idle polls included)`,
  );
  console.log(
    `  peak worker memory (RSS)      ${reports.map((r) => mib(r.peakRssBytes)).join(", ")}`,
  );
  if (reports.some((r) => r.errors > 0)) {
    console.log(`  worker errors                 ${reports.map((r) => r.errors).join(", ")}`);
  }
  if (stats.maxAtOnce > opt.concurrency || m.done !== opt.n) Deno.exitCode = 1;

  if (opt.faults) {
    const faultWorkers = await startWorkers(opt.workers, env);
    await cancelPhase();
    await crashPhase(env);
    await stopWorkers(faultWorkers);
  }
} finally {
  for (const c of children) {
    try {
      c.kill("SIGKILL");
    } catch {
      // already gone
    }
  }
  await gateway.close();
  await cartesia.close();
  await sql`delete from public.words where grade = any(${[BENCH_GRADE, CANCEL_GRADE, CRASH_GRADE]})`
    .catch(() => {});
  await sql.end({ timeout: 5 });
  await Deno.remove(storageRoot, { recursive: true });
}
