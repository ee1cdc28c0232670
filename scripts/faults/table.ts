// The fault suite's table: one row per scenario, then each scenario's failure reasons and the
// targets it missed.
import { RESUME_TARGET_MS, type ScenarioResult } from "./measure.ts";

const COLUMNS = [
  ["scenario", 30],
  ["segs", 5],
  ["done", 5],
  ["failed", 6],
  ["lost", 4],
  ["batch", 21],
  ["drift", 5],
  ["dup/crash", 9],
  ["resume", 9],
  ["exits", 5],
  ["targets", 7],
] as const;

const cell = (text: string, width: number, i: number) =>
  i === 0 ? text.padEnd(width) : text.padStart(width);

export function formatTable(results: ScenarioResult[]): string {
  const lines = [COLUMNS.map(([h, w], i) => cell(h, w, i)).join("  ")];
  for (const r of results) {
    const resume = r.resumeMs === null ? "-" : `${(r.resumeMs / 1000).toFixed(2)} s`;
    const values = [
      r.name,
      String(r.segments),
      String(r.done),
      String(r.failed),
      String(r.lost),
      r.status,
      r.drift === 0 ? "none" : String(r.drift),
      `${r.duplicates}/${r.crashes}`,
      resume + (r.resumeTarget ? "*" : ""),
      String(r.workerExits),
      r.failures.length === 0 ? "met" : "MISSED",
    ];
    lines.push(values.map((v, i) => cell(v, COLUMNS[i][1], i)).join("  "));
  }
  lines.push(
    "",
    "segs: segments of the batch at the end; lost: neither done, failed nor cancelled; drift:",
    "rows of audio.batch_counter_drift(); dup/crash: texts answered 200 more than once / crashes",
    "injected; resume: fault end to the next provider request (* = after Postgres came back,",
    `target ${RESUME_TARGET_MS / 1000} s); exits: worker processes that exited on their own.`,
  );
  for (const r of results) {
    const reasons = Object.entries(r.reasons);
    if (reasons.length === 0 && r.failures.length === 0) continue;
    lines.push("", `${r.name}:`);
    for (const [reason, n] of reasons) lines.push(`  failed ${n}: ${reason}`);
    for (const f of r.failures) lines.push(`  target missed: ${f}`);
    if (r.duplicates > r.crashes) {
      for (const d of r.duplicated) lines.push(`  answered twice: ${d}`);
    }
  }
  return lines.join("\n");
}
