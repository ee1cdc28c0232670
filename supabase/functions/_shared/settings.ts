// Every setting audio-queue reads, validated once at start; defaults and ranges come from
// config.ts, allowed audio formats from audio_format.ts. A bad or missing setting fails with one
// error that names each offender and what to do. .env.example documents the same list;
// tests/unit/settings.test.ts keeps the two in step.
import { z } from "zod";
import { CONTAINERS, ENCODINGS, MP3_BIT_RATES, oneOf, SAMPLE_RATES } from "./audio_format.ts";
import {
  CARTESIA_DEFAULTS,
  DEFAULT_LIMIT_PINNED,
  DEFAULT_OUTPUT,
  INT_SETTINGS,
  type IntRange,
  PRICE_PER_1K_CHARS,
  UPLOAD_MARGIN_MS,
  WALL_MARGIN_MS,
  WORKER_SECRET_MIN_CHARS,
} from "./config.ts";

const int = (r: IntRange) => z.coerce.number().int().min(r.min).max(r.max).default(r.default);

// A number from a fixed list (sample rates, bit rates): the error names the allowed values.
const listed = (allowed: readonly number[], fallback: number, unit: string) =>
  z.coerce.number().refine((v) => allowed.includes(v), {
    error: `must be ${oneOf(allowed)} (${unit})`,
  }).default(fallback);

const required = (what: string) =>
  z.string({ error: `required: ${what}` }).trim().min(1, { error: `required: ${what}` });

const I = INT_SETTINGS;
const C = CARTESIA_DEFAULTS;

