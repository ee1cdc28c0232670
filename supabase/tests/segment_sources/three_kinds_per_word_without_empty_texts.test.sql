-- audio.segment_sources: one row per (word, kind) for word, definition and sentence, with the
-- text's hash and the word's grade; empty or blank texts are left out.
begin;
create extension if not exists pgtap with schema extensions;
set local search_path = public, extensions;
select plan(6);

insert into public.words (id, word, definition, example_sentence, grade) values
  ('99000000-0000-4000-8000-000000000001', 'harbor', 'A sheltered place for ships.', 'The boat rested in the harbor.', 99),
  ('99000000-0000-4000-8000-000000000002', 'echo', '', '   ', 99);

select results_eq(
  $$select kind, text from audio.segment_sources
    where word_id = '99000000-0000-4000-8000-000000000001'
    order by array_position(array['word', 'definition', 'sentence'], kind)$$,
  $$values ('word', 'harbor'), ('definition', 'A sheltered place for ships.'),
    ('sentence', 'The boat rested in the harbor.')$$,
  'a full word gives word, definition and sentence (example_sentence) with their texts'
);

select results_eq(
  $$select kind from audio.segment_sources where word_id = '99000000-0000-4000-8000-000000000002'$$,
  $$values ('word')$$,
  'an empty definition and a blank sentence are left out'
);

select is_empty(
  $$select 1 from audio.segment_sources
    where word_id in ('99000000-0000-4000-8000-000000000001', '99000000-0000-4000-8000-000000000002')
      and text_hash is distinct from audio.text_hash(text)$$,
  'text_hash is audio.text_hash(text) on every row'
);

select is(
  (select array_agg(distinct grade) from audio.segment_sources
   where word_id = '99000000-0000-4000-8000-000000000001'),
  array[99::smallint],
  'the word''s grade is carried on each segment'
);

update public.words set definition = 'A safe place for ships.' where id = '99000000-0000-4000-8000-000000000001';
select is(
  (select text_hash from audio.segment_sources
   where word_id = '99000000-0000-4000-8000-000000000001' and kind = 'definition'),
  audio.text_hash('A safe place for ships.'),
  'the view follows edits to the words table'
);

update public.words set definition = 'now present' where id = '99000000-0000-4000-8000-000000000002';
select is(
  (select count(*)::integer from audio.segment_sources where word_id = '99000000-0000-4000-8000-000000000002'),
  2,
  'a definition filled in later appears as a segment'
);

select * from finish();
rollback;
