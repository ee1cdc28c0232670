-- audio.retry_failed: a batch's failed segments are queued again (attempts and error reset, a new
-- message each) and the batch runs again; done segments stay done. A batch without failures
-- queues nothing; a cancelled batch and an unknown id are refused.
begin;
\ir ../fixtures.psql
select plan(8);

select audio_test.clear_work();
select audio_test.add_word(1, 'harbor', 'A sheltered place for ships.', 'The boat rested in the harbor.');
create temporary table t_batch on commit drop as select * from audio_test.create_batch(array[1]);
create temporary table t_seg on commit drop as
  select id, kind, msg_id from public.audio_segments where batch_id = (select batch_id from t_batch);
select audio.complete_segment(s.id, s.msg_id, 'p/w.mp3', 10) from t_seg as s where s.kind = 'word';
select audio.begin_attempt(s.id, s.msg_id, 'worker-a', 3, 60, 600) from t_seg as s where s.kind <> 'word';
select audio.fail_segment(s.id, s.msg_id, 'cartesia 500: try later') from t_seg as s where s.kind <> 'word';
select is((select status from public.audio_batches where id = (select batch_id from t_batch)), 'completed_with_errors',
  'precondition: the batch finished with two failures');

select is(audio.retry_failed((select batch_id from t_batch)), 2, 'returns how many were queued again');
select results_eq(
  $$select kind, status, attempts, last_error, finished_at is null, msg_id is distinct from (select t.msg_id from t_seg as t where t.id = s.id)
    from public.audio_segments as s where s.batch_id = (select batch_id from t_batch) order by s.id$$,
  $$values ('word', 'done', 0, null::text, false, false), ('definition', 'queued', 0, null::text, true, true),
    ('sentence', 'queued', 0, null::text, true, true)$$,
  'failed segments are queued with attempts and error reset and a new message; the done one is untouched');
select is(
  (select count(*)::integer from public.audio_segments as s join pgmq.q_audio_segments as q
     on q.msg_id = s.msg_id and (q.message ->> 'segment_id')::bigint = s.id
   where s.batch_id = (select batch_id from t_batch) and s.status = 'queued'),
  2, 'each has a queue message naming it');
select results_eq(
  $$select status, done, failed, finished_at is null from public.audio_batches where id = (select batch_id from t_batch)$$,
  $$values ('running', 1, 0, true)$$, 'the batch uncounts the failures and runs again');

select is(audio.retry_failed((select batch_id from t_batch)), 0, 'no failed segment left: 0');

select audio.cancel_batch((select batch_id from t_batch));
select throws_ok(format('select audio.retry_failed(%L)', (select batch_id from t_batch)), '55000', null,
  'a cancelled batch is refused');
select throws_ok($$select audio.retry_failed('99000000-0000-4000-8000-0000000000ff')$$, 'P0002',
  'audio.retry_failed: no batch with id 99000000-0000-4000-8000-0000000000ff', 'an unknown batch is refused');

select * from finish();
rollback;
