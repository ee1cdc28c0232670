-- The kicks audio.health reports are the watchdog's own, and a kick that timed out is reported as
-- timed out on the platform too.
--
-- 1. Its own kicks. audio.health read the newest responses in net._http_response as the kicks of
--    process-segments, but that table holds the answer to every pg_net request of the project:
--    Database Webhooks, other cron jobs, anything the app sends. On a project with a webhook
--    failing, the admin page warned that "the watchdog's last kick got HTTP 500". pg_net 0.19.5
--    records no URL beside a response, so audio.kick_worker now records the id of each request it
--    queues (audio.kick_requests, the newest 50 kept), and the health reads only the responses to
--    those.
-- 2. Timeouts as pg_net 0.19.5 records them. That version (the one local/pg_net models) never
--    sets net._http_response.timed_out: a failed request's row holds only its id and error_msg,
--    and for a curl timeout that message reads "Timeout of 5000 ms reached. Total time: ... ms
--    (DNS time: ..., TCP/SSL handshake time: ..., HTTP Request/Response time: ... ms)" (pg_net
--    src/errors.c; timed_out is set from 0.19.6 on). So on Supabase a kick process-segments did
--    not answer was reported as "failed: Timeout of 5000 ms reached..." instead of "timed out:
--    process-segments did not answer at the project_url setting". A response now counts as a
--    timeout when timed_out is true (pg_net 0.19.6 and later) or its error_msg is pg_net's timeout
--    message ("Timeout of N ms reached...", from 0.14 on) or libcurl's own ("Timeout was
--    reached", pg_net before 0.14).
--
-- audio.recent_kicks gives the newest responses to the watchdog's kicks, each with its timeout
-- read as above; audio.pipeline_health (the part of audio.health that reads the kicks) lists them
-- and counts the failures back from the newest. Everything else in it is as in
-- 20261201003500_health.sql (renamed to pipeline_health in 20261201004000); audio.health, its
-- comment and the grants are unchanged. audio.kick_worker is as in 20261201002300_kick_worker.sql
-- but for recording its request.

-- The requests audio.kick_worker queued (their pg_net request ids): what tells its responses in
-- net._http_response from those of the project's other pg_net requests.
create table audio.kick_requests (
  id bigint primary key,
  reason text not null,
  queued_at timestamptz not null default now()
);
alter table audio.kick_requests enable row level security;
comment on table audio.kick_requests is
  'The pg_net request ids of audio.kick_worker''s kicks, the newest 50: audio.health reads their responses only.';
revoke all on audio.kick_requests from public, anon, authenticated;

create or replace function audio.kick_worker(p_reason text default 'cron')
returns bigint
language plpgsql
security definer
set search_path = ''
as $$
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

-- audio.recent_kicks: the responses pg_net recorded to the newest kicks, newest first (at most
-- p_limit), each with timed_out as pg_net of any version records a timeout.
create function audio.recent_kicks(p_limit integer)
returns table (id bigint, status_code integer, error_msg text, created timestamptz, timed_out boolean)
language sql
stable
security definer
set search_path = ''
as $$
  select r.id, r.status_code, r.error_msg, r.created,
    coalesce(r.timed_out, false)
      or coalesce(r.error_msg ~ '^Timeout of \d+ ms reached' or r.error_msg = 'Timeout was reached', false)
  from net._http_response as r
  join audio.kick_requests as k on k.id = r.id
  order by r.created desc, r.id desc
  limit p_limit
$$;
comment on function audio.recent_kicks(integer) is
  'The newest responses to audio.kick_worker''s requests, newest first, with timed_out read as pg_net of any version records it.';
revoke all on function audio.recent_kicks(integer) from public, anon, authenticated;

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
