// Unit tests of when the admin page's notice shows (admin/src/app/notice.ts): only while the page
// shows what it is about, and a batch's notice goes once that batch ends after it.

import assert from "node:assert/strict";
import { type Notice, noticeIsCurrent } from "../../admin/src/app/notice.ts";
import { test } from "../helpers/strict.ts";

const A = "aaaaaaaa-0000-0000-0000-000000000000";
const B = "bbbbbbbb-0000-0000-0000-000000000000";
const started: Notice = { text: "Batch started", batchId: A, finishedAt: null, grade: 2 };

test("a batch's notice shows while that batch is followed and until it ends", () => {
  assert.ok(noticeIsCurrent(started, { followed: A, batch: null, grade: 2 }), "batch not loaded");
  assert.ok(
    noticeIsCurrent(started, { followed: A, batch: { id: A, finished_at: null }, grade: 5 }),
  );
  assert.ok(
    !noticeIsCurrent(started, { followed: A, batch: { id: A, finished_at: "t1" }, grade: 2 }),
    "gone once the batch ended",
  );
  assert.ok(
    !noticeIsCurrent(started, { followed: B, batch: { id: B, finished_at: null }, grade: 2 }),
    "not shown over another batch",
  );
});

test("a retry's notice outlives the end it was made after, not the next one", () => {
  const retried: Notice = { text: "3 queued again", batchId: A, finishedAt: "t1", grade: 2 };
  assert.ok(
    noticeIsCurrent(retried, { followed: A, batch: { id: A, finished_at: "t1" }, grade: 2 }),
  );
  assert.ok(
    noticeIsCurrent(retried, { followed: A, batch: { id: A, finished_at: null }, grade: 2 }),
  );
  assert.ok(
    !noticeIsCurrent(retried, { followed: A, batch: { id: A, finished_at: "t2" }, grade: 2 }),
  );
});

test("an answer with no batch belongs to its grade", () => {
  const nothing: Notice = { text: "Nothing to do", batchId: null, finishedAt: null, grade: 2 };
  assert.ok(noticeIsCurrent(nothing, { followed: A, batch: null, grade: 2 }));
  assert.ok(!noticeIsCurrent(nothing, { followed: A, batch: null, grade: 3 }));
  assert.ok(!noticeIsCurrent(null, { followed: null, batch: null, grade: 2 }));
});
