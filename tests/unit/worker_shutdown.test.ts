// The runtime's shutdown notice (beforeunload on Supabase): every run of the instance is told to
// stop, a run started after it stops at once, and a run it stopped with work left starts its
// successor.
import assert from "node:assert/strict";
import type { WorkerReport } from "../../supabase/functions/_shared/worker/pool.ts";
import {
  ShutdownNotice,
  successorNeeded,
} from "../../supabase/functions/_shared/worker/shutdown.ts";

function captureHook() {
  let fire: (() => void) | null = null;
  return { hook: (fn: () => void) => void (fire = fn), fire: () => fire!() };
}

Deno.test("the notice stops every run still going, and none that has ended", () => {
  const { hook, fire } = captureHook();
  const notice = new ShutdownNotice(hook);
  const a = notice.track();
  const b = notice.track();
  const ended = notice.track();
  ended.done();
  assert.equal(notice.given, false);
  fire();
  assert.equal(notice.given, true);
  assert.equal(a.signal.aborted, true);
  assert.equal(b.signal.aborted, true);
  assert.equal(ended.signal.aborted, false, "a run that ended is no longer tracked");
  assert.equal(
    notice.track().signal.aborted,
    true,
    "a run starting after the notice stops at once",
  );
});

Deno.test("without a shutdown hook, no run is ever stopped by it", () => {
  const notice = new ShutdownNotice(undefined);
  assert.equal(notice.track().signal.aborted, false);
});

Deno.test("a successor: after a hand-over, or after the notice with work left", () => {
  const report = (over: Partial<WorkerReport>) =>
    ({ handOver: false, workLeft: false, ...over }) as WorkerReport;
  assert.equal(successorNeeded(report({ handOver: true, workLeft: true }), false), true);
  assert.equal(successorNeeded(report({ workLeft: true }), true), true);
  assert.equal(successorNeeded(report({ workLeft: false }), true), false, "nothing left to do");
  assert.equal(successorNeeded(report({ workLeft: true }), false), false, "the queue is another's");
});
