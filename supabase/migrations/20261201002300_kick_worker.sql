-- How the database starts a worker: an HTTP call to process-segments through pg_net, made by the
-- pg_cron watchdog (and the nightly backfill) when messages wait and no worker is running.

-- audio.kick_worker: POST <project_url>/functions/v1/process-segments with the worker secret,
-- asynchronously (pg_net sends it after commit). Outcomes:
--   request id  a kick was queued: messages are visible and no worker heartbeated within
--               audio.worker_stale_s() seconds
--   null        nothing to do: no visible message (a message sent earlier in the same
--               transaction counts, as pgmq.read would hand it out), or a live worker will
--               claim them by itself
--   22023       work waits but project_url or worker_secret is not set (the message says where
--               to store it)
create function audio.kick_worker(p_reason text default 'cron')
returns bigint
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_url text := audio.setting('project_url');
  v_secret text := audio.setting('worker_secret');
  v_missing text;
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
  return net.http_post(
    url => (rtrim(v_url, '/') || '/functions/v1/process-segments')::text,
    body => jsonb_build_object('reason', p_reason),
    headers => jsonb_build_object('Content-Type', 'application/json', 'x-worker-secret', v_secret),
    timeout_milliseconds => audio.kick_timeout_ms()::integer
  );
end;
$$;
comment on function audio.kick_worker(text) is
  'If the queue has visible messages and no worker is alive, POST process-segments (pg_net) with the worker secret; returns the request id or null.';
