-- audio.read_in_turn: the messages its fallback reads (those no live batch's segment names) come
-- back oldest first (msg_id order) even when pgmq.read returns them in another order. pgmq 1.5.1's
-- read picks the oldest visible messages but returns its UPDATE ... RETURNING rows unsorted, so
-- here pgmq.read is made to hand its rows back newest first, an order the real one may yield.
begin;
\ir ../fixtures.psql
select plan(3);

select audio_test.clear_work();

-- pgmq.read as installed, with its rows handed back newest first (for this transaction only).
alter function pgmq.read(text, integer, integer, jsonb) rename to read_as_installed;
create function pgmq.read(queue_name text, vt integer, qty integer, conditional jsonb default '{}')
returns setof pgmq.message_record
language sql
as $$
  select * from pgmq.read_as_installed(queue_name, vt, qty, conditional) as r order by r.msg_id desc
$$;

-- Two probes show the order pgmq.read now returns; the read hides them from the claim below.
create temporary table t_probe on commit drop as
  select pgmq.send('audio_segments', '{"probe": true}'::jsonb, now() - interval '1 second') as msg_id
  from generate_series(1, 2);
select results_eq(
  $$select r.msg_id from pgmq.read('audio_segments', 300, 10, '{"probe": true}'::jsonb) as r$$,
  'select msg_id from t_probe order by msg_id desc',
  'pgmq.read, as this test has it, returns its rows newest first');

-- Messages no live batch's segment names (poison bodies: no such segment), so the claim reads
-- them all through its fallback.
create temporary table t_other on commit drop as
  select audio_test.send_message(-n) as msg_id from generate_series(1, 4) as n;

create temporary table t_read on commit drop as
  select o.msg_id, o.ordinality as n from audio.read_in_turn(10, 300) with ordinality as o;
select results_eq(
  'select msg_id from t_read order by n',
  'select msg_id from t_other order by msg_id',
  'the fallback hands them out oldest first');
select is((select count(*)::integer from audio.read_in_turn(10, 300)), 0,
  'each was read once: nothing visible is left');

select * from finish();
rollback;
