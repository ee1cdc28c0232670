// Unit tests of what one follow holds (admin/src/lib/follow/held.ts): the batch row kept by the
// ordering rules, rows of other batches refused, and a change reported only when there is one.

import assert from "node:assert/strict";
import { HeldBatch } from "../../admin/src/lib/follow/held.ts";
import { BATCH_ID, makeBatch } from "../helpers/admin_fakes.ts";
import { test } from "../helpers/strict.ts";

test("takeBatch keeps the newer row and reports each change once; older rows and other batches change nothing", () => {
  let changes = 0;
  const held = new HeldBatch(BATCH_ID, () => changes++);
  const batch = () => held.batch; // read afresh: an assertion on held.batch would narrow its type
  assert.equal(batch(), null);

  assert.equal(held.takeBatch(makeBatch({ done: 2, updated_at: "2026-11-24 10:00:09+00" })), true);
  assert.equal(changes, 1);
  assert.equal(held.takeBatch(makeBatch({ done: 1, updated_at: "2026-11-24 10:00:08+00" })), false);
  const other = makeBatch({
    id: "9b8f5a52-6c1e-4d7a-9a5e-1f2a3b4c5d6e",
    done: 5,
    updated_at: "2026-11-24 10:00:10+00",
  });
  assert.equal(held.takeBatch(other), false);
  assert.equal(changes, 1);
  assert.equal(batch()?.done, 2);
  assert.equal(batch()?.id, BATCH_ID);

  // Same updated_at: merged, counters never go back (mergeBatch), and reported.
  assert.equal(
    held.takeBatch(makeBatch({ done: 1, failed: 1, updated_at: "2026-11-24 10:00:09+00" })),
    true,
  );
  assert.equal(changes, 2);
  assert.deepEqual([batch()?.done, batch()?.failed], [2, 1]);
});
