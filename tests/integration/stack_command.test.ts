// scripts/stack as a user runs it: `up` writes the stack's contract to stack.env (every URL and
// key, the environment of `up` winning over local defaults), and `reset` throws the database and
// the stored files away so the next `up` starts from the migrations and the seed. It runs a
// second stack beside any developer's: its own state folder (AQ_LOCAL_DIR) and free ports.
import assert from "node:assert/strict";
import { createClient } from "@supabase/supabase-js";
import postgres from "postgres";

const ROOT = new URL("../../", import.meta.url).pathname;
const SAMPLE_WORDS = 364;

function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const { port } = listener.addr as Deno.NetAddr;
  listener.close();
  return port;
}

async function readEnvFile(path: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const line of (await Deno.readTextFile(path)).split("\n")) {
    const m = /^([A-Z0-9_]+)=(.*)$/.exec(line);
    if (m) out[m[1]] = m[2];
  }
  return out;
}

async function exists(path: string): Promise<boolean> {
  try {
    await Deno.lstat(path);
    return true;
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return false;
    throw err;
  }
}

Deno.test("scripts/stack: up writes the contract, reset starts the next up afresh", async () => {
  const local = await Deno.makeTempDir({ prefix: "aq-stack-" });
  const env = {
    AQ_LOCAL_DIR: local,
    AQ_DB_PORT: String(freePort()),
    AQ_GATEWAY_PORT: String(freePort()),
    AQ_CARTESIA_PORT: String(freePort()),
    // Settings given to `up` win over the local defaults and reach stack.env.
    CARTESIA_VOICE_ID: "voice-from-the-environment",
    AUDIO_GENERATION_CONCURRENCY: "2",
    AUDIO_MAX_RETRIES: "2",
  };
  const run = async (verb: string) => {
    const { code, stdout, stderr } = await new Deno.Command("bash", {
      args: [`${ROOT}scripts/stack`, verb],
      env,
      stdout: "piped",
      stderr: "piped",
    }).output();
    const dec = new TextDecoder();
    return { code, output: dec.decode(stdout) + dec.decode(stderr) };
  };
  const stack = async (verb: string) => {
    const { code, output } = await run(verb);
    assert.equal(code, 0, `scripts/stack ${verb} failed:\n${output}`);
    return output;
  };
  try {
    await stack("up");
    const first = await readEnvFile(`${local}/stack.env`);
    for (
      const key of [
        "SUPABASE_URL",
        "SUPABASE_ANON_KEY",
        "SUPABASE_SERVICE_ROLE_KEY",
        "SUPABASE_DB_URL",
        "ADMIN_JWT",
        "USER_JWT",
        "SUPABASE_PUBLISHABLE_KEY",
        "SUPABASE_SECRET_KEY",
      ]
    ) {
      assert.ok(first[key], `stack.env has no ${key}`);
    }
    assert.equal(first.SUPABASE_URL, `http://127.0.0.1:${env.AQ_GATEWAY_PORT}`);
    assert.equal(first.CARTESIA_VOICE_ID, "voice-from-the-environment");
    assert.equal(first.AUDIO_GENERATION_CONCURRENCY, "2");
    assert.equal(first.AUDIO_MAX_RETRIES, "2");
    // The dev admin's token is signed with the stack's ES256 key; the functions verify it
    // against the JWKS the gateway serves, with the publishable key as the apikey.
    assert.equal(JSON.parse(atob(first.ADMIN_JWT.split(".")[0])).alg, "ES256");
    const me = await fetch(`${first.SUPABASE_URL}/functions/v1/admin-api/me`, {
      headers: {
        authorization: `Bearer ${first.ADMIN_JWT}`,
        apikey: first.SUPABASE_PUBLISHABLE_KEY,
      },
    });
    assert.equal((await me.json()).isAdmin, true);

    // State a reset must throw away: a word of our own and a stored object.
    let db = postgres(first.SUPABASE_DB_URL, { max: 1, onnotice: () => {} });
    await db`insert into public.words (word, definition, example_sentence, grade)
      values ('reset-probe', 'a word only this test adds', 'The reset-probe is gone.', 99)`;
    // A database that applied a migration this checkout no longer has: `up` says to reset.
    await db`insert into supabase_migrations.schema_migrations (version) values ('20000101000000')`;
    await db.end();
    const storage = createClient(first.SUPABASE_URL, first.SUPABASE_SERVICE_ROLE_KEY, {
      auth: { persistSession: false },
    }).storage.from("word-audio");
    const put = await storage.upload("probe/reset.txt", new Blob(["probe"]), { upsert: true });
    assert.equal(put.error, null, put.error?.message);
    assert.ok(await exists(`${local}/storage/word-audio/probe/reset.txt`));

    const refused = await run("up");
    assert.notEqual(refused.code, 0, "up went on over a migration history it does not have");
    assert.match(refused.output, /20000101000000.*\n?.*scripts\/stack reset/);

    await stack("reset");
    assert.equal(await exists(`${local}/storage`), false, "stored files survived the reset");
    assert.equal(await exists(`${local}/stack.env`), false, "stack.env survived the reset");
    assert.equal(await exists(`${local}/pg-dev`), false, "the database survived the reset");
    assert.match(await stack("status"), /gateway: stopped[\s\S]*postgres: stopped/);

    await stack("up");
    const second = await readEnvFile(`${local}/stack.env`);
    db = postgres(second.SUPABASE_DB_URL, { max: 1, onnotice: () => {} });
    const [{ probes, words }] = await db`
      select count(*) filter (where word = 'reset-probe')::int as probes, count(*)::int as words
      from public.words`;
    const [{ objects }] = await db`select count(*)::int as objects from storage.objects`;
    await db.end();
    assert.equal(probes, 0, "the word added before the reset is still there");
    assert.equal(words, SAMPLE_WORDS, "the seed was not loaded afresh");
    assert.equal(objects, 0, "an object row survived the reset");
    assert.notEqual(second.ADMIN_JWT, first.ADMIN_JWT, "the reset kept the old keys");
    assert.notEqual(second.SUPABASE_SECRET_KEY, first.SUPABASE_SECRET_KEY, "and the secret key");
  } finally {
    await stack("reset").catch((err) => console.error(String(err)));
    await Deno.remove(local, { recursive: true }).catch(() => {});
  }
});
