// The learned concurrency limit, measured: batches through long-lived worker processes against
// the Cartesia stand-in whose plan the scenario sets (and changes mid-batch). Per scenario:
// failed segments, 429s as a share of provider requests, the plan's busy fraction at the provider
// (Σ request time at the stand-in ÷ the slot time the plan offered ours from queueing to the last
// answer, each plan counted for its part of the run), and how long the limit took to follow the plan — each against its target.
// Run through scripts/bench (a throwaway cluster in AQ_BENCH_DB_URL):
//   scripts/bench limit [--n 1092] [--latency-ms 200] [--workers 1]
// The limit's following time runs from the first 429 at the provider (or from the plan's change)
// to the first read of the limit at the plan; "not needed" when nothing ever went above the plan.
import postgres from "postgres";
import { type CartesiaStandin, startCartesiaStandin } from "../local/cartesia/server.ts";
import { localKeys, randomSecret } from "../local/gateway/keys.ts";
import { newProjectKeys } from "../local/gateway/keyring.ts";
import { startGateway } from "../local/gateway/server.ts";
import { workerProcesses } from "./faults/worker_procs.ts";

interface Scenario {
  name: string;
  configured: number;
  plan: number;
  otherClient?: number;
  // A plan change once this share of the batch is done.
  change?: { at: number; plan: number };
  // AUDIO_LIMIT_PROBE_S for the raise scenario (short, so a run shows a probe).
  probeS?: number;
  // The busy target (issue 10: 0.93 with the plan full, 0.9 beside another client).
  busyTarget: number;
}

const SCENARIOS: Scenario[] = [
  { name: "configured 6 on a plan of 3", configured: 6, plan: 3, busyTarget: 0.93 },
  { name: "configured 20 on a plan of 5", configured: 20, plan: 5, busyTarget: 0.93 },
  {
    name: "plan cut 5 -> 3 mid-batch",
    configured: 5,
    plan: 5,
    change: { at: 0.3, plan: 3 },
    busyTarget: 0.93,
  },
  {
    name: "plan raised 3 -> 5 (probe 5 s)",
    configured: 5,
    plan: 3,
    change: { at: 0.3, plan: 5 },
    probeS: 5,
    busyTarget: 0.93,
  },
  {
    name: "another client on 1 slot of 3",
    configured: 3,
    plan: 3,
    otherClient: 1,
    busyTarget: 0.9,
  },
];

const GRADE = 995; // words of their own, apart from the sample vocabulary
const POLL_MS = 20; // the batch and the limit are read this often
const TIMEOUT_MS = 20 * 60_000; // a scenario that has not ended by then is stuck
const KEY = "bench-key";

function option(name: string, fallback: number, lo: number, hi: number): number {
  const i = Deno.args.indexOf(name);
  if (i < 0) return fallback;
  const v = Number(Deno.args[i + 1]);
  if (!Number.isInteger(v) || v < lo || v > hi) {
    console.error(`bench limit: ${name} must be a whole number from ${lo} to ${hi}`);
    Deno.exit(2);
  }
  return v;
}
// 1,092: the sample vocabulary's segments, the batch issue 10's targets were set on.
const n = option("--n", 1092, 20, 100_000);
const latencyMs = option("--latency-ms", 200, 10, 10_000);
const workerCount = option("--workers", 1, 1, 8);

