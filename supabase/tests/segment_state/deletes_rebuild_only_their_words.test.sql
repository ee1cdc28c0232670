-- A delete of segments rewrites only the segment_state rows of words whose finished segment it
-- took: a delete of nothing, and a start that queues nothing (its empty batch is deleted), leave
-- every row where it was (the same row version: ctid), while deleting a word's finished segment
-- recomputes that word's row.
begin;
\ir ../fixtures.psql
select plan(4);

select audio_test.add_word(1, 'harbor', 'A sheltered place for ships.');
select audio_test.add_word(2, 'meadow', 'A field of grass.');
create temporary table t_batch on commit drop as select * from audio_test.create_batch(array[1]);

create temporary table t_before on commit drop as
  select word_id, kind, ctid::text as at from audio.segment_state where grade = 99;
create function pg_temp.rows_moved()
returns bigint
language sql
as $$
  select count(*) from t_before as b
  join audio.segment_state as st on st.word_id = b.word_id and st.kind = b.kind
  where st.ctid::text <> b.at
$$;

delete from public.audio_segments where id = -1;
select is(pg_temp.rows_moved(), 0::bigint, 'a delete of no segment rewrites no state row');

-- Word 1's segments are pending: a second start over it queues nothing and deletes its batch.
select is((select total from audio_test.create_batch(array[1])), 0, 'the second start queues nothing');
select is(pg_temp.rows_moved(), 0::bigint, 'a start that queues nothing rewrites no state row');

update public.audio_segments set status = 'failed', last_error = 'HTTP 500'
where batch_id = (select batch_id from t_batch) and kind = 'word';
delete from public.audio_segments where batch_id = (select batch_id from t_batch) and kind = 'word';
select is(
  (select finished_status from audio.segment_state
   where word_id = audio_test.word_id(1) and kind = 'word'),
  null, 'deleting a word''s finished segment recomputes its row');

select * from finish();
rollback;
