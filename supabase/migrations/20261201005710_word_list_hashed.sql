-- audio.missing_segments with a word list matched through a hashed set. `word_id = any (array)`
-- compares each source row with the whole list, one element at a time (the list is a parameter,
-- not a constant, so Postgres does not hash it): 10,000 word ids against 300,000 sources took
-- 5.7 s of a 30,000-segment start. `in (select … from unnest(…))` is looked up in a hash, 0.2 s.
-- Otherwise as in the catalog_sized_batches migration.
create or replace function audio.missing_segments(
  p_word_ids uuid[],
  p_grade smallint,
  p_kinds text[],
  p_missing_only boolean,
  p_voice_id text,
  p_model_id text,
  p_format text,
  p_keep_current_text boolean default false
)
returns table (word_id uuid, grade smallint, kind text, text text, text_hash text, pending boolean)
language sql
stable
security definer
set search_path = ''
as $$
  select s.word_id, s.grade, s.kind, s.text, s.text_hash,
    p_missing_only and exists (
      select 1
      from public.audio_segments as p
      join public.audio_batches as b on b.id = p.batch_id
      where p.word_id = s.word_id and p.kind = s.kind and p.status in ('queued', 'generating')
        and p.text_hash = s.text_hash and b.cancel_requested_at is null
        and (p_keep_current_text
          or (p.voice_id = p_voice_id and p.model_id = p_model_id and p.format = p_format))
    ) as pending
  from audio.segment_sources as s
  where (p_word_ids is null or s.word_id in (select u.id from unnest(p_word_ids) as u (id)))
    and (p_grade is null or s.grade = p_grade)
    and s.kind = any (p_kinds)
    and not (
      p_missing_only and exists (
        select 1 from public.word_audio as wa
        where wa.word_id = s.word_id and wa.kind = s.kind and wa.text_hash = s.text_hash
          and (p_keep_current_text
            or (wa.voice_id = p_voice_id and wa.model_id = p_model_id and wa.format = p_format))
      )
    )
$$;
revoke all on function audio.missing_segments(uuid[], smallint, text[], boolean, text, text, text, boolean)
  from public, anon, authenticated;
