-- audio.health: an idle system with nothing wrong reports an empty queue, no worker, no kick and
-- no problem.
begin;
\ir ../fixtures.psql
select plan(4);

select audio_test.clear_work();
delete from net._http_response;
update public.audio_batches set status = 'completed' where status in ('queued', 'running');

select is(audio.health()->'problems', '[]'::jsonb, 'no problem');
select is(audio.health()->'queue', '{"visible": 0, "total": 0, "oldest_visible_age_s": null, "longest_wait_s": null}'::jsonb,
  'an empty queue');
select is(audio.health()->'workers'->'alive', '0'::jsonb, 'no worker alive');
select is(audio.health()->'kicks', '[]'::jsonb, 'no kick recorded');

select * from finish();
rollback;
