-- The queue of segments to voice (pgmq queue audio_segments, message body { "segment_id": <id> }),
-- the one way messages are sent to it, and how deep it is.

do $$
begin
  if not exists (select 1 from pgmq.list_queues() as q where q.queue_name = 'audio_segments') then
    perform pgmq.create(queue_name => 'audio_segments'::text);
  end if;
end $$;

-- audio.enqueue_segments: one message per segment, sent in segment id order (send_batch keeps
-- the array's order, so message ids ascend with segment ids and the queue hands out a batch in
-- order), and a NOTIFY on audio.work_channel() that wakes listening workers at commit. Returns
-- each segment's message id: the caller stores it on the segment in the same statement as the
-- segment's other changes. Used by create_batch and retry_failed.
create function audio.enqueue_segments(p_batch_id uuid, p_segment_ids bigint[])
returns table (segment_id bigint, msg_id bigint)
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_ids bigint[];
  v_msg_ids bigint[];
begin
  select array_agg(i.id order by i.id) into v_ids from unnest(p_segment_ids) as i (id);
  if v_ids is null then
    return;
  end if;
  select array_agg(t.id order by t.id) into v_msg_ids
  from pgmq.send_batch(
    queue_name => 'audio_segments'::text,
    msgs => (select array_agg(jsonb_build_object('segment_id', i.id) order by i.id) from unnest(v_ids) as i (id))::jsonb[]
  ) as t (id);
  perform pg_notify(audio.work_channel(), p_batch_id::text);
  return query select x.segment_id, x.msg_id from unnest(v_ids, v_msg_ids) as x (segment_id, msg_id);
end;
$$;
comment on function audio.enqueue_segments(uuid, bigint[]) is
  'Send one queue message per segment (in id order), wake listening workers; returns (segment_id, msg_id) pairs.';

-- audio.queue_depth: visible = ready to claim now; total = every message, in flight or not. A
-- worker stops when total is 0; while only invisible messages remain it waits for them (another
-- worker may die and its messages come back). clock_timestamp(), as pgmq.read compares, so a
-- message sent earlier in the same transaction counts as visible.
create function audio.queue_depth()
returns table (visible bigint, total bigint)
language sql
stable
security definer
set search_path = ''
as $$
  select count(*) filter (where q.vt <= clock_timestamp()), count(*) from pgmq.q_audio_segments as q
$$;
comment on function audio.queue_depth() is
  'Messages in the audio_segments queue: visible now, and in total.';
