// The followed batch: status, a live progress bar with done / failed / in flight, throughput and
// ETA, the segments generating right now, the latest failures, Cancel and Retry failed.

import type { AudioQueueView } from "../hooks/index.ts";
import { FAILURE_TEXT_CHARS, IN_FLIGHT_TEXT_CHARS } from "../lib/config.ts";
import { formatDuration, formatRate, formatTime } from "./format.ts";

interface BatchPanelProps {
  q: AudioQueueView;
  onCancel(): void;
  onRetry(): void;
}

export function BatchPanel({ q, onCancel, onRetry }: BatchPanelProps) {
  if (!q.batchId) {
    return (
      <section className="batch">
        <p>
          No batch followed. Generate audio or pick a batch from the history.
        </p>
      </section>
    );
  }
  const b = q.batch;
  return (
    <section className="batch" aria-live="polite">
      <h2>
        Batch <code>{q.batchId.slice(0, 8)}</code>{" "}
        <span
          className={`status status-${b?.status ?? "loading"}`}
          data-testid="batch-status"
        >
          {b?.status ?? "loading"}
        </span>{" "}
        <small className={`conn conn-${q.connection}`}>
          {q.connection === "live" ? "live" : `${q.connection}…`}
        </small>
      </h2>
      <Progress q={q} />
      <div className="actions">
        <button
          type="button"
          data-testid="cancel-batch"
          disabled={!q.isGenerating || b?.status === "cancelling"}
          onClick={onCancel}
        >
          Cancel
        </button>
        <button
          type="button"
          data-testid="retry-failed"
          disabled={q.failed === 0}
          onClick={onRetry}
        >
          Retry failed ({q.failed})
        </button>
      </div>
      {q.error && q.connection !== "live" && (
        <p className="problem">Live updates: {q.error.message}</p>
      )}
      <SegmentLists q={q} />
    </section>
  );
}

/** The progress bar, the counts with throughput and ETA, and the batch's times. */
function Progress({ q }: { q: AudioQueueView }) {
  const pct = Math.round(q.progress * 100);
  const b = q.batch;
  const share = (n: number) => `${b && b.total ? (n / b.total) * 100 : 0}%`;
  return (
    <>
      <div
        className="progress"
        role="progressbar"
        data-testid="progress-bar"
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={pct}
        aria-label="Batch progress"
      >
        <div className="progress-done" style={{ width: share(b?.done ?? 0) }} />
        <div className="progress-failed" style={{ width: share(b?.failed ?? 0) }} />
      </div>
      <p className="counts">
        <span>{pct}%</span>
        <span>
          done <strong data-testid="progress-done">{q.done}</strong> / {q.total}
        </span>
        <span>
          failed <strong data-testid="progress-failed">{q.failed}</strong>
        </span>
        <span>
          in flight <strong data-testid="progress-inflight">{q.inFlightCount}</strong>
        </span>
        {q.cancelled > 0 && <span>cancelled {q.cancelled}</span>}
        {q.skipped > 0 && <span>reused {q.skipped}</span>}
        <span data-testid="progress-throughput">{formatRate(q.throughput)}</span>
        <span>
          ETA{" "}
          <span data-testid="progress-eta">
            {q.isGenerating ? formatDuration(q.etaSeconds) : "—"}
          </span>
        </span>
      </p>
      {b && (
        <p className="times">
          Created {formatTime(b.created_at)} · started {formatTime(b.started_at)} · finished{" "}
          {formatTime(b.finished_at)}
        </p>
      )}
    </>
  );
}

/** The segments generating now (a capped list and the exact count) and the failures. */
function SegmentLists({ q }: { q: AudioQueueView }) {
  return (
    <>
      <h3>Generating now ({q.inFlightCount})</h3>
      <ul className="inflight" data-testid="inflight-list">
        {q.inFlight.map((s) => (
          <li key={String(s.id)}>
            <span className="kind">{s.kind}</span> {s.text.length > IN_FLIGHT_TEXT_CHARS
              ? `${s.text.slice(0, IN_FLIGHT_TEXT_CHARS)}…`
              : s.text}
            {s.attempts > 1 && <small>(attempt {s.attempts})</small>}
          </li>
        ))}
        {q.inFlightCount > q.inFlight.length && (
          <li>… and {q.inFlightCount - q.inFlight.length} more</li>
        )}
      </ul>
      {q.failures.length > 0 && (
        <>
          <h3>Failed</h3>
          <ul className="failures" data-testid="failure-list">
            {q.failures.map((s) => (
              <li key={String(s.id)}>
                <span className="kind">{s.kind}</span> {s.text.slice(0, FAILURE_TEXT_CHARS)} —{" "}
                <em>{s.last_error ?? "no error recorded"}</em>
              </li>
            ))}
          </ul>
        </>
      )}
    </>
  );
}
