--
-- PostgreSQL database dump
--



SET statement_timeout = 0;
SET lock_timeout = 0;
SET idle_in_transaction_session_timeout = 0;
SET client_encoding = 'UTF8';
SET standard_conforming_strings = on;
SELECT pg_catalog.set_config('search_path', '', false);
SET check_function_bodies = false;
SET xmloption = content;
SET client_min_messages = warning;
SET row_security = off;

--
-- Name: audio; Type: SCHEMA; Schema: -; Owner: -
--

CREATE SCHEMA audio;


--
-- Name: SCHEMA audio; Type: COMMENT; Schema: -; Owner: -
--

COMMENT ON SCHEMA audio IS 'audio-queue internals: queue, permit and batch functions. Not exposed over the Data API.';


--
-- Name: public; Type: SCHEMA; Schema: -; Owner: -
--

CREATE SCHEMA public;


--
-- Name: SCHEMA public; Type: COMMENT; Schema: -; Owner: -
--

COMMENT ON SCHEMA public IS 'standard public schema';


--
-- Name: advance_updated_at(); Type: FUNCTION; Schema: audio; Owner: -
--

CREATE FUNCTION audio.advance_updated_at() RETURNS trigger
    LANGUAGE plpgsql
    SET search_path TO ''
    AS $$
begin
  new.updated_at := greatest(clock_timestamp(), old.updated_at + interval '1 microsecond');
  return new;
end;
$$;


--
-- Name: FUNCTION advance_updated_at(); Type: COMMENT; Schema: audio; Owner: -
--

COMMENT ON FUNCTION audio.advance_updated_at() IS 'Trigger: set updated_at to the wall clock, and always later than the version it replaces.';


--
-- Name: analyze_large_insert(); Type: FUNCTION; Schema: audio; Owner: -
--

CREATE FUNCTION audio.analyze_large_insert() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO ''
    AS $$
declare
  v_target text := pg_catalog.current_setting('default_statistics_target');
begin
  -- Below a thousand rows (an admin's usual batch) the planner's figures are off by at most that
  -- many rows, which no plan turns into a long walk.
  if (select count(*) from (select 1 from new_rows limit 1000) as x) < 1000 then
    return null;
  end if;
  perform pg_catalog.set_config('default_statistics_target', '10', true);
  analyze (skip_locked) public.audio_segments (status);
  perform pg_catalog.set_config('default_statistics_target', v_target, true);
  return null;
end;
$$;


--
-- Name: FUNCTION analyze_large_insert(); Type: COMMENT; Schema: audio; Owner: -
--

COMMENT ON FUNCTION audio.analyze_large_insert() IS 'Trigger: after 1,000+ segments inserted in one statement, ANALYZE audio_segments (status) in that transaction.';


--
-- Name: announce_cancel(); Type: FUNCTION; Schema: audio; Owner: -
--

CREATE FUNCTION audio.announce_cancel() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO ''
    AS $$
begin
  perform pg_notify(audio.cancel_channel(), new.id::text);
  return null;
end;
$$;


--
-- Name: FUNCTION announce_cancel(); Type: COMMENT; Schema: audio; Owner: -
--

COMMENT ON FUNCTION audio.announce_cancel() IS 'Trigger: NOTIFY audio.cancel_channel() with the batch id when its cancel is requested (sent at commit).';


--
-- Name: batch_counter_drift(); Type: FUNCTION; Schema: audio; Owner: -
--

CREATE FUNCTION audio.batch_counter_drift() RETURNS TABLE(batch_id uuid, status text, total integer, rows_total integer, done integer, rows_done integer, failed integer, rows_failed integer, cancelled integer, rows_cancelled integer, skipped integer, rows_skipped integer)
    LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path TO ''
    AS $$
  select b.id, b.status, b.total, r.n, b.done, r.n_done, b.failed, r.n_failed,
    b.cancelled, r.n_cancelled, b.skipped, r.n_skipped
  from public.audio_batches as b
  cross join lateral (
    select count(*)::integer as n,
      (count(*) filter (where s.status = 'done'))::integer as n_done,
      (count(*) filter (where s.status = 'failed'))::integer as n_failed,
      (count(*) filter (where s.status = 'cancelled'))::integer as n_cancelled,
      (count(*) filter (where s.status = 'done' and s.reused))::integer as n_skipped
    from public.audio_segments as s where s.batch_id = b.id
  ) as r
  where not exists (select 1 from audio.pruned_batches as p where p.batch_id = b.id)
    and (b.total, b.done, b.failed, b.cancelled, b.skipped)
      is distinct from (r.n, r.n_done, r.n_failed, r.n_cancelled, r.n_skipped)
$$;


--
-- Name: FUNCTION batch_counter_drift(); Type: COMMENT; Schema: audio; Owner: -
--

COMMENT ON FUNCTION audio.batch_counter_drift() IS 'Batches whose counters (total, done, failed, cancelled, skipped) differ from their segment rows; empty when all agree.';


SET default_tablespace = '';

SET default_table_access_method = heap;

--
-- Name: audio_batches; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.audio_batches (
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    status text DEFAULT 'queued'::text NOT NULL,
    total integer DEFAULT 0 NOT NULL,
    done integer DEFAULT 0 NOT NULL,
    failed integer DEFAULT 0 NOT NULL,
    cancelled integer DEFAULT 0 NOT NULL,
    skipped integer DEFAULT 0 NOT NULL,
    source text DEFAULT 'admin'::text NOT NULL,
    requested_by uuid,
    voice_id text NOT NULL,
    model_id text NOT NULL,
    format text NOT NULL,
    kinds text[] NOT NULL,
    grade smallint,
    missing_only boolean DEFAULT true NOT NULL,
    cancel_requested_at timestamp with time zone,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    started_at timestamp with time zone,
    finished_at timestamp with time zone,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    scope text,
    characters bigint DEFAULT 0 NOT NULL,
    CONSTRAINT audio_batches_cancelled_check CHECK ((cancelled >= 0)),
    CONSTRAINT audio_batches_characters_check CHECK ((characters >= 0)),
    CONSTRAINT audio_batches_done_check CHECK ((done >= 0)),
    CONSTRAINT audio_batches_failed_check CHECK ((failed >= 0)),
    CONSTRAINT audio_batches_scope_check CHECK ((scope = ANY (ARRAY['words'::text, 'grade'::text, 'all'::text]))),
    CONSTRAINT audio_batches_skipped_check CHECK ((skipped >= 0)),
    CONSTRAINT audio_batches_source_check CHECK ((source = ANY (ARRAY['admin'::text, 'backfill'::text]))),
    CONSTRAINT audio_batches_status_check CHECK ((status = ANY (ARRAY['queued'::text, 'running'::text, 'completed'::text, 'completed_with_errors'::text, 'cancelling'::text, 'cancelled'::text]))),
    CONSTRAINT audio_batches_total_check CHECK ((total >= 0))
);


--
-- Name: TABLE audio_batches; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON TABLE public.audio_batches IS 'One generation request. done counts every segment that has audio, skipped the subset that reused audio generated earlier (no provider call).';


--
-- Name: COLUMN audio_batches.scope; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.audio_batches.scope IS 'What the batch was started over: words (a list of ids), grade, or all (the whole catalog); null before it was recorded.';


--
-- Name: COLUMN audio_batches.characters; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.audio_batches.characters IS 'Characters of the text of the segments this batch generated (done, not reused): what the provider bills.';


--
-- Name: batch_list_row(public.audio_batches); Type: FUNCTION; Schema: audio; Owner: -
--

CREATE FUNCTION audio.batch_list_row(p_batch public.audio_batches) RETURNS jsonb
    LANGUAGE sql IMMUTABLE SECURITY DEFINER
    SET search_path TO ''
    AS $$
  select pg_catalog.jsonb_build_object(
    'id', p_batch.id, 'status', p_batch.status, 'source', p_batch.source, 'total', p_batch.total,
    'done', p_batch.done, 'failed', p_batch.failed, 'cancelled', p_batch.cancelled,
    'skipped', p_batch.skipped, 'created_at', p_batch.created_at,
    'started_at', p_batch.started_at, 'finished_at', p_batch.finished_at,
    'updated_at', p_batch.updated_at, 'grade', p_batch.grade, 'scope', p_batch.scope,
    'requested_by', p_batch.requested_by, 'characters', p_batch.characters)
$$;


--
-- Name: FUNCTION batch_list_row(p_batch public.audio_batches); Type: COMMENT; Schema: audio; Owner: -
--

COMMENT ON FUNCTION audio.batch_list_row(p_batch public.audio_batches) IS 'Payload of a batch message on topic batches: the batch as the list shows it.';


--
-- Name: batch_progress(public.audio_batches, bigint); Type: FUNCTION; Schema: audio; Owner: -
--

CREATE FUNCTION audio.batch_progress(p_batch public.audio_batches, p_seq bigint) RETURNS jsonb
    LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path TO ''
    AS $$
  select pg_catalog.jsonb_build_object(
    'batch_id', p_batch.id, 'seq', p_seq, 'status', p_batch.status, 'total', p_batch.total,
    'done', p_batch.done, 'failed', p_batch.failed, 'cancelled', p_batch.cancelled,
    'skipped', p_batch.skipped, 'updated_at', p_batch.updated_at,
    'in_flight', (select count(*) from public.audio_segments as s
                  where s.batch_id = p_batch.id and s.status = 'generating'))
$$;


--
-- Name: FUNCTION batch_progress(p_batch public.audio_batches, p_seq bigint); Type: COMMENT; Schema: audio; Owner: -
--

COMMENT ON FUNCTION audio.batch_progress(p_batch public.audio_batches, p_seq bigint) IS 'Payload of a progress broadcast: status, counters, in_flight and seq of the batch.';


--
-- Name: begin_attempt(bigint, bigint, text, integer, integer, integer, integer); Type: FUNCTION; Schema: audio; Owner: -
--

CREATE FUNCTION audio.begin_attempt(p_segment_id bigint, p_msg_id bigint, p_holder text, p_limit integer, p_lease_s integer, p_vt_s integer, p_wait_s integer DEFAULT 2) RETURNS TABLE(outcome text, slot integer)
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO ''
    AS $$
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


--
-- Name: FUNCTION begin_attempt(p_segment_id bigint, p_msg_id bigint, p_holder text, p_limit integer, p_lease_s integer, p_vt_s integer, p_wait_s integer); Type: COMMENT; Schema: audio; Owner: -
--

COMMENT ON FUNCTION audio.begin_attempt(p_segment_id bigint, p_msg_id bigint, p_holder text, p_limit integer, p_lease_s integer, p_vt_s integer, p_wait_s integer) IS 'Take a global permit and start a provider attempt for a segment; outcome go/no_permit/reused/wait/cancelled/gone.';


--
-- Name: begin_gated_attempt(bigint, bigint, text, integer, integer, integer); Type: FUNCTION; Schema: audio; Owner: -
--

CREATE FUNCTION audio.begin_gated_attempt(p_segment_id bigint, p_msg_id bigint, p_holder text, p_limit integer, p_lease_s integer, p_vt_s integer) RETURNS TABLE(outcome text, slot integer)
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO ''
    AS $$
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


--
-- Name: FUNCTION begin_gated_attempt(p_segment_id bigint, p_msg_id bigint, p_holder text, p_limit integer, p_lease_s integer, p_vt_s integer); Type: COMMENT; Schema: audio; Owner: -
--

COMMENT ON FUNCTION audio.begin_gated_attempt(p_segment_id bigint, p_msg_id bigint, p_holder text, p_limit integer, p_lease_s integer, p_vt_s integer) IS 'audio.begin_attempt unless the provider circuit is open (outcome circuit_open); the probe passes.';


--
-- Name: broadcast_batch(uuid); Type: FUNCTION; Schema: audio; Owner: -
--

CREATE FUNCTION audio.broadcast_batch(p_batch_id uuid) RETURNS integer
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO ''
    AS $$
declare
  v_state audio.batch_broadcasts;
  v_batch public.audio_batches;
  v_status_change boolean;
  v_has_changes boolean;
  v_paced boolean;
  v_messages integer;
  v_seq bigint;
  v_changes jsonb;
  v_more boolean;
begin
  if not exists (select 1 from public.audio_batches as b where b.id = p_batch_id) then
    return 0;
  end if;
  insert into audio.batch_broadcasts (batch_id) values (p_batch_id) on conflict (batch_id) do nothing;
  select * into v_state from audio.batch_broadcasts as s where s.batch_id = p_batch_id for update;
  select * into v_batch from public.audio_batches as b where b.id = p_batch_id;

  v_status_change := v_state.sent_status is distinct from v_batch.status;
  v_has_changes := v_state.changes <> '[]'::jsonb or v_state.changes_more;
  if not v_status_change and not v_has_changes
    and v_state.sent_version is not distinct from v_batch.updated_at then
    update audio.batch_broadcasts as s set dirty = false where s.batch_id = p_batch_id and s.dirty;
    return 0;
  end if;

  v_messages := 1 + v_has_changes::integer + v_status_change::integer;
  v_paced := not v_status_change
    and v_batch.status not in ('completed', 'completed_with_errors', 'cancelled');
  if v_paced and (
    v_state.sent_at > pg_catalog.clock_timestamp() - audio.broadcast_interval()
    or v_state.paced_messages + v_messages > audio.broadcast_paced_allowance(
      v_batch.total, v_batch.done + v_batch.failed + v_batch.cancelled)
  ) then
    update audio.batch_broadcasts as s set dirty = true where s.batch_id = p_batch_id and not s.dirty;
    return 0;
  end if;

  if v_status_change then
    perform audio.send_broadcast('batches', 'batch', audio.batch_list_row(v_batch));
  end if;
  v_seq := v_state.seq;
  if v_has_changes then
    v_seq := v_seq + 1;
    v_changes := audio.latest_segment_changes(v_state.changes);
    v_more := v_state.changes_more
      or pg_catalog.octet_length(v_changes::text) > audio.broadcast_changes_max_bytes();
    perform audio.send_broadcast('batch:' || p_batch_id::text, 'segments', pg_catalog.jsonb_build_object(
      'batch_id', p_batch_id, 'seq', v_seq, 'more', v_more,
      'changes', case when v_more then '[]'::jsonb else v_changes end));
  end if;
  v_seq := v_seq + 1;
  perform audio.send_broadcast('batch:' || p_batch_id::text, 'progress',
    audio.batch_progress(v_batch, v_seq));

  update audio.batch_broadcasts as s set
    seq = v_seq, sent_at = pg_catalog.clock_timestamp(), sent_status = v_batch.status,
    sent_version = v_batch.updated_at, changes = '[]'::jsonb, changes_more = false, dirty = false,
    paced_messages = s.paced_messages + case when v_paced then v_messages else 0 end,
    status_messages = s.status_messages + case when v_paced then 0 else v_messages end
  where s.batch_id = p_batch_id;
  return v_messages;
end;
$$;


--
-- Name: FUNCTION broadcast_batch(p_batch_id uuid); Type: COMMENT; Schema: audio; Owner: -
--

COMMENT ON FUNCTION audio.broadcast_batch(p_batch_id uuid) IS 'Broadcast a batch''s progress (and waiting segment changes, and its list row on a status change) now, or mark it for later when paced out. Returns the messages sent.';


--
-- Name: broadcast_batch_change(); Type: FUNCTION; Schema: audio; Owner: -
--

CREATE FUNCTION audio.broadcast_batch_change() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO ''
    AS $$
begin
  perform audio.broadcast_batch(new.id);
  return null;
end;
$$;


--
-- Name: FUNCTION broadcast_batch_change(); Type: COMMENT; Schema: audio; Owner: -
--

COMMENT ON FUNCTION audio.broadcast_batch_change() IS 'Trigger (deferred to commit): broadcast the batch''s state, or mark it for later.';


--
-- Name: broadcast_changes_cap(); Type: FUNCTION; Schema: audio; Owner: -
--

CREATE FUNCTION audio.broadcast_changes_cap() RETURNS integer
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    SET search_path TO ''
    AS $$
  select 200
$$;


--
-- Name: FUNCTION broadcast_changes_cap(); Type: COMMENT; Schema: audio; Owner: -
--

COMMENT ON FUNCTION audio.broadcast_changes_cap() IS 'Most segment changes in one segments message; past it the message has more: true instead.';


--
-- Name: broadcast_changes_max_bytes(); Type: FUNCTION; Schema: audio; Owner: -
--

CREATE FUNCTION audio.broadcast_changes_max_bytes() RETURNS integer
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    SET search_path TO ''
    AS $$
  select 200000
$$;


--
-- Name: FUNCTION broadcast_changes_max_bytes(); Type: COMMENT; Schema: audio; Owner: -
--

COMMENT ON FUNCTION audio.broadcast_changes_max_bytes() IS 'Most bytes of JSON text a segments message''s list may take (Realtime''s Free limit is 256 KB); a longer list goes out as more: true.';


--
-- Name: broadcast_error(text); Type: FUNCTION; Schema: audio; Owner: -
--

CREATE FUNCTION audio.broadcast_error(p_error text) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    SET search_path TO ''
    AS $$
  select case
    when pg_catalog.char_length(p_error) > audio.broadcast_error_chars()
    then pg_catalog.left(p_error, audio.broadcast_error_chars()) || '…'
    else p_error
  end
$$;


--
-- Name: FUNCTION broadcast_error(p_error text); Type: COMMENT; Schema: audio; Owner: -
--

COMMENT ON FUNCTION audio.broadcast_error(p_error text) IS 'A segment''s error as a segments message carries it: the first broadcast_error_chars() characters and "…" when longer (201 characters ending in "…": cut).';


--
-- Name: broadcast_error_chars(); Type: FUNCTION; Schema: audio; Owner: -
--

CREATE FUNCTION audio.broadcast_error_chars() RETURNS integer
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    SET search_path TO ''
    AS $$
  select 200
$$;


--
-- Name: FUNCTION broadcast_error_chars(); Type: COMMENT; Schema: audio; Owner: -
--

COMMENT ON FUNCTION audio.broadcast_error_chars() IS 'Most characters of a segment''s error a segments message carries; a longer one is cut there and marked with "…".';


--
-- Name: broadcast_interval(); Type: FUNCTION; Schema: audio; Owner: -
--

CREATE FUNCTION audio.broadcast_interval() RETURNS interval
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    SET search_path TO ''
    AS $$
  select interval '500 milliseconds'
$$;


--
-- Name: FUNCTION broadcast_interval(); Type: COMMENT; Schema: audio; Owner: -
--

COMMENT ON FUNCTION audio.broadcast_interval() IS 'Least time between two broadcasts of one batch (a status change does not wait for it).';


--
-- Name: broadcast_paced_allowance(integer, integer); Type: FUNCTION; Schema: audio; Owner: -
--

CREATE FUNCTION audio.broadcast_paced_allowance(p_total integer, p_settled integer) RETURNS integer
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    SET search_path TO ''
    AS $$
  select case when p_total <= 0 then 0 else
    least(b.paced, (b.paced::bigint * least(greatest(p_settled, 0), p_total) / p_total)::integer + 2)
  end
  from (select greatest(p_total / 4 - 12, 0) as paced) as b
$$;


--
-- Name: FUNCTION broadcast_paced_allowance(p_total integer, p_settled integer); Type: COMMENT; Schema: audio; Owner: -
--

COMMENT ON FUNCTION audio.broadcast_paced_allowance(p_total integer, p_settled integer) IS 'Paced broadcasts a batch of p_total segments may have sent with p_settled finished (budget: total/4, 12 kept for status changes).';


--
-- Name: cancel_batch(uuid); Type: FUNCTION; Schema: audio; Owner: -
--

CREATE FUNCTION audio.cancel_batch(p_batch_id uuid) RETURNS text
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO ''
    AS $$
declare
  v_status text;
begin
  -- Lock in the order workers do: this step's segments first, then the batch's row. A worker
  -- holding a segment of this step is waited for; one holding a later segment is not touched.
  perform 1 from (
    select s.id from public.audio_segments as s
    where s.batch_id >= p_batch_id and s.batch_id <= p_batch_id and s.status in ('queued', 'generating')
      and s.upload_started_at is null
    order by s.batch_id, s.id
    limit audio.cancel_step_size()
    for update
  ) as x;
  select b.status into v_status from public.audio_batches as b where b.id = p_batch_id for update;
  if not found then
    raise exception 'audio.cancel_batch: no batch with id %', p_batch_id using errcode = 'P0002';
  end if;
  if v_status in ('completed', 'completed_with_errors', 'cancelled') then
    return v_status;
  end if;

  update public.audio_batches as b
  set cancel_requested_at = coalesce(b.cancel_requested_at, now()), status = 'cancelling'
  where b.id = p_batch_id;

  perform audio.cancel_segments_step(p_batch_id, audio.cancel_step_size(), false);

  -- Nothing was left to cancel (e.g. every segment had already finished): settle the status.
  update public.audio_batches as b set
    status = case when b.done + b.failed + b.cancelled >= b.total then 'cancelled' else b.status end,
    finished_at = case when b.done + b.failed + b.cancelled >= b.total then coalesce(b.finished_at, now()) end
  where b.id = p_batch_id;

  -- The cancelled segments keep their keys' pointers (segment_state counts a pointer only while
  -- its batch is not being cancelled); a key another live batch also holds points at that batch's
  -- newest segment instead, taken from the other live batches' unfinished rows (the fence keeps
  -- each batch a lookup of its index), not looked up key by key. Last in the transaction: a
  -- worker of the other batch finishing one of these keys waits for this commit, so the locks are
  -- taken as late as they can be.
  update audio.segment_state as st
  set pending_id = o.id, pending = o.status, pending_batch = o.batch_id
  from (
    select distinct on (s.word_id, s.kind) s.word_id, s.kind, s.id, s.status, s.batch_id
    from public.audio_batches as b
    cross join lateral (
      select s.word_id, s.kind, s.id, s.status, s.batch_id from public.audio_segments as s
      where s.batch_id = b.id and s.status in ('queued', 'generating')
      offset 0
    ) as s
    where b.status in ('queued', 'running') and b.cancel_requested_at is null and b.id <> p_batch_id
    order by s.word_id, s.kind, s.id desc
  ) as o
  -- Every key the other batches hold points at their newest segment: it already does unless this
  -- batch's segment was newer. Not filtered on pending_batch: statistics taken before this batch
  -- was queued expect one such row, and a plan built on that ran the subquery once per row.
  where st.word_id = o.word_id and st.kind = o.kind and st.pending_id is distinct from o.id;

  select b.status into v_status from public.audio_batches as b where b.id = p_batch_id;
  return v_status;
end;
$$;


--
-- Name: FUNCTION cancel_batch(p_batch_id uuid); Type: COMMENT; Schema: audio; Owner: -
--

COMMENT ON FUNCTION audio.cancel_batch(p_batch_id uuid) IS 'Cancel a batch: queued/generating segments cancelled, their messages deleted, workers abort in-flight requests. Returns the new status.';


--
-- Name: cancel_channel(); Type: FUNCTION; Schema: audio; Owner: -
--

CREATE FUNCTION audio.cancel_channel() RETURNS text
    LANGUAGE sql IMMUTABLE
    SET search_path TO ''
    AS $$ select 'audio_queue_cancel'::text $$;


--
-- Name: FUNCTION cancel_channel(); Type: COMMENT; Schema: audio; Owner: -
--

COMMENT ON FUNCTION audio.cancel_channel() IS 'NOTIFY channel on which a cancel reaches the workers at its commit (audio_queue_cancel); the payload is the batch id.';


--
-- Name: cancel_segments_step(uuid, integer, boolean); Type: FUNCTION; Schema: audio; Owner: -
--

CREATE FUNCTION audio.cancel_segments_step(p_batch_id uuid, p_limit integer, p_skip_locked boolean) RETURNS integer
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO ''
    AS $$
declare
  v_ids bigint[];
  v_msg_ids bigint[];
begin
  if p_skip_locked then
    select array_agg(x.id) into v_ids from (
      select s.id from public.audio_segments as s
      where s.batch_id >= p_batch_id and s.batch_id <= p_batch_id and s.status in ('queued', 'generating')
        and s.upload_started_at is null
      order by s.batch_id, s.id
      limit p_limit
      for update skip locked
    ) as x;
  else
    select array_agg(x.id) into v_ids from (
      select s.id from public.audio_segments as s
      where s.batch_id >= p_batch_id and s.batch_id <= p_batch_id and s.status in ('queued', 'generating')
        and s.upload_started_at is null
      order by s.batch_id, s.id
      limit p_limit
      for update
    ) as x;
  end if;
  if v_ids is null then
    return 0;
  end if;

  with c as (
    update public.audio_segments as s
    set status = 'cancelled', finished_at = now()
    where s.id = any (v_ids) and s.status in ('queued', 'generating') and s.upload_started_at is null
    returning s.msg_id
  )
  select array_agg(c.msg_id) filter (where c.msg_id is not null) into v_msg_ids from c;
  if v_msg_ids is not null then
    perform pgmq.delete(queue_name => 'audio_segments'::text, msg_ids => v_msg_ids::bigint[]);
  end if;
  return cardinality(v_ids);
end;
$$;


--
-- Name: FUNCTION cancel_segments_step(p_batch_id uuid, p_limit integer, p_skip_locked boolean); Type: COMMENT; Schema: audio; Owner: -
--

COMMENT ON FUNCTION audio.cancel_segments_step(p_batch_id uuid, p_limit integer, p_skip_locked boolean) IS 'One cancel step: up to p_limit unfinished segments of a cancel-requested batch cancelled, their messages deleted.';


--
-- Name: cancel_step_size(); Type: FUNCTION; Schema: audio; Owner: -
--

