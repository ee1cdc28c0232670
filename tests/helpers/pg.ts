// Postgres for tests: a database of its own per test, dropped afterwards, on the cluster named
// by AQ_TEST_DB_URL — either a clone of the template that scripts/test built once (migrations and
// seed: what the product tests need) or an empty one (the stand-ins' own tests) — and one way to
// open a client on it.

import postgres from "postgres";

/** A postgres.js client as the tests use it. */
export type TestSql = ReturnType<typeof postgres>;

/** The test cluster's admin connection string (its postgres database). */
export function adminUrl(): string {
  const url = Deno.env.get("AQ_TEST_DB_URL");
  if (!url) {
    throw new Error(
      "AQ_TEST_DB_URL is not set: run the tests with scripts/test (it starts the test cluster " +
        "and builds the template database), e.g. bash scripts/test tests/integration/x.test.ts",
    );
  }
  return url;
}

function templateName(): string {
  const name = Deno.env.get("AQ_TEST_TEMPLATE");
  if (!name) {
    throw new Error(
      "AQ_TEST_TEMPLATE is not set: run the tests with scripts/test (it builds the template " +
        "database every test database is cloned from)",
    );
  }
  return name;
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

/** A database cloned from the template, and how to drop it. */
export interface TestDatabase {
  url: string;
  drop: () => Promise<void>;
}

/**
 * A new database cloned from the template (the migrations and the seed, as a fresh project has
 * them): a test changes it freely and no other test sees it. Drop it with `drop()`.
 */
export function cloneTemplate(): Promise<TestDatabase> {
  return createDatabase({ template: templateName() });
}

/**
 * A new database — empty, or a copy of `opts.template` — on the test cluster, and how to drop it.
 * It gets a random name unless `opts.name` gives one (a leftover of that name is dropped first).
 */
export async function createDatabase(
  opts: { template?: string; name?: string } = {},
): Promise<TestDatabase> {
  const server = adminUrl();
  const name = opts.name ?? `aq_t_${crypto.randomUUID().replaceAll("-", "").slice(0, 20)}`;
  const admin = postgres(server, { max: 1, onnotice: () => {} });
  try {
    if (opts.name) await admin.unsafe(`drop database if exists "${name}" with (force)`);
    const template = opts.template ? ` template "${opts.template}"` : "";
    await admin.unsafe(`create database "${name}"${template}`);
  } finally {
    await admin.end();
  }
  let dropped: Promise<void> | undefined;
  return {
    url: databaseUrl(server, name),
    drop: () =>
      dropped ??= (async () => {
        const db = postgres(server, { max: 1, onnotice: () => {} });
        try {
          await db.unsafe(`drop database if exists "${name}" with (force)`);
        } finally {
          await db.end();
        }
      })(),
  };
}

/** Runs `fn` with a clone of the template, then drops it (even when `fn` throws). */
export function withTestDatabase<T>(fn: (url: string) => Promise<T>): Promise<T> {
  return withTempDatabase(fn, { template: templateName() });
}

/**
 * Runs `fn` with the URL of a new database (empty unless `opts.template` names one), then drops
 * it (even when `fn` throws); see createDatabase for `opts.name`.
 */
export async function withTempDatabase<T>(
  fn: (url: string) => Promise<T>,
  opts: { name?: string; template?: string } = {},
): Promise<T> {
  const db = await createDatabase(opts);
  try {
    return await fn(db.url);
  } finally {
    await db.drop();
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
