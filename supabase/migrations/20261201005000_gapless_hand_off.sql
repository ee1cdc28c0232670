-- The gapless hand-off. A slot whose provider request has answered ends that attempt and begins
-- the next segment's on the same permit in one round trip (audio.end_and_begin), so the plan's
-- slot is never empty between two requests of a busy worker. A permit that is really freed (no
-- next segment took it) wakes the workers waiting for one with a NOTIFY on
-- audio.permit_channel() at commit, so no worker needs to poll fast for a permit.

-- audio.permit_channel: the NOTIFY channel on which a freed permit wakes waiting workers; the
-- TypeScript names it PERMIT_CHANNEL (config.ts), and a test keeps the two equal.
create function audio.permit_channel()
returns text
language sql
immutable
set search_path = ''
as $$ select 'audio_queue_permit'::text $$;
comment on function audio.permit_channel() is
  'NOTIFY channel on which a freed permit wakes workers waiting for one (audio_queue_permit); the payload is the slot.';

-- audio.end_and_begin: audio.end_attempt for the attempt that just answered, then
-- audio.begin_gated_attempt for the next segment this worker already holds, in one transaction
-- and one round trip. The permit this attempt gives back is free again only inside this
-- transaction, so the next segment takes it (or a lower free slot) before any other worker can:
-- the hand-off loses no time to another worker's poll, and none is woken for a permit that is
-- taken again at once. Both are called, never copied, so the permit rule stays in begin_attempt.
-- Returns one row:
--   live     end_attempt's answer for the finished segment (true: upload it, then complete it)
--   outcome  begin_gated_attempt's outcome for the next segment (go, no_permit, reused, wait,
--            cancelled, gone, circuit_open: see audio.begin_attempt), acted on as if begun alone;
--            no_permit too when that begin raised an error (rolled back alone: the end stands)
--   slot     the next segment's permit when outcome is go
create function audio.end_and_begin(
  p_slot integer,
  p_holder text,
  p_segment_id bigint,
  p_will_upload boolean,
  p_next_segment_id bigint,
  p_next_msg_id bigint,
  p_limit integer,
  p_lease_s integer,
  p_vt_s integer
)
returns table (live boolean, outcome text, slot integer)
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_live boolean;
  v_outcome text;
  v_slot integer;
begin
  v_live := audio.end_attempt(p_slot, p_holder, p_segment_id, p_will_upload);
  -- The next segment's begin must never undo this end: the finished segment's audio is in hand,
  -- and losing its end would cost a second provider call. An error of the begin (a lock timeout,
  -- a deadlock with a word's deletion) is answered as no_permit: the worker asks for the next
  -- segment's permit again on its own, where such an error costs what it always did.
  begin
    select a.outcome, a.slot into v_outcome, v_slot
    from audio.begin_gated_attempt(p_next_segment_id, p_next_msg_id, p_holder, p_limit, p_lease_s, p_vt_s) as a;
  exception when others then
    v_outcome := 'no_permit';
    v_slot := null;
  end;
  return query select v_live, v_outcome, v_slot;
end;
$$;
comment on function audio.end_and_begin(integer, text, bigint, boolean, bigint, bigint, integer, integer, integer) is
  'End an attempt (audio.end_attempt) and begin the next segment''s (audio.begin_gated_attempt) in one round trip.';

-- audio.notify_permit_freed: at the commit of a transaction that freed a permit, tell waiting
-- workers, unless the slot was taken again before the commit (a hand-off): only a permit that
-- is free when the transaction ends is worth waking anyone for.
create function audio.notify_permit_freed()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  if exists (select 1 from audio.permits as p where p.slot = new.slot and p.holder is null) then
    perform pg_notify(audio.permit_channel(), new.slot::text);
  end if;
  return null;
end;
$$;
comment on function audio.notify_permit_freed() is
  'Trigger: NOTIFY audio.permit_channel() at commit when a freed permit is still free.';

-- Deferred to the commit, so a permit freed and taken again in one transaction wakes nobody. An
-- expired lease frees nothing by itself (begin_attempt takes it over): the workers' fallback poll
-- finds those.
create constraint trigger permits_notify_freed
after update of holder on audio.permits
deferrable initially deferred
for each row
when (old.holder is not null and new.holder is null)
execute function audio.notify_permit_freed();

revoke all on function audio.permit_channel() from public, anon, authenticated;
revoke all on function audio.end_and_begin(integer, text, bigint, boolean, bigint, bigint, integer, integer, integer) from public, anon, authenticated;
revoke all on function audio.notify_permit_freed() from public, anon, authenticated;
