-- What the admin page reads beyond batches and segments (which it reads directly, under RLS):
-- each word's audio state per kind.

-- audio.segment_states: per word and kind of the given grade (null = all), the state the admin
-- page shows: queued/generating (pending in a live batch), ready (current audio in this
-- voice/model/format), stale (audio exists for other text or voice), failed (the latest attempt
-- at the current text failed; error carries its message), else missing.
create function audio.segment_states(
  p_grade smallint,
  p_voice_id text,
  p_model_id text,
  p_format text
)
returns table (
  word_id uuid, word text, grade smallint, kind text, text text, state text, storage_path text, error text
)
language sql
stable
security definer
set search_path = ''
as $$
  select s.word_id, w.word, s.grade, s.kind, s.text,
    case
      when p.status is not null then p.status
      when wa.word_id is not null and wa.text_hash = s.text_hash and wa.voice_id = p_voice_id
        and wa.model_id = p_model_id and wa.format = p_format then 'ready'
      when wa.word_id is not null then 'stale'
      when f.status = 'failed' then 'failed'
      else 'missing'
    end,
    wa.storage_path,
    case when p.status is null and wa.word_id is null and f.status = 'failed' then f.last_error end
  from audio.segment_sources as s
  join public.words as w on w.id = s.word_id
  left join public.word_audio as wa on wa.word_id = s.word_id and wa.kind = s.kind
  left join lateral (
    select seg.status from public.audio_segments as seg
    join public.audio_batches as b on b.id = seg.batch_id
    where seg.word_id = s.word_id and seg.kind = s.kind and seg.status in ('queued', 'generating')
      and b.cancel_requested_at is null
    order by seg.id desc limit 1
  ) as p on true
  left join lateral (
    select seg.status, seg.last_error from public.audio_segments as seg
    where seg.word_id = s.word_id and seg.kind = s.kind and seg.text_hash = s.text_hash
      and seg.status in ('done', 'failed')
    order by seg.id desc limit 1
  ) as f on true
  where p_grade is null or s.grade = p_grade
  order by s.grade, w.word, s.word_id, array_position(array['word', 'definition', 'sentence'], s.kind)
$$;
comment on function audio.segment_states(smallint, text, text, text) is
  'Per word and kind: ready, stale, missing, queued, generating or failed, for the admin page.';
