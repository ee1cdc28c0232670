// What a worker run reports as it goes, one event per segment outcome, retry or unexpected error.
// event_log.ts turns each into one log line; both the long-lived worker and process-segments
// log retries, failures and errors that way (the long-lived worker, unless quiet, the rest too).

export type WorkerEvent =
  | { type: "done"; segmentId: number; batchId: string; attempts: number; ms: number }
  | { type: "reused" | "cancelled" | "gone" | "wait"; segmentId: number; batchId: string }
  // attempts: provider requests made; status: the last one's HTTP status (none for a timeout).
  | {
    type: "failed";
    segmentId: number;
    batchId: string;
    error: string;
    attempts?: number;
    status?: number;
  }
  | { type: "held"; segmentId: number; batchId: string }
  | { type: "circuit"; state: "open" | "closed"; reason: string }
  // The learned concurrency limit changed (limit.ts): lowered by a concurrency 429 heard with
  // inFlight requests in flight, or probed up after a quiet period (or set back to the ceiling).
  | {
    type: "limit";
    limit: number;
    ceiling: number;
    inFlight: number;
    cause: "429" | "probe";
  }
  // attempt: the attempt that just failed (1-based); error: why it failed.
  | {
    type: "retry";
    segmentId: number;
    batchId?: string;
    attempt?: number;
    status?: number;
    delayMs: number;
    error?: string;
  }
  // segmentId 0: an error of the run, not of one segment (a claim, a heartbeat).
  | { type: "error"; segmentId: number; batchId?: string; error: string };

export type OnEvent = (event: WorkerEvent) => void;

export function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
