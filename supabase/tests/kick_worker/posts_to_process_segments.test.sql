-- audio.kick_worker: with a visible message, queues a pg_net POST to
-- <project_url>/functions/v1/process-segments carrying the worker secret, and returns its id.
begin;
\ir ../fixtures.psql
select plan(5);

select audio_test.clear_work();
select audio.set_setting('project_url', 'http://127.0.0.1:54321/');
select audio.set_setting('worker_secret', 'test-worker-secret');
-- A message that became visible before this transaction began.
select audio_test.send_message(-1);

create temporary table t_kick on commit drop as select audio.kick_worker('test') as request_id;

select isnt((select request_id from t_kick), null, 'returns the pg_net request id');
select results_eq(
  $$select method::text, url from net.http_request_queue where id = (select request_id from t_kick)$$,
  $$values ('POST', 'http://127.0.0.1:54321/functions/v1/process-segments')$$,
  'a POST to /functions/v1/process-segments (trailing slash of project_url handled)');
select ok(
  (select url like '%/functions/v1/process-segments' from net.http_request_queue where id = (select request_id from t_kick)),
  'the url ends in /functions/v1/process-segments');
select results_eq(
  $$select headers ->> 'x-worker-secret', headers ->> 'Content-Type' from net.http_request_queue where id = (select request_id from t_kick)$$,
  $$values ('test-worker-secret', 'application/json')$$,
  'headers carry x-worker-secret and a JSON content type');
select is(
  (select convert_from(body, 'UTF8')::jsonb ->> 'reason' from net.http_request_queue where id = (select request_id from t_kick)),
  'test', 'the body says why the worker was kicked');

select * from finish();
rollback;
