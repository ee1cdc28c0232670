-- audio.health reads the answers to the watchdog's own kicks only: net._http_response also holds
-- the project's other pg_net requests (Database Webhooks, other jobs), whose failures are not the
-- worker's. audio.kick_worker records each request it queues, and keeps the newest 50.
begin;
\ir ../fixtures.psql
select plan(5);

select audio_test.clear_work();
delete from audio.workers;
delete from net._http_response;
delete from audio.kick_requests;
select audio_test.store_kick_settings();
select audio_test.send_message(-1);

-- A kick, answered 202; then a webhook of the app's, failing with 500, and another request of the
-- app's that timed out, both newer.
create temporary table t_kick on commit drop as select audio.kick_worker('cron') as id;
insert into net._http_response (id, status_code, created)
  select k.id, 202, now() - interval '20 seconds' from t_kick as k;
insert into net._http_response (id, status_code, created) values
  ((select k.id + 1000 from t_kick as k), 500, now() - interval '10 seconds');
insert into net._http_response (id, error_msg, created) values
  ((select k.id + 1001 from t_kick as k), 'Timeout of 5000 ms reached. Total time: 5000.1 ms', now());

select is(audio.health()->'problems', '[]'::jsonb,
  'other requests'' failures are not reported as the watchdog''s');
select is((select jsonb_agg(k->'id') from jsonb_array_elements(audio.health()->'kicks') as k),
  (select jsonb_build_array(k.id) from t_kick as k),
  'only the kick is listed');

-- The kick's own failure is.
insert into net._http_response (id, status_code, created)
  select audio.kick_worker('cron'), 401, now() + interval '1 second';
select is(audio.health()->'problems',
  jsonb_build_array('the watchdog''s last kick got HTTP 401: the worker secret in Vault (audio_queue_worker_secret) differs from the function''s AUDIO_WORKER_SECRET'),
  'a failed kick is reported');

-- 60 more kicks: the newest 50 are kept.
select audio.kick_worker('cron') from generate_series(1, 60);
select is((select count(*)::int from audio.kick_requests), 50, 'the newest 50 kick requests are kept');
select is((select max(k.id) from audio.kick_requests as k),
  (select max(q.id) from net.http_request_queue as q), 'the newest is among them');

select * from finish();
rollback;
