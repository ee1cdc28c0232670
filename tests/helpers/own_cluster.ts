// A Postgres cluster a test owns, for the tests that restart Postgres (the shared test cluster
// must stay up for everyone else): initdb in a temp folder, the test cluster's settings, started
// on the port after the test cluster's, and filled with the test cluster's roles and a copy of
// the template database (pg_dump of a clone, restored under the template's name, the database
// pg_cron runs in). close() stops it and removes the folder.
import postgres from "postgres";
import { asPostgres, PG_BIN, restartCluster, run } from "../../scripts/faults/postgres.ts";
import type { ShutdownMode } from "../../scripts/faults/rig.ts";
import { adminUrl, cloneTemplate } from "./pg.ts";

export interface OwnCluster {
  /** The copy of the template on the cluster. */
  url: string;
  restart(mode: ShutdownMode): Promise<void>;
  close(): Promise<void>;
}

/** The template's name: pg_cron's jobs name their database, and it must be the cron database. */
const DB_NAME = "aq_template";

export async function startOwnCluster(): Promise<OwnCluster> {
  // The test cluster's port + 1: a port of this test run's own, whichever port it was given.
  const port = Number(new URL(adminUrl()).port) + 1;
  const dir = await Deno.makeTempDir({ dir: "/tmp", prefix: "aq-own-pg-" });
  const dataDir = `${dir}/data`;
  const logFile = `${dir}/postgres.log`;
  const url = `postgresql://postgres:postgres@127.0.0.1:${port}/${DB_NAME}?sslmode=disable`;
  let started = false;
  const close = async () => {
    if (started) {
      await run(
        asPostgres([`${PG_BIN}/pg_ctl`, "-D", dataDir, "-m", "immediate", "-w", "stop"]),
        "pg_ctl stop",
      ).catch(() => {});
    }
    await Deno.remove(dir, { recursive: true });
  };
  try {
    await initCluster(dir, port);
    await run(
      asPostgres([`${PG_BIN}/pg_ctl`, "-D", dataDir, "-l", logFile, "-w", "-t", "60", "start"]),
      `pg_ctl start (see ${logFile})`,
    );
    started = true;
    await copyTemplate(dir, url);
  } catch (err) {
    await close();
    throw err;
  }
  return { url, restart: (mode) => restartCluster(dataDir, logFile, mode), close };
}

// initCluster: initdb in dir/data, owned by postgres, configured as scripts/lib/common.sh's
// cluster_up configures the test cluster.
async function initCluster(dir: string, port: number): Promise<void> {
  if (Deno.uid() === 0) await run(["chown", "postgres:postgres", dir], "chown");
  await run(
    asPostgres([
      `${PG_BIN}/initdb`,
      "-D",
      `${dir}/data`,
      "-U",
      "postgres",
      "--auth=trust",
      "-E",
      "UTF8",
      "--locale=C.UTF-8",
    ]),
    "initdb",
  );
  await Deno.writeTextFile(
    `${dir}/data/postgresql.conf`,
    [
      "listen_addresses = '127.0.0.1'",
      `port = ${port}`,
      `unix_socket_directories = '${dir}'`,
      "shared_preload_libraries = 'pg_cron'",
      `cron.database_name = '${DB_NAME}'`,
      "wal_level = logical",
      "fsync = off",
      // On, as on Supabase (see scripts/lib/common.sh): an immediate shutdown loses no
      // acknowledged commit.
      "synchronous_commit = on",
      "full_page_writes = off",
      "",
    ].join("\n"),
    { append: true },
  );
}

// copyTemplate: the test cluster's roles, then the template (a clone of it, dumped and restored)
// into the database at url, then its pgmq queues.
async function copyTemplate(dir: string, url: string): Promise<void> {
  const server = url.replace(`/${DB_NAME}?`, "/postgres?");
  // Roles are the cluster's, not the database's (API roles the policies name): copied first.
  // psql goes on past the one that exists already (postgres).
  const roles = `${dir}/roles.sql`;
  await run(
    [`${PG_BIN}/pg_dumpall`, "--roles-only", "-f", roles, "-d", adminUrl()],
    "pg_dumpall",
  );
  await run([`${PG_BIN}/psql`, server, "-Xq", "-f", roles], "copying the roles");
  await run(
    [`${PG_BIN}/psql`, server, "-Xq", "-c", `create database ${DB_NAME}`],
    "create database",
  );
  const clone = await cloneTemplate();
  try {
    const dump = `${dir}/template.dump`;
    await run([`${PG_BIN}/pg_dump`, "-Fc", "--no-owner", "-f", dump, clone.url], "pg_dump");
    await run(
      [`${PG_BIN}/pg_restore`, "--no-owner", "--exit-on-error", "-d", url, dump],
      "pg_restore",
    );
    // A queue's tables belong to the pgmq extension, so pg_dump leaves them out: create them.
    const from = postgres(clone.url, { max: 1, onnotice: () => {} });
    const to = postgres(url, { max: 1, onnotice: () => {} });
    try {
      for (const q of await from`select queue_name from pgmq.list_queues()`) {
        await to`select pgmq.create(queue_name => ${q.queue_name}::text)`;
      }
    } finally {
      await from.end();
      await to.end();
    }
  } finally {
    await clone.drop();
  }
}
