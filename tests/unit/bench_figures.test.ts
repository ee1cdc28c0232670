// The benchmark's figures at the provider (scripts/throughput/figures.ts): the plan's busy
// fraction, the hand-off gaps (first freed, first taken), the first request, the most in flight,
// and 429s kept out of what the plan served; and the CPU estimate a run without a CPU clock counts
// (scripts/throughput/targets.ts).
import assert from "node:assert/strict";
import {
  CPU_ESTIMATE_PER_S,
  CPU_ESTIMATE_PER_SEGMENT_MS,
} from "../../supabase/functions/_shared/config.ts";
import { handOffGaps, percentile, planFigures } from "../../scripts/throughput/figures.ts";
import type { RunResult } from "../../scripts/throughput/run.ts";
import { checkTargets, cpuEstimateCover, cpuEstimateMs } from "../../scripts/throughput/targets.ts";

const ok = (start: number, end: number) => ({ start, end, status: 200 });

Deno.test("two slots: busy fraction, each freed slot's wait, the first request, in flight", () => {
  // Queued at 0. Slot A: 10–110, 112–212. Slot B: 20–120, 150–250 (B waited 30 ms).
  const f = planFigures([ok(10, 110), ok(20, 120), ok(112, 212), ok(150, 250)], 2, 0);
  assert.equal(f.spanMs, 250);
  assert.equal(f.busy, 400 / 2 / 250);
  assert.deepEqual(handOffGaps([ok(10, 110), ok(20, 120), ok(112, 212), ok(150, 250)]), [2, 30]);
  assert.equal(f.handOffs, 2);
  assert.equal(f.firstRequestMs, 10);
  assert.equal(f.maxInFlight, 2);
  assert.equal(f.rateLimited, 0);
});

Deno.test("the slot freed first is the one taken first, and a start at an end's instant has no gap", () => {
  // Ends at 100 and 105; the next starts at 105 takes the slot freed at 100 (5 ms), the one at
  // 140 the slot freed at 105 (35 ms).
  assert.deepEqual(handOffGaps([ok(0, 100), ok(0, 105), ok(105, 200), ok(140, 240)]), [5, 35]);
  assert.deepEqual(handOffGaps([ok(0, 100), ok(100, 200)]), [0]);
  // Back to back is not two at once.
  assert.equal(planFigures([ok(0, 100), ok(100, 200)], 1, 0).maxInFlight, 1);
});

Deno.test("429s hold no slot: left out of busy time, gaps and in flight, and counted", () => {
  const f = planFigures([ok(0, 100), { start: 50, end: 51, status: 429 }, ok(101, 201)], 1, 0);
  assert.equal(f.rateLimited, 1);
  assert.equal(f.maxInFlight, 1);
  assert.deepEqual([f.gapP50Ms, f.handOffs], [1, 1]);
  assert.equal(f.busy, 200 / 201);
  assert.equal(f.requests, 3);
});

Deno.test("other failures are counted, requests still unanswered are left out", () => {
  const f = planFigures(
    [ok(0, 10), { start: 5, end: 9, status: 500 }, {
      start: 6,
      end: null,
      status: null,
    }],
    3,
    0,
  );
  assert.equal(f.otherFailures, 1);
  assert.equal(f.requests, 2);
});

Deno.test("nearest-rank percentiles", () => {
  const values = Array.from({ length: 100 }, (_, i) => 100 - i); // 100..1, unsorted
  assert.equal(percentile(values, 0.5), 50);
  assert.equal(percentile(values, 0.99), 99);
  assert.equal(percentile([7], 0.99), 7);
  assert.equal(percentile([], 0.5), null);
});

Deno.test("the CPU estimate a run counts without a CPU clock: per worker, held to cover the CPU used", () => {
  const worker = (done: number, cpuMs: number) => ({
    roundTrips: 0,
    peakRssBytes: 0,
    errors: 0,
    cpuMs,
    done,
  });
  const run = (workers: ReturnType<typeof worker>[]): RunResult => ({
    case: { n: 150, latencyMs: 200, spread: 0.3, concurrency: 3, workers: workers.length },
    plan: planFigures([ok(0, 100)], 3, 0),
    done: 150,
    failed: 0,
    workerMeanMs: 200,
    workerRateLimited: 0,
    wallMs: 10_000,
    workers,
  });
  const perSecond10 = 10 * CPU_ESTIMATE_PER_S;
  assert.equal(
    cpuEstimateMs({ done: 100 }, 10_000),
    100 * CPU_ESTIMATE_PER_SEGMENT_MS + perSecond10,
  );
  const a = worker(100, 100 * CPU_ESTIMATE_PER_SEGMENT_MS); // used less than its estimate
  const b = worker(50, 2 * (50 * CPU_ESTIMATE_PER_SEGMENT_MS + perSecond10)); // twice its estimate
  const estimated = (r: RunResult) => checkTargets(r).find((t) => t.name === "CPU estimate")!;
  assert.equal(
    cpuEstimateCover(run([a])),
    (100 * CPU_ESTIMATE_PER_SEGMENT_MS + perSecond10) / a.cpuMs,
  );
  assert.equal(estimated(run([a])).met, true);
  // The worker whose CPU the estimate falls short of decides.
  assert.equal(cpuEstimateCover(run([a, b])), 0.5);
  assert.equal(estimated(run([a, b])).met, false);
  // A worker with no CPU counted is left out; none at all is no figure, and not met.
  assert.equal(cpuEstimateCover(run([a, worker(0, 0)])), cpuEstimateCover(run([a])));
  assert.equal(cpuEstimateCover(run([worker(0, 0)])), null);
  assert.equal(estimated(run([worker(0, 0)])).met, false);
});
