-- audio.health: a kick that timed out is reported as timed out however pg_net recorded it. pg_net
-- 0.19.5 writes a failed request's row with only its id and error_msg (timed_out stays null; the
-- flag is set from 0.19.6 on), and a curl timeout's error_msg is "Timeout of N ms reached. ...".
begin;
\ir ../fixtures.psql
select plan(7);

select audio_test.clear_work();
delete from net._http_response;
delete from audio.kick_requests;

-- A good kick, then one that timed out as pg_net 0.19.5 records it: status, headers and the flag
-- all null, pg_net's timeout message (src/errors.c) as the error.
insert into net._http_response (id, status_code, timed_out, created) values
  (1, 202, false, now() - interval '30 seconds');
select audio_test.as_kicks();
insert into net._http_response (id, error_msg, created) values
  (2, 'Timeout of 5000 ms reached. Total time: 5001.216000 ms (DNS time: 0.041000 ms, TCP/SSL handshake time: 0.197000 ms, HTTP Request/Response time: 5000.887000 ms)',
   now() - interval '20 seconds');
select audio_test.as_kicks();

select is(audio.health()->'problems',
  jsonb_build_array('the watchdog''s last kick timed out: process-segments did not answer at the project_url setting'),
  'a timeout pg_net 0.19.5 recorded (timed_out null, its timeout message) is reported as a timeout');
select is(audio.health()->'kicks'->0->'timed_out', 'true'::jsonb,
  'the kick is listed as timed out');
select is(audio.health()->'kicks'->1->'timed_out', 'false'::jsonb,
  'the accepted kick is not');

-- Then one that timed out as pg_net 0.19.6 and later record it (the flag and the same message):
-- the same failure as the one before, so both are counted.
insert into net._http_response (id, timed_out, error_msg, created) values
  (3, true, 'Timeout of 5000 ms reached. Total time: 5000.902000 ms (DNS time: 0.038000 ms, TCP/SSL handshake time: 0.176000 ms, HTTP Request/Response time: 5000.650000 ms)',
   now() - interval '10 seconds');
select audio_test.as_kicks();
select is(audio.health()->'problems',
  jsonb_build_array('the watchdog''s last 2 kicks timed out: process-segments did not answer at the project_url setting'),
  'timeouts recorded with and without the flag are the same failure');

-- pg_net before 0.14 recorded libcurl's own message for a timeout.
insert into net._http_response (id, error_msg, created) values (4, 'Timeout was reached', now());
select audio_test.as_kicks();
select is(audio.health()->'problems',
  jsonb_build_array('the watchdog''s last 3 kicks timed out: process-segments did not answer at the project_url setting'),
  'libcurl''s "Timeout was reached" is a timeout too');

-- Any other failure recorded the 0.19.5 way (no flag, libcurl's message) is not a timeout: it is
-- reported in pg_net's words and counted on its own.
insert into net._http_response (id, error_msg, created) values
  (5, 'Couldn''t connect to server', now() + interval '1 second');
select audio_test.as_kicks();
select is(audio.health()->'problems',
  jsonb_build_array('the watchdog''s last kick failed: Couldn''t connect to server'),
  'a refused connection is a failure, not a timeout');
select is(audio.health()->'kicks'->0->'timed_out', 'false'::jsonb,
  'and is listed as not timed out');

select * from finish();
rollback;
