// Unit tests of followBatch's live check (admin/src/lib/follow/live_check.ts) with the fake
// admin-api and a hand-driven clock: the batch row read every liveCheckMs only while joined and
// active and no snapshot loads, a batch found ended asking for its segments, failures, and stop.

import assert from "node:assert/strict";
import { HeldBatch } from "../../admin/src/lib/follow/held.ts";
import { createLiveCheck } from "../../admin/src/lib/follow/live_check.ts";
import { BATCH_ID, FakeServer, FakeTimers, makeBatch, settle } from "../helpers/admin_fakes.ts";
import { test } from "../helpers/strict.ts";

function rig(server = new FakeServer({ total: 2, status: "running" })) {
  const timers = new FakeTimers();
  const flags = { joined: true, loading: false, ended: 0 };
  const held = new HeldBatch(BATCH_ID, () => check.sync());
  const check = createLiveCheck({
    timers,
    liveCheckMs: 15_000,
    client: server,
    held,
    joined: () => flags.joined,
    loading: () => flags.loading,
    ended: () => flags.ended++,
  });
  /** Runs the clock `ms` on, letting a read in flight finish. */
  const run = async (ms: number) => {
    timers.advance(ms);
    await settle();
  };
  return { server, timers, flags, held, check, run };
}

test("reads the batch row every liveCheckMs while joined and the batch is active, not before", async () => {
  const r = rig();
  r.held.takeBatch(makeBatch({ status: "running" })); // syncs the check
  await r.run(14_999);
  assert.equal(r.server.getBatchCalls, 0);
  await r.run(1);
  assert.equal(r.server.getBatchCalls, 1);
  await r.run(15_000);
  assert.equal(r.server.getBatchCalls, 2);
  assert.deepEqual(r.server.reads, ["batch", "batch"], "the row only, never the segments");
  r.check.stop();
  assert.equal(r.timers.pendingCount, 0);
});

test("no timer while not joined or while the batch is not active", async () => {
  const r = rig();
  r.flags.joined = false;
  r.held.takeBatch(makeBatch({ status: "running" }));
  assert.equal(r.timers.pendingCount, 0, "not joined");
  r.flags.joined = true;
  r.held.takeBatch(makeBatch({ status: "completed", updated_at: "2026-11-24 10:00:09+00" }));
  assert.equal(r.timers.pendingCount, 0, "not active");
  await r.run(60_000);
  assert.equal(r.server.getBatchCalls, 0);

  // Joined and active, then the connection drops: sync() stops the timer.
  const d = rig();
  d.held.takeBatch(makeBatch({ status: "running" }));
  assert.equal(d.timers.pendingCount, 1);
  d.flags.joined = false;
  d.check.sync();
  assert.equal(d.timers.pendingCount, 0);
});

test("while a snapshot loads the read is skipped, and the check comes again an interval later", async () => {
  const r = rig();
  r.held.takeBatch(makeBatch({ status: "running" }));
  r.flags.loading = true;
  await r.run(15_000);
  assert.equal(r.server.getBatchCalls, 0);
  r.flags.loading = false;
  await r.run(15_000);
  assert.equal(r.server.getBatchCalls, 1);
  r.check.stop();
});

test("a batch found ended asks for its segments once, and the checks stop", async () => {
  const server = new FakeServer({
    total: 2,
    done: 2,
    status: "completed",
    updated_at: "2026-11-24 10:00:40+00",
  });
  const r = rig(server);
  r.held.takeBatch(makeBatch({ status: "running" }));
  await r.run(15_000);
  assert.equal(r.held.batch?.status, "completed");
  assert.equal(r.flags.ended, 1);
  await r.run(120_000);
  assert.equal(server.getBatchCalls, 1, "no check once the batch has ended");
  assert.equal(r.timers.pendingCount, 0);

  // A row that is still active changes the counters and asks for nothing.
  const a = rig(new FakeServer({ done: 1, updated_at: "2026-11-24 10:00:40+00" }));
  a.held.takeBatch(makeBatch({ status: "running" }));
  await a.run(15_000);
  assert.equal(a.held.batch?.done, 1);
  assert.equal(a.flags.ended, 0);
  a.check.stop();
});

test("a failed read changes nothing; the next interval reads again", async () => {
  const r = rig();
  r.held.takeBatch(makeBatch({ status: "running" }));
  r.server.down = new Error("no answer");
  await r.run(15_000);
  assert.equal(r.server.getBatchCalls, 1);
  r.server.down = null;
  await r.run(15_000);
  assert.equal(r.server.getBatchCalls, 2);
  assert.equal(r.flags.ended, 0);
  r.check.stop();
});

test("stop() during a read: its answer is dropped", async () => {
  const server = new FakeServer({ status: "completed", updated_at: "2026-11-24 10:00:40+00" });
  const r = rig(server);
  r.held.takeBatch(makeBatch({ status: "running" }));
  server.hold();
  await r.run(15_000);
  assert.equal(server.getBatchCalls, 1, "the read is in flight");
  r.check.stop();
  server.release();
  await settle();
  assert.equal(r.held.batch?.status, "running");
  assert.equal(r.flags.ended, 0);
  assert.equal(r.timers.pendingCount, 0);
});
