-- The learned concurrency limit counts the requests in flight when the refused request was sent,
-- not only when its 429 is handled. In a burst a request the provider accepted can end (and give
-- its permit back) between the refused request's send and the handling of its 429: counted then,
-- N is one too small and the limit is learned one below the plan.
--   audio.permits.in_flight_at_take   the requests in flight, this one included, when the permit
--                                     was taken (audio.begin_attempt); cleared on release
--   audio.concurrency_limited         N = the greater of that count (of the caller's own permit)
--                                     and the requests in flight now

alter table audio.permits add column in_flight_at_take smallint;
comment on column audio.permits.in_flight_at_take is
  'The requests in flight, this one included, when the permit was taken (null while free).';

-- audio.release_permit: as before, and the count taken with the permit goes with it.
create or replace function audio.release_permit(p_slot integer, p_holder text)
returns void
language sql
security definer
set search_path = ''
as $$
  update audio.permits as p
  set holder = null, segment_id = null, acquired_at = null, expires_at = null, in_flight_at_take = null
  where p.slot = p_slot and p.holder = p_holder
$$;
comment on function audio.release_permit(integer, text) is
  'Free a permit slot held by this holder.';

-- audio.begin_attempt: as in 20261201005110, and the permit taken records the requests in flight
-- then (audio.permits.in_flight_at_take): the permits held under a running lease, which the slot
-- being taken (free, or its lease expired) is not among, plus this request.
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
    expires_at = now() + make_interval(secs => p_lease_s),
    in_flight_at_take = audio.permits_in_flight() + 1
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

-- audio.concurrency_limited: as in 20261201005100, with N = the greater of the requests in flight
-- when the caller's permit was taken (audio.permits.in_flight_at_take, this request included) and
-- the requests in flight now (null when the permit no longer covers the segment: then the count
-- now alone, as before).
create or replace function audio.concurrency_limited(
  p_slot integer,
  p_holder text,
  p_segment_id bigint,
  p_ceiling integer,
  p_pinned boolean default false
)
returns table (waits boolean, effective integer, in_flight integer)
language plpgsql
security definer
set search_path = ''
as $$
declare
  c audio.concurrency_limit;
  v_at_take integer;
  v_n integer;
  v_limit integer;
  v_waits boolean;
begin
  -- The segment's row before the limit's, in the order audio.begin_attempt takes them.
  perform 1 from public.audio_segments as seg where seg.id = p_segment_id for update;
  select * into c from audio.concurrency_limit where id for update;
  select p.in_flight_at_take into v_at_take from audio.permits as p
  where p.slot = p_slot and p.holder = p_holder and p.segment_id = p_segment_id;
  -- N, what the provider counted when this request arrived, is at least each of two counts: the
  -- one at take can miss a permit another worker was taking at the same time (not yet committed),
  -- the one now misses an accepted request that has ended since. Hence the greater: one too high
  -- costs one more 429 later (the limit only comes down), one too low loses a request of the plan.
  v_n := greatest(v_at_take, audio.permits_in_flight());
  v_limit := least(coalesce(c.effective, p_ceiling), p_ceiling);
  v_waits := not p_pinned and v_n > 1;
  if v_waits then
    v_limit := least(v_limit, v_n - 1);
    update audio.concurrency_limit as l
    set effective = case when v_limit >= p_ceiling then null else v_limit end,
      ceiling = p_ceiling, limited_at = now(),
      changed_at = case when v_limit is distinct from c.effective then now() else l.changed_at end
    where l.id;
    -- Not a failed attempt: begin_attempt counted it, so take it back (only while this holder's
    -- permit still covers the segment).
    update public.audio_segments as seg set attempts = greatest(seg.attempts - 1, 0)
    where seg.id = p_segment_id and seg.status = 'generating'
      and exists (
        select 1 from audio.permits as p
        where p.slot = p_slot and p.holder = p_holder and p.segment_id = p_segment_id
      );
  end if;
  insert into audio.concurrency_429s (in_flight, limit_after) values (v_n, v_limit);
  delete from audio.concurrency_429s as e where e.at < now() - interval '1 hour';
  return query select v_waits, v_limit, v_n;
end;
$$;
comment on function audio.concurrency_limited(integer, text, bigint, integer, boolean) is
  'A concurrency 429 with N in flight (the greater of the count when its permit was taken and now): limit to N - 1 (never below 1, not when pinned); waits = the attempt is taken back and the caller asks for another permit.';

-- create or replace keeps the functions' grants: still revoked from public, anon and authenticated.
