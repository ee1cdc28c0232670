-- audio.health names the provider circuit: while it is open its reason is the first problem,
-- with when the next probe is due; once it closes the problem is gone.
begin;
\ir ../fixtures.psql
select plan(6);

select audio_test.clear_work();
delete from net._http_response;
update public.audio_batches set status = 'completed' where status in ('queued', 'running');
select audio.close_circuit('test');

select is(audio.health(p_now => now())->'provider'->>'state', 'closed', 'a closed circuit is reported');
select is(audio.health(p_now => now())->'problems', '[]'::jsonb, 'and is no problem');

select audio.open_circuit('the provider rejected the API key — set CARTESIA_API_KEY', 'Cartesia answered 401', 30);

select is(audio.health(p_now => now())->'provider'->>'state', 'open', 'an open circuit is reported');
select is(audio.health(p_now => now())->'provider'->>'reason',
  'the provider rejected the API key — set CARTESIA_API_KEY', 'with its reason');
select is(audio.health(p_now => now())->'problems'->>0,
  'provider work is stopped: the provider rejected the API key — set CARTESIA_API_KEY (next probe in 30 s; Resume on the admin page retries now)',
  'the reason is the first problem, with the next probe');

select audio.close_circuit('test');
select is(audio.health(p_now => now())->'problems', '[]'::jsonb, 'a closed circuit is no problem again');

select * from finish();
rollback;
