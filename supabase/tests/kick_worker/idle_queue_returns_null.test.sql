-- audio.kick_worker: with no visible message there is nothing to do: null, no HTTP request queued,
-- and the settings are not even needed.
begin;
\ir ../fixtures.psql
select plan(3);

select audio_test.clear_work();
delete from audio.config where key in ('project_url', 'worker_secret');
create temporary table t_requests on commit drop as select count(*) as n from net.http_request_queue;

select is(audio.kick_worker(), null, 'empty queue: null (and no error about missing settings)');

-- Only a hidden (claimed) message: still nothing for a new worker to do.
select audio_test.send_message(-1, now() + interval '5 minutes');
select is(audio.kick_worker('cron'), null, 'only invisible messages: null');

select is((select count(*) from net.http_request_queue), (select n from t_requests), 'no HTTP request was queued');

select * from finish();
rollback;
