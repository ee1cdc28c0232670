// "Generate all missing, for all grades": the word ids of every grade that has missing, stale or
// failed audio, in chunks that start-batch accepts. One batch per chunk (usually one), so the
// page follows one progress bar instead of one per grade.

import { MAX_WORD_IDS_PER_BATCH } from "../lib/config.ts";
import type { AudioQueueClient, GradeSummary, WordRow } from "../lib/index.ts";

const NEEDS_AUDIO = new Set(["missing", "stale", "failed"]);

function needsAudio(w: WordRow): boolean {
  return Object.values(w.segments).some((s) => NEEDS_AUDIO.has(s.state));
}

export async function wordIdChunksNeedingAudio(
  client: Pick<AudioQueueClient, "words">,
  grades: GradeSummary[],
): Promise<string[][]> {
  const ids: string[] = [];
  for (const g of grades) {
    if (g.missing + g.stale + g.failed === 0) continue;
    for (const w of await client.words(g.grade)) {
      if (needsAudio(w)) ids.push(w.id);
    }
  }
  const chunks: string[][] = [];
  for (let i = 0; i < ids.length; i += MAX_WORD_IDS_PER_BATCH) {
    chunks.push(ids.slice(i, i + MAX_WORD_IDS_PER_BATCH));
  }
  return chunks;
}
