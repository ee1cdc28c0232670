// Postgres for integration tests: a fresh database per test (created on the cluster named by
// AQ_TEST_DB_URL, dropped afterwards) and one way to open a client on it.

import postgres from "postgres";

/** A postgres.js client as the tests use it. */
export type TestSql = ReturnType<typeof postgres>;

function adminUrl(): string {
  const url = Deno.env.get("AQ_TEST_DB_URL");
  if (!url) {
    throw new Error(
      "AQ_TEST_DB_URL is not set: set it to an admin URL of a running cluster, e.g. " +
        "AQ_TEST_DB_URL=\"$(bash -c 'source scripts/lib/common.sh; cluster_up test 54329; " +
        "db_url 54329')\"",
    );
  }
  return url;
}

function databaseUrl(serverUrl: string, database: string): string {
  const url = new URL(serverUrl);
  url.pathname = `/${database}`;
  return url.toString();
}

/** A client with the options every test uses; close it with `await client.end()`. */
export function sql(url: string): TestSql {
  return postgres(url, { max: 4, onnotice: () => {} });
}

/**
 * Runs `fn` with the URL of a new, empty database, then drops it (even when `fn` throws). The
 * database gets a random name unless `opts.name` gives one (a leftover of that name is dropped
 * first).
 */
export async function withTempDatabase<T>(
  fn: (url: string) => Promise<T>,
  opts: { name?: string } = {},
): Promise<T> {
  const server = adminUrl();
  const name = opts.name ?? `aq_test_${crypto.randomUUID().replaceAll("-", "").slice(0, 20)}`;
  const admin = postgres(server, { max: 1, onnotice: () => {} });
  try {
    if (opts.name) await admin.unsafe(`drop database if exists "${name}" with (force)`);
    await admin.unsafe(`create database "${name}"`);
    try {
      return await fn(databaseUrl(server, name));
    } finally {
      await admin.unsafe(`drop database if exists "${name}" with (force)`);
    }
  } finally {
    await admin.end();
  }
}

// standinInstalled: whether the extension available to the test cluster is our stand-in (its
// control comment says so). Where the real extension is installed, the stand-in's own tests do
// not apply and are reported as ignored; every other test runs against the real one.
export async function standinInstalled(name: "pgmq" | "pg_net"): Promise<boolean> {
  const url = Deno.env.get("AQ_TEST_DB_URL");
  if (!url) return true; // the tests themselves fail with the clear message
  const db = postgres(url, { max: 1, onnotice: () => {} });
  try {
    const [row] = await db`select comment from pg_available_extensions where name = ${name}`;
    return !row || String(row.comment).startsWith("audio-queue stand-in");
  } finally {
    await db.end({ timeout: 5 });
  }
}
