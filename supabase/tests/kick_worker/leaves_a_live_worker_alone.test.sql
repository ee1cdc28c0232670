-- audio.kick_worker with visible messages: no kick while a worker heartbeated within 30 s (it
-- claims them by itself), a kick once its heartbeat is stale or it said it stopped. Claims record
-- the heartbeat.
begin;
create extension if not exists pgtap with schema extensions;
set local search_path = public, extensions;
select plan(8);

delete from pgmq.q_audio_segments;
delete from audio.workers;
select audio.set_setting('project_url', 'http://127.0.0.1:54321');
select audio.set_setting('worker_secret', 'test-worker-secret');
select pgmq.send(queue_name => 'audio_segments', msg => '{"segment_id": -1}'::jsonb,
  delay => now() - interval '1 second');

select is(audio.worker_alive(30), false, 'no worker yet');
-- A claim by a named worker records its heartbeat (the orphan message is deleted on the way).
select is((select count(*)::int from audio.claim_segments(1, 30, 5, 'worker-a')), 0, 'the orphan message yields no segment');
select is(audio.worker_alive(30), true, 'the claim recorded worker-a');

select pgmq.send(queue_name => 'audio_segments', msg => '{"segment_id": -2}'::jsonb,
  delay => now() - interval '1 second');
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
