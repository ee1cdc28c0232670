// The latest batches, newest first; clicking one follows it.

import type { Batch } from "../lib/index.ts";
import { formatTime } from "./format.ts";

interface BatchHistoryProps {
  batches: Batch[] | null;
  followed: string | null;
  onFollow(batchId: string): void;
  onRefresh(): void;
}

export function BatchHistory(
  { batches, followed, onFollow, onRefresh }: BatchHistoryProps,
) {
  return (
    <section className="history">
      <h2>
        Batch history <button type="button" onClick={onRefresh}>Refresh</button>
      </h2>
      {!batches && <p>Loading…</p>}
      <ol data-testid="batch-history">
        {batches?.map((b) => (
          <li key={b.id} className={b.id === followed ? "followed" : undefined}>
            <button
              type="button"
              data-testid={`batch-row-${b.id}`}
              onClick={() => onFollow(b.id)}
            >
              {formatTime(b.created_at)} ·{" "}
              <span className={`status status-${b.status}`}>{b.status}</span>
              {" · "}
              {b.done}/{b.total} done{b.failed ? `, ${b.failed} failed` : ""}
              {" · "}
              {b.source === "backfill"
                ? "nightly backfill"
                : b.grade !== null
                ? `grade ${b.grade}`
                : "word list"}
            </button>
          </li>
        ))}
      </ol>
      {batches?.length === 0 && <p>No batches yet.</p>}
    </section>
  );
}
