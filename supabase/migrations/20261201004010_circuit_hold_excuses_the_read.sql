-- A message held back by the provider circuit spends no delivery the same way a wait does: its
-- read is recorded in audio.excused_reads (audio.excuse_read), which audio.claim_segments subtracts
-- before comparing with the limit. Before, audio.hold_for_circuit lowered pgmq's own read_ct in the
-- queue table, a second way of saying the same thing that wrote into pgmq's storage.

-- audio.hold_for_circuit: hand held messages back (visible after p_delay_s) as if the delivery had
-- not happened: the read is excused, a segment the request had marked generating is queued again
-- with that attempt taken back. Returns how many of the messages still existed.
create or replace function audio.hold_for_circuit(p_msg_ids bigint[], p_delay_s integer default 0)
returns integer
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_count integer;
begin
  update public.audio_segments as seg
  set status = 'queued', attempts = greatest(seg.attempts - 1, 0)
  from pgmq.q_audio_segments as q
  where q.msg_id = any (p_msg_ids) and seg.id = audio.message_segment_id(q.message)
    and seg.status = 'generating';
  perform audio.excuse_read(q.msg_id, seg.id)
  from pgmq.q_audio_segments as q
  join public.audio_segments as seg on seg.id = audio.message_segment_id(q.message)
  where q.msg_id = any (p_msg_ids);
  update pgmq.q_audio_segments as q
  set vt = clock_timestamp() + make_interval(secs => p_delay_s)
  where q.msg_id = any (p_msg_ids);
  get diagnostics v_count = row_count;
  return v_count;
end;
$$;

comment on function audio.hold_for_circuit(bigint[], integer) is
  'Hand back messages held while the provider circuit is open: visible again, the read excused, the attempt taken back.';

revoke all on function audio.hold_for_circuit(bigint[], integer) from public, anon, authenticated;
