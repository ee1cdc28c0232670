-- audio.begin_attempt hands out permits under the learned concurrency limit
-- (audio.concurrency_limit): the permit rule is least(p_limit, the learned limit). The rest of the
-- function is as before.
-- audio.begin_attempt: start one provider request for a segment. Takes a global permit (a slot
-- numbered <= p_limit that is free or whose lease expired, while fewer requests than the learned
-- limit are in flight), extends the message's visibility to p_vt_s and counts the attempt, all in
-- one transaction. Outcomes and what the caller does next:
--   go         permit taken (slot returned), segment generating: call the provider now, then
--              audio.end_attempt with that slot
--   no_permit  every slot up to p_limit is busy, or the requests in flight fill the learned limit:
--              nothing changed; try again when a permit frees
--   reused     identical content exists: segment done from it, message deleted; nothing to do
--   wait       identical content is being generated right now (or this very segment, by a
--              worker whose lease runs): message hidden p_wait_s seconds, and this delivery
--              excused (audio.excuse_read: waiting never uses up the delivery limit); drop it,
--              it comes back
--   cancelled  the batch was cancelled: segment cancelled, message deleted; drop it
--   gone       the segment is finished or no longer exists: message deleted; drop it
-- A p_limit outside 1..audio.max_concurrency() is an error (22023).
-- Under a learned limit below p_limit the requests in flight are counted while the limit's row is
-- locked, so two workers never both take the last permit it allows; at the ceiling the slot
-- numbers alone keep the rule (no lock).
-- It is long for one function because the outcomes are decided in this order while the segment's
-- row lock and the permit are held, in one round trip per attempt.
create or replace function audio.begin_attempt(
  p_segment_id bigint,
  p_msg_id bigint,
  p_holder text,
  p_limit integer,
  p_lease_s integer,
  p_vt_s integer,
  p_wait_s integer default 2
)
returns table (outcome text, slot integer)
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_guard text;
  s record;
  v_slot integer;
  v_learned integer;
  g record;
begin
  if p_limit not between 1 and audio.max_concurrency() then
    raise exception 'audio.begin_attempt: limit % is outside 1..%', p_limit, audio.max_concurrency()
      using errcode = '22023';
  end if;

  v_guard := audio.guard_segment(p_segment_id, p_msg_id);
  if v_guard <> 'live' then
    return query select v_guard, null::integer;
    return;
  end if;
  select seg.id, seg.text_hash, seg.voice_id, seg.model_id, seg.format into s
  from public.audio_segments as seg where seg.id = p_segment_id;

  -- A redelivered message whose first worker still holds a live permit for this very segment
  -- (a slow request): wait for it rather than make a second provider call.
  if exists (
    select 1 from audio.permits as p
    where p.segment_id = p_segment_id and p.holder is distinct from p_holder and p.expires_at >= now()
  ) then
    perform pgmq.set_vt(queue_name => 'audio_segments'::text, msg_id => p_msg_id::bigint, vt => p_wait_s::integer);
    perform audio.excuse_read(p_msg_id, p_segment_id);
    return query select 'wait'::text, null::integer;
    return;
  end if;

  -- The learned limit, where it is below this caller's: lock its row, then count.
  if exists (select 1 from audio.concurrency_limit as c where c.id and c.effective < p_limit) then
    select c.effective into v_learned from audio.concurrency_limit as c where c.id for update;
    if v_learned < p_limit and audio.permits_in_flight() >= v_learned then
      return query select 'no_permit'::text, null::integer;
      return;
    end if;
  end if;

  update audio.permits as p
  set holder = p_holder, segment_id = p_segment_id, acquired_at = now(),
    expires_at = now() + make_interval(secs => p_lease_s)
  where p.slot = (
    select f.slot from audio.permits as f
    where f.slot <= p_limit and (f.holder is null or f.expires_at < now())
    order by f.slot
    limit 1
    for update skip locked
  )
  returning p.slot into v_slot;
  if v_slot is null then
    return query select 'no_permit'::text, null::integer;
    return;
  end if;

  -- One generation per content at a time: serialise on the content key.
  perform pg_advisory_xact_lock(hashtextextended(concat_ws('|', s.text_hash, s.voice_id, s.model_id, s.format), 0));

  select ga.storage_path, ga.bytes into g
  from audio.generated_audio as ga
  where ga.text_hash = s.text_hash and ga.voice_id = s.voice_id and ga.model_id = s.model_id
    and ga.format = s.format;
  if found then
    perform audio.release_permit(v_slot, p_holder);
    perform audio.complete_segment(p_segment_id, p_msg_id, g.storage_path, g.bytes, true);
    return query select 'reused'::text, null::integer;
    return;
  end if;

  if exists (
    select 1 from public.audio_segments as o
    where o.status = 'generating' and o.id <> s.id and o.text_hash = s.text_hash
      and o.voice_id = s.voice_id and o.model_id = s.model_id and o.format = s.format
      and o.updated_at > now() - make_interval(secs => p_lease_s)
  ) then
    perform audio.release_permit(v_slot, p_holder);
    perform pgmq.set_vt(queue_name => 'audio_segments'::text, msg_id => p_msg_id::bigint, vt => p_wait_s::integer);
    perform audio.excuse_read(p_msg_id, p_segment_id);
    return query select 'wait'::text, null::integer;
    return;
  end if;

  update public.audio_segments as seg
  set status = 'generating', attempts = seg.attempts + 1, started_at = coalesce(seg.started_at, now())
  where seg.id = s.id;
  perform pgmq.set_vt(queue_name => 'audio_segments'::text, msg_id => p_msg_id::bigint, vt => p_vt_s::integer);
  return query select 'go'::text, v_slot;
end;
$$;
comment on function audio.begin_attempt(bigint, bigint, text, integer, integer, integer, integer) is
  'Take a global permit and start a provider attempt for a segment; outcome go/no_permit/reused/wait/cancelled/gone.';

revoke all on function audio.begin_attempt(bigint, bigint, text, integer, integer, integer, integer) from public, anon, authenticated;
