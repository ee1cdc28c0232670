// Test support: Storage contract cases for who may do what (keys, public buckets, signed URLs),
// hostile paths, buckets, Range/HEAD and file-handle hygiene (see storage_contract.ts).
import assert from "node:assert/strict";
import { join } from "node:path";
import { signJwt } from "../keys.ts";
import { jsonOf, PRIVATE_BUCKET, PUBLIC_BUCKET } from "./fixture.ts";
import {
  bytesOf,
  caseRunner,
  errorOf,
  FD_POLL_MS,
  FD_POLLS,
  fdsOpenOn,
  type FixtureFactory,
  onDisk,
  sampleBytes,
  storageFetch,
} from "./contract_helpers.ts";

export function registerAccessCases(label: string, setup: FixtureFactory): void {
  const test = caseRunner(label, setup);

  test("signed URLs stream the object to anyone with the token; bad tokens are refused", async (fx) => {
    const bytes = sampleBytes();
    const bucket = fx.service.storage.from(PRIVATE_BUCKET);
    assert.equal(
      (await bucket.upload("s/one.mp3", bytes, { contentType: "audio/mpeg" })).error,
      null,
    );
    assert.equal((await bucket.upload("s/two.mp3", sampleBytes(3))).error, null);

    const { data, error } = await bucket.createSignedUrl("s/one.mp3", 120);
    assert.equal(error, null);
    const signed = new URL(data!.signedUrl);
    assert.equal(signed.pathname, `/storage/v1/object/sign/${PRIVATE_BUCKET}/s/one.mp3`);
    const res = await fetch(signed);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get("content-type"), "audio/mpeg");
    assert.deepEqual(new Uint8Array(await res.arrayBuffer()), bytes);

    const token = signed.searchParams.get("token")!;
    const [h, p, s] = token.split(".");
    const flipped = s[0] === "A" ? `B${s.slice(1)}` : `A${s.slice(1)}`;
    const expired = await signJwt(fx.jwtSecret, { url: `${PRIVATE_BUCKET}/s/one.mp3` }, -30);
    const cases: Array<[string, string]> = [
      [`object/sign/${PRIVATE_BUCKET}/s/one.mp3?token=${h}.${p}.${flipped}`, "tampered signature"],
      [`object/sign/${PRIVATE_BUCKET}/s/two.mp3?token=${token}`, "token of another object"],
      [`object/sign/${PRIVATE_BUCKET}/s/one.mp3?token=${expired}`, "expired"],
      [`object/sign/${PRIVATE_BUCKET}/s/one.mp3`, "no token"],
    ];
    for (const [path, why] of cases) {
      const bad = await storageFetch(fx, "GET", path, { token: null });
      assert.equal(bad.status, 400, why);
      const text = await bad.text();
      assert.ok(!text.includes(token) && !text.includes(expired), `${why}: token not echoed`);
    }

    const missing = await bucket.createSignedUrl("s/none.mp3", 60);
    assert.equal(errorOf(missing.error)?.status, 404);
    const many = await bucket.createSignedUrls(["s/one.mp3", "s/none.mp3"], 60);
    assert.equal(many.error, null);
    assert.equal(typeof many.data?.[0].signedUrl, "string");
    assert.equal(many.data?.[1].signedUrl, null);
    const viaMany = await fetch(many.data![0].signedUrl!);
    assert.deepEqual(new Uint8Array(await viaMany.arrayBuffer()), bytes);
  });

  test("path traversal, empty segments, NUL and absolute paths are refused with 400", async (fx) => {
    const outside = join(fx.storageRoot, "..");
    const before = new Set<string>();
    for await (const e of Deno.readDir(outside)) before.add(e.name);

    const badPaths = [
      `object/${PRIVATE_BUCKET}/a/..%2F..%2F..%2Fescape.bin`,
      `object/${PRIVATE_BUCKET}/..%2Fescape.bin`,
      `object/${PRIVATE_BUCKET}/a%2F%2E%2E%2F%2E%2E%2Fescape.bin`,
      `object/${PRIVATE_BUCKET}/%2Ftmp%2Fescape.bin`,
      `object/${PRIVATE_BUCKET}/a//b.bin`,
      `object/${PRIVATE_BUCKET}/a/b%00.bin`,
      `object/${PRIVATE_BUCKET}/a%5C..%5Cb.bin`,
      `object/..%2F..%2Fetc/escape.bin`,
    ];
    for (const path of badPaths) {
      const res = await storageFetch(fx, "POST", path, {
        body: sampleBytes(4),
        headers: { "content-type": "application/octet-stream" },
      });
      assert.equal(res.status, 400, path);
      const body = await jsonOf(res);
      assert.equal(body.statusCode, "400", path);
      const get = await storageFetch(fx, "GET", path);
      assert.equal(get.status, 400, `GET ${path}`);
      await get.body?.cancel();
    }
    const viaClient = await fx.service.storage.from(PRIVATE_BUCKET).upload(
      "a/..%2F..%2Fescape.bin",
      sampleBytes(4),
    );
    assert.equal(errorOf(viaClient.error)?.status, 400);

    for await (const e of Deno.readDir(outside)) {
      assert.ok(before.has(e.name), `nothing new next to the storage root (${e.name})`);
    }
    const inBucket: string[] = [];
    const bucketDir = join(fx.storageRoot, PRIVATE_BUCKET);
    // Without a database the bucket folder exists up front; with one it appears on first upload.
    if (await Deno.stat(bucketDir).then(() => true, () => false)) {
      for await (const e of Deno.readDir(bucketDir)) inBucket.push(e.name);
    }
    assert.deepEqual(inBucket, [], "nothing written into the bucket either");
  });

  test("only the service role writes; anon and users read public buckets only", async (fx) => {
    const bytes = sampleBytes(40);
    for (const b of [PRIVATE_BUCKET, PUBLIC_BUCKET]) {
      assert.equal(
        (await fx.service.storage.from(b).upload("p/x.mp3", bytes, { contentType: "audio/mpeg" }))
          .error,
        null,
      );
    }
    for (const client of [fx.anon, fx.user]) {
      const up = await client.storage.from(PRIVATE_BUCKET).upload("p/evil.mp3", sampleBytes(4));
      assert.equal(errorOf(up.error)?.status, 403);
      const over = await client.storage.from(PUBLIC_BUCKET).upload("p/x.mp3", sampleBytes(4), {
        upsert: true,
      });
      assert.equal(errorOf(over.error)?.status, 403);
      const rm = await client.storage.from(PUBLIC_BUCKET).remove(["p/x.mp3"]);
      assert.equal(errorOf(rm.error)?.status, 403);
      const priv = await client.storage.from(PRIVATE_BUCKET).download("p/x.mp3");
      assert.equal(errorOf(priv.error)?.status, 404, "private objects are invisible");
      const pub = await client.storage.from(PUBLIC_BUCKET).download("p/x.mp3");
      assert.deepEqual(await bytesOf(pub.data), bytes);
    }
    assert.equal((await fx.service.storage.from(PRIVATE_BUCKET).exists("p/evil.mp3")).data, false);
    assert.equal(await onDisk(fx, PRIVATE_BUCKET, "p/evil.mp3"), null);
    assert.deepEqual(
      await bytesOf((await fx.service.storage.from(PUBLIC_BUCKET).download("p/x.mp3")).data),
      bytes,
    );

    const publicUrl = fx.anon.storage.from(PUBLIC_BUCKET).getPublicUrl("p/x.mp3").data.publicUrl;
    const pub = await fetch(publicUrl);
    assert.equal(pub.status, 200);
    assert.deepEqual(new Uint8Array(await pub.arrayBuffer()), bytes);
    const privUrl = fx.anon.storage.from(PRIVATE_BUCKET).getPublicUrl("p/x.mp3").data.publicUrl;
    const priv = await fetch(privUrl);
    assert.equal(priv.status, 404);
    await priv.body?.cancel();

    const noToken = await storageFetch(fx, "GET", `object/${PRIVATE_BUCKET}/p/x.mp3`, {
      token: null,
    });
    assert.equal(noToken.status, 400);
    assert.equal((await jsonOf(noToken)).code, "InvalidJWT");
    const forged = `${fx.serviceRoleKey.slice(0, -4)}AAAA`;
    const bad = await storageFetch(fx, "GET", `object/${PRIVATE_BUCKET}/p/x.mp3`, {
      token: forged,
    });
    assert.equal(bad.status, 400);
    assert.ok(!(await bad.text()).includes(forged), "the token is not echoed");
  });

  test("buckets: the service role sees all, others the public ones; unknown is 404", async (fx) => {
    const all = await fx.service.storage.listBuckets();
    assert.equal(all.error, null);
    const ids = (all.data ?? []).map((b) => b.id);
    assert.ok(ids.includes(PRIVATE_BUCKET) && ids.includes(PUBLIC_BUCKET));
    const priv = await fx.service.storage.getBucket(PRIVATE_BUCKET);
    assert.equal(priv.data?.public, false);
    assert.equal(priv.data?.name, PRIVATE_BUCKET);
    assert.equal((await fx.service.storage.getBucket(PUBLIC_BUCKET)).data?.public, true);
    const anon = await fx.anon.storage.listBuckets();
    assert.deepEqual((anon.data ?? []).map((b) => b.id), [PUBLIC_BUCKET]);
    assert.equal(errorOf((await fx.anon.storage.getBucket(PRIVATE_BUCKET)).error)?.status, 404);
    assert.equal(
      errorOf((await fx.service.storage.getBucket("no-such-bucket")).error)?.status,
      404,
    );
    const up = await fx.service.storage.from("no-such-bucket").upload("a.mp3", sampleBytes(1));
    assert.equal(errorOf(up.error)?.status, 404);
  });

  test("Range, HEAD and If-None-Match on downloads", async (fx) => {
    const bytes = sampleBytes();
    const n = bytes.length;
    assert.equal(
      (await fx.service.storage.from(PUBLIC_BUCKET).upload("r.mp3", bytes, {
        contentType: "audio/mpeg",
      })).error,
      null,
    );
    const path = `object/public/${PUBLIC_BUCKET}/r.mp3`;
    const part = await storageFetch(fx, "GET", path, {
      token: null,
      headers: { range: "bytes=2-5" },
    });
    assert.equal(part.status, 206);
    assert.equal(part.headers.get("content-range"), `bytes 2-5/${n}`);
    assert.deepEqual(new Uint8Array(await part.arrayBuffer()), bytes.subarray(2, 6));
    const tail = await storageFetch(fx, "GET", path, {
      token: null,
      headers: { range: "bytes=-3" },
    });
    assert.equal(tail.status, 206);
    assert.deepEqual(new Uint8Array(await tail.arrayBuffer()), bytes.subarray(n - 3));
    const open = await storageFetch(fx, "GET", path, {
      token: null,
      headers: { range: `bytes=${n - 10}-` },
    });
    assert.deepEqual(new Uint8Array(await open.arrayBuffer()), bytes.subarray(n - 10));
    const beyond = await storageFetch(fx, "GET", path, {
      token: null,
      headers: { range: `bytes=${n}-` },
    });
    assert.equal(beyond.status, 416);
    assert.equal(beyond.headers.get("content-range"), `bytes */${n}`);
    await beyond.body?.cancel();

    const head = await storageFetch(fx, "HEAD", path, { token: null });
    assert.equal(head.status, 200);
    assert.equal(head.headers.get("content-length"), String(n));
    assert.equal(head.headers.get("accept-ranges"), "bytes");
    assert.equal((await head.arrayBuffer()).byteLength, 0);
    const etag = head.headers.get("etag")!;
    const cached = await storageFetch(fx, "GET", path, {
      token: null,
      headers: { "if-none-match": etag },
    });
    assert.equal(cached.status, 304);
    await cached.body?.cancel();
  });

  test("a client that stops reading a download does not leak the file", async (fx) => {
    // Big enough that the server is still streaming when the client cancels.
    const big = new Uint8Array(32 * 1024 * 1024).fill(7);
    assert.equal((await fx.service.storage.from(PUBLIC_BUCKET).upload("big.bin", big)).error, null);
    const file = await Deno.realPath(join(fx.storageRoot, PUBLIC_BUCKET, "big.bin"));
    const res = await storageFetch(fx, "GET", `object/public/${PUBLIC_BUCKET}/big.bin`, {
      token: null,
    });
    const reader = res.body!.getReader();
    const first = await reader.read();
    assert.ok(first.value && first.value.byteLength > 0);
    assert.ok(await fdsOpenOn(file) > 0, "the server holds the file while streaming");
    await reader.cancel();
    // The server closes the file once it sees the cancel; poll a bounded number of times.
    let open = -1;
    for (let i = 0; i < FD_POLLS && open !== 0; i++) {
      open = await fdsOpenOn(file);
      if (open !== 0) await new Promise((r) => setTimeout(r, FD_POLL_MS));
    }
    assert.equal(open, 0, "no file descriptor of this process still points at the object");
  });
}
