-- The provider circuit: errors about the provider account rather than one segment (a rejected
-- API key, no credits left, server errors across many segments) stop the whole line instead of
-- failing every queued segment with the same error. One row holds the state for all workers:
--   closed    work flows
--   open      nobody claims or starts a request; segments stay queued; at next_probe_at one
--             worker may send one probe
--   probing   one worker (probe_holder) holds one claimed segment (probe_segment_id) whose real
--             request is the probe: success closes the circuit, an account error opens it again
-- The worker gates through the functions below (audio.claim_gated, audio.begin_gated_attempt)
-- and decides what counts as an account error; an admin's resume (audio.close_circuit) closes it
-- at once.

create table audio.provider_circuit (
  id boolean primary key default true check (id),
  state text not null default 'closed' check (state in ('closed', 'open', 'probing')),
  -- In plain words, with what to do about it ("the provider rejected the API key — set ...").
  reason text,
  -- The provider's own answer that opened (or last re-opened) the circuit.
  provider_error text,
  opened_at timestamptz,
  next_probe_at timestamptz,
  probe_holder text,
  probe_segment_id bigint,
  probe_expires_at timestamptz,
  closed_at timestamptz,
  -- Who closed it last: 'probe' or the admin's user id.
  closed_by text
);
comment on table audio.provider_circuit is
  'One row: whether provider work is stopped for an account error (open), probing, or flowing (closed).';
insert into audio.provider_circuit (id) values (true);
alter table audio.provider_circuit enable row level security;

-- audio.provider_circuit: the circuit as the admin page and health reports show it. state is
-- closed, open (waiting for next_probe_at) or half_open (a probe is due or in flight).
create function audio.provider_circuit()
returns table (
  state text, reason text, provider_error text, opened_at timestamptz, next_probe_at timestamptz
)
language sql
stable
security definer
set search_path = ''
as $$
  select
    case
      when c.state = 'closed' then 'closed'
      when c.state = 'probing' or c.next_probe_at <= now() then 'half_open'
      else 'open'
    end,
    case when c.state <> 'closed' then c.reason end,
    case when c.state <> 'closed' then c.provider_error end,
    case when c.state <> 'closed' then c.opened_at end,
    case when c.state <> 'closed' then c.next_probe_at end
  from audio.provider_circuit as c
$$;
comment on function audio.provider_circuit() is
  'The provider circuit: state closed/open/half_open, its reason, the provider''s error, opened_at, next_probe_at.';

-- audio.open_circuit: a worker heard an account error. Opens a closed circuit (opened_at now), or
-- re-opens an open or probing one (a failed probe, or another request of the same outage): the
-- reason and error are updated, opened_at kept, any probe dropped, and the next probe is due
-- p_probe_after_s seconds from now. Returns true when this call opened a closed circuit.
create function audio.open_circuit(p_reason text, p_provider_error text, p_probe_after_s integer)
returns boolean
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_was text;
begin
  if p_probe_after_s is null or p_probe_after_s < 1 then
    raise exception 'audio.open_circuit: probe interval must be at least 1 second, got %', p_probe_after_s
      using errcode = '22023';
  end if;
  select c.state into v_was from audio.provider_circuit as c for update;
  update audio.provider_circuit as c
  set state = 'open', reason = left(p_reason, 500), provider_error = left(p_provider_error, 2000),
    opened_at = case when v_was = 'closed' then now() else c.opened_at end,
    next_probe_at = now() + make_interval(secs => p_probe_after_s),
    probe_holder = null, probe_segment_id = null, probe_expires_at = null;
  return v_was = 'closed';
end;
$$;
comment on function audio.open_circuit(text, text, integer) is
  'Open (or re-open) the provider circuit with a reason; the next probe is due p_probe_after_s from now.';

-- audio.close_circuit: work resumes. A probe that got audio calls it (p_by 'probe'), and so does
-- an admin's resume (p_by the admin's user id). Returns true when the circuit was not closed.
create function audio.close_circuit(p_by text)
returns boolean
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_was text;
begin
  select c.state into v_was from audio.provider_circuit as c for update;
  if v_was = 'closed' then
    return false;
  end if;
  update audio.provider_circuit
  set state = 'closed', closed_at = now(), closed_by = p_by,
    probe_holder = null, probe_segment_id = null, probe_expires_at = null;
  return true;
end;
$$;
comment on function audio.close_circuit(text) is
  'Close the provider circuit (a successful probe, or an admin''s resume); true when it was open.';

-- audio.claim_gated: audio.claim_segments behind the circuit; the worker claims only through it.
-- Outcomes (probe tells the caller which):
--   closed                    up to p_qty segments, probe false
--   open, probe due (or the   this caller becomes the probe: at most one segment, probe true;
--   last probe's lease ran    the circuit is probing until the caller reports, or until
--   out after p_probe_lease_s) p_probe_lease_s passes (a probe worker that died)
--   open otherwise            no rows; only the caller's heartbeat is recorded
-- A due probe that finds nothing to claim leaves the circuit open and the probe still due.
create function audio.claim_gated(
  p_qty integer,
  p_vt_s integer,
  p_max_reads integer,
  p_holder text,
  p_probe_lease_s integer
)
returns table (
  msg_id bigint, read_ct integer, segment_id bigint, batch_id uuid, text text, text_hash text,
  voice_id text, model_id text, format text, probe boolean
)
language plpgsql
security definer
set search_path = ''
as $$
declare
  c record;
  r record;
