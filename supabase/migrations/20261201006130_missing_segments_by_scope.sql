-- audio.missing_segments at catalog size (100,000 words, 301,092 sources), three changes:
--
-- 1. The whole catalog (no word list, no grade: start-batch's `all` and the nightly backfill)
--    reads segment_state in one pass joined on the key, and the segments live batches hold in
--    one pass of the unfinished ones, instead of a lookup per source for each. A word list or a
--    grade keeps the lookups: a join would read all 300,000 state rows for a few thousand
--    sources.
-- 2. Each source's text hash is taken once. The lookup that gives it was repeated wherever the
--    hash was read (the current-audio check and the pending check each ran it again), because
--    Postgres copies a pulled-up subquery's expression into every place that reads it; an
--    `offset 0` keeps the subquery whole.
-- 3. The pending check of a word list or a grade looks up the source's own segments by key
--    (audio_segments_word_kind_idx), never a walk of the partial index of unfinished segments
--    filtered on the key: the planner believes that index empty whenever its statistics were
--    taken with no batch live, and the walk is then repeated per source over every segment a
--    live batch holds (quadratic: seconds for 3,000 words behind a 300,000-segment batch). As in
--    audio.refresh_pending, an `offset 0` keeps the status test out of the lookup.
--
-- Measured on the 100,000-word catalog (psql, jit off and work_mem 64MB as create_batch runs it):
-- every source, for start-batch's `all`, 1.15 s before and 0.40 s after; the backfill's listing
-- (missing only, current text kept), 1.81 s and 0.60 s; a grade and a word list of 10,000 words
-- unchanged (0.1 s).
--
-- Same answers as before for every scope (supabase/tests/missing_segments/catalog_scope).
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
language plpgsql
stable
security definer
set search_path = ''
as $$
begin
  if p_word_ids is null and p_grade is null then
    return query
    select s.word_id, s.grade, s.kind, s.text, s.text_hash, live.word_id is not null
    from (
      -- The view's own text_hash column is not read, so Postgres never computes it: the hash
      -- kept in segment_state is (a source with no state row, which none should lack, is hashed).
      select src.word_id, src.grade, src.kind, src.text,
        coalesce(st.text_hash, audio.text_hash(src.text)) as text_hash
      from audio.segment_sources as src
      left join audio.segment_state as st on st.word_id = src.word_id and st.kind = src.kind
      where src.kind = any (p_kinds)
      offset 0
    ) as s
    left join (
      -- Every key a live batch holds with this text (in this voice, unless any voice will do).
      select distinct p.word_id, p.kind, p.text_hash
      from public.audio_segments as p
      join public.audio_batches as b on b.id = p.batch_id
      where p_missing_only and p.status in ('queued', 'generating') and b.cancel_requested_at is null
        and (p_keep_current_text
          or (p.voice_id = p_voice_id and p.model_id = p_model_id and p.format = p_format))
    ) as live on live.word_id = s.word_id and live.kind = s.kind and live.text_hash = s.text_hash
    where not (
      p_missing_only and exists (
        select 1 from public.word_audio as wa
        where wa.word_id = s.word_id and wa.kind = s.kind and wa.text_hash = s.text_hash
          and (p_keep_current_text
            or (wa.voice_id = p_voice_id and wa.model_id = p_model_id and wa.format = p_format))
      )
    );
    return;
  end if;

  return query
  select s.word_id, s.grade, s.kind, s.text, s.text_hash,
    p_missing_only and exists (
      select 1
      from (
        select p.status, p.batch_id, p.text_hash, p.voice_id, p.model_id, p.format
        from public.audio_segments as p
        where p.word_id = s.word_id and p.kind = s.kind
        offset 0
      ) as p
      join public.audio_batches as b on b.id = p.batch_id
      where p.status in ('queued', 'generating') and p.text_hash = s.text_hash
        and b.cancel_requested_at is null
        and (p_keep_current_text
          or (p.voice_id = p_voice_id and p.model_id = p_model_id and p.format = p_format))
    )
  from (
    -- A lookup by primary key per source (a join hashed all 300,000 state rows even for a start
    -- of 10,000 words: the plan cannot know the list's size).
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
    offset 0
  ) as s
  where not (
    p_missing_only and exists (
      select 1 from public.word_audio as wa
      where wa.word_id = s.word_id and wa.kind = s.kind and wa.text_hash = s.text_hash
        and (p_keep_current_text
          or (wa.voice_id = p_voice_id and wa.model_id = p_model_id and wa.format = p_format))
    )
  );
end;
$$;
comment on function audio.missing_segments(uuid[], smallint, text[], boolean, text, text, text, boolean) is
  'Segments a batch over these words/grade/kinds would cover; pending = already queued in a live batch.';

-- create or replace keeps the function's grants (revoked from public, anon and authenticated).
