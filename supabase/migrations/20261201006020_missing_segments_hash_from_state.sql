-- audio.missing_segments takes each source's text hash from segment_state (kept current by the
-- words triggers, in the same transaction as any edit) instead of hashing every text again. The
-- hash is sha-256 of the NFC-normalised text through a SQL function call per row: 1.6 s of the
-- 2.2 s that listing the 301,092 sources of a 100,000-word catalog took (1.5 s now). A source
-- with no state row (none should lack one) is still hashed. Otherwise as in the word_list_hashed
-- migration.
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
  from (
    -- The view's own text_hash column is not read, so Postgres never computes it. A lookup by
    -- primary key per source (a join hashed all 300,000 state rows even for a start of 10,000
    -- words: the plan cannot know the list's size).
    select src.word_id, src.grade, src.kind, src.text,
      coalesce(
        (select st.text_hash from audio.segment_state as st
         where st.word_id = src.word_id and st.kind = src.kind),
        audio.text_hash(src.text)
      ) as text_hash
    from audio.segment_sources as src
    where (p_word_ids is null or src.word_id in (select u.id from unnest(p_word_ids) as u (id)))
      and (p_grade is null or src.grade = p_grade)
      and src.kind = any (p_kinds)
  ) as s
  where not (
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
