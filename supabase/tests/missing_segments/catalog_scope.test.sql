-- audio.missing_segments over the whole catalog (no word list, no grade) answers what it answers
-- for a list of every word: the same sources, text hashes and pending flags, with and without
-- missing_only and keep_current_text. The catalog scope joins segment_state and the live batches'
-- segments in one pass each; a list looks each source up (20261201006130_missing_segments_by_scope).
begin;
\ir ../fixtures.psql
select plan(10);

select audio_test.clear_work();
select audio_test.add_word(1, 'harbor', 'A sheltered place for ships.', 'The boat rested in the harbor.');
select audio_test.add_word(2, 'lantern', 'A lamp with a case.', 'She lit the lantern.');
select audio_test.add_word(3, 'meadow', 'A field of grass.');
select audio_test.add_word(4, 'compass');

-- harbor: word audio current in voice-test, sentence audio stale (an old text's hash).
insert into public.word_audio (word_id, kind, text_hash, voice_id, model_id, format, storage_path, bytes) values
  (audio_test.word_id(1), 'word', audio.text_hash('harbor'), 'voice-test', 'model-test', 'mp3', 'p/1.mp3', 10),
  (audio_test.word_id(1), 'sentence', audio.text_hash('old sentence'), 'voice-test', 'model-test', 'mp3', 'p/2.mp3', 10);
-- lantern's word queued in a live batch of voice-test, meadow's word in one of another voice;
-- compass's word in a batch being cancelled (not live).
select batch_id from audio_test.create_batch(array[2], p_kinds => array['word']);
select batch_id from audio_test.create_batch(array[3], p_kinds => array['word'], p_voice_id => 'voice-other');
create temporary table t_cancelled on commit drop as
  select batch_id from audio_test.create_batch(array[4], p_kinds => array['word']);
update public.audio_batches set cancel_requested_at = now(), status = 'cancelling'
where id = (select batch_id from t_cancelled);
-- meadow's definition has no state row (none should lack one; the hash is then computed).
delete from audio.segment_state where word_id = audio_test.word_id(3) and kind = 'definition';

-- Each case: the catalog's answer, restricted to the test words, against a list of them.
create function pg_temp.both_ways(p_missing_only boolean, p_voice text, p_keep boolean, p_kinds text[])
returns table (via text, word_id uuid, kind text, text text, text_hash text, pending boolean)
language sql
as $$
  select 'catalog', m.word_id, m.kind, m.text, m.text_hash, m.pending
  from audio.missing_segments(null, null, p_kinds, p_missing_only, p_voice, 'model-test', 'mp3', p_keep) as m
  where m.word_id in (select audio_test.word_id(n) from generate_series(1, 4) as n)
  union all
  select 'list', m.word_id, m.kind, m.text, m.text_hash, m.pending
  from audio.missing_segments(array(select audio_test.word_id(n) from generate_series(1, 4) as n), null,
    p_kinds, p_missing_only, p_voice, 'model-test', 'mp3', p_keep) as m
$$;

create function pg_temp.same(p_missing_only boolean, p_voice text, p_keep boolean, p_kinds text[])
returns text
language sql
as $$
  with b as materialized (select * from pg_temp.both_ways($1, $2, $3, $4))
  select coalesce(string_agg(format('%s %s %s', d.word_id, d.kind, d.pending), '; '), 'same')
  from (
    (select b.word_id, b.kind, b.text, b.text_hash, b.pending from b where b.via = 'catalog'
     except all
     select b.word_id, b.kind, b.text, b.text_hash, b.pending from b where b.via = 'list')
    union all
    (select b.word_id, b.kind, b.text, b.text_hash, b.pending from b where b.via = 'list'
     except all
     select b.word_id, b.kind, b.text, b.text_hash, b.pending from b where b.via = 'catalog')
  ) as d
$$;

select is(pg_temp.same(true, 'voice-test', false, array['word', 'definition', 'sentence']), 'same',
  'missing only, this voice: the same answer');
select is(pg_temp.same(false, 'voice-test', false, array['word', 'definition', 'sentence']), 'same',
  'every segment, this voice: the same answer');
select is(pg_temp.same(true, 'voice-other', false, array['word', 'definition', 'sentence']), 'same',
  'missing only, another voice: the same answer');
select is(pg_temp.same(true, 'voice-new', true, array['word', 'definition', 'sentence']), 'same',
  'missing only, current text kept (the backfill): the same answer');
select is(pg_temp.same(true, 'voice-test', false, array['word']), 'same',
  'one kind: the same answer');

-- And the answers themselves, through the catalog scope.
select results_eq(
  $$select kind, pending from audio.missing_segments(null, null, array['word', 'definition', 'sentence'], true,
      'voice-test', 'model-test', 'mp3')
    where word_id = audio_test.word_id(1) order by kind$$,
  $$values ('definition', false), ('sentence', false)$$,
  'current audio left out, missing and stale kept');
select results_eq(
  $$select word_id, kind from audio.missing_segments(null, null, array['word'], true, 'voice-test', 'model-test', 'mp3')
    where pending and word_id in (select audio_test.word_id(n) from generate_series(1, 4) as n)$$,
  $$values (audio_test.word_id(2), 'word')$$,
  'pending: only the key a live batch of this voice holds (not another voice''s, not a cancelled batch''s)');
select results_eq(
  $$select word_id, kind from audio.missing_segments(null, null, array['word'], true, 'voice-new', 'model-test', 'mp3', true)
    where pending and word_id in (select audio_test.word_id(n) from generate_series(1, 4) as n) order by 1$$,
  $$values (audio_test.word_id(2), 'word'), (audio_test.word_id(3), 'word')$$,
  'current text kept: a key any live batch holds is pending');
select is(
  (select text_hash from audio.missing_segments(null, null, array['definition'], false, 'voice-test', 'model-test', 'mp3')
   where word_id = audio_test.word_id(3)),
  audio.text_hash('A field of grass.'),
  'a source with no state row is hashed');
select is(
  (select count(*)::integer from audio.missing_segments(null, null, array['word', 'definition', 'sentence'], false,
     'voice-test', 'model-test', 'mp3')),
  (select count(*)::integer from audio.segment_sources),
  'every source of the catalog, once');

select * from finish();
rollback;
