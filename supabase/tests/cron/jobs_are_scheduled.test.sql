-- pg_cron: the watchdog (kick the worker when messages wait) and the nightly backfill are
-- scheduled once each, active, with the commands the design describes.
begin;
\ir ../fixtures.psql
select plan(5);

select is((select count(*)::integer from cron.job where jobname = 'audio-queue-watchdog'), 1,
  'the watchdog job exists once');
select is((select count(*)::integer from cron.job where jobname = 'audio-queue-backfill'), 1,
  'the backfill job exists once');

select results_eq(
  $$select command, active from cron.job where jobname = 'audio-queue-watchdog'$$,
  $$values ('select audio.kick_worker(''cron'')', true)$$,
  'the watchdog kicks the worker');
select ok(
  (select schedule in ('* * * * *', '10 seconds') from cron.job where jobname = 'audio-queue-watchdog'),
  'the watchdog runs every minute (or every 10 s where pg_cron supports seconds)');

select results_eq(
  $$select schedule, command like '%audio.enqueue_missing()%' and command like '%audio.kick_worker(''backfill'')%', active
    from cron.job where jobname = 'audio-queue-backfill'$$,
  $$values ('17 3 * * *', true, true)$$,
  'the backfill runs nightly, queues missing audio and kicks the worker');

select * from finish();
rollback;
