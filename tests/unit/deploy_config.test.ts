// What `supabase functions deploy` resolves each function's imports with. The CLI reads a
// function's import map from its config.toml section, its own folder or
// supabase/functions/import_map.json, never from the repository's deno.json, which the local
// stack and the tests use. So every function's section names supabase/functions/import_map.json,
// that map resolves the function's whole module graph on its own, and its versions are the
// repository's.
import assert from "node:assert/strict";
import { functionSetting } from "../../local/gateway/project_functions.ts";

const ROOT = new URL("../../", import.meta.url);
const DENO = new URL("tools/node_modules/.bin/deno", ROOT).pathname;
const FUNCTIONS_MAP = "supabase/functions/import_map.json";

const readJson = async (path: string) =>
  JSON.parse(await Deno.readTextFile(new URL(path, ROOT))) as { imports: Record<string, string> };

// The deployable functions: the folders of supabase/functions with an index.ts (not _shared).
async function functionNames(): Promise<string[]> {
  const names: string[] = [];
  for await (const e of Deno.readDir(new URL("supabase/functions/", ROOT))) {
    if (!e.isDirectory || e.name.startsWith("_")) continue;
    try {
      await Deno.stat(new URL(`supabase/functions/${e.name}/index.ts`, ROOT));
      names.push(e.name);
    } catch {
      // not a function
    }
  }
  return names.sort();
}

Deno.test("every function's config.toml section deploys it with supabase/functions/import_map.json", async () => {
  const toml = await Deno.readTextFile(new URL("supabase/config.toml", ROOT));
  const names = await functionNames();
  assert.deepEqual(names, ["admin-api", "cancel-batch", "process-segments", "start-batch"]);
  for (const name of names) {
    assert.equal(
      functionSetting(toml, name, "import_map"),
      '"./functions/import_map.json"',
      `[functions.${name}] in config.toml`,
    );
  }
});

Deno.test("the functions' import map pins what the repository's deno.json pins", async () => {
  const deployed = (await readJson(FUNCTIONS_MAP)).imports;
  const repository = (await readJson("deno.json")).imports;
  assert.ok(Object.keys(deployed).length > 0);
  for (const [name, target] of Object.entries(deployed)) {
    assert.equal(target, repository[name], `${name} in ${FUNCTIONS_MAP} and in deno.json`);
  }
});

Deno.test("each function's module graph resolves and type-checks with that map alone", async () => {
  const outside = await Deno.makeTempDir();
  try {
    for (const name of await functionNames()) await checkWithMap(name, outside);
  } finally {
    await Deno.remove(outside, { recursive: true });
  }
});

// deno check of one function with the functions' map as its only configuration, run from `cwd`
// (outside the repository; no deno.json or lockfile).
async function checkWithMap(name: string, cwd: string): Promise<void> {
  const out = await new Deno.Command(DENO, {
    args: [
      "check",
      "--no-lock",
      "--no-config",
      "--import-map",
      new URL(FUNCTIONS_MAP, ROOT).pathname,
      new URL(`supabase/functions/${name}/index.ts`, ROOT).pathname,
    ],
    cwd,
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = new TextDecoder().decode(out.stderr);
  assert.equal(out.code, 0, `deno check ${name} with ${FUNCTIONS_MAP}:\n${text}`);
}
