-- What the admin page needs beyond start and cancel: each word's audio state per kind, and
-- retrying a batch's failed segments.

-- audio.segment_states: per word and kind of the given grade (null = all), the state the admin
-- page shows: queued/generating (pending in a live batch), ready (current audio in this
-- voice/model/format), stale (audio exists for other text or voice), failed (the latest attempt
-- at the current text failed), else missing.
create or replace function audio.segment_states(
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

-- audio.retry_failed: queue a batch's failed segments again (attempts reset, new messages); the
-- counter trigger moves the batch back to running. Refused for a cancelled batch.
create or replace function audio.retry_failed(p_batch_id uuid)
returns integer
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_ids bigint[];
  v_msg_ids bigint[];
begin
  -- Same lock order as workers and cancel_batch: segments, then the batch.
  select array_agg(s.id order by s.id) into v_ids from (
    select s.id from public.audio_segments as s
    where s.batch_id = p_batch_id and s.status = 'failed' order by s.id for update
  ) as s;
  perform 1 from public.audio_batches as b where b.id = p_batch_id for update;
  if not found then
    raise exception 'audio.retry_failed: no batch with id %', p_batch_id using errcode = 'P0002';
  end if;
  if exists (select 1 from public.audio_batches as b where b.id = p_batch_id and b.cancel_requested_at is not null) then
    raise exception 'audio.retry_failed: batch % was cancelled; start a new batch instead', p_batch_id
      using errcode = '55000';
  end if;
  if v_ids is null then
    return 0;
  end if;

  select array_agg(t.msg_id order by t.msg_id) into v_msg_ids
  from pgmq.send_batch(
    queue_name => 'audio_segments'::text,
    msgs => (select array_agg(jsonb_build_object('segment_id', i) order by i) from unnest(v_ids) as i)
  ) as t (msg_id);
  update public.audio_segments as s
  set status = 'queued', attempts = 0, last_error = null, started_at = null, finished_at = null,
    upload_started_at = null, msg_id = x.msg_id, updated_at = now()
  from unnest(v_ids, v_msg_ids) as x (id, msg_id)
  where s.id = x.id;
  perform pg_notify('audio_queue_work', p_batch_id::text);
  return cardinality(v_ids);
end;
$$;
comment on function audio.retry_failed(uuid) is
  'Queue the failed segments of a batch again; returns how many. Refused for cancelled batches.';

revoke execute on function audio.segment_states(smallint, text, text, text), audio.retry_failed(uuid)
  from public, anon, authenticated;
