-- How a worker gets work and gives back what it did not start.

-- audio.claim_segments: record the caller's heartbeat (p_holder), read up to p_qty messages
-- (invisible for p_vt_s seconds) and return the segments to work on. Per message:
--   returned   the segment is live: a row with what the provider call needs; next begin_attempt
--   settled    audio.guard_segment found it gone or cancelled: message deleted, no row
--   archived   read more than p_max_reads times: segment failed with the reason, message in the
--              pgmq archive (dead letter), no row
-- Claiming changes no segment status; begin_attempt does.
create function audio.claim_segments(
  p_qty integer,
  p_vt_s integer,
  p_max_reads integer default audio.default_max_reads(),
  p_holder text default null
)
returns table (
  msg_id bigint, read_ct integer, segment_id bigint, batch_id uuid, text text, text_hash text,
  voice_id text, model_id text, format text
)
language plpgsql
security definer
set search_path = ''
as $$
declare
  m record;
  v_segment_id bigint;
begin
  if p_holder is not null then
    perform audio.worker_heartbeat(p_holder);
  end if;
  for m in select * from pgmq.read(queue_name => 'audio_segments'::text, vt => p_vt_s::integer, qty => p_qty::integer) loop
    v_segment_id := (m.message ->> 'segment_id')::bigint;
    if audio.guard_segment(v_segment_id, m.msg_id) <> 'live' then
      continue;
    end if;
    if m.read_ct > p_max_reads then
      update public.audio_segments as seg set status = 'failed', finished_at = now(),
        last_error = format('delivered %s times without finishing (limit %s); message archived', m.read_ct, p_max_reads)
      where seg.id = v_segment_id;
      perform pgmq.archive(queue_name => 'audio_segments'::text, msg_id => m.msg_id::bigint);
      continue;
    end if;
    return query
    select m.msg_id, m.read_ct, seg.id, seg.batch_id, seg.text, seg.text_hash, seg.voice_id,
      seg.model_id, seg.format
    from public.audio_segments as seg where seg.id = v_segment_id;
  end loop;
end;
$$;
comment on function audio.claim_segments(integer, integer, integer, text) is
  'Record the caller''s heartbeat; read queue messages and return live segments; clean up finished/cancelled ones; archive over-delivered ones.';

-- audio.return_messages: a worker stopping (time budget) hands back messages it claimed but did
-- not start, so another worker can take them at once instead of after the visibility timeout;
-- after an unexpected error (Storage down) it hands one back with a delay. Returns how many of
-- the messages still existed.
create function audio.return_messages(p_msg_ids bigint[], p_delay_s integer default 0)
returns integer
language sql
security definer
set search_path = ''
as $$
  select count(*)::integer from unnest(p_msg_ids) as i (id),
    lateral pgmq.set_vt(queue_name => 'audio_segments'::text, msg_id => i.id::bigint, vt => p_delay_s::integer)
$$;
comment on function audio.return_messages(bigint[], integer) is
  'Make claimed messages visible again after p_delay_s seconds (0 = now).';
