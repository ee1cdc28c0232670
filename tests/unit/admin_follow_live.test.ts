// Unit tests of followBatch's live piece (admin/src/lib/follow/live_broadcasts.ts and the shared
// channel of topic_channel.ts) with the fake Realtime host: the private topic batch:<id>, the seq
// rule (older and equal seq dropped, a gap after a snapshot's baseline asks for a re-read, none
// before it), segment changes merged as of their seq, `more` asking for a re-read, a status move
// asking for the row, one channel shared by every follower of a topic, a channel the server
// closed joined again (fresh token, growing wait), and close.

import assert from "node:assert/strict";
import { HeldBatch } from "../../admin/src/lib/follow/held.ts";
import { type LiveHooks, openLiveBroadcasts } from "../../admin/src/lib/follow/live_broadcasts.ts";
import { segmentKey } from "../../admin/src/lib/follow/segment_store.ts";
import { authorizeRealtime } from "../../admin/src/lib/follow/topic_channel.ts";
import {
  BATCH_ID,
  FakeRealtime,
  FakeTimers,
  makeBatch,
  makeSegment,
  settle,
  ts,
} from "../helpers/admin_fakes.ts";
import { test } from "../helpers/strict.ts";

const key = (n: number) => segmentKey(makeSegment(n, "queued", 0).word_id, "word");

function rig(rt = new FakeRealtime(), timers?: FakeTimers) {
  const held = new HeldBatch(BATCH_ID);
  const calls: string[] = [];
  const hooks: LiveHooks = {
    changed: () => calls.push("changed"),
    touched: (k) => calls.push(`touched ${k}`),
    status: (s, err) => calls.push(`status ${s}${err ? ` ${err.message}` : ""}`),
    reread: () => calls.push("reread"),
    statusMoved: () => calls.push("statusMoved"),
  };
  const close = openLiveBroadcasts(rt, held, hooks, timers);
  return { rt, held, calls, close };
}

test("joins the private topic batch:<id>; statuses are passed on", () => {
  const r = rig();
  assert.equal(r.rt.channels.length, 1);
  assert.equal(r.rt.last.name, `batch:${BATCH_ID}`);
  assert.deepEqual(r.rt.last.options, { config: { private: true } });
  r.rt.last.status("SUBSCRIBED");
  r.rt.last.status("CHANNEL_ERROR", new Error("socket closed"));
  assert.deepEqual(r.calls, ["status SUBSCRIBED", "status CHANNEL_ERROR socket closed"]);
  r.close();
});

test("progress: a newer seq is applied, an older or equal one dropped", () => {
  const r = rig();
  const ch = r.rt.last;
  ch.progress(5, { done: 4, updated_at: ts(500) });
  ch.progress(4, { done: 3, updated_at: ts(400) }); // late
  ch.progress(5, { done: 9, updated_at: ts(900) }); // the same seq again
  assert.equal(r.held.batch?.done, 4);
  assert.equal(r.held.seq, 5);
  ch.progress(6, { done: 5, updated_at: ts(600) });
  assert.equal(r.held.batch?.done, 5);
  r.close();
});

test("a snapshot's seq is the baseline: messages it covers are dropped, a gap past it asks for a re-read", () => {
  const r = rig();
  const ch = r.rt.last;
  ch.status("SUBSCRIBED");
  r.held.takeSnapshot({ ...makeBatch({ done: 6, updated_at: ts(600) }), seq: 10 });
  ch.progress(9, { done: 5, updated_at: ts(500) }); // sent before the snapshot was read
  ch.progress(10, { done: 6, updated_at: ts(600) });
  assert.equal(r.held.batch?.done, 6);
  assert.deepEqual(r.calls, ["status SUBSCRIBED"]);
  ch.progress(11, { done: 7, updated_at: ts(700) });
  assert.deepEqual(r.calls, ["status SUBSCRIBED"], "the next seq: no re-read");
  ch.progress(13, { done: 9, updated_at: ts(900) }); // 12 never came
  assert.equal(r.held.batch?.done, 9, "applied anyway");
  assert.deepEqual(r.calls, ["status SUBSCRIBED", "reread"]);
  r.close();
});

test("after a rejoin, a jump in seq before the next snapshot is expected, not a gap", () => {
  const r = rig();
  const ch = r.rt.last;
  ch.status("SUBSCRIBED");
  r.held.takeSnapshot({ ...makeBatch({ done: 1, updated_at: ts(100) }), seq: 3 });
  ch.status("CHANNEL_ERROR");
  ch.status("SUBSCRIBED"); // messages 4..7 went out while away
  ch.progress(8, { done: 8, updated_at: ts(800) });
  assert.deepEqual(r.calls, ["status SUBSCRIBED", "status CHANNEL_ERROR", "status SUBSCRIBED"]);
  assert.equal(r.held.batch?.done, 8);
  r.close();
});

