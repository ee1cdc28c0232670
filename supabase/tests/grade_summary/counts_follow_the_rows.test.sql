-- audio.grade_summary answers from audio.state_counts (counts the segment_state triggers append),
-- and its answer equals the summary computed from the segment_state rows themselves after every
-- kind of change: new words, a batch, a claim, a failure, stored audio, a text edit, a cancel, a
-- deleted word, a compaction of the counts, and a truncate.
begin;
\ir ../fixtures.psql
select plan(12);

-- The summary as the rows say it, by audio.state_label's rules (what grade_summary computed
-- before the counts existed).
create function pg_temp.from_rows(p_voice text)
returns table (grade smallint, words integer, segments integer, ready integer, missing integer,
  stale integer, pending integer, failed integer)
language sql
as $$
  select st.grade,
    (count(*) filter (where st.kind = 'word'))::integer, count(*)::integer,
    (count(*) filter (where x.state = 'ready'))::integer,
    (count(*) filter (where x.state = 'missing'))::integer,
    (count(*) filter (where x.state = 'stale'))::integer,
    (count(*) filter (where x.state in ('queued', 'generating')))::integer,
    (count(*) filter (where x.state = 'failed'))::integer
  from audio.segment_state as st
  left join public.audio_batches as b on b.id = st.pending_batch
  cross join lateral (
    select audio.state_label(st, b.cancel_requested_at is null, p_voice, 'model-test', 'mp3') as state
  ) as x
  group by st.grade
  order by st.grade
$$;
create function pg_temp.same(p_voice text, p_what text)
returns text
language sql
as $$
  select results_eq(
    format('select * from audio.grade_summary(%L, ''model-test'', ''mp3'')', p_voice),
    format('select * from pg_temp.from_rows(%L)', p_voice),
    p_what
  )
$$;

select audio_test.add_word(1, 'harbor', 'A sheltered place for ships.', 'The boat rested in the harbor.');
select audio_test.add_word(2, 'lantern', 'A lamp with a case.');
select audio_test.add_word(3, 'meadow', 'A field of grass.');
select pg_temp.same('voice-test', 'new words');

create temporary table t_batch on commit drop as select * from audio_test.create_batch(array[1, 2]);
select pg_temp.same('voice-test', 'a batch queued');

update public.audio_segments set status = 'generating'
where batch_id = (select batch_id from t_batch) and word_id = audio_test.word_id(1);
select pg_temp.same('voice-test', 'segments claimed');

update public.audio_segments set status = 'failed', last_error = 'HTTP 500'
where batch_id = (select batch_id from t_batch) and word_id = audio_test.word_id(1) and kind = 'word';
select pg_temp.same('voice-test', 'a failure');

update public.audio_segments set status = 'done', storage_path = 'voice-test/model-test/mp3/' || id || '.mp3', bytes = 10
where batch_id = (select batch_id from t_batch) and word_id = audio_test.word_id(2);
select audio.upsert_word_audio(array(
  select id from public.audio_segments where batch_id = (select batch_id from t_batch) and status = 'done'));
select pg_temp.same('voice-test', 'audio stored');
select pg_temp.same('voice-other', 'audio stored, asked in another voice');

update public.words set word = 'lanterns' where id = audio_test.word_id(2);
select pg_temp.same('voice-test', 'a text edited');

select audio.cancel_batch((select batch_id from t_batch));
select pg_temp.same('voice-test', 'the batch cancelled');

delete from public.words where id = audio_test.word_id(3);
select pg_temp.same('voice-test', 'a word deleted');

select audio.compact_state_counts();
select pg_temp.same('voice-test', 'after a compaction');
select is(
  (select count(*)::integer from audio.state_counts where n = 0), 0,
  'a compaction leaves no zero counts'
);

truncate audio.segment_state;
select is((select count(*)::integer from audio.state_counts), 0, 'a truncate of segment_state empties the counts');

select * from finish();
rollback;
