// An answer's body read into one buffer (provider/read_body.ts): every byte, in order, whether the
// answer states its length truly, too short, too long, or not at all, and whether its body is a
// byte stream (as fetch's is, read into the buffer) or not.
import assert from "node:assert/strict";
import { BodyBuffers, readBody } from "../../supabase/functions/_shared/provider/read_body.ts";

// An answer whose body arrives in these chunks, with these headers; a byte stream unless `plain`.
function answer(chunks: number[][], headers: Record<string, string>, plain = false): Response {
  const start = (c: ReadableStreamDefaultController<Uint8Array> | ReadableByteStreamController) => {
    for (const chunk of chunks) c.enqueue(new Uint8Array(chunk));
    c.close();
  };
  const body = plain
    ? new ReadableStream<Uint8Array>({ start })
    : new ReadableStream({ type: "bytes", start });
  return new Response(body, { headers });
}

const CHUNKS = [[1, 2, 3], [4, 5], [6, 7, 8, 9]];
const ALL = new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8, 9]);

Deno.test("a body of its stated length arrives whole, chunk after chunk", async () => {
  assert.deepEqual(await readBody(answer(CHUNKS, { "content-length": "9" })), ALL);
});

Deno.test("a body longer than stated is kept whole", async () => {
  assert.deepEqual(await readBody(answer(CHUNKS, { "content-length": "4" })), ALL);
  const big = Array.from({ length: 40_000 }, (_, i) => i % 251);
  const got = await readBody(answer([big.slice(0, 10), big.slice(10)], { "content-length": "10" }));
  assert.deepEqual(got, new Uint8Array(big));
});

Deno.test("a body shorter than stated ends where the bytes end", async () => {
  assert.deepEqual(await readBody(answer(CHUNKS, { "content-length": "20" })), ALL);
});

Deno.test("a body with no stated length, a compressed one or no byte stream is read whole", async () => {
  assert.deepEqual(await readBody(answer(CHUNKS, {})), ALL);
  const gz = { "content-length": "3", "content-encoding": "gzip" };
  assert.deepEqual(await readBody(answer(CHUNKS, gz)), ALL);
  assert.deepEqual(await readBody(answer(CHUNKS, { "content-length": "9" }, true)), ALL);
});

Deno.test("with buffers: a body goes into a buffer given back before, and the old view empties", async () => {
  const buffers = new BodyBuffers(2);
  const first = await readBody(answer(CHUNKS, { "content-length": "9" }), buffers);
  assert.deepEqual(first, ALL);
  assert.equal(buffers.kept, 0);
  buffers.give(first.buffer);
  assert.equal(buffers.kept, 1);
  const second = await readBody(answer([[9, 8], [7]], { "content-length": "3" }), buffers);
  assert.deepEqual(second, new Uint8Array([9, 8, 7]));
  assert.equal(buffers.kept, 0, "the kept buffer was taken");
  // The first clip's view is of a buffer read into again: empty, never the second clip's bytes.
  assert.equal(first.length, 0);
});

Deno.test("with buffers: a body larger than every kept buffer gets a new one; the kept stay", async () => {
  const buffers = new BodyBuffers(2);
  buffers.give(new ArrayBuffer(16));
  const big = Array.from({ length: 1000 }, (_, i) => i % 251);
  const got = await readBody(
    answer([big.slice(0, 600), big.slice(600)], { "content-length": "1000" }),
    buffers,
  );
  assert.deepEqual(got, new Uint8Array(big));
  assert.equal(buffers.kept, 1);
});

Deno.test("buffers kept: at most maxKept, each once, none detached or over 2 MiB", () => {
  const buffers = new BodyBuffers(2);
  const a = new ArrayBuffer(8);
  buffers.give(a);
  buffers.give(a);
  assert.equal(buffers.kept, 1, "the same buffer is kept once");
  const detached = new ArrayBuffer(8);
  structuredClone(detached, { transfer: [detached] });
  buffers.give(detached);
  buffers.give(new ArrayBuffer(3 * 1024 * 1024));
  assert.equal(buffers.kept, 1);
  buffers.give(new ArrayBuffer(8));
  buffers.give(new ArrayBuffer(8));
  assert.equal(buffers.kept, 2, "no more than maxKept");
  assert.equal(buffers.take(4), a, "a kept buffer large enough is taken first");
  assert.equal(buffers.take(100).byteLength, 64 * 1024, "else a new one, in 64 KiB steps");
});
