// Unit tests of what followBatch's listener gets (admin/src/lib/follow/view.ts): the FollowState
// built from what is held, and the reporter that coalesces reports, sends a landed snapshot at
// once, and carries the snapshot flag and the last error.

import assert from "node:assert/strict";
import type { FollowState } from "../../admin/src/lib/follow/follow_types.ts";
import { HeldBatch } from "../../admin/src/lib/follow/held.ts";
import { ThroughputMeter } from "../../admin/src/lib/follow/throughput.ts";
import { createReporter, followState } from "../../admin/src/lib/follow/view.ts";
import { BATCH_ID, FakeTimers, makeBatch, makeSegment } from "../helpers/admin_fakes.ts";
import { test } from "../helpers/strict.ts";

test("followState: counters from the batch row, lists capped from the segments, exact counts", () => {
  const held = new HeldBatch(BATCH_ID);
  held.takeBatch(makeBatch({ total: 10, done: 4, failed: 1, cancelled: 1, skipped: 2 }));
  for (let n = 1; n <= 3; n++) held.segments.apply(makeSegment(n, "generating", n));
  held.segments.apply(makeSegment(4, "failed", 4));
  held.segments.apply(makeSegment(5, "done", 5));
  const error = new Error("socket closed");
  const s = followState({
    held,
    meter: new ThroughputMeter(),
    now: 5000,
    listLimit: 2,
    connection: "reconnecting",
    snapshotLoaded: true,
    error,
    version: 7,
  });
  assert.deepEqual({ ...s, batch: null, segments: null, inFlight: null, failures: null }, {
    batchId: BATCH_ID,
    batch: null,
    segments: null,
    total: 10,
    done: 4,
    failed: 1,
    cancelled: 1,
    skipped: 2,
    progress: 0.6,
    inFlight: null,
    inFlightCount: 3,
    failures: null,
    isActive: true,
    throughput: null, // one sample: no rate yet
    etaSeconds: null,
    connection: "reconnecting",
    snapshotLoaded: true,
    error,
    version: 7,
  });
  assert.equal(s.batch, held.batch);
  assert.equal(s.segments, held.segments.byKey, "the held Map itself, not a copy");
  assert.deepEqual(s.inFlight.map((x) => x.id), [1, 2]);
  assert.deepEqual(s.failures.map((x) => x.id), [4]);
});

test("followState samples throughput only once the batch row is known", () => {
  const held = new HeldBatch(BATCH_ID);
  const meter = new ThroughputMeter();
  const base = {
    held,
    meter,
    listLimit: 50,
    connection: "live" as const,
    snapshotLoaded: false,
    error: null,
    version: 1,
  };
  const before = followState({ ...base, now: 0 });
  assert.deepEqual([before.throughput, before.etaSeconds, before.total], [null, null, 0]);
  held.takeBatch(makeBatch({ total: 100, done: 50 }));
  followState({ ...base, now: 10_000 });
  held.takeBatch(makeBatch({ total: 100, done: 60, updated_at: "2026-11-24 10:00:09+00" }));
  const s = followState({ ...base, now: 15_000 });
  // 50 → 60 in 5 s is 2 a second; a sample of 0 at t=0 would have read as 6.
  assert.equal(s.throughput, 2);
  assert.equal(s.etaSeconds, 20);
});

function reporterRig() {
  const timers = new FakeTimers();
  const held = new HeldBatch(BATCH_ID);
  const states: FollowState[] = [];
  const report = createReporter({
    held,
    timers,
    notifyIntervalMs: 100,
    inFlightLimit: 50,
    connection: () => "live",
    onState: (s) => states.push(s),
  });
  return { timers, held, states, report };
}

test("reporter: changes are coalesced to one report per interval, each with the next version", () => {
  const r = reporterRig();
  r.report.changed();
  r.report.changed();
  assert.equal(r.states.length, 0, "not inside the synchronous burst");
  r.timers.advance(0);
  assert.deepEqual(r.states.map((s) => s.version), [1]);
  r.report.changed();
  r.report.changed();
  r.timers.advance(99);
  assert.equal(r.states.length, 1, "at most one report per notifyIntervalMs");
  r.timers.advance(1);
  assert.deepEqual(r.states.map((s) => s.version), [1, 2]);
  r.report.stop();
});

test("reporter: a settled snapshot is reported at once; joined() clears the flag; errors stay until a snapshot loads", () => {
  const r = reporterRig();
  r.report.failed(new Error("setAuth failed"));
  r.report.changed();
  r.timers.advance(0);
  assert.equal(r.states.at(-1)?.error?.message, "setAuth failed");
  assert.equal(r.states.at(-1)?.snapshotLoaded, false);

  r.report.snapshotSettled(new Error("no answer"));
  assert.equal(r.states.length, 2, "reported without waiting for the interval");
  assert.equal(r.states.at(-1)?.error?.message, "no answer");
  r.report.snapshotSettled(null);
  assert.equal(r.states.length, 3);
  assert.deepEqual([r.states.at(-1)?.snapshotLoaded, r.states.at(-1)?.error], [true, null]);

  r.report.joined();
  r.report.changed();
  r.timers.advance(100);
  assert.equal(r.states.at(-1)?.snapshotLoaded, false, "no snapshot since the rejoin");
  r.report.stop();
});

test("reporter: nothing is reported after stop(), and no timer is left", () => {
  const r = reporterRig();
  r.report.changed();
  r.report.stop();
  r.report.changed();
  r.report.snapshotSettled(null);
  assert.equal(r.timers.pendingCount, 0);
  r.timers.advance(1000);
  assert.equal(r.states.length, 0);
});
