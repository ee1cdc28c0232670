// The pipeline's health for the page: admin-api/health read when the page loads, whenever its
// data reloads (refresh changes), and every HEALTH_POLL_MS. Only the problems are kept: the
// warning shows them.

import { useEffect, useState } from "react";
import { useAudioQueueContext } from "../hooks/index.ts";
import { HEALTH_POLL_MS } from "../lib/config.ts";

export function useHealthProblems(refresh: unknown, report: (err: unknown) => void): string[] {
  const { client } = useAudioQueueContext();
  const [problems, setProblems] = useState<string[]>([]);
  useEffect(() => {
    let live = true;
    const read = () => client.health().then((h) => live && setProblems(h.problems)).catch(report);
    read();
    const timer = setInterval(read, HEALTH_POLL_MS);
    return () => {
      live = false;
      clearInterval(timer);
    };
  }, [client, report, refresh]);
  return problems;
}