begin
  -- The common case reads without a lock, so claims of many workers never queue on this row.
  if (select pc.state from audio.provider_circuit as pc) = 'closed' then
    return query select s.*, false from audio.claim_segments(p_qty, p_vt_s, p_max_reads, p_holder) as s;
    return;
  end if;
  select * into c from audio.provider_circuit as pc for update;
  if c.state = 'closed' then
    return query select s.*, false from audio.claim_segments(p_qty, p_vt_s, p_max_reads, p_holder) as s;
    return;
  end if;
  if (c.state = 'open' and c.next_probe_at <= now())
    or (c.state = 'probing' and c.probe_expires_at < now()) then
    -- claim_segments(1, ...) answers at most one row.
    for r in select * from audio.claim_segments(1, p_vt_s, p_max_reads, p_holder) loop
      update audio.provider_circuit
      set state = 'probing', probe_holder = p_holder, probe_segment_id = r.segment_id,
        probe_expires_at = now() + make_interval(secs => p_probe_lease_s);
      return query select r.msg_id, r.read_ct, r.segment_id, r.batch_id, r.text, r.text_hash,
        r.voice_id, r.model_id, r.format, true;
      return;
    end loop;
    if c.state = 'probing' then
      update audio.provider_circuit
      set state = 'open', probe_holder = null, probe_segment_id = null, probe_expires_at = null;
    end if;
    return;
  end if;
  perform audio.worker_heartbeat(p_holder);
end;
$$;
comment on function audio.claim_gated(integer, integer, integer, text, integer) is
  'audio.claim_segments behind the provider circuit: all when closed, one probe segment when a probe is due, none when open.';

-- audio.begin_gated_attempt: audio.begin_attempt behind the circuit; the worker starts every
-- provider request through it, so a circuit opened by one worker stops the others' next request
-- in the same round trip that would have started it. Outcomes: those of audio.begin_attempt
-- when the circuit is closed, or when this is the probe (the probing holder's probe segment);
-- otherwise
--   circuit_open  nothing changed: hand the message back with audio.hold_for_circuit
create function audio.begin_gated_attempt(
  p_segment_id bigint,
  p_msg_id bigint,
  p_holder text,
  p_limit integer,
  p_lease_s integer,
  p_vt_s integer
)
returns table (outcome text, slot integer)
language plpgsql
security definer
set search_path = ''
as $$
begin
  if exists (
    select 1 from audio.provider_circuit as c
    where c.state = 'closed'
      or (c.state = 'probing' and c.probe_holder = p_holder and c.probe_segment_id = p_segment_id)
  ) then
    return query select a.outcome, a.slot
      from audio.begin_attempt(p_segment_id, p_msg_id, p_holder, p_limit, p_lease_s, p_vt_s) as a;
    return;
  end if;
  return query select 'circuit_open'::text, null::integer;
end;
$$;
comment on function audio.begin_gated_attempt(bigint, bigint, text, integer, integer, integer) is
  'audio.begin_attempt unless the provider circuit is open (outcome circuit_open); the probe passes.';

-- audio.hold_for_circuit: hand back messages a worker holds while the circuit is open, as if it
-- had never read them: each becomes visible after p_delay_s with its read count taken back by
-- one (the claim's), and a segment an account error interrupted goes from generating back to
-- queued with that attempt uncounted. Its last_error is left as it was: the reason is the
-- circuit's, not the segment's. An outage therefore never spends a segment's delivery limit.
-- Returns how many of the messages still existed.
create function audio.hold_for_circuit(p_msg_ids bigint[], p_delay_s integer default 0)
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
  update pgmq.q_audio_segments as q
  set read_ct = greatest(q.read_ct - 1, 0), vt = clock_timestamp() + make_interval(secs => p_delay_s)
  where q.msg_id = any (p_msg_ids);
  get diagnostics v_count = row_count;
  return v_count;
end;
$$;
comment on function audio.hold_for_circuit(bigint[], integer) is
  'Hand back messages held while the provider circuit is open: visible again, read count and attempt taken back.';

revoke all on table audio.provider_circuit from public, anon, authenticated;
revoke all on function audio.provider_circuit() from public, anon, authenticated;
revoke all on function audio.open_circuit(text, text, integer) from public, anon, authenticated;
revoke all on function audio.close_circuit(text) from public, anon, authenticated;
revoke all on function audio.claim_gated(integer, integer, integer, text, integer) from public, anon, authenticated;
revoke all on function audio.begin_gated_attempt(bigint, bigint, text, integer, integer, integer) from public, anon, authenticated;
revoke all on function audio.hold_for_circuit(bigint[], integer) from public, anon, authenticated;
