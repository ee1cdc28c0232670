-- audio.health: messages claimable for longer than audio.worker_stale_s() with no worker alive is
-- a problem; with a worker alive it is not, and each worker's last progress is listed.
begin;
\ir ../fixtures.psql
select plan(6);

select audio_test.clear_work();
delete from net._http_response;
select audio_test.add_word(1, 'harbor', 'A sheltered place for ships.', 'The boat rested in the harbor.');
select * from audio_test.create_batch(array[1]);

select is(audio.health(10, clock_timestamp())->'problems', '[]'::jsonb,
  'just queued: not yet a problem (the watchdog has had no time to start a worker)');
select is(audio.health(10, clock_timestamp() + interval '90 seconds')->'problems'->>0,
  '3 messages are waiting (the longest for 90 s) but no worker is alive',
  '90 s with no worker: a problem that says how many and how long');
select is((audio.health(10, clock_timestamp() + interval '90 seconds')->'queue'->>'visible')::int, 3,
  'the queue depth counts them');

select audio.worker_heartbeat('worker-a');
select is(audio.health(10, clock_timestamp() + interval '5 seconds')->'problems', '[]'::jsonb,
  'a worker alive: no problem');
select is(audio.health(10, clock_timestamp() + interval '5 seconds')->'workers'->'list'->0->>'holder', 'worker-a',
  'the worker is listed');
select is(audio.health(10, clock_timestamp() + interval '5 seconds')->'workers'->'alive', '1'::jsonb,
  'and counted alive');

select * from finish();
rollback;
