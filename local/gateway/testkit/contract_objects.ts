// Test support: Storage contract cases for writing, reading, listing and removing objects
// through storage-js (see storage_contract.ts for where they run).
import assert from "node:assert/strict";
import { join } from "node:path";
import { jsonOf, PRIVATE_BUCKET } from "./fixture.ts";
import {
  bytesOf,
  caseRunner,
  errorOf,
  type FixtureFactory,
  md5Quoted,
  onDisk,
  sampleBytes,
  storageFetch,
} from "./contract_helpers.ts";

export function registerObjectCases(label: string, setup: FixtureFactory): void {
  const test = caseRunner(label, setup);

  test("binary upload and download round-trip, with the stored headers", async (fx) => {
    const bytes = sampleBytes();
    const bucket = fx.service.storage.from(PRIVATE_BUCKET);
    const path = "voice-a/model-b/mp3/ab12cd.mp3";
    const up = await bucket.upload(path, bytes, { contentType: "audio/mpeg", cacheControl: "60" });
    assert.equal(up.error, null);
    assert.equal(up.data?.path, path);
    assert.equal(up.data?.fullPath, `${PRIVATE_BUCKET}/${path}`);
    assert.equal(typeof up.data?.id, "string");

    const down = await bucket.download(path);
    assert.equal(down.error, null);
    assert.deepEqual(await bytesOf(down.data), bytes);
    assert.deepEqual(
      await onDisk(fx, PRIVATE_BUCKET, path),
      bytes,
      "bytes at <root>/<bucket>/<path>",
    );

    const res = await storageFetch(fx, "GET", `object/${PRIVATE_BUCKET}/${path}`);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get("content-type"), "audio/mpeg");
    assert.equal(res.headers.get("cache-control"), "max-age=60");
    assert.equal(res.headers.get("content-length"), String(bytes.length));
    assert.equal(res.headers.get("etag"), md5Quoted(bytes));
    await res.body?.cancel();
  });

  test("a Blob upload goes as multipart; info() and exists() read it back", async (fx) => {
    const bytes = sampleBytes(100);
    const bucket = fx.service.storage.from(PRIVATE_BUCKET);
    const up = await bucket.upload("clips/one.wav", new Blob([bytes], { type: "audio/wav" }));
    assert.equal(up.error, null);
    const info = await bucket.info("clips/one.wav");
    assert.equal(info.error, null);
    assert.equal(info.data?.size, bytes.length);
    assert.equal(info.data?.contentType, "audio/wav");
    assert.equal(info.data?.cacheControl, "max-age=3600");
    assert.equal(info.data?.name, "clips/one.wav");
    assert.deepEqual(await bytesOf((await bucket.download("clips/one.wav")).data), bytes);
    assert.equal((await bucket.exists("clips/one.wav")).data, true);
    assert.equal((await bucket.exists("clips/none.wav")).data, false);
  });

  test("upload without upsert to an existing object is a 409; upsert and update overwrite", async (fx) => {
    const bucket = fx.service.storage.from(PRIVATE_BUCKET);
    const first = sampleBytes(10);
    const second = sampleBytes(20);
    const third = sampleBytes(30);
    assert.equal(
      (await bucket.upload("w/x.mp3", first, { contentType: "audio/mpeg" })).error,
      null,
    );

    const dup = await bucket.upload("w/x.mp3", second, { contentType: "audio/mpeg" });
    assert.equal(dup.data, null);
    assert.equal(errorOf(dup.error)?.status, 409);
    assert.equal(errorOf(dup.error)?.statusCode, "409");
    assert.deepEqual(await bytesOf((await bucket.download("w/x.mp3")).data), first, "unchanged");

    const raw = await storageFetch(fx, "POST", `object/${PRIVATE_BUCKET}/w/x.mp3`, {
      body: second,
    });
    const body = await jsonOf(raw);
    assert.equal(raw.status, 409);
    assert.equal(body.statusCode, "409");
    assert.equal(body.error, "Duplicate");

    const up = await bucket.upload("w/x.mp3", second, { contentType: "audio/mpeg", upsert: true });
    assert.equal(up.error, null);
    assert.deepEqual(await bytesOf((await bucket.download("w/x.mp3")).data), second);

    const upd = await bucket.update("w/x.mp3", third, { contentType: "audio/ogg" });
    assert.equal(upd.error, null);
    assert.deepEqual(await bytesOf((await bucket.download("w/x.mp3")).data), third);
    assert.equal((await bucket.info("w/x.mp3")).data?.contentType, "audio/ogg");
  });

  test("concurrent uploads without upsert: exactly one wins, the rest get 409", async (fx) => {
    const bucket = fx.service.storage.from(PRIVATE_BUCKET);
    const bodies = Array.from({ length: 6 }, () => sampleBytes(50));
    const results = await Promise.all(
      bodies.map((b) => bucket.upload("race/same.mp3", b, { contentType: "audio/mpeg" })),
    );
    const winners = results.flatMap((r, i) => (r.error === null ? [i] : []));
    assert.equal(winners.length, 1, "one upload succeeded");
    for (const r of results) if (r.error) assert.equal(errorOf(r.error)?.status, 409);
    assert.deepEqual(
      await bytesOf((await bucket.download("race/same.mp3")).data),
      bodies[winners[0]],
    );
  });

  test("list returns one folder level with paging, search and sorting", async (fx) => {
    const bucket = fx.service.storage.from(PRIVATE_BUCKET);
    const bytes = sampleBytes(5);
    for (const p of ["v1/a.mp3", "v1/b.mp3", "v1/sub/c.mp3", "v2/d.mp3"]) {
      assert.equal(
        (await bucket.upload(p, bytes, { contentType: "audio/mpeg" })).error,
        null,
      );
    }
    const names = async (prefix: string, opts = {}) => {
      const { data, error } = await bucket.list(prefix, opts);
      assert.equal(error, null);
      return (data ?? []).map((f) => f.name);
    };
    assert.deepEqual(await names(""), ["v1", "v2"]);
    assert.deepEqual(await names("v1"), ["a.mp3", "b.mp3", "sub"]);
    assert.deepEqual(await names("v1/"), ["a.mp3", "b.mp3", "sub"]);
    assert.deepEqual(await names("v1", { limit: 1, offset: 1 }), ["b.mp3"]);
    assert.deepEqual(await names("v1", { search: "B" }), ["b.mp3"]);
    assert.deepEqual(await names("v1", { sortBy: { column: "name", order: "desc" } }), [
      "sub",
      "b.mp3",
      "a.mp3",
    ]);
    const { data } = await bucket.list("v1");
    const file = data?.find((f) => f.name === "a.mp3");
    const folder = data?.find((f) => f.name === "sub");
    assert.equal(typeof file?.id, "string");
    assert.equal(file?.metadata?.size, bytes.length);
    assert.equal(file?.metadata?.mimetype, "audio/mpeg");
    assert.equal(folder?.id, null);
    assert.equal(folder?.metadata, null);
    assert.deepEqual(await names("nothing-here"), []);
  });

  test("remove deletes rows and bytes and returns what it removed", async (fx) => {
    const bucket = fx.service.storage.from(PRIVATE_BUCKET);
    for (const p of ["r/a.mp3", "r/deep/b.mp3"]) {
      assert.equal((await bucket.upload(p, sampleBytes(5))).error, null);
    }
    const { data, error } = await bucket.remove(["r/a.mp3", "r/deep/b.mp3", "r/missing.mp3"]);
    assert.equal(error, null);
    assert.deepEqual(data?.map((o) => o.name).sort(), ["r/a.mp3", "r/deep/b.mp3"]);
    assert.equal(await onDisk(fx, PRIVATE_BUCKET, "r/a.mp3"), null);
    await assert.rejects(
      Deno.stat(join(fx.storageRoot, PRIVATE_BUCKET, "r", "deep")),
      "emptied folder pruned",
    );

    const down = await bucket.download("r/a.mp3");
    assert.equal(errorOf(down.error)?.status, 404);
    const res = await storageFetch(fx, "GET", `object/${PRIVATE_BUCKET}/r/a.mp3`);
    assert.equal(res.status, 404);
    const body = await jsonOf(res);
    assert.equal(body.statusCode, "404");
    assert.equal(body.code, "NoSuchKey");
    assert.equal(typeof body.message, "string");
    assert.deepEqual((await bucket.list("r")).data, []);
  });
}
