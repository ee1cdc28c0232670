-- Changes that keep the status are coalesced: inside the interval they wait (the batch is marked
-- dirty, its segment changes held); once the interval has passed, a worker's heartbeat flushes
-- them in one segments and one progress message; past the paced allowance they wait even when
-- the interval has passed. (The interval is stepped over by moving sent_at, never by waiting;
-- audio_test.at_commit() stands for each commit, when broadcasts run.)
begin;
\ir ../fixtures.psql
select plan(9);

-- 60 words of three kinds: 180 segments, a paced allowance of 180/4 - 12 = 33.
select audio_test.add_word(n, 'word' || n, 'definition ' || n, 'sentence ' || n)
from generate_series(1, 60) as n;
create temporary table t_batch on commit drop as
  select * from audio_test.create_batch(array(select generate_series(1, 60)));
select audio_test.at_commit();
create function pg_temp.messages() returns integer language sql as $$
  select count(*)::integer from realtime.messages
  where topic = 'batch:' || (select batch_id from t_batch)
$$;
create function pg_temp.segment(p_n integer) returns bigint language sql as $$
  select id from public.audio_segments where batch_id = (select batch_id from t_batch)
  order by id offset p_n - 1 limit 1
$$;
create function pg_temp.inside_interval() returns void language sql as $$
  update audio.batch_broadcasts set sent_at = clock_timestamp() + interval '1 hour'
  where batch_id = (select batch_id from t_batch)
$$;
create function pg_temp.interval_passed() returns void language sql as $$
  update audio.batch_broadcasts set sent_at = clock_timestamp() - interval '1 second'
  where batch_id = (select batch_id from t_batch)
$$;

select is(audio.broadcast_interval(), interval '500 milliseconds', 'the interval: half a second');
update public.audio_segments set status = 'generating' where id = pg_temp.segment(1);
select audio_test.at_commit();
select is(pg_temp.messages(), 3, 'creation and running: progress, segments, progress');

select pg_temp.inside_interval();
update public.audio_segments set status = 'done', storage_path = 'v/m/mp3/a.mp3' where id = pg_temp.segment(1);
select audio_test.at_commit();
update public.audio_segments set status = 'generating' where id = pg_temp.segment(2);
select audio_test.at_commit();
select is(pg_temp.messages(), 3, 'inside the interval, a change that keeps the status waits');
select ok((select dirty and jsonb_array_length(changes) = 2 from audio.batch_broadcasts
           where batch_id = (select batch_id from t_batch)),
  'the batch is marked dirty with both segment changes held');

select audio.worker_heartbeat('test-worker');
select audio_test.at_commit();
select is(pg_temp.messages(), 3, 'a heartbeat inside the interval flushes nothing');

select pg_temp.interval_passed();
select audio.worker_heartbeat('test-worker');
select audio_test.at_commit();
select results_eq(
  $$ select event, (payload ->> 'seq')::integer, coalesce(payload ->> 'done', jsonb_array_length(payload -> 'changes')::text)
     from realtime.messages where topic = 'batch:' || (select batch_id from t_batch)
     order by (payload ->> 'seq')::integer offset 3 $$,
  $$ values ('segments', 4, '2'), ('progress', 5, '1') $$,
  'once the interval has passed, the heartbeat sends the held changes and the new counts');
select is(
  (select c from realtime.messages as m, jsonb_array_elements(m.payload -> 'changes') as c
   where m.topic = 'batch:' || (select batch_id from t_batch) and m.event = 'segments'
     and (c ->> 'status') = 'done'),
  (select jsonb_build_object('id', s.id, 'word_id', s.word_id, 'kind', s.kind, 'status', 'done',
     'storage_path', 'v/m/mp3/a.mp3') from public.audio_segments as s where s.id = pg_temp.segment(1)),
  'a finished segment''s change carries its storage_path');

-- Two paced messages are spent; with two segments finished the allowance is 33 * 2 / 180 + 2 = 2.
select pg_temp.interval_passed();
update public.audio_segments set status = 'done' where id = pg_temp.segment(2);
select audio_test.at_commit();
select is(pg_temp.messages(), 5, 'past the paced allowance the change waits although the interval passed');
update public.audio_segments set status = 'done' where id in (select pg_temp.segment(n) from generate_series(3, 30) as n);
select audio_test.at_commit();
select is(pg_temp.messages(), 7, 'once more segments have finished, the held changes go out');

select * from finish();
rollback;
