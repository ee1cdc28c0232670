// One line about the provider plan's use: the concurrency limit the workers keep to now (learned
// from the provider's 429s, or pinned) against the configured ceiling, the requests in flight,
// and the concurrency 429s of the last minute. Read live (limit.ts). Not a live region: it changes
// every few seconds, and the page keeps one small polite region for the batch's progress.
import type { ConcurrencyLimit } from "../lib/index.ts";

export function LimitStatus({ limit }: { limit: ConcurrencyLimit | null }) {
  if (!limit) return null;
  const how = limit.pinned
    ? "pinned"
    : limit.limit < limit.ceiling
    ? `learned from the provider, ceiling ${limit.ceiling}`
    : "at the ceiling";
  const refused = limit.limitedLastMinute === 1
    ? "1 request"
    : `${limit.limitedLastMinute} requests`;
  return (
    <p className="limit-status" data-testid="limit-status">
      Provider concurrency: <strong data-testid="limit-value">{limit.limit}</strong> ({how}) ·{" "}
      <span data-testid="limit-in-flight">{limit.inFlight}</span> in flight ·{" "}
      <span data-testid="limit-429s">{refused}</span>{" "}
      refused for the plan's limit in the last minute
    </p>
  );
}
