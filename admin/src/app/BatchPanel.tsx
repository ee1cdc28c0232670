// The followed batch: status in words, a progress bar of the share done (failed shown beside it),
// the counts with the success rate and ETA, the segments generating right now, the latest failures,
// Cancel and Retry failed. Screen readers hear one short polite line (status and tenths done),
// not the whole panel.

import type { AudioQueueView } from "../hooks/index.ts";
import { FAILURES_PER_REASON, IN_FLIGHT_TEXT_CHARS } from "../lib/config.ts";
import { ActionButton } from "./ActionButton.tsx";
import { announcement, percentDone, remaining, statusWords } from "./batch_numbers.ts";
import { groupFailures } from "./failure_groups.ts";
import { formatDuration, formatRate, formatTime } from "./format.ts";
import { type BatchRate, useBatchRate } from "./use_batch_rate.ts";

interface BatchPanelProps {
  q: AudioQueueView;
  cancelling: boolean;
  retrying: boolean;
  onCancel(): void;
  onRetry(): void;
  /** The word of a word id, where the page has it (the shown grade's words). */
  wordName(wordId: string): string | undefined;
}

export function BatchPanel(p: BatchPanelProps) {
  const { q } = p;
  // Sampled here, so its once-a-second tick re-renders this panel only.
  const rate = useBatchRate(q);
  if (!q.batchId) {
    return (
      <section className="batch" aria-label="Followed batch">
        <p>No batch followed. Generate audio or pick a batch from the history.</p>
      </section>
    );
  }
  const b = q.batch;
  return (
    <section className="batch" aria-labelledby="batch-title">
      <h2 id="batch-title">
        Batch <code>{q.batchId.slice(0, 8)}</code>{" "}
        <span className={`status status-${b?.status ?? "loading"}`} data-testid="batch-status">
          {b ? statusWords(b.status) : "loading"}
        </span>{" "}
        {q.isGenerating && (
          <small className={`conn conn-${q.connection}`} data-testid="batch-connection">
            {q.connection === "live" ? "live" : `${q.connection}…`}
          </small>
        )}
      </h2>
      <p className="sr-only" aria-live="polite" data-testid="progress-announce">
        {announcement(b)}
      </p>
      <Progress q={q} rate={rate} />
      <div className="actions">
        <ActionButton
          testId="cancel-batch"
          busy={p.cancelling}
          unavailable={!q.isGenerating || b?.status === "cancelling"}
          onPress={p.onCancel}
        >
          {p.cancelling ? "Cancelling…" : "Cancel"}
        </ActionButton>
        <ActionButton
          testId="retry-failed"
          busy={p.retrying}
          // A cancelled batch is not retried (the server refuses): start a new one instead.
          unavailable={q.failed === 0 || !!b?.cancel_requested_at}
          onPress={p.onRetry}
        >
          Retry failed ({q.failed})
        </ActionButton>
      </div>
      {q.error && q.connection !== "live" && (
        <p className="problem">Live updates: {q.error.message}</p>
      )}
      <SegmentLists q={q} wordName={p.wordName} />
    </section>
  );
}

/** The bar (done, and failed beside it), the counts, the success rate and ETA, the times. */
function Progress({ q, rate }: { q: AudioQueueView; rate: BatchRate }) {
  const b = q.batch;
  const pct = percentDone(b);
  const share = (n: number) => `${b && b.total ? (n / b.total) * 100 : 0}%`;
  const measuring = q.isGenerating && rate.rate === null;
  return (
    <>
      <div
        className="progress"
        role="progressbar"
        data-testid="progress-bar"
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={pct}
        aria-label="Share of the batch done"
      >
        <div className="progress-done" style={{ width: share(b?.done ?? 0) }} />
        <div className="progress-failed" style={{ width: share(b?.failed ?? 0) }} />
      </div>
      <p className="counts">
        <span>
          <strong data-testid="progress-percent">{pct}%</strong> done
        </span>
        <span>
          done <strong data-testid="progress-done">{q.done}</strong> of {q.total}
        </span>
        <span>
          failed <strong data-testid="progress-failed">{q.failed}</strong>
        </span>
        <span>
          cancelled <strong data-testid="progress-cancelled">{q.cancelled}</strong>
        </span>
        {q.isGenerating && (
          <span>
            left <strong data-testid="progress-left">{remaining(b)}</strong>, in flight{" "}
            <strong data-testid="progress-inflight">{q.inFlightCount}</strong>
          </span>
        )}
        {q.skipped > 0 && <span>reused {q.skipped}</span>}
      </p>
      {q.isGenerating && (
        <p className="counts">
          <span data-testid="progress-throughput">
            {measuring ? "measuring the rate…" : formatRate(rate.rate)}
          </span>
          <span>
            ETA <span data-testid="progress-eta">{formatDuration(rate.eta)}</span>
          </span>
        </p>
      )}
      {b && (
        <p className="times">
          Created {formatTime(b.created_at)} · started {formatTime(b.started_at)} · finished{" "}
          {formatTime(b.finished_at)}
          {b.finished_at && b.characters !== undefined && (
            <span data-testid="batch-characters">
              {" "}· {b.characters.toLocaleString("en-US")} characters generated
            </span>
          )}
        </p>
      )}
    </>
  );
}

/** The segments generating now (a capped list and the exact count) and the failures. */
function SegmentLists(
  { q, wordName }: { q: AudioQueueView; wordName(wordId: string): string | undefined },
) {
  return (
    <>
      <h3>Generating now ({q.inFlightCount})</h3>
      <ul className="inflight" data-testid="inflight-list" tabIndex={0} aria-label="Generating now">
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
      {q.failures.length > 0 && <Failures q={q} wordName={wordName} />}
    </>
  );
}

/** The failures held (the latest, capped) grouped by reason with counts, each named by word and
 * kind; the batch's exact failed count says how many more there are. */
function Failures(
  { q, wordName }: { q: AudioQueueView; wordName(wordId: string): string | undefined },
) {
  const groups = groupFailures(q.failures, wordName, FAILURES_PER_REASON);
  const unlisted = q.failed - q.failures.length;
  return (
    <>
      <h3>Failed ({q.failed}), by reason</h3>
      <ul className="failures" data-testid="failure-list" tabIndex={0} aria-label="Failures">
        {groups.map((g) => (
          <li key={g.reason} data-testid="failure-group">
            <strong className="failure-count">{g.count} ×</strong> {g.reason}
            <ul>
              {g.items.map((f) => (
                <li key={f.key}>
                  “{f.word}” — {f.kind}
                </li>
              ))}
              {g.count > g.items.length && <li>…and {g.count - g.items.length} more</li>}
            </ul>
          </li>
        ))}
      </ul>
      {unlisted > 0 && (
        <p className="times" data-testid="failures-unlisted">
          …and {unlisted} more failed segments not listed here; Retry failed takes them all.
        </p>
      )}
    </>
  );
}
