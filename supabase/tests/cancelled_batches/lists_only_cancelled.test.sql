-- audio.cancelled_batches: of the batches a worker is working on, the ones cancelled since.
begin;
create extension if not exists pgtap with schema extensions;
set local search_path = public, extensions;
select plan(2);

insert into public.words (id, word, definition, example_sentence, grade) values
  ('99000000-0000-4000-8000-000000000001', 'harbor', '', '', 99),
  ('99000000-0000-4000-8000-000000000002', 'lantern', '', '', 99);
create temporary table t_a on commit drop as
  select * from audio.create_batch(p_word_ids => array['99000000-0000-4000-8000-000000000001']::uuid[],
    p_voice_id => 'voice-test', p_model_id => 'model-test', p_format => 'mp3');
create temporary table t_b on commit drop as
  select * from audio.create_batch(p_word_ids => array['99000000-0000-4000-8000-000000000002']::uuid[],
    p_voice_id => 'voice-test', p_model_id => 'model-test', p_format => 'mp3');

select is_empty(
  $$select * from audio.cancelled_batches(array[(select batch_id from t_a), (select batch_id from t_b)])$$,
  'none cancelled yet');

select audio.cancel_batch((select batch_id from t_a));
select results_eq(
  $$select * from audio.cancelled_batches(array[(select batch_id from t_a), (select batch_id from t_b),
    '99000000-0000-4000-8000-0000000000ff'::uuid])$$,
  $$select batch_id from t_a$$,
  'only the cancelled batch (unknown ids are ignored)');

select * from finish();
rollback;
