// scripts/bench plan: the plan matrix. C = 3 and C = 15, 200 ms and 1,000 ms requests, one and
// three worker processes: eight throughput runs (throughput/run.ts) on one rig, one table with
// every figure measured at the provider and the targets each run met or missed. Exits non-zero
// when a run had more than C in flight or left a segment unfinished (a broken promise, not a
// figure); missed figures are printed, for the quiet machine to judge.
//   scripts/bench plan [--n N] [--seconds S] [--spread 0.3]
// Each run's N is the segments the plan serves in about S seconds (default 30), at most 1,092
// (the sample's 364 words × 3), unless --n sets it for every run.
import { buildRig, die } from "./throughput/rig.ts";
import { printTable } from "./throughput/print.ts";
import { type RunCase, type RunResult, THROUGHPUT_GRADE, throughputRun } from "./throughput/run.ts";

const CONCURRENCIES = [3, 15];
const LATENCIES_MS = [200, 1000];
const WORKER_COUNTS = [1, 3];
/** The sample vocabulary's segments: the bound on one run. */
const SAMPLE_SEGMENTS = 1092;
/** About half a minute of the plan's time per run: long enough that the batch's first and last
 * requests weigh little in the busy fraction, short enough that eight runs take minutes. */
const DEFAULT_SECONDS = 30;

function parse(argv: string[]): { n: number | null; seconds: number; spread: number } {
  const o = { n: null as number | null, seconds: DEFAULT_SECONDS, spread: 0.3 };
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i].split("=", 2);
    const raw = inline ?? argv[++i];
    const v = Number(raw);
    if (flag === "--n" && Number.isInteger(v) && v >= 1 && v <= 100_000) o.n = v;
    else if (flag === "--seconds" && Number.isFinite(v) && v > 0 && v <= 3600) o.seconds = v;
    else if (flag === "--spread" && Number.isFinite(v) && v >= 0 && v <= 1) o.spread = v;
    else {die(
        `plan: bad option ${argv[i]} ${raw ?? ""}; options: --n 1..100000, --seconds, --spread`,
      );}
  }
  return o;
}

const opt = parse(Deno.args);
const cases: RunCase[] = [];
for (const concurrency of CONCURRENCIES) {
  for (const latencyMs of LATENCIES_MS) {
    for (const workers of WORKER_COUNTS) {
      const n = opt.n ??
        Math.min(SAMPLE_SEGMENTS, Math.round((opt.seconds * 1000 * concurrency) / latencyMs));
      cases.push({ n, latencyMs, spread: opt.spread, concurrency, workers });
    }
  }
}

const rig = await buildRig({ latencyMeanMs: LATENCIES_MS[0], latencySpread: opt.spread }, {});
const results: RunResult[] = [];
try {
  for (const c of cases) {
    console.error(
      `bench plan: C=${c.concurrency}, ${c.latencyMs} ms, ${c.workers} worker(s), N=${c.n} ...`,
    );
    results.push(await throughputRun(rig, c));
  }
  console.log(
    "audio-queue plan matrix (figures measured at the provider; busy = Σ request time ÷ C ÷ " +
      "wall from the batch's answer to the last response)",
  );
  printTable(results);
  if (results.some((r) => r.plan.maxInFlight > r.case.concurrency || r.done !== r.case.n)) {
    Deno.exitCode = 1;
  }
} finally {
  await rig.close([THROUGHPUT_GRADE]);
}
