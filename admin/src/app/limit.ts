// The learned concurrency limit on the page: read every LIMIT_POLL_MS (LimitStatus.tsx shows it).
import { useEffect, useState } from "react";
import { useAudioQueueContext } from "../hooks/index.ts";
import { LIMIT_POLL_MS } from "../lib/config.ts";
import type { ConcurrencyLimit } from "../lib/index.ts";

/** The last read (null until the first answers). A failed read keeps the last one and is
 * reported like any other error. */
export function useConcurrencyLimit(report: (err: unknown) => void): ConcurrencyLimit | null {
  const { client } = useAudioQueueContext();
  const [limit, setLimit] = useState<ConcurrencyLimit | null>(null);
  useEffect(() => {
    let live = true;
    const read = () => client.concurrencyLimit().then((l) => live && setLimit(l)).catch(report);
    void read();
    const timer = setInterval(() => void read(), LIMIT_POLL_MS);
    return () => {
      live = false;
      clearInterval(timer);
    };
  }, [client, report]);
  return limit;
}
