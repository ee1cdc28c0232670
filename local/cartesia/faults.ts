// The stand-in's latency model and fault injection: the settings (validated with zod, the same
// schema for start options, configure() and POST /__standin/config) and the per-request draw
// that decides what a request gets.

import { z } from "zod";

export interface FaultAndLatency {
  /** Mean answer time of a successful request, before latencyScale. */
  latencyMeanMs: number;
  /** Uniform spread around the mean as a fraction: 0.3 gives mean ±30 %. */
  latencySpread: number;
  /** Multiplies the mean±spread latency (0 = answer at once); tests run near zero. */
  latencyScale: number;
  /** Fraction of requests answered 429 (besides the real per-key concurrency limit). */
  rate429: number;
  /** Retry-After seconds on injected 429s; null sends no header. */
  retryAfterS: number | null;
  /** Fraction of requests answered 500, 502 or 503 (after their latency). */
  rate5xx: number;
  /** Fraction of requests that get `slowMs` extra latency. */
  slowRate: number;
  /** Extra latency for slow requests; absolute, not scaled, so timeouts can be provoked. */
  slowMs: number;
  /** Fraction of requests that never answer until the client goes away. */
  hangRate: number;
  /** Setting it opens a window of this many ms, from now, during which every request gets 429. */
  storm429Ms: number;
  /** Answer every request 401 as for an unknown API key (a wrong CARTESIA_API_KEY), until set
   * back to false (the key fixed). */
  rejectKeys: boolean;
}

/** The old hook measured ~2 s per segment; ±30 % keeps requests from finishing in lockstep. */
export const DEFAULT_FAULTS: FaultAndLatency = {
  latencyMeanMs: 2000,
  latencySpread: 0.3,
  latencyScale: 1,
  rate429: 0,
  retryAfterS: null,
  rate5xx: 0,
  slowRate: 0,
  slowMs: 0,
  hangRate: 0,
  storm429Ms: 0,
  rejectKeys: false,
};

const fraction = z.number().min(0).max(1);
/** One hour: no latency or window beyond it is useful, and it catches ms/s mix-ups. */
const MAX_MS = 3_600_000;
const millis = z.number().min(0).max(MAX_MS);

const faultPatchSchema = z.strictObject({
  latencyMeanMs: millis,
  latencySpread: fraction,
  latencyScale: z.number().min(0).max(100),
  rate429: fraction,
  retryAfterS: z.number().int().min(0).max(3600).nullable(),
  rate5xx: fraction,
  slowRate: fraction,
  slowMs: millis,
  hangRate: fraction,
  storm429Ms: millis,
  rejectKeys: z.boolean(),
}).partial();

/** Parses a patch; throws an Error naming each bad field and its allowed range. */
export function parseFaultPatch(input: unknown, where: string): Partial<FaultAndLatency> {
  const result = faultPatchSchema.safeParse(input);
  if (result.success) {
    // Keys given as undefined mean "leave as is", not "set to undefined".
    const entries = Object.entries(result.data).filter(([, v]) => v !== undefined);
    return Object.fromEntries(entries) as Partial<FaultAndLatency>;
  }
  const problems = result.error.issues.map((issue) => {
    const field = issue.path.length > 0 ? issue.path.join(".") : "(body)";
    return `${field}: ${issue.message}`;
  });
  throw new Error(`${where}: ${problems.join("; ")}`);
}

export type Decision =
  | { kind: "rate429" }
  | { kind: "hang" }
  | { kind: "fail5xx"; status: 500 | 502 | 503; delayMs: number }
  | { kind: "answer"; delayMs: number };

const SERVER_ERRORS = [500, 502, 503] as const;

/**
 * What one request gets. Draws `random` exactly five times, always in this order, so a test
 * with a scripted random knows which draw is which: 429, 5xx, hang, slow, latency. The 5xx
 * status comes from where the 5xx draw fell inside its band.
 */
export function decide(cfg: FaultAndLatency, random: () => number): Decision {
  const r429 = random();
  const r5xx = random();
  const rHang = random();
  const rSlow = random();
  const rLatency = random();
  if (r429 < cfg.rate429) return { kind: "rate429" };
  if (rHang < cfg.hangRate) return { kind: "hang" };
  const base = cfg.latencyMeanMs * (1 + cfg.latencySpread * (2 * rLatency - 1)) * cfg.latencyScale;
  const delayMs = Math.max(0, base) + (rSlow < cfg.slowRate ? cfg.slowMs : 0);
  if (r5xx < cfg.rate5xx) {
    const index = Math.min(2, Math.floor((r5xx / cfg.rate5xx) * 3));
    return { kind: "fail5xx", status: SERVER_ERRORS[index], delayMs };
  }
  return { kind: "answer", delayMs };
}
