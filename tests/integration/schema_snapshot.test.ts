// The schema snapshot: supabase/schema.sql is what the migrations build, so the current
// definition of any table, function, policy or grant is one file away, and a migration that
// changes the schema shows the change in review. This test builds a fresh database from the
// migrations (db_migrate in scripts/lib/database.sh, as the stack does), dumps it the same way
// the committed file was made (db_schema_snapshot) and fails with the unified diff when the two
// differ. With AQ_UPDATE_SCHEMA=1 it writes the file instead.
import assert from "node:assert/strict";
import { withTempDatabase } from "../helpers/pg.ts";

const ROOT = new URL("../../", import.meta.url).pathname;
const SNAPSHOT = "supabase/schema.sql";
const REGENERATE = 'AQ_UPDATE_SCHEMA=1 bash scripts/test --filter "schema snapshot"';
// pg_cron refuses CREATE EXTENSION outside the database named by cron.database_name (postgres),
// except in one named contrib_regression (kept for pg_cron's own tests); the migrations create
// pg_cron, so the fresh database takes that name. Its jobs never run: pg_cron's scheduler reads
// only the postgres database's cron.job.
const FRESH_DATABASE = "contrib_regression";

async function run(
  cmd: string,
  args: string[],
): Promise<{ code: number; stdout: string; stderr: string }> {
  const { code, stdout, stderr } = await new Deno.Command(cmd, {
    args,
    cwd: ROOT,
    stdout: "piped",
    stderr: "piped",
  }).output();
  const dec = new TextDecoder();
  return { code, stdout: dec.decode(stdout), stderr: dec.decode(stderr) };
}

// migratedSchema: the snapshot text of a fresh database with only the platform slice, the
// stand-in extensions and the migrations applied (no seed, no Realtime stand-in triggers).
function migratedSchema(): Promise<string> {
  return withTempDatabase(async (url) => {
    const script = "source scripts/lib/common.sh; source scripts/lib/standins.sh; " +
      'source scripts/lib/database.sh; db_migrate "$1" >&2; db_schema_snapshot "$1"';
    const r = await run("bash", ["-c", script, "schema_snapshot", url]);
    assert.equal(r.code, 0, `building the fresh database failed:\n${r.stderr}`);
    return r.stdout;
  }, { name: FRESH_DATABASE });
}

Deno.test("schema snapshot: supabase/schema.sql is what the migrations build", async () => {
  const fresh = await migratedSchema();
  if (Deno.env.get("AQ_UPDATE_SCHEMA") === "1") {
    await Deno.writeTextFile(`${ROOT}${SNAPSHOT}`, fresh);
    return;
  }
  const committed = await Deno.readTextFile(`${ROOT}${SNAPSHOT}`).catch(() => "");
  if (committed === fresh) return;

  const freshFile = await Deno.makeTempFile({ prefix: "schema-", suffix: ".sql" });
  try {
    await Deno.writeTextFile(freshFile, fresh);
    const diff = await run("diff", [
      "-uN",
      "--label",
      `${SNAPSHOT} (committed)`,
      "--label",
      `${SNAPSHOT} (built from supabase/migrations)`,
      `${ROOT}${SNAPSHOT}`,
      freshFile,
    ]);
    assert.fail(
      `${SNAPSHOT} is not what the migrations build. If the migration change is intended, ` +
        `regenerate the snapshot and commit it with the migration:\n\n  ${REGENERATE}\n\n` +
        diff.stdout,
    );
  } finally {
    await Deno.remove(freshFile);
  }
});
