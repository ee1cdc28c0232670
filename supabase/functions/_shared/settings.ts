// Every setting audio-queue reads, with its default and limits, validated once at start.
// A bad or missing setting fails with one error that names each offender and what to do.
// .env.example documents the same list; tests/unit/settings.test.ts keeps the two in step.
import { z } from "zod";

const int = (min: number, max: number, fallback: number) =>
  z.coerce.number().int().min(min).max(max).default(fallback);

const required = (what: string) =>
  z.string({ error: `required: ${what}` }).trim().min(1, { error: `required: ${what}` });

export const settingsSchema = z.object({
  SUPABASE_URL: z.url({ error: "required: the project URL, e.g. https://<ref>.supabase.co" }),
  SUPABASE_SERVICE_ROLE_KEY: required("the service role key (Storage uploads)"),
  SUPABASE_DB_URL: required("a Postgres connection string for the project database"),
  AUDIO_WORKER_SECRET: z
    .string({ error: "required: a random secret (>= 16 characters) shared with pg_cron" })
    .min(16, { error: "must be at least 16 characters" }),

  CARTESIA_API_KEY: required("your Cartesia API key"),
  CARTESIA_BASE_URL: z.url().default("https://api.cartesia.ai"),
  CARTESIA_VERSION: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, { error: "a date like 2025-04-16" })
    .default("2025-04-16"),
  CARTESIA_MODEL_ID: z.string().min(1).default("sonic-2"),
  CARTESIA_VOICE_ID: required("the Cartesia voice id to speak with"),
  CARTESIA_LANGUAGE: z.string().min(2).default("en"),
  AUDIO_OUTPUT_CONTAINER: z.enum(["wav", "mp3", "raw"]).default("wav"),
  AUDIO_OUTPUT_ENCODING: z.enum(["pcm_s16le", "pcm_f32le", "pcm_mulaw", "pcm_alaw"]).default(
    "pcm_s16le",
  ),
  AUDIO_OUTPUT_SAMPLE_RATE: int(8000, 48000, 44100),
  AUDIO_OUTPUT_BIT_RATE: int(32000, 320000, 128000),

  // Cartesia's plans cap concurrent requests per account (Free 2, Pro 3, Startup 5, Scale 15).
  AUDIO_GENERATION_CONCURRENCY: int(1, 20, 3),
  AUDIO_MAX_RETRIES: int(0, 10, 3),
  AUDIO_BACKOFF_BASE_MS: int(10, 60_000, 1000),
  AUDIO_MAX_BACKOFF_MS: int(100, 300_000, 30_000),
  AUDIO_PROVIDER_TIMEOUT_MS: int(1000, 300_000, 30_000),
  // Must outlast one provider attempt plus the upload; each attempt extends it again.
  AUDIO_VISIBILITY_TIMEOUT_S: int(5, 3600, 60),
  AUDIO_MAX_READS: int(1, 100, 5),
  // Supabase Edge Functions: wall clock 150 s (Free) / 400 s (paid). Stop claiming before it.
  AUDIO_WORKER_BUDGET_S: int(5, 86_400, 140),
  AUDIO_CANCEL_POLL_MS: int(50, 5000, 250),
}).superRefine((s, ctx) => {
  if (s.AUDIO_VISIBILITY_TIMEOUT_S * 1000 < s.AUDIO_PROVIDER_TIMEOUT_MS + 5000) {
    ctx.addIssue({
      code: "custom",
      path: ["AUDIO_VISIBILITY_TIMEOUT_S"],
      message: `must exceed AUDIO_PROVIDER_TIMEOUT_MS (${s.AUDIO_PROVIDER_TIMEOUT_MS} ms) + 5 s ` +
        `for the upload, or a slow request's message is redelivered while it runs`,
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
  const parsed = settingsSchema.safeParse(input);
  if (!parsed.success) {
    throw new SettingsError(
      parsed.error.issues.map((issue) => `${issue.path.join(".") || "settings"}: ${issue.message}`),
    );
  }
  return parsed.data;
}
