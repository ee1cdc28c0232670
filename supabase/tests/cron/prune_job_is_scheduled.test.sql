-- pg_cron: the nightly housekeeping job exists once, active, and prunes the history.
begin;
\ir ../fixtures.psql
select plan(2);

select is((select count(*)::integer from cron.job where jobname = 'audio-queue-prune-history'), 1,
  'the prune job exists once');
select results_eq(
  $$select schedule, command, active from cron.job where jobname = 'audio-queue-prune-history'$$,
  $$values ('41 3 * * *', 'select audio.prune_history()', true)$$,
  'it runs nightly and calls audio.prune_history()');

select * from finish();
rollback;
