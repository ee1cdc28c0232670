-- audio.refresh_segment_state (new words, edited words, a deleted segment's words) looks up each
-- key's live segment by key, as audio.refresh_pending does (20261201006000).
--
-- The partial index of unfinished segments (audio_segments_pending_batch_idx, by batch) is nearly
-- empty whenever autovacuum last analysed it, and Postgres believes it as empty as it was then.
-- With those figures the lookup of a key's live segment (status queued or generating, newest
-- first) was planned as a walk of that whole index filtered on the key, repeated for every key:
-- an edit of 200 words behind two live batches read 22,092 index rows 600 times
-- (tests/integration/catalog_plans.test.ts); an import of 10,000 words behind a 300,000-segment
-- batch would read 300,000 rows 30,000 times. Now the key's own segments are read through
-- audio_segments_word_kind_idx (a handful of rows: one per batch that covered the key) and the
-- live one is picked among them. Otherwise as in 20261201005300_segment_state.
create or replace function audio.refresh_segment_state(p_word_ids uuid[])
returns void
language plpgsql
security definer
set search_path = ''
as $$
begin
  delete from audio.segment_state as st
  where (p_word_ids is null or st.word_id = any (p_word_ids))
    and not exists (
      select 1 from audio.segment_sources as s where s.word_id = st.word_id and s.kind = st.kind
    );

  insert into audio.segment_state as st (
    word_id, kind, grade, word, text_hash, audio_hash, audio_voice, audio_model, audio_format,
    audio_path, pending_id, pending, pending_batch, finished_id, finished_status, finished_error
  )
  select s.word_id, s.kind, s.grade, w.word, s.text_hash, wa.text_hash, wa.voice_id, wa.model_id,
    wa.format, wa.storage_path, p.id, p.status, p.batch_id, f.id, f.status, f.last_error
  from audio.segment_sources as s
  join public.words as w on w.id = s.word_id
  left join public.word_audio as wa on wa.word_id = s.word_id and wa.kind = s.kind
  left join lateral (
    -- The key's own segments (audio_segments_word_kind_idx), then the live one among them: the
    -- status test stays outside the lookup (offset 0), so no plan walks the partial index of
    -- unfinished segments filtering on the key.
    select r.id, r.status, r.batch_id
    from (
      select seg.id, seg.status, seg.batch_id from public.audio_segments as seg
      where seg.word_id = s.word_id and seg.kind = s.kind
      offset 0
    ) as r
    join public.audio_batches as b on b.id = r.batch_id
    where r.status in ('queued', 'generating') and b.cancel_requested_at is null
    order by r.id desc limit 1
  ) as p on true
  left join lateral (
    select seg.id, seg.status, seg.last_error from public.audio_segments as seg
    where seg.word_id = s.word_id and seg.kind = s.kind and seg.text_hash = s.text_hash
      and seg.status in ('done', 'failed')
    order by seg.id desc limit 1
  ) as f on true
  where p_word_ids is null or s.word_id = any (p_word_ids)
  on conflict (word_id, kind) do update set
    grade = excluded.grade, word = excluded.word, text_hash = excluded.text_hash,
    audio_hash = excluded.audio_hash, audio_voice = excluded.audio_voice,
    audio_model = excluded.audio_model, audio_format = excluded.audio_format,
    audio_path = excluded.audio_path, pending_id = excluded.pending_id, pending = excluded.pending,
    pending_batch = excluded.pending_batch,
    finished_id = excluded.finished_id, finished_status = excluded.finished_status,
    finished_error = excluded.finished_error;
end;
$$;
comment on function audio.refresh_segment_state(uuid[]) is
  'Rebuild segment_state rows of these words (null = all) from sources, word_audio and segments.';

-- create or replace keeps the function's grants (revoked from public, anon and authenticated).
