// Unit tests of followBatch's live piece (admin/src/lib/follow/live_changes.ts) with the fake
// Realtime host: the channel and its two postgres_changes bindings, events merged into the held
// batch (older versions ignored and not reported), keys touched for a loading snapshot, and close.

import assert from "node:assert/strict";
import { HeldBatch } from "../../admin/src/lib/follow/held.ts";
import { type LiveHooks, openLiveChanges } from "../../admin/src/lib/follow/live_changes.ts";
import { segmentKey } from "../../admin/src/lib/follow/segment_store.ts";
import { BATCH_ID, FakeRealtime, makeBatch, makeSegment } from "../helpers/admin_fakes.ts";
import { test } from "../helpers/strict.ts";

const key = (n: number) => segmentKey(makeSegment(n, "queued", 0).word_id, "word");

function rig() {
  const rt = new FakeRealtime();
  let batchChanges = 0;
  const held = new HeldBatch(BATCH_ID, () => batchChanges++);
  const calls: string[] = [];
  const hooks: LiveHooks = {
    changed: () => calls.push("changed"),
    touched: (k) => calls.push(`touched ${k}`),
    status: (s, err) => calls.push(`status ${s}${err ? ` ${err.message}` : ""}`),
  };
  const close = openLiveChanges(rt, held, hooks);
  return { rt, held, calls, close, batchChanges: () => batchChanges };
}

test("one channel per follow, bound to the batch row and its segments; statuses are passed on", () => {
  const r = rig();
  const second = openLiveChanges(r.rt, r.held, { changed() {}, touched() {}, status() {} });
  assert.equal(r.rt.channels.length, 2);
  assert.notEqual(r.rt.channels[0].name, r.rt.channels[1].name, "each follow its own channel");
  assert.match(r.rt.channels[0].name, new RegExp(`^audio-batch:${BATCH_ID}:\\d+$`));
  assert.deepEqual(r.rt.channels[0].handlers.map((h) => h.filter), [
    { event: "*", schema: "public", table: "audio_batches", filter: `id=eq.${BATCH_ID}` },
    { event: "*", schema: "public", table: "audio_segments", filter: `batch_id=eq.${BATCH_ID}` },
  ]);
  r.rt.channels[0].status("SUBSCRIBED");
  r.rt.channels[0].status("CHANNEL_ERROR", new Error("socket closed"));
  assert.deepEqual(r.calls, ["status SUBSCRIBED", "status CHANNEL_ERROR socket closed"]);
  r.close();
  second();
});

test("segment events: a newer version is applied and reported, an older one ignored; each key is touched", () => {
  const r = rig();
  const ch = r.rt.last;
  ch.emit("audio_segments", "INSERT", makeSegment(1, "queued", 100));
  ch.emit("audio_segments", "UPDATE", makeSegment(1, "generating", 200));
  ch.emit("audio_segments", "UPDATE", makeSegment(1, "queued", 150)); // late: older than held
  assert.deepEqual(r.calls, [
    `touched ${key(1)}`,
    "changed",
    `touched ${key(1)}`,
    "changed",
    `touched ${key(1)}`,
  ]);
  assert.equal(r.held.segments.byKey.get(key(1))?.status, "generating");
  r.close();
});

test("a segment of another batch, or a row missing its keys, is ignored entirely", () => {
  const r = rig();
  const other = {
    ...makeSegment(1, "done", 100),
    batch_id: "9b8f5a52-6c1e-4d7a-9a5e-1f2a3b4c5d6e",
  };
  r.rt.last.emit("audio_segments", "UPDATE", other);
  const { word_id: _dropped, ...noWord } = makeSegment(2, "done", 100);
  r.rt.last.emit("audio_segments", "UPDATE", noWord);
  assert.deepEqual(r.calls, []);
  assert.equal(r.held.segments.byKey.size, 0);
  r.close();
});

test("a segment DELETE forgets a held segment and reports it; an unknown id reports nothing", () => {
  const r = rig();
  r.held.segments.apply(makeSegment(1, "done", 100));
  r.rt.last.emit("audio_segments", "DELETE", makeSegment(7, "done", 100));
  assert.deepEqual(r.calls, []);
  r.rt.last.emit("audio_segments", "DELETE", makeSegment(1, "done", 100));
  assert.deepEqual(r.calls, ["changed"]);
  assert.equal(r.held.segments.byKey.size, 0);
  r.close();
});

test("batch events go through the held batch: newer taken, older, other batches and DELETE ignored", () => {
  const r = rig();
  const ch = r.rt.last;
  ch.emit("audio_batches", "UPDATE", makeBatch({ done: 2, updated_at: "2026-11-24 10:00:09+00" }));
  ch.emit("audio_batches", "UPDATE", makeBatch({ done: 1, updated_at: "2026-11-24 10:00:08+00" }));
  ch.emit("audio_batches", "UPDATE", makeBatch({ id: "9b8f5a52-6c1e-4d7a-9a5e-1f2a3b4c5d6e" }));
  ch.emit("audio_batches", "DELETE", makeBatch({ done: 9, updated_at: "2026-11-24 10:00:10+00" }));
  assert.equal(r.batchChanges(), 1);
  assert.equal(r.held.batch?.done, 2);
  assert.deepEqual(r.calls, [], "batch changes are reported by the held batch, not as segments");
  r.close();
});

test("after close() nothing is passed on and the channel is removed, once", () => {
  const r = rig();
  const ch = r.rt.last;
  r.close();
  r.close();
  assert.deepEqual(r.rt.removed, [ch]);
  ch.emit("audio_segments", "UPDATE", makeSegment(1, "done", 100));
  ch.emit("audio_batches", "UPDATE", makeBatch({ done: 3, updated_at: "2026-11-24 10:00:09+00" }));
  ch.status("SUBSCRIBED");
  assert.deepEqual(r.calls, []);
  assert.equal(r.held.segments.byKey.size, 0);
  assert.equal(r.held.batch, null);
});
