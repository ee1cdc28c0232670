// Unit tests of followBatch as a whole (admin/src/lib/follow/follow_batch.ts, the composition of
// the pieces tested alone in admin_follow_*.test.ts) with a fake Realtime channel, a fake
// admin-api and a hand-driven clock: snapshot after every (re)subscribe, messages the snapshot
// covers (seq) and out-of-order ones ignored, counters from the batch row, re-reads when messages
// cannot carry the changes, burst coalescing, the fallback poll, the live check, and clean
// unsubscribe. No network, no real timers inside the code under test.

import assert from "node:assert/strict";
import { followBatch } from "../../admin/src/lib/follow/follow_batch.ts";
import type { FollowOptions, FollowState } from "../../admin/src/lib/follow/follow_types.ts";
import { segmentKey } from "../../admin/src/lib/follow/segment_store.ts";
import { AudioQueueError } from "../../admin/src/lib/errors.ts";
import {
  BATCH_ID,
  FakeRealtime,
  FakeServer,
  FakeTimers,
  makeBatch,
  makeSegment,
  settle,
  ts,
} from "../helpers/admin_fakes.ts";
import { test } from "../helpers/strict.ts";

interface Rig {
  server: FakeServer;
  rt: FakeRealtime;
  timers: FakeTimers;
  states: FollowState[];
  stop: () => void;
  /** The state after letting promises settle and the clock run `ms`. */
  latest: (ms?: number) => Promise<FollowState>;
}

async function rig(
  server = new FakeServer(),
  opts: FollowOptions = {},
): Promise<Rig> {
  const rt = new FakeRealtime();
  const timers = new FakeTimers();
  const states: FollowState[] = [];
  const stop = followBatch(server, rt, BATCH_ID, (s) => states.push(s), {
    timers,
    ...opts,
  });
  await settle(); // setAuth, then the channel is opened
  const latest = async (ms = 100) => {
    await settle();
    timers.advance(ms);
    await settle();
    const s = states.at(-1);
    if (!s) throw new Error("no state was reported");
    return s;
  };
  return { server, rt, timers, states, stop, latest };
}

const key = (n: number) => segmentKey(makeSegment(n, "queued", 0).word_id, "word");

test("joins the private topic batch:<id>, with the JWT set first", async () => {
  const r = await rig(new FakeServer(), { accessToken: "jwt-of-admin" });
  assert.deepEqual(r.rt.authCalls, ["jwt-of-admin"]);
  const ch = r.rt.last;
  assert.equal(ch.name, `batch:${BATCH_ID}`);
  assert.deepEqual(ch.options, { config: { private: true } });
  assert.deepEqual(ch.handlers.map((h) => h.event), ["*"]);
  assert.equal(ch.statusCb !== null, true, "subscribe() was called with a status callback");
  r.stop();
});

test("loads a snapshot after the first SUBSCRIBED and again after every resubscribe", async () => {
  const server = new FakeServer({
    total: 3,
    done: 1,
    updated_at: makeBatch().updated_at,
  });
  server.put(makeSegment(1, "done", 10));
  server.put(makeSegment(2, "generating", 10));
  server.put(makeSegment(3, "queued", 5));
  const r = await rig(server);
  assert.equal(
    server.getBatchCalls,
    0,
    "no snapshot before the channel is joined",
  );

  r.rt.last.status("SUBSCRIBED");
  let s = await r.latest();
  assert.equal(server.getBatchCalls, 1);
  assert.equal(s.connection, "live");
  assert.equal(s.snapshotLoaded, true);
  assert.equal(s.done, 1);
  assert.equal(s.segments.get(key(2))?.status, "generating");
  assert.deepEqual(s.inFlight.map((x) => x.id), [2]);

  // Disconnected: the server moves on and no event arrives.
  r.rt.last.status("CHANNEL_ERROR", new Error("socket closed"));
  s = await r.latest();
  assert.equal(s.connection, "reconnecting");
  server.batch = makeBatch({
    total: 3,
    done: 2,
    failed: 1,
    status: "completed_with_errors",
    updated_at: "2026-11-24 10:00:05+00",
  });
  server.put(makeSegment(2, "done", 2_000_000));
  server.put(makeSegment(3, "failed", 2_000_000));

  r.rt.last.status("SUBSCRIBED"); // realtime-js rejoined
  s = await r.latest();
  assert.equal(server.getBatchCalls, 2, "a second snapshot after the rejoin");
  assert.equal(s.connection, "live");
  assert.equal(s.done, 2);
  assert.equal(s.failed, 1);
  assert.equal(s.progress, 1);
  assert.equal(s.isActive, false);
  assert.equal(s.segments.get(key(2))?.status, "done");
  assert.equal(s.segments.get(key(3))?.status, "failed");
  assert.equal(s.inFlightCount, 0);
  r.stop();
});

