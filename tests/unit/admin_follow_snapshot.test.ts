// Unit tests of followBatch's snapshot loader (admin/src/lib/follow/snapshot.ts) against the fake
// admin-api and a hand-driven clock: which reads one load makes and in what order, the prune and
// what it spares, extra rounds while subscriptions flap, retries, and stopping part-way.

import assert from "node:assert/strict";
import { MAX_SNAPSHOT_ROUNDS } from "../../admin/src/lib/config.ts";
import { AudioQueueError } from "../../admin/src/lib/errors.ts";
import { HeldBatch } from "../../admin/src/lib/follow/held.ts";
import { segmentKey } from "../../admin/src/lib/follow/segment_store.ts";
import { createSnapshotLoader, type SnapshotDeps } from "../../admin/src/lib/follow/snapshot.ts";
import type { SegmentStatus } from "../../admin/src/lib/types.ts";
import { BATCH_ID, FakeServer, FakeTimers, makeSegment, settle } from "../helpers/admin_fakes.ts";
import { test } from "../helpers/strict.ts";

const key = (n: number) => segmentKey(makeSegment(n, "queued", 0).word_id, "word");

function rig(server: FakeServer, over: Partial<SnapshotDeps> = {}) {
  const timers = new FakeTimers();
  const held = new HeldBatch(BATCH_ID);
  const settled: (string | null)[] = [];
  const loader = createSnapshotLoader({
    client: server,
    held,
    timers,
    maxSnapshotPages: 40,
    snapshotRetryMs: 2000,
    maxSnapshotRetries: 5,
    settled: (err) => settled.push(err ? err.message : null),
    ...over,
  });
  const heldIds = () =>
    [...held.segments.byKey.values()].map((s) => Number(s.id)).sort((a, b) => a - b);
  return { timers, held, settled, loader, heldIds };
}

test("one load reads the batch row, then pages of 1000 by the after cursor until a short page", async () => {
  const server = new FakeServer({ total: 2500, done: 7 });
  for (let n = 1; n <= 2500; n++) server.put(makeSegment(n, "queued", 1));
  const r = rig(server);
  await r.loader.load();
  assert.deepEqual(server.reads, [
    "batch",
    "segments all after start",
    "segments all after 1000",
    "segments all after 2000",
  ]);
  assert.deepEqual(server.getSegmentsCalls.map((q) => q.limit), [1000, 1000, 1000]);
  assert.equal(r.held.batch?.done, 7);
  assert.equal(r.held.segments.byKey.size, 2500);
  assert.deepEqual(r.settled, [null], "settled once, without an error");
});

test("with snapshotStatuses: one pass per status, each at most maxSnapshotPages pages", async () => {
  const server = new FakeServer({ total: 2503 });
  for (let n = 1; n <= 2500; n++) server.put(makeSegment(n, "generating", 1));
  for (let n = 2501; n <= 2503; n++) server.put(makeSegment(n, "failed", 1));
  const statuses: SegmentStatus[] = ["generating", "failed"];
  const r = rig(server, { statuses, maxSnapshotPages: 2 });
  await r.loader.load();
  assert.deepEqual(server.reads, [
    "batch",
    "segments generating after start",
    "segments generating after 1000",
    "segments failed after start",
  ]);
  assert.equal(r.held.segments.count("generating"), 2000, "two pages of generating, no third");
  assert.equal(r.held.segments.count("failed"), 3);
});

test("the prune drops what the server no longer returns, sparing live-touched keys and statuses not loaded", async () => {
  const server = new FakeServer({ total: 4 });
  const r = rig(server, { statuses: ["queued", "generating"] });
  r.held.segments.apply(makeSegment(1, "queued", 10));
  r.held.segments.apply(makeSegment(2, "queued", 10));
  r.held.segments.apply(makeSegment(3, "done", 10));
  r.held.segments.apply(makeSegment(4, "queued", 10));
  server.put(makeSegment(1, "queued", 10)); // the server has only 1 now

  server.hold();
  const loading = r.loader.load();
  await settle();
  assert.equal(r.loader.loading, true);
  r.loader.touch(key(4)); // a live event carried 4 while the load ran
  server.release();
  await loading;
  assert.equal(r.loader.loading, false);
  assert.deepEqual(r.heldIds(), [1, 3, 4], "2 is gone; 3 (done, not loaded) and 4 (touched) stay");

  // A key touched during an earlier load is not spared by the next one.
  await r.loader.load();
  assert.deepEqual(r.heldIds(), [1, 3]);
});

