// The worker's Storage upload (storage_upload.ts): the request storage-js's upload sends for a
// byte body, and its error texts — an error answer's message, a fetch that failed.
import assert from "node:assert/strict";
import { storageUploader } from "../../supabase/functions/_shared/storage_upload.ts";
import { timedFetch } from "../../supabase/functions/_shared/app.ts";
import { countingServer } from "../helpers/connection_count.ts";

const KEY = "service-key-for-tests";

// A fetch that records each request and answers with `answer`.
function recording(answer: () => Response) {
  const seen: Request[] = [];
  const fetch: typeof globalThis.fetch = (input, init) => {
    seen.push(new Request(input, init));
    return Promise.resolve(answer());
  };
  return { seen, fetch };
}

const uploader = (fetch: typeof globalThis.fetch) =>
  storageUploader({ supabaseUrl: "http://project.test/", key: KEY, bucket: "word-audio", fetch });

Deno.test("an upload is one POST of the bytes to the bucket's object path, upserting", async () => {
  const r = recording(() => Response.json({ Key: "word-audio/v/m/a.wav" }));
  const bytes = new Uint8Array([82, 73, 70, 70, 1, 2, 3]);
  await uploader(r.fetch)("/v/m//a.wav", bytes, "audio/wav");
  assert.equal(r.seen.length, 1);
  const req = r.seen[0];
  assert.equal(req.method, "POST");
  assert.equal(req.url, "http://project.test/storage/v1/object/word-audio/v/m/a.wav");
  assert.equal(req.headers.get("x-upsert"), "true");
  assert.equal(req.headers.get("content-type"), "audio/wav");
  assert.equal(req.headers.get("cache-control"), "max-age=3600");
  assert.equal(req.headers.get("apikey"), KEY);
  assert.equal(req.headers.get("authorization"), `Bearer ${KEY}`);
  assert.deepEqual(new Uint8Array(await req.arrayBuffer()), bytes);
});

Deno.test("an error answer fails the upload with Storage's message", async () => {
  const r = recording(() =>
    Response.json({ statusCode: "403", message: "new row violates policy" }, { status: 400 })
  );
  await assert.rejects(uploader(r.fetch)("a.wav", new Uint8Array([1]), "audio/wav"), {
    message: "Storage upload of a.wav failed: new row violates policy",
  });
});

Deno.test("an error answer without JSON fails with its status text", async () => {
  const r = recording(() =>
    new Response("<html>bad gateway</html>", { status: 502, statusText: "Bad Gateway" })
  );
  await assert.rejects(uploader(r.fetch)("a.wav", new Uint8Array([1]), "audio/wav"), {
    message: "Storage upload of a.wav failed: Bad Gateway",
  });
});

Deno.test("a Storage that never answers fails the upload with the timeout's text", async () => {
  const hanging: typeof fetch = (_input, init) =>
    new Promise((_, reject) => {
      init?.signal?.addEventListener("abort", () => reject(init.signal?.reason), { once: true });
    });
  await assert.rejects(
    uploader(timedFetch(hanging, 20))("a.wav", new Uint8Array([1]), "audio/wav"),
    {
      message: "Storage upload of a.wav failed: Storage did not answer within 20 ms",
    },
  );
});

// Every clip is uploaded to the same host: an answer not read to its end cannot give its
// connection back to the pool, so each upload would open a new one (over HTTPS, a TLS handshake
// each).
Deno.test("uploads one after another go over one connection", async () => {
  const server = countingServer(async (req) => {
    await req.arrayBuffer();
    return Response.json({ Key: "word-audio/a.wav", Id: "1" });
  });
  try {
    const upload = storageUploader({
      supabaseUrl: server.url,
      key: KEY,
      bucket: "word-audio",
      fetch: timedFetch(fetch, 5000),
    });
    const bytes = new Uint8Array(150_000).fill(7);
    for (let i = 0; i < 20; i++) await upload(`v/m/${i}.wav`, bytes, "audio/wav");
    assert.equal(server.connections(), 1, `20 uploads used ${server.connections()} connections`);
  } finally {
    await server.close();
  }
});
