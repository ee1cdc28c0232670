-- The end of a segment's work: audio in Storage (complete) or an error to keep (fail). Both are
-- conditional on the segment still being queued or generating, so a redelivered message or a
-- second worker never counts a segment twice.

-- audio.complete_segment: the segment's audio is in Storage. Marks it done, records the content
-- (so identical text is reused), points the word at it, deletes the message. Outcomes:
--   true   done now: counted in its batch, word_audio upserted, message deleted
--   false  it was no longer live (finished elsewhere, or its batch was cancelled before the
--          upload was cleared by end_attempt): nothing changed but the message, deleted
create function audio.complete_segment(
  p_segment_id bigint,
  p_msg_id bigint,
  p_storage_path text,
  p_bytes integer,
  p_reused boolean default false,
  p_provider_ms integer default null,
  p_rate_limited integer default 0
)
returns boolean
language plpgsql
security definer
set search_path = ''
as $$
declare
  s record;
begin
  update public.audio_segments as seg
  set status = 'done', storage_path = p_storage_path, bytes = p_bytes, reused = p_reused,
    provider_ms = p_provider_ms, rate_limited = seg.rate_limited + coalesce(p_rate_limited, 0),
    last_error = null, finished_at = now()
  where seg.id = p_segment_id and seg.status in ('queued', 'generating')
    and (
      seg.upload_started_at is not null
      or not exists (
        select 1 from public.audio_batches as b where b.id = seg.batch_id and b.cancel_requested_at is not null
      )
    )
  returning seg.id, seg.text_hash, seg.voice_id, seg.model_id, seg.format into s;

  perform pgmq.delete(queue_name => 'audio_segments'::text, msg_id => p_msg_id::bigint);
  if s.id is null then
    return false;
  end if;

  insert into audio.generated_audio (text_hash, voice_id, model_id, format, storage_path, bytes)
  values (s.text_hash, s.voice_id, s.model_id, s.format, p_storage_path, p_bytes)
  on conflict do nothing;
  perform audio.upsert_word_audio(array[s.id]);
  return true;
end;
$$;
comment on function audio.complete_segment(bigint, bigint, text, integer, boolean, integer, integer) is
  'Mark a segment done with its object, upsert word_audio and the content index, delete the message. False if it was no longer live.';

-- audio.fail_segment: the provider refused, or retries ran out. The segment keeps the error
-- (cut to 2000 characters: enough for any provider message, and a proxy's HTML page must not
-- bloat the row); the message goes to the pgmq archive, the dead-letter queue. Outcomes:
--   true   failed now, counted in its batch
--   false  it had finished already: nothing changed (the message is archived all the same)
create function audio.fail_segment(
  p_segment_id bigint,
  p_msg_id bigint,
  p_error text,
  p_rate_limited integer default 0
)
returns boolean
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_found boolean;
begin
  update public.audio_segments as seg
  set status = 'failed', last_error = left(p_error, 2000), finished_at = now(),
    rate_limited = seg.rate_limited + coalesce(p_rate_limited, 0)
  where seg.id = p_segment_id and seg.status in ('queued', 'generating');
  v_found := found;
  perform pgmq.archive(queue_name => 'audio_segments'::text, msg_id => p_msg_id::bigint);
  return v_found;
end;
$$;
comment on function audio.fail_segment(bigint, bigint, text, integer) is
  'Mark a segment failed with its error and archive its message (dead letter).';
