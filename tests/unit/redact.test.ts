// Redaction: no log line carries a key, a token, a password or a URL with credentials, whether it
// is one of the secret settings' values or only shaped like a credential.
import assert from "node:assert/strict";
import {
  createRedactor,
  redactFields,
  redactorForEnv,
} from "../../supabase/functions/_shared/redact.ts";

const DB_URL = "postgresql://postgres.ref:s3cr3t-Pa55@db.example.test:5432/postgres";
const CARTESIA_KEY = "sk_car_9f8e7d6c5b4a39281706";

Deno.test("a database URL's password is masked, in the URL and on its own", () => {
  const redact = redactorForEnv({ SUPABASE_DB_URL: DB_URL });
  const out = redact(`connect failed for ${DB_URL}; password s3cr3t-Pa55 rejected`);
  assert.doesNotMatch(out, /s3cr3t/);
  assert.match(out, /\[redacted\]/);
  assert.match(out, /rejected$/, "the rest of the text stays");
});

Deno.test("a URL with credentials is masked by its shape, even when no setting names it", () => {
  const redact = createRedactor([]);
  const out = redact("TypeError: Invalid URL: 'postgres://aq:hunter2-pw@[bad/db'");
  assert.doesNotMatch(out, /hunter2/);
  assert.match(out, /postgres:\/\/aq:\[redacted\]@/, "the user and host stay, for the reader");
});

Deno.test("a percent-encoded password is masked in both spellings", () => {
  const redact = redactorForEnv({ SUPABASE_DB_URL: "postgres://u:p%40ss-w0rd@h/db" });
  assert.doesNotMatch(redact("auth failed: p@ss-w0rd"), /p@ss-w0rd/);
});

Deno.test("a Cartesia key in an error text is masked, by value and by shape", () => {
  const byValue = redactorForEnv({ CARTESIA_API_KEY: "plain-key-1234567" });
  assert.equal(
    byValue("provider said: invalid key plain-key-1234567"),
    "provider said: invalid key [redacted]",
  );
  const byShape = createRedactor([]);
  assert.doesNotMatch(byShape(`401: API key ${CARTESIA_KEY} is not valid`), /sk_car_/);
});

Deno.test("bearer tokens, JWTs and Supabase API keys are masked", () => {
  const redact = createRedactor([]);
  const jwt = "eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl";
  const out = redact(
    `Authorization: Bearer abc.def-123 token=${jwt} key sb_secret_AbCdEf012345 sb_publishable_Zz9`,
  );
  for (const leaked of ["abc.def-123", "eyJ", "sb_secret_", "sb_publishable_"]) {
    assert.ok(!out.includes(leaked), `${leaked} left in: ${out}`);
  }
});

Deno.test("every string inside a log line's fields is redacted, other values kept", () => {
  const redact = redactorForEnv({ SUPABASE_DB_URL: DB_URL, CARTESIA_API_KEY: CARTESIA_KEY });
  const line = redactFields({
    level: "error",
    segment: 7,
    error: `upload failed (${DB_URL})`,
    nested: { list: [`key ${CARTESIA_KEY}`, 3] },
  }, redact);
  const text = JSON.stringify(line);
  assert.doesNotMatch(text, /s3cr3t|sk_car_/);
  assert.deepEqual((line as { segment: number }).segment, 7);
  assert.equal((line as { level: string }).level, "error");
});

Deno.test("short setting values are not masked by value (they would mask ordinary words)", () => {
  const redact = redactorForEnv({ CARTESIA_API_KEY: "key" });
  assert.equal(redact("the key was refused"), "the key was refused");
});
