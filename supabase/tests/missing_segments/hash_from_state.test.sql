-- audio.missing_segments gives each source the hash of its current text: from segment_state,
-- which follows an edit within the same transaction, and computed when a source has no state row.
begin;
\ir ../fixtures.psql
select plan(3);

select audio_test.add_word(1, 'harbor', 'A sheltered place for ships.');
create function pg_temp.hashes()
returns table (kind text, text_hash text)
language sql
as $$
  select m.kind, m.text_hash from audio.missing_segments(array[audio_test.word_id(1)], null,
    array['word', 'definition', 'sentence'], false, 'voice-test', 'model-test', 'mp3') as m
$$;

select results_eq(
  $$select kind, text_hash from pg_temp.hashes() order by kind$$,
  $$values ('definition', audio.text_hash('A sheltered place for ships.')), ('word', audio.text_hash('harbor'))$$,
  'each source carries its text''s hash'
);

update public.words set word = 'harbour' where id = audio_test.word_id(1);
select is(
  (select text_hash from pg_temp.hashes() where kind = 'word'),
  audio.text_hash('harbour'),
  'an edit is seen at once'
);

delete from audio.segment_state where word_id = audio_test.word_id(1) and kind = 'definition';
select is(
  (select text_hash from pg_temp.hashes() where kind = 'definition'),
  audio.text_hash('A sheltered place for ships.'),
  'a source with no state row is hashed'
);

select * from finish();
rollback;
