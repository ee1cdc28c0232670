// How throughput runs are printed: one run as lines (scripts/bench), several as one table with
// each run's missed targets (scripts/bench plan).
import type { RunResult } from "./run.ts";
import { checkTargets, cpuEstimateCover, cpuEstimateMs, cpuPerSegmentMs } from "./targets.ts";

const mib = (b: number) => `${(b / 1024 / 1024).toFixed(1)} MiB`;
const ms = (v: number | null, digits = 0) => (v === null ? "-" : `${v.toFixed(digits)} ms`);

/** One run, a line per figure, with the targets it missed at the end. */
export function printRun(r: RunResult): void {
  const c = r.case;
  const p = r.plan;
  const rt = r.workers.reduce((a, w) => a + w.roundTrips, 0);
  const line = (label: string, value: string) => console.log(`  ${label.padEnd(30)}${value}`);
  console.log(
    `audio-queue benchmark: N=${c.n}, latency ${c.latencyMs} ms ±${c.spread * 100}%, ` +
      `C=${c.concurrency}, ${c.workers} worker processes (figures measured at the provider)`,
  );
  line("segments done / failed", `${r.done} / ${r.failed}`);
  line("wall time", `${(r.wallMs / 1000).toFixed(2)} s`);
  line(
    "plan busy at the provider",
    `${p.busy.toFixed(3)} (Σ request time at the stand-in ÷ C ÷ ${
      (p.spanMs / 1000).toFixed(2)
    } s from the batch's answer to the last response)`,
  );
  line(
    "hand-off gap p50 / p99",
    `${ms(p.gapP50Ms)} / ${
      ms(p.gapP99Ms)
    } (a request's end to the next start, ${p.handOffs} hand-offs)`,
  );
  line("first request", `${ms(p.firstRequestMs)} after the batch's answer`);
  line("max in flight at the provider", `${p.maxInFlight} (C = ${c.concurrency})`);
  line("429s", `${p.rateLimited} (provider) / ${r.workerRateLimited} (workers)`);
  line("other failed requests", String(p.otherFailures));
  line("provider requests", String(p.requests));
  line("mean request time (workers)", ms(r.workerMeanMs, 1));
  line(
    "db round trips per segment",
    `${(rt / c.n).toFixed(2)} (${rt} in all, idle polls included)`,
  );
  line("worker CPU per segment", ms(cpuPerSegmentMs(r), 2));
  line(
    "CPU estimate / used",
    `${
      r.workers.map((w) => `${cpuEstimateMs(w, r.wallMs).toFixed(0)} / ${w.cpuMs.toFixed(0)} ms`)
        .join(", ")
    } (what a run counts where it cannot see its CPU, e.g. on Supabase)`,
  );
  line("peak worker memory (RSS)", r.workers.map((w) => mib(w.peakRssBytes)).join(", "));
  if (r.workers.some((w) => w.errors > 0)) {
    line("worker errors", r.workers.map((w) => w.errors).join(", "));
  }
  const missed = checkTargets(r).filter((t) => !t.met);
  line(
    "targets",
    missed.length === 0
      ? "all met"
      : `missed: ${missed.map((t) => `${t.name} (${t.wanted})`).join(", ")}`,
  );
}

/** Several runs as one table, a row each, with the targets each missed. */
export function printTable(results: RunResult[]): void {
  const head = [
    "C",
    "ms",
    "W",
    "N",
    "busy",
    "gap p50",
    "gap p99",
    "first",
    "max",
    "429",
    "failed",
    "CPU/seg",
    "RSS max",
    "est/CPU",
    "targets",
  ];
  const rows = results.map((r) => {
    const p = r.plan;
    const missed = checkTargets(r).filter((t) => !t.met);
    return [
      String(r.case.concurrency),
      String(r.case.latencyMs),
      String(r.case.workers),
      String(r.case.n),
      p.busy.toFixed(3),
      ms(p.gapP50Ms),
      ms(p.gapP99Ms),
      ms(p.firstRequestMs),
      String(p.maxInFlight),
      String(p.rateLimited),
      String(r.failed + (r.case.n - r.done - r.failed)),
      ms(cpuPerSegmentMs(r), 2),
      mib(Math.max(0, ...r.workers.map((w) => w.peakRssBytes))),
      cpuEstimateCover(r)?.toFixed(2) ?? "-",
      missed.length === 0 ? "met" : `missed ${missed.map((t) => t.name).join(", ")}`,
    ];
  });
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const fmt = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i])).join("  ").trimEnd();
  console.log(fmt(head));
  for (const r of rows) console.log(fmt(r));
}
