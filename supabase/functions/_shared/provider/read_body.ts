// An answer's body read into one buffer. When the answer says its length (and is not compressed,
// so that length is the body's), the buffer is allocated once at that size and the body is read
// straight into it (a BYOB reader: no chunk of its own per read); otherwise Response.arrayBuffer.
// Measured on Deno 2.9 with 150 kB answers, 15 at a time, 600 in all: arrayBuffer raised the
// process's resident memory by about 80 MiB, the sized buffer by about 36 MiB, for the same CPU.

/** The largest length taken on the answer's word for one allocation: a 20 s clip at 48 kHz in
 * 32-bit floats is under 4 MB, so a header claiming more than this is read as it comes instead. */
const MAX_PRESIZED_BYTES = 32 * 1024 * 1024;
/** Once the buffer is full, the next read goes into a spare buffer of this size: an answer longer
 * than it said is kept whole, and one of its stated length costs no larger allocation. */
const SPARE_BYTES = 16 * 1024;

/** Buffers larger than this are not kept for reuse (a 20 s clip at 44.1 kHz in 16 bits is 1.7 MB;
 * the clips a worker reads are mostly a few hundred kB). */
const MAX_KEPT_BYTES = 2 * 1024 * 1024;
/** New buffers are allocated in steps of this size, so a kept one fits the next few clips. */
const BUFFER_STEP_BYTES = 64 * 1024;

/**
 * Buffers for answers' bodies, used again once their audio is stored. A worker at C = 15 with
 * 200 ms requests reads ~75 clips a second; a new buffer for each left tens of MiB of finished
 * clips waiting for the garbage collector (bench at C = 15, one worker: peak RSS 154 MiB, 131 MiB
 * with the buffers kept).
 * A buffer is given back only when nothing reads its bytes any more (the upload's answer came);
 * reading into it again detaches every view of it, so a late reader sees an empty array, never
 * another clip's bytes.
 */
export class BodyBuffers {
  readonly #kept: ArrayBuffer[] = [];

  /** At most `maxKept` buffers are kept between uses. */
  constructor(private readonly maxKept: number) {}

  /** A buffer of at least `size` bytes: a kept one when one is large enough, else a new one. */
  take(size: number): ArrayBuffer {
    const i = this.#kept.findIndex((b) => !b.detached && b.byteLength >= size);
    if (i >= 0) return this.#kept.splice(i, 1)[0];
    return new ArrayBuffer(Math.ceil(size / BUFFER_STEP_BYTES) * BUFFER_STEP_BYTES);
  }

  /** Gives a body's buffer back (the one `readBody` returned a view of). */
  give(buffer: ArrayBufferLike): void {
    if (!(buffer instanceof ArrayBuffer) || buffer.detached) return;
    if (buffer.byteLength > MAX_KEPT_BYTES || this.#kept.length >= this.maxKept) return;
    if (!this.#kept.includes(buffer)) this.#kept.push(buffer);
  }

  /** Buffers kept now. */
  get kept(): number {
    return this.#kept.length;
  }
}

export async function readBody(response: Response, buffers?: BodyBuffers): Promise<Uint8Array> {
  const declared = Number(response.headers.get("content-length") ?? NaN);
  const sized = response.body !== null && !response.headers.has("content-encoding") &&
    Number.isSafeInteger(declared) && declared > 0 && declared <= MAX_PRESIZED_BYTES;
  const reader = sized ? byobReader(response.body!) : null;
  if (!reader) return new Uint8Array(await response.arrayBuffer());
  let buf = buffers ? buffers.take(declared) : new ArrayBuffer(declared);
  let at = 0;
  for (;;) {
    const room = buf.byteLength - at;
    const { value, done } = await reader.read(
      room > 0 ? new Uint8Array(buf, at, room) : new Uint8Array(SPARE_BYTES),
    );
    // The read transfers our buffer: it comes back as the view's, also on the last (empty) read.
    if (room > 0 && value) buf = value.buffer;
    if (done || !value) break;
    if (room === 0) {
      const bigger = new ArrayBuffer(Math.max(buf.byteLength * 2, at + value.byteLength));
      new Uint8Array(bigger).set(new Uint8Array(buf, 0, at));
      new Uint8Array(bigger).set(value, at);
      buf = bigger;
    }
    at += value.byteLength;
  }
  reader.releaseLock();
  return new Uint8Array(buf, 0, at);
}

// A reader that reads into our buffer, or null where the body is not a byte stream.
function byobReader(body: ReadableStream<Uint8Array>): ReadableStreamBYOBReader | null {
  try {
    return body.getReader({ mode: "byob" });
  } catch {
    return null;
  }
}
