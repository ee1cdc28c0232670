// Which batches wait for the admin's confirmation before they start: a large one (by the
// estimate), or any of the whole catalog. Pure, so a unit test holds the rule.

import { CONFIRM_FROM_SEGMENTS } from "../lib/config.ts";
import type { BatchEstimate, StartBatchRequest } from "../lib/index.ts";

/** True for CONFIRM_FROM_SEGMENTS or more segments to generate, or any all: true batch that would
 * hold segments (with nothing in it, the start only says there is nothing to do). */
export function needsConfirmation(
  req: StartBatchRequest,
  e: Pick<BatchEstimate, "total" | "queued">,
): boolean {
  if (e.total === 0) return false;
  return req.all === true || e.queued >= CONFIRM_FROM_SEGMENTS;
}
