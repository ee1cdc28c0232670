-- audio.missing_segments: what a batch would cover. Current audio (same hash, voice, model,
-- format) is left out when missing_only; segments queued in a live batch are flagged pending.
begin;
\ir ../fixtures.psql
select plan(5);

select audio_test.add_word(1, 'harbor', 'A sheltered place for ships.', 'The boat rested in the harbor.');
select audio_test.add_word(2, 'lantern', 'A lamp with a case.', 'She lit the lantern.');

-- harbor's word audio is current for voice-test; its sentence audio is stale (old text's hash).
insert into public.word_audio (word_id, kind, text_hash, voice_id, model_id, format, storage_path, bytes) values
  (audio_test.word_id(1), 'word', audio.text_hash('harbor'), 'voice-test', 'model-test', 'mp3', 'p/1.mp3', 10),
  (audio_test.word_id(1), 'sentence', audio.text_hash('old sentence'), 'voice-test', 'model-test', 'mp3', 'p/2.mp3', 10);

select results_eq(
  $$select kind from audio.missing_segments(array[audio_test.word_id(1)], null,
      array['word', 'definition', 'sentence'], true, 'voice-test', 'model-test', 'mp3')
    order by kind$$,
  $$values ('definition'), ('sentence')$$,
  'missing_only: current audio left out, missing and stale kept'
);

select is(
  (select count(*)::integer from audio.missing_segments(array[audio_test.word_id(1)], null,
      array['word', 'definition', 'sentence'], true, 'other-voice', 'model-test', 'mp3')),
  3,
  'audio in another voice does not count as current'
);

select is(
  (select count(*)::integer from audio.missing_segments(array[audio_test.word_id(1)], null,
      array['word', 'definition', 'sentence'], false, 'voice-test', 'model-test', 'mp3')),
  3,
  'without missing_only every segment is covered'
);

select * from audio_test.create_batch(array[2], p_kinds => array['word']);

select results_eq(
  $$select kind, pending from audio.missing_segments(array[audio_test.word_id(2)], null,
      array['word', 'definition'], true, 'voice-test', 'model-test', 'mp3') order by kind$$,
  $$values ('definition', false), ('word', true)$$,
  'a segment queued in a live batch is pending, others are not'
);

select results_eq(
  $$select kind from audio.missing_segments(null, 99::smallint, array['word'], false, 'voice-test', 'model-test', 'mp3')
    order by kind$$,
  $$values ('word'), ('word')$$,
  'a grade selects its words (and only the kinds asked for)'
);

select * from finish();
rollback;
