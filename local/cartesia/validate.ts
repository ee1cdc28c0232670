// Checks a /tts/bytes request the way Cartesia would: the version header (400), the API key
// (401), then the JSON body (400 for missing or mistyped fields, 422 for unsupported values),
// each error naming the field and what to send instead.

import {
  API_VERSIONS,
  type ApiError,
  type Container,
  CONTAINERS,
  type Encoding,
  ENCODINGS,
  MP3_BIT_RATES,
  SAMPLE_RATES,
  type TtsRequest,
} from "./protocol.ts";

export type Checked<T> = { ok: true; value: T } | { ok: false; error: ApiError };

const bad = (status: number, title: string, message: string): { ok: false; error: ApiError } => ({
  ok: false,
  error: { status, errorCode: null, title, message },
});

/** The Cartesia-Version header: present and one of the documented dates. */
export function checkVersion(headers: Headers): Checked<string> {
  const version = headers.get("cartesia-version");
  if (version === null || version.trim() === "") {
    return bad(
      400,
      "Missing version",
      `the Cartesia-Version header is required; send a date such as ${API_VERSIONS.at(-1)}`,
    );
  }
  if (!API_VERSIONS.includes(version as never)) {
    return bad(
      400,
      "Invalid version",
      `Cartesia-Version "${version}" is not a supported version; use one of ${
        API_VERSIONS.join(", ")
      }`,
    );
  }
  return { ok: true, value: version };
}

/** The API key from `Authorization: Bearer` or `X-API-Key`, and whether it is known. */
export function checkApiKey(
  headers: Headers,
  knownKeys: { has(key: string): boolean },
): Checked<string> {
  const auth = headers.get("authorization");
  const bearer = auth?.match(/^Bearer\s+(.+)$/i)?.[1]?.trim();
  const key = bearer ?? headers.get("x-api-key")?.trim();
  if (!key) {
    return bad(
      401,
      "Unauthorized",
      "no API key: send Authorization: Bearer <api key> (or X-API-Key: <api key>)",
    );
  }
  if (!knownKeys.has(key)) return bad(401, "Unauthorized", "the API key is not valid");
  return { ok: true, value: key };
}

/** The JSON body, parsed into a TtsRequest. */
export function checkBody(raw: string): Checked<TtsRequest> {
  let body: unknown;
  try {
    body = JSON.parse(raw);
  } catch {
    return bad(400, "Invalid request", "the request body is not valid JSON");
  }
  if (!isObject(body)) return bad(400, "Invalid request", "the request body must be a JSON object");

  const modelId = body.model_id;
  if (typeof modelId !== "string" || modelId.trim() === "") {
    return bad(400, "Invalid request", "model_id: required, a non-empty string such as sonic-2");
  }
  const transcript = body.transcript;
  if (typeof transcript !== "string") {
    return bad(400, "Invalid request", "transcript: required, a string");
  }
  if (transcript.trim() === "") {
    return bad(400, "Invalid request", "transcript: must not be empty");
  }
  const voice = body.voice;
  if (!isObject(voice)) {
    return bad(
      400,
      "Invalid request",
      'voice: required, an object { "mode": "id", "id": "<voice id>" }',
    );
  }
  if (voice.mode !== "id") {
    return bad(
      422,
      "Invalid request",
      `voice.mode: must be "id", got ${JSON.stringify(voice.mode)}`,
    );
  }
  if (typeof voice.id !== "string" || voice.id.trim() === "") {
    return bad(400, "Invalid request", "voice.id: required, a non-empty string");
  }
  const format = checkOutputFormat(body.output_format);
  if (!format.ok) return format;
  const language = body.language;
  if (language !== undefined && language !== null) {
    if (typeof language !== "string" || !/^[a-z]{2}$/.test(language)) {
      return bad(
        422,
        "Invalid request",
        `language: must be a two-letter code such as "en", got ${JSON.stringify(language)}`,
      );
    }
  }
  return {
    ok: true,
    value: {
      modelId,
      transcript,
      voiceId: voice.id,
      ...format.value,
      language: typeof language === "string" ? language : undefined,
    },
  };
}

type FormatFields = Pick<TtsRequest, "container" | "encoding" | "sampleRate" | "bitRate">;

function checkOutputFormat(value: unknown): Checked<FormatFields> {
  if (!isObject(value)) {
    return bad(
      400,
      "Invalid request",
      "output_format: required, an object { container, encoding, sample_rate } (mp3: bit_rate)",
    );
  }
  const container = value.container;
  if (!CONTAINERS.includes(container as never)) {
    return bad(
      422,
      "Invalid request",
      `output_format.container: one of ${CONTAINERS.join(", ")}, got ${JSON.stringify(container)}`,
    );
  }
  const sampleRate = value.sample_rate;
  if (typeof sampleRate !== "number") {
    return bad(400, "Invalid request", "output_format.sample_rate: required, a number");
  }
  if (!SAMPLE_RATES.includes(sampleRate as never)) {
    return bad(
      422,
      "Invalid request",
      `output_format.sample_rate: one of ${SAMPLE_RATES.join(", ")}, got ${sampleRate}`,
    );
  }
  if (container === "mp3") {
    const bitRate = value.bit_rate;
    if (typeof bitRate !== "number") {
      return bad(400, "Invalid request", "output_format.bit_rate: required for mp3, a number");
    }
    if (!MP3_BIT_RATES.includes(bitRate as never)) {
      return bad(
        422,
        "Invalid request",
        `output_format.bit_rate: one of ${MP3_BIT_RATES.join(", ")}, got ${bitRate}`,
      );
    }
    return { ok: true, value: { container, encoding: "pcm_s16le", sampleRate, bitRate } };
  }
  const encoding = value.encoding;
  if (typeof encoding !== "string") {
    return bad(
      400,
      "Invalid request",
      `output_format.encoding: required for ${container}, a string`,
    );
  }
  if (!ENCODINGS.includes(encoding as never)) {
    return bad(
      422,
      "Invalid request",
      `output_format.encoding: one of ${ENCODINGS.join(", ")}, got ${JSON.stringify(encoding)}`,
    );
  }
  return {
    ok: true,
    value: { container: container as Container, encoding: encoding as Encoding, sampleRate },
  };
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}
