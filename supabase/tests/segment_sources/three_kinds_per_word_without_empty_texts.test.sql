-- audio.segment_sources: one row per (word, kind) for word, definition and sentence, with the
-- text's hash and the word's grade; empty or blank texts are left out.
begin;
\ir ../fixtures.psql
select plan(6);

select audio_test.add_word(1, 'harbor', 'A sheltered place for ships.', 'The boat rested in the harbor.');
select audio_test.add_word(2, 'echo', '', '   ');

select results_eq(
  $$select kind, text from audio.segment_sources
    where word_id = audio_test.word_id(1)
    order by array_position(array['word', 'definition', 'sentence'], kind)$$,
  $$values ('word', 'harbor'), ('definition', 'A sheltered place for ships.'),
    ('sentence', 'The boat rested in the harbor.')$$,
  'a full word gives word, definition and sentence (example_sentence) with their texts'
);

select results_eq(
  $$select kind from audio.segment_sources where word_id = audio_test.word_id(2)$$,
  $$values ('word')$$,
  'an empty definition and a blank sentence are left out'
);

select is_empty(
  $$select 1 from audio.segment_sources
    where word_id in (audio_test.word_id(1), audio_test.word_id(2))
      and text_hash is distinct from audio.text_hash(text)$$,
  'text_hash is audio.text_hash(text) on every row'
);

select is(
  (select array_agg(distinct grade) from audio.segment_sources
   where word_id = audio_test.word_id(1)),
  array[99::smallint],
  'the word''s grade is carried on each segment'
);

update public.words set definition = 'A safe place for ships.' where id = audio_test.word_id(1);
select is(
  (select text_hash from audio.segment_sources
   where word_id = audio_test.word_id(1) and kind = 'definition'),
  audio.text_hash('A safe place for ships.'),
  'the view follows edits to the words table'
);

update public.words set definition = 'now present' where id = audio_test.word_id(2);
select is(
  (select count(*)::integer from audio.segment_sources where word_id = audio_test.word_id(2)),
  2,
  'a definition filled in later appears as a segment'
);

select * from finish();
rollback;
