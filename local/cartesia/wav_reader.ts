// Reads a WAV file's header (RIFF/WAVE, fmt and data chunks) so tests can check what the
// stand-in or the provider returned, or what the pipeline stored: format, rate, and duration.
// Throws naming what is wrong.

export interface WavInfo {
  /** 1 integer PCM, 3 IEEE float, 6 A-law, 7 μ-law. */
  formatTag: number;
  channels: number;
  sampleRate: number;
  bitsPerSample: number;
  dataBytes: number;
  durationMs: number;
}

export function readWav(bytes: Uint8Array): WavInfo {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const text = (at: number) => String.fromCharCode(...bytes.subarray(at, at + 4));
  if (bytes.length < 12 || text(0) !== "RIFF" || text(8) !== "WAVE") {
    throw new Error("readWav: not a RIFF/WAVE file (the first 12 bytes are not RIFF....WAVE)");
  }
  if (view.getUint32(4, true) !== bytes.length - 8) {
    throw new Error(
      `readWav: RIFF size ${view.getUint32(4, true)} does not match the file (${bytes.length - 8})`,
    );
  }
  let fmt: Omit<WavInfo, "dataBytes" | "durationMs"> | undefined;
  // A chunk walk is bounded by the file size: each step advances at least 8 bytes.
  for (let at = 12; at + 8 <= bytes.length;) {
    const id = text(at);
    const size = view.getUint32(at + 4, true);
    const body = at + 8;
    if (id === "fmt ") {
      fmt = {
        formatTag: view.getUint16(body, true),
        channels: view.getUint16(body + 2, true),
        sampleRate: view.getUint32(body + 4, true),
        bitsPerSample: view.getUint16(body + 14, true),
      };
    } else if (id === "data") {
      if (fmt === undefined) throw new Error("readWav: data chunk before the fmt chunk");
      if (body + size > bytes.length) {
        throw new Error(`readWav: data chunk says ${size} bytes but the file ends sooner`);
      }
      const frameBytes = (fmt.bitsPerSample / 8) * fmt.channels;
      const durationMs = (size / frameBytes / fmt.sampleRate) * 1000;
      return { ...fmt, dataBytes: size, durationMs };
    }
    at = body + size + (size % 2);
  }
  throw new Error("readWav: no data chunk");
}
