// A byte range of an open file as a ReadableStream that closes the file when it ends, fails or
// is cancelled (so a client that stops reading does not leak the file handle).

// 64 KiB reads: large enough for few syscalls, small enough to start streaming at once.
const CHUNK_BYTES = 64 * 1024;

export function fileSlice(
  file: Deno.FsFile,
  start: number,
  length: number,
): ReadableStream<Uint8Array> {
  let remaining = length;
  let positioned = false;
  let closed = false;
  const closeFile = () => {
    if (closed) return;
    closed = true;
    file.close();
  };
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        if (!positioned) {
          await file.seek(start, Deno.SeekMode.Start);
          positioned = true;
        }
        const buf = new Uint8Array(Math.min(CHUNK_BYTES, remaining));
        const n = remaining > 0 ? await file.read(buf) : null;
        if (n === null) {
          closeFile();
          controller.close();
          return;
        }
        remaining -= n;
        controller.enqueue(buf.subarray(0, n));
        if (remaining <= 0) {
          closeFile();
          controller.close();
        }
      } catch (err) {
        closeFile();
        controller.error(err);
      }
    },
    cancel() {
      closeFile();
    },
  });
}