test("messages the snapshot covers (seq not above its seq) are ignored; later ones apply", async () => {
  const server = new FakeServer({ total: 5, done: 3, updated_at: ts(3_000_200) });
  server.put(makeSegment(1, "done", 3_000_100));
  server.seq = 8;
  const r = await rig(server);
  r.rt.last.status("SUBSCRIBED");
  await r.latest();

  // Late deliveries sent before the snapshot was read, whatever they say.
  r.rt.last.segments(7, [makeSegment(1, "generating", 0)]);
  r.rt.last.progress(8, { total: 5, done: 2, failed: 2, updated_at: ts(4_000_000) });
  let s = await r.latest();
  assert.equal(s.segments.get(key(1))?.status, "done");
  assert.equal(s.done, 3);
  assert.equal(s.failed, 0, "nothing of the covered progress was taken");
  assert.equal(s.inFlightCount, 0);

  r.rt.last.segments(9, [makeSegment(2, "generating", 0)]);
  r.rt.last.progress(10, { total: 5, done: 4, updated_at: ts(5_000_000) });
  s = await r.latest();
  assert.equal(s.done, 4);
  assert.deepEqual(s.inFlight.map((x) => x.id), [2]);
  r.stop();
});

test("out-of-order messages: the newest seq wins whatever the arrival order", async () => {
  const server = new FakeServer({ total: 4 });
  const r = await rig(server);
  r.rt.last.status("SUBSCRIBED");
  await r.latest();
  const ch = r.rt.last;
  // Where they are by then (2 arriving first looks like 1 went missing: the segments are re-read).
  server.put(makeSegment(1, "done", 300));
  server.put(makeSegment(2, "generating", 300));

  ch.segments(2, [makeSegment(1, "done", 0)]);
  ch.segments(1, [makeSegment(1, "generating", 0)]);
  ch.segments(3, [makeSegment(2, "generating", 0)]);
  ch.progress(5, { total: 4, done: 2, updated_at: "2026-11-24 10:00:09+00" });
  ch.progress(4, { total: 4, done: 1, updated_at: "2026-11-24 10:00:08+00" });
  let s = await r.latest();
  assert.equal(s.segments.get(key(1))?.status, "done");
  assert.deepEqual(s.inFlight.map((x) => x.id), [2]);
  assert.equal(s.done, 2);

  // Same updated_at (one version of the row): counters never go back.
  ch.progress(6, { total: 4, done: 1, failed: 1, updated_at: "2026-11-24 10:00:09+00" });
  s = await r.latest();
  assert.equal(s.done, 2, "done did not go back at an equal updated_at");
  assert.equal(s.failed, 1);

  // A newer row may lower a counter: a retry puts failed segments back in the queue.
  ch.progress(7, { total: 4, done: 2, failed: 0, updated_at: "2026-11-24 10:00:10+00" });
  s = await r.latest();
  assert.equal(s.failed, 0);
  r.stop();
});

