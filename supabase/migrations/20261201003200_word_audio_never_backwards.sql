-- Audio never goes backwards: word_audio records the batch that wrote each row (batch_id and the
-- batch's created_at), and audio.upsert_word_audio replaces a row only with audio that is at least
-- as current. Before, the last segment to finish won, so an older batch finishing late (another
-- voice, or the text as it was before an edit) replaced newer audio.

alter table public.word_audio
  add column batch_id uuid,
  add column batch_created_at timestamptz;
comment on column public.word_audio.batch_created_at is
  'When the batch that wrote this row was created: a segment of an older batch never replaces the row.';

-- Rows written before this migration: their segment's batch, where it still exists.
update public.word_audio as wa set batch_id = b.id, batch_created_at = b.created_at
from public.audio_segments as s
join public.audio_batches as b on b.id = s.batch_id
where s.id = wa.segment_id;

-- audio.current_text_hash: the hash of what a word's kind says now (audio.segment_sources); null
-- when the word has no such text.
create function audio.current_text_hash(p_word_id uuid, p_kind text)
returns text
language sql
stable
security definer
set search_path = ''
as $$
  select s.text_hash from audio.segment_sources as s where s.word_id = p_word_id and s.kind = p_kind
$$;
comment on function audio.current_text_hash(uuid, text) is
  'The text_hash of a word''s kind as it reads now, or null.';

-- audio.upsert_word_audio: the given segments' words now play the segments' audio (storage_path,
-- bytes), unless what the word plays is more current. Rows are ranked by
--   1. speaking the word's current text (text_hash = audio.current_text_hash), then
--   2. the creation time of the batch that wrote them (no batch recorded = oldest),
-- and a segment replaces the row when it ranks at least as high: audio of the current text is
-- never replaced by audio of an older text, and an older batch finishing late (another voice,
-- model or format) never replaces a newer batch's audio. A tie (the same batch, or two created in
-- one transaction) goes to the segment. Called by create_batch (content reused when the batch is
-- created) and complete_segment (audio uploaded or reused later). The segments must carry their
-- storage_path and bytes.
create or replace function audio.upsert_word_audio(p_segment_ids bigint[])
returns void
language sql
security definer
set search_path = ''
as $$
  insert into public.word_audio as wa
    (word_id, kind, text_hash, voice_id, model_id, format, storage_path, bytes, segment_id,
     batch_id, batch_created_at)
  select s.word_id, s.kind, s.text_hash, s.voice_id, s.model_id, s.format, s.storage_path, s.bytes, s.id,
    b.id, b.created_at
  from public.audio_segments as s
  join public.audio_batches as b on b.id = s.batch_id
  where s.id = any (p_segment_ids)
  on conflict (word_id, kind) do update set
    text_hash = excluded.text_hash, voice_id = excluded.voice_id, model_id = excluded.model_id,
    format = excluded.format, storage_path = excluded.storage_path, bytes = excluded.bytes,
    segment_id = excluded.segment_id, batch_id = excluded.batch_id,
    batch_created_at = excluded.batch_created_at, updated_at = now()
  where (
      coalesce(excluded.text_hash = audio.current_text_hash(excluded.word_id, excluded.kind), false),
      coalesce(excluded.batch_created_at, '-infinity'::timestamptz)
    ) >= (
      coalesce(wa.text_hash = audio.current_text_hash(wa.word_id, wa.kind), false),
      coalesce(wa.batch_created_at, '-infinity'::timestamptz)
    )
$$;
comment on function audio.upsert_word_audio(bigint[]) is
  'Point each segment''s (word, kind) in word_audio at the segment''s object unless the row is more current (current text first, then newer batch); the one writer of word_audio.';
