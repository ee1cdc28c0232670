-- audio.kick_worker with visible messages: no kick while a worker heartbeated within 30 s (it
-- claims them by itself), a kick once its heartbeat is stale or it said it stopped. Claims record
-- the heartbeat.
begin;
\ir ../fixtures.psql
select plan(8);

select audio_test.clear_work();
delete from audio.workers;
select audio_test.store_kick_settings();
select audio_test.send_message(-1);

select is(audio.worker_alive(30), false, 'no worker yet');
-- A claim by a named worker records its heartbeat (the orphan message is deleted on the way).
select is((select count(*)::int from audio.claim_segments(1, 30, 5, 'worker-a')), 0, 'the orphan message yields no segment');
select is(audio.worker_alive(30), true, 'the claim recorded worker-a');

select audio_test.send_message(-2);
select is(audio.kick_worker('cron'), null, 'a live worker: no kick');

update audio.workers set heartbeat_at = clock_timestamp() - interval '31 seconds' where holder = 'worker-a';
select isnt(audio.kick_worker('cron'), null, 'a stale heartbeat: kick');

select audio.worker_heartbeat('worker-b');
select is(audio.kick_worker('cron'), null, 'worker-b heartbeated: no kick');
select audio.worker_stopped('worker-b');
select is((select count(*)::int from audio.workers where holder = 'worker-b'), 0, 'worker_stopped removes its row');
select isnt(audio.kick_worker('cron'), null, 'after the worker stopped: kick');

select * from finish();
rollback;
