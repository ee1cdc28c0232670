// Turns a validated request into the audio bytes and content type the stand-in answers with.

import { durationMsFor, encodePcm, synthesizeSamples, wavFile } from "./audio.ts";
import { encodeMp3, mp3UnavailableMessage } from "./mp3.ts";
import { type ApiError, CONTENT_TYPES, type TtsRequest } from "./protocol.ts";

export type Rendered =
  | { ok: true; bytes: Uint8Array<ArrayBuffer>; contentType: string }
  | { ok: false; error: ApiError };

/** Bytes of audio the stand-in keeps rendered by default. */
export const RENDERED_CACHE_BYTES = 32 * 1024 * 1024;

/**
 * The audio already rendered, by everything it depends on (the transcript only through its
 * duration). A real provider synthesises on its own machines; the stand-in synthesises in its own
 * event loop, and 15 requests a few seconds long each took most of a core: the requests and
 * answers of the others then waited in that loop, and the time showed up at the provider as gaps
 * between one request and the next. Same bytes as rendering again; the oldest entries go first
 * once `maxBytes` is held.
 */
export class RenderedAudio {
  readonly #entries = new Map<string, Uint8Array<ArrayBuffer>>();
  #bytes = 0;
  /** Answers taken from the cache, and answers rendered. */
  hits = 0;
  renders = 0;

  constructor(readonly maxBytes = RENDERED_CACHE_BYTES) {}

  static keyOf(req: TtsRequest): string {
    return JSON.stringify([
      durationMsFor(req.transcript),
      req.sampleRate,
      req.voiceId,
      req.container,
      req.container === "mp3" ? "pcm_s16le" : req.encoding,
      req.container === "mp3" ? req.bitRate ?? DEFAULT_MP3_BIT_RATE : null,
    ]);
  }

  get(key: string): Uint8Array<ArrayBuffer> | undefined {
    const bytes = this.#entries.get(key);
    if (bytes === undefined) return undefined;
    // Most recently used last: the first entry is the one to drop.
    this.#entries.delete(key);
    this.#entries.set(key, bytes);
    this.hits++;
    return bytes;
  }

  put(key: string, bytes: Uint8Array<ArrayBuffer>): void {
    this.renders++;
    if (bytes.byteLength > this.maxBytes || this.#entries.has(key)) return;
    this.#entries.set(key, bytes);
    this.#bytes += bytes.byteLength;
    for (const [oldest, old] of this.#entries) {
      if (this.#bytes <= this.maxBytes) break;
      this.#entries.delete(oldest);
      this.#bytes -= old.byteLength;
    }
  }

  /** Bytes held now. */
  get bytes(): number {
    return this.#bytes;
  }
}

const DEFAULT_MP3_BIT_RATE = 128000;

/**
 * `lameCommand` null means MP3 is switched off, which answers like a missing lame. With `cache`,
 * audio rendered before for the same duration, voice and format is answered from it.
 */
export async function renderAudio(
  req: TtsRequest,
  lameCommand: string | null,
  signal: AbortSignal,
  cache?: RenderedAudio,
): Promise<Rendered> {
  const contentType = CONTENT_TYPES[req.container];
  const key = cache && (req.container !== "mp3" || lameCommand !== null)
    ? RenderedAudio.keyOf(req)
    : null;
  const cached = key === null ? undefined : cache?.get(key);
  if (cached) return { ok: true, bytes: cached, contentType };
  const rendered = await render(req, lameCommand, signal);
  if (rendered.ok && key !== null) cache?.put(key, rendered.bytes);
  return rendered;
}

async function render(
  req: TtsRequest,
  lameCommand: string | null,
  signal: AbortSignal,
): Promise<Rendered> {
  const samples = synthesizeSamples({
    durationMs: durationMsFor(req.transcript),
    sampleRate: req.sampleRate,
    voiceId: req.voiceId,
  });
  const contentType = CONTENT_TYPES[req.container];
  if (req.container === "wav") {
    const pcm = encodePcm(samples, req.encoding);
    return { ok: true, bytes: wavFile(pcm, req.encoding, req.sampleRate), contentType };
  }
  if (req.container === "raw") {
    return { ok: true, bytes: encodePcm(samples, req.encoding), contentType };
  }
  if (lameCommand === null) {
    return { ok: false, error: mp3Unavailable(mp3UnavailableMessage(null)) };
  }
  const mp3 = await encodeMp3({
    lameCommand,
    pcmS16: encodePcm(samples, "pcm_s16le"),
    sampleRate: req.sampleRate,
    bitRate: req.bitRate ?? DEFAULT_MP3_BIT_RATE,
    signal,
  });
  if (mp3.ok) return { ok: true, bytes: mp3.bytes, contentType };
  if (mp3.unavailable) return { ok: false, error: mp3Unavailable(mp3.message) };
  return {
    ok: false,
    error: { status: 500, errorCode: null, title: "Internal server error", message: mp3.message },
  };
}

function mp3Unavailable(message: string): ApiError {
  return { status: 400, errorCode: null, title: "Unsupported output format", message };
}
