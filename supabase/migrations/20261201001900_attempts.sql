-- One provider request for a segment, between a claim and its completion: begin_attempt takes a
-- global permit, end_attempt gives it back the moment the provider answered.

-- audio.begin_attempt: start one provider request for a segment. Takes a global permit (a slot
-- numbered <= p_limit that is free or whose lease expired), extends the message's visibility to
-- p_vt_s and counts the attempt, all in one transaction. Outcomes and what the caller does next:
--   go         permit taken (slot returned), segment generating: call the provider now, then
--              audio.end_attempt with that slot
--   no_permit  every slot up to p_limit is busy: nothing changed; try again when a permit frees
--   reused     identical content exists: segment done from it, message deleted; nothing to do
--   wait       identical content is being generated right now (or this very segment, by a
--              worker whose lease runs): message hidden p_wait_s seconds; drop it, it comes back
--   cancelled  the batch was cancelled: segment cancelled, message deleted; drop it
--   gone       the segment is finished or no longer exists: message deleted; drop it
-- A p_limit outside 1..audio.max_concurrency() is an error (22023).
-- It is long for one function because the outcomes are decided in this order while the segment's
-- row lock and the permit are held, in one round trip per attempt.
create function audio.begin_attempt(
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
    return query select 'wait'::text, null::integer;
    return;
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

-- audio.end_attempt: give the permit back the moment the provider answered (only if this holder
-- still holds it), and say whether the segment may still be uploaded. Outcomes:
--   true   the segment is generating in a live batch: upload, then complete_segment. With
--          p_will_upload (the attempt brought audio) upload_started_at is recorded in the same
--          statement as the check, so a later cancel lets this upload finish as done
--   false  its batch was cancelled or it finished elsewhere: do not upload; drop it
create function audio.end_attempt(
  p_slot integer,
  p_holder text,
  p_segment_id bigint,
  p_will_upload boolean default false
)
returns boolean
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_live boolean;
begin
  perform audio.release_permit(p_slot, p_holder);
  if p_will_upload then
    update public.audio_segments as seg set upload_started_at = now()
    where seg.id = p_segment_id and seg.status = 'generating'
      and not exists (
        select 1 from public.audio_batches as b where b.id = seg.batch_id and b.cancel_requested_at is not null
      );
    return found;
  end if;
  select true into v_live
  from public.audio_segments as seg
  join public.audio_batches as b on b.id = seg.batch_id
  where seg.id = p_segment_id and seg.status = 'generating' and b.cancel_requested_at is null;
  return coalesce(v_live, false);
end;
$$;
comment on function audio.end_attempt(integer, text, bigint, boolean) is
  'Release a permit; true when the segment is still live. With p_will_upload, also clears it for upload (upload_started_at).';
