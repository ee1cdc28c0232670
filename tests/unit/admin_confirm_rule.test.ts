// The page's rule for a confirmation before a batch starts (admin/src/app/confirm_rule.ts).
import assert from "node:assert/strict";
import { needsConfirmation } from "../../admin/src/app/confirm_rule.ts";
import { CONFIRM_FROM_SEGMENTS } from "../../admin/src/lib/config.ts";

Deno.test("a batch waits for confirmation from CONFIRM_FROM_SEGMENTS to generate, or for the whole catalog", () => {
  const grade = { grade: 3, missingOnly: true };
  const at = (queued: number, total = queued) => ({ total, queued });
  assert.equal(needsConfirmation(grade, at(CONFIRM_FROM_SEGMENTS - 1)), false);
  assert.equal(needsConfirmation(grade, at(CONFIRM_FROM_SEGMENTS)), true);
  // Reused segments cost nothing: only those to generate count.
  assert.equal(needsConfirmation(grade, at(10, CONFIRM_FROM_SEGMENTS * 2)), false);
  const all = { all: true, missingOnly: true } as const;
  assert.equal(needsConfirmation(all, at(1)), true, "any batch of the whole catalog");
  assert.equal(needsConfirmation(all, at(0, 5)), true, "even one that only reuses audio");
  assert.equal(needsConfirmation(all, at(0, 0)), false, "nothing to do: no question to ask");
});
