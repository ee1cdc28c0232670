-- Waiting never uses up a segment's delivery limit. pgmq counts every read of a message
-- (read_ct), but some deliveries end through no fault of the segment: begin_attempt's `wait`
-- (identical text in flight elsewhere, or this segment's own earlier permit still live) and a
-- message handed back unstarted (no permit in the budget, the run stopping, claim-ahead's buffer
-- at the end of a run). Those deliveries are recorded here as excused, and claim_segments compares
-- the deliveries that were not excused with the limit. Waits stay bounded without the limit: what
-- is waited for holds a lease (a permit, a generating row) that runs out.
-- An unexpected error (Storage, database) handed back with return_messages' p_error is not
-- excused, and its text is kept on the segment, so when the limit ends the segment its
-- last_error names the real cause.

create table audio.excused_reads (
  msg_id bigint primary key,
  segment_id bigint not null references public.audio_segments (id) on delete cascade,
  reads integer not null,
  updated_at timestamptz not null default now()
);
comment on table audio.excused_reads is
  'Deliveries of a queue message that ended through no fault of its segment (a wait, a hand-back); they do not count toward the delivery limit.';
create index excused_reads_segment_id on audio.excused_reads (segment_id);
create index excused_reads_updated_at on audio.excused_reads (updated_at);
alter table audio.excused_reads enable row level security;

-- audio.excuse_read: the current delivery of a message ended through no fault of its segment
-- (it waited, or was handed back unstarted): one more excused read for it.
create function audio.excuse_read(p_msg_id bigint, p_segment_id bigint)
returns void
language sql
security definer
set search_path = ''
as $$
  insert into audio.excused_reads as e (msg_id, segment_id, reads) values (p_msg_id, p_segment_id, 1)
  on conflict (msg_id) do update set reads = e.reads + 1, updated_at = now()
$$;
comment on function audio.excuse_read(bigint, bigint) is
  'Record that a message''s current delivery ended through no fault of its segment (not counted toward the delivery limit).';

-- audio.prune_excused_reads: a row of audio.excused_reads is needed while its segment is live.
-- Looks at the (at most) 100 rows untouched for ten minutes: deletes those whose segment has
-- finished, and marks the others as seen now, so the next call looks at different rows. Each
-- claim calls it: its cost is bounded by the 100, not by the table, however many live segments
-- waited. Ten minutes: a live segment's row is refreshed by every wait, so only rows of finished
-- segments and of long-queued ones age that far.
create function audio.prune_excused_reads()
returns void
language sql
security definer
set search_path = ''
as $$
  with old as (
    select o.msg_id, s.status in ('queued', 'generating') as live
    from audio.excused_reads as o
    join public.audio_segments as s on s.id = o.segment_id
    where o.updated_at < now() - interval '10 minutes'
    order by o.updated_at
    limit 100
    for update of o skip locked
  ), pruned as (
    delete from audio.excused_reads as e using old where e.msg_id = old.msg_id and not old.live
  )
  update audio.excused_reads as e set updated_at = now() from old where e.msg_id = old.msg_id and old.live
$$;
comment on function audio.prune_excused_reads() is
  'Delete up to 100 ten-minute-old excused-read rows of finished segments; mark live ones seen.';

-- audio.return_messages: hand claimed messages back, visible again after p_delay_s seconds.
--   p_error null   a hand-back that is no fault of the segment (a stopping worker's unstarted
--                  messages, no permit within the budget): the delivery is excused
--   p_error given  an unexpected error (Storage, database) ended this delivery: it counts, and
--                  the error (cut to 2000 characters) becomes the segment's last_error, kept
--                  until the segment is done or fails
-- Returns how many of the messages still existed.
drop function audio.return_messages(bigint[], integer);
create function audio.return_messages(
  p_msg_ids bigint[],
  p_delay_s integer default 0,
  p_error text default null
)
returns integer
language plpgsql
security definer
set search_path = ''
as $$
declare
  m record;
  v_count integer := 0;
begin
  for m in
    select q.msg_id, audio.message_segment_id(q.message) as segment_id
    from pgmq.q_audio_segments as q where q.msg_id = any(p_msg_ids)
  loop
    perform pgmq.set_vt(queue_name => 'audio_segments'::text, msg_id => m.msg_id::bigint, vt => p_delay_s::integer);
    v_count := v_count + 1;
    if m.segment_id is null or not exists (select 1 from public.audio_segments as s where s.id = m.segment_id) then
      continue;
    end if;
    if p_error is null then
      perform audio.excuse_read(m.msg_id, m.segment_id);
    else
      update public.audio_segments as s set last_error = left(p_error, 2000)
      where s.id = m.segment_id and s.status in ('queued', 'generating');
    end if;
  end loop;
  return v_count;
end;
$$;
comment on function audio.return_messages(bigint[], integer, text) is
  'Make claimed messages visible again after p_delay_s seconds; no error: the delivery is excused; an error: it counts and is kept as last_error.';

-- audio.claim_segments: record the caller's heartbeat (p_holder), read up to p_qty messages
-- (invisible for p_vt_s seconds) and return the segments to work on. Per message:
--   returned   the segment is live: a row with what the provider call needs; next begin_attempt
--   poison     the body has no readable integer segment_id, or names a segment that does not
--              exist: message archived, reason in audio.dead_letters, no row
--   settled    audio.guard_segment found it gone or cancelled: message deleted, no row
--   archived   delivered more than p_max_reads times, not counting excused deliveries (waits and
--              hand-backs, audio.excused_reads): segment failed with the reason and its last
--              real error, message in the pgmq archive (dead letter), no row
-- Claiming changes no segment status; begin_attempt does. Each claim also prunes a few old
-- excused-read rows (audio.prune_excused_reads).
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
  v_counted integer;
begin
  if p_holder is not null then
    perform audio.worker_heartbeat(p_holder);
  end if;
  perform audio.prune_excused_reads();
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
    v_counted := m.read_ct - coalesce((select e.reads from audio.excused_reads as e where e.msg_id = m.msg_id), 0);
    if v_counted > p_max_reads then
      update public.audio_segments as seg set status = 'failed', finished_at = now(),
        last_error = left(format('delivered %s times without finishing (limit %s); ', v_counted, p_max_reads)
          || coalesce('last error: ' || seg.last_error, 'message archived'), 2000)
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
  'Record the caller''s heartbeat; read queue messages and return live segments; clean up finished/cancelled ones; archive ones delivered past the limit (excused deliveries not counted).';

-- begin_attempt's waits are excused deliveries (the same function otherwise).
-- audio.begin_attempt: start one provider request for a segment. Takes a global permit (a slot
-- numbered <= p_limit that is free or whose lease expired), extends the message's visibility to
-- p_vt_s and counts the attempt, all in one transaction. Outcomes and what the caller does next:
--   go         permit taken (slot returned), segment generating: call the provider now, then
--              audio.end_attempt with that slot
--   no_permit  every slot up to p_limit is busy: nothing changed; try again when a permit frees
--   reused     identical content exists: segment done from it, message deleted; nothing to do
--   wait       identical content is being generated right now (or this very segment, by a
--              worker whose lease runs): message hidden p_wait_s seconds, and this delivery
--              excused (audio.excuse_read: waiting never uses up the delivery limit); drop it,
--              it comes back
--   cancelled  the batch was cancelled: segment cancelled, message deleted; drop it
--   gone       the segment is finished or no longer exists: message deleted; drop it
-- A p_limit outside 1..audio.max_concurrency() is an error (22023).
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

revoke all on table audio.excused_reads from public, anon, authenticated;
revoke all on function audio.excuse_read(bigint, bigint) from public, anon, authenticated;
revoke all on function audio.prune_excused_reads() from public, anon, authenticated;
revoke all on function audio.return_messages(bigint[], integer, text) from public, anon, authenticated;
revoke all on function audio.claim_segments(integer, integer, integer, text) from public, anon, authenticated;
revoke all on function audio.begin_attempt(bigint, bigint, text, integer, integer, integer, integer) from public, anon, authenticated;
