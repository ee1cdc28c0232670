// Unit tests of the live batch list (admin/src/lib/follow/follow_list.ts and batch_list.ts): the
// private topic `batches`, the list read on every join and polled while not joined, `batch`
// messages merged by updated_at (an older one never takes a batch back), newest first and capped.

import assert from "node:assert/strict";
import { mergeList } from "../../admin/src/lib/follow/batch_list.ts";
import { followBatchList } from "../../admin/src/lib/follow/follow_list.ts";
import type { Batch } from "../../admin/src/lib/types.ts";
import { FakeRealtime, FakeTimers, makeBatch, settle, ts } from "../helpers/admin_fakes.ts";
import { test } from "../helpers/strict.ts";

const id = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, "0")}`;
const batch = (n: number, over: Partial<Batch> = {}) =>
  makeBatch({ id: id(n), created_at: ts(n * 1000), updated_at: ts(n * 1000), ...over });

/** What a `batch` message on topic batches carries of a batch (audio.batch_list_row). */
function listRow(b: Batch): Record<string, unknown> {
  const { id, status, source, total, done, failed, cancelled, skipped } = b;
  const { created_at, started_at, finished_at, updated_at } = b;
  return {
    id,
    status,
    source,
    total,
    done,
    failed,
    cancelled,
    skipped,
    created_at,
    started_at,
    finished_at,
    updated_at,
  };
}

test("mergeList: newest first, capped; an older version never replaces a newer one; missing fields kept", () => {
  const list = [batch(2, { grade: 4 }), batch(1)];
  const merged = mergeList(list, [
    { ...listRow(batch(3)) } as never,
    { ...listRow(batch(2, { status: "completed", done: 10, updated_at: ts(9000) })) } as never,
    { ...listRow(batch(1, { status: "queued", updated_at: ts(1) })) } as never,
  ], 2);
  assert.deepEqual(merged.map((b) => b.id), [id(3), id(2)]);
  assert.equal(merged[1].status, "completed");
  assert.equal(merged[1].grade, 4, "a field the message lacks keeps its value");
  const again = mergeList(merged, [batch(2, { status: "running", updated_at: ts(5000) })], 2);
  assert.equal(again[1].status, "completed", "an older row changes nothing");
});

/** gate: the reads answer only once it resolves. */
function rig(gate: Promise<void> = Promise.resolve()) {
  const rt = new FakeRealtime();
  const timers = new FakeTimers();
  const server = { rows: [batch(1)], reads: 0 };
  const client = {
    listBatches: () => {
      server.reads++;
      const rows = server.rows.map((b) => ({ ...b }));
      return gate.then(() => rows);
    },
  };
  const lists: Batch[][] = [];
  const follow = followBatchList(client, rt, (l) => lists.push(l), {
    limit: 3,
    fallbackPollMs: 5000,
    timers,
  });
  return { rt, timers, server, lists, follow };
}

test("the list is read at once, again on every join, and polled only while not joined", async () => {
  const r = rig();
  await settle();
  assert.equal(r.server.reads, 1);
  assert.equal(r.rt.last.name, "batches");
  assert.deepEqual(r.rt.last.options, { config: { private: true } });
  r.timers.advance(5000);
  await settle();
  assert.equal(r.server.reads, 2, "polled while not joined");
  r.rt.last.status("SUBSCRIBED");
  await settle();
  assert.equal(r.server.reads, 3, "read on the join");
  r.timers.advance(60_000);
  await settle();
  assert.equal(r.server.reads, 3, "no polling while joined");
  r.rt.last.status("CHANNEL_ERROR", new Error("gone"));
  r.timers.advance(5000);
  await settle();
  assert.equal(r.server.reads, 4, "polling again after a drop");
  r.follow.stop();
  assert.equal(r.timers.pendingCount, 0);
  assert.deepEqual(r.rt.removed, [r.rt.last]);
});

test("batch messages: a new batch goes on top, a status change replaces its row, an older one is ignored", async () => {
  const r = rig();
  await settle();
  r.rt.last.status("SUBSCRIBED");
  await settle();
  r.rt.last.send("batch", listRow(batch(2, { status: "queued" })));
  r.rt.last.send("batch", listRow(batch(2, { status: "completed", updated_at: ts(9000) })));
  r.rt.last.send("batch", listRow(batch(2, { status: "running", updated_at: ts(5000) })));
  r.rt.last.send("batch", { id: id(9), status: "queued" }); // not a list row
  const shown = r.lists.at(-1)!;
  assert.deepEqual(shown.map((b) => [b.id, b.status]), [[id(2), "completed"], [id(1), "running"]]);
  r.follow.stop();
});

test("a message before the first read lands is held for it, not shown alone", async () => {
  let answer = () => {};
  const r = rig(new Promise((resolve) => (answer = resolve)));
  await settle(); // the first read is under way, the channel open
  r.rt.last.send("batch", listRow(batch(2, { status: "running" })));
  assert.equal(r.lists.length, 0);
  answer();
  await settle();
  assert.deepEqual(r.lists.at(-1)!.map((b) => b.id), [id(2), id(1)]);
  r.follow.stop();
});
