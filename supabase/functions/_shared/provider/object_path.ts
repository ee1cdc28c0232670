// Content-addressed Storage paths for generated audio: the same text, voice, model and format
// always map to the same object, so identical text is generated once and uploads are idempotent.
//
// textHash must equal the SQL side's
//   encode(sha256(convert_to(normalize(btrim(text), NFC), 'UTF8')), 'hex')
// Postgres' one-argument btrim removes only the space character (U+0020), not tabs, newlines or
// other Unicode spaces, so the trim here is the same narrow one (String.trim would differ).

import type { OutputFormat } from "./types.ts";

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

/** File extension for a container. */
export function audioExtension(container: OutputFormat["container"]): string {
  return container;
}

/**
 * `<voiceId>/<modelId>/<container>-<encoding>-<sampleRate>[-<bitRate>]/<textHash>.<ext>` (the
 * bit rate only for mp3, the one container where it changes the bytes), each
 * segment reduced to [A-Za-z0-9._-] (anything else becomes "_"). Throws when a segment would be
 * empty or made of dots only, or textHash is not 64 lowercase hex characters.
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
  const formatParts = [f.container, f.encoding, String(f.sampleRate)];
  if (f.container === "mp3") {
    if (f.bitRate === undefined) {
      throw new Error("audioObjectPath: format.bitRate is required for mp3 (e.g. 128000)");
    }
    formatParts.push(String(f.bitRate));
  }
  const segments = [
    safeSegment("voiceId", opts.voiceId),
    safeSegment("modelId", opts.modelId),
    safeSegment("format", formatParts.join("-")),
    `${opts.textHash}.${audioExtension(f.container)}`,
  ];
  return segments.join("/");
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
