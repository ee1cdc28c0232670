// Reads the stand-in CLI's settings from environment variables, validated with zod; the error
// lists every bad variable by name with what it accepts.

import { z } from "zod";
import type { CartesiaStandinOptions } from "./server.ts";
import { PLAN_LIMITS, type PlanName } from "./protocol.ts";

/** Next to Supabase's local ports (54321–54329), so the whole stack sits in one range. */
const DEFAULT_PORT = 54330;
/** One Pro key, the plan the old browser hook was written against (3 in parallel). */
const DEFAULT_KEYS = "dev-key:pro";

/** Environment variable → option name and schema. Empty strings count as unset. */
const fraction = z.coerce.number().min(0).max(1);
const millis = z.coerce.number().min(0).max(3_600_000);
const VARS = {
  CARTESIA_STANDIN_PORT: z.coerce.number().int().min(0).max(65535),
  CARTESIA_STANDIN_KEYS: z.string(),
  CARTESIA_STANDIN_LATENCY_MS: millis,
  CARTESIA_STANDIN_SPREAD: fraction,
  CARTESIA_STANDIN_SCALE: z.coerce.number().min(0).max(100),
  CARTESIA_STANDIN_RATE_429: fraction,
  CARTESIA_STANDIN_RETRY_AFTER_S: z.coerce.number().int().min(0).max(3600),
  CARTESIA_STANDIN_RATE_5XX: fraction,
  CARTESIA_STANDIN_SLOW_RATE: fraction,
  CARTESIA_STANDIN_SLOW_MS: millis,
  CARTESIA_STANDIN_HANG_RATE: fraction,
  CARTESIA_STANDIN_LAME: z.string(),
  CARTESIA_STANDIN_SEED: z.coerce.number().int().min(0).max(4294967295),
} as const;

type VarName = keyof typeof VARS;

/**
 * Stand-in options from `env`. Unset variables keep the stand-in's defaults;
 * CARTESIA_STANDIN_LAME=off switches MP3 off. Throws one Error listing every bad variable.
 */
export function standinOptionsFromEnv(
  env: Record<string, string | undefined>,
): CartesiaStandinOptions {
  const problems: string[] = [];
  const read = <N extends VarName>(name: N): z.infer<(typeof VARS)[N]> | undefined => {
    const raw = env[name];
    if (raw === undefined || raw.trim() === "") return undefined;
    const parsed = VARS[name].safeParse(raw.trim());
    if (parsed.success) return parsed.data as z.infer<(typeof VARS)[N]>;
    problems.push(`${name}="${raw}": ${parsed.error.issues.map((i) => i.message).join("; ")}`);
    return undefined;
  };

  const keysText = read("CARTESIA_STANDIN_KEYS") ?? DEFAULT_KEYS;
  const keys = parseKeys(keysText, problems);
  const lame = read("CARTESIA_STANDIN_LAME");
  const opts: CartesiaStandinOptions = {
    keys,
    port: read("CARTESIA_STANDIN_PORT") ?? DEFAULT_PORT,
    latencyMeanMs: read("CARTESIA_STANDIN_LATENCY_MS"),
    latencySpread: read("CARTESIA_STANDIN_SPREAD"),
    latencyScale: read("CARTESIA_STANDIN_SCALE"),
    rate429: read("CARTESIA_STANDIN_RATE_429"),
    retryAfterS: read("CARTESIA_STANDIN_RETRY_AFTER_S"),
    rate5xx: read("CARTESIA_STANDIN_RATE_5XX"),
    slowRate: read("CARTESIA_STANDIN_SLOW_RATE"),
    slowMs: read("CARTESIA_STANDIN_SLOW_MS"),
    hangRate: read("CARTESIA_STANDIN_HANG_RATE"),
    seed: read("CARTESIA_STANDIN_SEED"),
    lameCommand: lame === undefined ? "lame" : lame === "off" ? null : lame,
  };
  if (problems.length > 0) {
    throw new Error(`invalid Cartesia stand-in settings:\n  - ${problems.join("\n  - ")}`);
  }
  return opts;
}

/** "dev-key:pro,other:5" → { "dev-key": "pro", other: 5 }. */
function parseKeys(text: string, problems: string[]): Record<string, PlanName | number> {
  const keys: Record<string, PlanName | number> = {};
  for (const entry of text.split(",").map((s) => s.trim()).filter((s) => s !== "")) {
    const at = entry.lastIndexOf(":");
    const key = at > 0 ? entry.slice(0, at) : "";
    const limit = at > 0 ? entry.slice(at + 1) : "";
    if (key !== "" && limit in PLAN_LIMITS) {
      keys[key] = limit as PlanName;
    } else if (key !== "" && /^[1-9]\d*$/.test(limit)) {
      keys[key] = Number(limit);
    } else {
      problems.push(
        `CARTESIA_STANDIN_KEYS: entry "${entry}" must be key:plan (free, pro, startup, scale) or key:number, e.g. "dev-key:pro,other:5"`,
      );
    }
  }
  if (Object.keys(keys).length === 0 && problems.length === 0) {
    problems.push('CARTESIA_STANDIN_KEYS: needs at least one key, e.g. "dev-key:pro"');
  }
  return keys;
}
