-- Poison messages: a queue message whose body names no segment (no readable integer segment_id,
-- or the id of a segment that does not exist) is archived by audio.claim_segments with its reason
-- in audio.dead_letters, instead of failing the claim for every message read with it. Messages of
-- segments deleted with their word are deleted by the delete trigger (batch counters migration),
-- so a message naming a missing segment is one no segment ever had.

create table audio.dead_letters (
  msg_id bigint primary key,
  message jsonb,
  reason text not null,
  archived_at timestamptz not null default now()
);
comment on table audio.dead_letters is
  'Why each poison message (naming no segment) was archived; the message itself is also in pgmq.a_audio_segments.';
alter table audio.dead_letters enable row level security;

-- audio.message_segment_id: the segment id a queue message body names: segment_id as a JSON
-- number or a string of digits, optionally signed (at most 18 digits, so it always fits a
-- bigint); null when the body has no such value ({}, "x", 1.5, not an object).
create function audio.message_segment_id(p_message jsonb)
returns bigint
language sql
immutable
set search_path = ''
as $$
  select case when jsonb_typeof(p_message) = 'object' and (p_message ->> 'segment_id') ~ '^-?[0-9]{1,18}$'
    then (p_message ->> 'segment_id')::bigint end
$$;
comment on function audio.message_segment_id(jsonb) is
  'The bigint segment_id of a queue message body, or null when it has none that reads as one.';

-- audio.dead_letter: archive a message that cannot be worked on (pgmq archive, the dead-letter
-- queue) and record why in audio.dead_letters.
create function audio.dead_letter(p_msg_id bigint, p_message jsonb, p_reason text)
returns void
language plpgsql
security definer
set search_path = ''
as $$
begin
  insert into audio.dead_letters (msg_id, message, reason) values (p_msg_id, p_message, p_reason)
  on conflict (msg_id) do nothing;
  perform pgmq.archive(queue_name => 'audio_segments'::text, msg_id => p_msg_id::bigint);
end;
$$;
comment on function audio.dead_letter(bigint, jsonb, text) is
  'Archive a queue message that names no segment, recording the reason in audio.dead_letters.';

-- audio.claim_segments: record the caller's heartbeat (p_holder), read up to p_qty messages
-- (invisible for p_vt_s seconds) and return the segments to work on. Per message:
--   returned   the segment is live: a row with what the provider call needs; next begin_attempt
--   poison     the body has no readable integer segment_id, or names a segment that does not
--              exist: message archived, reason in audio.dead_letters, no row
--   settled    audio.guard_segment found it gone or cancelled: message deleted, no row
--   archived   read more than p_max_reads times: segment failed with the reason, message in the
--              pgmq archive (dead letter), no row
-- Claiming changes no segment status; begin_attempt does.
create or replace function audio.claim_segments(
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
    v_segment_id := audio.message_segment_id(m.message);
    if v_segment_id is null then
      perform audio.dead_letter(m.msg_id, m.message, 'the body has no integer segment_id');
      continue;
    end if;
    if not exists (select 1 from public.audio_segments as seg where seg.id = v_segment_id) then
      perform audio.dead_letter(m.msg_id, m.message, format('no segment with id %s', v_segment_id));
      continue;
    end if;
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