test("segments: changes are applied as of their seq and touched; an older message changes nothing", () => {
  const r = rig();
  const ch = r.rt.last;
  r.held.segments.apply(makeSegment(1, "queued", 100), 2);
  ch.segments(3, [makeSegment(1, "generating", 0), makeSegment(2, "generating", 0)]);
  ch.segments(2, [makeSegment(1, "queued", 0)]); // late
  const one = r.held.segments.byKey.get(key(1));
  assert.equal(one?.status, "generating");
  assert.equal(one?.text, "word 1", "what the message does not carry is kept");
  assert.equal(r.held.segments.byKey.get(key(2))?.status, "generating");
  assert.deepEqual(r.calls, [`touched ${key(1)}`, `touched ${key(2)}`, "changed"]);
  r.close();
});

test("a snapshot row read as of an older seq does not undo a change; one as of a newer seq wins", () => {
  const held = new HeldBatch(BATCH_ID);
  const { id, word_id, kind } = makeSegment(1, "done", 0);
  held.segments.applyChange(BATCH_ID, { id, word_id, kind, status: "done" }, 7);
  assert.equal(held.segments.byKey.get(key(1))?.text, "", "a change alone has no text");
  held.segments.apply(makeSegment(1, "generating", 999_999), 6);
  assert.equal(held.segments.byKey.get(key(1))?.status, "done");
  assert.equal(held.segments.byKey.get(key(1))?.text, "word 1", "the snapshot lends its text");
  held.segments.apply(makeSegment(1, "failed", 5), 8);
  assert.equal(held.segments.byKey.get(key(1))?.status, "failed");
});

test("`more`: nothing listed, a re-read asked for", () => {
  const r = rig();
  r.rt.last.segments(1, [makeSegment(1, "done", 0)], true);
  assert.deepEqual(r.calls, ["reread"]);
  assert.equal(r.held.segments.byKey.size, 0);
  r.close();
});

test("a progress message that moves the status asks for the row; the final state is kept", () => {
  const r = rig();
  const ch = r.rt.last;
  ch.progress(1, { status: "running", done: 0, updated_at: ts(100) });
  ch.progress(2, { status: "running", done: 1, updated_at: ts(200) });
  ch.progress(3, { status: "completed", done: 10, updated_at: ts(300) });
  ch.progress(3, { status: "running", done: 9, updated_at: ts(250) }); // a duplicate seq
  assert.deepEqual(r.calls, ["statusMoved", "statusMoved"]);
  assert.equal(r.held.batch?.status, "completed");
  assert.equal(r.held.batch?.done, 10);
  r.close();
});

test("messages of another batch, or of another shape, are ignored", () => {
  const r = rig();
  const ch = r.rt.last;
  ch.send("progress", {
    batch_id: "9b8f5a52-6c1e-4d7a-9a5e-1f2a3b4c5d6e",
    seq: 1,
    status: "running",
  });
  ch.send("progress", { batch_id: BATCH_ID, seq: "2", status: "running" });
  ch.send("segments", { batch_id: BATCH_ID, seq: 3, changes: "none" });
  assert.equal(r.held.batch, null);
  assert.equal(r.held.seq, 0);
  assert.deepEqual(r.calls, []);
  r.close();
});

test("two follows of one batch share one channel; the last to leave removes it, once", async () => {
  const rt = new FakeRealtime();
  const a = rig(rt);
  rt.last.status("SUBSCRIBED");
  const b = rig(rt);
  assert.equal(rt.channels.length, 1, "realtime-js would hand back the same channel");
  assert.equal(rt.last.subscribed, 1);
  await settle();
  assert.deepEqual(b.calls, ["status SUBSCRIBED"], "a late follower hears the join");
  rt.last.progress(1, { done: 1, updated_at: ts(100) });
  assert.equal(a.held.batch?.done, 1);
  assert.equal(b.held.batch?.done, 1);
  a.close();
  a.close();
  assert.deepEqual(rt.removed, []);
  b.close();
  assert.deepEqual(rt.removed, [rt.channels[0]]);
});

