// Real, playable audio for the stand-in: a voiced tone whose length follows the transcript,
// encoded as PCM (s16le, f32le, μ-law, A-law) and wrapped in a RIFF/WAVE header when asked.
// The same transcript and voice always give the same bytes.

import { linearToAlaw, linearToMulaw } from "./g711.ts";
import type { Encoding } from "./protocol.ts";

/** ~55 ms per character is close to natural speech (about 150 words a minute). */
const MS_PER_CHARACTER = 55;
/** Even a one-letter word gets a short clip, as real TTS adds leading and trailing silence. */
const MIN_DURATION_MS = 300;
/** Long texts are capped so a test's bad input cannot make a huge response. */
const MAX_DURATION_MS = 20_000;

/** Fade in/out length: removes clicks at the clip's edges. */
const FADE_MS = 10;
/** Peak amplitude well under full scale, so companding and mp3 never clip. */
const AMPLITUDE = 0.3;
/** Syllable rate of the amplitude envelope, roughly that of speech. */
const SYLLABLES_PER_SECOND = 4;

/** Clip length for a transcript, counted in Unicode code points. */
export function durationMsFor(transcript: string): number {
  const chars = [...transcript].length;
  return Math.min(MAX_DURATION_MS, Math.max(MIN_DURATION_MS, chars * MS_PER_CHARACTER));
}

/** Mono samples in [-1, 1]: a voice-dependent pitch with a harmonic and a syllable envelope. */
export function synthesizeSamples(opts: {
  durationMs: number;
  sampleRate: number;
  voiceId: string;
}): Float32Array {
  const count = Math.round((opts.durationMs * opts.sampleRate) / 1000);
  const pitch = 110 + (stringSeed(opts.voiceId) % 120); // 110–229 Hz: a speaking voice's range
  const fade = Math.max(1, Math.round((FADE_MS * opts.sampleRate) / 1000));
  const samples = new Float32Array(count);
  for (let i = 0; i < count; i++) {
    const t = i / opts.sampleRate;
    const syllable = 0.35 + 0.65 * Math.abs(Math.sin(Math.PI * SYLLABLES_PER_SECOND * t));
    const edge = Math.min(1, i / fade, (count - 1 - i) / fade);
    const wave = 0.8 * Math.sin(2 * Math.PI * pitch * t) + 0.2 * Math.sin(4 * Math.PI * pitch * t);
    samples[i] = AMPLITUDE * syllable * Math.max(0, edge) * wave;
  }
  return samples;
}

/** Bytes per sample for each encoding (mono). */
function bytesPerSample(encoding: Encoding): number {
  return encoding === "pcm_f32le" ? 4 : encoding === "pcm_s16le" ? 2 : 1;
}

/** Samples in [-1, 1] to little-endian PCM bytes of the given encoding. */
export function encodePcm(samples: Float32Array, encoding: Encoding): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(samples.length * bytesPerSample(encoding));
  const view = new DataView(out.buffer);
  for (let i = 0; i < samples.length; i++) {
    const s = Math.max(-1, Math.min(1, samples[i]));
    switch (encoding) {
      case "pcm_f32le":
        view.setFloat32(i * 4, s, true);
        break;
      case "pcm_s16le":
        view.setInt16(i * 2, Math.round(s * 32767), true);
        break;
      case "pcm_mulaw":
        out[i] = linearToMulaw(s * 32767);
        break;
      case "pcm_alaw":
        out[i] = linearToAlaw(s * 32767);
        break;
    }
  }
  return out;
}

/** WAVE format tags: 1 integer PCM, 3 IEEE float, 6 A-law, 7 μ-law. */
const FORMAT_TAG: Record<Encoding, number> = {
  pcm_s16le: 1,
  pcm_f32le: 3,
  pcm_alaw: 6,
  pcm_mulaw: 7,
};

/**
 * A complete mono WAV file around PCM data. Integer PCM gets the classic 16-byte fmt chunk;
 * the other formats get the 18-byte one and a fact chunk, as the RIFF spec asks for them.
 */
export function wavFile(
  pcm: Uint8Array,
  encoding: Encoding,
  sampleRate: number,
): Uint8Array<ArrayBuffer> {
  const tag = FORMAT_TAG[encoding];
  const extended = tag !== 1;
  const block = bytesPerSample(encoding);
  const fmtSize = extended ? 18 : 16;
  const factSize = extended ? 12 : 0;
  const headerSize = 12 + 8 + fmtSize + factSize + 8;
  const out = new Uint8Array(headerSize + pcm.length);
  const v = new DataView(out.buffer);
  let p = 0;
  const tag4 = (s: string) => {
    for (let i = 0; i < 4; i++) out[p + i] = s.charCodeAt(i);
    p += 4;
  };
  const u32 = (n: number) => {
    v.setUint32(p, n, true);
    p += 4;
  };
  const u16 = (n: number) => {
    v.setUint16(p, n, true);
    p += 2;
  };
  tag4("RIFF");
  u32(out.length - 8);
  tag4("WAVE");
  tag4("fmt ");
  u32(fmtSize);
  u16(tag);
  u16(1); // channels
  u32(sampleRate);
  u32(sampleRate * block); // byte rate
  u16(block); // block align
  u16(block * 8); // bits per sample
  if (extended) {
    u16(0); // cbSize
    tag4("fact");
    u32(4);
    u32(pcm.length / block); // sample frames
  }
  tag4("data");
  u32(pcm.length);
  out.set(pcm, p);
  return out;
}

/** A small stable hash (FNV-1a) so each voice id gets its own pitch. */
function stringSeed(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}
