// The page's reads that failed for a passing reason (no connection, a server error), and their
// recovery: each read says it failed or succeeded; while any is failing the page shows one plain
// line, and asks for a reload every LOAD_RETRY_MS and at once when the browser comes back online.
// Other errors go to the session's report as before.

import { useCallback, useEffect, useRef, useState } from "react";
import { LOAD_RETRY_MS } from "../lib/config.ts";
import { isTransient, plainError } from "./plain_error.ts";

export interface LoadProblems {
  /** What to show while a read is failing, or null. */
  problem: string | null;
  /** A read of `source` failed with err. */
  failed(source: string, err: unknown): void;
  /** A read of `source` succeeded. */
  succeeded(source: string): void;
}

export function useLoadProblems(report: (err: unknown) => void, reload: () => void): LoadProblems {
  const failing = useRef(new Map<string, string>());
  const [problem, setProblem] = useState<string | null>(null);
  const show = () => setProblem(failing.current.values().next().value ?? null);

  const failed = useCallback((source: string, err: unknown) => {
    if (!isTransient(err)) return report(err);
    failing.current.set(source, plainError(err));
    show();
  }, [report]);
  const succeeded = useCallback((source: string) => {
    if (failing.current.delete(source)) show();
  }, []);

  const down = problem !== null;
  useEffect(() => {
    if (!down) return;
    const timer = setInterval(reload, LOAD_RETRY_MS);
    globalThis.addEventListener("online", reload);
    return () => {
      clearInterval(timer);
      globalThis.removeEventListener("online", reload);
    };
  }, [down, reload]);

  return { problem, failed, succeeded };
}
