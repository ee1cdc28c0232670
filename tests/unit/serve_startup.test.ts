// A function that cannot start, or a handler that throws: the caller gets a generic 500 JSON with
// no detail that could hold a secret, and the log gets the detail once, redacted.
import assert from "node:assert/strict";
import { buildHandler } from "../../supabase/functions/_shared/serve.ts";
import type { Platform } from "../../supabase/functions/_shared/platform.ts";
import { createStartBatchHandler } from "../../supabase/functions/start-batch/handler.ts";

const PASSWORD = "s3cr3t-db-Pa55";
const CARTESIA_KEY = "sk_car_0123456789abcdef";

function env(dbUrl: string): Record<string, string> {
  return {
    SUPABASE_URL: "http://127.0.0.1:9",
    SUPABASE_SERVICE_ROLE_KEY: "service-role-key-for-tests",
    SUPABASE_DB_URL: dbUrl,
    AUDIO_WORKER_SECRET: "0123456789abcdef",
    CARTESIA_API_KEY: CARTESIA_KEY,
    CARTESIA_VOICE_ID: "voice",
  };
}

// A platform that records its log lines (the functions' only output besides responses).
function recordingPlatform(vars: Record<string, string>) {
  const lines: string[] = [];
  const platform: Platform = {
    env: vars,
    waitUntil: () => {},
    fetch: () => Promise.reject(new Error("no network in this test")),
    now: () => 0,
    log: (message, fields) => void lines.push(JSON.stringify({ message, ...fields })),
  };
  return { platform, lines };
}

const post = () => new Request("http://fn/start-batch", { method: "POST", body: "{}" });

Deno.test("a database URL postgres.js cannot parse: 500 internal_error, the password in no body and no log line", async () => {
  // A port that is not a number: postgres.js throws "Invalid URL: '<the whole URL>'" at start.
  const { platform, lines } = recordingPlatform(
    env(`postgres://postgres:${PASSWORD}@127.0.0.1:notaport/postgres`),
  );
  const handler = buildHandler(createStartBatchHandler, platform);
  for (let i = 0; i < 2; i++) {
    const res = await handler(post());
    assert.equal(res.status, 500);
    const text = await res.text();
    assert.ok(!text.includes(PASSWORD), `the body leaks the password: ${text}`);
    assert.ok(!text.includes("postgres://"), "the body names no URL");
    assert.equal(JSON.parse(text).error.code, "internal_error");
  }
  assert.equal(lines.length, 1, "the start failure is logged once, not per request");
  assert.ok(!lines[0].includes(PASSWORD), `the log line leaks the password: ${lines[0]}`);
  const line = JSON.parse(lines[0]);
  assert.equal(line.level, "error");
  assert.equal(line.event, "startup_failed");
  assert.match(JSON.stringify(line.error), /Invalid URL/, "the log keeps the cause");
});

Deno.test("bad settings: a generic 500, and the log names each bad setting", async () => {
  const vars = env(`postgres://postgres:${PASSWORD}@127.0.0.1/postgres`);
  const { platform, lines } = recordingPlatform({ ...vars, AUDIO_WORKER_SECRET: "short" });
  const res = await buildHandler(createStartBatchHandler, platform)(post());
  assert.equal(res.status, 500);
  const body = await res.json();
  assert.deepEqual(Object.keys(body.error).sort(), ["code", "message"]);
  assert.equal(lines.length, 1);
  assert.match(lines[0], /AUDIO_WORKER_SECRET/);
});

Deno.test("a handler that throws a text with the password and the Cartesia key: 500, both redacted in the one log line", async () => {
  const dbUrl = `postgres://postgres:${PASSWORD}@127.0.0.1:9/postgres`;
  const { platform, lines } = recordingPlatform(env(dbUrl));
  const handler = buildHandler(
    (app) => () => {
      throw new Error(`lost ${app.settings.SUPABASE_DB_URL} while sending key ${CARTESIA_KEY}`);
    },
    platform,
  );
  const res = await handler(post());
  assert.equal(res.status, 500);
  const text = await res.text();
  assert.equal(JSON.parse(text).error.code, "internal_error");
  assert.ok(!text.includes(PASSWORD) && !text.includes(CARTESIA_KEY));
  assert.equal(lines.length, 1);
  assert.ok(!lines[0].includes(PASSWORD), lines[0]);
  assert.ok(!lines[0].includes(CARTESIA_KEY), lines[0]);
  assert.equal(JSON.parse(lines[0]).event, "unexpected_error");
});