const dbUrl = Deno.env.get("AQ_BENCH_DB_URL");
if (!dbUrl) {
  console.error("bench limit: AQ_BENCH_DB_URL is not set; run scripts/bench limit");
  Deno.exit(2);
}
const sql = postgres(dbUrl, { max: 2, onnotice: () => {} });
const storageRoot = await Deno.makeTempDir({ prefix: "aq-bench-limit-" });
const cartesia = await startCartesiaStandin({
  port: 0,
  keys: { [KEY]: 3 },
  latencyMeanMs: latencyMs,
  latencySpread: 0.3,
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

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function progress(batchId: string): Promise<{ status: string; done: number }> {
  const [b] =
    await sql`select status, done + failed as done from public.audio_batches where id = ${batchId}`;
  return b as unknown as { status: string; done: number };
}

async function learned(ceiling: number): Promise<number> {
  const [r] =
    await sql`select coalesce(effective, ${ceiling}::int) as l from audio.concurrency_limit`;
  return Number(r.l);
}

interface Result {
  failed: number;
  share429: number;
  busy: number;
  followMs: number | null;
  requestMs: number;
}

async function runScenario(s: Scenario, index: number, standin: CartesiaStandin): Promise<Result> {
  await sql`update audio.concurrency_limit set effective = null, limited_at = null, probed_at = null`;
  await sql`delete from audio.concurrency_429s`;
  await sql`delete from public.words where grade = ${GRADE}`;
  await sql`insert into public.words (word, definition, example_sentence, grade)
    select 'limit ' || ${index}::int || ' segment ' || i, '', '', ${GRADE}::smallint
    from generate_series(1, ${n}::int) as i`;
  standin.setPlan(KEY, { plan: s.plan, otherClient: s.otherClient ?? 0 });
  const workers = workerProcesses({
    SUPABASE_URL: gateway.url,
    SUPABASE_SERVICE_ROLE_KEY: serviceRoleKey,
    SUPABASE_DB_URL: dbUrl!,
    AUDIO_WORKER_SECRET: randomSecret(),
    CARTESIA_BASE_URL: standin.url,
    CARTESIA_API_KEY: KEY,
    CARTESIA_VOICE_ID: "bench-voice",
    AUDIO_GENERATION_CONCURRENCY: String(s.configured),
    AUDIO_LIMIT_PROBE_S: String(s.probeS ?? 300),
  });
  await workers.ensure(workerCount);
  standin.resetStats();
  const queuedAt = Date.now();
  const [batch] = await sql`select * from audio.create_batch(p_grade => ${GRADE}::smallint,
    p_kinds => array['word'], p_voice_id => 'bench-voice', p_model_id => 'sonic-2',
    p_format => 'wav-pcm_s16le-44100', p_missing_only => false)`;
  // The plan the limit should end on, and when it became that plan.
  let target = s.plan - (s.otherClient ?? 0);
  let since = queuedAt;
  // When the stand-in's plan was changed (null: not changed).
  let changedAt: number | null = null;
  let followMs: number | null = null;
  let changed = s.change === undefined;
  while (true) {
    if (Date.now() - queuedAt > TIMEOUT_MS) throw new Error(`${s.name}: no end in 20 minutes`);
    const p = await progress(batch.batch_id);
    if (!changed && p.done >= s.change!.at * n) {
      standin.setPlan(KEY, { plan: s.change!.plan });
      target = s.change!.plan;
      since = Date.now();
      changedAt = since;
      followMs = null;
      changed = true;
    }
    if (followMs === null && (await learned(s.configured)) === target) {
      // Without a change, the plan was first exceeded at the stand-in's first 429.
      const from = s.change ? since : standin.stats().requests.find((r) => r.status === 429)?.start;
      if (from !== undefined) followMs = Date.now() - from;
    }
    if (["completed", "completed_with_errors", "cancelled"].includes(p.status)) break;
    await sleep(POLL_MS);
  }
  await workers.stopAll();
  const [m] = await sql`select count(*) filter (where status = 'failed')::int as failed
    from public.audio_segments where batch_id = ${batch.batch_id}`;
  const st = standin.stats();
  const ok = st.requests.filter((r) => r.end !== null && r.status === 200);
  const busyMs = ok.reduce((sum, r) => sum + (r.end! - r.start), 0);
  const lastEnd = Math.max(...ok.map((r) => r.end!));
  // What the plan offered ours over the run, in slot-milliseconds: its slots (less another
  // client's) before the change times the time before it, and the changed plan's after it. A
  // single slot count for the whole run would call a raised plan's second part more than full.
  const other = s.otherClient ?? 0;
  const split = Math.min(changedAt ?? lastEnd, lastEnd);
  const capacityMs = (s.plan - other) * (split - queuedAt) +
    ((s.change?.plan ?? s.plan) - other) * (lastEnd - split);
  return {
    failed: m.failed,
    share429: st.totalRequests === 0 ? 0 : (st.byStatus["429"] ?? 0) / st.totalRequests,
    busy: busyMs / capacityMs,
    followMs,
    requestMs: busyMs / Math.max(ok.length, 1),
  };
}

const mark = (ok: boolean) => (ok ? "ok  " : "MISS");
let missed = 0;
try {
  console.log(
    `audio-queue learned concurrency limit: N=${n} per scenario, latency ${latencyMs} ms ±30%, ` +
      `${workerCount} worker process${
        workerCount === 1 ? "" : "es"
      } (busy measured at the provider)`,
  );
  for (const [i, s] of SCENARIOS.entries()) {
    const r = await runScenario(s, i, cartesia);
    const followTarget = s.change?.plan !== undefined && s.change.plan > s.plan
      ? (s.probeS ?? 300) * 1000
      : 2 * r.requestMs;
    const lines: [string, string, string, boolean][] = [
      ["failed segments", `${r.failed}`, "0", r.failed === 0],
      ["429s / requests", `${(r.share429 * 100).toFixed(2)} %`, "<= 1 %", r.share429 <= 0.01],
      ["plan busy", r.busy.toFixed(3), `>= ${s.busyTarget}`, r.busy >= s.busyTarget],
      [
        "limit followed in",
        r.followMs === null ? (r.share429 === 0 ? "not needed" : "never") : `${r.followMs} ms`,
        `<= ${Math.round(followTarget)} ms`,
        r.followMs === null ? r.share429 === 0 : r.followMs <= followTarget,
      ],
    ];
    console.log(s.name);
    for (const [what, value, target, ok] of lines) {
      if (!ok) missed++;
      console.log(`  ${mark(ok)} ${what.padEnd(20)} ${value.padStart(10)}   target ${target}`);
    }
  }
  if (missed > 0) Deno.exitCode = 1;
} finally {
  await gateway.close();
  await cartesia.close();
  await sql`delete from public.words where grade = ${GRADE}`.catch(() => {});
  await sql.end({ timeout: 5 });
  await Deno.remove(storageRoot, { recursive: true });
}
