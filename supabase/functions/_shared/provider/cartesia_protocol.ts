// How one request to Cartesia's Text-to-Speech (Bytes) endpoint is written and how its answer
// is read: headers, JSON body, error bodies, and a sanity check of the audio bytes.
//
// Facts relied on (read in Cartesia's API reference, its api-conventions and api-errors pages,
// and the types of the official cartesia-js SDK; restated here in our own words):
// - POST {base}/tts/bytes answers 200 with the whole audio file as the body (audio/* type).
// - Every request carries `Cartesia-Version: YYYY-MM-DD`. Dated API versions seen in the docs:
//   2024-06-10, 2024-11-13, 2025-04-16, 2026-03-01.
// - Authentication: the older versions' docs (2024-06-10, 2024-11-13) say `X-API-Key: <key>`;
//   the current docs and SDK send `Authorization: Bearer <key>`. We send the Bearer form from
//   2025-04-16 on and X-API-Key before that.
// - Body: { model_id, transcript, voice: { mode: "id", id }, output_format, language? }.
//   output_format for wav/raw is { container, encoding, sample_rate } with encoding one of
//   pcm_f32le, pcm_s16le, pcm_mulaw, pcm_alaw; for mp3 it is { container, sample_rate,
//   bit_rate } with bit_rate one of 32000, 64000, 96000, 128000, 192000. Sample rates: 8000,
//   16000, 22050, 24000, 44100, 48000.
// - Errors: from version 2026-03-01 a JSON object { error_code (string or null), title,
//   message, request_id, doc_url? }; older versions may answer plain text "Title: Message".
// - Concurrency is limited per account (TTS: Free 2, Pro 3, Startup 5, Scale 15 requests in
//   flight; each HTTP request is one context). Above it the API answers 429 Too Many Requests.
//   Cartesia documents no Retry-After for it; we honour the header when present anyway. The JSON
//   error of that 429 says error_code "concurrency_limited"; older versions answer it in plain
//   text, with no code (concurrency_limit.ts decides which 429 is which).

import type { AudioContainer, OutputFormat } from "../audio_format.ts";

/** First API version whose docs authenticate with `Authorization: Bearer`. */
const BEARER_SINCE_VERSION = "2025-04-16";

/** Error bodies are read for their message only; a proxy's HTML page must not flood logs. */
const MAX_ERROR_BODY_CHARS = 2000;
/** The message kept on a segment row: long enough for any Cartesia message. */
const MAX_MESSAGE_CHARS = 500;

export function ttsBytesUrl(baseUrl: string): string {
  return `${baseUrl.replace(/\/+$/, "")}/tts/bytes`;
}

/** Request headers for one call; the key goes in the header the version expects. */
export function requestHeaders(opts: { apiKey: string; version: string }): Headers {
  const headers = new Headers({
    "Cartesia-Version": opts.version,
    "Content-Type": "application/json",
  });
  if (opts.version >= BEARER_SINCE_VERSION) {
    headers.set("Authorization", `Bearer ${opts.apiKey}`);
  } else {
    headers.set("X-API-Key", opts.apiKey);
  }
  return headers;
}

/** The JSON body Cartesia expects, in its snake_case field names. */
export function requestBody(opts: {
  modelId: string;
  transcript: string;
  voiceId: string;
  outputFormat: OutputFormat;
  language: string;
}): Record<string, unknown> {
  const f = opts.outputFormat;
  const outputFormat: Record<string, unknown> = f.container === "mp3"
    ? { container: "mp3", sample_rate: f.sampleRate, bit_rate: f.bitRate }
    : { container: f.container, encoding: f.encoding, sample_rate: f.sampleRate };
  return {
    model_id: opts.modelId,
    transcript: opts.transcript,
    voice: { mode: "id", id: opts.voiceId },
    output_format: outputFormat,
    language: opts.language,
  };
}

/**
 * A readable message from an error answer: "title: message" from the JSON shape, or the plain
 * text of older versions, with the API key removed wherever it appears.
 */
export function errorMessage(opts: {
  status: number;
  bodyText: string;
  apiKey: string;
}): string {
  const text = opts.bodyText.slice(0, MAX_ERROR_BODY_CHARS).trim();
  let detail = text;
  try {
    const parsed: unknown = JSON.parse(text);
    if (parsed !== null && typeof parsed === "object") {
      const obj = parsed as Record<string, unknown>;
      const title = typeof obj.title === "string" ? obj.title : "";
      const message = typeof obj.message === "string" ? obj.message : "";
      const code = typeof obj.error_code === "string" ? ` (${obj.error_code})` : "";
      if (title || message) detail = [title, message].filter((s) => s !== "").join(": ") + code;
    }
  } catch {
    // Not JSON: older API versions answer plain text, kept as it is.
  }
  const base = `Cartesia answered ${opts.status}${detail ? `: ${detail}` : ""}`;
  return redact(base, opts.apiKey).slice(0, MAX_MESSAGE_CHARS);
}

/**
 * The error_code of an error answer: a string, or null, from the JSON shape (2026-03-01 on, where
 * the field is always present); undefined when the body carries no code (the plain text of older
 * versions, an empty body, a proxy's page).
 */
export function errorCodeOf(bodyText: string): string | null | undefined {
  try {
    const parsed: unknown = JSON.parse(bodyText.slice(0, MAX_ERROR_BODY_CHARS));
    if (parsed === null || typeof parsed !== "object" || !("error_code" in parsed)) {
      return undefined;
    }
    const code = (parsed as { error_code: unknown }).error_code;
    return typeof code === "string" ? code : null;
  } catch {
    return undefined;
  }
}

/** Removes the API key from any text that may be logged or stored. */
export function redact(text: string, apiKey: string): string {
  return apiKey.length >= 4 ? text.replaceAll(apiKey, "[redacted]") : text;
}

/**
 * Whether the bytes look like the container asked for: a RIFF/WAVE header for wav, an ID3 tag
 * or an MPEG frame sync for mp3; raw PCM has no header, so any non-empty body passes.
 */
export function looksLikeContainer(bytes: Uint8Array, container: AudioContainer): boolean {
  if (bytes.length === 0) return false;
  if (container === "wav") {
    return bytes.length >= 12 && ascii(bytes, 0, 4) === "RIFF" && ascii(bytes, 8, 12) === "WAVE";
  }
  if (container === "mp3") {
    const id3 = bytes.length >= 3 && ascii(bytes, 0, 3) === "ID3";
    const sync = bytes.length >= 2 && bytes[0] === 0xff && (bytes[1] & 0xe0) === 0xe0;
    return id3 || sync;
  }
  return true;
}

function ascii(bytes: Uint8Array, from: number, to: number): string {
  return String.fromCharCode(...bytes.subarray(from, to));
}