test("a reconnect reads a snapshot; the messages sent while away are not needed", async () => {
  const server = new FakeServer({ total: 3, updated_at: ts(100) });
  server.put(makeSegment(1, "generating", 100));
  server.seq = 2;
  const r = await rig(server);
  r.rt.last.status("SUBSCRIBED");
  await r.latest();
  r.rt.last.status("CHANNEL_ERROR", new Error("socket closed"));
  await r.latest();
  // Away: messages 3..6 went out; the batch finished.
  server.batch = makeBatch({ total: 3, done: 3, status: "completed", updated_at: ts(900) });
  server.put(makeSegment(1, "done", 900));
  server.seq = 6;
  r.rt.last.status("SUBSCRIBED");
  let s = await r.latest();
  assert.equal(s.batch?.status, "completed");
  assert.equal(s.segments.get(key(1))?.status, "done");
  // One of those messages arrives late: it changes nothing.
  r.rt.last.progress(5, { total: 3, done: 2, status: "running", updated_at: ts(800) });
  r.rt.last.segments(4, [makeSegment(1, "generating", 0)]);
  s = await r.latest();
  assert.equal(s.batch?.status, "completed", "the final state is kept");
  assert.equal(s.done, 3);
  assert.equal(s.segments.get(key(1))?.status, "done");
  r.stop();
});

test("a message listing none of its changes, or a lost one, re-reads the segments at most once per rereadMs", async () => {
  const server = new FakeServer({ total: 300 });
  const r = await rig(server, { rereadMs: 5000, liveCheckMs: 600_000 });
  r.rt.last.status("SUBSCRIBED");
  await r.latest();
  const reads = () => server.getSegmentsCalls.length;
  const base = reads();

  server.put(makeSegment(1, "done", 500));
  r.rt.last.segments(1, [], true);
  await r.latest(0);
  assert.equal(reads(), base + 1, "re-read at once");
  assert.equal((await r.latest()).segments.get(key(1))?.status, "done");
  r.rt.last.segments(2, [], true);
  r.rt.last.progress(4, { total: 300, done: 1, updated_at: ts(600) }); // 3 went missing
  await r.latest(1000);
  assert.equal(reads(), base + 1, "not again within rereadMs");
  await r.latest(4000);
  assert.equal(reads(), base + 2, "one more, for both, when it is due");
  r.stop();
});

test("a progress message moving the status reads the batch row (its times)", async () => {
  const server = new FakeServer({ total: 1, status: "running" });
  const r = await rig(server);
  r.rt.last.status("SUBSCRIBED");
  await r.latest();
  const before = server.getBatchCalls;
  server.batch = makeBatch({
    total: 1,
    done: 1,
    status: "completed",
    finished_at: ts(700),
    updated_at: ts(700),
  });
  r.rt.last.progress(1, { total: 1, done: 1, status: "completed", updated_at: ts(700) });
  const s = await r.latest();
  assert.equal(server.getBatchCalls, before + 1);
  assert.equal(s.batch?.finished_at, ts(700));
  r.rt.last.progress(2, { total: 1, done: 1, status: "completed", updated_at: ts(700) });
  await r.latest();
  assert.equal(server.getBatchCalls, before + 1, "no read when the status stays");
  r.stop();
});

test("counters and progress come from the batch row, not from counting segments", async () => {
  const server = new FakeServer({
    total: 10,
    done: 6,
    failed: 1,
    cancelled: 1,
    skipped: 2,
  });
  server.put(makeSegment(1, "done", 10)); // only 1 of the 6 done segments is loaded
  server.put(makeSegment(2, "generating", 10));
  server.put(makeSegment(3, "generating", 11));
  const r = await rig(server);
  r.rt.last.status("SUBSCRIBED");
  const s = await r.latest();
  assert.equal(s.total, 10);
  assert.equal(s.done, 6);
  assert.equal(s.failed, 1);
  assert.equal(s.cancelled, 1);
  assert.equal(s.skipped, 2);
  assert.equal(s.progress, 0.8);
  assert.equal(s.inFlightCount, 2);
  assert.equal(s.isActive, true);
  r.stop();
});

