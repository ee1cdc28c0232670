// Turns a validated request into the audio bytes and content type the stand-in answers with.

import { durationMsFor, encodePcm, synthesizeSamples, wavFile } from "./audio.ts";
import { encodeMp3, mp3UnavailableMessage } from "./mp3.ts";
import { type ApiError, CONTENT_TYPES, type TtsRequest } from "./protocol.ts";

export type Rendered =
  | { ok: true; bytes: Uint8Array<ArrayBuffer>; contentType: string }
  | { ok: false; error: ApiError };

/** `lameCommand` null means MP3 is switched off, which answers like a missing lame. */
export async function renderAudio(
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
    bitRate: req.bitRate ?? 128000,
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
