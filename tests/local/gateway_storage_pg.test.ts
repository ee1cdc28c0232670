// The gateway's Storage subset on Postgres: the same contract as the unit test, with buckets
// read from storage.buckets and a storage.objects row per object; plus the rows themselves and
// the bucket limits. Needs AQ_TEST_DB_URL (an admin URL to a cluster); each test gets its own
// database with local/platform.sql applied, dropped afterwards.
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import postgres from "postgres";
import {
  type Fixture,
  PRIVATE_BUCKET,
  PUBLIC_BUCKET,
  startFixture,
} from "../../local/gateway/testkit/fixture.ts";
import {
  errorOf,
  registerStorageContract,
  sampleBytes,
} from "../../local/gateway/testkit/storage_contract.ts";
import { newProjectKeys } from "../../local/gateway/keyring.ts";
import { createDatabase } from "../helpers/pg.ts";
import { startGateway } from "../../local/gateway/server.ts";

const ADMIN_URL = Deno.env.get("AQ_TEST_DB_URL");
const PLATFORM_SQL = fileURLToPath(new URL("../../local/platform.sql", import.meta.url));

interface DbFixture extends Fixture {
  sql: postgres.Sql;
}

/** A fresh database with platform.sql and the two test buckets, and a gateway on it. */
async function startDbFixture(): Promise<DbFixture> {
  const database = await createDatabase();
  const sql = postgres(database.url, { max: 2, onnotice: () => {} });
  const dropDatabase = async () => {
    await sql.end();
    await database.drop();
  };
  try {
    await sql.unsafe(await Deno.readTextFile(PLATFORM_SQL));
    await sql`insert into storage.buckets (id, name, public)
              values (${PRIVATE_BUCKET}, ${PRIVATE_BUCKET}, false), (${PUBLIC_BUCKET}, ${PUBLIC_BUCKET}, true)`;
    const fx = await startFixture({ dbUrl: database.url });
    return {
      ...fx,
      sql,
      async close() {
        await fx.close();
        await dropDatabase();
      },
    };
  } catch (err) {
    await dropDatabase();
    throw err;
  }
}

if (!ADMIN_URL) {
  Deno.test("gateway storage on Postgres: AQ_TEST_DB_URL is required", () => {
    throw new Error(
      "AQ_TEST_DB_URL is not set: export an admin URL to a local cluster, e.g. " +
        "`source scripts/lib/common.sh && cluster_up test 54329 && " +
        "export AQ_TEST_DB_URL=$(db_url 54329)` (or run the suite with scripts/test)",
    );
  });
} else {
  registerStorageContract("storage (Postgres)", startDbFixture);

  const test = (name: string, fn: (fx: DbFixture) => Promise<void>) =>
    Deno.test(`storage (Postgres): ${name}`, async () => {
      const fx = await startDbFixture();
      try {
        await fn(fx);
      } finally {
        await fx.close();
      }
    });

  test("each object has a storage.objects row with size, mimetype, cacheControl and eTag", async (fx) => {
    const bucket = fx.service.storage.from(PRIVATE_BUCKET);
    const bytes = sampleBytes(100);
    const up = await bucket.upload("v/m/mp3/h1.mp3", bytes, {
      contentType: "audio/mpeg",
      cacheControl: "120",
    });
    assert.equal(up.error, null);
    const rows = await fx.sql<{ id: string; name: string; metadata: Record<string, unknown> }[]>`
      select id, name, metadata from storage.objects where bucket_id = ${PRIVATE_BUCKET}`;
    assert.equal(rows.length, 1);
    assert.equal(rows[0].id, up.data?.id, "upload returns the row's id");
    assert.equal(rows[0].name, "v/m/mp3/h1.mp3");
    assert.equal(rows[0].metadata.size, bytes.length);
    assert.equal(rows[0].metadata.mimetype, "audio/mpeg");
    assert.equal(rows[0].metadata.cacheControl, "max-age=120");
    assert.match(String(rows[0].metadata.eTag), /^"[0-9a-f]{32}"$/);

    const next = sampleBytes(7);
    assert.equal((await bucket.upload("v/m/mp3/h1.mp3", next, { upsert: true })).error, null);
    const after = await fx.sql<{ id: string; size: number }[]>`
      select id, (metadata->>'size')::int as size from storage.objects where bucket_id = ${PRIVATE_BUCKET}`;
    assert.equal(after.length, 1, "upsert keeps one row");
    assert.equal(after[0].id, rows[0].id);
    assert.equal(after[0].size, next.length);

    assert.equal((await bucket.remove(["v/m/mp3/h1.mp3"])).error, null);
    const [{ count }] = await fx.sql<
      { count: number }[]
    >`select count(*)::int as count from storage.objects`;
    assert.equal(count, 0);
  });

  test("buckets are read from storage.buckets, with their size and mime limits", async (fx) => {
    await fx.sql`insert into storage.buckets (id, name, public, file_size_limit, allowed_mime_types)
                 values ('tiny', 'tiny', false, 64, array['audio/*'])`;
    const got = await fx.service.storage.getBucket("tiny");
    assert.equal(got.error, null);
    assert.equal(got.data?.file_size_limit, 64);
    const tiny = fx.service.storage.from("tiny");
    assert.equal(
      (await tiny.upload("ok.mp3", new Uint8Array(64), { contentType: "audio/mpeg" })).error,
      null,
    );
    const big = await tiny.upload("big.mp3", new Uint8Array(65), { contentType: "audio/mpeg" });
    assert.equal(errorOf(big.error)?.status, 413);
    const text = await tiny.upload("t.txt", new Uint8Array(3), { contentType: "text/plain" });
    assert.equal(errorOf(text.error)?.status, 415);
    const [{ count }] = await fx.sql<{ count: number }[]>`
      select count(*)::int as count from storage.objects where bucket_id = 'tiny'`;
    assert.equal(count, 1, "refused uploads leave no row");
  });

  Deno.test("storage (Postgres): a database without platform.sql fails the start, naming the fix", async () => {
    const storageRoot = await Deno.makeTempDir({ prefix: "aq-gateway-" });
    try {
      const url = new URL(ADMIN_URL);
      url.pathname = "/template1";
      const err = await startGateway({
        keys: await newProjectKeys(),
        storageRoot,
        dbUrl: url.toString(),
        functions: {},
      }).then(() => null, (e: unknown) => e);
      assert.ok(err instanceof Error, "startGateway rejected");
      assert.match(err.message, /dbUrl: .*platform\.sql/);
      if (url.password) assert.ok(!err.message.includes(url.password), "no password in the error");
    } finally {
      await Deno.remove(storageRoot, { recursive: true });
    }
  });
}