test("the in-flight list is capped but its count is exact", async () => {
  const server = new FakeServer({ total: 20 });
  for (let n = 1; n <= 20; n++) server.put(makeSegment(n, "generating", n));
  const r = await rig(server, { inFlightLimit: 5 });
  r.rt.last.status("SUBSCRIBED");
  const s = await r.latest();
  assert.equal(s.inFlight.length, 5);
  assert.equal(s.inFlightCount, 20);
  r.stop();
});

test("a burst of messages is applied at once and reported once per interval", async () => {
  const server = new FakeServer({ total: 3000 });
  const r = await rig(server, { notifyIntervalMs: 100, tickMs: 60_000 });
  r.rt.last.status("SUBSCRIBED");
  await r.latest();
  const before = r.states.length;

  for (let n = 1; n <= 3000; n++) {
    r.rt.last.segments(n, [makeSegment(n, "generating", n)]);
  }
  await settle();
  assert.equal(r.states.length, before, "nothing is reported inside the burst");
  r.timers.advance(100);
  assert.equal(r.states.length, before + 1, "one report for 3000 messages");
  assert.equal(r.states.at(-1)?.inFlightCount, 3000);

  // A steady stream, one event every 10 ms for 1 s: at most one report per 100 ms.
  const start = r.states.length;
  for (let i = 0; i < 100; i++) {
    r.rt.last.segments(3001 + i, [makeSegment(i + 1, "done", 10_000 + i)]);
    r.timers.advance(10);
  }
  r.timers.advance(100);
  const reports = r.states.length - start;
  assert.ok(
    reports >= 9 && reports <= 11,
    `reports in 1 s of events: ${reports}`,
  );
  assert.equal(r.states.at(-1)?.inFlightCount, 2900);
  r.stop();
});

test("messages arriving during a snapshot are kept; what the snapshot no longer has is dropped", async () => {
  const server = new FakeServer({ total: 3 });
  server.put(makeSegment(1, "queued", 10));
  server.put(makeSegment(2, "queued", 10));
  const r = await rig(server);
  r.rt.last.status("SUBSCRIBED");
  await r.latest();

  // Held: 1 and 2. On the server, 2 is deleted while we were away; a rejoin snapshot is slow.
  server.segments.delete(2);
  server.hold();
  r.rt.last.status("SUBSCRIBED");
  await settle();
  // While the snapshot is in flight: 1 moves on, 3 starts; the snapshot was read before that.
  r.rt.last.segments(1, [makeSegment(1, "done", 500), makeSegment(3, "generating", 500)]);
  server.release();
  const s = await r.latest();
  assert.equal(
    s.segments.get(key(1))?.status,
    "done",
    "the snapshot's older row did not win",
  );
  assert.equal(
    s.segments.get(key(3))?.status,
    "generating",
    "a row seen live is not pruned",
  );
  assert.equal(
    s.segments.has(key(2)),
    false,
    "a row the server no longer has is dropped",
  );
  r.stop();
});

test("a snapshot pages through the segments with the after cursor", async () => {
  const server = new FakeServer({ total: 2500 });
  for (let n = 1; n <= 2500; n++) server.put(makeSegment(n, "queued", 1));
  const r = await rig(server);
  r.rt.last.status("SUBSCRIBED");
  const s = await r.latest();
  assert.deepEqual(server.getSegmentsCalls.map((q) => q.after), [
    undefined,
    1000,
    2000,
  ]);
  assert.equal(s.segments.size, 2500);
  r.stop();
});

