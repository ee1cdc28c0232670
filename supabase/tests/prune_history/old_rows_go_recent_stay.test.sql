-- audio.prune_history: cron run records, archived queue messages and dead-letter reasons older
-- than the retention (history_retention_days, default 30) are deleted; newer ones stay.
begin;
\ir ../fixtures.psql
select plan(8);

select audio_test.clear_work();
delete from cron.job_run_details;
delete from pgmq.a_audio_segments;
delete from audio.dead_letters;

insert into cron.job_run_details (jobid, command, status, start_time, end_time) values
  (1, 'select 1', 'succeeded', now() - interval '31 days', now() - interval '31 days'),
  (1, 'select 2', 'succeeded', now() - interval '29 days', now() - interval '29 days');
-- Two archived messages and two dead letters, one of each old.
create temporary table t_msgs on commit drop as
  select audio_test.send_message(n) as msg_id, n from generate_series(1, 2) as n;
select pgmq.archive(queue_name => 'audio_segments'::text, msg_id => msg_id) from t_msgs;
insert into audio.dead_letters (msg_id, message, reason, archived_at)
  select msg_id, '{}'::jsonb, 'test', now() - case n when 1 then interval '31 days' else interval '29 days' end from t_msgs;
update pgmq.a_audio_segments as a
set archived_at = now() - case t.n when 1 then interval '31 days' else interval '29 days' end
from t_msgs as t where t.msg_id = a.msg_id;

select results_eq('select cron_runs, archived_messages, dead_letters from audio.prune_history()', $$values (1, 1, 1)$$,
  'with the default retention (30 days), one row of each is older: deleted');
select results_eq('select command from cron.job_run_details', $$values ('select 2')$$,
  'the recent cron run stays');
select results_eq('select msg_id from pgmq.a_audio_segments', 'select msg_id from t_msgs where n = 2',
  'the recent archived message stays');
select results_eq('select msg_id from audio.dead_letters', 'select msg_id from t_msgs where n = 2',
  'the recent dead-letter reason stays');

-- A shorter retention from the setting takes the rest.
select audio.set_setting('history_retention_days', '7');
select is(audio.history_retention_days(), 7, 'the retention is the setting');
select results_eq('select cron_runs, archived_messages, dead_letters from audio.prune_history()', $$values (1, 1, 1)$$,
  'with 7 days, the 29-day-old rows go too');

-- A fake clock: as of 40 days ago nothing is old.
select audio.set_setting('history_retention_days', '30');
insert into cron.job_run_details (jobid, command, status, start_time) values (1, 'select 3', 'running', now() - interval '20 days');
select results_eq($$select cron_runs, archived_messages, dead_letters from audio.prune_history(now() - interval '40 days')$$, $$values (0, 0, 0)$$,
  'rows are judged against p_now');

select audio.set_setting('history_retention_days', 'a month');
select throws_ok('select audio.history_retention_days()', '22023', null,
  'a retention that is not a whole number of days is refused');

select * from finish();
rollback;