export const settingsSchema = z.object({
  SUPABASE_URL: z.url({ error: "required: the project URL, e.g. https://<ref>.supabase.co" }),
  // The project's server key: its secret key where SUPABASE_SECRET_KEYS gives one (loadSettings),
  // else the legacy service_role key.
  SUPABASE_SERVICE_ROLE_KEY: required(
    "the project's secret key (SUPABASE_SECRET_KEYS) or service role key (Storage uploads)",
  ),
  // Which of SUPABASE_SECRET_KEYS' keys is the server key, when it is not "default" (loadSettings).
  AUDIO_SECRET_KEY_NAME: z.string().trim().min(1).optional(),
  SUPABASE_DB_URL: required("a Postgres connection string for the project database"),
  AUDIO_WORKER_SECRET: z
    .string({
      error:
        `required: a random secret (>= ${WORKER_SECRET_MIN_CHARS} characters) shared with pg_cron`,
    })
    .min(WORKER_SECRET_MIN_CHARS, {
      error: `must be at least ${WORKER_SECRET_MIN_CHARS} characters`,
    }),

  CARTESIA_API_KEY: required("your Cartesia API key"),
  CARTESIA_BASE_URL: z.url().default(C.CARTESIA_BASE_URL),
  CARTESIA_VERSION: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, { error: "a date like 2025-04-16" })
    .default(C.CARTESIA_VERSION),
  CARTESIA_MODEL_ID: z.string().min(1).default(C.CARTESIA_MODEL_ID),
  CARTESIA_VOICE_ID: required("the Cartesia voice id to speak with"),
  CARTESIA_LANGUAGE: z.string().min(2).default(C.CARTESIA_LANGUAGE),
  AUDIO_OUTPUT_CONTAINER: z.enum(CONTAINERS).default(DEFAULT_OUTPUT.container),
  AUDIO_OUTPUT_ENCODING: z.enum(ENCODINGS).default(DEFAULT_OUTPUT.encoding),
  AUDIO_OUTPUT_SAMPLE_RATE: listed(SAMPLE_RATES, DEFAULT_OUTPUT.sampleRate, "Hz"),
  AUDIO_OUTPUT_BIT_RATE: listed(MP3_BIT_RATES, DEFAULT_OUTPUT.bitRate, "bit/s, used for mp3"),

  AUDIO_GENERATION_CONCURRENCY: int(I.AUDIO_GENERATION_CONCURRENCY),
  AUDIO_MAX_RETRIES: int(I.AUDIO_MAX_RETRIES),
  AUDIO_BACKOFF_BASE_MS: int(I.AUDIO_BACKOFF_BASE_MS),
  AUDIO_MAX_BACKOFF_MS: int(I.AUDIO_MAX_BACKOFF_MS),
  AUDIO_PROVIDER_TIMEOUT_MS: int(I.AUDIO_PROVIDER_TIMEOUT_MS),
  AUDIO_VISIBILITY_TIMEOUT_S: int(I.AUDIO_VISIBILITY_TIMEOUT_S),
  AUDIO_MAX_READS: int(I.AUDIO_MAX_READS),
  AUDIO_WORKER_BUDGET_S: int(I.AUDIO_WORKER_BUDGET_S),
  AUDIO_WALL_CLOCK_S: int(I.AUDIO_WALL_CLOCK_S),
  AUDIO_CANCEL_POLL_MS: int(I.AUDIO_CANCEL_POLL_MS),
  AUDIO_CIRCUIT_PROBE_S: int(I.AUDIO_CIRCUIT_PROBE_S),
  AUDIO_CIRCUIT_5XX_SEGMENTS: int(I.AUDIO_CIRCUIT_5XX_SEGMENTS),
  AUDIO_LIMIT_PROBE_S: int(I.AUDIO_LIMIT_PROBE_S),
  AUDIO_LIMIT_PINNED: z.stringbool({ error: "must be true or false" }).default(
    DEFAULT_LIMIT_PINNED,
  ),
  AUDIO_WORKER_CPU_BUDGET_MS: int(I.AUDIO_WORKER_CPU_BUDGET_MS),
  AUDIO_PRICE_PER_1K_CHARS: z.coerce.number({ error: "must be a number" })
    .min(PRICE_PER_1K_CHARS.min, { error: "must be 0 (no cost shown) or more" })
    .max(PRICE_PER_1K_CHARS.max, {
      error: `must be at most ${PRICE_PER_1K_CHARS.max} (the price of 1,000 characters)`,
    })
    .default(PRICE_PER_1K_CHARS.default),
}).superRefine((s, ctx) => {
  const lastEnds = s.AUDIO_WORKER_BUDGET_S * 1000 + s.AUDIO_PROVIDER_TIMEOUT_MS +
    s.AUDIO_MAX_BACKOFF_MS + WALL_MARGIN_MS;
  if (lastEnds > s.AUDIO_WALL_CLOCK_S * 1000) {
    ctx.addIssue({
      code: "custom",
      path: ["AUDIO_WORKER_BUDGET_S"],
      message: `${s.AUDIO_WORKER_BUDGET_S} s + AUDIO_PROVIDER_TIMEOUT_MS ` +
        `(${s.AUDIO_PROVIDER_TIMEOUT_MS} ms) + AUDIO_MAX_BACKOFF_MS (${s.AUDIO_MAX_BACKOFF_MS} ms) + ` +
        `${WALL_MARGIN_MS / 1000} s overruns AUDIO_WALL_CLOCK_S (${s.AUDIO_WALL_CLOCK_S} s): the ` +
        `platform would stop the invocation mid-request; lower the budget, or on a paid plan set ` +
        `AUDIO_WALL_CLOCK_S=400`,
    });
  }
  if (s.AUDIO_VISIBILITY_TIMEOUT_S * 1000 < s.AUDIO_PROVIDER_TIMEOUT_MS + UPLOAD_MARGIN_MS) {
    ctx.addIssue({
      code: "custom",
      path: ["AUDIO_VISIBILITY_TIMEOUT_S"],
      message: `must exceed AUDIO_PROVIDER_TIMEOUT_MS (${s.AUDIO_PROVIDER_TIMEOUT_MS} ms) + ` +
        `${UPLOAD_MARGIN_MS / 1000} s for the upload, or a slow request's message is redelivered ` +
        `while it runs`,
    });
  }
});

