// The output format as one string key ("wav-pcm_s16le-44100", "mp3-pcm_s16le-44100-128000"),
// stored on batches and segments and part of the content address: the same text in another
// format is other audio. The key is the format segment of the Storage path (provider/object_path).
import type { AudioEncoding, OutputFormat } from "./provider/types.ts";
import type { Settings } from "./settings.ts";

export function outputFormatFromSettings(s: Settings): OutputFormat {
  return {
    container: s.AUDIO_OUTPUT_CONTAINER,
    encoding: s.AUDIO_OUTPUT_ENCODING,
    sampleRate: s.AUDIO_OUTPUT_SAMPLE_RATE,
    ...(s.AUDIO_OUTPUT_CONTAINER === "mp3" ? { bitRate: s.AUDIO_OUTPUT_BIT_RATE } : {}),
  };
}

export function formatKey(f: OutputFormat): string {
  const parts = [f.container, f.encoding, String(f.sampleRate)];
  if (f.container === "mp3") parts.push(String(f.bitRate));
  return parts.join("-");
}

const KEY = /^(wav|raw|mp3)-(pcm_s16le|pcm_f32le|pcm_mulaw|pcm_alaw)-(\d+)(?:-(\d+))?$/;

export function parseFormatKey(key: string): OutputFormat {
  const m = KEY.exec(key);
  if (!m || (m[1] === "mp3") !== (m[4] !== undefined)) {
    throw new Error(
      `format "${key}" is not <wav|raw>-<encoding>-<sample rate> or mp3-<encoding>-<sample rate>-<bit rate>`,
    );
  }
  return {
    container: m[1] as OutputFormat["container"],
    encoding: m[2] as AudioEncoding,
    sampleRate: Number(m[3]),
    ...(m[4] !== undefined ? { bitRate: Number(m[4]) } : {}),
  };
}

export function contentTypeOf(f: OutputFormat): string {
  if (f.container === "mp3") return "audio/mpeg";
  return f.container === "wav" ? "audio/wav" : "application/octet-stream";
}
