-- The check every step that handles a queue message makes first: is the segment still worth
-- working on? Shared by claim_segments and begin_attempt.

-- audio.guard_segment: lock the segment (for update, until the caller's transaction ends) and
-- settle a message that has nothing left to do. Outcomes:
--   live       queued or generating, batch not cancelled: locked, nothing changed; go on
--   gone       no such segment, or it finished (done by another worker, failed, cancelled):
--              message deleted; drop it
--   cancelled  its batch has a cancel request: segment cancelled, message deleted; drop it
create function audio.guard_segment(p_segment_id bigint, p_msg_id bigint)
returns text
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_status text;
  v_cancel_requested_at timestamptz;
begin
  select seg.status, b.cancel_requested_at into v_status, v_cancel_requested_at
  from public.audio_segments as seg
  join public.audio_batches as b on b.id = seg.batch_id
  where seg.id = p_segment_id
  for update of seg;

  if not found or v_status not in ('queued', 'generating') then
    perform pgmq.delete(queue_name => 'audio_segments'::text, msg_id => p_msg_id::bigint);
    return 'gone';
  end if;
  if v_cancel_requested_at is not null then
    update public.audio_segments as seg set status = 'cancelled', finished_at = now()
    where seg.id = p_segment_id;
    perform pgmq.delete(queue_name => 'audio_segments'::text, msg_id => p_msg_id::bigint);
    return 'cancelled';
  end if;
  return 'live';
end;
$$;
comment on function audio.guard_segment(bigint, bigint) is
  'Lock a segment; delete its message if it is gone or finished, cancel it if its batch was cancelled. Returns live, gone or cancelled.';
