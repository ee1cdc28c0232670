// The latest batches, newest first; clicking one follows it. The followed batch's row shows its
// live counts; each row says what the batch covers and who started it; "Show more" reads further
// back.

import type { Batch } from "../lib/index.ts";
import { statusWords } from "./batch_numbers.ts";
import { formatTime } from "./format.ts";

interface BatchHistoryProps {
  batches: Batch[] | null;
  followed: string | null;
  /** The followed batch as it is now (live), shown in place of its listed row. */
  live: Batch | null;
  /** The signed-in admin's user id: their batches read "by you". */
  me: string;
  /** More rows can be asked for. */
  canShowMore: boolean;
  onFollow(batchId: string): void;
  onRefresh(): void;
  onShowMore(): void;
}

function scope(b: Batch): string {
  if (b.source === "backfill") return "nightly backfill";
  if (b.scope === "all") return "all grades";
  return b.grade !== null ? `grade ${b.grade}` : "chosen words";
}

function startedBy(b: Batch, me: string): string {
  if (b.source === "backfill") return "";
  if (b.requested_by === null) return "";
  return b.requested_by === me ? " · by you" : ` · by admin ${b.requested_by.slice(0, 8)}`;
}

export function BatchHistory(p: BatchHistoryProps) {
  return (
    <section className="history" aria-labelledby="history-title">
      <h2 id="history-title">
        Batch history <button type="button" onClick={p.onRefresh}>Refresh</button>
      </h2>
      {!p.batches && <p>Loading…</p>}
      <ol data-testid="batch-history">
        {p.batches?.map((listed) => {
          const b = p.live && p.live.id === listed.id ? p.live : listed;
          return (
            <li key={b.id} className={b.id === p.followed ? "followed" : undefined}>
              <button
                type="button"
                data-testid={`batch-row-${b.id}`}
                aria-current={b.id === p.followed ? "true" : undefined}
                onClick={() => p.onFollow(b.id)}
              >
                {formatTime(b.created_at)} ·{" "}
                <span className={`status status-${b.status}`}>{statusWords(b.status)}</span>
                {" · "}
                {b.done}/{b.total} done{b.failed ? `, ${b.failed} failed` : ""}
                {b.cancelled ? `, ${b.cancelled} cancelled` : ""}
                {" · "}
                {scope(b)}
                {startedBy(b, p.me)}
              </button>
            </li>
          );
        })}
      </ol>
      {p.batches?.length === 0 && <p>No batches yet.</p>}
      {p.canShowMore && (
        <button type="button" data-testid="history-more" onClick={p.onShowMore}>
          Show older batches
        </button>
      )}
    </section>
  );
}