CREATE FUNCTION audio.cancel_step_size() RETURNS integer
    LANGUAGE sql IMMUTABLE
    SET search_path TO ''
    AS $$
  select 10000
$$;


--
-- Name: FUNCTION cancel_step_size(); Type: COMMENT; Schema: audio; Owner: -
--

COMMENT ON FUNCTION audio.cancel_step_size() IS 'Segments one cancel step updates (audio.cancel_batch''s own step, each of audio.finish_cancels''s).';


--
-- Name: cancelled_batches(uuid[]); Type: FUNCTION; Schema: audio; Owner: -
--

CREATE FUNCTION audio.cancelled_batches(p_batch_ids uuid[]) RETURNS SETOF uuid
    LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path TO ''
    AS $$
  select b.id from public.audio_batches as b
  where b.id = any (p_batch_ids) and b.cancel_requested_at is not null
$$;


--
-- Name: FUNCTION cancelled_batches(p_batch_ids uuid[]); Type: COMMENT; Schema: audio; Owner: -
--

COMMENT ON FUNCTION audio.cancelled_batches(p_batch_ids uuid[]) IS 'The subset of the given batches that have been cancelled.';


--
-- Name: check_segment_references(); Type: FUNCTION; Schema: audio; Owner: -
--

CREATE FUNCTION audio.check_segment_references() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO ''
    AS $$
declare
  v_missing text;
begin
  perform pg_advisory_xact_lock(hashtext('audio.create_batch'));

  select n.word_id::text into v_missing
  from (select distinct r.word_id from new_rows as r) as n
  where not exists (select 1 from public.words as w where w.id = n.word_id)
  limit 1;
  if found then
    raise exception 'audio_segments: word % does not exist', coalesce(v_missing, 'null')
      using errcode = '23503', hint = 'A segment must name a row of public.words.';
  end if;

  select n.batch_id::text into v_missing
  from (select distinct r.batch_id from new_rows as r) as n
  where not exists (select 1 from public.audio_batches as b where b.id = n.batch_id)
  limit 1;
  if found then
    raise exception 'audio_segments: batch % does not exist', coalesce(v_missing, 'null')
      using errcode = '23503', hint = 'A segment must name a row of public.audio_batches.';
  end if;
  return null;
end;
$$;


--
-- Name: FUNCTION check_segment_references(); Type: COMMENT; Schema: audio; Owner: -
--

COMMENT ON FUNCTION audio.check_segment_references() IS 'Trigger: every inserted segment names an existing word and batch (the foreign keys'' check, once per statement).';


--
-- Name: claim_gated(integer, integer, integer, text, integer); Type: FUNCTION; Schema: audio; Owner: -
--

CREATE FUNCTION audio.claim_gated(p_qty integer, p_vt_s integer, p_max_reads integer, p_holder text, p_probe_lease_s integer) RETURNS TABLE(msg_id bigint, read_ct integer, segment_id bigint, batch_id uuid, text text, text_hash text, voice_id text, model_id text, format text, probe boolean)
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO ''
    AS $$
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


--
-- Name: FUNCTION claim_gated(p_qty integer, p_vt_s integer, p_max_reads integer, p_holder text, p_probe_lease_s integer); Type: COMMENT; Schema: audio; Owner: -
--

COMMENT ON FUNCTION audio.claim_gated(p_qty integer, p_vt_s integer, p_max_reads integer, p_holder text, p_probe_lease_s integer) IS 'audio.claim_segments behind the provider circuit: all when closed, one probe segment when a probe is due, none when open.';


--
-- Name: default_max_reads(); Type: FUNCTION; Schema: audio; Owner: -
--

CREATE FUNCTION audio.default_max_reads() RETURNS integer
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    SET search_path TO ''
    AS $$
  select 5
$$;


--
-- Name: FUNCTION default_max_reads(); Type: COMMENT; Schema: audio; Owner: -
--

COMMENT ON FUNCTION audio.default_max_reads() IS 'Deliveries of one message before its segment fails (5): claim_segments'' default, AUDIO_MAX_READS''s default.';


--
-- Name: claim_segments(integer, integer, integer, text); Type: FUNCTION; Schema: audio; Owner: -
--

CREATE FUNCTION audio.claim_segments(p_qty integer, p_vt_s integer, p_max_reads integer DEFAULT audio.default_max_reads(), p_holder text DEFAULT NULL::text) RETURNS TABLE(msg_id bigint, read_ct integer, segment_id bigint, batch_id uuid, text text, text_hash text, voice_id text, model_id text, format text)
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO ''
    AS $$
declare
  m record;
  v_segment_id bigint;
  v_counted integer;
begin
  if p_holder is not null then
    perform audio.worker_heartbeat(p_holder);
  end if;
  perform audio.prune_excused_reads();
  for m in
    select r.msg_id, r.read_ct, r.message
    from audio.read_in_turn(p_qty, p_vt_s) with ordinality as r
    order by r.ordinality
  loop
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


--
-- Name: FUNCTION claim_segments(p_qty integer, p_vt_s integer, p_max_reads integer, p_holder text); Type: COMMENT; Schema: audio; Owner: -
--

COMMENT ON FUNCTION audio.claim_segments(p_qty integer, p_vt_s integer, p_max_reads integer, p_holder text) IS 'Record the caller''s heartbeat; read queue messages in turn (admin before backfill, batches round-robin, FIFO within a batch) and return live segments; clean up finished/cancelled ones; archive ones delivered past the limit (excused deliveries not counted).';


--
-- Name: close_circuit(text); Type: FUNCTION; Schema: audio; Owner: -
--

CREATE FUNCTION audio.close_circuit(p_by text) RETURNS boolean
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO ''
    AS $$
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


--
-- Name: FUNCTION close_circuit(p_by text); Type: COMMENT; Schema: audio; Owner: -
--

COMMENT ON FUNCTION audio.close_circuit(p_by text) IS 'Close the provider circuit (a successful probe, or an admin''s resume); true when it was open.';


--
-- Name: collect_segment_changes(); Type: FUNCTION; Schema: audio; Owner: -
--

CREATE FUNCTION audio.collect_segment_changes() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO ''
    AS $$
declare
  c_cap constant integer := audio.broadcast_changes_cap();
begin
  -- Counted first, listed only where they fit: a cancel of 300,000 segments builds no list.
  insert into audio.batch_broadcasts as s (batch_id, changes, changes_more, dirty)
  select c.batch_id, coalesce(l.list, '[]'::jsonb), c.n > c_cap, true
  from (
    select n.batch_id, count(*) as n
    from new_rows as n
    join old_rows as o on o.id = n.id
    where n.status is distinct from o.status
    group by n.batch_id
  ) as c
  left join lateral (
    select pg_catalog.jsonb_agg(pg_catalog.jsonb_strip_nulls(pg_catalog.jsonb_build_object(
      'id', n.id, 'word_id', n.word_id, 'kind', n.kind, 'status', n.status,
      'storage_path', n.storage_path, 'error', audio.broadcast_error(n.last_error))) order by n.id) as list
    from new_rows as n
    join old_rows as o on o.id = n.id
    where c.n <= c_cap and n.batch_id = c.batch_id and n.status is distinct from o.status
  ) as l on true
  order by c.batch_id
  on conflict (batch_id) do update set
    changes_more = s.changes_more or excluded.changes_more
      or pg_catalog.jsonb_array_length(s.changes) + pg_catalog.jsonb_array_length(excluded.changes) > c_cap,
    changes = case
      when s.changes_more or excluded.changes_more
        or pg_catalog.jsonb_array_length(s.changes) + pg_catalog.jsonb_array_length(excluded.changes) > c_cap
      then '[]'::jsonb
      else s.changes || excluded.changes end,
    dirty = true;
  return null;
end;
$$;


--
-- Name: FUNCTION collect_segment_changes(); Type: COMMENT; Schema: audio; Owner: -
--

COMMENT ON FUNCTION audio.collect_segment_changes() IS 'Trigger: file segment status changes with their batch for the next segments broadcast.';


--
-- Name: compact_state_counts(); Type: FUNCTION; Schema: audio; Owner: -
--

CREATE FUNCTION audio.compact_state_counts() RETURNS void
    LANGUAGE sql SECURITY DEFINER
    SET search_path TO ''
    AS $$
  with gone as (
    delete from audio.state_counts returning *
  )
  insert into audio.state_counts
  select g.grade, g.is_word, g.pending, g.pending_batch, g.audio_voice, g.audio_model, g.audio_format,
    g.audio_current, g.has_audio, g.failed, sum(g.n)::integer
  from gone as g
  group by 1, 2, 3, 4, 5, 6, 7, 8, 9, 10
  having sum(g.n) <> 0
$$;


--
-- Name: FUNCTION compact_state_counts(); Type: COMMENT; Schema: audio; Owner: -
--

COMMENT ON FUNCTION audio.compact_state_counts() IS 'Fold audio.state_counts into one row per key; pg_cron runs it every minute.';


--
-- Name: complete_segment(bigint, bigint, text, integer, boolean, integer, integer); Type: FUNCTION; Schema: audio; Owner: -
--

CREATE FUNCTION audio.complete_segment(p_segment_id bigint, p_msg_id bigint, p_storage_path text, p_bytes integer, p_reused boolean DEFAULT false, p_provider_ms integer DEFAULT NULL::integer, p_rate_limited integer DEFAULT 0) RETURNS boolean
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO ''
    AS $$
declare
  s record;
begin
  update public.audio_segments as seg
  set status = 'done', storage_path = p_storage_path, bytes = p_bytes, reused = p_reused,
    provider_ms = p_provider_ms, rate_limited = seg.rate_limited + coalesce(p_rate_limited, 0),
    last_error = null, finished_at = now()
  where seg.id = p_segment_id and seg.status in ('queued', 'generating')
    and (
      seg.upload_started_at is not null
      or not exists (
        select 1 from public.audio_batches as b where b.id = seg.batch_id and b.cancel_requested_at is not null
      )
    )
  returning seg.id, seg.text_hash, seg.voice_id, seg.model_id, seg.format into s;

  perform pgmq.delete(queue_name => 'audio_segments'::text, msg_id => p_msg_id::bigint);
  if s.id is null then
    return false;
  end if;

  insert into audio.generated_audio (text_hash, voice_id, model_id, format, storage_path, bytes)
  values (s.text_hash, s.voice_id, s.model_id, s.format, p_storage_path, p_bytes)
  on conflict do nothing;
  perform audio.upsert_word_audio(array[s.id]);
  return true;
end;
$$;


--
-- Name: FUNCTION complete_segment(p_segment_id bigint, p_msg_id bigint, p_storage_path text, p_bytes integer, p_reused boolean, p_provider_ms integer, p_rate_limited integer); Type: COMMENT; Schema: audio; Owner: -
--

COMMENT ON FUNCTION audio.complete_segment(p_segment_id bigint, p_msg_id bigint, p_storage_path text, p_bytes integer, p_reused boolean, p_provider_ms integer, p_rate_limited integer) IS 'Mark a segment done with its object, upsert word_audio and the content index, delete the message. False if it was no longer live.';


--
-- Name: concurrency_limited(integer, text, bigint, integer, boolean); Type: FUNCTION; Schema: audio; Owner: -
--

CREATE FUNCTION audio.concurrency_limited(p_slot integer, p_holder text, p_segment_id bigint, p_ceiling integer, p_pinned boolean DEFAULT false) RETURNS TABLE(waits boolean, effective integer, in_flight integer)
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO ''
    AS $$
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


--
-- Name: FUNCTION concurrency_limited(p_slot integer, p_holder text, p_segment_id bigint, p_ceiling integer, p_pinned boolean); Type: COMMENT; Schema: audio; Owner: -
--

COMMENT ON FUNCTION audio.concurrency_limited(p_slot integer, p_holder text, p_segment_id bigint, p_ceiling integer, p_pinned boolean) IS 'A concurrency 429 with N in flight (the greater of the count when its permit was taken and now): limit to N - 1 (never below 1, not when pinned); waits = the attempt is taken back and the caller asks for another permit.';


--
-- Name: concurrency_report(integer); Type: FUNCTION; Schema: audio; Owner: -
--

CREATE FUNCTION audio.concurrency_report(p_ceiling integer DEFAULT NULL::integer) RETURNS TABLE(effective integer, ceiling integer, pinned boolean, in_flight integer, limited_last_minute integer, limited_at timestamp with time zone, changed_at timestamp with time zone)
    LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path TO ''
    AS $$
  select least(coalesce(c.effective, x.ceiling), x.ceiling), x.ceiling, c.pinned, audio.permits_in_flight(),
    (select count(*)::integer from audio.concurrency_429s as e where e.at > now() - interval '1 minute'),
    c.limited_at, c.changed_at
  from audio.concurrency_limit as c
  cross join lateral (select coalesce(p_ceiling, c.ceiling) as ceiling) as x
$$;


--
-- Name: FUNCTION concurrency_report(p_ceiling integer); Type: COMMENT; Schema: audio; Owner: -
--

COMMENT ON FUNCTION audio.concurrency_report(p_ceiling integer) IS 'The concurrency limit now (learned or the ceiling), requests in flight, concurrency 429s in the last minute.';


--
-- Name: count_segment_deletes(); Type: FUNCTION; Schema: audio; Owner: -
--

CREATE FUNCTION audio.count_segment_deletes() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO ''
    AS $$
declare
  v_msg_ids bigint[];
  v_batches uuid[];
begin
  select array_agg(d.batch_id) into v_batches
  from (select distinct o.batch_id from old_rows as o) as d
  where not exists (select 1 from audio.pruned_batches as p where p.batch_id = d.batch_id);

  update public.audio_batches as b set
    total = b.total - d.n,
    done = b.done - d.n_done,
    failed = b.failed - d.n_failed,
    cancelled = b.cancelled - d.n_cancelled,
    skipped = b.skipped - d.n_skipped
  from (
    select o.batch_id, count(*) as n,
      count(*) filter (where o.status = 'done') as n_done,
      count(*) filter (where o.status = 'failed') as n_failed,
      count(*) filter (where o.status = 'cancelled') as n_cancelled,
      count(*) filter (where o.status = 'done' and o.reused) as n_skipped
    from old_rows as o
    where o.batch_id = any (v_batches)
    group by o.batch_id
  ) as d
  where b.id = d.batch_id;

  select array_agg(o.msg_id) into v_msg_ids
  from old_rows as o
  where o.status in ('queued', 'generating') and o.msg_id is not null;
  if v_msg_ids is not null then
    perform pgmq.delete(queue_name => 'audio_segments'::text, msg_ids => v_msg_ids::bigint[]);
  end if;

  if v_batches is not null then
    perform audio.settle_batch_status(v_batches);
  end if;
  return null;
end;
$$;


--
-- Name: FUNCTION count_segment_deletes(); Type: COMMENT; Schema: audio; Owner: -
--

COMMENT ON FUNCTION audio.count_segment_deletes() IS 'Trigger: take deleted segments out of their batches'' counters, delete their queue messages, settle the batches'' status.';


--
-- Name: count_state_deletes(); Type: FUNCTION; Schema: audio; Owner: -
--

CREATE FUNCTION audio.count_state_deletes() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO ''
    AS $$
begin
  insert into audio.state_counts
  select r.grade, r.kind = 'word', r.pending, r.pending_batch, r.audio_voice, r.audio_model,
      r.audio_format, coalesce(r.audio_hash = r.text_hash, false), r.audio_hash is not null,
      coalesce(r.finished_status = 'failed', false), -count(*)::integer
  from old_rows as r
  group by 1, 2, 3, 4, 5, 6, 7, 8, 9, 10;
  return null;
end;
$$;


--
-- Name: FUNCTION count_state_deletes(); Type: COMMENT; Schema: audio; Owner: -
--

COMMENT ON FUNCTION audio.count_state_deletes() IS 'Trigger: append to audio.state_counts the segment_state rows a statement deleted, negated.';


--
-- Name: count_state_inserts(); Type: FUNCTION; Schema: audio; Owner: -
--

CREATE FUNCTION audio.count_state_inserts() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO ''
    AS $$
begin
  insert into audio.state_counts
  select r.grade, r.kind = 'word', r.pending, r.pending_batch, r.audio_voice, r.audio_model,
      r.audio_format, coalesce(r.audio_hash = r.text_hash, false), r.audio_hash is not null,
      coalesce(r.finished_status = 'failed', false), count(*)::integer
  from new_rows as r
  group by 1, 2, 3, 4, 5, 6, 7, 8, 9, 10;
  return null;
end;
$$;


--
-- Name: FUNCTION count_state_inserts(); Type: COMMENT; Schema: audio; Owner: -
--

COMMENT ON FUNCTION audio.count_state_inserts() IS 'Trigger: append to audio.state_counts the segment_state rows a statement inserted.';


--
-- Name: count_state_truncate(); Type: FUNCTION; Schema: audio; Owner: -
--

CREATE FUNCTION audio.count_state_truncate() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO ''
    AS $$
begin
  delete from audio.state_counts;
  return null;
end;
$$;


--
-- Name: FUNCTION count_state_truncate(); Type: COMMENT; Schema: audio; Owner: -
--

COMMENT ON FUNCTION audio.count_state_truncate() IS 'Trigger: empty audio.state_counts when segment_state is truncated.';


--
-- Name: count_state_updates(); Type: FUNCTION; Schema: audio; Owner: -
--

CREATE FUNCTION audio.count_state_updates() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO ''
    AS $$
begin
  insert into audio.state_counts
  select d.grade, d.is_word, d.pending, d.pending_batch, d.audio_voice, d.audio_model,
    d.audio_format, d.audio_current, d.has_audio, d.failed, sum(d.n)::integer
  from (
    select r.grade, r.kind = 'word' as is_word, r.pending, r.pending_batch, r.audio_voice,
      r.audio_model, r.audio_format, coalesce(r.audio_hash = r.text_hash, false) as audio_current,
      r.audio_hash is not null as has_audio, coalesce(r.finished_status = 'failed', false) as failed,
      1 as n
    from new_rows as r
    union all
    select r.grade, r.kind = 'word', r.pending, r.pending_batch, r.audio_voice, r.audio_model,
      r.audio_format, coalesce(r.audio_hash = r.text_hash, false), r.audio_hash is not null,
      coalesce(r.finished_status = 'failed', false), -1
    from old_rows as r
  ) as d
  group by 1, 2, 3, 4, 5, 6, 7, 8, 9, 10
  having sum(d.n) <> 0;
  return null;
end;
$$;


--
-- Name: FUNCTION count_state_updates(); Type: COMMENT; Schema: audio; Owner: -
--

COMMENT ON FUNCTION audio.count_state_updates() IS 'Trigger: append to audio.state_counts what a statement''s updates moved between keys.';


--
-- Name: create_batch(uuid[], smallint, text[], boolean, text, text, text, text, uuid, jsonb); Type: FUNCTION; Schema: audio; Owner: -
--

CREATE FUNCTION audio.create_batch(p_word_ids uuid[] DEFAULT NULL::uuid[], p_grade smallint DEFAULT NULL::smallint, p_kinds text[] DEFAULT ARRAY['word'::text, 'definition'::text, 'sentence'::text], p_missing_only boolean DEFAULT true, p_voice_id text DEFAULT NULL::text, p_model_id text DEFAULT NULL::text, p_format text DEFAULT NULL::text, p_source text DEFAULT 'admin'::text, p_requested_by uuid DEFAULT NULL::uuid, p_set_defaults jsonb DEFAULT NULL::jsonb) RETURNS TABLE(batch_id uuid, total integer, queued integer, skipped integer, pending integer, unknown_positions integer[])
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO ''
    SET work_mem TO '64MB'
    SET jit TO 'off'
    AS $$
