-- A segments message whose list would take more than broadcast_changes_max_bytes() of JSON text
-- (errors made of control characters, written \u00XX: 6 bytes each) lists none and says
-- more: true, as past the cap of changes, so it stays within Realtime's payload limit (256 KB,
-- Free) whatever the changes hold; the page re-reads the segments instead.
begin;
\ir ../fixtures.psql
select plan(4);

select audio_test.clear_work();
-- 100 words, word and definition: 200 segments, the cap, each begun.
create temporary table t_seg on commit drop as select * from audio_test.begun_segments(100);

-- 2,000 characters each, of which the 200 sent take 1,200 bytes: 200 changes of about 1,340
-- bytes, over the bound.
select count(*) from t_seg as s where audio.fail_segment(s.id, s.msg_id, repeat(chr(1), 2000));
select audio_test.at_commit();

create temporary table t_msg on commit drop as
  select payload from realtime.messages
  where topic = 'batch:' || (select batch_id from t_seg limit 1) and event = 'segments'
    and (payload ->> 'seq')::integer = (select seq - 1 from audio.batch_broadcasts
                                        where batch_id = (select batch_id from t_seg limit 1));

select is((select jsonb_array_length(payload -> 'changes') from t_msg), 0, 'none listed');
select is((select payload -> 'more' from t_msg), 'true'::jsonb, 'more: true');
select cmp_ok((select octet_length(payload::text) from t_msg), '<=', 256000,
  'the message is within 256,000 bytes');
select is(audio.broadcast_changes_max_bytes(), 200000, 'the bound');

select * from finish();
rollback;
