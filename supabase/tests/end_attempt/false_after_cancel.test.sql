-- audio.end_attempt: after the batch was cancelled (or the segment finished elsewhere) it still
-- frees the slot but answers false, so the worker does not upload.
begin;
\ir ../fixtures.psql
select plan(4);

select audio_test.clear_work();

select audio_test.add_word(1, 'harbor', 'A sheltered place for ships.');
create temporary table t_batch on commit drop as
  select * from audio_test.create_batch(array[1]);
create temporary table t_claim on commit drop as
  select row_number() over (order by segment_id) as n, * from audio.claim_segments(2, 30);
create temporary table t_go on commit drop as
  select 1 as n, * from audio.begin_attempt((select segment_id from t_claim where n = 1), (select msg_id from t_claim where n = 1), 'worker-a', 3, 60, 600)
  union all
  select 2, * from audio.begin_attempt((select segment_id from t_claim where n = 2), (select msg_id from t_claim where n = 2), 'worker-b', 3, 60, 600);

-- Segment 2 was finished by another worker meanwhile.
update public.audio_segments set status = 'done', storage_path = 'p/x.mp3', bytes = 1
where id = (select segment_id from t_claim where n = 2);
select is(audio.end_attempt((select slot from t_go where n = 2), 'worker-b', (select segment_id from t_claim where n = 2)), false,
  'false when the segment finished elsewhere');

select audio.cancel_batch((select batch_id from t_batch));

select is(audio.end_attempt((select slot from t_go where n = 1), 'worker-a', (select segment_id from t_claim where n = 1)), false,
  'false after the batch was cancelled');
select is((select count(*)::integer from audio.permits where holder is not null), 0, 'both slots are free anyway');
select is((select status from public.audio_segments where id = (select segment_id from t_claim where n = 1)), 'cancelled',
  'the cancelled segment stays cancelled');

select * from finish();
rollback;
