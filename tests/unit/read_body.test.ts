// An answer's body read into one buffer (provider/read_body.ts): every byte, in order, whether the
// answer states its length truly, too short, too long, or not at all, and whether its body is a
// byte stream (as fetch's is, read into the buffer) or not.
import assert from "node:assert/strict";
import { readBody } from "../../supabase/functions/_shared/provider/read_body.ts";

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
