// The plan's figures from the provider's own log (the Cartesia stand-in records each request's
// start and end on its clock): how busy the plan was, how long a freed slot stayed empty before
// the next request took it, how soon the first request followed the batch's queueing, and the
// most requests in flight at once. Measured where the plan is spent, so the worker's own timing
// (which hides its gaps) plays no part. Pure: scripts/throughput/run.ts feeds it the log.

/** One request as the provider saw it (ms on the provider's clock). */
export interface ProviderRequest {
  start: number;
  end: number | null;
  status: number | null;
}

export interface PlanFigures {
  /** Σ request time at the provider ÷ C ÷ span: 1 means every slot of the plan always busy. */
  busy: number;
  /** From `from` (the batch queued) to the last answer. */
  spanMs: number;
  /** A freed slot's wait for the next request: p50 and p99 over every hand-off, null if none. */
  gapP50Ms: number | null;
  gapP99Ms: number | null;
  handOffs: number;
  /** From `from` to the first request's arrival. */
  firstRequestMs: number | null;
  /** The most requests the plan was serving at once (429s left out: they hold no slot). */
  maxInFlight: number;
  rateLimited: number;
  /** Answers that were neither 200 nor 429 (4xx, 5xx, abandoned). */
  otherFailures: number;
  requests: number;
}

const RATE_LIMITED = 429;

/** The figures of a run's requests (the log holds only the run's: the caller clears it first) for
 * a plan of `concurrency`, timed from `from`, when the batch's queueing answered. A request may
 * start a moment before that answer reaches the caller (a worker woken by the commit): its first
 * request then reads as a negative time. */
export function planFigures(
  log: ProviderRequest[],
  concurrency: number,
  from: number,
): PlanFigures {
  const mine = log.filter((r) => r.end !== null);
  const served = mine.filter((r) => r.status !== RATE_LIMITED);
  const lastEnd = Math.max(from, ...mine.map((r) => r.end!));
  const spanMs = lastEnd - from;
  const busyMs = served.reduce((sum, r) => sum + (r.end! - r.start), 0);
  const gaps = handOffGaps(served);
  return {
    busy: spanMs > 0 ? busyMs / concurrency / spanMs : 0,
    spanMs,
    gapP50Ms: percentile(gaps, 0.5),
    gapP99Ms: percentile(gaps, 0.99),
    handOffs: gaps.length,
    firstRequestMs: mine.length ? Math.min(...mine.map((r) => r.start)) - from : null,
    maxInFlight: maxOverlap(served),
    rateLimited: mine.length - served.length,
    otherFailures: served.filter((r) => r.status !== 200).length,
    requests: mine.length,
  };
}

// handOffGaps: each request that starts after some request ended takes the slot freed longest
// ago (first freed, first taken), and the gap is the time between the two. A slot freed at the
// end of the run, when no request follows, is no hand-off. Equal times count the end first: a
// request starting the very millisecond another ended took its slot with no gap.
export function handOffGaps(served: Pick<ProviderRequest, "start" | "end">[]): number[] {
  const events: { at: number; end: boolean }[] = [];
  for (const r of served) {
    events.push({ at: r.start, end: false });
    if (r.end !== null) events.push({ at: r.end, end: true });
  }
  events.sort((a, b) => a.at - b.at || Number(b.end) - Number(a.end));
  const freed: number[] = [];
  let head = 0;
  const gaps: number[] = [];
  for (const e of events) {
    if (e.end) freed.push(e.at);
    else if (head < freed.length) gaps.push(e.at - freed[head++]);
  }
  return gaps;
}

// The most intervals open at once; an interval ending when another starts does not overlap it.
function maxOverlap(served: Pick<ProviderRequest, "start" | "end">[]): number {
  const events = served.flatMap((r) => [{ at: r.start, d: 1 }, { at: r.end!, d: -1 }]);
  events.sort((a, b) => a.at - b.at || a.d - b.d);
  let open = 0;
  let most = 0;
  for (const e of events) {
    open += e.d;
    most = Math.max(most, open);
  }
  return most;
}

/** The nearest-rank percentile q (0..1) of the values, or null when there are none. */
export function percentile(values: number[], q: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
}
