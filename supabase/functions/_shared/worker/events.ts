// What a worker run reports as it goes, one event per segment outcome, retry or unexpected error.
// The long-lived worker prints them; process-segments does not listen.

export type WorkerEvent =
  | { type: "done"; segmentId: number; batchId: string; attempts: number; ms: number }
  | { type: "reused" | "cancelled" | "gone" | "wait"; segmentId: number; batchId: string }
  | { type: "failed"; segmentId: number; batchId: string; error: string }
  | { type: "held"; segmentId: number; batchId: string }
  | { type: "circuit"; state: "open" | "closed"; reason: string }
  | { type: "retry"; segmentId: number; status?: number; delayMs: number }
  | { type: "error"; segmentId: number; error: string };

export type OnEvent = (event: WorkerEvent) => void;

export function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
