// MP3 for the stand-in: pipes 16-bit PCM through Debian's `lame` (stdin → stdout). When lame
// is not installed the caller answers 400 saying so; the stand-in never fakes MP3 bytes.

export type Mp3Result =
  | { ok: true; bytes: Uint8Array<ArrayBuffer> }
  | { ok: false; unavailable: boolean; message: string };

/** The 400 message when MP3 cannot be made; `lameCommand` null means switched off. */
export function mp3UnavailableMessage(lameCommand: string | null): string {
  const why = lameCommand === null
    ? "MP3 output is switched off in this stand-in (lameCommand: null)"
    : `"${lameCommand}" is not installed (apt-get install lame)`;
  return `output_format.container: mp3 is unavailable in the stand-in because ${why}; ask for wav or raw`;
}

/** lame wants the rate in kHz: 22050 → "22.05". */
function khz(sampleRate: number): string {
  return String(sampleRate / 1000);
}

/**
 * Encodes mono pcm_s16le to MP3 at the requested rate and bit rate (lame lowers a bit rate the
 * MPEG layer cannot carry at low sample rates, e.g. 8 kHz tops out at 64 kbps). Killing the
 * child when `signal` aborts; the child is always awaited, so nothing outlives the request.
 */
export async function encodeMp3(opts: {
  lameCommand: string;
  pcmS16: Uint8Array;
  sampleRate: number;
  bitRate: number;
  signal: AbortSignal;
}): Promise<Mp3Result> {
  const rate = khz(opts.sampleRate);
  let child: Deno.ChildProcess;
  try {
    child = new Deno.Command(opts.lameCommand, {
      args: [
        "-r",
        "-s",
        rate,
        "--bitwidth",
        "16",
        "--signed",
        "--little-endian",
        "-m",
        "m",
        "-b",
        String(opts.bitRate / 1000),
        "--resample",
        rate,
        "--quiet",
        "-",
        "-",
      ],
      stdin: "piped",
      stdout: "piped",
      stderr: "piped",
      signal: opts.signal,
    }).spawn();
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) {
      return {
        ok: false,
        unavailable: true,
        message: mp3UnavailableMessage(opts.lameCommand),
      };
    }
    throw err;
  }
  const output = child.output();
  const writer = child.stdin.getWriter();
  try {
    await writer.write(opts.pcmS16);
    await writer.close();
  } catch {
    // The child died or was killed (request aborted); its exit status below says which.
  }
  const { success, code, stdout, stderr } = await output;
  if (!success) {
    const text = new TextDecoder().decode(stderr).trim().slice(0, 300);
    return { ok: false, unavailable: false, message: `lame failed (exit ${code}): ${text}` };
  }
  return { ok: true, bytes: stdout };
}
