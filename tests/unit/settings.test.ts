// Settings: validated once with every problem named; .env.example lists exactly the settings
// the code reads, with the code's defaults.
import assert from "node:assert/strict";
import { MP3_BIT_RATES, SAMPLE_RATES } from "../../supabase/functions/_shared/audio_format.ts";
import { DEFAULT_OUTPUT, INT_SETTINGS } from "../../supabase/functions/_shared/config.ts";
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
  assert.equal(s.AUDIO_OUTPUT_SAMPLE_RATE, 44100);
  assert.equal(s.AUDIO_OUTPUT_BIT_RATE, 128000);
});

Deno.test("the ranges and defaults are config.ts's", () => {
  const s = loadSettings(REQUIRED) as Record<string, unknown>;
  for (const [name, range] of Object.entries(INT_SETTINGS)) {
    assert.equal(s[name], range.default, `${name} default`);
    for (const v of [range.min, range.max]) {
      assert.doesNotThrow(() =>
        loadSettings({ ...REQUIRED, ...longTimeouts(name), [name]: String(v) })
      );
    }
    for (const v of [range.min - 1, range.max + 1]) {
      assert.throws(
        () => loadSettings({ ...REQUIRED, ...longTimeouts(name), [name]: String(v) }),
        new RegExp(`${name}: Too (small|big)`),
      );
    }
  }
});

// The visibility timeout must outlast the provider timeout, and budget + timeout + backoff must
// fit the wall clock: keep those valid while a test moves one setting to its bounds.
function longTimeouts(name: string): Record<string, string> {
  const roomy = { AUDIO_WALL_CLOCK_S: "172800" };
  if (name === "AUDIO_VISIBILITY_TIMEOUT_S") return { ...roomy, AUDIO_PROVIDER_TIMEOUT_MS: "1000" };
  if (name === "AUDIO_PROVIDER_TIMEOUT_MS") return { ...roomy, AUDIO_VISIBILITY_TIMEOUT_S: "3600" };
  if (name === "AUDIO_WALL_CLOCK_S") {
    return {
      AUDIO_WORKER_BUDGET_S: "5",
      AUDIO_PROVIDER_TIMEOUT_MS: "1000",
      AUDIO_MAX_BACKOFF_MS: "100",
    };
  }
  return roomy;
}

Deno.test("a sample rate Cartesia does not offer is refused at start, naming the allowed ones", () => {
  const problems = problemsOf({ ...REQUIRED, AUDIO_OUTPUT_SAMPLE_RATE: "11025" });
  assert.deepEqual(problems, [
    "AUDIO_OUTPUT_SAMPLE_RATE: must be one of 8000, 16000, 22050, 24000, 44100, 48000 (Hz)",
  ]);
  for (const rate of SAMPLE_RATES) {
    const s = loadSettings({ ...REQUIRED, AUDIO_OUTPUT_SAMPLE_RATE: String(rate) });
    assert.equal(s.AUDIO_OUTPUT_SAMPLE_RATE, rate);
  }
});

Deno.test("an mp3 bit rate Cartesia does not offer is refused at start, naming the allowed ones", () => {
  const problems = problemsOf({
    ...REQUIRED,
    AUDIO_OUTPUT_CONTAINER: "mp3",
    AUDIO_OUTPUT_BIT_RATE: "100000",
  });
  assert.deepEqual(problems, [
    "AUDIO_OUTPUT_BIT_RATE: must be one of 32000, 64000, 96000, 128000, 192000 (bit/s, used for mp3)",
  ]);
  for (const rate of MP3_BIT_RATES) {
    const s = loadSettings({
      ...REQUIRED,
      AUDIO_OUTPUT_CONTAINER: "mp3",
      AUDIO_OUTPUT_BIT_RATE: String(rate),
    });
    assert.equal(s.AUDIO_OUTPUT_BIT_RATE, rate);
  }
  assert.match(
    problemsOf({ ...REQUIRED, AUDIO_OUTPUT_CONTAINER: "ogg" }).join("\n"),
    /AUDIO_OUTPUT_CONTAINER: .*"wav".*"mp3".*"raw"/,
  );
});

function problemsOf(env: Record<string, string>): string[] {
  try {
    loadSettings(env);
  } catch (err) {
    assert.ok(err instanceof SettingsError);
    return err.problems;
  }
  assert.fail("the settings were accepted");
}

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
  // The comments name the allowed formats and the concurrency ceiling.
  assert.ok(text.includes(SAMPLE_RATES.join(", ")), "the sample rates are listed");
  assert.ok(text.includes(MP3_BIT_RATES.join(", ")), "the mp3 bit rates are listed");
  const { min, max } = INT_SETTINGS.AUDIO_GENERATION_CONCURRENCY;
  assert.ok(text.includes(`(${min}-${max})`), "the concurrency range is given");
  assert.equal(defaults.AUDIO_OUTPUT_CONTAINER, DEFAULT_OUTPUT.container);
});

Deno.test("the budget, one attempt and its longest backoff must fit the plan's wall clock", () => {
  // The defaults fit the Free plan's 150 s: 85 s + 30 s + 30 s + 5 s.
  assert.doesNotThrow(() => loadSettings(REQUIRED));
  const problems = problemsOf({ ...REQUIRED, AUDIO_WORKER_BUDGET_S: "140" });
  assert.equal(problems.length, 1);
  assert.match(problems[0], /^AUDIO_WORKER_BUDGET_S: 140 s \+ AUDIO_PROVIDER_TIMEOUT_MS/);
  assert.match(problems[0], /overruns AUDIO_WALL_CLOCK_S \(150 s\).*AUDIO_WALL_CLOCK_S=400/);
  // A paid plan's 400 s takes a longer budget.
  assert.doesNotThrow(() =>
    loadSettings({ ...REQUIRED, AUDIO_WALL_CLOCK_S: "400", AUDIO_WORKER_BUDGET_S: "300" })
  );
});

