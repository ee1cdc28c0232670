-- audio.begin_attempt, outcome gone: a redelivered message whose segment is already finished (or
-- no longer exists) is deleted without a provider call, permit or attempt.
begin;
\ir ../fixtures.psql
select plan(6);

select audio_test.clear_work();

select audio_test.add_word(1, 'harbor');
create temporary table t_batch on commit drop as
  select * from audio_test.create_batch(array[1]);
create temporary table t_seg on commit drop as
  select id, msg_id from public.audio_segments where batch_id = (select batch_id from t_batch);

-- Another worker finished it but its delete of the message was lost.
update public.audio_segments set status = 'done', attempts = 1, storage_path = 'p/x.mp3', bytes = 1
where id = (select id from t_seg);

select results_eq(
  $$select outcome, slot from audio.begin_attempt((select id from t_seg), (select msg_id from t_seg), 'worker-a', 3, 60, 600)$$,
  $$values ('gone', null::integer)$$, 'gone, no slot');
select results_eq(
  $$select status, attempts from public.audio_segments where id = (select id from t_seg)$$,
  $$values ('done', 1)$$, 'the finished segment is untouched (attempts not incremented)');
select is_empty('select 1 from pgmq.q_audio_segments where msg_id = (select msg_id from t_seg)', 'message deleted');
select is((select count(*)::integer from audio.permits where holder is not null), 0, 'no permit taken');

create temporary table t_orphan on commit drop as
  select audio_test.send_message(-42) as msg_id;
select results_eq(
  $$select outcome from audio.begin_attempt(-42, (select msg_id from t_orphan), 'worker-a', 3, 60, 600)$$,
  $$values ('gone')$$, 'a segment that does not exist is gone');
select is_empty('select 1 from pgmq.q_audio_segments where msg_id = (select msg_id from t_orphan)', 'and its message deleted');

select * from finish();
rollback;
