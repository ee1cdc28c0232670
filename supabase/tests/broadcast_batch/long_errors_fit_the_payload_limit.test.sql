-- A segments message listing as many changes as it may (broadcast_changes_cap()), every one a
-- failure with the longest error the database keeps (2,000 characters), stays within Realtime's
-- smallest payload limit (256 KB, Free): each error is sent as its first broadcast_error_chars()
-- characters and a "…", while the segment keeps the whole error. Realtime drops a larger message
-- without a word, and the page would miss these failures.
begin;
\ir ../fixtures.psql
select plan(6);

select audio_test.clear_work();
-- 100 words, word and definition: 200 segments, the cap, each begun.
create temporary table t_seg on commit drop as select * from audio_test.begun_segments(100);

-- Each error: 2,000 characters of UTF-8 up to 4 bytes long (8,000 bytes), distinct per segment.
create function pg_temp.error_of(p_id bigint)
returns text
language sql
immutable
as $$ select left('segment ' || p_id || ': ' || repeat('provider said "no" ü € 😀 ', 100), 2000) $$;
select count(*) from t_seg as s where audio.fail_segment(s.id, s.msg_id, pg_temp.error_of(s.id));
select audio_test.at_commit();

create temporary table t_msg on commit drop as
  select payload from realtime.messages
  where topic = 'batch:' || (select batch_id from t_seg limit 1) and event = 'segments'
    and payload -> 'changes' -> 0 ->> 'status' = 'failed';

select is((select count(*)::integer from t_msg), 1, 'the failures went out in one segments message');
select is((select jsonb_array_length(payload -> 'changes') from t_msg), audio.broadcast_changes_cap(),
  'listing all 200 (the cap), not more: true');
select cmp_ok((select octet_length(payload::text) from t_msg), '<=', 256000,
  'the message (as Realtime measures it: the payload''s JSON text) is at most 256,000 bytes');
select is(
  (select count(*)::integer from t_msg, jsonb_array_elements(payload -> 'changes') as c
   where c ->> 'error' = left(pg_temp.error_of((c ->> 'id')::bigint), audio.broadcast_error_chars()) || '…'),
  200,
  'each error is its first broadcast_error_chars() characters and a "…"');
select is(audio.broadcast_error_chars(), 200, 'the bound');
select is(
  (select count(*)::integer from public.audio_segments as s join t_seg using (id)
   where s.last_error = pg_temp.error_of(s.id)),
  200,
  'the segments keep the whole error');

select * from finish();
rollback;
