// What the Cartesia stand-in knows about the real API: versions, plans, accepted field values,
// and the shape of error answers. Kept separate from the provider client's copy on purpose, so
// a mistake in one is caught by the other.
//
// Facts relied on (from Cartesia's API reference, api-conventions, api-errors and
// concurrency-limits pages, and the cartesia-js SDK types; in our own words):
// - POST /tts/bytes returns the whole audio file (wav, mp3 or raw PCM) as the body.
// - `Cartesia-Version: YYYY-MM-DD` is required on every request. Versions documented:
//   2024-06-10, 2024-11-13, 2025-04-16, 2026-03-01.
// - The key travels as `Authorization: Bearer <key>` in current versions and as
//   `X-API-Key: <key>` in the 2024 ones; the stand-in accepts either with any version.
// - Body: model_id, transcript, voice { mode: "id", id }, output_format, optional language.
//   wav/raw formats carry encoding (pcm_f32le, pcm_s16le, pcm_mulaw, pcm_alaw) and sample_rate;
//   mp3 carries sample_rate and bit_rate (32000, 64000, 96000, 128000, 192000). Sample rates:
//   8000, 16000, 22050, 24000, 44100, 48000.
// - Errors from 2026-03-01 on are JSON { error_code (nullable), title, message, request_id,
//   doc_url? }, e.g. error_code "concurrency_limited" with a 429; older versions may answer
//   plain text "Title: Message".
// - TTS concurrency per plan: Free 2, Pro 3, Startup 5, Scale 15 requests in flight; every HTTP
//   request is one context; above the limit the answer is 429.

export const API_VERSIONS = ["2024-06-10", "2024-11-13", "2025-04-16", "2026-03-01"] as const;
/** First version whose errors are structured JSON. */
const JSON_ERRORS_SINCE = "2026-03-01";

export const PLAN_LIMITS = { free: 2, pro: 3, startup: 5, scale: 15 } as const;
export type PlanName = keyof typeof PLAN_LIMITS;

export const CONTAINERS = ["wav", "mp3", "raw"] as const;
export const ENCODINGS = ["pcm_s16le", "pcm_f32le", "pcm_mulaw", "pcm_alaw"] as const;
export const SAMPLE_RATES = [8000, 16000, 22050, 24000, 44100, 48000] as const;
export const MP3_BIT_RATES = [32000, 64000, 96000, 128000, 192000] as const;

export type Container = (typeof CONTAINERS)[number];
export type Encoding = (typeof ENCODINGS)[number];

/** A validated /tts/bytes request. */
export interface TtsRequest {
  modelId: string;
  transcript: string;
  voiceId: string;
  container: Container;
  /** For mp3 the PCM fed to the encoder is always pcm_s16le. */
  encoding: Encoding;
  sampleRate: number;
  bitRate?: number;
  language?: string;
}

/** An error to answer with, before it is rendered for the request's API version. */
export interface ApiError {
  status: number;
  errorCode: string | null;
  title: string;
  message: string;
}

export const CONTENT_TYPES: Record<Container, string> = {
  wav: "audio/wav",
  mp3: "audio/mpeg",
  raw: "application/octet-stream",
};

/** Renders an error the way the requested API version would: JSON, or "Title: Message". */
export function errorResponse(
  err: ApiError,
  version: string | null,
  extraHeaders: Record<string, string> = {},
): Response {
  const requestId = crypto.randomUUID();
  const legacyText = version !== null && API_VERSIONS.includes(version as never) &&
    version < JSON_ERRORS_SINCE;
  if (legacyText) {
    return new Response(`${err.title}: ${err.message}`, {
      status: err.status,
      headers: { "content-type": "text/plain; charset=utf-8", ...extraHeaders },
    });
  }
  const body = {
    error_code: err.errorCode,
    title: err.title,
    message: err.message,
    request_id: requestId,
  };
  return Response.json(body, { status: err.status, headers: extraHeaders });
}
