// The benchmark: N segments through W worker processes sharing a global limit C, against the
// Cartesia stand-in's latency model. Prints wall time, the limit N·L̄/C, efficiency, the most
// requests in flight at the provider, 429s, database round trips per segment and each worker's
// peak memory. Run through scripts/bench (it prepares a throwaway database in AQ_BENCH_DB_URL).
//   scripts/bench [--n 300] [--latency-ms 200] [--spread 0.3] [--concurrency 3] [--workers 3]
import postgres from "postgres";
import { startCartesiaStandin } from "../local/cartesia/server.ts";
import { localKeys, randomSecret } from "../local/gateway/keys.ts";
import { startGateway } from "../local/gateway/server.ts";

interface Options {
  n: number;
  latencyMs: number;
  spread: number;
  concurrency: number;
  workers: number;
}

const LIMITS: Record<keyof Options, [number, number]> = {
  n: [1, 100_000],
  latencyMs: [0, 60_000],
  spread: [0, 1],
  concurrency: [1, 20],
  workers: [1, 16],
};

function parse(argv: string[]): Options {
  const o: Options = { n: 300, latencyMs: 200, spread: 0.3, concurrency: 3, workers: 3 };
  const names: Record<string, keyof Options> = {
    "--n": "n",
    "--latency-ms": "latencyMs",
    "--spread": "spread",
    "--concurrency": "concurrency",
    "--workers": "workers",
  };
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i].split("=", 2);
    const key = names[flag];
    if (!key) die(`unknown option ${argv[i]}; options: ${Object.keys(names).join(" ")}`);
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

const ROOT = new URL("../", import.meta.url).pathname;
const BENCH_GRADE = 999; // words of their own, apart from the sample vocabulary
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
const jwtSecret = randomSecret();
const { serviceRoleKey } = await localKeys(jwtSecret);
const gateway = await startGateway({
  port: 0,
  jwtSecret,
  storageRoot,
  dbUrl,
  functions: {},
  log: () => {},
});
const children: Deno.ChildProcess[] = [];

try {
  await sql`truncate public.audio_batches, public.audio_segments, public.word_audio, audio.generated_audio cascade`;
  await sql`select pgmq.purge_queue(queue_name => 'audio_segments'::text)`;
  await sql`delete from public.words where grade = ${BENCH_GRADE}`;
  await sql`insert into public.words (word, definition, example_sentence, grade)
    select 'bench segment ' || i || ' of ' || ${opt.n}::int, '', '', ${BENCH_GRADE}::smallint
    from generate_series(1, ${opt.n}::int) as i`;

  const env = {
    SUPABASE_URL: gateway.url,
    SUPABASE_SERVICE_ROLE_KEY: serviceRoleKey,
    SUPABASE_DB_URL: dbUrl,
    AUDIO_WORKER_SECRET: randomSecret(),
    CARTESIA_BASE_URL: cartesia.url,
    CARTESIA_API_KEY: "bench-key",
    CARTESIA_VOICE_ID: "bench-voice",
    AUDIO_GENERATION_CONCURRENCY: String(opt.concurrency),
  };
  const finals: Promise<{ roundTrips: number; peakRssBytes: number; errors: number }>[] = [];
  const started: Promise<void>[] = [];
  for (let w = 0; w < opt.workers; w++) {
    const child = new Deno.Command(`${ROOT}tools/node_modules/.bin/deno`, {
      args: [
        "run",
        "--allow-net",
        "--allow-env",
        "--allow-read",
        `${ROOT}supabase/functions/_shared/worker/main.ts`,
        "--quiet",
      ],
      env,
      stdout: "piped",
      stderr: "inherit",
    }).spawn();
    children.push(child);
    let ready!: () => void;
    started.push(new Promise((r) => (ready = r)));
    finals.push((async () => {
      const out = { roundTrips: 0, peakRssBytes: 0, errors: 0 };
      for await (const line of lines(child.stdout)) {
        const msg = JSON.parse(line);
        if (msg.message === "worker started") ready();
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
  cartesia.resetStats();

  const t0 = performance.now();
  const [batch] =
    await sql`select * from audio.create_batch(p_grade => ${BENCH_GRADE}::smallint, p_kinds => array['word'],
    p_voice_id => 'bench-voice', p_model_id => 'sonic-2', p_format => 'wav-pcm_s16le-44100', p_missing_only => false)`;
  let status = "";
  while (!["completed", "completed_with_errors", "cancelled"].includes(status)) {
    if (performance.now() - t0 > TIMEOUT_MS) die("the batch did not finish in 30 minutes");
    await new Promise((r) => setTimeout(r, POLL_MS));
    [{ status }] = await sql`select status from public.audio_batches where id = ${batch.batch_id}`;
  }
  const wallMs = performance.now() - t0;
  for (const c of children) c.kill("SIGTERM");
  const reports = await Promise.all(finals);
  for (const c of children) await c.status;

  const [m] = await sql`select count(*) filter (where status = 'done')::int as done,
      count(*) filter (where status = 'failed')::int as failed,
      avg(provider_ms)::float as mean_ms, sum(rate_limited)::int as rate_limited
    from public.audio_segments where batch_id = ${batch.batch_id}`;
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
  await sql`delete from public.words where grade = ${BENCH_GRADE}`.catch(() => {});
  await sql.end({ timeout: 5 });
  await Deno.remove(storageRoot, { recursive: true });
}
