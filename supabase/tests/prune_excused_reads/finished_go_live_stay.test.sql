-- audio.prune_excused_reads: old rows of finished segments are deleted, old rows of live segments
-- stay (marked seen, so the next call looks at others), recent rows are left alone.
begin;
\ir ../fixtures.psql
select plan(3);

select audio_test.clear_work();

select audio_test.add_word(1, 'harbor', 'A sheltered place for ships.', 'Boats rest in the harbor.');
create temporary table t_batch on commit drop as
  select * from audio_test.create_batch(array[1]);
create temporary table t_seg on commit drop as
  select row_number() over (order by id) as n, id, msg_id from public.audio_segments
  where batch_id = (select batch_id from t_batch);

-- Segment 1 finished, 2 still queued (both rows old), 3 finished but its row recent.
update public.audio_segments set status = 'done', finished_at = now()
where id in (select id from t_seg where n in (1, 3));
insert into audio.excused_reads (msg_id, segment_id, reads, updated_at)
select msg_id, id, 2, case when n = 3 then now() else now() - interval '1 hour' end from t_seg;

select audio.prune_excused_reads();

select results_eq(
  $$select s.n from audio.excused_reads e join t_seg s on s.msg_id = e.msg_id order by s.n$$,
  $$values (2::bigint), (3::bigint)$$, 'the old row of the finished segment is gone; the others stay');
select ok((select updated_at > now() - interval '1 minute' from audio.excused_reads
  where msg_id = (select msg_id from t_seg where n = 2)), 'the live segment''s row is marked seen');
select is((select reads from audio.excused_reads where msg_id = (select msg_id from t_seg where n = 2)), 2,
  'and keeps its count');

select * from finish();
rollback;