export type Settings = z.infer<typeof settingsSchema>;

export class SettingsError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid settings (see .env.example):\n  ${problems.join("\n  ")}`);
    this.name = "SettingsError";
  }
}

// loadSettings: env is any name → value lookup (Deno.env.toObject() at the edge, a plain
// object in tests). Empty strings count as unset, so a blank line in .env keeps the default.
export function loadSettings(env: Record<string, string | undefined>): Settings {
  const input: Record<string, string> = {};
  for (const key of Object.keys(settingsSchema.shape)) {
    const value = env[key];
    if (value !== undefined && value.trim() !== "") input[key] = value;
  }
  const secret = secretKeyOf(env.SUPABASE_SECRET_KEYS, input.AUDIO_SECRET_KEY_NAME?.trim());
  if (secret.key !== null) input.SUPABASE_SERVICE_ROLE_KEY = secret.key;
  const parsed = settingsSchema.safeParse(input);
  const problems = secret.problem === null ? [] : [secret.problem];
  if (!parsed.success) {
    problems.push(
      ...parsed.error.issues.map((issue) =>
        `${issue.path.join(".") || "settings"}: ${issue.message}`
      ),
    );
  }
  if (problems.length > 0 || !parsed.success) throw new SettingsError(problems);
  return parsed.data;
}

// The secret key in SUPABASE_SECRET_KEYS, which Supabase gives Edge Functions on a project with the
// new API keys: a JSON object of the project's secret keys by name, the one made with the keys
// named "default". The server key is the one AUDIO_SECRET_KEY_NAME names, else "default", else the
// only one (the legacy service_role key can be turned off, and the platform reserves SUPABASE_
// names, so a team cannot set its own; it can set AUDIO_SECRET_KEY_NAME). Unset, or an object
// holding no key: none, and the legacy key serves. A problem names the setting to change and the
// keys' names, never a key.
function secretKeyOf(
  raw: string | undefined,
  name: string | undefined,
): { key: string | null; problem: string | null } {
  const none = { key: null, problem: null };
  if (raw === undefined || raw.trim() === "") {
    return name === undefined ? none : {
      key: null,
      problem: `AUDIO_SECRET_KEY_NAME: names "${name}", but SUPABASE_SECRET_KEYS is not set ` +
        "(the project has no secret API keys): leave it empty to use SUPABASE_SERVICE_ROLE_KEY",
    };
  }
  let keys: unknown;
  try {
    keys = JSON.parse(raw);
  } catch {
    keys = null;
  }
  if (typeof keys !== "object" || keys === null || Array.isArray(keys)) {
    return {
      key: null,
      problem:
        'SUPABASE_SECRET_KEYS: must be a JSON object of named secret keys, e.g. {"default": "sb_secret_…"}',
    };
  }
  const usable = Object.entries(keys as Record<string, unknown>)
    .filter((e): e is [string, string] => typeof e[1] === "string" && e[1].trim() !== "");
  const names = usable.map(([n]) => `"${n}"`).join(", ");
  const pick = (wanted: string) => usable.find(([n]) => n === wanted)?.[1] ?? null;
  if (name !== undefined) {
    const key = pick(name);
    return key !== null ? { key, problem: null } : {
      key: null,
      problem: `AUDIO_SECRET_KEY_NAME: SUPABASE_SECRET_KEYS has no secret key named "${name}" ` +
        `(its keys: ${names || "none"})`,
    };
  }
  const key = pick("default") ?? (usable.length === 1 ? usable[0][1] : null);
  if (key !== null || usable.length === 0) return { key, problem: null };
  return {
    key: null,
    problem: `SUPABASE_SECRET_KEYS: holds ${usable.length} secret keys (${names}) and none named ` +
      '"default": set AUDIO_SECRET_KEY_NAME to the name of the one to use',
  };
}
