-- A batch records what it was started over (audio.create_batch's scope), and counts the characters
-- of the text it generated: a segment done from a provider request adds its text's length, one
-- done by reusing audio adds nothing, a failure adds nothing, and a status moving back from done
-- takes nothing away (the request was paid for). The history's list row carries both.
begin;
\ir ../fixtures.psql
select plan(7);

select audio_test.add_word(1, 'harbor', 'A sheltered place for ships.', 'The boat rested in the harbor.');
select audio_test.add_word(2, 'lantern');

create temporary table t_words on commit drop as select * from audio_test.create_batch(array[1]);
select is((select scope from public.audio_batches where id = (select batch_id from t_words)), 'words',
  'a batch over word ids: scope words');
select audio.cancel_batch((select batch_id from t_words));
create temporary table t_all on commit drop as
  select * from audio.create_batch(p_voice_id => 'voice-test', p_model_id => 'model-test', p_format => 'mp3');
select is((select scope from public.audio_batches where id = (select batch_id from t_all)), 'all',
  'neither ids nor a grade: scope all');
select audio.cancel_batch((select batch_id from t_all));
create temporary table t_grade on commit drop as
  select * from audio.create_batch(p_grade => 99::smallint, p_kinds => array['word', 'definition', 'sentence'],
    p_voice_id => 'voice-test', p_model_id => 'model-test', p_format => 'mp3');
select is((select scope from public.audio_batches where id = (select batch_id from t_grade)), 'grade',
  'a grade: scope grade');

-- Word 1's three segments in the grade batch: two generated, one failed.
update public.audio_segments set status = 'done'
where batch_id = (select batch_id from t_grade) and word_id = audio_test.word_id(1) and kind in ('word', 'definition');
update public.audio_segments set status = 'failed', last_error = 'x'
where batch_id = (select batch_id from t_grade) and word_id = audio_test.word_id(1) and kind = 'sentence';
select is(
  (select characters from public.audio_batches where id = (select batch_id from t_grade)),
  (length('harbor') + length('A sheltered place for ships.'))::bigint,
  'the generated segments'' text is counted, the failed one''s is not');

-- A segment done by reusing audio costs no request: nothing added.
update public.audio_segments set status = 'done', reused = true
where batch_id = (select batch_id from t_grade) and word_id = audio_test.word_id(2) and kind = 'word';
select is(
  (select characters from public.audio_batches where id = (select batch_id from t_grade)),
  (length('harbor') + length('A sheltered place for ships.'))::bigint,
  'a reused segment adds no characters');

-- An operator moves a done segment back to queued: what was sent stays counted.
update public.audio_segments set status = 'queued'
where batch_id = (select batch_id from t_grade) and word_id = audio_test.word_id(1) and kind = 'word';
select is(
  (select characters from public.audio_batches where id = (select batch_id from t_grade)),
  (length('harbor') + length('A sheltered place for ships.'))::bigint,
  'characters are never taken back');

select is(
  (select audio.batch_list_row(b) ->> 'scope' from public.audio_batches as b where b.id = (select batch_id from t_grade)),
  'grade', 'the list row names the scope');

select * from finish();
rollback;
