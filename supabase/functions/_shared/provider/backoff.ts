// Retry timing: the exponential backoff with jitter and the Retry-After header, combined the way
// the design asks (the larger of the two, capped).

/** ±20 % jitter: enough to spread workers that were rate-limited together, small enough that
 * the 1 s → 2 s → 4 s shape stays recognisable. */
const JITTER_MIN = 0.8;
const JITTER_SPAN = 0.4;

/**
 * Parses Retry-After: delay-seconds ("7", "1.5") or an HTTP date. Returns milliseconds from
 * `nowMs` (never negative), or undefined when the header is absent or unparsable.
 */
export function parseRetryAfter(value: string | null, nowMs: number): number | undefined {
  if (value === null) return undefined;
  const trimmed = value.trim();
  if (trimmed === "") return undefined;
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.round(Number(trimmed) * 1000);
  const at = Date.parse(trimmed);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - nowMs);
}

/**
 * Delay before retry number `retryIndex` (0 for the first retry): backoffBaseMs·2^k·jitter, or
 * Retry-After when the provider asked for longer, capped at maxBackoffMs.
 */
export function backoffDelayMs(opts: {
  retryIndex: number;
  backoffBaseMs: number;
  maxBackoffMs: number;
  retryAfterMs?: number;
  random: () => number;
}): number {
  const jitter = JITTER_MIN + JITTER_SPAN * opts.random();
  const exponential = opts.backoffBaseMs * 2 ** opts.retryIndex * jitter;
  const wanted = Math.max(exponential, opts.retryAfterMs ?? 0);
  return Math.round(Math.min(wanted, opts.maxBackoffMs));
}
