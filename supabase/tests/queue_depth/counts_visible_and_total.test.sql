-- audio.queue_depth: total = every message in the queue; visible = those a worker could claim now
-- (claimed, hidden messages are in total but not visible).
begin;
create extension if not exists pgtap with schema extensions;
set local search_path = public, extensions;
select plan(3);

delete from pgmq.q_audio_segments;
select results_eq('select visible, total from audio.queue_depth()', $$values (0::bigint, 0::bigint)$$, 'an empty queue: 0, 0');

insert into public.words (id, word, definition, example_sentence, grade) values
  ('99000000-0000-4000-8000-000000000001', 'harbor', 'A sheltered place for ships.', 'The boat rested in the harbor.', 99);
create temporary table t_batch on commit drop as
  select * from audio.create_batch(p_word_ids => array['99000000-0000-4000-8000-000000000001']::uuid[],
    p_voice_id => 'voice-test', p_model_id => 'model-test', p_format => 'mp3');
-- As if the batch had been created by an earlier transaction (see queue_depth/visible_matches_claimable).
update pgmq.q_audio_segments set vt = now() - interval '1 second';

select results_eq('select visible, total from audio.queue_depth()', $$values (3::bigint, 3::bigint)$$, 'three waiting: 3, 3');

select * from audio.claim_segments(1, 300);
select results_eq('select visible, total from audio.queue_depth()', $$values (2::bigint, 3::bigint)$$,
  'one claimed: 2 visible, 3 in total');

select * from finish();
rollback;
