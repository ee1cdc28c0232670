// The followed batch's smoothed success rate and ETA: samples its done count once a second while
// it is active (batch_numbers.ts does the arithmetic), starting afresh for each batch.

import { useEffect, useRef, useState } from "react";
import type { AudioQueueView } from "../hooks/index.ts";
import { RATE_SAMPLE_MS } from "../lib/config.ts";
import { etaSeconds, remaining, SuccessRate } from "./batch_numbers.ts";

export interface BatchRate {
  /** Segments succeeded per second, null while measuring or when the batch is not active. */
  rate: number | null;
  eta: number | null;
}

export function useBatchRate(q: AudioQueueView): BatchRate {
  const [shown, setShown] = useState<BatchRate>({ rate: null, eta: null });
  // The latest view, read by the sampler without restarting it on every render.
  const latest = useRef(q);
  latest.current = q;
  const active = q.isGenerating;

  useEffect(() => {
    setShown({ rate: null, eta: null });
    if (!q.batchId || !active) return;
    const meter = new SuccessRate();
    const sample = () => {
      const v = latest.current;
      if (!v.batch) return;
      meter.record(performance.now(), v.done);
      const rate = meter.rate();
      setShown({ rate, eta: etaSeconds(remaining(v.batch), rate) });
    };
    sample();
    const timer = setInterval(sample, RATE_SAMPLE_MS);
    return () => clearInterval(timer);
  }, [q.batchId, active]);

  return shown;
}
