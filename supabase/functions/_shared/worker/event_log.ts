// A worker event as one log line. Every line has the same fields, null when they do not apply, so
// a log search for a batch, a segment or an HTTP status finds every line about it:
//   { level, event, message, batch, segment, attempt, status, error, ...event-specific }
// Retries are "warn", failures and unexpected errors "error", everything else "info". The line's
// strings are redacted where it is written (app.ts, main.ts), not here.
import type { OnEvent, WorkerEvent } from "./events.ts";

export type LogLevel = "info" | "warn" | "error";

export interface EventLine extends Record<string, unknown> {
  level: LogLevel;
  event: string;
  message: string;
  batch: string | null;
  segment: number | null;
  attempt: number | null;
  status: number | null;
  error: string | null;
}

// Retries, failures, unexpected errors, the provider circuit opening or closing and the learned
// concurrency limit changing: what is always logged, quiet or not.
export function isProblem(e: WorkerEvent): boolean {
  return e.type === "retry" || e.type === "failed" || e.type === "error" ||
    e.type === "circuit" || e.type === "limit";
}

export function eventLine(e: WorkerEvent): EventLine {
  const base = {
    batch: "batchId" in e && e.batchId ? e.batchId : null,
    segment: "segmentId" in e && e.segmentId > 0 ? e.segmentId : null,
    attempt: null,
    status: null,
    error: null,
  };
  switch (e.type) {
    case "retry":
      return {
        ...base,
        level: "warn",
        event: "segment_retry",
        message: `segment attempt failed; retrying in ${e.delayMs} ms`,
        attempt: e.attempt ?? null,
        status: e.status ?? null,
        error: e.error ?? null,
        delayMs: e.delayMs,
      };
    case "failed":
      return {
        ...base,
        level: "error",
        event: "segment_failed",
        message: "segment failed",
        attempt: e.attempts ?? null,
        status: e.status ?? null,
        error: e.error,
      };
    case "error":
      return {
        ...base,
        level: "error",
        event: "worker_error",
        message: e.segmentId > 0 ? "unexpected error on a segment" : "unexpected error in the run",
        error: e.error,
      };
    case "circuit":
      return {
        ...base,
        level: e.state === "open" ? "error" : "info",
        event: `circuit_${e.state}`,
        message: e.state === "open"
          ? "provider work stopped: the provider circuit is open"
          : "provider work resumed: the provider circuit is closed",
        error: e.state === "open" ? e.reason : null,
      };
    case "limit":
      return {
        ...base,
        level: e.cause === "429" ? "warn" : "info",
        event: "concurrency_limit",
        message: e.cause === "429"
          ? `the provider refused a request for its concurrency limit with ${e.inFlight} in flight: limit ${e.limit} of ${e.ceiling}`
          : `concurrency limit probed up: ${e.limit} of ${e.ceiling}`,
        status: e.cause === "429" ? 429 : null,
        limit: e.limit,
        ceiling: e.ceiling,
        inFlight: e.inFlight,
      };
    case "done":
      return {
        ...base,
        level: "info",
        event: "segment_done",
        message: "segment done",
        attempt: e.attempts,
        ms: e.ms,
      };
    default:
      return { ...base, level: "info", event: `segment_${e.type}`, message: `segment ${e.type}` };
  }
}

// An OnEvent that writes one line per event: every event, or (problemsOnly) retries, failures
// and unexpected errors.
export function eventLogger(
  write: (line: EventLine) => void,
  problemsOnly: boolean,
): OnEvent {
  return (e) => {
    if (!problemsOnly || isProblem(e)) write(eventLine(e));
  };
}
