-- audio.end_attempt: after the batch was cancelled (or the segment finished elsewhere) it still
-- frees the slot but answers false, so the worker does not upload.
begin;
create extension if not exists pgtap with schema extensions;
set local search_path = public, extensions;
select plan(4);

delete from pgmq.q_audio_segments;
update audio.permits set holder = null, segment_id = null, acquired_at = null, expires_at = null;

insert into public.words (id, word, definition, example_sentence, grade) values
  ('99000000-0000-4000-8000-000000000001', 'harbor', 'A sheltered place for ships.', '', 99);
create temporary table t_batch on commit drop as
  select * from audio.create_batch(p_word_ids => array['99000000-0000-4000-8000-000000000001']::uuid[],
    p_voice_id => 'voice-test', p_model_id => 'model-test', p_format => 'mp3');
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
