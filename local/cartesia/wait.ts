// A bounded wait on the stand-in's counters, for tests: "until 3 requests are in flight".
// Polls in-process (no HTTP), gives up with an error that shows the last stats.

import type { CartesiaStandin } from "./server.ts";
import type { StandinStats } from "./stats.ts";

/** Polling interval: fine enough for tests, coarse enough not to busy-spin the two cores. */
const POLL_MS = 5;
/** Default bound: generous on a shared, noisy machine, and still fails a broken test fast. */
const DEFAULT_TIMEOUT_MS = 10_000;

export async function waitForStats(
  standin: Pick<CartesiaStandin, "stats">,
  predicate: (stats: StandinStats) => boolean,
  opts: { timeoutMs?: number; what?: string } = {},
): Promise<StandinStats> {
  const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const maxPolls = Math.ceil(timeoutMs / POLL_MS);
  for (let i = 0; i < maxPolls; i++) {
    const stats = standin.stats();
    if (predicate(stats)) return stats;
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
  const last = standin.stats();
  const { requests: _log, okByTranscript: _ok, ...summary } = last;
  throw new Error(
    `waitForStats: ${opts.what ?? "condition"} not reached within ${timeoutMs} ms; stats: ${
      JSON.stringify(summary)
    }`,
  );
}