test("a failed snapshot is retried; a 401 is reported and not retried", async () => {
  const server = new FakeServer({ total: 1, done: 1, status: "completed" });
  server.failNext = new AudioQueueError(0, "network", "no answer");
  const r = await rig(server, { snapshotRetryMs: 2000 });
  r.rt.last.status("SUBSCRIBED");
  let s = await r.latest();
  assert.equal(s.error?.message, "no answer");
  assert.equal(s.snapshotLoaded, false);
  s = await r.latest(2000);
  assert.equal(server.getBatchCalls, 2);
  assert.equal(s.error, null);
  assert.equal(s.done, 1);

  server.failNext = new AudioQueueError(401, "unauthorized", "token expired");
  r.rt.last.status("SUBSCRIBED");
  s = await r.latest(10_000);
  assert.equal(server.getBatchCalls, 3, "no retry after a 401");
  assert.ok(s.error instanceof AudioQueueError && s.error.isUnauthorized);
  r.stop();
});

test("throughput and ETA follow the batch counters over the last 10 s", async () => {
  const server = new FakeServer({ total: 100, done: 0 });
  const r = await rig(server, { tickMs: 1000 });
  r.rt.last.status("SUBSCRIBED");
  let s = await r.latest();
  assert.equal(s.throughput, null, "no rate before a second of history");
  for (let sec = 1; sec <= 10; sec++) {
    r.rt.last.progress(sec, {
      total: 100,
      done: sec * 2,
      updated_at: `2026-11-24 10:01:${String(sec).padStart(2, "0")}+00`,
    });
    r.timers.advance(1000);
  }
  s = await r.latest(0);
  assert.ok(
    s.throughput !== null && Math.abs(s.throughput - 2) < 0.25,
    `throughput ${s.throughput}`,
  );
  assert.ok(
    s.etaSeconds !== null && s.etaSeconds >= 36 && s.etaSeconds <= 46,
    `eta ${s.etaSeconds}`,
  );
  // Nothing finishes for 11 s: the rate decays to 0 and the ETA is unknown (ticks keep reporting).
  s = await r.latest(11_000);
  assert.equal(s.throughput, 0);
  assert.equal(s.etaSeconds, null);
  r.stop();
});

test("following a batch already under way does not read its past as throughput", async () => {
  const server = new FakeServer({ total: 1000, done: 500, failed: 20 });
  const r = await rig(server, { tickMs: 1000 });
  assert.equal((await r.latest(500)).batch, null, "a first report before anything is loaded");
  r.rt.last.status("SUBSCRIBED");
  await r.latest();
  const s = await r.latest(3000);
  assert.equal(s.done, 500);
  assert.equal(s.throughput, 0, "nothing finished since the page started following");
  r.stop();
});

test("unsubscribe removes the channel, stops timers and reports nothing more", async () => {
  const server = new FakeServer({ total: 5 });
  const r = await rig(server);
  r.rt.last.status("SUBSCRIBED");
  await r.latest();
  r.rt.last.segments(1, [makeSegment(1, "generating", 50)]);
  r.stop();
  const count = r.states.length;
  assert.deepEqual(r.rt.removed, [r.rt.last]);
  assert.equal(r.timers.pendingCount, 0, "no timer left behind");
  r.rt.last.segments(2, [makeSegment(1, "done", 60)]);
  r.rt.last.status("SUBSCRIBED");
  r.timers.advance(5000);
  await settle();
  assert.equal(r.states.length, count);
  assert.equal(server.getBatchCalls, 1);
});

