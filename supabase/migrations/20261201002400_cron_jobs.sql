-- The pg_cron jobs: the watchdog (kicks lost, messages redelivered after a worker died) and the
-- nightly backfill. Can run twice: each job is unscheduled by name, then scheduled.
-- pg_cron 1.5+ (Supabase ships 1.6) takes second intervals; older versions (Debian's 1.4) run the
-- watchdog every minute instead.

do $$
declare
  v_version integer[] := (
    select string_to_array(substring(e.extversion from '^[0-9]+(?:\.[0-9]+)*'), '.')::integer[]
    from pg_extension as e where e.extname = 'pg_cron'
  );
  v_job text;
begin
  foreach v_job in array array['audio-queue-watchdog', 'audio-queue-backfill'] loop
    if exists (select 1 from cron.job as j where j.jobname = v_job) then
      perform cron.unschedule(job_name => v_job::name);
    end if;
  end loop;

  perform cron.schedule(
    job_name => 'audio-queue-watchdog'::text,
    schedule => (case when v_version >= array[1, 5] then '10 seconds' else '* * * * *' end)::text,
    command => $cmd$select audio.kick_worker('cron')$cmd$::text
  );
  -- 03:17 UTC: at night, and off the full hour, when other scheduled jobs tend to run.
  perform cron.schedule(
    job_name => 'audio-queue-backfill'::text,
    schedule => '17 3 * * *'::text,
    command => $cmd$select audio.enqueue_missing(); select audio.kick_worker('backfill')$cmd$::text
  );
end $$;
