// The test cluster itself, for tests of what a Postgres restart does to the worker: its data
// directory and binaries come from the server (data_directory, pg_config's BINDIR), and pg_ctl
// runs as the postgres user where the tests run as root (postgres refuses to run as root).
import { dirname } from "node:path";
import { adminUrl, sql } from "./pg.ts";

/** Restarts the test cluster: stops it with pg_ctl's `mode` shutdown (every open connection is
 * cut), keeps it down for `downMs` (a real restart takes seconds, and the worker's calls meanwhile
 * are refused), starts it, and returns once it accepts connections again (pg_ctl -w). */
export async function restartCluster(mode: "fast" | "immediate", downMs: number): Promise<void> {
  const admin = sql(adminUrl());
  let dataDir: string;
  let binDir: string;
  try {
    [{ data_directory: dataDir }] = await admin`show data_directory`;
    [{ setting: binDir }] = await admin`select setting from pg_config where name = 'BINDIR'`;
  } finally {
    await admin.end({ timeout: 1 });
  }
  const log = `${dirname(dataDir)}/postgres.log`;
  await pgCtl(binDir, ["-D", dataDir, "-m", mode, "-w", "-t", "60", "stop"]);
  await new Promise((r) => setTimeout(r, downMs));
  await pgCtl(binDir, ["-D", dataDir, "-l", log, "-w", "-t", "60", "start"]);
}

async function pgCtl(binDir: string, args: string[]): Promise<void> {
  const pgCtl = [`${binDir}/pg_ctl`, ...args];
  const cmd = Deno.uid() === 0 ? ["runuser", "-u", "postgres", "--", ...pgCtl] : pgCtl;
  const out = await new Deno.Command(cmd[0], {
    args: cmd.slice(1),
    stdin: "null",
    stdout: "null",
    stderr: "piped",
  }).output();
  if (!out.success) {
    throw new Error(`pg_ctl ${args.at(-1)} failed: ${new TextDecoder().decode(out.stderr)}`);
  }
}
