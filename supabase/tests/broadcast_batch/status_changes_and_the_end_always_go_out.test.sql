-- A batch's creation and each status change are broadcast at once, even inside the interval:
-- the list row on batches, the waiting segment changes, and progress with the batch row's
-- counters; the final state always goes out; seq grows by one per message on batch:<id>.
-- (Broadcasts run at commit: audio_test.at_commit() stands for each commit.)
begin;
\ir ../fixtures.psql
select plan(9);

select audio_test.add_word(1, 'harbor', 'A sheltered place for ships.', 'The boat rested in the harbor.');
create temporary table t_batch on commit drop as select * from audio_test.create_batch(array[1]);
select audio_test.at_commit();
create function pg_temp.sent(p_since integer default 0)
returns table (n integer, topic text, event text, payload jsonb)
language sql
as $$
  select x.n, x.topic, x.event, x.payload from (
    select (row_number() over (order by m.ctid))::integer as n, m.topic, m.event, m.payload
    from realtime.messages as m
    where m.topic = 'batch:' || (select batch_id from t_batch)
       or (m.topic = 'batches' and m.payload ->> 'id' = (select batch_id::text from t_batch))
  ) as x where x.n > p_since order by x.n
$$;

select results_eq(
  $$ select topic, event, payload ->> 'status', (payload ->> 'seq')::integer, (payload ->> 'total')::integer
     from pg_temp.sent() $$,
  $$ values ('batches', 'batch', 'queued', null::integer, 3),
            ('batch:' || (select batch_id from t_batch), 'progress', 'queued', 1, 3) $$,
  'creation: the list row and the first progress, with the final total');

-- Well inside the interval: a status change still goes out.
update audio.batch_broadcasts set sent_at = clock_timestamp() + interval '1 hour'
where batch_id = (select batch_id from t_batch);
update public.audio_segments set status = 'generating'
where id = (select min(id) from public.audio_segments where batch_id = (select batch_id from t_batch));
select audio_test.at_commit();
select results_eq(
  $$ select event, payload ->> 'status', (payload ->> 'seq')::integer, (payload ->> 'in_flight')::integer
     from pg_temp.sent(2) $$,
  $$ values ('batch', 'running', null::integer, null::integer), ('segments', null, 2, null),
            ('progress', 'running', 3, 1) $$,
  'running: the list row, the segment that started, progress with one in flight');
select is(
  (select payload -> 'changes' from pg_temp.sent(2) where event = 'segments'),
  (select jsonb_build_array(jsonb_build_object('id', s.id, 'word_id', s.word_id, 'kind', s.kind,
     'status', 'generating')) from public.audio_segments as s
   where s.id = (select min(id) from public.audio_segments where batch_id = (select batch_id from t_batch))),
  'the segment change names id, word_id, kind and status (no storage_path or error while unset)');

update audio.batch_broadcasts set sent_at = clock_timestamp() + interval '1 hour'
where batch_id = (select batch_id from t_batch);
select audio.cancel_batch((select batch_id from t_batch));
select audio_test.at_commit();
select results_eq(
  $$ select event, payload ->> 'status', (payload ->> 'seq')::integer from pg_temp.sent(5) $$,
  $$ values ('batch', 'cancelled', null::integer), ('segments', null, 4), ('progress', 'cancelled', 5) $$,
  'the end goes out at once: list row, segments, progress');
select is(
  (select payload - 'id' - 'seq' - 'batch_id' - 'updated_at' from pg_temp.sent(5) where event = 'progress'),
  (select jsonb_build_object('status', b.status, 'total', b.total, 'done', b.done, 'failed', b.failed,
     'cancelled', b.cancelled, 'skipped', b.skipped, 'in_flight', 0)
   from public.audio_batches as b where b.id = (select batch_id from t_batch)),
  'the last progress equals the batch row, nothing in flight');
select is(
  (select (payload ->> 'updated_at')::timestamptz from pg_temp.sent(5) where event = 'progress'),
  (select updated_at from public.audio_batches where id = (select batch_id from t_batch)),
  'and carries the row''s updated_at');
select is(
  (select jsonb_agg(c ->> 'status' order by c ->> 'id') from pg_temp.sent(5) as m,
     jsonb_array_elements(m.payload -> 'changes') as c where m.event = 'segments'),
  '["cancelled", "cancelled", "cancelled"]'::jsonb,
  'each segment once, with its latest status');

-- Nothing new: another call sends nothing.
select is(audio.broadcast_batch((select batch_id from t_batch)), 0, 'nothing new, nothing sent');
select is((select count(*)::integer from pg_temp.sent()), 8, 'eight messages in all');

select * from finish();
rollback;
