// useAudioQueue(): the drop-in replacement of the old in-tab generation hook. start() asks the
// server for a batch and follows it; everything else is useAudioBatch on the followed batch.

import { useCallback, useState } from "react";
import type { StartBatchRequest, StartBatchResult } from "../lib/index.ts";
import { type AudioBatchView, useAudioBatch } from "./useAudioBatch.ts";
import { useAudioQueueContext } from "./context.tsx";

export interface AudioQueueView extends AudioBatchView {
  /** Old generate(words) is start({ wordIds: words.map((w) => w.id) }). Follows the new batch
   * (when there was something to do) and returns the server's answer. */
  start(req: StartBatchRequest): Promise<StartBatchResult>;
  /** Follow another batch (e.g. one picked from the history), or none. */
  follow(batchId: string | null): void;
  /** True while start() waits for the server. */
  starting: boolean;
}

export function useAudioQueue(
  initialBatchId: string | null = null,
): AudioQueueView {
  const { client } = useAudioQueueContext();
  const [batchId, setBatchId] = useState<string | null>(initialBatchId);
  const [starting, setStarting] = useState(false);
  const view = useAudioBatch(batchId);

  const start = useCallback(async (req: StartBatchRequest) => {
    setStarting(true);
    try {
      const res = await client.startBatch(req);
      if (res.batchId) setBatchId(res.batchId);
      return res;
    } finally {
      setStarting(false);
    }
  }, [client]);

  return { ...view, start, follow: setBatchId, starting };
}
