-- audio.claim_segments: within a batch, messages go out in the order the batch queued them
-- (segment id order), and a message that comes back (visibility ran out, handed back, a worker
-- died mid-request) goes out again before the batch's later ones.
begin;
\ir ../fixtures.psql
select plan(4);

select audio_test.clear_work();

select count(audio_test.add_word(n, 'word ' || n)) from generate_series(1, 6) as n;
create temporary table t_batch on commit drop as
  select batch_id from audio_test.create_batch(array[1, 2, 3, 4, 5, 6], array['word']);
create temporary table t_label on commit drop as
  select s.id as segment_id, s.msg_id, 'S' || row_number() over (order by s.id) as label
  from public.audio_segments as s where s.batch_id = (select batch_id from t_batch);

create function pg_temp.claim(p_qty integer, p_vt_s integer) returns text[] language sql as $$
  select array_agg(l.label order by c.ordinality)
  from audio.claim_segments(p_qty, p_vt_s) with ordinality as c join t_label as l using (segment_id)
$$;

select is(pg_temp.claim(2, 300), array['S1', 'S2'], 'the first claim takes the first two segments');
-- S3 and S4 are claimed with no visibility: as if their worker died at once.
select is(pg_temp.claim(2, 0), array['S3', 'S4'], 'the next claim the next two');

-- S1 is handed back; S2's worker dies mid-request (generating, its message visible again).
select audio.return_messages(array[(select msg_id from t_label where label = 'S1')]);
update public.audio_segments set status = 'generating' where id = (select segment_id from t_label where label = 'S2');
update pgmq.q_audio_segments set vt = clock_timestamp() - interval '1 second'
where msg_id = (select msg_id from t_label where label = 'S2');

select is(pg_temp.claim(5, 300), array['S1', 'S2', 'S3', 'S4', 'S5'],
  'messages that came back go out again in the batch''s order, before the later ones');
select is(pg_temp.claim(5, 300), array['S6'], 'then the rest');

select * from finish();
rollback;
