// The fault suite (scripts/bench faults): for each scenario of scripts/faults/scenarios.ts, a
// batch through long-lived worker processes against the Cartesia stand-in, with the fault
// injected mid-batch; one table row each, and a non-zero exit naming every target missed.
// Run through scripts/bench faults (a throwaway cluster of its own, in AQ_BENCH_DB_URL, which
// the suite restarts: AQ_BENCH_PG_DIR holds its data directory and log).
//   scripts/bench faults [--n 300] [--latency-ms 200] [--concurrency 3] [--workers 3]
//                        [--timeout-s 120] [--only <part of a scenario's name>]
import postgres from "postgres";
import { startCartesiaStandin } from "../local/cartesia/server.ts";
import { localKeys, randomSecret } from "../local/gateway/keys.ts";
import { newProjectKeys } from "../local/gateway/keyring.ts";
import { startGateway, storageFaults } from "../local/gateway/server.ts";
import type { ScenarioResult } from "./faults/measure.ts";
import type { FaultRig, ShutdownMode } from "./faults/rig.ts";
import { runScenario } from "./faults/run.ts";
import { PG_BIN, restartCluster } from "./faults/postgres.ts";
import { needsPostgres, SCENARIOS } from "./faults/scenarios.ts";
import { formatTable } from "./faults/table.ts";
import { workerProcesses } from "./faults/worker_procs.ts";

const NUMBERS = {
  "--n": { key: "n", lo: 10, hi: 20_000, value: 300 },
  "--latency-ms": { key: "latencyMs", lo: 0, hi: 10_000, value: 200 },
  "--concurrency": { key: "concurrency", lo: 1, hi: 20, value: 3 },
  "--workers": { key: "workers", lo: 1, hi: 16, value: 3 },
  "--timeout-s": { key: "timeoutS", lo: 10, hi: 3600, value: 120 },
} as const;
type Options = { [K in (typeof NUMBERS)[keyof typeof NUMBERS]["key"]]: number } & {
  only: string | null;
};

function die(message: string): never {
  console.error(`bench faults: ${message}`);
  Deno.exit(2);
}

function parse(argv: string[]): Options {
  const o = Object.fromEntries(
    Object.values(NUMBERS).map((d) => [d.key, d.value]),
  ) as unknown as Options;
  o.only = null;
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i].split("=", 2);
    const raw = inline ?? argv[++i];
    if (flag === "--only") {
      o.only = raw ?? die("--only needs part of a scenario's name");
      continue;
    }
    const d = NUMBERS[flag as keyof typeof NUMBERS];
    if (!d) die(`unknown option ${argv[i]}; options: ${Object.keys(NUMBERS).join(" ")} --only`);
    const v = Number(raw);
    if (!Number.isInteger(v) || v < d.lo || v > d.hi) {
      die(`${flag} must be a whole number from ${d.lo} to ${d.hi}, got ${raw}`);
    }
    o[d.key] = v;
  }
  return o;
}

// The workers' provider timeout: short, so a hang costs seconds; the visibility timeout is the
// shortest settings.ts allows above it (timeout + the upload margin of 5 s), so a killed worker's
// segments come back in seconds.
const PROVIDER_TIMEOUT_MS = 3000;
const VISIBILITY_S = 10;
// The stand-in's plan allows more than C, so a worker exceeding C shows as requests, not 429s.
const PLAN_HEADROOM = 10;
// Scenario words get grades from here up, apart from the sample vocabulary's.
const FIRST_GRADE = 900;

const opt = parse(Deno.args);
const dbUrl = Deno.env.get("AQ_BENCH_DB_URL") ??
  die("AQ_BENCH_DB_URL is not set; run scripts/bench faults");
const pgDir = Deno.env.get("AQ_BENCH_PG_DIR") ??
  die("AQ_BENCH_PG_DIR is not set; run scripts/bench faults");
const pgBin = Deno.env.get("PG_BIN") ?? PG_BIN;

