-- A kick that timed out is reported as timed out on the platform too. pg_net 0.19.5 (the version
-- local/pg_net models) never sets net._http_response.timed_out: a failed request's row holds
-- only its id and error_msg, and for a curl timeout that message reads
-- "Timeout of 5000 ms reached. Total time: ... ms (DNS time: ..., TCP/SSL handshake time: ...,
-- HTTP Request/Response time: ... ms)" (pg_net src/errors.c; timed_out is set from 0.19.6 on).
-- audio.health read only timed_out, so on Supabase a kick process-segments did not answer was
-- reported as "failed: Timeout of 5000 ms reached..." instead of "timed out: process-segments
-- did not answer at the project_url setting".
--
-- audio.pipeline_health (the part of audio.health that reads the kicks) now takes a response as a
-- timeout when timed_out is true (pg_net 0.19.6 and later) or its error_msg is pg_net's timeout
-- message: "Timeout of N ms reached..." (from 0.14 on; 0.19.6 and later write it beside
-- timed_out) or libcurl's own "Timeout was reached" (pg_net before 0.14). The kicks listed (their
-- timed_out) and the problem counted back from the newest kick both use it, so timeouts recorded
-- either way count as the same failure.
-- Everything else is as in 20261201003500_health.sql (renamed to pipeline_health in
-- 20261201004000); audio.health, its comment and the grants are unchanged.

create or replace function audio.pipeline_health(
  p_stalled_minutes integer default 10,
  p_now timestamptz default clock_timestamp()
)
returns jsonb
language plpgsql
stable
security definer
set search_path = ''
as $$
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
  -- enough for the page. A kick timed out when pg_net says so or its error is pg_net's (or
  -- libcurl's) timeout message: pg_net 0.19.5 leaves timed_out null.
  select coalesce(jsonb_agg(jsonb_build_object(
      'id', k.id, 'status_code', k.status_code, 'timed_out', k.timed_out,
      'error', k.error_msg, 'at', k.created) order by k.created desc, k.id desc), '[]'::jsonb)
  into v_kicks
  from (
    select r.id, r.status_code, r.error_msg, r.created,
      coalesce(r.timed_out, false)
        or coalesce(r.error_msg ~ '^Timeout of \d+ ms reached' or r.error_msg = 'Timeout was reached', false)
        as timed_out
    from net._http_response as r order by r.created desc, r.id desc limit 5
  ) as k;

  -- The newest kick, and how many kicks in a row (newest first) failed the same way.
  v_failed_kicks := 0;
  for v_row in
    select r.status_code, r.error_msg,
      coalesce(r.timed_out, false)
        or coalesce(r.error_msg ~ '^Timeout of \d+ ms reached' or r.error_msg = 'Timeout was reached', false)
        as timed_out
    from net._http_response as r order by r.created desc, r.id desc limit 5
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
