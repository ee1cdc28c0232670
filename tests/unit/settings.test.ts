// Settings: validated once with every problem named; .env.example lists exactly the settings
// the code reads, with the code's defaults.
import assert from "node:assert/strict";
import {
  loadSettings,
  SettingsError,
  settingsSchema,
} from "../../supabase/functions/_shared/settings.ts";

const REQUIRED = {
  SUPABASE_URL: "http://127.0.0.1:54321",
  SUPABASE_SERVICE_ROLE_KEY: "service-key",
  SUPABASE_DB_URL: "postgresql://postgres@127.0.0.1:54322/postgres",
  AUDIO_WORKER_SECRET: "0123456789abcdef",
  CARTESIA_API_KEY: "key",
  CARTESIA_VOICE_ID: "voice",
};

Deno.test("defaults fill every optional setting", () => {
  const s = loadSettings(REQUIRED);
  assert.equal(s.AUDIO_GENERATION_CONCURRENCY, 3);
  assert.equal(s.AUDIO_MAX_RETRIES, 3);
  assert.equal(s.CARTESIA_BASE_URL, "https://api.cartesia.ai");
  assert.equal(s.AUDIO_OUTPUT_CONTAINER, "wav");
});

Deno.test("every bad or missing setting is named in one error, values never echoed", () => {
  let text = "";
  try {
    loadSettings({
      ...REQUIRED,
      CARTESIA_API_KEY: "",
      AUDIO_GENERATION_CONCURRENCY: "21",
      AUDIO_WORKER_SECRET: "short-secret",
      SUPABASE_URL: "nope",
    });
  } catch (err) {
    assert.ok(err instanceof SettingsError);
    text = err.message;
  }
  for (
    const name of [
      "CARTESIA_API_KEY",
      "AUDIO_GENERATION_CONCURRENCY",
      "AUDIO_WORKER_SECRET",
      "SUPABASE_URL",
    ]
  ) {
    assert.match(text, new RegExp(name), `${name} named`);
  }
  assert.doesNotMatch(text, /short-secret/, "a secret's value is not repeated");
});

Deno.test("the visibility timeout must outlast a provider request", () => {
  assert.throws(
    () =>
      loadSettings({
        ...REQUIRED,
        AUDIO_PROVIDER_TIMEOUT_MS: "60000",
        AUDIO_VISIBILITY_TIMEOUT_S: "30",
      }),
    /AUDIO_VISIBILITY_TIMEOUT_S/,
  );
});

Deno.test(".env.example lists exactly the settings the code reads, with the same defaults", async () => {
  const text = await Deno.readTextFile(new URL("../../.env.example", import.meta.url));
  const listed = new Map(
    [...text.matchAll(/^([A-Z][A-Z0-9_]+)=(.*)$/gm)].map((m) => [m[1], m[2].trim()]),
  );
  const known = Object.keys(settingsSchema.shape).sort();
  assert.deepEqual([...listed.keys()].sort(), known);
  const defaults = loadSettings(REQUIRED) as Record<string, unknown>;
  for (const [name, value] of listed) {
    if (value !== "" && !(name in REQUIRED)) {
      assert.equal(String(defaults[name]), value, `${name} default`);
    }
  }
});