test("a follow that joins while its topic's channel is being removed waits for the removal", async () => {
  const rt = new FakeRealtime();
  let finish: () => void = () => {};
  rt.removeChannel = (ch) => {
    rt.removed.push(ch);
    return new Promise((r) => (finish = () => r("ok")));
  };
  rig(rt).close();
  const again = rig(rt);
  await settle();
  assert.equal(rt.channels.length, 1, "not opened while the old channel is leaving");
  finish();
  await settle();
  assert.equal(rt.channels.length, 2);
  assert.equal(rt.last.subscribed, 1);
  again.close();
});

test("a channel the server closed is joined again: a fresh token, then a new channel after 1 s", async () => {
  const timers = new FakeTimers();
  const r = rig(new FakeRealtime(), timers);
  const first = r.rt.last;
  first.status("SUBSCRIBED");
  first.status("CLOSED");
  assert.deepEqual(r.calls, ["status SUBSCRIBED", "status CLOSED"], "the close is passed on");
  timers.advance(999);
  await settle();
  assert.equal(r.rt.channels.length, 1, "not before 1 s");
  assert.deepEqual(r.rt.authCalls, []);
  timers.advance(1);
  await settle();
  assert.deepEqual(r.rt.authCalls, [undefined], "setAuth(): the client's session or callback");
  assert.equal(r.rt.channels.length, 2, "a new channel: realtime-js forgot the closed one");
  assert.equal(r.rt.last.name, `batch:${BATCH_ID}`);
  assert.deepEqual(r.rt.last.options, { config: { private: true } });
  assert.equal(r.rt.last.subscribed, 1);
  first.status("SUBSCRIBED"); // the old channel says nothing more that counts
  r.rt.last.status("SUBSCRIBED");
  assert.deepEqual(r.calls.slice(2), ["status SUBSCRIBED"]);
  r.rt.last.progress(1, { done: 2, updated_at: ts(200) });
  assert.equal(r.held.batch?.done, 2, "messages flow on the new channel");
  assert.deepEqual(r.rt.removed, [], "nothing to remove: the server closed it");
  r.close();
  assert.deepEqual(r.rt.removed, [r.rt.last], "leaving removes the current channel");
  assert.equal(timers.pendingCount, 0);
});

test("closes in a row wait 1, 2, 5, 10, then 30 s each; a join that lasted 60 s starts over", async () => {
  const timers = new FakeTimers();
  const r = rig(new FakeRealtime(), timers);
  await authorizeRealtime(r.rt, "admin-token");
  r.rt.authCalls.length = 0;
  const waits: number[] = [];
  for (let i = 0; i < 7; i++) {
    const before = r.rt.channels.length;
    r.rt.last.status("CLOSED"); // refused again at once: never joined
    const start = timers.now();
    for (let t = 0; t < 120 && r.rt.channels.length === before; t++) {
      timers.advance(500);
      await settle();
    }
    assert.equal(r.rt.channels.length, before + 1, `close ${i + 1}: joined again within 60 s`);
    waits.push(timers.now() - start);
  }
  assert.deepEqual(waits, [1000, 2000, 5000, 10_000, 30_000, 30_000, 30_000]);
  assert.equal(r.rt.authCalls.length, 7);
  assert.ok(r.rt.authCalls.every((t) => t === "admin-token"), "the followers' own token again");

  r.rt.last.status("SUBSCRIBED");
  timers.advance(60_000);
  const before = r.rt.channels.length;
  r.rt.last.status("CLOSED");
  timers.advance(1000);
  await settle();
  assert.equal(r.rt.channels.length, before + 1, "after a lasting join: 1 s again");
  r.close();
  assert.equal(timers.pendingCount, 0);
});

test("leaving while a rejoin waits: no rejoin, no timer left", async () => {
  const timers = new FakeTimers();
  const r = rig(new FakeRealtime(), timers);
  r.rt.last.status("SUBSCRIBED");
  r.rt.last.status("CLOSED");
  r.close();
  assert.equal(timers.pendingCount, 0);
  timers.advance(60_000);
  await settle();
  assert.equal(r.rt.channels.length, 1);
  assert.deepEqual(r.rt.authCalls, []);
});

test("after close() nothing is passed on", () => {
  const r = rig();
  const ch = r.rt.last;
  r.close();
  ch.segments(1, [makeSegment(1, "done", 100)]);
  ch.progress(2, { done: 3, updated_at: ts(300) });
  ch.status("SUBSCRIBED");
  assert.deepEqual(r.calls, []);
  assert.equal(r.held.segments.byKey.size, 0);
  assert.equal(r.held.batch, null);
});
