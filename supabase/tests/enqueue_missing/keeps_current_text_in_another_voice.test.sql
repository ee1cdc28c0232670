-- audio.enqueue_missing keeps audio whose text is current in any voice, model or format (an
-- admin's batch in another voice is not spoken again in the default voice overnight, and a new
-- default voice does not re-voice the catalog by itself); it still queues missing audio and audio
-- of an older text. An admin's batch keeps its stricter rule: another voice counts as missing.
begin;
\ir ../fixtures.psql
select plan(4);

select audio_test.clear_work();
select audio_test.add_word(1, 'harbor', 'A sheltered place for ships.', 'The boat rested in the harbor.');
select audio_test.store_defaults();

-- harbor: its word voiced on purpose in another voice (current text), its definition in the
-- default voice but for an older text, its sentence never voiced.
insert into public.word_audio (word_id, kind, text_hash, voice_id, model_id, format, storage_path, bytes) values
  (audio_test.word_id(1), 'word', audio.text_hash('harbor'), 'voice-chosen', 'model-test', 'mp3', 'p/1.mp3', 10),
  (audio_test.word_id(1), 'definition', audio.text_hash('An old definition.'), 'voice-test', 'model-test', 'mp3', 'p/2.mp3', 10);

select is(
  (select count(*)::integer from audio.missing_segments(array[audio_test.word_id(1)], null,
      array['word', 'definition', 'sentence'], true, 'voice-test', 'model-test', 'mp3')),
  3, 'an admin batch in the default voice counts the other voice''s audio as missing'
);

create temporary table t_backfill on commit drop as
  select audio.enqueue_missing(p_grade => 99::smallint) as batch_id;

select results_eq(
  $$select kind, voice_id from public.audio_segments
    where batch_id = (select batch_id from t_backfill) order by kind$$,
  $$values ('definition', 'voice-test'), ('sentence', 'voice-test')$$,
  'the backfill queues the older text and the missing sentence, not the word in its chosen voice'
);

select is(
  (select voice_id from public.word_audio where word_id = audio_test.word_id(1) and kind = 'word'),
  'voice-chosen', 'the chosen voice''s audio is still the word''s audio'
);

-- The word's text changes: its audio is of an older text now, and the backfill queues it.
update public.words set word = 'harbour' where id = audio_test.word_id(1);
create temporary table t_edited on commit drop as
  select audio.enqueue_missing(p_grade => 99::smallint) as batch_id;
select results_eq(
  $$select kind from public.audio_segments
    where batch_id = (select batch_id from t_edited) order by kind$$,
  $$values ('word')$$,
  'once the text changes, the backfill speaks it again in the default voice'
);

select * from finish();
rollback;
