-- audio.health: the last kicks' HTTP results, and a problem in plain words when the newest ones
-- failed — for 401, that the worker secret in Vault differs from the function's.
begin;
\ir ../fixtures.psql
select plan(6);

select audio_test.clear_work();
delete from net._http_response;
delete from audio.kick_requests;
-- One good kick, then three refused with 401 (newest last).
insert into net._http_response (id, status_code, created) values
  (1, 202, now() - interval '40 seconds'),
  (2, 401, now() - interval '30 seconds'),
  (3, 401, now() - interval '20 seconds'),
  (4, 401, now() - interval '10 seconds');
select audio_test.as_kicks();

select is(jsonb_array_length(audio.health()->'kicks'), 4, 'every recorded kick is listed');
select is(audio.health()->'kicks'->0->'status_code', '401'::jsonb, 'newest first');
select is(audio.health()->'problems',
  jsonb_build_array('the watchdog''s last 3 kicks got HTTP 401: the worker secret in Vault (audio_queue_worker_secret) differs from the function''s AUDIO_WORKER_SECRET'),
  'three refused kicks in a row: one problem that names the cause');

-- A kick that timed out after them: counted on its own.
insert into net._http_response (id, status_code, timed_out, created) values (5, null, true, now());
select audio_test.as_kicks();
select is(audio.health()->'problems',
  jsonb_build_array('the watchdog''s last kick timed out: process-segments did not answer at the project_url setting'),
  'the newest failure decides, counted back while the failures are the same');

-- The secret was fixed: the newest kick was accepted, so nothing is wrong with the kicks.
insert into net._http_response (id, status_code, created) values (6, 202, now() + interval '1 second');
select audio_test.as_kicks();
select is(audio.health()->'problems', '[]'::jsonb, 'an accepted newest kick: no problem');
select is(jsonb_array_length(audio.health()->'kicks'), 5, 'at most 5 kicks are listed');

select * from finish();
rollback;
