// The Storage path of a segment row, as the worker computes it.
import { audioObjectPath, parseFormatKey } from "../../supabase/functions/_shared/audio_format.ts";

export function objectPathFor(
  s: { text_hash: string; voice_id: string; model_id: string; format: string },
): string {
  return audioObjectPath({
    voiceId: s.voice_id,
    modelId: s.model_id,
    format: parseFormatKey(s.format),
    textHash: s.text_hash,
  });
}
