// Batches for tests: one way to queue a batch straight in SQL (no start-batch, so no kick) and one
// way to wait for a batch to reach a status, so tests do not each spell out create_batch's
// arguments or their own polling loop.
import type postgres from "postgres";
import type { Sql } from "../../supabase/functions/_shared/db.ts";
import { waitFor } from "./stack.ts";

/** The voice, model and format test batches use unless a test says otherwise. */
export const TEST_AUDIO = {
  voiceId: "test-voice",
  modelId: "sonic-2",
  format: "wav-pcm_s16le-44100",
} as const;

export interface BatchRow {
  batch_id: string;
  total: number;
  queued: number;
  skipped: number;
  pending: number;
}

/** Words with only a word to voice (empty definition and sentence), in a grade a test keeps
 * apart from the sample vocabulary; their ids in the order given. */
export async function addWords(
  sql: Sql | postgres.TransactionSql,
  grade: number,
  words: string[],
): Promise<string[]> {
  const ids = await sql`
    insert into public.words (word, definition, example_sentence, grade)
    select w, '', '', ${grade}::smallint from unnest(${words}::text[]) as w
    returning id`;
  return ids.map((r) => String(r.id));
}

/** audio.create_batch over word ids or a grade; kinds default to the word alone, the source to
 * an admin's batch. */
export async function createBatch(
  sql: Sql | postgres.TransactionSql,
  scope: { wordIds: string[] } | { grade: number },
  opts: {
    kinds?: string[];
    voiceId?: string;
    format?: string;
    missingOnly?: boolean;
    source?: "admin" | "backfill";
  } = {},
): Promise<BatchRow> {
  const [row] = await sql<BatchRow[]>`select * from audio.create_batch(
    p_word_ids => ${"wordIds" in scope ? scope.wordIds : null}::uuid[],
    p_grade => ${"grade" in scope ? scope.grade : null}::smallint,
    p_kinds => ${opts.kinds ?? ["word"]}::text[],
    p_missing_only => ${opts.missingOnly ?? true},
    p_voice_id => ${opts.voiceId ?? TEST_AUDIO.voiceId},
    p_model_id => ${TEST_AUDIO.modelId},
    p_format => ${opts.format ?? TEST_AUDIO.format},
    p_source => ${opts.source ?? "admin"})`;
  return row;
}

/** Waits until the batch's status is one of `statuses` (default: completed); its row. */
export function waitForBatch(
  sql: Sql,
  batchId: string,
  statuses: string[] = ["completed"],
  timeoutMs = 60_000,
): Promise<Record<string, unknown>> {
  return waitFor(`batch ${batchId} ${statuses.join(" or ")}`, async () => {
    const [b] = await sql`select * from public.audio_batches where id = ${batchId}`;
    return b && statuses.includes(b.status) ? { ...b } : null;
  }, timeoutMs);
}
