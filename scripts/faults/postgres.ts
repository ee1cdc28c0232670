// Restarting a local cluster the way an operator does: pg_ctl restart with a shutdown mode, as
// the postgres user (the cluster's owner) when run as root, logging to the cluster's log file.
import type { ShutdownMode } from "./rig.ts";

export const PG_BIN = "/usr/lib/postgresql/15/bin";
/** pg_ctl's own wait for the stop and the start (-t): a restart on this machine takes seconds. */
const PG_CTL_WAIT_S = 60;

/** argv run as the postgres user when we are root (postgres refuses to run as root). */
export function asPostgres(argv: string[]): string[] {
  return Deno.uid() === 0 ? ["runuser", "-u", "postgres", "--", ...argv] : argv;
}

/** Runs argv to completion; throws `what` with its stderr when it fails. */
export async function run(argv: string[], what: string): Promise<void> {
  const { code, stderr } = await new Deno.Command(argv[0], {
    args: argv.slice(1),
    stdout: "null",
    stderr: "piped",
  }).output();
  if (code !== 0) throw new Error(`${what} failed: ${new TextDecoder().decode(stderr).trim()}`);
}

/** pg_ctl restart -m mode of the cluster in `dataDir`; resolves once it is up again. */
export function restartCluster(
  dataDir: string,
  logFile: string,
  mode: ShutdownMode,
  pgBin = PG_BIN,
): Promise<void> {
  return run(
    asPostgres([
      `${pgBin}/pg_ctl`,
      "-D",
      dataDir,
      "-l",
      logFile,
      "-m",
      mode,
      "-w",
      "-t",
      String(PG_CTL_WAIT_S),
      "restart",
    ]),
    `pg_ctl restart -m ${mode} (see ${logFile})`,
  );
}
