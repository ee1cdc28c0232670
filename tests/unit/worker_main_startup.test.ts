// The long-lived worker program with a database URL it cannot parse: it exits 2 and says why on
// stderr, without the URL's password.
import assert from "node:assert/strict";

const MAIN = new URL("../../supabase/functions/_shared/worker/main.ts", import.meta.url).pathname;
const PASSWORD = "s3cr3t-worker-Pa55";

// The variables Deno itself needs to find its cache, when they are set.
function passThrough(...names: string[]): Record<string, string> {
  return Object.fromEntries(
    names.flatMap((n) => {
      const v = Deno.env.get(n);
      return v === undefined ? [] : [[n, v]];
    }),
  );
}

Deno.test("scripts/worker with an unparsable database URL: exit 2, the cause on stderr, no password", async () => {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-all", MAIN, "--once"],
    clearEnv: true,
    env: {
      ...passThrough("PATH", "HOME", "DENO_DIR"),
      SUPABASE_URL: "http://127.0.0.1:9",
      SUPABASE_SERVICE_ROLE_KEY: "service-role-key-for-tests",
      // A port that is not a number: postgres.js throws "Invalid URL: '<the whole URL>'".
      SUPABASE_DB_URL: `postgres://postgres:${PASSWORD}@127.0.0.1:notaport/postgres`,
      AUDIO_WORKER_SECRET: "0123456789abcdef",
      CARTESIA_API_KEY: "key-for-tests",
      CARTESIA_VOICE_ID: "voice",
    },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const stderr = new TextDecoder().decode(out.stderr);
  const stdout = new TextDecoder().decode(out.stdout);
  assert.equal(out.code, 2, stderr);
  assert.match(stderr, /Invalid URL/, "the cause is printed");
  assert.ok(!stderr.includes(PASSWORD) && !stdout.includes(PASSWORD), stderr);
});
