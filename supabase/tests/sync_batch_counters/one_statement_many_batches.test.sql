-- Trigger audio.sync_batch_counters is per statement: one update touching segments of several
-- batches folds each batch's changes into that batch only.
begin;
create extension if not exists pgtap with schema extensions;
set local search_path = public, extensions;
select plan(3);

insert into public.words (id, word, definition, example_sentence, grade) values
  ('99000000-0000-4000-8000-000000000001', 'harbor', 'A sheltered place for ships.', 'The boat rested in the harbor.', 99),
  ('99000000-0000-4000-8000-000000000002', 'lantern', 'A lamp with a case.', '', 99),
  ('99000000-0000-4000-8000-000000000003', 'echo', '', '', 99);
create temporary table t_a on commit drop as
  select * from audio.create_batch(p_word_ids => array['99000000-0000-4000-8000-000000000001']::uuid[],
    p_voice_id => 'voice-test', p_model_id => 'model-test', p_format => 'mp3');
create temporary table t_b on commit drop as
  select * from audio.create_batch(p_word_ids => array['99000000-0000-4000-8000-000000000002']::uuid[],
    p_voice_id => 'voice-test', p_model_id => 'model-test', p_format => 'mp3');
create temporary table t_c on commit drop as
  select * from audio.create_batch(p_word_ids => array['99000000-0000-4000-8000-000000000003']::uuid[],
    p_voice_id => 'voice-test', p_model_id => 'model-test', p_format => 'mp3');

update public.audio_segments set status = 'done'
where batch_id in ((select batch_id from t_a), (select batch_id from t_b)) and kind in ('word', 'definition');

select results_eq(
  $$select status, done from public.audio_batches where id = (select batch_id from t_a)$$,
  $$values ('running', 2)$$, 'batch A: two of three done');
select results_eq(
  $$select status, done from public.audio_batches where id = (select batch_id from t_b)$$,
  $$values ('completed', 2)$$, 'batch B: both done, completed');
select results_eq(
  $$select status, done, total from public.audio_batches where id = (select batch_id from t_c)$$,
  $$values ('queued', 0, 1)$$, 'batch C, untouched by the statement, is unchanged');

select * from finish();
rollback;
