// useAudioBatch(batchId): the live state of one batch (followBatch under the hood) plus its
// actions. Re-renders at most ~10 times a second however many segments change.

import { useCallback, useEffect, useRef, useState } from "react";
import {
  type Batch,
  type CancelBatchResult,
  type Connection,
  followBatch,
  type FollowState,
  type RetryFailedResult,
  type Segment,
} from "../lib/index.ts";
import { useAudioQueueContext } from "./context.tsx";

export interface AudioBatchView {
  batchId: string | null;
  batch: Batch | null;
  /** Segments by segmentKey(wordId, kind): the old hook's per-segment status map. */
  segments: ReadonlyMap<string, Segment>;
  /** The batch is queued, running or cancelling. */
  isGenerating: boolean;
  /** 0..1: (done + failed + cancelled) / total, from the batch row. */
  progress: number;
  total: number;
  done: number;
  failed: number;
  cancelled: number;
  skipped: number;
  /** Segments generating now (capped list) and their exact count. */
  inFlight: Segment[];
  inFlightCount: number;
  /** Failed segments with their errors (capped list). */
  failures: Segment[];
  /** Segments per second over the last ~10 s, and the seconds left at that rate. */
  throughput: number | null;
  etaSeconds: number | null;
  connection: Connection | "idle";
  error: Error | null;
  cancel(): Promise<CancelBatchResult | null>;
  retryFailed(): Promise<RetryFailedResult | null>;
}

const NO_SEGMENTS: ReadonlyMap<string, Segment> = new Map();

export function useAudioBatch(batchId: string | null): AudioBatchView {
  const { supabase, client, followOptions } = useAudioQueueContext();
  const [state, setState] = useState<FollowState | null>(null);
  // Options are read when following starts; changing them does not resubscribe.
  const optionsRef = useRef(followOptions);
  optionsRef.current = followOptions;

  useEffect(() => {
    setState(null);
    if (!batchId) return;
    return followBatch(client, supabase, batchId, setState, optionsRef.current);
  }, [client, supabase, batchId]);

  const cancel = useCallback(
    () => (batchId ? client.cancelBatch(batchId) : Promise.resolve(null)),
    [client, batchId],
  );
  const retryFailed = useCallback(
    () => (batchId ? client.retryFailed(batchId) : Promise.resolve(null)),
    [client, batchId],
  );

  // A state left over from the previous batch id is never shown for the new one.
  const s = state && state.batchId === batchId ? state : null;
  return {
    batchId,
    batch: s?.batch ?? null,
    segments: s?.segments ?? NO_SEGMENTS,
    isGenerating: s?.isActive ?? false,
    progress: s?.progress ?? 0,
    total: s?.total ?? 0,
    done: s?.done ?? 0,
    failed: s?.failed ?? 0,
    cancelled: s?.cancelled ?? 0,
    skipped: s?.skipped ?? 0,
    inFlight: s?.inFlight ?? [],
    inFlightCount: s?.inFlightCount ?? 0,
    failures: s?.failures ?? [],
    throughput: s?.throughput ?? null,
    etaSeconds: s?.etaSeconds ?? null,
    connection: batchId ? s?.connection ?? "connecting" : "idle",
    error: s?.error ?? null,
    cancel,
    retryFailed,
  };
}
