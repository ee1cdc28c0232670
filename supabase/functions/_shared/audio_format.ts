// The audio formats audio-queue can ask Cartesia for, and what follows from one: the format key
// stored on batches and segments, the content type of the stored file, and the content-addressed
// Storage path. Settings validation, the provider client and the worker all check formats here,
// so a format refused in one place is refused in every place.

/** Containers Cartesia's Bytes endpoint returns. */
export const CONTAINERS = ["wav", "mp3", "raw"] as const;
/** PCM encodings Cartesia accepts for wav and raw (mp3 ignores it). */
export const ENCODINGS = ["pcm_s16le", "pcm_f32le", "pcm_mulaw", "pcm_alaw"] as const;
/** Sample rates Cartesia accepts, in Hz. */
export const SAMPLE_RATES = [8000, 16000, 22050, 24000, 44100, 48000] as const;
/** Bit rates Cartesia accepts for mp3, in bit/s. */
export const MP3_BIT_RATES = [32000, 64000, 96000, 128000, 192000] as const;

export type AudioContainer = (typeof CONTAINERS)[number];
type AudioEncoding = (typeof ENCODINGS)[number];

/** The audio format to request; `bitRate` is required for mp3 and ignored otherwise. */
export interface OutputFormat {
  container: AudioContainer;
  encoding: AudioEncoding;
  sampleRate: number;
  bitRate?: number;
}

/** The stored file's content type per container; also what the provider client assumes when
 * Cartesia sends none. */
const CONTENT_TYPES: Record<AudioContainer, string> = {
  wav: "audio/wav",
  mp3: "audio/mpeg",
  raw: "application/octet-stream",
};

export function contentTypeOf(container: AudioContainer): string {
  return CONTENT_TYPES[container];
}

/** "one of a, b, c": how every message names the allowed values. */
export function oneOf(allowed: readonly (string | number)[]): string {
  return `one of ${allowed.join(", ")}`;
}

/** What is wrong with a format, one message per field (`<prefix>.<field>: ...`); empty if it
 * can be requested. */
export function formatProblems(f: OutputFormat, prefix = "outputFormat"): string[] {
  const problems: string[] = [];
  if (!(CONTAINERS as readonly string[]).includes(f.container)) {
    problems.push(`${prefix}.container: ${oneOf(CONTAINERS)}, got "${f.container}"`);
  }
  if (!(ENCODINGS as readonly string[]).includes(f.encoding)) {
    problems.push(`${prefix}.encoding: ${oneOf(ENCODINGS)}, got "${f.encoding}"`);
  }
  if (!(SAMPLE_RATES as readonly number[]).includes(f.sampleRate)) {
    problems.push(`${prefix}.sampleRate: ${oneOf(SAMPLE_RATES)}, got ${f.sampleRate}`);
  }
  if (
    f.container === "mp3" &&
    (f.bitRate === undefined || !(MP3_BIT_RATES as readonly number[]).includes(f.bitRate))
  ) {
    problems.push(`${prefix}.bitRate: mp3 needs ${oneOf(MP3_BIT_RATES)}, got ${f.bitRate}`);
  }
  return problems;
}

/** The format the settings ask for (the bit rate only for mp3). */
export function outputFormatFromSettings(s: {
  AUDIO_OUTPUT_CONTAINER: AudioContainer;
  AUDIO_OUTPUT_ENCODING: AudioEncoding;
  AUDIO_OUTPUT_SAMPLE_RATE: number;
  AUDIO_OUTPUT_BIT_RATE: number;
}): OutputFormat {
  return {
    container: s.AUDIO_OUTPUT_CONTAINER,
    encoding: s.AUDIO_OUTPUT_ENCODING,
    sampleRate: s.AUDIO_OUTPUT_SAMPLE_RATE,
    ...(s.AUDIO_OUTPUT_CONTAINER === "mp3" ? { bitRate: s.AUDIO_OUTPUT_BIT_RATE } : {}),
  };
}

// --- The format key ---------------------------------------------------------------------------
// "wav-pcm_s16le-44100", "mp3-pcm_s16le-44100-128000": stored on batches and segments and part of
// the content address, since the same text in another format is other audio.

export function formatKey(f: OutputFormat): string {
  const parts = [f.container, f.encoding, String(f.sampleRate)];
  if (f.container === "mp3") parts.push(String(f.bitRate));
  return parts.join("-");
}

const KEY = new RegExp(`^(${CONTAINERS.join("|")})-(${ENCODINGS.join("|")})-(\\d+)(?:-(\\d+))?$`);

/** The format a key names; throws when the key is not of that shape. */
export function parseFormatKey(key: string): OutputFormat {
  const m = KEY.exec(key);
  if (!m || (m[1] === "mp3") !== (m[4] !== undefined)) {
    throw new Error(
      `format "${key}" is not <wav|raw>-<encoding>-<sample rate> or mp3-<encoding>-<sample rate>-<bit rate>`,
    );
  }
  return {
    container: m[1] as AudioContainer,
    encoding: m[2] as AudioEncoding,
    sampleRate: Number(m[3]),
    ...(m[4] !== undefined ? { bitRate: Number(m[4]) } : {}),
  };
}

// --- The content address ----------------------------------------------------------------------
// The same text, voice, model and format always map to the same object, so identical text is
// generated once and uploads are idempotent.
//
// textHash must equal the SQL side's
//   encode(sha256(convert_to(normalize(btrim(text), NFC), 'UTF8')), 'hex')
// Postgres' one-argument btrim removes only the space character (U+0020), not tabs, newlines or
// other Unicode spaces, so the trim here is the same narrow one (String.trim would differ).

/** What btrim(text) strips by default: spaces only. */
const SQL_BTRIM_DEFAULT = /^ +| +$/g;
const HEX_SHA256 = /^[0-9a-f]{64}$/;
const UNSAFE_PATH_CHARS = /[^A-Za-z0-9._-]/g;

/** Hex SHA-256 of the text, trimmed of spaces like SQL btrim, then NFC-normalised. */
export async function textHash(text: string): Promise<string> {
  const canonical = text.replace(SQL_BTRIM_DEFAULT, "").normalize("NFC");
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(canonical));
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
}

/**
 * `<voiceId>/<modelId>/<format key>/<textHash>.<container>`, each segment reduced to
 * [A-Za-z0-9._-] (anything else becomes "_"). Throws when a segment would be empty or made of
 * dots only, when mp3 has no bit rate, or when textHash is not 64 lowercase hex characters.
 */
export function audioObjectPath(opts: {
  voiceId: string;
  modelId: string;
  format: OutputFormat;
  textHash: string;
}): string {
  if (!HEX_SHA256.test(opts.textHash)) {
    throw new Error(
      `audioObjectPath: textHash must be 64 lowercase hex characters (use textHash(text)), got "${opts.textHash}"`,
    );
  }
  const f = opts.format;
  if (f.container === "mp3" && f.bitRate === undefined) {
    throw new Error("audioObjectPath: format.bitRate is required for mp3 (e.g. 128000)");
  }
  return [
    safeSegment("voiceId", opts.voiceId),
    safeSegment("modelId", opts.modelId),
    safeSegment("format", formatKey(f)),
    `${opts.textHash}.${f.container}`,
  ].join("/");
}

function safeSegment(field: string, value: string): string {
  const cleaned = value.replace(UNSAFE_PATH_CHARS, "_");
  if (cleaned === "" || /^\.+$/.test(cleaned)) {
    throw new Error(
      `audioObjectPath: ${field} "${value}" gives an empty or dots-only path segment; pass a real id`,
    );
  }
  return cleaned;
}
