// Unit tests of the admin page's batch figures (admin/src/app/batch_numbers.ts): the share done
// counts successes only, failed and cancelled are shown apart, the status reads as words, the
// screen-reader line moves in tenths, and the success rate is silent while warming up, ignores
// failures, and is smoothed (times come from the test, never a clock).

import assert from "node:assert/strict";
import {
  announcement,
  endedWithoutAudio,
  etaSeconds,
  percentDone,
  remaining,
  statusWords,
  SuccessRate,
} from "../../admin/src/app/batch_numbers.ts";
import { makeBatch } from "../helpers/admin_fakes.ts";
import { test } from "../helpers/strict.ts";

test("percentDone: done ÷ total, never 100 % for a batch cancelled or failed part-way", () => {
  // The cases the page got wrong: cancelled at 45 of 135, and all 135 failed.
  assert.equal(percentDone(makeBatch({ total: 135, done: 45, cancelled: 90 })), 33);
  assert.equal(percentDone(makeBatch({ total: 135, done: 0, failed: 135 })), 0);
  // Rounded down: 199 of 200 is 99 %, only all of them is 100 %.
  assert.equal(percentDone(makeBatch({ total: 200, done: 199, failed: 1 })), 99);
  assert.equal(percentDone(makeBatch({ total: 200, done: 200 })), 100);
  assert.equal(percentDone(makeBatch({ total: 0 })), 0);
  assert.equal(percentDone(null), 0);
});

test("endedWithoutAudio and remaining: failed + cancelled apart, queued + generating left", () => {
  const b = makeBatch({ total: 135, done: 40, failed: 5, cancelled: 60 });
  assert.equal(endedWithoutAudio(b), 65);
  assert.equal(remaining(b), 30);
  assert.equal(remaining(makeBatch({ total: 3, done: 3 })), 0);
});

test("statusWords and announcement: words, and the share in steps of 10 %", () => {
  assert.equal(statusWords("completed_with_errors"), "completed with errors");
  assert.equal(statusWords("running"), "running");
  assert.equal(
    announcement(makeBatch({ status: "running", total: 100, done: 37 })),
    "Batch running: 30% done.",
  );
  assert.equal(
    announcement(makeBatch({ status: "running", total: 100, done: 39 })),
    "Batch running: 30% done.",
    "no new announcement within the same tenth",
  );
  assert.equal(
    announcement(makeBatch({ status: "completed_with_errors", total: 10, done: 9, failed: 1 })),
    "Batch completed with errors: 90% done.",
  );
  assert.equal(announcement(null), "");
});

test("SuccessRate: no rate in the first seconds nor before a few successes", () => {
  const r = new SuccessRate();
  r.record(0, 0);
  r.record(1000, 3); // a burst of three after one round trip: 3/s if it were believed
  assert.equal(r.rate(), null);
  r.record(4000, 8);
  assert.equal(r.rate(), null, "under the 5 s warm-up");
  const slow = new SuccessRate();
  for (let s = 0; s <= 10; s++) slow.record(s * 1000, s < 9 ? 0 : 2);
  assert.equal(slow.rate(), null, "10 s with only 2 successes is still warming up");
});

test("SuccessRate: seeded with the warm-up's mean, then smoothed toward the new rate", () => {
  const r = new SuccessRate();
  // 2 segments a second for 5 s.
  for (let s = 0; s <= 5; s++) r.record(s * 1000, s * 2);
  assert.equal(r.rate(), 2);
  // The provider stalls for one second: the shown rate dips, it does not drop to 0.
  r.record(6000, 10);
  const dipped = r.rate()!;
  assert.ok(dipped > 1.7 && dipped < 2, `one quiet second moves it a little (${dipped})`);
  // It then runs at 4/s for 30 s: the shown rate follows within a few time constants.
  let done = 10;
  for (let s = 7; s <= 36; s++) r.record(s * 1000, done += 4);
  const followed = r.rate()!;
  assert.ok(followed > 3.8 && followed <= 4, `follows a lasting change (${followed})`);
});

test("SuccessRate: failures never count (only the done counter goes in)", () => {
  const r = new SuccessRate();
  // 135 segments fail over 10 s while none succeed: the done count stays 0.
  for (let s = 0; s <= 10; s++) r.record(s * 1000, 0);
  assert.equal(r.rate(), null);
});

test("SuccessRate: a count that goes back starts afresh; a repeated time is ignored", () => {
  const r = new SuccessRate();
  for (let s = 0; s <= 6; s++) r.record(s * 1000, s * 3);
  assert.ok(r.rate()! > 0);
  r.record(6000, 100); // same instant: no division by zero, no change
  assert.equal(r.rate(), 3);
  r.record(7000, 1);
  assert.equal(r.rate(), null);
});

test("etaSeconds: rounded to 5 s, then to the minute; none for a stalled batch", () => {
  assert.equal(etaSeconds(0, null), 0);
  assert.equal(etaSeconds(10, null), null);
  assert.equal(etaSeconds(10, 0.001), null, "under one a minute is stalled");
  assert.equal(etaSeconds(10, 2), 5);
  assert.equal(etaSeconds(23, 2), 15);
  assert.equal(etaSeconds(1, 10), 5, "never less than one step while work is left");
  assert.equal(etaSeconds(1000, 2), 540);
});
