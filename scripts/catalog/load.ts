// A synthetic catalog and its history, written set-based in SQL (one statement per batch of
// history, never a row at a time): `words` words over 12 grades, each with a word, a definition
// and a sentence; then `batches` finished batches of history, each over every segment of the
// catalog (done, a share failed), the newest one's audio in word_audio. Used by
// `scripts/bench catalog` and the plan tests.
import type postgres from "postgres";

export interface CatalogSize {
  words: number;
  // Finished batches of history, each over every (word, kind): segments = batches x 3 x words.
  batches: number;
}

// The voice, model and format of the history (the reads are measured against the same).
export const CATALOG_VOICE = { voice: "catalog-voice", model: "catalog-model", format: "mp3" };

// One segment in fifty of the history failed: enough failures to show, few enough that most of
// the catalog is ready.
const FAILED_SHARE = 0.02;
// The share as a bound on a 32-bit hash.
const FAILED_BELOW = Math.round(FAILED_SHARE * 2 ** 32);

export async function loadCatalog(sql: postgres.Sql, size: CatalogSize): Promise<void> {
  const { voice, model, format } = CATALOG_VOICE;
  await sql`
    insert into public.words (word, definition, example_sentence, grade)
    select 'catalog' || lpad(g::text, 7, '0'), 'The meaning of catalog word ' || g || '.',
      'We read catalog word ' || g || ' aloud.', (1 + g % 12)::smallint
    from generate_series(1, ${size.words}::integer) as g`;
  for (let b = 0; b < size.batches; b++) {
    // Oldest first, a day apart, ending yesterday.
    const daysAgo = size.batches - b;
    const [batch] = await sql`
      insert into public.audio_batches
        (status, source, voice_id, model_id, format, kinds, missing_only, created_at, started_at, finished_at)
      values ('completed_with_errors', 'backfill', ${voice}, ${model}, ${format},
        array['word', 'definition', 'sentence'], true, now() - make_interval(days => ${daysAgo}::integer),
        now() - make_interval(days => ${daysAgo}::integer), now() - make_interval(days => ${daysAgo}::integer))
      returning id, created_at`;
    await sql`
      insert into public.audio_segments (batch_id, word_id, kind, text, text_hash, voice_id, model_id, format,
        status, last_error, storage_path, bytes, attempts, created_at, started_at, finished_at)
      select ${batch.id}::uuid, s.word_id, s.kind, s.text, s.text_hash, ${voice}, ${model}, ${format},
        case when f.failed then 'failed' else 'done' end,
        case when f.failed then 'HTTP 500: provider error' end,
        case when not f.failed then ${voice} || '/' || ${model} || '/' || ${format} || '/' || s.text_hash || '.mp3' end,
        case when not f.failed then 4000 end, 1, ${batch.created_at}, ${batch.created_at}, ${batch.created_at}
      from audio.segment_sources as s
      cross join lateral (
        -- Which segments failed: a hash of the text and the batch, so a run is reproducible.
        select ('x' || left(md5(s.text_hash || ${b}::text), 8))::bit(32)::bigint < ${FAILED_BELOW}::bigint as failed
      ) as f`;
    // The batch's counters as the rows say (a separate statement: one cannot update a row
    // inserted by the same statement).
    await sql`
      update public.audio_batches as b set total = c.total, done = c.done, failed = c.failed
      from (
        select count(*)::integer as total, count(*) filter (where status = 'done')::integer as done,
          count(*) filter (where status = 'failed')::integer as failed
        from public.audio_segments where batch_id = ${batch.id}::uuid
      ) as c
      where b.id = ${batch.id}::uuid`;
  }
  if (size.batches > 0) {
    // The app's audio: each (word, kind)'s newest done segment.
    await sql`
      insert into public.word_audio as wa (word_id, kind, text_hash, voice_id, model_id, format, storage_path,
        bytes, segment_id, batch_id, batch_created_at)
      select distinct on (s.word_id, s.kind) s.word_id, s.kind, s.text_hash, s.voice_id, s.model_id, s.format,
        s.storage_path, s.bytes, s.id, s.batch_id, s.created_at
      from public.audio_segments as s
      where s.status = 'done'
      order by s.word_id, s.kind, s.id desc
      on conflict (word_id, kind) do nothing`;
  }
  // What autovacuum does within a minute of a bulk load (it vacuums a table after inserts too):
  // fresh statistics, and the visibility map that lets a count come from an index alone. A
  // catalog that has been in use has both.
  await sql`vacuum analyze`;
}
