-- A cancel in steps. Updating a segment row costs its index entries and the per-row trigger
-- whatever the statement, so cancelling 300,000 segments in the call itself took 14 s on a busy
-- two-core machine. Now the call marks the batch (cancel_requested_at: from that commit no
-- claim, begin or completion of the batch goes ahead, and the reads no longer count it as
-- pending), cancels its first step of segments, and answers; the rest is cancelled in steps of
-- their own transactions by audio.finish_cancels, which pg_cron runs with the watchdog's period.
-- Each step is an ordinary update, so the counters, segment_state and the broadcasts follow it as
-- they follow any segment change, and the batch turns cancelled with the step that ends it.

-- audio.cancel_step_size: segments one step cancels. 10,000 take about half a second on a busy
-- two-core machine (the index entries and the per-row trigger of each row): short enough that a
-- step holds the batch's row for well under the 1 s another worker may wait, large enough that
-- a batch of the size the page usually starts (a grade: a few thousand segments) is cancelled in
-- the call itself.
create function audio.cancel_step_size()
returns integer
language sql
immutable
set search_path = ''
as $$
  select 10000
$$;
comment on function audio.cancel_step_size() is
  'Segments one cancel step updates (audio.cancel_batch''s own step, each of audio.finish_cancels''s).';

-- audio.cancel_segments_step: cancel up to p_limit of a cancel-requested batch's queued or
-- generating segments (not those whose upload started: their worker finishes them), oldest
-- first, and delete their messages in one call. p_skip_locked: pass over segments a worker holds
-- at this moment (the background steps never wait for a worker: the next step takes them) rather
-- than wait for them (the cancel itself, which must leave its first step done). Locks the segment
-- rows, then (through the counter trigger) the batch's row: the order every writer keeps.
-- The batch is named by a range and the order includes batch_id (as in audio.next_in_turn), so
-- only audio_segments_pending_batch_idx gives this order: with = and `order by id` the planner
-- may walk the primary key filtering on batch_id, through every row of the history before the
-- batch (1.2 million at catalog size, random reads: the cancel ran for minutes).
-- Returns the segments cancelled.
create function audio.cancel_segments_step(p_batch_id uuid, p_limit integer, p_skip_locked boolean)
returns integer
language plpgsql
security definer
set search_path = ''
as $$
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
comment on function audio.cancel_segments_step(uuid, integer, boolean) is
  'One cancel step: up to p_limit unfinished segments of a cancel-requested batch cancelled, their messages deleted.';

-- audio.cancel_batch: outcomes as before, except that a batch with more unfinished segments than
-- one step answers 'cancelling' and audio.finish_cancels cancels the rest (the batch is already
-- out of every claim, begin and pending count from this commit).
create or replace function audio.cancel_batch(p_batch_id uuid)
returns text
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_status text;
  v_word_ids uuid[];
  v_kinds text[];
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

  -- The cancelled segments keep their keys' pending pointers (segment_state counts a pointer only
  -- while its batch is not being cancelled); a key another live batch also holds points at that
  -- batch's segment instead. Found in two steps: the keys of the other live batches' unfinished
  -- segments, then those of them whose pointer is this batch's. As one join, a plan made before
  -- the statistics knew the batches just queued (one state row of this batch expected, 300,000
  -- found) compared every state row with every key: minutes.
  select array_agg(p.word_id), array_agg(p.kind) into v_word_ids, v_kinds
  from public.audio_batches as b
  join public.audio_segments as p on p.batch_id = b.id and p.status in ('queued', 'generating')
  where b.status in ('queued', 'running') and b.cancel_requested_at is null and b.id <> p_batch_id;
  if v_word_ids is not null then
    -- Each key's state row through its primary key (a lateral with a limit is never turned
    -- around): a join let a plan expecting one state row of this new batch scan every state row
    -- against every key.
    perform audio.refresh_pending(array_agg(k.word_id), array_agg(k.kind))
    from unnest(v_word_ids, v_kinds) as k (word_id, kind)
    cross join lateral (
      select st.pending_batch from audio.segment_state as st
      where st.word_id = k.word_id and st.kind = k.kind
      limit 1
    ) as st
    where st.pending_batch = p_batch_id;
  end if;

  -- Nothing was left to cancel (e.g. every segment had already finished): settle the status.
  update public.audio_batches as b set
    status = case when b.done + b.failed + b.cancelled >= b.total then 'cancelled' else b.status end,
    finished_at = case when b.done + b.failed + b.cancelled >= b.total then coalesce(b.finished_at, now()) end
  where b.id = p_batch_id;

  select b.status into v_status from public.audio_batches as b where b.id = p_batch_id;
  return v_status;
end;
$$;

-- audio.finish_cancels_step: one step of the oldest cancelling batch that has segments left to
-- cancel (segments a worker holds right now are passed over, not waited for). Returns the
-- segments cancelled: 0 when no cancelling batch has any left that are free.
create function audio.finish_cancels_step()
returns integer
language plpgsql
security definer
set search_path = ''
as $$
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
comment on function audio.finish_cancels_step() is
  'One step of the oldest cancelling batch with segments left: up to cancel_step_size() cancelled. Returns how many.';

-- audio.finish_cancels: steps until no cancelling batch has a free segment left, each step its
-- own transaction (so a step holds a batch's row only for its own moment). A procedure, since it
-- commits between steps: call it at the top level (`call audio.finish_cancels()`), as pg_cron
-- does. Bounded: at most p_max_steps steps a call (the next call goes on). No search_path clause:
-- a procedure with one may not commit; every name in it is schema-qualified instead.
create procedure audio.finish_cancels(p_max_steps integer default 1000)
language plpgsql
as $$
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
comment on procedure audio.finish_cancels(integer) is
  'Cancel what audio.cancel_batch left, a step (its own transaction) at a time; pg_cron calls it.';

-- The job, with the watchdog's period (the same version test as the cron_jobs migration).
do $$
declare
  v_version integer[] := (
    select string_to_array(substring(e.extversion from '^[0-9]+(?:\.[0-9]+)*'), '.')::integer[]
    from pg_extension as e where e.extname = 'pg_cron'
  );
begin
  if exists (select 1 from cron.job as j where j.jobname = 'audio-queue-finish-cancels') then
    perform cron.unschedule(job_name => 'audio-queue-finish-cancels'::name);
  end if;
  perform cron.schedule(
    job_name => 'audio-queue-finish-cancels'::text,
    schedule => (case when v_version >= array[1, 5] then '10 seconds' else '* * * * *' end)::text,
    command => $cmd$call audio.finish_cancels()$cmd$::text
  );
end $$;

revoke all on function audio.cancel_step_size() from public, anon, authenticated;
revoke all on function audio.cancel_segments_step(uuid, integer, boolean) from public, anon, authenticated;
revoke all on function audio.cancel_batch(uuid) from public, anon, authenticated;
revoke all on function audio.finish_cancels_step() from public, anon, authenticated;
revoke all on procedure audio.finish_cancels(integer) from public, anon, authenticated;
