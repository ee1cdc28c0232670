// Worker events as log lines: one line per retry, failure and unexpected error, with the same
// fields every time (level, event, batch, segment, attempt, status, error); the long-lived worker
// prints them even when quiet.
import assert from "node:assert/strict";
import type { WorkerEvent } from "../../supabase/functions/_shared/worker/events.ts";
import { eventLine, isProblem } from "../../supabase/functions/_shared/worker/event_log.ts";
import { runLongLived } from "../../supabase/functions/_shared/worker/long_lived.ts";
import type { WorkerReport } from "../../supabase/functions/_shared/worker/pool.ts";

const BATCH = "00000000-0000-4000-8000-00000000b001";

const EVENTS: WorkerEvent[] = [
  {
    type: "retry",
    segmentId: 11,
    batchId: BATCH,
    attempt: 1,
    status: 503,
    delayMs: 40,
    error: "HTTP 503",
  },
  { type: "failed", segmentId: 11, batchId: BATCH, error: "HTTP 503", attempts: 2, status: 503 },
  { type: "error", segmentId: 12, batchId: BATCH, error: "connection reset" },
  { type: "done", segmentId: 13, batchId: BATCH, attempts: 1, ms: 30 },
];

Deno.test("retry, failure and error lines carry level, event, batch, segment, attempt, status and error", () => {
  const [retry, failed, error, done] = EVENTS.map(eventLine);
  assert.deepEqual(
    [retry.level, retry.event, retry.batch, retry.segment, retry.attempt, retry.status],
    ["warn", "segment_retry", BATCH, 11, 1, 503],
  );
  assert.equal(retry.error, "HTTP 503");
  assert.deepEqual(
    [failed.level, failed.event, failed.segment, failed.attempt, failed.status, failed.error],
    ["error", "segment_failed", 11, 2, 503, "HTTP 503"],
  );
  assert.deepEqual([error.level, error.event, error.segment, error.status], [
    "error",
    "worker_error",
    12,
    null,
  ]);
  assert.equal(done.level, "info");
  for (const line of [retry, failed, error, done]) {
    for (const field of ["level", "event", "batch", "segment", "attempt", "status", "error"]) {
      assert.ok(field in line, `${line.event} has no ${field}`);
    }
  }
});

Deno.test("an error of the run (segment 0) names no segment", () => {
  const line = eventLine({ type: "error", segmentId: 0, error: "claim failed" });
  assert.equal(line.segment, null);
  assert.equal(line.batch, null);
});

Deno.test("the provider circuit opening is an error line with its reason; closing is info", () => {
  const open = eventLine({
    type: "circuit",
    state: "open",
    reason: "the provider rejected the API key",
  });
  assert.equal(open.level, "error");
  assert.equal(open.event, "circuit_open");
  assert.equal(open.error, "the provider rejected the API key");
  assert.equal(open.segment, null);
  assert.ok(isProblem({ type: "circuit", state: "open", reason: "x" }));
  const closed = eventLine({ type: "circuit", state: "closed", reason: "probe succeeded" });
  assert.equal(closed.level, "info");
  assert.equal(closed.event, "circuit_closed");
  assert.equal(closed.error, null);
});

const REPORT: WorkerReport = {
  claimed: 0,
  done: 0,
  failed: 0,
  reused: 0,
  cancelled: 0,
  attempts: 0,
  rateLimited: 0,
  errors: 0,
  held: 0,
  roundTrips: 0,
  stoppedBy: "empty",
  workLeft: false,
  handOver: false,
  ms: 0,
};

async function linesOf(quiet: boolean): Promise<Record<string, unknown>[]> {
  const lines: Record<string, unknown>[] = [];
  await runLongLived({
    run: (_config, onEvent) => {
      for (const e of EVENTS) onEvent?.(e);
      return Promise.resolve(REPORT);
    },
    listen: () => Promise.resolve(),
    sleep: () => Promise.resolve(),
    log: (line) => void lines.push(line),
    warn: () => {},
  }, {
    holder: "worker-t",
    once: true,
    quiet,
    budgetS: 1,
    concurrency: 1,
    stop: new AbortController().signal,
  });
  return lines.filter((l) => typeof l.event === "string");
}

Deno.test("the long-lived worker logs retries, failures and errors once each, quiet or not", async () => {
  const quiet = await linesOf(true);
  assert.deepEqual(quiet.map((l) => l.event), ["segment_retry", "segment_failed", "worker_error"]);
  const loud = await linesOf(false);
  assert.deepEqual(loud.map((l) => l.event), [
    "segment_retry",
    "segment_failed",
    "worker_error",
    "segment_done",
  ]);
});