Deno.test("the server key: the project's secret key from SUPABASE_SECRET_KEYS, else the service role key", () => {
  // Supabase gives Edge Functions both on a project with the new API keys; the secret key wins.
  const both = loadSettings({
    ...REQUIRED,
    SUPABASE_SECRET_KEYS: JSON.stringify({
      default: "sb_secret_default",
      other: "sb_secret_other",
    }),
  });
  assert.equal(both.SUPABASE_SERVICE_ROLE_KEY, "sb_secret_default");
  // One key, whatever its name; none given: the legacy key.
  const single = loadSettings({
    ...REQUIRED,
    SUPABASE_SECRET_KEYS: JSON.stringify({ worker: "sb_secret_only" }),
  });
  assert.equal(single.SUPABASE_SERVICE_ROLE_KEY, "sb_secret_only");
  assert.equal(loadSettings(REQUIRED).SUPABASE_SERVICE_ROLE_KEY, "service-key");
  assert.equal(
    loadSettings({ ...REQUIRED, SUPABASE_SECRET_KEYS: " " }).SUPABASE_SERVICE_ROLE_KEY,
    "service-key",
  );
  // The secret key alone is enough.
  const { SUPABASE_SERVICE_ROLE_KEY: _legacy, ...withoutLegacy } = REQUIRED;
  const newOnly = loadSettings({
    ...withoutLegacy,
    SUPABASE_SECRET_KEYS: JSON.stringify({ default: "sb_secret_default" }),
  });
  assert.equal(newOnly.SUPABASE_SERVICE_ROLE_KEY, "sb_secret_default");
  // Neither: one problem, naming both ways.
  assert.deepEqual(problemsOf(withoutLegacy), [
    "SUPABASE_SERVICE_ROLE_KEY: required: the project's secret key (SUPABASE_SECRET_KEYS) or service role key (Storage uploads)",
  ]);
});

Deno.test("SUPABASE_SECRET_KEYS that names no one key is refused, naming it and never quoting it", () => {
  const cases: [string, RegExp][] = [
    [
      '{"default": "sb_secret_abc"',
      /^SUPABASE_SECRET_KEYS: must be a JSON object of named secret keys/,
    ],
    ['["sb_secret_abc"]', /^SUPABASE_SECRET_KEYS: must be a JSON object of named secret keys/],
    [
      '{"a": "sb_secret_abc", "b": "sb_secret_abd"}',
      /^SUPABASE_SECRET_KEYS: holds 2 secret keys \("a", "b"\) and none named "default": set AUDIO_SECRET_KEY_NAME/,
    ],
  ];
  for (const [raw, problem] of cases) {
    const problems = problemsOf({ ...REQUIRED, SUPABASE_SECRET_KEYS: raw });
    assert.equal(problems.length, 1, `${raw}: ${problems.join("\n")}`);
    assert.match(problems[0], problem);
    assert.ok(!problems[0].includes("sb_secret_ab"), problems[0]);
  }
});

Deno.test("SUPABASE_SECRET_KEYS holding no key leaves the legacy key; AUDIO_SECRET_KEY_NAME picks one", () => {
  // A project without secret API keys may be given an empty object: the legacy key serves.
  for (const raw of ["{}", '{"default": ""}']) {
    assert.equal(
      loadSettings({ ...REQUIRED, SUPABASE_SECRET_KEYS: raw }).SUPABASE_SERVICE_ROLE_KEY,
      "service-key",
      raw,
    );
  }
  const several = JSON.stringify({ default: "sb_secret_d", a: "sb_secret_a", b: "sb_secret_b" });
  const named = (name: string, raw = several) =>
    loadSettings({ ...REQUIRED, SUPABASE_SECRET_KEYS: raw, AUDIO_SECRET_KEY_NAME: name });
  // The name wins over "default", and settles several keys with none named "default".
  assert.equal(named("b").SUPABASE_SERVICE_ROLE_KEY, "sb_secret_b");
  assert.equal(
    named(" a ", JSON.stringify({ a: "sb_secret_a", b: "sb_secret_b" })).SUPABASE_SERVICE_ROLE_KEY,
    "sb_secret_a",
  );
  // A name that is not there, or with no secret keys at all: refused, naming the setting and the
  // keys' names, never a key.
  const missing = problemsOf({
    ...REQUIRED,
    SUPABASE_SECRET_KEYS: several,
    AUDIO_SECRET_KEY_NAME: "worker",
  });
  assert.deepEqual(missing, [
    'AUDIO_SECRET_KEY_NAME: SUPABASE_SECRET_KEYS has no secret key named "worker" (its keys: "default", "a", "b")',
  ]);
  const unset = problemsOf({ ...REQUIRED, AUDIO_SECRET_KEY_NAME: "worker" });
  assert.equal(unset.length, 1);
  assert.match(
    unset[0],
    /^AUDIO_SECRET_KEY_NAME: names "worker", but SUPABASE_SECRET_KEYS is not set/,
  );
});