test("while Realtime is not joined the snapshot is polled; joining stops the polling", async () => {
  const server = new FakeServer({ total: 4, done: 1 });
  const r = await rig(server, { fallbackPollMs: 5000 });
  let s = await r.latest(5000);
  assert.equal(server.getBatchCalls, 1, "a first poll 5 s in, without any SUBSCRIBED");
  assert.equal(s.done, 1);
  assert.equal(s.connection, "connecting");
  server.batch = makeBatch({ total: 4, done: 3, updated_at: "2026-11-24 10:00:30+00" });
  s = await r.latest(5000);
  assert.equal(server.getBatchCalls, 2);
  assert.equal(s.done, 3);

  r.rt.last.status("SUBSCRIBED");
  await r.latest();
  // A snapshot reads the segments; the live check (below) reads only the batch row.
  const afterJoin = server.getSegmentsCalls.length;
  await r.latest(60_000);
  assert.equal(server.getSegmentsCalls.length, afterJoin, "no snapshot polling while live");
  r.rt.last.status("TIMED_OUT");
  await r.latest(5000);
  assert.equal(
    server.getSegmentsCalls.length,
    afterJoin + 1,
    "polling resumes when the channel drops",
  );
  r.stop();
  assert.equal(r.timers.pendingCount, 0);
});

test("while live, the batch row is re-read now and then: a lost final message still ends the batch", async () => {
  const server = new FakeServer({ total: 2, status: "running" });
  server.put(makeSegment(1, "generating", 10));
  server.put(makeSegment(2, "generating", 10));
  const r = await rig(server, { liveCheckMs: 15_000 });
  r.rt.last.status("SUBSCRIBED");
  let s = await r.latest();
  assert.equal(s.inFlightCount, 2);
  const batchReads = server.getBatchCalls;
  const segmentReads = server.getSegmentsCalls.length;

  // The batch ends on the server and no event reaches the page.
  server.batch = makeBatch({
    total: 2,
    done: 2,
    status: "completed",
    updated_at: "2026-11-24 10:00:40+00",
  });
  server.put(makeSegment(1, "done", 40_000_000));
  server.put(makeSegment(2, "done", 40_000_000));
  s = await r.latest(14_000);
  assert.equal(server.getBatchCalls, batchReads, "not before the interval");
  assert.equal(s.isActive, true);

  s = await r.latest(1_000);
  assert.ok(server.getBatchCalls > batchReads, "the batch row was read");
  assert.equal(s.done, 2);
  assert.equal(s.isActive, false);
  assert.equal(s.batch?.status, "completed");
  assert.equal(
    server.getSegmentsCalls.length,
    segmentReads + 1,
    "found ended: the segments were reloaded",
  );
  assert.equal(s.inFlightCount, 0, "no segment left showing as generating");

  const afterEnd = server.getBatchCalls;
  await r.latest(120_000);
  assert.equal(server.getBatchCalls, afterEnd, "no check once the batch has ended");
  r.stop();
  assert.equal(r.timers.pendingCount, 0);
});

test("the live check follows the connection: none while dropped, the next liveCheckMs after a rejoin", async () => {
  const server = new FakeServer({ total: 2, status: "running" });
  const r = await rig(server, { liveCheckMs: 15_000, fallbackPollMs: 60_000 });
  r.rt.last.status("SUBSCRIBED");
  await r.latest(10_000); // joined at 0; the first check would be due at 15 s
  r.rt.last.status("TIMED_OUT");
  await r.latest(2_000);
  r.rt.last.status("SUBSCRIBED"); // rejoined at 12 s: a snapshot reads the row now
  await r.latest(0);
  const afterRejoin = server.getBatchCalls;
  await r.latest(14_999);
  assert.equal(server.getBatchCalls, afterRejoin, "no check on the schedule from before the drop");
  await r.latest(1);
  assert.equal(server.getBatchCalls, afterRejoin + 1, "a check liveCheckMs after the rejoin");
  r.stop();
});

test("a bad batch id is refused before anything is opened", () => {
  const rt = new FakeRealtime();
  assert.throws(
    () => followBatch(new FakeServer(), rt, "1; drop", () => {}),
    (e: unknown) => e instanceof AudioQueueError && /batchId: not a uuid/.test(e.message),
  );
  assert.equal(rt.channels.length, 0);
});
