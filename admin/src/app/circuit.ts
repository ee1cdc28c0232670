// The provider circuit on the page: read every CIRCUIT_POLL_MS, and the admin's Resume. While the
// circuit is open the page shows why generation is paused (CircuitBanner.tsx).

import { useCallback, useEffect, useState } from "react";
import { useAudioQueueContext } from "../hooks/index.ts";
import { CIRCUIT_POLL_MS } from "../lib/config.ts";
import type { ProviderCircuit } from "../lib/index.ts";

export interface CircuitView {
  /** null until the first read answers. */
  circuit: ProviderCircuit | null;
  resuming: boolean;
  /** Closes the circuit; onResumed runs when it was open (the page reloads its data). */
  resume(onResumed: () => void): void;
}

export function useCircuit(report: (err: unknown) => void): CircuitView {
  const { client } = useAudioQueueContext();
  const [circuit, setCircuit] = useState<ProviderCircuit | null>(null);
  const [resuming, setResuming] = useState(false);

  useEffect(() => {
    let live = true;
    const read = () => client.circuit().then((c) => live && setCircuit(c)).catch(report);
    void read();
    const timer = setInterval(() => void read(), CIRCUIT_POLL_MS);
    return () => {
      live = false;
      clearInterval(timer);
    };
  }, [client, report]);

  const resume = useCallback((onResumed: () => void) => {
    setResuming(true);
    client.resumeProvider()
      .then((r) => {
        setCircuit(r.circuit);
        if (r.resumed) onResumed();
      })
      .catch(report)
      .finally(() => setResuming(false));
  }, [client, report]);

  return { circuit, resuming, resume };
}
