// parseWav: the format fields and duration of a RIFF/WAVE file, or an error saying what is wrong.
export interface WavInfo {
  channels: number;
  sampleRate: number;
  bitsPerSample: number;
  formatTag: number;
  dataBytes: number;
  durationS: number;
}

export function parseWav(bytes: Uint8Array): WavInfo {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const tag = (at: number) => String.fromCharCode(...bytes.subarray(at, at + 4));
  if (bytes.length < 44 || tag(0) !== "RIFF" || tag(8) !== "WAVE") {
    throw new Error("not a RIFF/WAVE file");
  }
  let at = 12;
  let fmt: Omit<WavInfo, "dataBytes" | "durationS"> | null = null;
  while (at + 8 <= bytes.length) {
    const id = tag(at);
    const size = view.getUint32(at + 4, true);
    if (id === "fmt ") {
      fmt = {
        formatTag: view.getUint16(at + 8, true),
        channels: view.getUint16(at + 10, true),
        sampleRate: view.getUint32(at + 12, true),
        bitsPerSample: view.getUint16(at + 22, true),
      };
    } else if (id === "data") {
      if (!fmt) throw new Error("data chunk before fmt chunk");
      const dataBytes = Math.min(size, bytes.length - at - 8);
      const frame = fmt.channels * (fmt.bitsPerSample / 8);
      return { ...fmt, dataBytes, durationS: dataBytes / frame / fmt.sampleRate };
    }
    at += 8 + size + (size % 2);
  }
  throw new Error("no data chunk");
}