test("loads asked for during a load become one more round, at most MAX_SNAPSHOT_ROUNDS back to back", async () => {
  const server = new FakeServer({ total: 1 });
  const r = rig(server);
  server.hold();
  const first = r.loader.load();
  await settle();
  void r.loader.load(); // a rejoin while the first round reads
  void r.loader.load(); // and a poll: still one more round, not two
  server.release();
  await first;
  assert.equal(server.getBatchCalls, 2, "two rounds");
  assert.deepEqual(r.settled, [null], "one settle for the whole load");

  // Flapping: every round is asked for again while it reads.
  const flapping = new FakeServer({ total: 1 });
  const f = rig(flapping);
  const read = flapping.getBatch.bind(flapping);
  flapping.getBatch = () => {
    void f.loader.load();
    return read();
  };
  await f.loader.load();
  assert.equal(flapping.getBatchCalls, MAX_SNAPSHOT_ROUNDS);
  assert.deepEqual(f.settled, [null]);
});

test("a failed load is retried every snapshotRetryMs up to maxSnapshotRetries; restart() gives a fresh budget", async () => {
  const server = new FakeServer({ total: 1 });
  server.down = new AudioQueueError(0, "network", "no answer");
  const r = rig(server, { maxSnapshotRetries: 2, snapshotRetryMs: 2000 });
  await r.loader.load();
  assert.equal(server.getBatchCalls, 1);
  r.timers.advance(1999);
  await settle();
  assert.equal(server.getBatchCalls, 1, "not before snapshotRetryMs");
  r.timers.advance(1);
  await settle();
  assert.equal(server.getBatchCalls, 2);
  r.timers.advance(2000);
  await settle();
  r.timers.advance(60_000);
  await settle();
  assert.equal(server.getBatchCalls, 3, "the first load and two retries, then it waits");
  assert.deepEqual(r.settled, ["no answer", "no answer", "no answer"]);
  assert.equal(r.timers.pendingCount, 0);

  await r.loader.restart();
  r.timers.advance(2000);
  await settle();
  assert.equal(server.getBatchCalls, 5, "a restart loads and may retry again");

  server.down = null;
  r.timers.advance(2000);
  await settle();
  assert.equal(server.getBatchCalls, 6);
  assert.equal(r.settled.at(-1), null, "the retry succeeded");

  // A success resets the budget: the next failure gets its retries again.
  server.down = new AudioQueueError(0, "network", "no answer");
  await r.loader.load();
  r.timers.advance(60_000);
  await settle();
  r.timers.advance(60_000);
  await settle();
  assert.equal(server.getBatchCalls, 9, "one load and two retries");
  r.loader.stop();
});

test("a 401 or a 403 is settled with its error and never retried", async () => {
  for (const status of [401, 403]) {
    const server = new FakeServer({ total: 1 });
    server.down = new AudioQueueError(status, "unauthorized", `HTTP ${status}`);
    const r = rig(server);
    await r.loader.load();
    r.timers.advance(60_000);
    await settle();
    assert.equal(server.getBatchCalls, 1, `no retry after ${status}`);
    assert.deepEqual(r.settled, [`HTTP ${status}`]);
    assert.equal(r.timers.pendingCount, 0);
  }
});

test("stop() during a load: the answer is dropped, nothing is pruned, nothing is settled", async () => {
  const server = new FakeServer({ total: 3, done: 2 });
  const r = rig(server);
  r.held.segments.apply(makeSegment(99, "generating", 10)); // not on the server
  server.hold();
  const loading = r.loader.load();
  await settle();
  r.loader.stop();
  server.release();
  await loading;
  assert.equal(r.held.batch, null, "the batch row read before the stop was not taken");
  assert.deepEqual(r.heldIds(), [99]);
  assert.deepEqual(r.settled, []);
  assert.deepEqual(server.reads, ["batch"], "no segment page was asked for after the stop");
});
