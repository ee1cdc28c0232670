-- audio.health: queued or running batches whose rows have not changed for p_stalled_minutes are
-- listed and named as a problem; a later "now" stands in for waiting.
begin;
\ir ../fixtures.psql
select plan(7);

select audio_test.clear_work();
delete from net._http_response;
update public.audio_batches set status = 'completed' where status in ('queued', 'running');
select audio_test.add_word(1, 'harbor', 'A sheltered place for ships.');
create temporary table t_batch on commit drop as select * from audio_test.create_batch(array[1]);
create temporary table t_h on commit drop as select
  audio.health(10, clock_timestamp() + interval '5 minutes') as five,
  audio.health(10, clock_timestamp() + interval '12 minutes 30 seconds') as twelve,
  audio.health(20, clock_timestamp() + interval '12 minutes 30 seconds') as twelve_of_twenty;

select is((select five->'stalled_batches' from t_h), '[]'::jsonb, '5 minutes without progress: not stalled');
select ok((select not (five->'problems' @? '$[*] ? (@ like_regex "progress")') from t_h),
  '... and no problem about it');
select is((select twelve->'stalled_batches'->0->>'id' from t_h), (select batch_id::text from t_batch),
  '12 minutes: the batch is listed');
select is((select (twelve->'stalled_batches'->0->>'minutes')::int from t_h), 12, '... with its minutes');
select ok((select twelve->'problems' ? '1 batch has made no progress for 12 minutes' from t_h),
  '... and named as a problem');
select is((select twelve_of_twenty->'stalled_batches' from t_h), '[]'::jsonb,
  'with a threshold of 20 minutes, 12 is not stalled');

select throws_ok('select audio.health(0)', '22023', null, 'a threshold below one minute is refused');

select * from finish();
rollback;
