// Estimate, then confirm: a generate button first asks start-batch for the estimate (its dry
// run); a large batch (CONFIRM_FROM_SEGMENTS or more to generate, or the whole catalog) waits for
// the admin's Confirm with the numbers shown, anything smaller starts at once.

import { useState } from "react";
import { useAudioQueueContext } from "../hooks/index.ts";
import { needsConfirmation } from "./confirm_rule.ts";
import type { BatchEstimate, StartBatchRequest } from "../lib/index.ts";

/** A batch waiting for the admin's answer: what it is, and what starting it does. */
export interface PendingStart {
  req: StartBatchRequest;
  estimate: BatchEstimate;
  /** What the batch covers, in words ("grade 3", "all grades"). */
  scope: string;
  start(): void;
}

export interface EstimateGate {
  pending: PendingStart | null;
  /** Estimates req: true when it may start at once; false when it now waits for confirm() (which
   * calls start) or dismiss(). */
  check(req: StartBatchRequest, scope: string, start: () => void): Promise<boolean>;
  confirm(): void;
  dismiss(): void;
}

export function useEstimateGate(): EstimateGate {
  const { client } = useAudioQueueContext();
  const [pending, setPending] = useState<PendingStart | null>(null);
  return {
    pending,
    async check(req, scope, start) {
      const estimate = await client.estimateBatch(req);
      if (!needsConfirmation(req, estimate)) return true;
      setPending({ req, estimate, scope, start });
      return false;
    },
    confirm() {
      if (!pending) return;
      setPending(null);
      pending.start();
    },
    dismiss: () => setPending(null),
  };
}
