-- audio.guard_segment, the check before working on a message: live (segment queued or generating
-- in a live batch, message kept), gone (no such segment or finished: message deleted), cancelled
-- (batch cancel requested: segment cancelled, message deleted).
begin;
\ir ../fixtures.psql
select plan(9);

select audio_test.clear_work();
select audio_test.add_word(1, 'harbor', 'A sheltered place for ships.', 'The boat rested in the harbor.');
select audio_test.add_word(2, 'lantern');
create temporary table t_a on commit drop as select * from audio_test.create_batch(array[1]);
create temporary table t_b on commit drop as select * from audio_test.create_batch(array[2]);
create temporary table t_seg on commit drop as
  select s.id, s.kind, s.msg_id, s.batch_id from public.audio_segments as s
  where s.batch_id in ((select batch_id from t_a), (select batch_id from t_b));

update public.audio_segments set status = 'generating'
where id = (select id from t_seg where batch_id = (select batch_id from t_a) and kind = 'definition');
update public.audio_segments set status = 'done', storage_path = 'p/x.mp3', bytes = 1
where id = (select id from t_seg where batch_id = (select batch_id from t_a) and kind = 'sentence');
update public.audio_batches set cancel_requested_at = now() where id = (select batch_id from t_b);

select is(audio.guard_segment(s.id, s.msg_id), 'live', 'a queued segment is live')
from t_seg as s where s.batch_id = (select batch_id from t_a) and s.kind = 'word';
select is(audio.guard_segment(s.id, s.msg_id), 'live', 'a generating segment is live')
from t_seg as s where s.batch_id = (select batch_id from t_a) and s.kind = 'definition';
select is((select count(*)::integer from pgmq.q_audio_segments where msg_id in
  (select msg_id from t_seg where batch_id = (select batch_id from t_a) and kind in ('word', 'definition'))), 2,
  'live: the messages stay');

select is(audio.guard_segment(s.id, s.msg_id), 'gone', 'a done segment is gone')
from t_seg as s where s.batch_id = (select batch_id from t_a) and s.kind = 'sentence';
select is_empty($$select 1 from pgmq.q_audio_segments where msg_id =
  (select msg_id from t_seg where batch_id = (select batch_id from t_a) and kind = 'sentence')$$, 'its message is deleted');
create temporary table t_orphan on commit drop as select audio_test.send_message(-42) as msg_id;
select is(audio.guard_segment(-42, (select msg_id from t_orphan)), 'gone', 'a segment that does not exist is gone');
select is_empty('select 1 from pgmq.q_audio_segments where msg_id = (select msg_id from t_orphan)', 'its message is deleted');

select is(audio.guard_segment(s.id, s.msg_id), 'cancelled', 'a segment of a cancel-requested batch is cancelled')
from t_seg as s where s.batch_id = (select batch_id from t_b);
select results_eq(
  $$select s.status, s.finished_at is not null, exists (select 1 from pgmq.q_audio_segments as q where q.msg_id = s.msg_id)
    from public.audio_segments as s where s.batch_id = (select batch_id from t_b)$$,
  $$values ('cancelled', true, false)$$, 'it is cancelled with finished_at, and its message deleted');

select * from finish();
rollback;
