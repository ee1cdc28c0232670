-- audio.read_in_turn: live batches' messages first, each read as pgmq.read reads it (hidden for the
-- visibility timeout, read count up by one); then, when the claim has room, any other visible
-- message (a poison body, a message whose segment is settled) by pgmq.read, oldest first, so that
-- claim_segments still sees and archives or deletes them.
begin;
\ir ../fixtures.psql
select plan(5);

select audio_test.clear_work();

-- Older than the live batch's messages: a poison body, and the message of a segment since done.
create temporary table t_other on commit drop as
  select audio_test.send_message(-7) as msg_id, 'poison' as what;
select count(audio_test.add_word(n::integer, w)) from unnest(array['harbor', 'lantern', 'meadow']) with ordinality as x (w, n);
create temporary table t_done on commit drop as
  select batch_id from audio_test.create_batch(array[3], array['word']);
update public.audio_segments set status = 'done', storage_path = 'p/x.mp3', bytes = 1
where batch_id = (select batch_id from t_done);
-- Its batch is completed (not live); the message create_batch sent for it is still queued.
insert into t_other
  select s.msg_id, 'settled' from public.audio_segments as s
  where s.batch_id = (select batch_id from t_done);
create temporary table t_batch on commit drop as
  select batch_id from audio_test.create_batch(array[1, 2], array['word']);
create temporary table t_live on commit drop as
  select s.msg_id from public.audio_segments as s where s.batch_id = (select batch_id from t_batch);

select results_eq(
  'select r.msg_id from audio.read_in_turn(1, 300) as r',
  'select min(msg_id) from t_live',
  'a claim of one takes the live batch''s message, not an older message no batch names');

create temporary table t_read on commit drop as
  select o.msg_id, o.read_ct, o.vt, o.ordinality as n from audio.read_in_turn(10, 300) with ordinality as o;
select results_eq(
  'select msg_id from t_read order by n',
  $$select * from (select max(msg_id) from t_live) as l
    union all (select msg_id from t_other order by msg_id)$$,
  'with room left, the batch''s next message, then the others, oldest first');
select is((select bool_and(read_ct = 1 and vt > now() + interval '200 seconds') from t_read), true,
  'each was read as pgmq.read reads: read count 1, hidden for the visibility timeout');
select is((select count(*)::integer from audio.read_in_turn(10, 300)), 0, 'nothing visible is left');

select results_eq(
  $$select count(*)::integer from pgmq.q_audio_segments where vt > now() + interval '200 seconds'$$,
  $$values (4)$$,
  'every message in the queue is hidden (none was read twice or skipped)');

select * from finish();
rollback;
