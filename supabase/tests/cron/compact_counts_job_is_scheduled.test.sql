-- pg_cron: the job folding the grade summary's counts exists once, active, every minute.
begin;
\ir ../fixtures.psql
select plan(2);

select is((select count(*)::integer from cron.job where jobname = 'audio-queue-compact-counts'), 1,
  'the compaction job exists once');
select results_eq(
  $$select schedule, command, active from cron.job where jobname = 'audio-queue-compact-counts'$$,
  $$values ('* * * * *', 'select audio.compact_state_counts()', true)$$,
  'it runs every minute and calls audio.compact_state_counts()');

select * from finish();
rollback;
