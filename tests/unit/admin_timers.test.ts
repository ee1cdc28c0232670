// Unit tests of repeatWhile (admin/src/lib/timers.ts), the timer the follow pieces share: runs
// every `ms` while its condition holds, stopped by sync() when it no longer does, re-armed only
// after an async run settles, and silent after stop().

import assert from "node:assert/strict";
import { repeatWhile } from "../../admin/src/lib/timers.ts";
import { FakeTimers, settle } from "../helpers/admin_fakes.ts";
import { test } from "../helpers/strict.ts";

const since = (t: FakeTimers) => t.now() - 1_000_000;

test("fires every ms while want() holds; sync() starts and stops it", () => {
  const timers = new FakeTimers();
  let on = false;
  const runs: number[] = [];
  const r = repeatWhile(timers, 1000, () => on, () => void runs.push(since(timers)));
  r.sync();
  assert.equal(timers.pendingCount, 0, "want() false: no timer");
  on = true;
  r.sync();
  r.sync();
  assert.equal(timers.pendingCount, 1, "one timer however often sync() is called");
  timers.advance(3500);
  assert.deepEqual(runs, [1000, 2000, 3000]);
  on = false;
  r.sync();
  assert.equal(timers.pendingCount, 0);
  timers.advance(5000);
  assert.equal(runs.length, 3);
});

test("a run that finds want() false does nothing and does not re-arm", () => {
  const timers = new FakeTimers();
  let on = true;
  let runs = 0;
  const r = repeatWhile(timers, 1000, () => on, () => void runs++);
  r.sync();
  on = false; // changed without a sync()
  timers.advance(5000);
  assert.equal(runs, 0);
  assert.equal(timers.pendingCount, 0);
  r.stop();
});

test("an async run is not overlapped: the next is due ms after it settles", async () => {
  const timers = new FakeTimers();
  const runs: number[] = [];
  let finish: () => void = () => {};
  const r = repeatWhile(timers, 1000, () => true, () => {
    runs.push(since(timers));
    return new Promise<void>((resolve) => (finish = resolve));
  });
  r.sync();
  timers.advance(5000);
  assert.deepEqual(runs, [1000], "still running: no second run");
  finish();
  await settle();
  timers.advance(1000);
  assert.deepEqual(runs, [1000, 6000]);
  r.stop();
  finish();
});

test("stop(): the timer is cleared and sync() starts nothing", () => {
  const timers = new FakeTimers();
  let runs = 0;
  const r = repeatWhile(timers, 1000, () => true, () => void runs++);
  r.sync();
  r.stop();
  r.sync();
  timers.advance(5000);
  assert.equal(runs, 0);
  assert.equal(timers.pendingCount, 0);
});
