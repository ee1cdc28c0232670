-- audio.claim_segments: a message whose segment is done, cancelled or gone is deleted rather than
-- returned; a segment of a batch being cancelled is cancelled and its message deleted.
begin;
\ir ../fixtures.psql
select plan(7);

select audio_test.clear_work();

select audio_test.add_word(1, 'harbor', 'A sheltered place for ships.', 'The boat rested in the harbor.');
select audio_test.add_word(2, 'lantern', 'A lamp with a case.', 'She lit the lantern.');
create temporary table t_a on commit drop as
  select * from audio_test.create_batch(array[1]);
create temporary table t_b on commit drop as
  select * from audio_test.create_batch(array[2], p_kinds => array['word']);

-- Batch A: word done elsewhere, definition cancelled, sentence still queued.
update public.audio_segments set status = 'done', storage_path = 'p/x.mp3', bytes = 1
where batch_id = (select batch_id from t_a) and kind = 'word';
update public.audio_segments set status = 'cancelled'
where batch_id = (select batch_id from t_a) and kind = 'definition';
-- Batch B: cancel requested while its segment is still queued (a worker sees it before cleanup).
update public.audio_batches set cancel_requested_at = now() where id = (select batch_id from t_b);
-- A message for a segment that no longer exists.
create temporary table t_orphan on commit drop as
  select audio_test.send_message(-42) as msg_id;

create temporary table t_claimed on commit drop as select * from audio.claim_segments(10, 300);

select results_eq('select segment_id from t_claimed',
  $$select id from public.audio_segments where batch_id = (select batch_id from t_a) and kind = 'sentence'$$,
  'only the live segment is returned');

select is_empty(
  $$select 1 from pgmq.q_audio_segments as q join public.audio_segments as s on s.msg_id = q.msg_id
    where s.batch_id = (select batch_id from t_a) and s.kind = 'word'$$,
  'the done segment''s message is deleted');
select is_empty(
  $$select 1 from pgmq.q_audio_segments as q join public.audio_segments as s on s.msg_id = q.msg_id
    where s.batch_id = (select batch_id from t_a) and s.kind = 'definition'$$,
  'the cancelled segment''s message is deleted');
select is_empty(
  $$select 1 from pgmq.q_audio_segments where msg_id = (select msg_id from t_orphan)$$,
  'the message of a segment that does not exist is deleted');

select results_eq(
  $$select status, finished_at is not null from public.audio_segments where batch_id = (select batch_id from t_b)$$,
  $$values ('cancelled', true)$$,
  'a queued segment of a cancel-requested batch becomes cancelled');
select is_empty(
  $$select 1 from pgmq.q_audio_segments as q join public.audio_segments as s on s.msg_id = q.msg_id
    where s.batch_id = (select batch_id from t_b)$$,
  'and its message is deleted');

select is_empty('select 1 from pgmq.a_audio_segments where msg_id in (select msg_id from public.audio_segments where batch_id in ((select batch_id from t_a), (select batch_id from t_b)))',
  'none of these clean-ups archives (the archive is for failures)');

select * from finish();
rollback;
