-- The limits the SQL shares with the TypeScript config: their values, and that the SQL which
-- depends on each one uses the function rather than a copy of the number.
begin;
\ir ../fixtures.psql
select plan(10);

select results_eq(
  $$select audio.max_concurrency(), audio.worker_stale_s(), audio.default_max_reads(), audio.kick_timeout_ms(),
    audio.work_channel()$$,
  $$values (20, 30, 5, 5000, 'audio_queue_work')$$,
  'max_concurrency 20, worker_stale_s 30, default_max_reads 5, kick_timeout_ms 5000, work_channel audio_queue_work');

select results_eq('select min(slot)::integer, max(slot)::integer, count(*)::integer from audio.permits',
  'select 1, audio.max_concurrency(), audio.max_concurrency()',
  'one permit slot per unit of max_concurrency');
select throws_ok('insert into audio.permits (slot) values (audio.max_concurrency() + 1)', '23514', null,
  'no slot above max_concurrency can be added');

select throws_ok(
  $$select * from audio.begin_attempt(-1, -1, 'worker-a', audio.max_concurrency() + 1, 60, 600)$$,
  '22023', 'audio.begin_attempt: limit 21 is outside 1..20', 'begin_attempt refuses a limit above max_concurrency');

select matches(pg_get_function_arguments('audio.claim_segments(integer, integer, integer, text)'::regprocedure),
  'p_max_reads integer DEFAULT audio\.default_max_reads\(\)', 'claim_segments'' default is default_max_reads()');
select matches(pg_get_function_arguments('audio.worker_alive(integer)'::regprocedure),
  'DEFAULT audio\.worker_stale_s\(\)', 'worker_alive''s default is worker_stale_s()');

-- A worker whose heartbeat is just inside / just past worker_stale_s.
select audio_test.clear_work();
select audio_test.store_kick_settings();
select audio_test.send_message(-1);
insert into audio.workers (holder, heartbeat_at)
values ('worker-a', clock_timestamp() - make_interval(secs => audio.worker_stale_s() - 2));
select is(audio.kick_worker('cron'), null, 'kick_worker: a heartbeat younger than worker_stale_s keeps it quiet');
update audio.workers set heartbeat_at = clock_timestamp() - make_interval(secs => audio.worker_stale_s() + 1);
create temporary table t_kick on commit drop as select audio.kick_worker('cron') as id;
select isnt((select id from t_kick), null, 'and an older one does not');
select is((select timeout_milliseconds from net.http_request_queue where id = (select id from t_kick)),
  audio.kick_timeout_ms(), 'the kick''s HTTP timeout is kick_timeout_ms');

select matches(pg_get_functiondef('audio.enqueue_segments(uuid, bigint[])'::regprocedure),
  'pg_notify\(audio\.work_channel\(\)', 'queueing notifies on work_channel()');

select * from finish();
rollback;
