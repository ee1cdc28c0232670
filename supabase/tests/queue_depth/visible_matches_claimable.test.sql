-- audio.queue_depth: "visible" must mean what pgmq.read would hand out now. pgmq stamps messages
-- with clock_timestamp() and reads with vt <= clock_timestamp(); counting with now() (the start
-- of the transaction) misses every message sent earlier in the same transaction.
-- Fails with the 20261124000500 migration as written; see the report's proposed fix.
begin;
create extension if not exists pgtap with schema extensions;
set local search_path = public, extensions;
select plan(1);

delete from pgmq.q_audio_segments;
insert into public.words (id, word, definition, example_sentence, grade) values
  ('99000000-0000-4000-8000-000000000001', 'harbor', '', '', 99);
select * from audio.create_batch(p_word_ids => array['99000000-0000-4000-8000-000000000001']::uuid[],
  p_voice_id => 'voice-test', p_model_id => 'model-test', p_format => 'mp3');

select results_eq('select visible, total from audio.queue_depth()', $$values (1::bigint, 1::bigint)$$,
  'a message sent earlier in this transaction (claimable by pgmq.read) counts as visible');

select * from finish();
rollback;
