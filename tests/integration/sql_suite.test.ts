// The SQL side's own checks, run inside the Deno suite so one summary counts everything: each
// pgTAP file under supabase/tests through pg_prove (Debian's; `supabase test db` needs Docker),
// that each one uses the shared fixtures, and the Supabase CLI's schema lint (plpgsql_check),
// which must report no error.
import assert from "node:assert/strict";
import { withTestDatabase } from "../helpers/pg.ts";

const ROOT = new URL("../../", import.meta.url).pathname;

async function pgTapFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  for await (const e of Deno.readDir(dir)) {
    const p = `${dir}/${e.name}`;
    if (e.isDirectory) out.push(...await pgTapFiles(p));
    else if (e.name.endsWith(".test.sql")) out.push(p);
  }
  return out.sort();
}

async function run(cmd: string, args: string[]): Promise<{ code: number; output: string }> {
  const { code, stdout, stderr } = await new Deno.Command(cmd, {
    args,
    cwd: ROOT,
    stdout: "piped",
    stderr: "piped",
  })
    .output();
  const dec = new TextDecoder();
  return { code, output: dec.decode(stdout) + dec.decode(stderr) };
}

// pg_prove 3.36 cannot parse libpq query parameters such as ?sslmode=disable.
const plainUrl = (url: string) => url.replace(/\?.*$/, "");

// One clone of the template for the whole pgTAP suite: each file rolls back what it did.
Deno.test("pgTAP: every file under supabase/tests passes", async (t) => {
  const files = await pgTapFiles(`${ROOT}supabase/tests`);
  assert.ok(files.length >= 40, `expected the pgTAP suite, found ${files.length} files`);
  await withTestDatabase(async (url) => {
    for (const file of files) {
      const name = file.slice(`${ROOT}supabase/tests/`.length);
      await t.step(name, async () => {
        // Files run one at a time: some reset the queue or permits inside their transaction.
        const { code, output } = await run("pg_prove", [
          "--ext",
          ".sql",
          "-d",
          plainUrl(url),
          file,
        ]);
        assert.equal(code, 0, output);
        assert.match(output, /Result: PASS/, output);
      });
    }
  });
});

// The fixtures live in one file (supabase/tests/fixtures.psql); a file that builds its own would
// drift from the others, and one that does not roll back would leave them behind.
Deno.test("pgTAP: every file begins with the shared fixtures and rolls back", async () => {
  const files = await pgTapFiles(`${ROOT}supabase/tests`);
  const astray: string[] = [];
  for (const file of files) {
    const text = await Deno.readTextFile(file);
    const body = text.replace(/^(--.*\n)+/, "");
    if (!body.startsWith("begin;\n\\ir ../fixtures.psql\n") || !/\nrollback;\n$/.test(body)) {
      astray.push(file.slice(`${ROOT}supabase/tests/`.length));
    }
  }
  assert.deepEqual(
    astray,
    [],
    "expected 'begin;' then '\\ir ../fixtures.psql' after the header, 'rollback;' last",
  );
});

Deno.test("supabase db lint: no error in the audio and public schemas", async () => {
  const { code, output } = await withTestDatabase((url) =>
    run(`${ROOT}tools/node_modules/.bin/supabase`, [
      "db",
      "lint",
      "--db-url",
      url,
      "--schema",
      "audio,public",
      "--level",
      "warning",
      "--fail-on",
      "error",
    ])
  );
  assert.equal(code, 0, output);
  assert.doesNotMatch(output, /"level":\s*"error"/, output);
});
