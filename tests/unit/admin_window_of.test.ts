// Unit tests of the words table's window (admin/src/app/window_of.ts): which rows render for the
// rows in the box's view, with the overscan each side, clamped to the list.

import assert from "node:assert/strict";
import { windowOf } from "../../admin/src/app/window_of.ts";
import { test } from "../helpers/strict.ts";

test("the rows in view plus the overscan each side, whatever the list's length", () => {
  // 10,000 rows, rows 500 to 510 in view, 40 more each side: 120 rows, not 10,000.
  assert.deepEqual(windowOf(10_000, { from: 500, to: 510 }, 40), { first: 460, end: 550 });
  // At the top: nothing before row 0.
  assert.deepEqual(windowOf(10_000, { from: 0, to: 9 }, 40), { first: 0, end: 49 });
  // At the bottom: nothing after the last row.
  assert.deepEqual(windowOf(1000, { from: 991, to: 1000 }, 40), { first: 951, end: 1000 });
  // A short list renders whole.
  assert.deepEqual(windowOf(30, { from: 0, to: 9 }, 40), { first: 0, end: 30 });
});

test("a view past the end (the list shrank before the box re-measured) still renders the last rows", () => {
  assert.deepEqual(windowOf(5, { from: 400, to: 410 }, 40), { first: 0, end: 5 });
  assert.deepEqual(windowOf(1000, { from: 5000, to: 5010 }, 40), { first: 950, end: 1000 });
  assert.deepEqual(windowOf(0, { from: 0, to: 9 }, 40), { first: 0, end: 0 });
});
