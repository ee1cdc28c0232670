-- A segment names an existing word and batch (checked once per insert statement, not per row by
-- foreign keys): an insert naming a missing one fails with 23503 and names it, a segment never
-- moves to another word or batch, deleting a word or a batch deletes its segments, an id that
-- segments name cannot change, and truncating words or batches under segments fails.
begin;
\ir ../fixtures.psql
select plan(11);

select audio_test.add_word(1, 'harbor', 'A sheltered place for ships.');
select audio_test.add_word(2, 'meadow', 'A field of grass.');
create temporary table t_one on commit drop as select * from audio_test.create_batch(array[1]);
create temporary table t_two on commit drop as select * from audio_test.create_batch(array[2]);

create function pg_temp.insert_segment(p_word uuid, p_batch uuid)
returns void
language sql
as $$
  insert into public.audio_segments (batch_id, word_id, kind, text, text_hash, voice_id, model_id, format)
  values (p_batch, p_word, 'word', 'harbor', audio.text_hash('harbor'), 'v', 'm', 'mp3')
$$;

select throws_ok(
  format('select pg_temp.insert_segment(%L, %L)', '00000000-0000-0000-0000-00000000abcd',
    (select batch_id from t_one)),
  '23503', 'audio_segments: word 00000000-0000-0000-0000-00000000abcd does not exist',
  'a segment of a missing word is refused, naming it');
select throws_ok(
  format('select pg_temp.insert_segment(%L, %L)', audio_test.word_id(1),
    '00000000-0000-0000-0000-0000000000ef'),
  '23503', 'audio_segments: batch 00000000-0000-0000-0000-0000000000ef does not exist',
  'a segment of a missing batch is refused, naming it');
select lives_ok(
  format('select pg_temp.insert_segment(%L, %L)', audio_test.word_id(1), (select batch_id from t_one)),
  'a segment of an existing word and batch is stored');

select throws_ok(
  format('update public.audio_segments set word_id = %L where batch_id = %L and kind = ''word''',
    audio_test.word_id(2), (select batch_id from t_one)),
  '23503', null, 'a segment cannot move to another word');
select throws_ok(
  format('update public.audio_segments set batch_id = %L where batch_id = %L',
    (select batch_id from t_two), (select batch_id from t_one)),
  '23503', null, 'a segment cannot move to another batch');

select throws_ok(
  format('update public.words set id = gen_random_uuid() where id = %L', audio_test.word_id(2)),
  '23503', null, 'the id of a word with segments cannot change');
select throws_ok(
  format('update public.audio_batches set id = gen_random_uuid() where id = %L', (select batch_id from t_two)),
  '23503', null, 'the id of a batch with segments cannot change');

-- (A truncate cannot run while deferred trigger events wait: fire them first.)
set constraints all immediate;
set local client_min_messages = warning;
select throws_ok('truncate public.audio_batches cascade', '0A000', null,
  'truncating the batches under segments fails');

delete from public.words where id = audio_test.word_id(2);
select is(
  (select count(*) from public.audio_segments where word_id = audio_test.word_id(2)), 0::bigint,
  'deleting a word deletes its segments');
select isnt(
  (select count(*) from public.audio_segments where word_id = audio_test.word_id(1)), 0::bigint,
  'and only its segments');

delete from public.audio_batches where id = (select batch_id from t_one);
select is(
  (select count(*) from public.audio_segments where batch_id = (select batch_id from t_one)), 0::bigint,
  'deleting a batch deletes its segments');

select * from finish();
rollback;
