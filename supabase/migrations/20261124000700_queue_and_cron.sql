-- The function that kicks process-segments over HTTP, and the pg_cron jobs: the
-- watchdog (lost kicks, redelivered messages) and the nightly backfill.

-- audio.kick_worker: when messages are visible, POST to process-segments with the worker
-- secret through pg_net (asynchronous: returns the pg_net request id, or null when idle).
create or replace function audio.kick_worker(p_reason text default 'cron')
returns bigint
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_url text := audio.setting('project_url');
  v_secret text := audio.setting('worker_secret');
begin
  if not exists (select 1 from pgmq.q_audio_segments as q where q.vt <= clock_timestamp()) then
    return null;
  end if;
  if v_url is null or v_secret is null then
    raise exception 'audio.kick_worker: % is not set: store it in Vault as audio_queue_% (or select audio.set_setting(''%'', ''...''))',
      case when v_url is null then 'project_url' else 'worker_secret' end,
      case when v_url is null then 'project_url' else 'worker_secret' end,
      case when v_url is null then 'project_url' else 'worker_secret' end
      using errcode = '22023';
  end if;
  return net.http_post(
    url => rtrim(v_url, '/') || '/functions/v1/process-segments',
    body => jsonb_build_object('reason', p_reason),
    headers => jsonb_build_object('Content-Type', 'application/json', 'x-worker-secret', v_secret),
    timeout_milliseconds => 5000
  );
end;
$$;
comment on function audio.kick_worker(text) is
  'If the queue has visible messages, POST process-segments (pg_net) with the worker secret; returns the request id or null.';

-- Schedules that can be applied twice: unschedule by name, then schedule. pg_cron 1.5+ (as on
-- Supabase) takes second intervals; older versions (Debian's 1.4) fall back to every minute.
do $$
declare
  v_version integer[] := (
    select string_to_array(substring(e.extversion from '^[0-9]+(?:\.[0-9]+)*'), '.')::integer[]
    from pg_extension as e where e.extname = 'pg_cron'
  );
begin
  perform cron.unschedule(j.jobid) from cron.job as j
  where j.jobname in ('audio-queue-watchdog', 'audio-queue-backfill');

  perform cron.schedule(
    job_name => 'audio-queue-watchdog',
    schedule => case when v_version >= array[1, 5] then '10 seconds' else '* * * * *' end,
    command => $cmd$select audio.kick_worker('cron')$cmd$
  );
  perform cron.schedule(
    job_name => 'audio-queue-backfill',
    schedule => '17 3 * * *',
    command => $cmd$select audio.enqueue_missing(); select audio.kick_worker('backfill')$cmd$
  );
end $$;
