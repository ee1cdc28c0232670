// A scenario's figures, read once its batch ended (or its wait ran out): segments done, failed
// (grouped by reason) and lost, counter drift, duplicate provider calls, the time from the
// fault's end to the next provider request, and which targets failed.
import type { RequestRecord } from "../../local/cartesia/stats.ts";
import type { FaultRig } from "./rig.ts";

/** Provider requests must resume this soon after Postgres accepts connections again. */
export const RESUME_TARGET_MS = 5000;
/** Failure reasons are grouped by their first characters: enough to tell an HTTP 503 from a
 * timeout, short enough to keep segment ids and paths out of the grouping. */
const REASON_CHARS = 60;

export interface ScenarioResult {
  name: string;
  segments: number;
  done: number;
  failed: number;
  reasons: Record<string, number>;
  lost: number;
  status: string;
  drift: number;
  duplicates: number;
  /** Each text answered 200 more than once, with its answers' starts relative to the fault's end
   * (or to the first answer when no fault ended): what a duplicate target missed is read from. */
  duplicated: string[];
  crashes: number;
  /** Fault end → next provider request (ms); null when no fault end, or no request after it. */
  resumeMs: number | null;
  /** Whether resumeMs is held to RESUME_TARGET_MS (Postgres restarts). */
  resumeTarget: boolean;
  workerExits: number;
  failures: string[];
}

export interface Observed {
  name: string;
  batchId: string;
  /** okKey(voice, text) of every segment the batch was created with. */
  texts: Set<string>;
  /** When the fault (the last one, for several) was over, on the stand-in's clock. */
  faultEndedAt: number | null;
  crashes: number;
  resumeTarget: boolean;
  workerExits: number;
  /** Whether results are held to wall-clock targets (the benchmark yes, the test no). */
  timed: boolean;
}

const FINISHED = ["completed", "completed_with_errors", "cancelled"];

export async function measure(rig: FaultRig, o: Observed): Promise<ScenarioResult> {
  const rows = await rig.sql<{ status: string; reason: string | null; n: number }[]>`
    select status, left(last_error, ${REASON_CHARS}) as reason, count(*)::int as n
    from public.audio_segments where batch_id = ${o.batchId} group by 1, 2`;
  const count = (s: string) => rows.filter((r) => r.status === s).reduce((a, r) => a + r.n, 0);
  const reasons: Record<string, number> = {};
  for (const r of rows.filter((r) => r.status === "failed")) {
    reasons[r.reason ?? "(no reason)"] = (reasons[r.reason ?? "(no reason)"] ?? 0) + r.n;
  }
  const [{ status }] = await rig.sql`select status from public.audio_batches
    where id = ${o.batchId}`;
  const drift = await rig.sql`select * from audio.batch_counter_drift()`;
  const requests = rig.cartesia.stats().requests.filter((r) => r.text && o.texts.has(r.text));
  const ok = new Map<string, number>();
  for (const r of requests.filter((r) => r.status === 200)) {
    ok.set(r.text!, (ok.get(r.text!) ?? 0) + 1);
  }
  const duplicates = [...ok.values()].reduce((a, n) => a + n - 1, 0);
  const duplicated = [...ok].filter(([, n]) => n > 1).map(([text]) =>
    answeredAt(text, requests, o.faultEndedAt)
  );
  const after = o.faultEndedAt === null
    ? []
    : requests.filter((r) => r.start >= o.faultEndedAt!).map((r) => r.start);
  const resumeMs = after.length > 0 ? Math.min(...after) - o.faultEndedAt! : null;

  const total = rows.reduce((a, r) => a + r.n, 0);
  const result: ScenarioResult = {
    name: o.name,
    segments: total,
    done: count("done"),
    failed: count("failed"),
    reasons,
    lost: total - count("done") - count("failed") - count("cancelled"),
    status,
    drift: drift.length,
    duplicates,
    duplicated,
    crashes: o.crashes,
    resumeMs,
    resumeTarget: o.resumeTarget,
    workerExits: o.workerExits,
    failures: [],
  };
  result.failures = targetsMissed(result, o.timed);
  return result;
}

// "<text>: 200 at -120 ms, +5880 ms (from the fault's end)": when each answer to the text started.
export function answeredAt(
  text: string,
  requests: RequestRecord[],
  faultEndedAt: number | null,
): string {
  const starts = requests.filter((r) => r.text === text && r.status === 200).map((r) => r.start);
  const from = faultEndedAt ?? Math.min(...starts);
  const at = starts.map((t) => `${t >= from ? "+" : ""}${t - from} ms`).join(", ");
  return `${text}: 200 at ${at} (from ${faultEndedAt === null ? "the first" : "the fault's end"})`;
}

/** The targets a result misses, each named with its figures. */
export function targetsMissed(r: ScenarioResult, timed: boolean): string[] {
  const missed: string[] = [];
  if (r.lost > 0) missed.push(`${r.lost} segments lost`);
  if (r.drift > 0) missed.push(`${r.drift} batches' counters differ from their rows`);
  if (!FINISHED.includes(r.status)) missed.push(`batch left ${r.status}`);
  if (r.duplicates > r.crashes) {
    const crashes = `${r.crashes} ${r.crashes === 1 ? "crash" : "crashes"}`;
    missed.push(`${r.duplicates} duplicate provider calls for ${crashes}`);
  }
  if (timed && r.resumeTarget) {
    if (r.resumeMs === null) missed.push("no provider request after Postgres came back");
    else if (r.resumeMs > RESUME_TARGET_MS) {
      missed.push(`provider requests resumed ${r.resumeMs} ms after Postgres came back`);
    }
  }
  return missed;
}