const restartPostgres = (mode: ShutdownMode) =>
  restartCluster(`${pgDir}/data`, `${pgDir}/postgres.log`, mode, pgBin);

const chosen = SCENARIOS.filter((s) => !opt.only || s.name.includes(opt.only));
if (chosen.length === 0) die(`no scenario's name contains "${opt.only}"`);

const sql = postgres(dbUrl, { max: 2, onnotice: () => {} });
const storageRoot = await Deno.makeTempDir({ prefix: "aq-faults-" });
const cartesia = await startCartesiaStandin({
  port: 0,
  keys: { "bench-key": opt.concurrency + PLAN_HEADROOM },
  latencyMeanMs: opt.latencyMs,
  latencySpread: 0.3,
});
const keys = await newProjectKeys();
const { serviceRoleKey } = await localKeys(keys.jwtSecret);
const storage = storageFaults();
const gateway = await startGateway({
  port: 0,
  keys,
  storageRoot,
  dbUrl,
  functions: {},
  storageFaults: storage,
  log: () => {},
});
const workers = workerProcesses({
  SUPABASE_URL: gateway.url,
  SUPABASE_SERVICE_ROLE_KEY: serviceRoleKey,
  SUPABASE_DB_URL: dbUrl,
  AUDIO_WORKER_SECRET: randomSecret(),
  CARTESIA_BASE_URL: cartesia.url,
  CARTESIA_API_KEY: "bench-key",
  CARTESIA_VOICE_ID: "bench-voice",
  AUDIO_GENERATION_CONCURRENCY: String(opt.concurrency),
  AUDIO_PROVIDER_TIMEOUT_MS: String(PROVIDER_TIMEOUT_MS),
  AUDIO_VISIBILITY_TIMEOUT_S: String(VISIBILITY_S),
});
// Stopped by a signal (Ctrl-C, a timeout): the worker processes go first, so none outlives the
// suite polling a cluster that scripts/bench is about to remove.
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  Deno.addSignalListener(signal, async () => {
    await workers.stopAll();
    await Deno.remove(storageRoot, { recursive: true }).catch(() => {});
    Deno.exit(130);
  });
}
const rig: FaultRig = {
  sql,
  cartesia,
  storage,
  workers,
  voiceId: "bench-voice",
  providerTimeoutMs: PROVIDER_TIMEOUT_MS,
  restartPostgres,
  note: (line) => console.error(`[${new Date().toISOString().slice(11, 19)}] ${line}`),
};

const results: ScenarioResult[] = [];
try {
  console.log(
    `audio-queue fault suite: N=${opt.n} per scenario, latency ${opt.latencyMs} ms ±30%, ` +
      `C=${opt.concurrency}, ${opt.workers} worker processes, provider timeout ` +
      `${PROVIDER_TIMEOUT_MS} ms, visibility ${VISIBILITY_S} s, wait ≤ ${opt.timeoutS} s each`,
  );
  for (const sc of chosen) {
    if (needsPostgres(sc) && !rig.restartPostgres) continue;
    rig.note(`${sc.name}: starting`);
    const r = await runScenario(rig, sc, SCENARIOS.indexOf(sc), {
      n: opt.n,
      workers: opt.workers,
      timeoutMs: opt.timeoutS * 1000,
      timed: true,
      firstGrade: FIRST_GRADE,
    });
    rig.note(`${sc.name}: ${r.status}, ${r.done} done, ${r.failed} failed, ${r.lost} lost`);
    results.push(r);
  }
  console.log(formatTable(results));
  const missed = results.filter((r) => r.failures.length > 0);
  if (missed.length > 0) {
    console.log(`\ntargets missed in: ${missed.map((r) => r.name).join("; ")}`);
    Deno.exitCode = 1;
  } else {
    console.log("\nevery target met");
  }
} finally {
  storage.clear();
  await workers.stopAll();
  await gateway.close();
  await cartesia.close();
  await sql.end({ timeout: 5 });
  await Deno.remove(storageRoot, { recursive: true });
}
