-- audio.segment_state follows every change that moves a word's state: a new word (missing), a
-- batch (queued), a claim (generating), a failure (failed, with its error), a retrying batch
-- (queued over failed), audio stored (ready), a text edit (stale), a kind appearing or going
-- blank, a cancel (back to what the history says), and a deleted word.
begin;
\ir ../fixtures.psql
select plan(15);

create function pg_temp.states(p_n integer)
returns text
language sql
as $$
  select string_agg(s.kind || '=' || s.state || coalesce(':' || s.error, ''), ' '
    order by array_position(array['word', 'definition', 'sentence'], s.kind))
  from audio.segment_states(99::smallint, 'voice-test', 'model-test', 'mp3') as s
  where s.word_id = audio_test.word_id(p_n)
$$;

select audio_test.add_word(1, 'harbor', 'A sheltered place for ships.');
select is(pg_temp.states(1), 'word=missing definition=missing', 'a new word: each voiced kind missing');

create temporary table t_first on commit drop as select * from audio_test.create_batch(array[1]);
select is(pg_temp.states(1), 'word=queued definition=queued', 'queued in a batch');

update public.audio_segments set status = 'generating'
where batch_id = (select batch_id from t_first) and kind = 'word';
select is(pg_temp.states(1), 'word=generating definition=queued', 'a claimed segment is generating');

update public.audio_segments set status = 'failed', last_error = 'HTTP 500'
where batch_id = (select batch_id from t_first) and kind = 'word';
select is(pg_temp.states(1), 'word=failed:HTTP 500 definition=queued', 'a failed attempt shows with its error');

create temporary table t_second on commit drop as
  select * from audio_test.create_batch(array[1], array['word']);
select is(pg_temp.states(1), 'word=queued definition=queued', 'queued again over the failure');

update public.audio_segments set status = 'done', storage_path = 'voice-test/model-test/mp3/a.mp3', bytes = 10
where batch_id = (select batch_id from t_second);
select audio.upsert_word_audio(array(select id from public.audio_segments where batch_id = (select batch_id from t_second)));
select is(pg_temp.states(1), 'word=ready definition=queued', 'audio stored: ready');
select is(
  (select storage_path from audio.segment_states(99::smallint, 'voice-test', 'model-test', 'mp3')
   where word_id = audio_test.word_id(1) and kind = 'word'),
  'voice-test/model-test/mp3/a.mp3', 'the ready row carries the audio''s path');
select is(
  (select state from audio.segment_states(99::smallint, 'voice-other', 'model-test', 'mp3')
   where word_id = audio_test.word_id(1) and kind = 'word'),
  'stale', 'in another voice the same audio is stale');

update public.words set word = 'harbour', example_sentence = 'Boats rest in the harbour.'
where id = audio_test.word_id(1);
select is(pg_temp.states(1), 'word=stale definition=queued sentence=missing',
  'the word edited: its audio is stale; a sentence added: missing');

select audio.cancel_batch((select batch_id from t_first));
select is(pg_temp.states(1), 'word=stale definition=missing sentence=missing',
  'the first batch cancelled: its queued definition is missing again');

update public.words set definition = '' where id = audio_test.word_id(1);
select is(pg_temp.states(1), 'word=stale sentence=missing', 'a definition blanked: its row goes');

-- Two live batches hold the same key; cancelling the newer one shows the older one's segment.
select audio_test.add_word(2, 'lantern');
create temporary table t_old on commit drop as select * from audio_test.create_batch(array[2]);
update public.audio_segments set status = 'generating' where batch_id = (select batch_id from t_old);
create temporary table t_new on commit drop as
  select * from audio_test.create_batch(array[2], p_missing_only => false);
select is(pg_temp.states(2), 'word=queued', 'two live batches hold the word: the newest segment shows');

select audio.cancel_batch((select batch_id from t_new));
select is(pg_temp.states(2), 'word=generating', 'the newer batch cancelled: the older batch''s generating segment shows');

-- Deleting a segment the row points at (history pruned) recomputes it.
delete from public.audio_segments where batch_id = (select batch_id from t_old);
select is(pg_temp.states(2), 'word=missing', 'the pointed-at segment deleted: recomputed from what is left');

delete from public.words where id = audio_test.word_id(1);
select is((select count(*)::integer from audio.segment_state where word_id = audio_test.word_id(1)), 0,
  'a deleted word''s rows go with it');

select * from finish();
rollback;