declare
  v_voice text;
  v_model text;
  v_format text;
  v_missing text;
  v_unknown integer[];
  v_batch uuid;
  v_total integer;
  v_queued integer;
  v_skipped integer;
  v_pending integer;
  -- The queue's message ids come from its identity column's sequence (pgmq's table).
  v_msg_seq regclass := pg_catalog.pg_get_serial_sequence('pgmq.q_audio_segments', 'msg_id')::regclass;
begin
  v_unknown := audio.unknown_word_positions(p_word_ids);
  if v_unknown is not null then
    return query select null::uuid, 0, 0, 0, 0, v_unknown;
    return;
  end if;
  perform audio.store_defaults(p_set_defaults);

  v_voice := coalesce(p_voice_id, audio.setting('voice_id'));
  v_model := coalesce(p_model_id, audio.setting('model_id'));
  v_format := coalesce(p_format, audio.setting('format'));
  v_missing := case when v_voice is null then 'voice_id' when v_model is null then 'model_id'
    when v_format is null then 'format' end;
  if v_missing is not null then
    raise exception 'audio.create_batch: no %: pass it, or store a default with select audio.set_setting(''%'', ''<value>'')',
      v_missing, v_missing using errcode = '22023';
  end if;
  if p_kinds is null or cardinality(p_kinds) = 0
    or exists (select 1 from unnest(p_kinds) as k where k not in ('word', 'definition', 'sentence')) then
    raise exception 'audio.create_batch: kinds must be a non-empty subset of word, definition, sentence'
      using errcode = '22023';
  end if;

  -- Serialise batch creation so two concurrent calls cannot both queue the same missing segment.
  perform pg_advisory_xact_lock(hashtext('audio.create_batch'));

  insert into public.audio_batches (source, requested_by, voice_id, model_id, format, kinds, grade, missing_only, scope)
  values (p_source, p_requested_by, v_voice, v_model, v_format, p_kinds, p_grade, p_missing_only,
    case when p_word_ids is not null then 'words' when p_grade is not null then 'grade' else 'all' end)
  returning id into v_batch;

  -- A segment per source that is not pending elsewhere: done at once when its content exists.
  -- Set-based and written once: each row draws its segment id and, when it is to be generated,
  -- its message id (both in page order, so queue order is segment order); the messages and the
  -- segments are then inserted side by side, each segment with its message id, and no row is
  -- updated after its insert.
  with m as materialized (
    select * from audio.missing_segments(p_word_ids, p_grade, p_kinds, p_missing_only, v_voice, v_model, v_format,
      p_keep_current_text => p_source = 'backfill')
  ), fresh as materialized (
    select nextval('public.audio_segments_id_seq'::regclass) as id,
      case when r.storage_path is null then nextval(v_msg_seq) end as msg_id,
      r.*
    from (
      select m.word_id, m.kind, m.text, m.text_hash, g.storage_path, g.bytes
      from m
      left join audio.generated_audio as g
        on g.text_hash = m.text_hash and g.voice_id = v_voice and g.model_id = v_model and g.format = v_format
      where not m.pending
      order by m.grade, m.word_id, array_position(array['word', 'definition', 'sentence'], m.kind)
    ) as r
  ), sent as (
    insert into pgmq.q_audio_segments (msg_id, vt, message)
    overriding system value
    select f.msg_id, clock_timestamp(), jsonb_build_object('segment_id', f.id)
    from fresh as f where f.msg_id is not null
    order by f.msg_id
  ), ins as (
    insert into public.audio_segments
      (id, batch_id, word_id, kind, text, text_hash, voice_id, model_id, format, status, storage_path, bytes,
       reused, finished_at, msg_id)
    overriding system value
    select f.id, v_batch, f.word_id, f.kind, f.text, f.text_hash, v_voice, v_model, v_format,
      case when f.storage_path is null then 'queued' else 'done' end,
      f.storage_path, f.bytes, f.storage_path is not null,
      case when f.storage_path is not null then now() end, f.msg_id
    from fresh as f
    order by f.id
    returning status, reused
  )
  select (select count(*) from m where m.pending), count(*), count(*) filter (where ins.status = 'queued'),
    count(*) filter (where ins.reused)
  into v_pending, v_total, v_queued, v_skipped
  from ins;
  if v_queued > 0 then
    perform pg_notify(audio.work_channel(), v_batch::text);
  end if;

  if v_total = 0 then
    delete from public.audio_batches as b where b.id = v_batch;
    return query select null::uuid, 0, 0, 0, v_pending, null::integer[];
    return;
  end if;

  if v_skipped > 0 then
    perform audio.upsert_word_audio(array(
      select s.id from public.audio_segments as s where s.batch_id = v_batch and s.reused
    ));
  end if;

  update public.audio_batches as b set
    total = v_total, done = v_skipped, skipped = v_skipped,
    status = case when v_queued = 0 then 'completed' else 'queued' end,
    finished_at = case when v_queued = 0 then now() end
  where b.id = v_batch;

  return query select v_batch, v_total, v_queued, v_skipped, v_pending, null::integer[];
end;
$$;


--
-- Name: FUNCTION create_batch(p_word_ids uuid[], p_grade smallint, p_kinds text[], p_missing_only boolean, p_voice_id text, p_model_id text, p_format text, p_source text, p_requested_by uuid, p_set_defaults jsonb); Type: COMMENT; Schema: audio; Owner: -
--

COMMENT ON FUNCTION audio.create_batch(p_word_ids uuid[], p_grade smallint, p_kinds text[], p_missing_only boolean, p_voice_id text, p_model_id text, p_format text, p_source text, p_requested_by uuid, p_set_defaults jsonb) IS 'Create a batch, its segments and queue messages in one transaction; reuse identical content. batch_id null = nothing to do.';


--
-- Name: current_text_hash(uuid, text); Type: FUNCTION; Schema: audio; Owner: -
--

CREATE FUNCTION audio.current_text_hash(p_word_id uuid, p_kind text) RETURNS text
    LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path TO ''
    AS $$
  select s.text_hash from audio.segment_sources as s where s.word_id = p_word_id and s.kind = p_kind
$$;


--
-- Name: FUNCTION current_text_hash(p_word_id uuid, p_kind text); Type: COMMENT; Schema: audio; Owner: -
--

COMMENT ON FUNCTION audio.current_text_hash(p_word_id uuid, p_kind text) IS 'The text_hash of a word''s kind as it reads now, or null.';


--
-- Name: dead_letter(bigint, jsonb, text); Type: FUNCTION; Schema: audio; Owner: -
--

CREATE FUNCTION audio.dead_letter(p_msg_id bigint, p_message jsonb, p_reason text) RETURNS void
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO ''
    AS $$
begin
  insert into audio.dead_letters (msg_id, message, reason) values (p_msg_id, p_message, p_reason)
  on conflict (msg_id) do nothing;
  perform pgmq.archive(queue_name => 'audio_segments'::text, msg_id => p_msg_id::bigint);
end;
$$;


--
-- Name: FUNCTION dead_letter(p_msg_id bigint, p_message jsonb, p_reason text); Type: COMMENT; Schema: audio; Owner: -
--

COMMENT ON FUNCTION audio.dead_letter(p_msg_id bigint, p_message jsonb, p_reason text) IS 'Archive a queue message that names no segment, recording the reason in audio.dead_letters.';


--
-- Name: delete_referring_segments(); Type: FUNCTION; Schema: audio; Owner: -
--

CREATE FUNCTION audio.delete_referring_segments() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO ''
    AS $$
begin
  -- Two statements, so each reads an index (audio_segments_word_kind_idx, audio_segments_batch_idx).
  if tg_table_name = 'words' then
    delete from public.audio_segments as s where s.word_id in (select o.id from old_rows as o);
  else
    delete from public.audio_segments as s where s.batch_id in (select o.id from old_rows as o);
  end if;
  return null;
end;
$$;


--
-- Name: FUNCTION delete_referring_segments(); Type: COMMENT; Schema: audio; Owner: -
--

COMMENT ON FUNCTION audio.delete_referring_segments() IS 'Trigger: delete the segments of deleted words or batches.';


--
-- Name: end_and_begin(integer, text, bigint, boolean, bigint, bigint, integer, integer, integer); Type: FUNCTION; Schema: audio; Owner: -
--

CREATE FUNCTION audio.end_and_begin(p_slot integer, p_holder text, p_segment_id bigint, p_will_upload boolean, p_next_segment_id bigint, p_next_msg_id bigint, p_limit integer, p_lease_s integer, p_vt_s integer) RETURNS TABLE(live boolean, outcome text, slot integer)
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO ''
    AS $$
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


--
-- Name: FUNCTION end_and_begin(p_slot integer, p_holder text, p_segment_id bigint, p_will_upload boolean, p_next_segment_id bigint, p_next_msg_id bigint, p_limit integer, p_lease_s integer, p_vt_s integer); Type: COMMENT; Schema: audio; Owner: -
--

COMMENT ON FUNCTION audio.end_and_begin(p_slot integer, p_holder text, p_segment_id bigint, p_will_upload boolean, p_next_segment_id bigint, p_next_msg_id bigint, p_limit integer, p_lease_s integer, p_vt_s integer) IS 'End an attempt (audio.end_attempt) and begin the next segment''s (audio.begin_gated_attempt) in one round trip.';


--
-- Name: end_attempt(integer, text, bigint, boolean); Type: FUNCTION; Schema: audio; Owner: -
--

CREATE FUNCTION audio.end_attempt(p_slot integer, p_holder text, p_segment_id bigint, p_will_upload boolean DEFAULT false) RETURNS boolean
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO ''
    AS $$
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


--
-- Name: FUNCTION end_attempt(p_slot integer, p_holder text, p_segment_id bigint, p_will_upload boolean); Type: COMMENT; Schema: audio; Owner: -
--

COMMENT ON FUNCTION audio.end_attempt(p_slot integer, p_holder text, p_segment_id bigint, p_will_upload boolean) IS 'Release a permit; true when the segment is still live. With p_will_upload, also clears it for upload (upload_started_at).';


--
-- Name: enqueue_missing(smallint, text[]); Type: FUNCTION; Schema: audio; Owner: -
--

CREATE FUNCTION audio.enqueue_missing(p_grade smallint DEFAULT NULL::smallint, p_kinds text[] DEFAULT ARRAY['word'::text, 'definition'::text, 'sentence'::text]) RETURNS uuid
    LANGUAGE sql SECURITY DEFINER
    SET search_path TO ''
    AS $$
  select c.batch_id from audio.create_batch(
    p_grade => p_grade, p_kinds => p_kinds, p_missing_only => true, p_source => 'backfill'
  ) as c
$$;


--
-- Name: FUNCTION enqueue_missing(p_grade smallint, p_kinds text[]); Type: COMMENT; Schema: audio; Owner: -
--

COMMENT ON FUNCTION audio.enqueue_missing(p_grade smallint, p_kinds text[]) IS 'Backfill: queue every segment with no audio or audio of an older text (default voice/model/format); keeps current-text audio in another voice. Returns the batch id or null.';


--
-- Name: enqueue_segments(uuid, bigint[]); Type: FUNCTION; Schema: audio; Owner: -
--

CREATE FUNCTION audio.enqueue_segments(p_batch_id uuid, p_segment_ids bigint[]) RETURNS TABLE(segment_id bigint, msg_id bigint)
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO ''
    AS $$
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


--
-- Name: FUNCTION enqueue_segments(p_batch_id uuid, p_segment_ids bigint[]); Type: COMMENT; Schema: audio; Owner: -
--

COMMENT ON FUNCTION audio.enqueue_segments(p_batch_id uuid, p_segment_ids bigint[]) IS 'Send one queue message per segment (in id order), wake listening workers; returns (segment_id, msg_id) pairs.';


--
-- Name: estimate_batch(uuid[], smallint, text[], boolean, text, text, text, integer, integer); Type: FUNCTION; Schema: audio; Owner: -
--

CREATE FUNCTION audio.estimate_batch(p_word_ids uuid[], p_grade smallint, p_kinds text[], p_missing_only boolean, p_voice_id text, p_model_id text, p_format text, p_ceiling integer, p_samples integer) RETURNS TABLE(unknown_positions integer[], pending integer, by_kind jsonb, total integer, reused integer, queued integer, requests integer, characters bigint, typical_ms integer, timed_requests integer, effective_limit integer)
    LANGUAGE plpgsql STABLE SECURITY DEFINER
    SET search_path TO ''
    AS $$
declare
  v_unknown integer[];
begin
  v_unknown := audio.unknown_word_positions(p_word_ids);
  if v_unknown is not null then
    return query select v_unknown, 0, '[]'::jsonb, 0, 0, 0, 0, 0::bigint, null::integer, 0, null::integer;
    return;
  end if;

  return query
  with m as materialized (
    select * from audio.missing_segments(p_word_ids, p_grade, p_kinds, p_missing_only, p_voice_id, p_model_id, p_format)
  ), s as materialized (
    -- What create_batch inserts: the segments not pending elsewhere, reused where the content
    -- index already has their audio.
    select m.kind, m.text, m.text_hash, g.text_hash is not null as reused
    from m
    left join audio.generated_audio as g
      on g.text_hash = m.text_hash and g.voice_id = p_voice_id and g.model_id = p_model_id and g.format = p_format
    where not m.pending
  ), k as (
    select s.kind, count(*)::integer as total, count(*) filter (where s.reused)::integer as reused
    from s group by s.kind
  ), texts as (
    select distinct on (s.text_hash) char_length(s.text) as chars
    from s where not s.reused
  ), timed as (
    -- Newest first along the primary key: no sort of the history.
    select p.provider_ms
    from public.audio_segments as p
    where p.status = 'done' and not p.reused and p.provider_ms is not null
    order by p.id desc
    limit p_samples
  )
  select null::integer[],
    (select count(*)::integer from m where m.pending),
    coalesce((
      select jsonb_agg(jsonb_build_object('kind', k.kind, 'total', k.total, 'reused', k.reused,
        'queued', k.total - k.reused) order by array_position(array['word', 'definition', 'sentence'], k.kind))
      from k), '[]'::jsonb),
    (select count(*)::integer from s),
    (select count(*)::integer from s where s.reused),
    (select count(*)::integer from s where not s.reused),
    (select count(*)::integer from texts),
    (select coalesce(sum(texts.chars), 0)::bigint from texts),
    (select round(avg(timed.provider_ms))::integer from timed),
    (select count(*)::integer from timed),
    (select coalesce(r.effective, p_ceiling) from audio.concurrency_report(p_ceiling) as r);
end;
$$;


--
-- Name: FUNCTION estimate_batch(p_word_ids uuid[], p_grade smallint, p_kinds text[], p_missing_only boolean, p_voice_id text, p_model_id text, p_format text, p_ceiling integer, p_samples integer); Type: COMMENT; Schema: audio; Owner: -
--

COMMENT ON FUNCTION audio.estimate_batch(p_word_ids uuid[], p_grade smallint, p_kinds text[], p_missing_only boolean, p_voice_id text, p_model_id text, p_format text, p_ceiling integer, p_samples integer) IS 'What audio.create_batch would create for the same arguments (segments by kind, reused, queued, characters), the typical request time and the concurrency limit now. Writes nothing.';


--
-- Name: excuse_read(bigint, bigint); Type: FUNCTION; Schema: audio; Owner: -
--

CREATE FUNCTION audio.excuse_read(p_msg_id bigint, p_segment_id bigint) RETURNS void
    LANGUAGE sql SECURITY DEFINER
    SET search_path TO ''
    AS $$
  insert into audio.excused_reads as e (msg_id, segment_id, reads) values (p_msg_id, p_segment_id, 1)
  on conflict (msg_id) do update set reads = e.reads + 1, updated_at = now()
$$;


--
-- Name: FUNCTION excuse_read(p_msg_id bigint, p_segment_id bigint); Type: COMMENT; Schema: audio; Owner: -
--

COMMENT ON FUNCTION audio.excuse_read(p_msg_id bigint, p_segment_id bigint) IS 'Record that a message''s current delivery ended through no fault of its segment (not counted toward the delivery limit).';


--
-- Name: extend_claims(bigint[], integer); Type: FUNCTION; Schema: audio; Owner: -
--

CREATE FUNCTION audio.extend_claims(p_msg_ids bigint[], p_vt_s integer) RETURNS SETOF bigint
    LANGUAGE sql SECURITY DEFINER
    SET search_path TO ''
    AS $$
  select m.msg_id from unnest(p_msg_ids) as i (id),
    lateral pgmq.set_vt(queue_name => 'audio_segments'::text, msg_id => i.id::bigint, vt => p_vt_s::integer) as m
$$;


--
-- Name: FUNCTION extend_claims(p_msg_ids bigint[], p_vt_s integer); Type: COMMENT; Schema: audio; Owner: -
--

COMMENT ON FUNCTION audio.extend_claims(p_msg_ids bigint[], p_vt_s integer) IS 'Extend the visibility timeout of the messages a worker holds; returns those that still exist.';


--
-- Name: fail_segment(bigint, bigint, text, integer); Type: FUNCTION; Schema: audio; Owner: -
--

CREATE FUNCTION audio.fail_segment(p_segment_id bigint, p_msg_id bigint, p_error text, p_rate_limited integer DEFAULT 0) RETURNS boolean
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO ''
    AS $$
declare
  v_found boolean;
begin
  update public.audio_segments as seg
  set status = 'failed', last_error = left(p_error, 2000), finished_at = now(),
    rate_limited = seg.rate_limited + coalesce(p_rate_limited, 0)
  where seg.id = p_segment_id and seg.status in ('queued', 'generating');
  v_found := found;
  perform pgmq.archive(queue_name => 'audio_segments'::text, msg_id => p_msg_id::bigint);
  return v_found;
end;
$$;


--
-- Name: FUNCTION fail_segment(p_segment_id bigint, p_msg_id bigint, p_error text, p_rate_limited integer); Type: COMMENT; Schema: audio; Owner: -
--

COMMENT ON FUNCTION audio.fail_segment(p_segment_id bigint, p_msg_id bigint, p_error text, p_rate_limited integer) IS 'Mark a segment failed with its error and archive its message (dead letter).';


--
-- Name: finish_cancels(integer); Type: PROCEDURE; Schema: audio; Owner: -
--

CREATE PROCEDURE audio.finish_cancels(IN p_max_steps integer DEFAULT 1000)
    LANGUAGE plpgsql
    AS $$
declare
  v_step integer := 0;
begin
  while v_step < p_max_steps loop
    v_step := v_step + 1;
    exit when audio.finish_cancels_step() = 0;
    commit;
  end loop;
end;
$$;


--
-- Name: PROCEDURE finish_cancels(IN p_max_steps integer); Type: COMMENT; Schema: audio; Owner: -
--

COMMENT ON PROCEDURE audio.finish_cancels(IN p_max_steps integer) IS 'Cancel what audio.cancel_batch left, a step (its own transaction) at a time; pg_cron calls it.';


--
-- Name: finish_cancels_step(); Type: FUNCTION; Schema: audio; Owner: -
--

CREATE FUNCTION audio.finish_cancels_step() RETURNS integer
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO ''
    AS $$
declare
  v_batch uuid;
  v_n integer;
begin
  for v_batch in
    select b.id from public.audio_batches as b
    where b.status = 'cancelling'
    order by b.cancel_requested_at, b.id
  loop
    v_n := audio.cancel_segments_step(v_batch, audio.cancel_step_size(), true);
    if v_n > 0 then
      return v_n;
    end if;
  end loop;
  return 0;
end;
$$;


--
-- Name: FUNCTION finish_cancels_step(); Type: COMMENT; Schema: audio; Owner: -
--

COMMENT ON FUNCTION audio.finish_cancels_step() IS 'One step of the oldest cancelling batch with segments left: up to cancel_step_size() cancelled. Returns how many.';


--
-- Name: flush_broadcasts_on_heartbeat(); Type: FUNCTION; Schema: audio; Owner: -
--

CREATE FUNCTION audio.flush_broadcasts_on_heartbeat() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO ''
    AS $$
begin
  perform audio.flush_due_broadcasts();
  return null;
end;
$$;


--
-- Name: FUNCTION flush_broadcasts_on_heartbeat(); Type: COMMENT; Schema: audio; Owner: -
--

COMMENT ON FUNCTION audio.flush_broadcasts_on_heartbeat() IS 'Trigger (deferred to commit): flush held-back broadcasts when a worker records its heartbeat.';


--
-- Name: flush_due_broadcasts(); Type: FUNCTION; Schema: audio; Owner: -
--

CREATE FUNCTION audio.flush_due_broadcasts() RETURNS integer
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO ''
    AS $$
declare
  r record;
  v_sent integer := 0;
begin
  for r in
    select s.batch_id
    from audio.batch_broadcasts as s
    join public.audio_batches as b on b.id = s.batch_id
    where s.dirty
      and coalesce(s.sent_at, '-infinity'::timestamptz) <= pg_catalog.clock_timestamp() - audio.broadcast_interval()
    order by s.batch_id
    for update of b, s skip locked
  loop
    v_sent := v_sent + audio.broadcast_batch(r.batch_id);
  end loop;
  return v_sent;
end;
$$;


--
-- Name: FUNCTION flush_due_broadcasts(); Type: COMMENT; Schema: audio; Owner: -
--

COMMENT ON FUNCTION audio.flush_due_broadcasts() IS 'Broadcast the held-back changes of every batch whose interval has passed; returns the messages sent.';


--
-- Name: grade_summary(text, text, text); Type: FUNCTION; Schema: audio; Owner: -
--

CREATE FUNCTION audio.grade_summary(p_voice_id text, p_model_id text, p_format text) RETURNS TABLE(grade smallint, words integer, segments integer, ready integer, missing integer, stale integer, pending integer, failed integer)
    LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path TO ''
    AS $$
  select g.grade,
    coalesce(sum(g.n) filter (where g.is_word), 0)::integer,
    sum(g.n)::integer,
    coalesce(sum(g.n) filter (where g.state = 'ready'), 0)::integer,
    coalesce(sum(g.n) filter (where g.state = 'missing'), 0)::integer,
    coalesce(sum(g.n) filter (where g.state = 'stale'), 0)::integer,
    coalesce(sum(g.n) filter (where g.state in ('queued', 'generating')), 0)::integer,
    coalesce(sum(g.n) filter (where g.state = 'failed'), 0)::integer
  from (
    select c.grade, c.is_word, c.n,
      case
        when c.pending is not null and b.cancel_requested_at is null then c.pending
        when c.audio_current and c.audio_voice = p_voice_id and c.audio_model = p_model_id
          and c.audio_format = p_format then 'ready'
        when c.has_audio then 'stale'
        when c.failed then 'failed'
        else 'missing'
      end as state
    from (
      select s.grade, s.is_word, s.pending, s.pending_batch, s.audio_voice, s.audio_model,
        s.audio_format, s.audio_current, s.has_audio, s.failed, sum(s.n) as n
      from audio.state_counts as s
      group by 1, 2, 3, 4, 5, 6, 7, 8, 9, 10
      having sum(s.n) <> 0
    ) as c
    left join public.audio_batches as b on b.id = c.pending_batch
  ) as g
  group by g.grade
  order by g.grade
$$;


--
-- Name: FUNCTION grade_summary(p_voice_id text, p_model_id text, p_format text); Type: COMMENT; Schema: audio; Owner: -
--

COMMENT ON FUNCTION audio.grade_summary(p_voice_id text, p_model_id text, p_format text) IS 'Per grade: words, segments, and segments ready, missing, stale, pending and failed in this voice/model/format.';


--
-- Name: guard_segment(bigint, bigint); Type: FUNCTION; Schema: audio; Owner: -
--

CREATE FUNCTION audio.guard_segment(p_segment_id bigint, p_msg_id bigint) RETURNS text
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO ''
    AS $$
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


--
-- Name: FUNCTION guard_segment(p_segment_id bigint, p_msg_id bigint); Type: COMMENT; Schema: audio; Owner: -
--

COMMENT ON FUNCTION audio.guard_segment(p_segment_id bigint, p_msg_id bigint) IS 'Lock a segment; delete its message if it is gone or finished, cancel it if its batch was cancelled. Returns live, gone or cancelled.';


--
-- Name: health(integer, timestamp with time zone); Type: FUNCTION; Schema: audio; Owner: -
--

CREATE FUNCTION audio.health(p_stalled_minutes integer DEFAULT 10, p_now timestamp with time zone DEFAULT clock_timestamp()) RETURNS jsonb
    LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path TO ''
    AS $$
  select h || jsonb_build_object(
    'provider', to_jsonb(c),
    'problems', case when c.state = 'closed' then h -> 'problems'
      else jsonb_build_array(format(
        'provider work is stopped: %s (%s; Resume on the admin page retries now)',
        c.reason,
        case when c.next_probe_at <= p_now then 'a probe is due'
          else format('next probe in %s s', ceil(extract(epoch from c.next_probe_at - p_now))::integer)
        end)) || (h -> 'problems')
    end)
  from audio.pipeline_health(p_stalled_minutes, p_now) as h
  cross join audio.provider_circuit() as c
$$;


--
-- Name: FUNCTION health(p_stalled_minutes integer, p_now timestamp with time zone); Type: COMMENT; Schema: audio; Owner: -
--

COMMENT ON FUNCTION audio.health(p_stalled_minutes integer, p_now timestamp with time zone) IS 'Queue depth and oldest message, workers and their last progress, the last kicks'' HTTP results, stalled batches, the provider circuit, and the problems found in plain words.';


--
-- Name: history_retention_days(); Type: FUNCTION; Schema: audio; Owner: -
--

CREATE FUNCTION audio.history_retention_days() RETURNS integer
    LANGUAGE plpgsql STABLE SECURITY DEFINER
    SET search_path TO ''
    AS $_$
declare
  v_value text := audio.setting('history_retention_days');
begin
  if v_value is null then
    return 30;
  end if;
  if v_value !~ '^\s*[0-9]{1,5}\s*$' or btrim(v_value)::integer < 1 then
    raise exception 'audio setting history_retention_days must be a whole number of days >= 1, not %', v_value
      using errcode = '22023';
  end if;
  return btrim(v_value)::integer;
end;
$_$;


--
-- Name: FUNCTION history_retention_days(); Type: COMMENT; Schema: audio; Owner: -
--

COMMENT ON FUNCTION audio.history_retention_days() IS 'Days of cron run history and queue archive kept: setting history_retention_days, default 30.';


--
-- Name: hold_for_circuit(bigint[], integer); Type: FUNCTION; Schema: audio; Owner: -
--

CREATE FUNCTION audio.hold_for_circuit(p_msg_ids bigint[], p_delay_s integer DEFAULT 0) RETURNS integer
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO ''
    AS $$
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


--
-- Name: FUNCTION hold_for_circuit(p_msg_ids bigint[], p_delay_s integer); Type: COMMENT; Schema: audio; Owner: -
--

COMMENT ON FUNCTION audio.hold_for_circuit(p_msg_ids bigint[], p_delay_s integer) IS 'Hand back messages held while the provider circuit is open: visible again, the read excused, the attempt taken back.';


--
-- Name: hold_segment_inserts(); Type: FUNCTION; Schema: audio; Owner: -
--

CREATE FUNCTION audio.hold_segment_inserts() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO ''
    AS $$
begin
  perform pg_advisory_xact_lock_shared(hashtext('audio.create_batch'));
  return null;
end;
$$;


--
-- Name: FUNCTION hold_segment_inserts(); Type: COMMENT; Schema: audio; Owner: -
--

COMMENT ON FUNCTION audio.hold_segment_inserts() IS 'Trigger: a delete of words or batches waits for a start in progress (and holds later starts until it commits).';


--
-- Name: is_admin(); Type: FUNCTION; Schema: audio; Owner: -
--

CREATE FUNCTION audio.is_admin() RETURNS boolean
    LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path TO ''
    AS $$
  select coalesce((auth.jwt() -> 'app_metadata' ->> 'role') = 'super_admin', false)
$$;


--
-- Name: FUNCTION is_admin(); Type: COMMENT; Schema: audio; Owner: -
--

COMMENT ON FUNCTION audio.is_admin() IS 'True when the current request''s JWT has app_metadata.role = super_admin. Used by every policy and admin function.';


--
-- Name: keep_referenced_ids(); Type: FUNCTION; Schema: audio; Owner: -
--

CREATE FUNCTION audio.keep_referenced_ids() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO ''
    AS $$
begin
  -- Two statements, so each reads an index (audio_segments_word_kind_idx, audio_segments_batch_idx).
  if (tg_table_name = 'words' and exists (select 1 from public.audio_segments as s where s.word_id = old.id))
    or (tg_table_name = 'audio_batches'
      and exists (select 1 from public.audio_segments as s where s.batch_id = old.id)) then
    raise exception '%: % is still named by audio_segments', tg_table_name, old.id
      using errcode = '23503', hint = 'Delete its segments first, or keep the id.';
  end if;
  return new;
end;
$$;


--
-- Name: FUNCTION keep_referenced_ids(); Type: COMMENT; Schema: audio; Owner: -
--

COMMENT ON FUNCTION audio.keep_referenced_ids() IS 'Trigger: the id of a word or batch that segments name cannot change.';


--
-- Name: keep_segment_references(); Type: FUNCTION; Schema: audio; Owner: -
--

CREATE FUNCTION audio.keep_segment_references() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO ''
    AS $$
begin
  raise exception 'audio_segments: segment % cannot move to another word or batch', old.id
    using errcode = '23503', hint = 'Queue a new batch instead.';
end;
$$;


--
-- Name: FUNCTION keep_segment_references(); Type: COMMENT; Schema: audio; Owner: -
--

COMMENT ON FUNCTION audio.keep_segment_references() IS 'Trigger: a segment''s word_id and batch_id never change.';


--
-- Name: kick_timeout_ms(); Type: FUNCTION; Schema: audio; Owner: -
--

CREATE FUNCTION audio.kick_timeout_ms() RETURNS integer
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    SET search_path TO ''
    AS $$
  select 5000
$$;


--
-- Name: FUNCTION kick_timeout_ms(); Type: COMMENT; Schema: audio; Owner: -
--

COMMENT ON FUNCTION audio.kick_timeout_ms() IS 'Timeout of a kick of process-segments in milliseconds (5000), from pg_net and from the TypeScript kick.';


--
-- Name: kick_worker(text); Type: FUNCTION; Schema: audio; Owner: -
--

CREATE FUNCTION audio.kick_worker(p_reason text DEFAULT 'cron'::text) RETURNS bigint
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO ''
    AS $$
declare
  v_url text := audio.setting('project_url');
  v_secret text := audio.setting('worker_secret');
  v_missing text;
  v_request bigint;
begin
  if not exists (select 1 from pgmq.q_audio_segments as q where q.vt <= clock_timestamp())
    or audio.worker_alive(audio.worker_stale_s()) then
    return null;
  end if;
  v_missing := case when v_url is null then 'project_url' when v_secret is null then 'worker_secret' end;
  if v_missing is not null then
    raise exception 'audio.kick_worker: % is not set: store it in Vault as audio_queue_% (or select audio.set_setting(''%'', ''...''))',
      v_missing, v_missing, v_missing
      using errcode = '22023';
  end if;
  v_request := net.http_post(
    url => (rtrim(v_url, '/') || '/functions/v1/process-segments')::text,
    body => jsonb_build_object('reason', p_reason),
    headers => jsonb_build_object('Content-Type', 'application/json', 'x-worker-secret', v_secret),
    timeout_milliseconds => audio.kick_timeout_ms()::integer
  );
  insert into audio.kick_requests (id, reason) values (v_request, p_reason);
  -- The newest 50 are kept (the health reads 5; the watchdog kicks at most every 10 s).
  delete from audio.kick_requests as k
  where k.id < (select min(n.id) from (
    select r.id from audio.kick_requests as r order by r.id desc limit 50
  ) as n);
  return v_request;
end;
$$;


--
-- Name: FUNCTION kick_worker(p_reason text); Type: COMMENT; Schema: audio; Owner: -
--

COMMENT ON FUNCTION audio.kick_worker(p_reason text) IS 'If the queue has visible messages and no worker is alive, POST process-segments (pg_net) with the worker secret; returns the request id or null.';


--
-- Name: latest_segment_changes(jsonb); Type: FUNCTION; Schema: audio; Owner: -
--

CREATE FUNCTION audio.latest_segment_changes(p_changes jsonb) RETURNS jsonb
    LANGUAGE sql IMMUTABLE
    SET search_path TO ''
    AS $$
  select coalesce(pg_catalog.jsonb_agg(x.change order by x.id), '[]'::jsonb)
  from (
    select distinct on ((c.change ->> 'id')::bigint) (c.change ->> 'id')::bigint as id, c.change
    from pg_catalog.jsonb_array_elements(p_changes) with ordinality as c(change, n)
    order by (c.change ->> 'id')::bigint, c.n desc
  ) as x
$$;


--
-- Name: FUNCTION latest_segment_changes(p_changes jsonb); Type: COMMENT; Schema: audio; Owner: -
--

COMMENT ON FUNCTION audio.latest_segment_changes(p_changes jsonb) IS 'The latest change of each segment among p_changes, in segment order.';


--
-- Name: limit_tick(integer, integer, boolean); Type: FUNCTION; Schema: audio; Owner: -
--

CREATE FUNCTION audio.limit_tick(p_ceiling integer, p_quiet_s integer, p_pinned boolean) RETURNS TABLE(effective integer, ceiling integer, in_flight integer, limited_last_minute integer, pinned boolean, changed boolean)
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO ''
    AS $$
declare
  c audio.concurrency_limit;
  v_n integer := audio.permits_in_flight();
  v_next integer;
begin
  if p_ceiling not between 1 and audio.max_concurrency() then
    raise exception 'audio.limit_tick: ceiling % is outside 1..%', p_ceiling, audio.max_concurrency()
      using errcode = '22023';
  end if;
  select * into c from audio.concurrency_limit where id for update;
  v_next := c.effective;
  if p_pinned or v_next >= p_ceiling then
    v_next := null;
  elsif v_next is not null
    and coalesce(c.limited_at, '-infinity') <= now() - make_interval(secs => p_quiet_s) and (
    c.probed_at is null or c.probed_at <= coalesce(c.limited_at, '-infinity')
    or (v_n >= v_next and c.probed_at <= now() - interval '1 second')
  ) then
    v_next := case when v_next + 1 >= p_ceiling then null else v_next + 1 end;
  end if;
  update audio.concurrency_limit as l
  set effective = v_next, ceiling = p_ceiling, pinned = p_pinned,
    probed_at = case when v_next is distinct from c.effective and not p_pinned and c.effective is not null
      and (v_next is null or v_next > c.effective) then now() else l.probed_at end,
    changed_at = case when v_next is distinct from c.effective then now() else l.changed_at end
  where l.id;
  return query select coalesce(v_next, p_ceiling), p_ceiling, v_n,
    (select count(*)::integer from audio.concurrency_429s as e where e.at > now() - interval '1 minute'),
    p_pinned, v_next is distinct from c.effective;
end;
$$;


--
-- Name: FUNCTION limit_tick(p_ceiling integer, p_quiet_s integer, p_pinned boolean); Type: COMMENT; Schema: audio; Owner: -
--

COMMENT ON FUNCTION audio.limit_tick(p_ceiling integer, p_quiet_s integer, p_pinned boolean) IS 'Record the ceiling and pin; probe the learned limit one step up when due; report limit, in flight, 429s in the last minute.';


--
-- Name: max_concurrency(); Type: FUNCTION; Schema: audio; Owner: -
--

CREATE FUNCTION audio.max_concurrency() RETURNS integer
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    SET search_path TO ''
    AS $$
  select 20
$$;


--
-- Name: FUNCTION max_concurrency(); Type: COMMENT; Schema: audio; Owner: -
--

COMMENT ON FUNCTION audio.max_concurrency() IS 'Number of permit slots (20): the upper bound of AUDIO_GENERATION_CONCURRENCY and of begin_attempt''s limit.';


--
-- Name: message_segment_id(jsonb); Type: FUNCTION; Schema: audio; Owner: -
--

CREATE FUNCTION audio.message_segment_id(p_message jsonb) RETURNS bigint
    LANGUAGE sql IMMUTABLE
    SET search_path TO ''
    AS $_$
  select case when jsonb_typeof(p_message) = 'object' and (p_message ->> 'segment_id') ~ '^-?[0-9]{1,18}$'
    then (p_message ->> 'segment_id')::bigint end
$_$;


--
-- Name: FUNCTION message_segment_id(p_message jsonb); Type: COMMENT; Schema: audio; Owner: -
--

COMMENT ON FUNCTION audio.message_segment_id(p_message jsonb) IS 'The bigint segment_id of a queue message body, or null when it has none that reads as one.';


--
-- Name: missing_segments(uuid[], smallint, text[], boolean, text, text, text, boolean); Type: FUNCTION; Schema: audio; Owner: -
--

CREATE FUNCTION audio.missing_segments(p_word_ids uuid[], p_grade smallint, p_kinds text[], p_missing_only boolean, p_voice_id text, p_model_id text, p_format text, p_keep_current_text boolean DEFAULT false) RETURNS TABLE(word_id uuid, grade smallint, kind text, text text, text_hash text, pending boolean)
    LANGUAGE plpgsql STABLE SECURITY DEFINER
    SET search_path TO ''
    AS $$
begin
  if p_word_ids is null and p_grade is null then
    return query
    select s.word_id, s.grade, s.kind, s.text, s.text_hash, live.word_id is not null
    from (
      -- The view's own text_hash column is not read, so Postgres never computes it: the hash
      -- kept in segment_state is (a source with no state row, which none should lack, is hashed).
      select src.word_id, src.grade, src.kind, src.text,
        coalesce(st.text_hash, audio.text_hash(src.text)) as text_hash
      from audio.segment_sources as src
      left join audio.segment_state as st on st.word_id = src.word_id and st.kind = src.kind
      where src.kind = any (p_kinds)
      offset 0
    ) as s
    left join (
      -- Every key a live batch holds with this text (in this voice, unless any voice will do).
      select distinct p.word_id, p.kind, p.text_hash
      from public.audio_segments as p
      join public.audio_batches as b on b.id = p.batch_id
      where p_missing_only and p.status in ('queued', 'generating') and b.cancel_requested_at is null
        and (p_keep_current_text
          or (p.voice_id = p_voice_id and p.model_id = p_model_id and p.format = p_format))
    ) as live on live.word_id = s.word_id and live.kind = s.kind and live.text_hash = s.text_hash
    where not (
      p_missing_only and exists (
        select 1 from public.word_audio as wa
        where wa.word_id = s.word_id and wa.kind = s.kind and wa.text_hash = s.text_hash
          and (p_keep_current_text
            or (wa.voice_id = p_voice_id and wa.model_id = p_model_id and wa.format = p_format))
      )
    );
    return;
  end if;

  return query
  select s.word_id, s.grade, s.kind, s.text, s.text_hash,
    p_missing_only and exists (
      select 1
      from (
        select p.status, p.batch_id, p.text_hash, p.voice_id, p.model_id, p.format
        from public.audio_segments as p
        where p.word_id = s.word_id and p.kind = s.kind
        offset 0
      ) as p
      join public.audio_batches as b on b.id = p.batch_id
      where p.status in ('queued', 'generating') and p.text_hash = s.text_hash
        and b.cancel_requested_at is null
        and (p_keep_current_text
          or (p.voice_id = p_voice_id and p.model_id = p_model_id and p.format = p_format))
    )
  from (
    -- A lookup by primary key per source (a join hashed all 300,000 state rows even for a start
    -- of 10,000 words: the plan cannot know the list's size).
    select src.word_id, src.grade, src.kind, src.text,
      coalesce(
        (select st.text_hash from audio.segment_state as st
         where st.word_id = src.word_id and st.kind = src.kind),
        audio.text_hash(src.text)
      ) as text_hash
    from audio.segment_sources as src
    where (p_word_ids is null or src.word_id in (select u.id from unnest(p_word_ids) as u (id)))
      and (p_grade is null or src.grade = p_grade)
      and src.kind = any (p_kinds)
    offset 0
  ) as s
  where not (
    p_missing_only and exists (
      select 1 from public.word_audio as wa
      where wa.word_id = s.word_id and wa.kind = s.kind and wa.text_hash = s.text_hash
        and (p_keep_current_text
          or (wa.voice_id = p_voice_id and wa.model_id = p_model_id and wa.format = p_format))
    )
  );
end;
$$;


--
-- Name: FUNCTION missing_segments(p_word_ids uuid[], p_grade smallint, p_kinds text[], p_missing_only boolean, p_voice_id text, p_model_id text, p_format text, p_keep_current_text boolean); Type: COMMENT; Schema: audio; Owner: -
--

COMMENT ON FUNCTION audio.missing_segments(p_word_ids uuid[], p_grade smallint, p_kinds text[], p_missing_only boolean, p_voice_id text, p_model_id text, p_format text, p_keep_current_text boolean) IS 'Segments a batch over these words/grade/kinds would cover; pending = already queued in a live batch.';


--
-- Name: next_in_turn(boolean, integer); Type: FUNCTION; Schema: audio; Owner: -
--

CREATE FUNCTION audio.next_in_turn(p_admin boolean, p_qty integer) RETURNS TABLE(msg_id bigint, batch_id uuid)
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO ''
    SET plan_cache_mode TO 'force_generic_plan'
    AS $$
begin
  return query
  select c.msg_id, c.batch_id
  from (
    select b.id as batch_id, b.created_at, t.claim_no, t.claim_pos, h.msg_id,
      row_number() over (partition by b.id order by h.segment_id) as round
    from public.audio_batches as b
    left join audio.claim_turns as t on t.batch_id = b.id
    cross join lateral (
      -- The batch's next visible messages. The batch is named by a range, not =, and the order
      -- includes batch_id: so only audio_segments_pending_batch_idx gives this order. With = the
      -- planner may walk the primary key filtering on batch_id, reading every segment of the
      -- batches before this one (300,000 rows behind a big backfill).
      select s.id as segment_id, q.msg_id
      from public.audio_segments as s
      join pgmq.q_audio_segments as q on q.msg_id = s.msg_id
      where s.batch_id >= b.id and s.batch_id <= b.id and s.status in ('queued', 'generating')
        and q.vt <= clock_timestamp()
      order by s.batch_id, s.id
      limit p_qty
      for update of s, q skip locked
    ) as h
    where b.status in ('queued', 'running') and (b.source = 'admin') = p_admin
  ) as c
  order by c.round, c.claim_no nulls first, c.claim_pos, c.created_at, c.batch_id
  limit p_qty;
end;
$$;


--
-- Name: FUNCTION next_in_turn(p_admin boolean, p_qty integer); Type: COMMENT; Schema: audio; Owner: -
--

COMMENT ON FUNCTION audio.next_in_turn(p_admin boolean, p_qty integer) IS 'The next visible messages of live admin (or backfill) batches, round-robin across batches, FIFO within each; locked.';


--
-- Name: notify_permit_freed(); Type: FUNCTION; Schema: audio; Owner: -
--

CREATE FUNCTION audio.notify_permit_freed() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO ''
    AS $$
begin
  if exists (select 1 from audio.permits as p where p.slot = new.slot and p.holder is null) then
    perform pg_notify(audio.permit_channel(), new.slot::text);
  end if;
  return null;
end;
$$;


--
-- Name: FUNCTION notify_permit_freed(); Type: COMMENT; Schema: audio; Owner: -
--

COMMENT ON FUNCTION audio.notify_permit_freed() IS 'Trigger: NOTIFY audio.permit_channel() at commit when a freed permit is still free.';


--
-- Name: open_circuit(text, text, integer); Type: FUNCTION; Schema: audio; Owner: -
--

CREATE FUNCTION audio.open_circuit(p_reason text, p_provider_error text, p_probe_after_s integer) RETURNS boolean
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO ''
    AS $$
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


--
-- Name: FUNCTION open_circuit(p_reason text, p_provider_error text, p_probe_after_s integer); Type: COMMENT; Schema: audio; Owner: -
--

COMMENT ON FUNCTION audio.open_circuit(p_reason text, p_provider_error text, p_probe_after_s integer) IS 'Open (or re-open) the provider circuit with a reason; the next probe is due p_probe_after_s from now.';


--
-- Name: permit_channel(); Type: FUNCTION; Schema: audio; Owner: -
--

CREATE FUNCTION audio.permit_channel() RETURNS text
    LANGUAGE sql IMMUTABLE
    SET search_path TO ''
    AS $$ select 'audio_queue_permit'::text $$;


--
-- Name: FUNCTION permit_channel(); Type: COMMENT; Schema: audio; Owner: -
--

COMMENT ON FUNCTION audio.permit_channel() IS 'NOTIFY channel on which a freed permit wakes workers waiting for one (audio_queue_permit); the payload is the slot.';


--
-- Name: permits_in_flight(); Type: FUNCTION; Schema: audio; Owner: -
--

CREATE FUNCTION audio.permits_in_flight() RETURNS integer
    LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path TO ''
    AS $$
  select count(*)::integer from audio.permits as p where p.holder is not null and p.expires_at >= now()
$$;


--
-- Name: FUNCTION permits_in_flight(); Type: COMMENT; Schema: audio; Owner: -
--

COMMENT ON FUNCTION audio.permits_in_flight() IS 'Provider requests in flight: permits held under a running lease.';


--
-- Name: pipeline_health(integer, timestamp with time zone); Type: FUNCTION; Schema: audio; Owner: -
--

CREATE FUNCTION audio.pipeline_health(p_stalled_minutes integer DEFAULT 10, p_now timestamp with time zone DEFAULT clock_timestamp()) RETURNS jsonb
    LANGUAGE plpgsql STABLE SECURITY DEFINER
    SET search_path TO ''
    AS $$
declare
  v_stale_s integer := audio.worker_stale_s();
  v_queue jsonb;
  v_workers jsonb;
  v_kicks jsonb;
  v_stalled jsonb;
  v_problems text[] := array[]::text[];
  v_alive integer;
  v_visible bigint;
  v_wait_s integer;
  v_kick record;
  v_row record;
  v_failed_kicks integer;
  v_stalled_n integer;
  v_stalled_min integer;
begin
  if p_stalled_minutes is null or p_stalled_minutes < 1 then
    raise exception 'audio.health: p_stalled_minutes must be a whole number of minutes >= 1, not %',
      p_stalled_minutes using errcode = '22023';
  end if;

  select count(*) filter (where q.vt <= p_now),
    extract(epoch from p_now - min(q.vt) filter (where q.vt <= p_now))::integer,
    jsonb_build_object(
      'visible', count(*) filter (where q.vt <= p_now),
      'total', count(*),
      'oldest_visible_age_s',
        extract(epoch from p_now - min(q.enqueued_at) filter (where q.vt <= p_now))::integer,
      'longest_wait_s', extract(epoch from p_now - min(q.vt) filter (where q.vt <= p_now))::integer)
  into v_visible, v_wait_s, v_queue
  from pgmq.q_audio_segments as q;

  select count(*) filter (where w.heartbeat_at > p_now - make_interval(secs => v_stale_s)),
    jsonb_build_object(
      'alive', count(*) filter (where w.heartbeat_at > p_now - make_interval(secs => v_stale_s)),
      'list', coalesce(jsonb_agg(jsonb_build_object(
        'holder', w.holder,
        'started_at', w.started_at,
        'last_progress_at', w.heartbeat_at,
        'alive', w.heartbeat_at > p_now - make_interval(secs => v_stale_s)
      ) order by w.heartbeat_at desc), '[]'::jsonb))
  into v_alive, v_workers
  from audio.workers as w;

  -- 5 kicks: about a minute of the watchdog's 10 s schedule, enough to see a pattern and short
  -- enough for the page.
  select coalesce(jsonb_agg(jsonb_build_object(
      'id', k.id, 'status_code', k.status_code, 'timed_out', k.timed_out,
      'error', k.error_msg, 'at', k.created) order by k.created desc, k.id desc), '[]'::jsonb)
  into v_kicks
  from audio.recent_kicks(5) as k;

  -- The newest kick, and how many kicks in a row (newest first) failed the same way.
  v_failed_kicks := 0;
  for v_row in
    select k.status_code, k.error_msg, k.timed_out from audio.recent_kicks(5) as k
  loop
    if v_failed_kicks = 0 then
      exit when coalesce(v_row.status_code between 200 and 299, false);
      v_kick := v_row;
    elsif v_row.status_code is distinct from v_kick.status_code
      or v_row.timed_out <> v_kick.timed_out then
      exit;
    end if;
    v_failed_kicks := v_failed_kicks + 1;
  end loop;
  if v_failed_kicks > 0 then
    v_problems := v_problems || (
      case when v_failed_kicks = 1 then 'the watchdog''s last kick'
        else format('the watchdog''s last %s kicks', v_failed_kicks) end
      || case
        when v_kick.status_code = 401 then ' got HTTP 401: the worker secret in Vault (audio_queue_worker_secret) differs from the function''s AUDIO_WORKER_SECRET'
        when v_kick.status_code = 404 then ' got HTTP 404: process-segments is not deployed at the project_url setting'
        when v_kick.status_code is not null then format(' got HTTP %s: see process-segments'' logs', v_kick.status_code)
        when v_kick.timed_out then ' timed out: process-segments did not answer at the project_url setting'
        else format(' failed: %s', coalesce(v_kick.error_msg, 'no answer'))
      end);
  end if;

  select count(*), min(s.minutes),
    coalesce(jsonb_agg(jsonb_build_object(
      'id', s.id, 'status', s.status, 'total', s.total, 'done', s.done, 'failed', s.failed,
      'last_progress_at', s.last_progress_at, 'minutes', s.minutes) order by s.last_progress_at),
      '[]'::jsonb)
  into v_stalled_n, v_stalled_min, v_stalled
  from (
    select b.id, b.status, b.total, b.done, b.failed, p.last_progress_at,
      floor(extract(epoch from p_now - p.last_progress_at) / 60)::integer as minutes
    from public.audio_batches as b
    cross join lateral (
      select greatest(b.updated_at, max(seg.updated_at)) as last_progress_at
      from public.audio_segments as seg where seg.batch_id = b.id
    ) as p
    where b.status in ('queued', 'running')
      and p.last_progress_at <= p_now - make_interval(mins => p_stalled_minutes)
  ) as s;
  if v_stalled_n = 1 then
    v_problems := v_problems || format('1 batch has made no progress for %s minutes', v_stalled_min);
  elsif v_stalled_n > 1 then
    v_problems := v_problems || format('%s batches have made no progress for %s minutes or more',
      v_stalled_n, v_stalled_min);
  end if;

  if v_visible > 0 and v_alive = 0 and v_wait_s >= v_stale_s then
    v_problems := v_problems || format(
      '%s %s waiting (the longest for %s) but no worker is alive',
      v_visible, case when v_visible = 1 then 'message is' else 'messages are' end,
      case when v_wait_s < 120 then v_wait_s || ' s' else (v_wait_s / 60) || ' minutes' end);
  end if;

  return jsonb_build_object(
    'checked_at', p_now,
    'stalled_minutes', p_stalled_minutes,
    'queue', v_queue,
    'workers', v_workers,
    'kicks', v_kicks,
    'stalled_batches', v_stalled,
    'problems', to_jsonb(v_problems));
end;
$$;


--
-- Name: FUNCTION pipeline_health(p_stalled_minutes integer, p_now timestamp with time zone); Type: COMMENT; Schema: audio; Owner: -
--

COMMENT ON FUNCTION audio.pipeline_health(p_stalled_minutes integer, p_now timestamp with time zone) IS 'audio.health() without the provider: queue, workers, kicks, stalled batches and their problems.';


--
-- Name: provider_circuit(); Type: FUNCTION; Schema: audio; Owner: -
--

CREATE FUNCTION audio.provider_circuit() RETURNS TABLE(state text, reason text, provider_error text, opened_at timestamp with time zone, next_probe_at timestamp with time zone)
    LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path TO ''
    AS $$
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


--
-- Name: FUNCTION provider_circuit(); Type: COMMENT; Schema: audio; Owner: -
--

COMMENT ON FUNCTION audio.provider_circuit() IS 'The provider circuit: state closed/open/half_open, its reason, the provider''s error, opened_at, next_probe_at.';


--
-- Name: prune_excused_reads(); Type: FUNCTION; Schema: audio; Owner: -
--

CREATE FUNCTION audio.prune_excused_reads() RETURNS void
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO ''
    SET plan_cache_mode TO 'force_generic_plan'
    AS $$
begin
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
  update audio.excused_reads as e set updated_at = now() from old where e.msg_id = old.msg_id and old.live;
end;
$$;


--
-- Name: FUNCTION prune_excused_reads(); Type: COMMENT; Schema: audio; Owner: -
--

COMMENT ON FUNCTION audio.prune_excused_reads() IS 'Delete up to 100 ten-minute-old excused-read rows of finished segments; mark live ones seen.';


--
-- Name: prune_history(timestamp with time zone); Type: FUNCTION; Schema: audio; Owner: -
--

CREATE FUNCTION audio.prune_history(p_now timestamp with time zone DEFAULT now()) RETURNS TABLE(cron_runs integer, archived_messages integer, dead_letters integer, batches integer, segments integer)
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO ''
    AS $$
declare
  v_cutoff timestamptz := p_now - make_interval(days => audio.history_retention_days());
  v_batches uuid[];
begin
  delete from cron.job_run_details as r where r.start_time < v_cutoff;
  get diagnostics cron_runs = row_count;
  delete from pgmq.a_audio_segments as a where a.archived_at < v_cutoff;
  get diagnostics archived_messages = row_count;
  delete from audio.dead_letters as d where d.archived_at < v_cutoff;
  get diagnostics dead_letters = row_count;

  select array_agg(b.id) into v_batches
  from public.audio_batches as b
  where b.status in ('completed', 'completed_with_errors', 'cancelled') and b.finished_at < v_cutoff;
  insert into audio.pruned_batches (batch_id, pruned_at)
  select u.id, p_now from unnest(v_batches) as u (id)
  on conflict (batch_id) do nothing;
  get diagnostics batches = row_count;

  delete from public.audio_segments as s
  where s.batch_id = any (v_batches)
    and not exists (
      select 1 from audio.segment_state as st
      where st.word_id = s.word_id and st.kind = s.kind and (st.finished_id = s.id or st.pending_id = s.id)
    )
    and not exists (
      select 1 from public.word_audio as wa
      where wa.word_id = s.word_id and wa.kind = s.kind and wa.segment_id = s.id
    );
  get diagnostics segments = row_count;
  return next;
end;
$$;


--
-- Name: FUNCTION prune_history(p_now timestamp with time zone); Type: COMMENT; Schema: audio; Owner: -
--

COMMENT ON FUNCTION audio.prune_history(p_now timestamp with time zone) IS 'Delete cron run records, archived messages, dead-letter reasons and the segment rows of finished batches older than the retention (less those the page reads); returns the counts.';


--
-- Name: queue_depth(); Type: FUNCTION; Schema: audio; Owner: -
--

CREATE FUNCTION audio.queue_depth() RETURNS TABLE(visible bigint, total bigint)
    LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path TO ''
    AS $$
  select count(*) filter (where q.vt <= clock_timestamp()), count(*) from pgmq.q_audio_segments as q
$$;


--
-- Name: FUNCTION queue_depth(); Type: COMMENT; Schema: audio; Owner: -
--

COMMENT ON FUNCTION audio.queue_depth() IS 'Messages in the audio_segments queue: visible now, and in total.';


--
-- Name: read_in_turn(integer, integer); Type: FUNCTION; Schema: audio; Owner: -
--

CREATE FUNCTION audio.read_in_turn(p_qty integer, p_vt_s integer) RETURNS SETOF pgmq.message_record
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO ''
    AS $$
declare
  v_admin boolean;
  v_msg_ids bigint[] := '{}'::bigint[];
  v_batch_ids uuid[] := '{}'::uuid[];
begin
  foreach v_admin in array array[true, false] loop
    exit when cardinality(v_msg_ids) >= p_qty;
    select v_msg_ids || coalesce(array_agg(n.msg_id order by n.ord), '{}'::bigint[]),
      v_batch_ids || coalesce(array_agg(n.batch_id order by n.ord), '{}'::uuid[])
    into v_msg_ids, v_batch_ids
    from audio.next_in_turn(v_admin, p_qty - cardinality(v_msg_ids)) with ordinality as n (msg_id, batch_id, ord);
  end loop;

  if cardinality(v_msg_ids) > 0 then
    perform audio.record_claim_turns(v_batch_ids);
    return query
    with read as (
      update pgmq.q_audio_segments as q
      set vt = clock_timestamp() + make_interval(secs => p_vt_s), read_ct = q.read_ct + 1
      where q.msg_id = any (v_msg_ids)
      returning q.msg_id, q.read_ct, q.enqueued_at, q.vt, q.message, q.headers
    )
    select r.msg_id, r.read_ct, r.enqueued_at, r.vt, r.message, r.headers
    from read as r
    join unnest(v_msg_ids) with ordinality as o (msg_id, n) on o.msg_id = r.msg_id
    order by o.n;
  end if;

  if cardinality(v_msg_ids) < p_qty then
    return query
    select r.msg_id, r.read_ct, r.enqueued_at, r.vt, r.message, r.headers
    from pgmq.read(queue_name => 'audio_segments'::text, vt => p_vt_s::integer,
      qty => (p_qty - cardinality(v_msg_ids))::integer) as r
    order by r.msg_id;
  end if;
end;
$$;


--
-- Name: FUNCTION read_in_turn(p_qty integer, p_vt_s integer); Type: COMMENT; Schema: audio; Owner: -
--

COMMENT ON FUNCTION audio.read_in_turn(p_qty integer, p_vt_s integer) IS 'pgmq.read in claim order: admin batches before backfill, batches in turn, each batch first in first out; then any other visible message.';


--
-- Name: recent_kicks(integer); Type: FUNCTION; Schema: audio; Owner: -
--

CREATE FUNCTION audio.recent_kicks(p_limit integer) RETURNS TABLE(id bigint, status_code integer, error_msg text, created timestamp with time zone, timed_out boolean)
    LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path TO ''
    AS $$
  select r.id, r.status_code, r.error_msg, r.created,
    coalesce(r.timed_out, false)
      or coalesce(r.error_msg ~ '^Timeout of \d+ ms reached' or r.error_msg = 'Timeout was reached', false)
  from net._http_response as r
  join audio.kick_requests as k on k.id = r.id
  order by r.created desc, r.id desc
  limit p_limit
$$;


--
-- Name: FUNCTION recent_kicks(p_limit integer); Type: COMMENT; Schema: audio; Owner: -
--

COMMENT ON FUNCTION audio.recent_kicks(p_limit integer) IS 'The newest responses to audio.kick_worker''s requests, newest first, with timed_out read as pg_net of any version records it.';


--
-- Name: record_claim_turns(uuid[]); Type: FUNCTION; Schema: audio; Owner: -
--

CREATE FUNCTION audio.record_claim_turns(p_batch_ids uuid[]) RETURNS void
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO ''
    SET plan_cache_mode TO 'force_generic_plan'
    AS $$
begin
  with this_claim as materialized (select nextval('audio.claim_turn_seq'::regclass) as claim_no)
  insert into audio.claim_turns as t (batch_id, claim_no, claim_pos)
  select x.batch_id, c.claim_no, x.claim_pos
  from this_claim as c
  cross join (
    select b.batch_id, max(b.n)::integer as claim_pos
    from unnest(p_batch_ids) with ordinality as b (batch_id, n)
    group by b.batch_id
  ) as x
  order by x.batch_id
  on conflict (batch_id) do update set claim_no = excluded.claim_no, claim_pos = excluded.claim_pos;
  delete from audio.claim_turns as t
  where t.batch_id in (
    select o.batch_id from audio.claim_turns as o
    where o.batch_id <> all (p_batch_ids) and not exists (
      select 1 from public.audio_batches as b where b.id = o.batch_id and b.status in ('queued', 'running')
    )
    for update of o skip locked
  );
end;
$$;


--
-- Name: FUNCTION record_claim_turns(p_batch_ids uuid[]); Type: COMMENT; Schema: audio; Owner: -
--

COMMENT ON FUNCTION audio.record_claim_turns(p_batch_ids uuid[]) IS 'Record that a claim served these batches (in hand-out order): the batch served last goes last next time.';


--
-- Name: refresh_pending(uuid[], text[]); Type: FUNCTION; Schema: audio; Owner: -
--

CREATE FUNCTION audio.refresh_pending(p_word_ids uuid[], p_kinds text[]) RETURNS void
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO ''
    SET plan_cache_mode TO 'force_generic_plan'
    AS $$
begin
  update audio.segment_state as st
  set pending_id = l.id, pending = l.status, pending_batch = l.batch_id
  from (
    select k.word_id, k.kind, live.id, live.status, live.batch_id
    from (
      select distinct x.word_id, x.kind from unnest(p_word_ids, p_kinds) as x (word_id, kind)
    ) as k
    left join lateral (
      select r.id, r.status, r.batch_id
      from (
        select s.id, s.status, s.batch_id
        from public.audio_segments as s
        where s.word_id = k.word_id and s.kind = k.kind
        offset 0
      ) as r
      join public.audio_batches as b on b.id = r.batch_id
      where r.status in ('queued', 'generating') and b.cancel_requested_at is null
      order by r.id desc
      limit 1
    ) as live on true
  ) as l
  where st.word_id = l.word_id and st.kind = l.kind
    and (st.pending_id, st.pending) is distinct from (l.id, l.status);
end;
$$;


--
-- Name: FUNCTION refresh_pending(p_word_ids uuid[], p_kinds text[]); Type: COMMENT; Schema: audio; Owner: -
--

COMMENT ON FUNCTION audio.refresh_pending(p_word_ids uuid[], p_kinds text[]) IS 'Recompute segment_state.pending for these (word, kind) keys from the live segments.';


--
-- Name: refresh_segment_state(uuid[]); Type: FUNCTION; Schema: audio; Owner: -
--

CREATE FUNCTION audio.refresh_segment_state(p_word_ids uuid[]) RETURNS void
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO ''
    AS $$
begin
  delete from audio.segment_state as st
  where (p_word_ids is null or st.word_id = any (p_word_ids))
    and not exists (
      select 1 from audio.segment_sources as s where s.word_id = st.word_id and s.kind = st.kind
    );

  insert into audio.segment_state as st (
    word_id, kind, grade, word, text_hash, audio_hash, audio_voice, audio_model, audio_format,
    audio_path, pending_id, pending, pending_batch, finished_id, finished_status, finished_error
  )
  select s.word_id, s.kind, s.grade, w.word, s.text_hash, wa.text_hash, wa.voice_id, wa.model_id,
    wa.format, wa.storage_path, p.id, p.status, p.batch_id, f.id, f.status, f.last_error
  from audio.segment_sources as s
  join public.words as w on w.id = s.word_id
  left join public.word_audio as wa on wa.word_id = s.word_id and wa.kind = s.kind
  left join lateral (
    -- The key's own segments (audio_segments_word_kind_idx), then the live one among them: the
    -- status test stays outside the lookup (offset 0), so no plan walks the partial index of
    -- unfinished segments filtering on the key.
    select r.id, r.status, r.batch_id
    from (
      select seg.id, seg.status, seg.batch_id from public.audio_segments as seg
      where seg.word_id = s.word_id and seg.kind = s.kind
      offset 0
    ) as r
    join public.audio_batches as b on b.id = r.batch_id
    where r.status in ('queued', 'generating') and b.cancel_requested_at is null
    order by r.id desc limit 1
  ) as p on true
  left join lateral (
    select seg.id, seg.status, seg.last_error from public.audio_segments as seg
    where seg.word_id = s.word_id and seg.kind = s.kind and seg.text_hash = s.text_hash
      and seg.status in ('done', 'failed')
    order by seg.id desc limit 1
  ) as f on true
  where p_word_ids is null or s.word_id = any (p_word_ids)
  on conflict (word_id, kind) do update set
    grade = excluded.grade, word = excluded.word, text_hash = excluded.text_hash,
    audio_hash = excluded.audio_hash, audio_voice = excluded.audio_voice,
    audio_model = excluded.audio_model, audio_format = excluded.audio_format,
    audio_path = excluded.audio_path, pending_id = excluded.pending_id, pending = excluded.pending,
    pending_batch = excluded.pending_batch,
    finished_id = excluded.finished_id, finished_status = excluded.finished_status,
    finished_error = excluded.finished_error;
end;
$$;


--
-- Name: FUNCTION refresh_segment_state(p_word_ids uuid[]); Type: COMMENT; Schema: audio; Owner: -
--

COMMENT ON FUNCTION audio.refresh_segment_state(p_word_ids uuid[]) IS 'Rebuild segment_state rows of these words (null = all) from sources, word_audio and segments.';


--
-- Name: refuse_truncate_under_segments(); Type: FUNCTION; Schema: audio; Owner: -
--

CREATE FUNCTION audio.refuse_truncate_under_segments() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO ''
    AS $$
begin
  if exists (select 1 from public.audio_segments) then
    raise exception 'cannot truncate %: audio_segments still names its rows', tg_table_name
      using errcode = '0A000', hint = 'Truncate public.audio_segments in the same statement.';
  end if;
  return null;
end;
$$;


--
-- Name: FUNCTION refuse_truncate_under_segments(); Type: COMMENT; Schema: audio; Owner: -
--

COMMENT ON FUNCTION audio.refuse_truncate_under_segments() IS 'Trigger: truncating words or batches fails while segments remain.';


--
-- Name: release_permit(integer, text); Type: FUNCTION; Schema: audio; Owner: -
--

CREATE FUNCTION audio.release_permit(p_slot integer, p_holder text) RETURNS void
    LANGUAGE sql SECURITY DEFINER
    SET search_path TO ''
    AS $$
  update audio.permits as p
  set holder = null, segment_id = null, acquired_at = null, expires_at = null, in_flight_at_take = null
  where p.slot = p_slot and p.holder = p_holder
$$;


--
-- Name: FUNCTION release_permit(p_slot integer, p_holder text); Type: COMMENT; Schema: audio; Owner: -
--

COMMENT ON FUNCTION audio.release_permit(p_slot integer, p_holder text) IS 'Free a permit slot held by this holder.';


--
-- Name: retry_failed(uuid); Type: FUNCTION; Schema: audio; Owner: -
--

CREATE FUNCTION audio.retry_failed(p_batch_id uuid) RETURNS integer
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO ''
    AS $$
declare
  v_ids bigint[];
begin
  -- Same lock order as workers and cancel_batch: segments, then the batch.
  select array_agg(f.id order by f.id) into v_ids from (
    select s.id from public.audio_segments as s
    where s.batch_id = p_batch_id and s.status = 'failed' order by s.id for update
  ) as f;
  perform 1 from public.audio_batches as b where b.id = p_batch_id for update;
  if not found then
    raise exception 'audio.retry_failed: no batch with id %', p_batch_id using errcode = 'P0002';
  end if;
  if exists (select 1 from public.audio_batches as b where b.id = p_batch_id and b.cancel_requested_at is not null) then
    raise exception 'audio.retry_failed: batch % was cancelled; start a new batch instead', p_batch_id
      using errcode = '55000';
  end if;
  if v_ids is null then
    return 0;
  end if;

  with sent as (select * from audio.enqueue_segments(p_batch_id, v_ids))
  update public.audio_segments as s
  set status = 'queued', attempts = 0, last_error = null, started_at = null, finished_at = null,
    upload_started_at = null, msg_id = sent.msg_id
  from sent
  where s.id = sent.segment_id;
  return cardinality(v_ids);
end;
$$;


--
-- Name: FUNCTION retry_failed(p_batch_id uuid); Type: COMMENT; Schema: audio; Owner: -
--

COMMENT ON FUNCTION audio.retry_failed(p_batch_id uuid) IS 'Queue the failed segments of a batch again; returns how many. Refused for cancelled batches.';


--
-- Name: return_messages(bigint[], integer, text); Type: FUNCTION; Schema: audio; Owner: -
--

CREATE FUNCTION audio.return_messages(p_msg_ids bigint[], p_delay_s integer DEFAULT 0, p_error text DEFAULT NULL::text) RETURNS integer
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO ''
    AS $$
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


--
-- Name: FUNCTION return_messages(p_msg_ids bigint[], p_delay_s integer, p_error text); Type: COMMENT; Schema: audio; Owner: -
--

COMMENT ON FUNCTION audio.return_messages(p_msg_ids bigint[], p_delay_s integer, p_error text) IS 'Make claimed messages visible again after p_delay_s seconds; no error: the delivery is excused; an error: it counts and is kept as last_error.';


--
-- Name: segment_states(smallint, text, text, text); Type: FUNCTION; Schema: audio; Owner: -
--

CREATE FUNCTION audio.segment_states(p_grade smallint, p_voice_id text, p_model_id text, p_format text) RETURNS TABLE(word_id uuid, word text, grade smallint, kind text, text text, state text, storage_path text, error text)
    LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path TO ''
    AS $$
  select st.word_id, st.word, st.grade, st.kind, s.text, l.state, st.audio_path,
    case when l.state = 'failed' then st.finished_error end
  from audio.segment_state as st
  left join public.audio_batches as b on b.id = st.pending_batch
  cross join lateral (
    select audio.state_label(st, b.cancel_requested_at is null, p_voice_id, p_model_id, p_format) as state
  ) as l
  join audio.segment_sources as s on s.word_id = st.word_id and s.kind = st.kind
  where p_grade is null or st.grade = p_grade
  order by st.grade, st.word, st.word_id, array_position(array['word', 'definition', 'sentence'], st.kind)
$$;


--
-- Name: FUNCTION segment_states(p_grade smallint, p_voice_id text, p_model_id text, p_format text); Type: COMMENT; Schema: audio; Owner: -
--

COMMENT ON FUNCTION audio.segment_states(p_grade smallint, p_voice_id text, p_model_id text, p_format text) IS 'Per word and kind: ready, stale, missing, queued, generating or failed, for the admin page.';


--
-- Name: send_broadcast(text, text, jsonb); Type: FUNCTION; Schema: audio; Owner: -
--

CREATE FUNCTION audio.send_broadcast(p_topic text, p_event text, p_payload jsonb) RETURNS void
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO ''
    AS $$
begin
  if pg_catalog.to_regprocedure('realtime.send(jsonb, text, text, boolean)') is not null then
    perform realtime.send(p_payload, p_event, p_topic, true);
  end if;
end;
$$;


--
-- Name: FUNCTION send_broadcast(p_topic text, p_event text, p_payload jsonb); Type: COMMENT; Schema: audio; Owner: -
--

COMMENT ON FUNCTION audio.send_broadcast(p_topic text, p_event text, p_payload jsonb) IS 'Send one Broadcast message on a private Realtime topic (nothing where Realtime is absent).';


--
-- Name: set_setting(text, text); Type: FUNCTION; Schema: audio; Owner: -
--

CREATE FUNCTION audio.set_setting(p_key text, p_value text) RETURNS void
    LANGUAGE sql SECURITY DEFINER
    SET search_path TO ''
    AS $$
  insert into audio.config as c (key, value) values (p_key, p_value)
  on conflict (key) do update set value = excluded.value, updated_at = now()
  where c.value is distinct from excluded.value
$$;


--
-- Name: FUNCTION set_setting(p_key text, p_value text); Type: COMMENT; Schema: audio; Owner: -
--

COMMENT ON FUNCTION audio.set_setting(p_key text, p_value text) IS 'Store a setting in audio.config (fallback when Vault is absent); an unchanged value is not rewritten.';


--
-- Name: setting(text); Type: FUNCTION; Schema: audio; Owner: -
--

CREATE FUNCTION audio.setting(p_key text) RETURNS text
    LANGUAGE plpgsql STABLE SECURITY DEFINER
    SET search_path TO ''
    AS $_$
declare
  v_value text;
begin
  if to_regclass('vault.decrypted_secrets') is not null then
    -- Built with format() so the query is resolved only where Vault exists (the lint checks a
    -- constant query string against the schema at hand, which may have no Vault).
    execute format('select decrypted_secret from %I.%I where name = $1 limit 1', 'vault', 'decrypted_secrets')
      into v_value using 'audio_queue_' || p_key;
  end if;
  if v_value is null then
    select c.value into v_value from audio.config as c where c.key = p_key;
  end if;
  return v_value;
end;
$_$;


--
-- Name: FUNCTION setting(p_key text); Type: COMMENT; Schema: audio; Owner: -
--

COMMENT ON FUNCTION audio.setting(p_key text) IS 'Setting or secret by key: Vault secret audio_queue_<key> where Vault exists, else audio.config.';


--
-- Name: settle_batch_status(uuid[]); Type: FUNCTION; Schema: audio; Owner: -
--

CREATE FUNCTION audio.settle_batch_status(p_batch_ids uuid[]) RETURNS void
    LANGUAGE sql SECURITY DEFINER
    SET search_path TO ''
    AS $$
  update public.audio_batches as b set
    status = case
      when b.done + b.failed + b.cancelled >= b.total then
        case when b.cancel_requested_at is not null then 'cancelled'
             when b.failed > 0 then 'completed_with_errors'
             else 'completed' end
      when b.cancel_requested_at is not null then 'cancelling'
      when b.started_at is not null or b.done + b.failed > 0 then 'running'
      else b.status end,
    finished_at = case when b.done + b.failed + b.cancelled >= b.total then coalesce(b.finished_at, now()) end
  where b.id = any (p_batch_ids)
$$;


--
-- Name: FUNCTION settle_batch_status(p_batch_ids uuid[]); Type: COMMENT; Schema: audio; Owner: -
--

COMMENT ON FUNCTION audio.settle_batch_status(p_batch_ids uuid[]) IS 'Recompute the status and finished_at of the given batches from their counters.';


--
-- Name: segment_state; Type: TABLE; Schema: audio; Owner: -
--

CREATE TABLE audio.segment_state (
    word_id uuid NOT NULL,
    kind text NOT NULL,
    grade smallint NOT NULL,
    word text NOT NULL,
    text_hash text NOT NULL,
    audio_hash text,
    audio_voice text,
    audio_model text,
    audio_format text,
    audio_path text,
    pending_id bigint,
    pending text,
    pending_batch uuid,
    finished_id bigint,
    finished_status text,
    finished_error text,
    CONSTRAINT segment_state_finished_status_check CHECK ((finished_status = ANY (ARRAY['done'::text, 'failed'::text]))),
    CONSTRAINT segment_state_kind_check CHECK ((kind = ANY (ARRAY['word'::text, 'definition'::text, 'sentence'::text]))),
    CONSTRAINT segment_state_pending_check CHECK ((pending = ANY (ARRAY['queued'::text, 'generating'::text])))
)
WITH (fillfactor='50');


--
-- Name: TABLE segment_state; Type: COMMENT; Schema: audio; Owner: -
--

COMMENT ON TABLE audio.segment_state IS 'Per word and kind: current text hash, the audio played, the newest live and finished segment; kept by triggers for the admin reads.';


--
-- Name: state_label(audio.segment_state, boolean, text, text, text); Type: FUNCTION; Schema: audio; Owner: -
--

CREATE FUNCTION audio.state_label(p_state audio.segment_state, p_live boolean, p_voice_id text, p_model_id text, p_format text) RETURNS text
    LANGUAGE sql IMMUTABLE
    AS $$
  select case
    when p_state.pending is not null and p_live then p_state.pending
    when p_state.audio_hash = p_state.text_hash and p_state.audio_voice = p_voice_id
      and p_state.audio_model = p_model_id and p_state.audio_format = p_format then 'ready'
    when p_state.audio_hash is not null then 'stale'
    when p_state.finished_status = 'failed' then 'failed'
    else 'missing'
  end
$$;


--
-- Name: FUNCTION state_label(p_state audio.segment_state, p_live boolean, p_voice_id text, p_model_id text, p_format text); Type: COMMENT; Schema: audio; Owner: -
--

COMMENT ON FUNCTION audio.state_label(p_state audio.segment_state, p_live boolean, p_voice_id text, p_model_id text, p_format text) IS 'ready, stale, missing, queued, generating or failed for one segment_state row in this voice/model/format.';


--
-- Name: store_defaults(jsonb); Type: FUNCTION; Schema: audio; Owner: -
--

CREATE FUNCTION audio.store_defaults(p_defaults jsonb) RETURNS void
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO ''
    AS $$
begin
  if p_defaults is null then
    return;
  end if;
  if jsonb_typeof(p_defaults) <> 'object' or exists (
    select 1 from jsonb_each(p_defaults) as d
    where d.key not in ('voice_id', 'model_id', 'format') or jsonb_typeof(d.value) <> 'string'
      or btrim(d.value #>> '{}') = ''
  ) then
    raise exception 'audio.store_defaults: defaults must be an object of non-empty strings under voice_id, model_id, format'
      using errcode = '22023';
  end if;
  perform audio.set_setting(d.key, d.value #>> '{}') from jsonb_each(p_defaults) as d;
end;
$$;


--
-- Name: FUNCTION store_defaults(p_defaults jsonb); Type: COMMENT; Schema: audio; Owner: -
--

COMMENT ON FUNCTION audio.store_defaults(p_defaults jsonb) IS 'Store default voice_id, model_id and/or format from a JSON object (each a non-empty string).';


--
-- Name: sync_batch_counters(); Type: FUNCTION; Schema: audio; Owner: -
--

CREATE FUNCTION audio.sync_batch_counters() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO ''
    AS $$
declare
  v_changed uuid[];
begin
  with changed as (
    update public.audio_batches as b set
      done = b.done + d.d_done,
      failed = b.failed + d.d_failed,
      cancelled = b.cancelled + d.d_cancelled,
      skipped = b.skipped + d.d_skipped,
      characters = b.characters + greatest(d.d_characters, 0),
      started_at = coalesce(b.started_at, case when d.any_generating then now() end)
    from (
      select n.batch_id,
        count(*) filter (where n.status = 'done') - count(*) filter (where o.status = 'done') as d_done,
        count(*) filter (where n.status = 'failed') - count(*) filter (where o.status = 'failed') as d_failed,
        count(*) filter (where n.status = 'cancelled') - count(*) filter (where o.status = 'cancelled') as d_cancelled,
        count(*) filter (where n.status = 'done' and n.reused) - count(*) filter (where o.status = 'done' and o.reused) as d_skipped,
        coalesce(sum(pg_catalog.length(n.text)) filter (where n.status = 'done' and not n.reused), 0)
          - coalesce(sum(pg_catalog.length(o.text)) filter (where o.status = 'done' and not o.reused), 0)
          as d_characters,
        bool_or(n.status = 'generating') as any_generating
      from new_rows as n
      join old_rows as o on o.id = n.id
      where n.status is distinct from o.status or n.reused is distinct from o.reused
      group by n.batch_id
    ) as d
    where b.id = d.batch_id
      and (d.d_done <> 0 or d.d_failed <> 0 or d.d_cancelled <> 0 or d.d_skipped <> 0
        or d.d_characters > 0 or (d.any_generating and b.started_at is null))
    returning b.id
  )
  select array_agg(changed.id) into v_changed from changed;

  -- A second statement, so it sees the counters the first one wrote.
  if v_changed is not null then
    perform audio.settle_batch_status(v_changed);
  end if;
  return null;
end;
$$;


--
-- Name: FUNCTION sync_batch_counters(); Type: COMMENT; Schema: audio; Owner: -
--

COMMENT ON FUNCTION audio.sync_batch_counters() IS 'Trigger: fold segment status changes into audio_batches counters and characters, and settle the status of the batches that changed.';


--
-- Name: text_hash(text); Type: FUNCTION; Schema: audio; Owner: -
--

CREATE FUNCTION audio.text_hash(p_text text) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    SET search_path TO ''
    AS $$
  select encode(sha256(convert_to(normalize(btrim(p_text), nfc), 'UTF8')), 'hex')
$$;


--
-- Name: FUNCTION text_hash(p_text text); Type: COMMENT; Schema: audio; Owner: -
--

COMMENT ON FUNCTION audio.text_hash(p_text text) IS 'Content hash of a segment''s text (sha-256 hex of NFC-normalised trimmed text).';


--
-- Name: track_new_words(); Type: FUNCTION; Schema: audio; Owner: -
--

CREATE FUNCTION audio.track_new_words() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO ''
    AS $$
begin
  perform audio.refresh_segment_state(array(select n.id from new_rows as n));
  return null;
end;
$$;


--
-- Name: FUNCTION track_new_words(); Type: COMMENT; Schema: audio; Owner: -
--

COMMENT ON FUNCTION audio.track_new_words() IS 'Trigger: build segment_state rows of inserted words.';


--
-- Name: track_segment_state(); Type: FUNCTION; Schema: audio; Owner: -
--

CREATE FUNCTION audio.track_segment_state() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO ''
    AS $$
declare
  v_words uuid[];
  v_kinds text[];
begin
  update audio.segment_state as st set pending_id = n.id, pending = n.status, pending_batch = n.batch_id
  from (
    select distinct on (n.word_id, n.kind) n.word_id, n.kind, n.id, n.status, n.batch_id
    from new_rows as n join public.audio_batches as b on b.id = n.batch_id
    where n.status in ('queued', 'generating') and b.cancel_requested_at is null
    order by n.word_id, n.kind, n.id desc
  ) as n
  where st.word_id = n.word_id and st.kind = n.kind and n.id >= coalesce(st.pending_id, 0)
    and (st.pending_id, st.pending) is distinct from (n.id, n.status);

  update audio.segment_state as st
  set finished_id = n.id, finished_status = n.status, finished_error = n.last_error
  from (
    select distinct on (n.word_id, n.kind) n.word_id, n.kind, n.id, n.status, n.last_error, n.text_hash
    from new_rows as n
    where n.status in ('done', 'failed')
    order by n.word_id, n.kind, n.id desc
  ) as n
  where st.word_id = n.word_id and st.kind = n.kind and st.text_hash = n.text_hash
    and n.id >= coalesce(st.finished_id, 0)
    and (st.finished_id, st.finished_status, st.finished_error)
      is distinct from (n.id, n.status, n.last_error);

  -- A cancelled segment keeps its key's pointer: segments are cancelled only in a batch being
  -- cancelled (cancel_batch, guard_segment), which the reads ignore; audio.cancel_batch
  -- recomputes the few keys another live batch also holds.
  -- Joined on the key (the primary key), never on pending_id alone: that would scan the table
  -- for every segment a worker finishes.
  select array_agg(st.word_id), array_agg(st.kind) into v_words, v_kinds
  from new_rows as n
  join audio.segment_state as st on st.word_id = n.word_id and st.kind = n.kind and st.pending_id = n.id
  where n.status in ('done', 'failed');
  -- Most updates finish nothing (a begin, an attempt counted): then nothing to recompute.
  if v_words is not null then
    perform audio.refresh_pending(v_words, v_kinds);
  end if;
  return null;
end;
$$;


--
-- Name: FUNCTION track_segment_state(); Type: COMMENT; Schema: audio; Owner: -
--

COMMENT ON FUNCTION audio.track_segment_state() IS 'Trigger: keep segment_state.pending and .finished in step with inserted and updated segments.';


--
-- Name: track_segment_state_deletes(); Type: FUNCTION; Schema: audio; Owner: -
--

CREATE FUNCTION audio.track_segment_state_deletes() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO ''
    AS $$
declare
  v_words uuid[];
  v_kinds text[];
begin
  select array_agg(st.word_id), array_agg(st.kind) into v_words, v_kinds
  from old_rows as o
  join audio.segment_state as st on st.word_id = o.word_id and st.kind = o.kind and st.pending_id = o.id;
  if v_words is not null then
    perform audio.refresh_pending(v_words, v_kinds);
  end if;

  select array_agg(distinct st.word_id) into v_words
  from old_rows as o
  join audio.segment_state as st on st.word_id = o.word_id and st.kind = o.kind and st.finished_id = o.id;
  if v_words is not null then
    perform audio.refresh_segment_state(v_words);
  end if;
  return null;
end;
$$;


--
-- Name: FUNCTION track_segment_state_deletes(); Type: COMMENT; Schema: audio; Owner: -
--

COMMENT ON FUNCTION audio.track_segment_state_deletes() IS 'Trigger: recompute segment_state rows whose pending or finished segment was deleted.';


--
-- Name: track_word_audio(); Type: FUNCTION; Schema: audio; Owner: -
--

CREATE FUNCTION audio.track_word_audio() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO ''
    AS $$
begin
  update audio.segment_state as st set audio_hash = n.text_hash, audio_voice = n.voice_id,
    audio_model = n.model_id, audio_format = n.format, audio_path = n.storage_path
  from new_rows as n where st.word_id = n.word_id and st.kind = n.kind;
  return null;
end;
$$;


--
-- Name: FUNCTION track_word_audio(); Type: COMMENT; Schema: audio; Owner: -
--

COMMENT ON FUNCTION audio.track_word_audio() IS 'Trigger: copy new or changed word_audio rows into segment_state.';


--
-- Name: track_word_audio_deletes(); Type: FUNCTION; Schema: audio; Owner: -
--

CREATE FUNCTION audio.track_word_audio_deletes() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO ''
    AS $$
begin
  update audio.segment_state as st set audio_hash = null, audio_voice = null, audio_model = null,
    audio_format = null, audio_path = null
  from old_rows as o where st.word_id = o.word_id and st.kind = o.kind;
  return null;
end;
$$;


--
-- Name: FUNCTION track_word_audio_deletes(); Type: COMMENT; Schema: audio; Owner: -
--

COMMENT ON FUNCTION audio.track_word_audio_deletes() IS 'Trigger: clear segment_state''s audio of deleted word_audio rows.';


--
-- Name: track_word_edits(); Type: FUNCTION; Schema: audio; Owner: -
--

CREATE FUNCTION audio.track_word_edits() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO ''
    AS $$
begin
  perform audio.refresh_segment_state(array(
    select n.id from new_rows as n join old_rows as o on o.id = n.id
    where (n.word, n.definition, n.example_sentence, n.grade)
      is distinct from (o.word, o.definition, o.example_sentence, o.grade)
  ));
  return null;
end;
$$;


--
-- Name: FUNCTION track_word_edits(); Type: COMMENT; Schema: audio; Owner: -
--

COMMENT ON FUNCTION audio.track_word_edits() IS 'Trigger: rebuild segment_state rows of edited words.';


--
-- Name: unknown_word_positions(uuid[]); Type: FUNCTION; Schema: audio; Owner: -
--

CREATE FUNCTION audio.unknown_word_positions(p_word_ids uuid[]) RETURNS integer[]
    LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path TO ''
    AS $$
  select array_agg(u.position order by u.position)
  from (
    select w.position::integer as position
    from unnest(p_word_ids) with ordinality as w (id, position)
    where not exists (select 1 from audio.segment_sources as s where s.word_id = w.id)
    order by w.position
    limit 10
  ) as u
$$;


--
-- Name: FUNCTION unknown_word_positions(p_word_ids uuid[]); Type: COMMENT; Schema: audio; Owner: -
--

COMMENT ON FUNCTION audio.unknown_word_positions(p_word_ids uuid[]) IS 'Positions (1-based, first 10) of ids in the array that name no word to voice; null when all are known.';


--
-- Name: upsert_word_audio(bigint[]); Type: FUNCTION; Schema: audio; Owner: -
--

CREATE FUNCTION audio.upsert_word_audio(p_segment_ids bigint[]) RETURNS void
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO ''
    SET plan_cache_mode TO 'force_generic_plan'
    AS $$
begin
  insert into public.word_audio as wa
    (word_id, kind, text_hash, voice_id, model_id, format, storage_path, bytes, segment_id,
     batch_id, batch_created_at)
  select s.word_id, s.kind, s.text_hash, s.voice_id, s.model_id, s.format, s.storage_path, s.bytes, s.id,
    b.id, b.created_at
  from public.audio_segments as s
  join public.audio_batches as b on b.id = s.batch_id
  where s.id = any (p_segment_ids)
  on conflict (word_id, kind) do update set
    text_hash = excluded.text_hash, voice_id = excluded.voice_id, model_id = excluded.model_id,
    format = excluded.format, storage_path = excluded.storage_path, bytes = excluded.bytes,
    segment_id = excluded.segment_id, batch_id = excluded.batch_id,
    batch_created_at = excluded.batch_created_at, updated_at = now()
  where (
      coalesce(excluded.text_hash = audio.current_text_hash(excluded.word_id, excluded.kind), false),
      coalesce(excluded.batch_created_at, '-infinity'::timestamptz)
    ) >= (
      coalesce(wa.text_hash = audio.current_text_hash(wa.word_id, wa.kind), false),
      coalesce(wa.batch_created_at, '-infinity'::timestamptz)
    );
end;
$$;


--
-- Name: FUNCTION upsert_word_audio(p_segment_ids bigint[]); Type: COMMENT; Schema: audio; Owner: -
--

COMMENT ON FUNCTION audio.upsert_word_audio(p_segment_ids bigint[]) IS 'Point each segment''s (word, kind) in word_audio at the segment''s object unless the row is more current (current text first, then newer batch); the one writer of word_audio.';


--
-- Name: work_channel(); Type: FUNCTION; Schema: audio; Owner: -
--

CREATE FUNCTION audio.work_channel() RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    SET search_path TO ''
    AS $$
  select 'audio_queue_work'::text
$$;


--
-- Name: FUNCTION work_channel(); Type: COMMENT; Schema: audio; Owner: -
--

COMMENT ON FUNCTION audio.work_channel() IS 'NOTIFY channel on which queueing wakes listening workers (audio_queue_work); the payload is the batch id.';


--
-- Name: worker_stale_s(); Type: FUNCTION; Schema: audio; Owner: -
--

CREATE FUNCTION audio.worker_stale_s() RETURNS integer
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    SET search_path TO ''
    AS $$
  select 30
$$;


--
-- Name: FUNCTION worker_stale_s(); Type: COMMENT; Schema: audio; Owner: -
--

COMMENT ON FUNCTION audio.worker_stale_s() IS 'Seconds without a heartbeat after which a worker counts as gone (30): worker_alive''s default, used by kick_worker.';


--
-- Name: worker_alive(integer); Type: FUNCTION; Schema: audio; Owner: -
--

CREATE FUNCTION audio.worker_alive(p_within_s integer DEFAULT audio.worker_stale_s()) RETURNS boolean
    LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path TO ''
    AS $$
  select exists (
    select 1 from audio.workers as w
    where w.heartbeat_at > clock_timestamp() - make_interval(secs => p_within_s)
  )
$$;


--
-- Name: FUNCTION worker_alive(p_within_s integer); Type: COMMENT; Schema: audio; Owner: -
--

COMMENT ON FUNCTION audio.worker_alive(p_within_s integer) IS 'True when some worker heartbeated within the last p_within_s seconds (default audio.worker_stale_s()).';


--
-- Name: worker_heartbeat(text); Type: FUNCTION; Schema: audio; Owner: -
--

CREATE FUNCTION audio.worker_heartbeat(p_holder text) RETURNS void
    LANGUAGE sql SECURITY DEFINER
    SET search_path TO ''
    AS $$
  insert into audio.workers as w (holder) values (p_holder)
  on conflict (holder) do update set heartbeat_at = clock_timestamp()
$$;


--
-- Name: FUNCTION worker_heartbeat(p_holder text); Type: COMMENT; Schema: audio; Owner: -
--

COMMENT ON FUNCTION audio.worker_heartbeat(p_holder text) IS 'Record that this worker is alive.';


--
-- Name: worker_stopped(text); Type: FUNCTION; Schema: audio; Owner: -
--

CREATE FUNCTION audio.worker_stopped(p_holder text) RETURNS void
    LANGUAGE sql SECURITY DEFINER
    SET search_path TO ''
    AS $$
  delete from audio.workers as w where w.holder = p_holder
    or w.heartbeat_at < clock_timestamp() - interval '1 hour'
$$;


--
-- Name: FUNCTION worker_stopped(p_holder text); Type: COMMENT; Schema: audio; Owner: -
--

COMMENT ON FUNCTION audio.worker_stopped(p_holder text) IS 'Remove a worker''s heartbeat (and any older than an hour).';


--
-- Name: batch_broadcasts; Type: TABLE; Schema: audio; Owner: -
--

CREATE TABLE audio.batch_broadcasts (
    batch_id uuid NOT NULL,
    seq bigint DEFAULT 0 NOT NULL,
    sent_at timestamp with time zone,
    sent_status text,
    sent_version timestamp with time zone,
    paced_messages integer DEFAULT 0 NOT NULL,
    status_messages integer DEFAULT 0 NOT NULL,
    changes jsonb DEFAULT '[]'::jsonb NOT NULL,
    changes_more boolean DEFAULT false NOT NULL,
    dirty boolean DEFAULT false NOT NULL
);


--
-- Name: TABLE batch_broadcasts; Type: COMMENT; Schema: audio; Owner: -
--

COMMENT ON TABLE audio.batch_broadcasts IS 'Per batch: what was last broadcast on batch:<id> (seq, when, which status), the messages spent, and the segment changes waiting for the next message.';


--
-- Name: claim_turn_seq; Type: SEQUENCE; Schema: audio; Owner: -
--

CREATE SEQUENCE audio.claim_turn_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;


--
-- Name: claim_turns; Type: TABLE; Schema: audio; Owner: -
--

CREATE TABLE audio.claim_turns (
    batch_id uuid NOT NULL,
    claim_no bigint NOT NULL,
    claim_pos integer NOT NULL
);


--
-- Name: TABLE claim_turns; Type: COMMENT; Schema: audio; Owner: -
--

COMMENT ON TABLE audio.claim_turns IS 'Per live batch, the claim (number, position) that last handed out one of its messages: claims serve batches in turn.';


--
-- Name: concurrency_429s; Type: TABLE; Schema: audio; Owner: -
--

CREATE TABLE audio.concurrency_429s (
    id bigint NOT NULL,
    at timestamp with time zone DEFAULT now() NOT NULL,
    in_flight integer NOT NULL,
    limit_after integer NOT NULL
);


--
-- Name: TABLE concurrency_429s; Type: COMMENT; Schema: audio; Owner: -
--

COMMENT ON TABLE audio.concurrency_429s IS 'Concurrency 429s heard by the workers, with the requests in flight then; pruned after an hour.';


--
-- Name: concurrency_429s_id_seq; Type: SEQUENCE; Schema: audio; Owner: -
--

ALTER TABLE audio.concurrency_429s ALTER COLUMN id ADD GENERATED ALWAYS AS IDENTITY (
    SEQUENCE NAME audio.concurrency_429s_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);


--
-- Name: concurrency_limit; Type: TABLE; Schema: audio; Owner: -
--

CREATE TABLE audio.concurrency_limit (
    id boolean DEFAULT true NOT NULL,
    effective integer,
    ceiling integer DEFAULT 3 NOT NULL,
    pinned boolean DEFAULT false NOT NULL,
    limited_at timestamp with time zone,
    probed_at timestamp with time zone,
    changed_at timestamp with time zone,
    CONSTRAINT concurrency_limit_ceiling_check CHECK (((ceiling >= 1) AND (ceiling <= audio.max_concurrency()))),
    CONSTRAINT concurrency_limit_effective_check CHECK ((effective >= 1)),
    CONSTRAINT concurrency_limit_id_check CHECK (id)
);


--
-- Name: TABLE concurrency_limit; Type: COMMENT; Schema: audio; Owner: -
--

COMMENT ON TABLE audio.concurrency_limit IS 'One row: the concurrency limit learned from the provider''s 429s (null effective = at the ceiling).';


--
-- Name: config; Type: TABLE; Schema: audio; Owner: -
--

CREATE TABLE audio.config (
    key text NOT NULL,
    value text NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL
);


--
-- Name: dead_letters; Type: TABLE; Schema: audio; Owner: -
--

CREATE TABLE audio.dead_letters (
    msg_id bigint NOT NULL,
    message jsonb,
    reason text NOT NULL,
    archived_at timestamp with time zone DEFAULT now() NOT NULL
);


--
-- Name: TABLE dead_letters; Type: COMMENT; Schema: audio; Owner: -
--

COMMENT ON TABLE audio.dead_letters IS 'Why each poison message (naming no segment) was archived; the message itself is also in pgmq.a_audio_segments.';


--
-- Name: excused_reads; Type: TABLE; Schema: audio; Owner: -
--

CREATE TABLE audio.excused_reads (
    msg_id bigint NOT NULL,
    segment_id bigint NOT NULL,
    reads integer NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL
);


--
-- Name: TABLE excused_reads; Type: COMMENT; Schema: audio; Owner: -
--

COMMENT ON TABLE audio.excused_reads IS 'Deliveries of a queue message that ended through no fault of its segment (a wait, a hand-back); they do not count toward the delivery limit.';


--
-- Name: generated_audio; Type: TABLE; Schema: audio; Owner: -
--

CREATE TABLE audio.generated_audio (
    text_hash text NOT NULL,
    voice_id text NOT NULL,
    model_id text NOT NULL,
    format text NOT NULL,
    storage_path text NOT NULL,
    bytes integer NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL
);


--
-- Name: kick_requests; Type: TABLE; Schema: audio; Owner: -
--

CREATE TABLE audio.kick_requests (
    id bigint NOT NULL,
    reason text NOT NULL,
    queued_at timestamp with time zone DEFAULT now() NOT NULL
);


--
-- Name: TABLE kick_requests; Type: COMMENT; Schema: audio; Owner: -
--

COMMENT ON TABLE audio.kick_requests IS 'The pg_net request ids of audio.kick_worker''s kicks, the newest 50: audio.health reads their responses only.';


--
-- Name: permits; Type: TABLE; Schema: audio; Owner: -
--

CREATE TABLE audio.permits (
    slot smallint NOT NULL,
    holder text,
    segment_id bigint,
    acquired_at timestamp with time zone,
    expires_at timestamp with time zone,
    in_flight_at_take smallint,
    CONSTRAINT permits_slot_check CHECK (((slot >= 1) AND (slot <= audio.max_concurrency())))
);


--
-- Name: COLUMN permits.in_flight_at_take; Type: COMMENT; Schema: audio; Owner: -
--

COMMENT ON COLUMN audio.permits.in_flight_at_take IS 'The requests in flight, this one included, when the permit was taken (null while free).';


--
-- Name: provider_circuit; Type: TABLE; Schema: audio; Owner: -
--

CREATE TABLE audio.provider_circuit (
    id boolean DEFAULT true NOT NULL,
    state text DEFAULT 'closed'::text NOT NULL,
    reason text,
    provider_error text,
    opened_at timestamp with time zone,
    next_probe_at timestamp with time zone,
    probe_holder text,
    probe_segment_id bigint,
    probe_expires_at timestamp with time zone,
    closed_at timestamp with time zone,
    closed_by text,
    CONSTRAINT provider_circuit_id_check CHECK (id),
    CONSTRAINT provider_circuit_state_check CHECK ((state = ANY (ARRAY['closed'::text, 'open'::text, 'probing'::text])))
);


--
-- Name: TABLE provider_circuit; Type: COMMENT; Schema: audio; Owner: -
--

COMMENT ON TABLE audio.provider_circuit IS 'One row: whether provider work is stopped for an account error (open), probing, or flowing (closed).';


--
-- Name: pruned_batches; Type: TABLE; Schema: audio; Owner: -
--

CREATE TABLE audio.pruned_batches (
    batch_id uuid NOT NULL,
    pruned_at timestamp with time zone DEFAULT now() NOT NULL
);


--
-- Name: TABLE pruned_batches; Type: COMMENT; Schema: audio; Owner: -
--

COMMENT ON TABLE audio.pruned_batches IS 'Finished batches whose segment rows audio.prune_history deleted; their counters stay as history.';


--
-- Name: words; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.words (
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    word text NOT NULL,
    definition text DEFAULT ''::text NOT NULL,
    example_sentence text DEFAULT ''::text NOT NULL,
    grade smallint NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL
);


--
-- Name: segment_sources; Type: VIEW; Schema: audio; Owner: -
--

CREATE VIEW audio.segment_sources AS
 SELECT w.id AS word_id,
    w.grade,
    k.kind,
    k.text,
    audio.text_hash(k.text) AS text_hash
   FROM (public.words w
     CROSS JOIN LATERAL ( VALUES ('word'::text,w.word), ('definition'::text,w.definition), ('sentence'::text,w.example_sentence)) k(kind, text))
  WHERE (btrim(COALESCE(k.text, ''::text)) <> ''::text);


--
-- Name: VIEW segment_sources; Type: COMMENT; Schema: audio; Owner: -
--

COMMENT ON VIEW audio.segment_sources IS 'Every segment the app needs voiced: (word_id, grade, kind, text, text_hash). Edit this view to map another vocabulary table.';


--
-- Name: state_counts; Type: TABLE; Schema: audio; Owner: -
--

CREATE TABLE audio.state_counts (
    grade smallint NOT NULL,
    is_word boolean NOT NULL,
    pending text,
    pending_batch uuid,
    audio_voice text,
    audio_model text,
    audio_format text,
    audio_current boolean NOT NULL,
    has_audio boolean NOT NULL,
    failed boolean NOT NULL,
    n integer NOT NULL
);


--
-- Name: TABLE state_counts; Type: COMMENT; Schema: audio; Owner: -
--

COMMENT ON TABLE audio.state_counts IS 'Signed counts of segment_state rows by grade, kind = word and the state''s inputs; summed by audio.grade_summary.';


--
-- Name: workers; Type: TABLE; Schema: audio; Owner: -
--

CREATE TABLE audio.workers (
    holder text NOT NULL,
    started_at timestamp with time zone DEFAULT now() NOT NULL,
    heartbeat_at timestamp with time zone DEFAULT now() NOT NULL
);


--
-- Name: audio_segments; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.audio_segments (
    id bigint NOT NULL,
    batch_id uuid NOT NULL,
    word_id uuid NOT NULL,
    kind text NOT NULL,
    text text NOT NULL,
    text_hash text NOT NULL,
    voice_id text NOT NULL,
    model_id text NOT NULL,
    format text NOT NULL,
    status text DEFAULT 'queued'::text NOT NULL,
    attempts integer DEFAULT 0 NOT NULL,
    last_error text,
    storage_path text,
    bytes integer,
    provider_ms integer,
    rate_limited integer DEFAULT 0 NOT NULL,
    reused boolean DEFAULT false NOT NULL,
    msg_id bigint,
    upload_started_at timestamp with time zone,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    started_at timestamp with time zone,
    finished_at timestamp with time zone,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT audio_segments_kind_check CHECK ((kind = ANY (ARRAY['word'::text, 'definition'::text, 'sentence'::text]))),
    CONSTRAINT audio_segments_status_check CHECK ((status = ANY (ARRAY['queued'::text, 'generating'::text, 'done'::text, 'failed'::text, 'cancelled'::text])))
);


--
-- Name: audio_segments_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

ALTER TABLE public.audio_segments ALTER COLUMN id ADD GENERATED ALWAYS AS IDENTITY (
    SEQUENCE NAME public.audio_segments_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);


--
-- Name: word_audio; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.word_audio (
    word_id uuid NOT NULL,
    kind text NOT NULL,
    text_hash text NOT NULL,
    voice_id text NOT NULL,
    model_id text NOT NULL,
    format text NOT NULL,
    storage_path text NOT NULL,
    bytes integer NOT NULL,
    segment_id bigint,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    batch_id uuid,
    batch_created_at timestamp with time zone,
    CONSTRAINT word_audio_kind_check CHECK ((kind = ANY (ARRAY['word'::text, 'definition'::text, 'sentence'::text])))
);


--
-- Name: TABLE word_audio; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON TABLE public.word_audio IS 'The audio the app plays, one row per (word, kind). Missing = no row; stale = text_hash differs from the current text''s.';


--
-- Name: COLUMN word_audio.batch_created_at; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.word_audio.batch_created_at IS 'When the batch that wrote this row was created: a segment of an older batch never replaces the row.';


--
-- Name: batch_broadcasts batch_broadcasts_pkey; Type: CONSTRAINT; Schema: audio; Owner: -
--

ALTER TABLE ONLY audio.batch_broadcasts
    ADD CONSTRAINT batch_broadcasts_pkey PRIMARY KEY (batch_id);


--
-- Name: claim_turns claim_turns_pkey; Type: CONSTRAINT; Schema: audio; Owner: -
--

ALTER TABLE ONLY audio.claim_turns
    ADD CONSTRAINT claim_turns_pkey PRIMARY KEY (batch_id);


--
-- Name: concurrency_429s concurrency_429s_pkey; Type: CONSTRAINT; Schema: audio; Owner: -
--

ALTER TABLE ONLY audio.concurrency_429s
    ADD CONSTRAINT concurrency_429s_pkey PRIMARY KEY (id);


--
-- Name: concurrency_limit concurrency_limit_pkey; Type: CONSTRAINT; Schema: audio; Owner: -
--

ALTER TABLE ONLY audio.concurrency_limit
    ADD CONSTRAINT concurrency_limit_pkey PRIMARY KEY (id);


--
-- Name: config config_pkey; Type: CONSTRAINT; Schema: audio; Owner: -
--

ALTER TABLE ONLY audio.config
    ADD CONSTRAINT config_pkey PRIMARY KEY (key);


--
-- Name: dead_letters dead_letters_pkey; Type: CONSTRAINT; Schema: audio; Owner: -
--

ALTER TABLE ONLY audio.dead_letters
    ADD CONSTRAINT dead_letters_pkey PRIMARY KEY (msg_id);


--
-- Name: excused_reads excused_reads_pkey; Type: CONSTRAINT; Schema: audio; Owner: -
--

ALTER TABLE ONLY audio.excused_reads
    ADD CONSTRAINT excused_reads_pkey PRIMARY KEY (msg_id);


--
-- Name: generated_audio generated_audio_pkey; Type: CONSTRAINT; Schema: audio; Owner: -
--

ALTER TABLE ONLY audio.generated_audio
    ADD CONSTRAINT generated_audio_pkey PRIMARY KEY (text_hash, voice_id, model_id, format);


--
-- Name: kick_requests kick_requests_pkey; Type: CONSTRAINT; Schema: audio; Owner: -
--

ALTER TABLE ONLY audio.kick_requests
    ADD CONSTRAINT kick_requests_pkey PRIMARY KEY (id);


--
-- Name: permits permits_pkey; Type: CONSTRAINT; Schema: audio; Owner: -
--

ALTER TABLE ONLY audio.permits
    ADD CONSTRAINT permits_pkey PRIMARY KEY (slot);


--
-- Name: provider_circuit provider_circuit_pkey; Type: CONSTRAINT; Schema: audio; Owner: -
--

ALTER TABLE ONLY audio.provider_circuit
    ADD CONSTRAINT provider_circuit_pkey PRIMARY KEY (id);


--
-- Name: pruned_batches pruned_batches_pkey; Type: CONSTRAINT; Schema: audio; Owner: -
--

ALTER TABLE ONLY audio.pruned_batches
    ADD CONSTRAINT pruned_batches_pkey PRIMARY KEY (batch_id);


--
-- Name: segment_state segment_state_pkey; Type: CONSTRAINT; Schema: audio; Owner: -
--

ALTER TABLE ONLY audio.segment_state
    ADD CONSTRAINT segment_state_pkey PRIMARY KEY (word_id, kind);


--
-- Name: workers workers_pkey; Type: CONSTRAINT; Schema: audio; Owner: -
--

ALTER TABLE ONLY audio.workers
    ADD CONSTRAINT workers_pkey PRIMARY KEY (holder);


--
-- Name: audio_batches audio_batches_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.audio_batches
    ADD CONSTRAINT audio_batches_pkey PRIMARY KEY (id);


--
-- Name: audio_segments audio_segments_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.audio_segments
    ADD CONSTRAINT audio_segments_pkey PRIMARY KEY (id);


--
-- Name: word_audio word_audio_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.word_audio
    ADD CONSTRAINT word_audio_pkey PRIMARY KEY (word_id, kind);


--
-- Name: words words_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.words
    ADD CONSTRAINT words_pkey PRIMARY KEY (id);


--
-- Name: batch_broadcasts_dirty_idx; Type: INDEX; Schema: audio; Owner: -
--

CREATE INDEX batch_broadcasts_dirty_idx ON audio.batch_broadcasts USING btree (batch_id) WHERE dirty;


--
-- Name: concurrency_429s_at; Type: INDEX; Schema: audio; Owner: -
--

CREATE INDEX concurrency_429s_at ON audio.concurrency_429s USING btree (at);


--
-- Name: excused_reads_segment_id; Type: INDEX; Schema: audio; Owner: -
--

CREATE INDEX excused_reads_segment_id ON audio.excused_reads USING btree (segment_id);


--
-- Name: excused_reads_updated_at; Type: INDEX; Schema: audio; Owner: -
--

CREATE INDEX excused_reads_updated_at ON audio.excused_reads USING btree (updated_at);


--
-- Name: segment_state_failed_idx; Type: INDEX; Schema: audio; Owner: -
--

CREATE INDEX segment_state_failed_idx ON audio.segment_state USING btree (grade, word, word_id) WHERE ((audio_hash IS NULL) AND (finished_status = 'failed'::text));


--
-- Name: INDEX segment_state_failed_idx; Type: COMMENT; Schema: audio; Owner: -
--

COMMENT ON INDEX audio.segment_state_failed_idx IS 'Words pages filtered by state failed: the rows with no audio whose newest finished attempt failed.';


--
-- Name: segment_state_no_audio_idx; Type: INDEX; Schema: audio; Owner: -
--

CREATE INDEX segment_state_no_audio_idx ON audio.segment_state USING btree (grade, word, word_id) WHERE (audio_hash IS NULL);


--
-- Name: INDEX segment_state_no_audio_idx; Type: COMMENT; Schema: audio; Owner: -
--

COMMENT ON INDEX audio.segment_state_no_audio_idx IS 'Words pages filtered by state missing: the rows with no audio in any voice.';


--
-- Name: segment_state_page_idx; Type: INDEX; Schema: audio; Owner: -
--

CREATE INDEX segment_state_page_idx ON audio.segment_state USING btree (grade, word, word_id);

ALTER TABLE audio.segment_state CLUSTER ON segment_state_page_idx;


--
-- Name: audio_batches_created_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX audio_batches_created_idx ON public.audio_batches USING btree (created_at DESC);


--
-- Name: audio_batches_live_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX audio_batches_live_idx ON public.audio_batches USING btree (created_at) WHERE (status = ANY (ARRAY['queued'::text, 'running'::text]));


--
-- Name: INDEX audio_batches_live_idx; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON INDEX public.audio_batches_live_idx IS 'The batches whose segments claims hand out.';


--
-- Name: audio_segments_batch_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX audio_segments_batch_idx ON public.audio_segments USING btree (batch_id, id);


--
-- Name: audio_segments_content_generating_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX audio_segments_content_generating_idx ON public.audio_segments USING btree (text_hash, voice_id, model_id, format) WHERE (status = 'generating'::text);


--
-- Name: audio_segments_finished_batch_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX audio_segments_finished_batch_idx ON public.audio_segments USING btree (batch_id, status, id) WHERE (status = ANY (ARRAY['done'::text, 'failed'::text, 'cancelled'::text]));


--
-- Name: INDEX audio_segments_finished_batch_idx; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON INDEX public.audio_segments_finished_batch_idx IS 'A batch''s finished segments of one status in id order: the segments page filtered by done, failed or cancelled.';


--
-- Name: audio_segments_generating_batch_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX audio_segments_generating_batch_idx ON public.audio_segments USING btree (batch_id) WHERE (status = 'generating'::text);


--
-- Name: audio_segments_pending_batch_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX audio_segments_pending_batch_idx ON public.audio_segments USING btree (batch_id, id) WHERE (status = ANY (ARRAY['queued'::text, 'generating'::text]));


--
-- Name: INDEX audio_segments_pending_batch_idx; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON INDEX public.audio_segments_pending_batch_idx IS 'The head of each batch''s unfinished segments, in queue order: where a claim looks for a batch''s next messages.';


--
-- Name: audio_segments_word_kind_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX audio_segments_word_kind_idx ON public.audio_segments USING btree (word_id, kind, id);


--
-- Name: words_grade_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX words_grade_idx ON public.words USING btree (grade);


--
-- Name: workers audio_workers_flush_broadcasts; Type: TRIGGER; Schema: audio; Owner: -
--

CREATE CONSTRAINT TRIGGER audio_workers_flush_broadcasts AFTER INSERT OR UPDATE ON audio.workers DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION audio.flush_broadcasts_on_heartbeat();


--
-- Name: permits permits_notify_freed; Type: TRIGGER; Schema: audio; Owner: -
--

CREATE CONSTRAINT TRIGGER permits_notify_freed AFTER UPDATE OF holder ON audio.permits DEFERRABLE INITIALLY DEFERRED FOR EACH ROW WHEN (((old.holder IS NOT NULL) AND (new.holder IS NULL))) EXECUTE FUNCTION audio.notify_permit_freed();


--
-- Name: segment_state segment_state_counts_delete; Type: TRIGGER; Schema: audio; Owner: -
--

CREATE TRIGGER segment_state_counts_delete AFTER DELETE ON audio.segment_state REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION audio.count_state_deletes();


--
-- Name: segment_state segment_state_counts_insert; Type: TRIGGER; Schema: audio; Owner: -
--

CREATE TRIGGER segment_state_counts_insert AFTER INSERT ON audio.segment_state REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION audio.count_state_inserts();


--
-- Name: segment_state segment_state_counts_truncate; Type: TRIGGER; Schema: audio; Owner: -
--

CREATE TRIGGER segment_state_counts_truncate AFTER TRUNCATE ON audio.segment_state FOR EACH STATEMENT EXECUTE FUNCTION audio.count_state_truncate();


--
-- Name: segment_state segment_state_counts_update; Type: TRIGGER; Schema: audio; Owner: -
--

CREATE TRIGGER segment_state_counts_update AFTER UPDATE ON audio.segment_state REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION audio.count_state_updates();


--
-- Name: audio_batches audio_batches_advance_updated_at; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER audio_batches_advance_updated_at BEFORE UPDATE ON public.audio_batches FOR EACH ROW EXECUTE FUNCTION audio.advance_updated_at();


--
-- Name: audio_batches audio_batches_announce_cancel; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER audio_batches_announce_cancel AFTER UPDATE OF cancel_requested_at ON public.audio_batches FOR EACH ROW WHEN (((old.cancel_requested_at IS NULL) AND (new.cancel_requested_at IS NOT NULL))) EXECUTE FUNCTION audio.announce_cancel();


--
-- Name: audio_batches audio_batches_broadcast; Type: TRIGGER; Schema: public; Owner: -
--

CREATE CONSTRAINT TRIGGER audio_batches_broadcast AFTER INSERT OR UPDATE ON public.audio_batches DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION audio.broadcast_batch_change();


--
-- Name: audio_batches audio_batches_delete_segments; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER audio_batches_delete_segments AFTER DELETE ON public.audio_batches REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION audio.delete_referring_segments();


--
-- Name: audio_batches audio_batches_hold_segment_inserts; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER audio_batches_hold_segment_inserts BEFORE DELETE ON public.audio_batches FOR EACH STATEMENT EXECUTE FUNCTION audio.hold_segment_inserts();


--
-- Name: audio_batches audio_batches_keep_referenced_ids; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER audio_batches_keep_referenced_ids BEFORE UPDATE ON public.audio_batches FOR EACH ROW WHEN ((new.id IS DISTINCT FROM old.id)) EXECUTE FUNCTION audio.keep_referenced_ids();


--
-- Name: audio_batches audio_batches_refuse_truncate_under_segments; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER audio_batches_refuse_truncate_under_segments AFTER TRUNCATE ON public.audio_batches FOR EACH STATEMENT EXECUTE FUNCTION audio.refuse_truncate_under_segments();


--
-- Name: audio_segments audio_segments_advance_updated_at; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER audio_segments_advance_updated_at BEFORE UPDATE ON public.audio_segments FOR EACH ROW EXECUTE FUNCTION audio.advance_updated_at();


--
-- Name: audio_segments audio_segments_analyze_large_insert; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER audio_segments_analyze_large_insert AFTER INSERT ON public.audio_segments REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION audio.analyze_large_insert();


--
-- Name: audio_segments audio_segments_check_references; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER audio_segments_check_references AFTER INSERT ON public.audio_segments REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION audio.check_segment_references();


--
-- Name: audio_segments audio_segments_count_deletes; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER audio_segments_count_deletes AFTER DELETE ON public.audio_segments REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION audio.count_segment_deletes();


--
-- Name: audio_segments audio_segments_keep_references; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER audio_segments_keep_references BEFORE UPDATE ON public.audio_segments FOR EACH ROW WHEN (((new.word_id IS DISTINCT FROM old.word_id) OR (new.batch_id IS DISTINCT FROM old.batch_id))) EXECUTE FUNCTION audio.keep_segment_references();


--
-- Name: audio_segments audio_segments_sync_batch; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER audio_segments_sync_batch AFTER UPDATE ON public.audio_segments REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION audio.sync_batch_counters();


--
-- Name: audio_segments audio_segments_to_broadcast; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER audio_segments_to_broadcast AFTER UPDATE ON public.audio_segments REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION audio.collect_segment_changes();


--
-- Name: audio_segments audio_segments_track_state_delete; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER audio_segments_track_state_delete AFTER DELETE ON public.audio_segments REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION audio.track_segment_state_deletes();


--
-- Name: audio_segments audio_segments_track_state_insert; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER audio_segments_track_state_insert AFTER INSERT ON public.audio_segments REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION audio.track_segment_state();


--
-- Name: audio_segments audio_segments_track_state_update; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER audio_segments_track_state_update AFTER UPDATE ON public.audio_segments REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION audio.track_segment_state();


--
-- Name: word_audio word_audio_track_state_delete; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER word_audio_track_state_delete AFTER DELETE ON public.word_audio REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION audio.track_word_audio_deletes();


--
-- Name: word_audio word_audio_track_state_insert; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER word_audio_track_state_insert AFTER INSERT ON public.word_audio REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION audio.track_word_audio();


--
-- Name: word_audio word_audio_track_state_update; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER word_audio_track_state_update AFTER UPDATE ON public.word_audio REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION audio.track_word_audio();


--
-- Name: words words_delete_segments; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER words_delete_segments AFTER DELETE ON public.words REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION audio.delete_referring_segments();


--
-- Name: words words_hold_segment_inserts; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER words_hold_segment_inserts BEFORE DELETE ON public.words FOR EACH STATEMENT EXECUTE FUNCTION audio.hold_segment_inserts();


--
-- Name: words words_keep_referenced_ids; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER words_keep_referenced_ids BEFORE UPDATE ON public.words FOR EACH ROW WHEN ((new.id IS DISTINCT FROM old.id)) EXECUTE FUNCTION audio.keep_referenced_ids();


--
-- Name: words words_refuse_truncate_under_segments; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER words_refuse_truncate_under_segments AFTER TRUNCATE ON public.words FOR EACH STATEMENT EXECUTE FUNCTION audio.refuse_truncate_under_segments();


--
-- Name: words words_track_state_insert; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER words_track_state_insert AFTER INSERT ON public.words REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION audio.track_new_words();


--
-- Name: words words_track_state_update; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER words_track_state_update AFTER UPDATE ON public.words REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION audio.track_word_edits();


--
-- Name: batch_broadcasts batch_broadcasts_batch_id_fkey; Type: FK CONSTRAINT; Schema: audio; Owner: -
--

ALTER TABLE ONLY audio.batch_broadcasts
    ADD CONSTRAINT batch_broadcasts_batch_id_fkey FOREIGN KEY (batch_id) REFERENCES public.audio_batches(id) ON DELETE CASCADE;


--
-- Name: excused_reads excused_reads_segment_id_fkey; Type: FK CONSTRAINT; Schema: audio; Owner: -
--

ALTER TABLE ONLY audio.excused_reads
    ADD CONSTRAINT excused_reads_segment_id_fkey FOREIGN KEY (segment_id) REFERENCES public.audio_segments(id) ON DELETE CASCADE;


--
-- Name: pruned_batches pruned_batches_batch_id_fkey; Type: FK CONSTRAINT; Schema: audio; Owner: -
--

ALTER TABLE ONLY audio.pruned_batches
    ADD CONSTRAINT pruned_batches_batch_id_fkey FOREIGN KEY (batch_id) REFERENCES public.audio_batches(id) ON DELETE CASCADE;


--
-- Name: segment_state segment_state_word_id_fkey; Type: FK CONSTRAINT; Schema: audio; Owner: -
--

ALTER TABLE ONLY audio.segment_state
    ADD CONSTRAINT segment_state_word_id_fkey FOREIGN KEY (word_id) REFERENCES public.words(id) ON DELETE CASCADE;


--
-- Name: word_audio word_audio_word_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.word_audio
    ADD CONSTRAINT word_audio_word_id_fkey FOREIGN KEY (word_id) REFERENCES public.words(id) ON DELETE CASCADE;


--
-- Name: batch_broadcasts; Type: ROW SECURITY; Schema: audio; Owner: -
--

ALTER TABLE audio.batch_broadcasts ENABLE ROW LEVEL SECURITY;

--
-- Name: claim_turns; Type: ROW SECURITY; Schema: audio; Owner: -
--

ALTER TABLE audio.claim_turns ENABLE ROW LEVEL SECURITY;

--
-- Name: concurrency_429s; Type: ROW SECURITY; Schema: audio; Owner: -
--

ALTER TABLE audio.concurrency_429s ENABLE ROW LEVEL SECURITY;

--
-- Name: concurrency_limit; Type: ROW SECURITY; Schema: audio; Owner: -
--

ALTER TABLE audio.concurrency_limit ENABLE ROW LEVEL SECURITY;

--
-- Name: config; Type: ROW SECURITY; Schema: audio; Owner: -
--

ALTER TABLE audio.config ENABLE ROW LEVEL SECURITY;

--
-- Name: dead_letters; Type: ROW SECURITY; Schema: audio; Owner: -
--

ALTER TABLE audio.dead_letters ENABLE ROW LEVEL SECURITY;

--
-- Name: excused_reads; Type: ROW SECURITY; Schema: audio; Owner: -
--

ALTER TABLE audio.excused_reads ENABLE ROW LEVEL SECURITY;

--
-- Name: generated_audio; Type: ROW SECURITY; Schema: audio; Owner: -
--

ALTER TABLE audio.generated_audio ENABLE ROW LEVEL SECURITY;

--
-- Name: kick_requests; Type: ROW SECURITY; Schema: audio; Owner: -
--

ALTER TABLE audio.kick_requests ENABLE ROW LEVEL SECURITY;

--
-- Name: permits; Type: ROW SECURITY; Schema: audio; Owner: -
--

ALTER TABLE audio.permits ENABLE ROW LEVEL SECURITY;

--
-- Name: provider_circuit; Type: ROW SECURITY; Schema: audio; Owner: -
--

ALTER TABLE audio.provider_circuit ENABLE ROW LEVEL SECURITY;

--
-- Name: pruned_batches; Type: ROW SECURITY; Schema: audio; Owner: -
--

ALTER TABLE audio.pruned_batches ENABLE ROW LEVEL SECURITY;

--
-- Name: segment_state; Type: ROW SECURITY; Schema: audio; Owner: -
--

ALTER TABLE audio.segment_state ENABLE ROW LEVEL SECURITY;

--
-- Name: state_counts; Type: ROW SECURITY; Schema: audio; Owner: -
--

ALTER TABLE audio.state_counts ENABLE ROW LEVEL SECURITY;

--
-- Name: workers; Type: ROW SECURITY; Schema: audio; Owner: -
--

ALTER TABLE audio.workers ENABLE ROW LEVEL SECURITY;

--
-- Name: audio_batches admins read batches; Type: POLICY; Schema: public; Owner: -
--

CREATE POLICY "admins read batches" ON public.audio_batches FOR SELECT TO authenticated USING (( SELECT audio.is_admin() AS is_admin));


--
-- Name: audio_segments admins read segments; Type: POLICY; Schema: public; Owner: -
--

CREATE POLICY "admins read segments" ON public.audio_segments FOR SELECT TO authenticated USING (( SELECT audio.is_admin() AS is_admin));


--
-- Name: word_audio admins read word audio; Type: POLICY; Schema: public; Owner: -
--

CREATE POLICY "admins read word audio" ON public.word_audio FOR SELECT TO authenticated USING (( SELECT audio.is_admin() AS is_admin));


--
-- Name: words admins read words; Type: POLICY; Schema: public; Owner: -
--

CREATE POLICY "admins read words" ON public.words FOR SELECT TO authenticated USING (( SELECT audio.is_admin() AS is_admin));


--
-- Name: audio_batches; Type: ROW SECURITY; Schema: public; Owner: -
--

ALTER TABLE public.audio_batches ENABLE ROW LEVEL SECURITY;

--
-- Name: audio_segments; Type: ROW SECURITY; Schema: public; Owner: -
--

ALTER TABLE public.audio_segments ENABLE ROW LEVEL SECURITY;

--
-- Name: word_audio; Type: ROW SECURITY; Schema: public; Owner: -
--

ALTER TABLE public.word_audio ENABLE ROW LEVEL SECURITY;

--
-- Name: words; Type: ROW SECURITY; Schema: public; Owner: -
--

ALTER TABLE public.words ENABLE ROW LEVEL SECURITY;

--
-- Name: SCHEMA audio; Type: ACL; Schema: -; Owner: -
--

GRANT USAGE ON SCHEMA audio TO authenticated;
GRANT USAGE ON SCHEMA audio TO service_role;


--
-- Name: SCHEMA public; Type: ACL; Schema: -; Owner: -
--

GRANT USAGE ON SCHEMA public TO anon;
GRANT USAGE ON SCHEMA public TO authenticated;
GRANT USAGE ON SCHEMA public TO service_role;


--
-- Name: FUNCTION advance_updated_at(); Type: ACL; Schema: audio; Owner: -
--

REVOKE ALL ON FUNCTION audio.advance_updated_at() FROM PUBLIC;


--
-- Name: FUNCTION analyze_large_insert(); Type: ACL; Schema: audio; Owner: -
--

REVOKE ALL ON FUNCTION audio.analyze_large_insert() FROM PUBLIC;


--
-- Name: FUNCTION announce_cancel(); Type: ACL; Schema: audio; Owner: -
--

REVOKE ALL ON FUNCTION audio.announce_cancel() FROM PUBLIC;


--
-- Name: FUNCTION batch_counter_drift(); Type: ACL; Schema: audio; Owner: -
--

REVOKE ALL ON FUNCTION audio.batch_counter_drift() FROM PUBLIC;


--
-- Name: TABLE audio_batches; Type: ACL; Schema: public; Owner: -
--

GRANT ALL ON TABLE public.audio_batches TO service_role;
GRANT SELECT ON TABLE public.audio_batches TO authenticated;


--
-- Name: FUNCTION batch_list_row(p_batch public.audio_batches); Type: ACL; Schema: audio; Owner: -
--

REVOKE ALL ON FUNCTION audio.batch_list_row(p_batch public.audio_batches) FROM PUBLIC;


--
-- Name: FUNCTION batch_progress(p_batch public.audio_batches, p_seq bigint); Type: ACL; Schema: audio; Owner: -
--

REVOKE ALL ON FUNCTION audio.batch_progress(p_batch public.audio_batches, p_seq bigint) FROM PUBLIC;


--
-- Name: FUNCTION begin_attempt(p_segment_id bigint, p_msg_id bigint, p_holder text, p_limit integer, p_lease_s integer, p_vt_s integer, p_wait_s integer); Type: ACL; Schema: audio; Owner: -
--

REVOKE ALL ON FUNCTION audio.begin_attempt(p_segment_id bigint, p_msg_id bigint, p_holder text, p_limit integer, p_lease_s integer, p_vt_s integer, p_wait_s integer) FROM PUBLIC;


--
-- Name: FUNCTION begin_gated_attempt(p_segment_id bigint, p_msg_id bigint, p_holder text, p_limit integer, p_lease_s integer, p_vt_s integer); Type: ACL; Schema: audio; Owner: -
--

REVOKE ALL ON FUNCTION audio.begin_gated_attempt(p_segment_id bigint, p_msg_id bigint, p_holder text, p_limit integer, p_lease_s integer, p_vt_s integer) FROM PUBLIC;


--
-- Name: FUNCTION broadcast_batch(p_batch_id uuid); Type: ACL; Schema: audio; Owner: -
--

REVOKE ALL ON FUNCTION audio.broadcast_batch(p_batch_id uuid) FROM PUBLIC;


--
-- Name: FUNCTION broadcast_batch_change(); Type: ACL; Schema: audio; Owner: -
--

REVOKE ALL ON FUNCTION audio.broadcast_batch_change() FROM PUBLIC;


--
-- Name: FUNCTION broadcast_changes_cap(); Type: ACL; Schema: audio; Owner: -
--

REVOKE ALL ON FUNCTION audio.broadcast_changes_cap() FROM PUBLIC;


--
-- Name: FUNCTION broadcast_changes_max_bytes(); Type: ACL; Schema: audio; Owner: -
--

REVOKE ALL ON FUNCTION audio.broadcast_changes_max_bytes() FROM PUBLIC;


--
-- Name: FUNCTION broadcast_error(p_error text); Type: ACL; Schema: audio; Owner: -
--

REVOKE ALL ON FUNCTION audio.broadcast_error(p_error text) FROM PUBLIC;


--
-- Name: FUNCTION broadcast_error_chars(); Type: ACL; Schema: audio; Owner: -
--

REVOKE ALL ON FUNCTION audio.broadcast_error_chars() FROM PUBLIC;


--
-- Name: FUNCTION broadcast_interval(); Type: ACL; Schema: audio; Owner: -
--

REVOKE ALL ON FUNCTION audio.broadcast_interval() FROM PUBLIC;


--
-- Name: FUNCTION broadcast_paced_allowance(p_total integer, p_settled integer); Type: ACL; Schema: audio; Owner: -
--

REVOKE ALL ON FUNCTION audio.broadcast_paced_allowance(p_total integer, p_settled integer) FROM PUBLIC;


--
-- Name: FUNCTION cancel_batch(p_batch_id uuid); Type: ACL; Schema: audio; Owner: -
--

REVOKE ALL ON FUNCTION audio.cancel_batch(p_batch_id uuid) FROM PUBLIC;


--
-- Name: FUNCTION cancel_channel(); Type: ACL; Schema: audio; Owner: -
--

REVOKE ALL ON FUNCTION audio.cancel_channel() FROM PUBLIC;


--
-- Name: FUNCTION cancel_segments_step(p_batch_id uuid, p_limit integer, p_skip_locked boolean); Type: ACL; Schema: audio; Owner: -
--

REVOKE ALL ON FUNCTION audio.cancel_segments_step(p_batch_id uuid, p_limit integer, p_skip_locked boolean) FROM PUBLIC;


--
-- Name: FUNCTION cancel_step_size(); Type: ACL; Schema: audio; Owner: -
--

REVOKE ALL ON FUNCTION audio.cancel_step_size() FROM PUBLIC;


--
-- Name: FUNCTION cancelled_batches(p_batch_ids uuid[]); Type: ACL; Schema: audio; Owner: -
--

REVOKE ALL ON FUNCTION audio.cancelled_batches(p_batch_ids uuid[]) FROM PUBLIC;


--
-- Name: FUNCTION check_segment_references(); Type: ACL; Schema: audio; Owner: -
--

REVOKE ALL ON FUNCTION audio.check_segment_references() FROM PUBLIC;


--
-- Name: FUNCTION claim_gated(p_qty integer, p_vt_s integer, p_max_reads integer, p_holder text, p_probe_lease_s integer); Type: ACL; Schema: audio; Owner: -
--

REVOKE ALL ON FUNCTION audio.claim_gated(p_qty integer, p_vt_s integer, p_max_reads integer, p_holder text, p_probe_lease_s integer) FROM PUBLIC;


--
-- Name: FUNCTION default_max_reads(); Type: ACL; Schema: audio; Owner: -
--

REVOKE ALL ON FUNCTION audio.default_max_reads() FROM PUBLIC;


--
-- Name: FUNCTION claim_segments(p_qty integer, p_vt_s integer, p_max_reads integer, p_holder text); Type: ACL; Schema: audio; Owner: -
--

REVOKE ALL ON FUNCTION audio.claim_segments(p_qty integer, p_vt_s integer, p_max_reads integer, p_holder text) FROM PUBLIC;


--
-- Name: FUNCTION close_circuit(p_by text); Type: ACL; Schema: audio; Owner: -
--

REVOKE ALL ON FUNCTION audio.close_circuit(p_by text) FROM PUBLIC;


--
-- Name: FUNCTION collect_segment_changes(); Type: ACL; Schema: audio; Owner: -
--

REVOKE ALL ON FUNCTION audio.collect_segment_changes() FROM PUBLIC;


--
-- Name: FUNCTION compact_state_counts(); Type: ACL; Schema: audio; Owner: -
--

REVOKE ALL ON FUNCTION audio.compact_state_counts() FROM PUBLIC;


--
-- Name: FUNCTION complete_segment(p_segment_id bigint, p_msg_id bigint, p_storage_path text, p_bytes integer, p_reused boolean, p_provider_ms integer, p_rate_limited integer); Type: ACL; Schema: audio; Owner: -
--

REVOKE ALL ON FUNCTION audio.complete_segment(p_segment_id bigint, p_msg_id bigint, p_storage_path text, p_bytes integer, p_reused boolean, p_provider_ms integer, p_rate_limited integer) FROM PUBLIC;


--
-- Name: FUNCTION concurrency_limited(p_slot integer, p_holder text, p_segment_id bigint, p_ceiling integer, p_pinned boolean); Type: ACL; Schema: audio; Owner: -
--

REVOKE ALL ON FUNCTION audio.concurrency_limited(p_slot integer, p_holder text, p_segment_id bigint, p_ceiling integer, p_pinned boolean) FROM PUBLIC;


--
-- Name: FUNCTION concurrency_report(p_ceiling integer); Type: ACL; Schema: audio; Owner: -
--

REVOKE ALL ON FUNCTION audio.concurrency_report(p_ceiling integer) FROM PUBLIC;


--
-- Name: FUNCTION count_segment_deletes(); Type: ACL; Schema: audio; Owner: -
--

REVOKE ALL ON FUNCTION audio.count_segment_deletes() FROM PUBLIC;


--
-- Name: FUNCTION count_state_deletes(); Type: ACL; Schema: audio; Owner: -
--

REVOKE ALL ON FUNCTION audio.count_state_deletes() FROM PUBLIC;


--
-- Name: FUNCTION count_state_inserts(); Type: ACL; Schema: audio; Owner: -
--

REVOKE ALL ON FUNCTION audio.count_state_inserts() FROM PUBLIC;


--
-- Name: FUNCTION count_state_truncate(); Type: ACL; Schema: audio; Owner: -
--

REVOKE ALL ON FUNCTION audio.count_state_truncate() FROM PUBLIC;


--
-- Name: FUNCTION count_state_updates(); Type: ACL; Schema: audio; Owner: -
--

REVOKE ALL ON FUNCTION audio.count_state_updates() FROM PUBLIC;


--
-- Name: FUNCTION create_batch(p_word_ids uuid[], p_grade smallint, p_kinds text[], p_missing_only boolean, p_voice_id text, p_model_id text, p_format text, p_source text, p_requested_by uuid, p_set_defaults jsonb); Type: ACL; Schema: audio; Owner: -
--

REVOKE ALL ON FUNCTION audio.create_batch(p_word_ids uuid[], p_grade smallint, p_kinds text[], p_missing_only boolean, p_voice_id text, p_model_id text, p_format text, p_source text, p_requested_by uuid, p_set_defaults jsonb) FROM PUBLIC;


--
-- Name: FUNCTION current_text_hash(p_word_id uuid, p_kind text); Type: ACL; Schema: audio; Owner: -
--

REVOKE ALL ON FUNCTION audio.current_text_hash(p_word_id uuid, p_kind text) FROM PUBLIC;


--
-- Name: FUNCTION dead_letter(p_msg_id bigint, p_message jsonb, p_reason text); Type: ACL; Schema: audio; Owner: -
--

REVOKE ALL ON FUNCTION audio.dead_letter(p_msg_id bigint, p_message jsonb, p_reason text) FROM PUBLIC;


--
-- Name: FUNCTION delete_referring_segments(); Type: ACL; Schema: audio; Owner: -
--

REVOKE ALL ON FUNCTION audio.delete_referring_segments() FROM PUBLIC;


--
-- Name: FUNCTION end_and_begin(p_slot integer, p_holder text, p_segment_id bigint, p_will_upload boolean, p_next_segment_id bigint, p_next_msg_id bigint, p_limit integer, p_lease_s integer, p_vt_s integer); Type: ACL; Schema: audio; Owner: -
--

REVOKE ALL ON FUNCTION audio.end_and_begin(p_slot integer, p_holder text, p_segment_id bigint, p_will_upload boolean, p_next_segment_id bigint, p_next_msg_id bigint, p_limit integer, p_lease_s integer, p_vt_s integer) FROM PUBLIC;


--
-- Name: FUNCTION end_attempt(p_slot integer, p_holder text, p_segment_id bigint, p_will_upload boolean); Type: ACL; Schema: audio; Owner: -
--

REVOKE ALL ON FUNCTION audio.end_attempt(p_slot integer, p_holder text, p_segment_id bigint, p_will_upload boolean) FROM PUBLIC;


--
-- Name: FUNCTION enqueue_missing(p_grade smallint, p_kinds text[]); Type: ACL; Schema: audio; Owner: -
--

REVOKE ALL ON FUNCTION audio.enqueue_missing(p_grade smallint, p_kinds text[]) FROM PUBLIC;


--
-- Name: FUNCTION enqueue_segments(p_batch_id uuid, p_segment_ids bigint[]); Type: ACL; Schema: audio; Owner: -
--

REVOKE ALL ON FUNCTION audio.enqueue_segments(p_batch_id uuid, p_segment_ids bigint[]) FROM PUBLIC;


--
-- Name: FUNCTION estimate_batch(p_word_ids uuid[], p_grade smallint, p_kinds text[], p_missing_only boolean, p_voice_id text, p_model_id text, p_format text, p_ceiling integer, p_samples integer); Type: ACL; Schema: audio; Owner: -
--

REVOKE ALL ON FUNCTION audio.estimate_batch(p_word_ids uuid[], p_grade smallint, p_kinds text[], p_missing_only boolean, p_voice_id text, p_model_id text, p_format text, p_ceiling integer, p_samples integer) FROM PUBLIC;


--
-- Name: FUNCTION excuse_read(p_msg_id bigint, p_segment_id bigint); Type: ACL; Schema: audio; Owner: -
--

REVOKE ALL ON FUNCTION audio.excuse_read(p_msg_id bigint, p_segment_id bigint) FROM PUBLIC;


--
-- Name: FUNCTION extend_claims(p_msg_ids bigint[], p_vt_s integer); Type: ACL; Schema: audio; Owner: -
--

REVOKE ALL ON FUNCTION audio.extend_claims(p_msg_ids bigint[], p_vt_s integer) FROM PUBLIC;


--
-- Name: FUNCTION fail_segment(p_segment_id bigint, p_msg_id bigint, p_error text, p_rate_limited integer); Type: ACL; Schema: audio; Owner: -
--

REVOKE ALL ON FUNCTION audio.fail_segment(p_segment_id bigint, p_msg_id bigint, p_error text, p_rate_limited integer) FROM PUBLIC;


--
-- Name: PROCEDURE finish_cancels(IN p_max_steps integer); Type: ACL; Schema: audio; Owner: -
--

REVOKE ALL ON PROCEDURE audio.finish_cancels(IN p_max_steps integer) FROM PUBLIC;


--
-- Name: FUNCTION finish_cancels_step(); Type: ACL; Schema: audio; Owner: -
--

REVOKE ALL ON FUNCTION audio.finish_cancels_step() FROM PUBLIC;


--
-- Name: FUNCTION flush_broadcasts_on_heartbeat(); Type: ACL; Schema: audio; Owner: -
--

REVOKE ALL ON FUNCTION audio.flush_broadcasts_on_heartbeat() FROM PUBLIC;


--
-- Name: FUNCTION flush_due_broadcasts(); Type: ACL; Schema: audio; Owner: -
--

REVOKE ALL ON FUNCTION audio.flush_due_broadcasts() FROM PUBLIC;


--
-- Name: FUNCTION grade_summary(p_voice_id text, p_model_id text, p_format text); Type: ACL; Schema: audio; Owner: -
--

REVOKE ALL ON FUNCTION audio.grade_summary(p_voice_id text, p_model_id text, p_format text) FROM PUBLIC;


--
-- Name: FUNCTION guard_segment(p_segment_id bigint, p_msg_id bigint); Type: ACL; Schema: audio; Owner: -
--

REVOKE ALL ON FUNCTION audio.guard_segment(p_segment_id bigint, p_msg_id bigint) FROM PUBLIC;


--
-- Name: FUNCTION health(p_stalled_minutes integer, p_now timestamp with time zone); Type: ACL; Schema: audio; Owner: -
--

REVOKE ALL ON FUNCTION audio.health(p_stalled_minutes integer, p_now timestamp with time zone) FROM PUBLIC;
GRANT ALL ON FUNCTION audio.health(p_stalled_minutes integer, p_now timestamp with time zone) TO service_role;


--
-- Name: FUNCTION history_retention_days(); Type: ACL; Schema: audio; Owner: -
--

REVOKE ALL ON FUNCTION audio.history_retention_days() FROM PUBLIC;


--
-- Name: FUNCTION hold_for_circuit(p_msg_ids bigint[], p_delay_s integer); Type: ACL; Schema: audio; Owner: -
--

REVOKE ALL ON FUNCTION audio.hold_for_circuit(p_msg_ids bigint[], p_delay_s integer) FROM PUBLIC;


--
-- Name: FUNCTION hold_segment_inserts(); Type: ACL; Schema: audio; Owner: -
--

REVOKE ALL ON FUNCTION audio.hold_segment_inserts() FROM PUBLIC;


--
-- Name: FUNCTION is_admin(); Type: ACL; Schema: audio; Owner: -
--

REVOKE ALL ON FUNCTION audio.is_admin() FROM PUBLIC;
GRANT ALL ON FUNCTION audio.is_admin() TO service_role;
GRANT ALL ON FUNCTION audio.is_admin() TO authenticated;


--
-- Name: FUNCTION keep_referenced_ids(); Type: ACL; Schema: audio; Owner: -
--

REVOKE ALL ON FUNCTION audio.keep_referenced_ids() FROM PUBLIC;


--
-- Name: FUNCTION keep_segment_references(); Type: ACL; Schema: audio; Owner: -
--

REVOKE ALL ON FUNCTION audio.keep_segment_references() FROM PUBLIC;


--
-- Name: FUNCTION kick_timeout_ms(); Type: ACL; Schema: audio; Owner: -
--

REVOKE ALL ON FUNCTION audio.kick_timeout_ms() FROM PUBLIC;


--
-- Name: FUNCTION kick_worker(p_reason text); Type: ACL; Schema: audio; Owner: -
--

REVOKE ALL ON FUNCTION audio.kick_worker(p_reason text) FROM PUBLIC;


--
-- Name: FUNCTION latest_segment_changes(p_changes jsonb); Type: ACL; Schema: audio; Owner: -
--

REVOKE ALL ON FUNCTION audio.latest_segment_changes(p_changes jsonb) FROM PUBLIC;


--
-- Name: FUNCTION limit_tick(p_ceiling integer, p_quiet_s integer, p_pinned boolean); Type: ACL; Schema: audio; Owner: -
--

REVOKE ALL ON FUNCTION audio.limit_tick(p_ceiling integer, p_quiet_s integer, p_pinned boolean) FROM PUBLIC;


--
-- Name: FUNCTION max_concurrency(); Type: ACL; Schema: audio; Owner: -
--

REVOKE ALL ON FUNCTION audio.max_concurrency() FROM PUBLIC;


--
-- Name: FUNCTION message_segment_id(p_message jsonb); Type: ACL; Schema: audio; Owner: -
--

REVOKE ALL ON FUNCTION audio.message_segment_id(p_message jsonb) FROM PUBLIC;


--
-- Name: FUNCTION missing_segments(p_word_ids uuid[], p_grade smallint, p_kinds text[], p_missing_only boolean, p_voice_id text, p_model_id text, p_format text, p_keep_current_text boolean); Type: ACL; Schema: audio; Owner: -
--

REVOKE ALL ON FUNCTION audio.missing_segments(p_word_ids uuid[], p_grade smallint, p_kinds text[], p_missing_only boolean, p_voice_id text, p_model_id text, p_format text, p_keep_current_text boolean) FROM PUBLIC;


--
-- Name: FUNCTION next_in_turn(p_admin boolean, p_qty integer); Type: ACL; Schema: audio; Owner: -
--

REVOKE ALL ON FUNCTION audio.next_in_turn(p_admin boolean, p_qty integer) FROM PUBLIC;


--
-- Name: FUNCTION notify_permit_freed(); Type: ACL; Schema: audio; Owner: -
--

REVOKE ALL ON FUNCTION audio.notify_permit_freed() FROM PUBLIC;


--
-- Name: FUNCTION open_circuit(p_reason text, p_provider_error text, p_probe_after_s integer); Type: ACL; Schema: audio; Owner: -
--

REVOKE ALL ON FUNCTION audio.open_circuit(p_reason text, p_provider_error text, p_probe_after_s integer) FROM PUBLIC;


--
-- Name: FUNCTION permit_channel(); Type: ACL; Schema: audio; Owner: -
--

REVOKE ALL ON FUNCTION audio.permit_channel() FROM PUBLIC;


--
-- Name: FUNCTION permits_in_flight(); Type: ACL; Schema: audio; Owner: -
--

REVOKE ALL ON FUNCTION audio.permits_in_flight() FROM PUBLIC;


--
-- Name: FUNCTION pipeline_health(p_stalled_minutes integer, p_now timestamp with time zone); Type: ACL; Schema: audio; Owner: -
--

REVOKE ALL ON FUNCTION audio.pipeline_health(p_stalled_minutes integer, p_now timestamp with time zone) FROM PUBLIC;
GRANT ALL ON FUNCTION audio.pipeline_health(p_stalled_minutes integer, p_now timestamp with time zone) TO service_role;


--
-- Name: FUNCTION provider_circuit(); Type: ACL; Schema: audio; Owner: -
--

REVOKE ALL ON FUNCTION audio.provider_circuit() FROM PUBLIC;


--
-- Name: FUNCTION prune_excused_reads(); Type: ACL; Schema: audio; Owner: -
--

REVOKE ALL ON FUNCTION audio.prune_excused_reads() FROM PUBLIC;


--
-- Name: FUNCTION prune_history(p_now timestamp with time zone); Type: ACL; Schema: audio; Owner: -
--

REVOKE ALL ON FUNCTION audio.prune_history(p_now timestamp with time zone) FROM PUBLIC;


--
-- Name: FUNCTION queue_depth(); Type: ACL; Schema: audio; Owner: -
--

REVOKE ALL ON FUNCTION audio.queue_depth() FROM PUBLIC;


--
-- Name: FUNCTION read_in_turn(p_qty integer, p_vt_s integer); Type: ACL; Schema: audio; Owner: -
--

REVOKE ALL ON FUNCTION audio.read_in_turn(p_qty integer, p_vt_s integer) FROM PUBLIC;


--
-- Name: FUNCTION recent_kicks(p_limit integer); Type: ACL; Schema: audio; Owner: -
--

REVOKE ALL ON FUNCTION audio.recent_kicks(p_limit integer) FROM PUBLIC;


--
-- Name: FUNCTION record_claim_turns(p_batch_ids uuid[]); Type: ACL; Schema: audio; Owner: -
--

REVOKE ALL ON FUNCTION audio.record_claim_turns(p_batch_ids uuid[]) FROM PUBLIC;


--
-- Name: FUNCTION refresh_pending(p_word_ids uuid[], p_kinds text[]); Type: ACL; Schema: audio; Owner: -
--

REVOKE ALL ON FUNCTION audio.refresh_pending(p_word_ids uuid[], p_kinds text[]) FROM PUBLIC;


--
-- Name: FUNCTION refresh_segment_state(p_word_ids uuid[]); Type: ACL; Schema: audio; Owner: -
--

REVOKE ALL ON FUNCTION audio.refresh_segment_state(p_word_ids uuid[]) FROM PUBLIC;


--
-- Name: FUNCTION refuse_truncate_under_segments(); Type: ACL; Schema: audio; Owner: -
--

REVOKE ALL ON FUNCTION audio.refuse_truncate_under_segments() FROM PUBLIC;


--
-- Name: FUNCTION release_permit(p_slot integer, p_holder text); Type: ACL; Schema: audio; Owner: -
--

REVOKE ALL ON FUNCTION audio.release_permit(p_slot integer, p_holder text) FROM PUBLIC;


--
-- Name: FUNCTION retry_failed(p_batch_id uuid); Type: ACL; Schema: audio; Owner: -
--

REVOKE ALL ON FUNCTION audio.retry_failed(p_batch_id uuid) FROM PUBLIC;


--
-- Name: FUNCTION return_messages(p_msg_ids bigint[], p_delay_s integer, p_error text); Type: ACL; Schema: audio; Owner: -
--

REVOKE ALL ON FUNCTION audio.return_messages(p_msg_ids bigint[], p_delay_s integer, p_error text) FROM PUBLIC;


--
-- Name: FUNCTION segment_states(p_grade smallint, p_voice_id text, p_model_id text, p_format text); Type: ACL; Schema: audio; Owner: -
--

REVOKE ALL ON FUNCTION audio.segment_states(p_grade smallint, p_voice_id text, p_model_id text, p_format text) FROM PUBLIC;


--
-- Name: FUNCTION send_broadcast(p_topic text, p_event text, p_payload jsonb); Type: ACL; Schema: audio; Owner: -
--

REVOKE ALL ON FUNCTION audio.send_broadcast(p_topic text, p_event text, p_payload jsonb) FROM PUBLIC;


--
-- Name: FUNCTION set_setting(p_key text, p_value text); Type: ACL; Schema: audio; Owner: -
--

REVOKE ALL ON FUNCTION audio.set_setting(p_key text, p_value text) FROM PUBLIC;


--
-- Name: FUNCTION setting(p_key text); Type: ACL; Schema: audio; Owner: -
--

REVOKE ALL ON FUNCTION audio.setting(p_key text) FROM PUBLIC;


--
-- Name: FUNCTION settle_batch_status(p_batch_ids uuid[]); Type: ACL; Schema: audio; Owner: -
--

REVOKE ALL ON FUNCTION audio.settle_batch_status(p_batch_ids uuid[]) FROM PUBLIC;


--
-- Name: FUNCTION state_label(p_state audio.segment_state, p_live boolean, p_voice_id text, p_model_id text, p_format text); Type: ACL; Schema: audio; Owner: -
--

REVOKE ALL ON FUNCTION audio.state_label(p_state audio.segment_state, p_live boolean, p_voice_id text, p_model_id text, p_format text) FROM PUBLIC;


--
-- Name: FUNCTION store_defaults(p_defaults jsonb); Type: ACL; Schema: audio; Owner: -
--

REVOKE ALL ON FUNCTION audio.store_defaults(p_defaults jsonb) FROM PUBLIC;


--
-- Name: FUNCTION sync_batch_counters(); Type: ACL; Schema: audio; Owner: -
--

REVOKE ALL ON FUNCTION audio.sync_batch_counters() FROM PUBLIC;


--
-- Name: FUNCTION text_hash(p_text text); Type: ACL; Schema: audio; Owner: -
--

REVOKE ALL ON FUNCTION audio.text_hash(p_text text) FROM PUBLIC;


--
-- Name: FUNCTION track_new_words(); Type: ACL; Schema: audio; Owner: -
--

REVOKE ALL ON FUNCTION audio.track_new_words() FROM PUBLIC;


--
-- Name: FUNCTION track_segment_state(); Type: ACL; Schema: audio; Owner: -
--

REVOKE ALL ON FUNCTION audio.track_segment_state() FROM PUBLIC;


--
-- Name: FUNCTION track_segment_state_deletes(); Type: ACL; Schema: audio; Owner: -
--

REVOKE ALL ON FUNCTION audio.track_segment_state_deletes() FROM PUBLIC;


--
-- Name: FUNCTION track_word_audio(); Type: ACL; Schema: audio; Owner: -
--

REVOKE ALL ON FUNCTION audio.track_word_audio() FROM PUBLIC;


--
-- Name: FUNCTION track_word_audio_deletes(); Type: ACL; Schema: audio; Owner: -
--

REVOKE ALL ON FUNCTION audio.track_word_audio_deletes() FROM PUBLIC;


--
-- Name: FUNCTION track_word_edits(); Type: ACL; Schema: audio; Owner: -
--

REVOKE ALL ON FUNCTION audio.track_word_edits() FROM PUBLIC;


--
-- Name: FUNCTION unknown_word_positions(p_word_ids uuid[]); Type: ACL; Schema: audio; Owner: -
--

REVOKE ALL ON FUNCTION audio.unknown_word_positions(p_word_ids uuid[]) FROM PUBLIC;


--
-- Name: FUNCTION upsert_word_audio(p_segment_ids bigint[]); Type: ACL; Schema: audio; Owner: -
--

REVOKE ALL ON FUNCTION audio.upsert_word_audio(p_segment_ids bigint[]) FROM PUBLIC;


--
-- Name: FUNCTION work_channel(); Type: ACL; Schema: audio; Owner: -
--

REVOKE ALL ON FUNCTION audio.work_channel() FROM PUBLIC;


--
-- Name: FUNCTION worker_stale_s(); Type: ACL; Schema: audio; Owner: -
--

REVOKE ALL ON FUNCTION audio.worker_stale_s() FROM PUBLIC;


--
-- Name: FUNCTION worker_alive(p_within_s integer); Type: ACL; Schema: audio; Owner: -
--

REVOKE ALL ON FUNCTION audio.worker_alive(p_within_s integer) FROM PUBLIC;


--
-- Name: FUNCTION worker_heartbeat(p_holder text); Type: ACL; Schema: audio; Owner: -
--

REVOKE ALL ON FUNCTION audio.worker_heartbeat(p_holder text) FROM PUBLIC;


--
-- Name: FUNCTION worker_stopped(p_holder text); Type: ACL; Schema: audio; Owner: -
--

REVOKE ALL ON FUNCTION audio.worker_stopped(p_holder text) FROM PUBLIC;


--
-- Name: TABLE words; Type: ACL; Schema: public; Owner: -
--

GRANT SELECT,REFERENCES,TRIGGER ON TABLE public.words TO anon;
GRANT SELECT,REFERENCES,TRIGGER ON TABLE public.words TO authenticated;
GRANT ALL ON TABLE public.words TO service_role;


--
-- Name: TABLE audio_segments; Type: ACL; Schema: public; Owner: -
--

GRANT ALL ON TABLE public.audio_segments TO service_role;
GRANT SELECT ON TABLE public.audio_segments TO authenticated;


--
-- Name: SEQUENCE audio_segments_id_seq; Type: ACL; Schema: public; Owner: -
--

GRANT ALL ON SEQUENCE public.audio_segments_id_seq TO anon;
GRANT ALL ON SEQUENCE public.audio_segments_id_seq TO authenticated;
GRANT ALL ON SEQUENCE public.audio_segments_id_seq TO service_role;


--
-- Name: TABLE word_audio; Type: ACL; Schema: public; Owner: -
--

GRANT ALL ON TABLE public.word_audio TO service_role;
GRANT SELECT ON TABLE public.word_audio TO authenticated;


--
-- Name: DEFAULT PRIVILEGES FOR SEQUENCES; Type: DEFAULT ACL; Schema: public; Owner: -
--

ALTER DEFAULT PRIVILEGES FOR ROLE postgres IN SCHEMA public GRANT ALL ON SEQUENCES  TO anon;
ALTER DEFAULT PRIVILEGES FOR ROLE postgres IN SCHEMA public GRANT ALL ON SEQUENCES  TO authenticated;
ALTER DEFAULT PRIVILEGES FOR ROLE postgres IN SCHEMA public GRANT ALL ON SEQUENCES  TO service_role;


--
-- Name: DEFAULT PRIVILEGES FOR FUNCTIONS; Type: DEFAULT ACL; Schema: public; Owner: -
--

ALTER DEFAULT PRIVILEGES FOR ROLE postgres IN SCHEMA public GRANT ALL ON FUNCTIONS  TO anon;
ALTER DEFAULT PRIVILEGES FOR ROLE postgres IN SCHEMA public GRANT ALL ON FUNCTIONS  TO authenticated;
ALTER DEFAULT PRIVILEGES FOR ROLE postgres IN SCHEMA public GRANT ALL ON FUNCTIONS  TO service_role;


--
-- Name: DEFAULT PRIVILEGES FOR TABLES; Type: DEFAULT ACL; Schema: public; Owner: -
--

ALTER DEFAULT PRIVILEGES FOR ROLE postgres IN SCHEMA public GRANT ALL ON TABLES  TO anon;
ALTER DEFAULT PRIVILEGES FOR ROLE postgres IN SCHEMA public GRANT ALL ON TABLES  TO authenticated;
ALTER DEFAULT PRIVILEGES FOR ROLE postgres IN SCHEMA public GRANT ALL ON TABLES  TO service_role;


--
-- PostgreSQL database dump complete
--


--
-- Outside schemas audio and public: what the migrations add there
--

-- extension pg_cron (schema public)
-- extension pg_net (schema extensions)
-- extension pgmq (schema pgmq)
-- pgmq queue audio_segments
-- storage bucket word-audio (public: false)
-- cron job audio-queue-backfill: select audio.enqueue_missing(); select audio.kick_worker('backfill')
-- cron job audio-queue-compact-counts: select audio.compact_state_counts()
-- cron job audio-queue-finish-cancels: call audio.finish_cancels()
-- cron job audio-queue-prune-history: select audio.prune_history()
-- cron job audio-queue-watchdog: select audio.kick_worker('cron')
-- policy audio_admins_receive_batch_broadcasts on realtime.messages for SELECT to authenticated using ((extension = 'broadcast'::text) AND ( SELECT audio.is_admin() AS is_admin) AND ((( SELECT realtime.topic() AS topic) = 'batches'::text) OR (( SELECT realtime.topic() AS topic) ~~ 'batch:%'::text)))
