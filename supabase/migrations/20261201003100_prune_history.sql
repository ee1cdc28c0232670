-- Housekeeping: pg_cron keeps a row per job run (the watchdog alone adds 8,640 a day at a 10 s
-- schedule) and the pgmq archive keeps every dead letter; neither is ever emptied by itself. A
-- nightly job deletes what is older than a retention (setting history_retention_days).

-- audio.history_retention_days: how long run history and dead letters are kept, in days: the
-- setting history_retention_days (audio.setting: Vault or audio.config), else 30 (a month is
-- long enough to look into a failed night, short enough that the tables stay small). A value
-- that is not a whole number of at least 1 is an error (22023) naming the setting.
create function audio.history_retention_days()
returns integer
language plpgsql
stable
security definer
set search_path = ''
as $$
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
$$;
comment on function audio.history_retention_days() is
  'Days of cron run history and queue archive kept: setting history_retention_days, default 30.';

-- audio.prune_history: delete pg_cron run records (cron.job_run_details, by start_time), archived
-- queue messages (pgmq.a_audio_segments, by archived_at) and their dead-letter reasons
-- (audio.dead_letters) older than the retention before p_now. Returns how many rows of each went.
create function audio.prune_history(p_now timestamptz default now())
returns table (cron_runs integer, archived_messages integer, dead_letters integer)
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_cutoff timestamptz := p_now - make_interval(days => audio.history_retention_days());
begin
  delete from cron.job_run_details as r where r.start_time < v_cutoff;
  get diagnostics cron_runs = row_count;
  delete from pgmq.a_audio_segments as a where a.archived_at < v_cutoff;
  get diagnostics archived_messages = row_count;
  delete from audio.dead_letters as d where d.archived_at < v_cutoff;
  get diagnostics dead_letters = row_count;
  return next;
end;
$$;
comment on function audio.prune_history(timestamptz) is
  'Delete cron run records, archived queue messages and dead-letter reasons older than the retention; returns the counts.';

-- The nightly job. Can run twice: unscheduled by name, then scheduled. 03:41 UTC: at night, after
-- the backfill (03:17), and off the full hour when other scheduled jobs tend to run.
do $$
begin
  if exists (select 1 from cron.job as j where j.jobname = 'audio-queue-prune-history') then
    perform cron.unschedule(job_name => 'audio-queue-prune-history'::name);
  end if;
  perform cron.schedule(
    job_name => 'audio-queue-prune-history'::text,
    schedule => '41 3 * * *'::text,
    command => $cmd$select audio.prune_history()$cmd$::text
  );
end $$;
