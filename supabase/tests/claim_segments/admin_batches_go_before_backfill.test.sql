-- audio.claim_segments: messages of admin batches are handed out before those of backfill
-- batches, even when the backfill was queued first; what the admin batches leave of a claim goes
-- to the backfill, so the plan never idles while backfill work waits.
begin;
\ir ../fixtures.psql
select plan(5);

select audio_test.clear_work();
select audio_test.store_defaults();

-- The nightly backfill (words 1-4), queued a minute before the admin's batch (words 5-6).
select count(audio_test.add_word(n, 'backfill ' || n)) from generate_series(1, 4) as n;
create temporary table t_backfill on commit drop as
  select audio.enqueue_missing(p_grade => 99::smallint, p_kinds => array['word']) as batch_id;
update public.audio_batches set created_at = now() - interval '1 minute'
where id = (select batch_id from t_backfill);
select count(audio_test.add_word(n, 'admin ' || n)) from generate_series(5, 6) as n;
create temporary table t_admin on commit drop as
  select batch_id from audio_test.create_batch(array[5, 6], array['word']);

-- Each segment named by its batch and its place in it: B1..B4 (backfill), A1, A2 (admin).
create temporary table t_label on commit drop as
  select s.id as segment_id,
    case when s.batch_id = (select batch_id from t_admin) then 'A' else 'B' end
      || row_number() over (partition by s.batch_id order by s.id) as label
  from public.audio_segments as s
  where s.batch_id in ((select batch_id from t_admin), (select batch_id from t_backfill));

select is((select source from public.audio_batches where id = (select batch_id from t_backfill)), 'backfill',
  'precondition: the older batch is a backfill');

select results_eq(
  'select l.label from audio.claim_segments(1, 300) as c join t_label as l using (segment_id)',
  $$values ('A1')$$,
  'a claim of one takes the admin batch''s first segment, not the older backfill''s');
select results_eq(
  $$select array_agg(l.label order by c.ordinality) from audio.claim_segments(3, 300) with ordinality as c
    join t_label as l using (segment_id)$$,
  $$values (array['A2', 'B1', 'B2'])$$,
  'the admin batch''s rest comes first; the backfill fills the claim');

-- Another admin batch arrives while the backfill is half done: it goes ahead of the backfill.
select audio_test.add_word(7, 'admin 7');
create temporary table t_admin2 on commit drop as
  select batch_id from audio_test.create_batch(array[7], array['word']);
select results_eq(
  $$select c.batch_id from audio.claim_segments(1, 300) as c$$,
  'select batch_id from t_admin2',
  'an admin batch queued later still goes before the waiting backfill');

select results_eq(
  $$select array_agg(l.label order by c.ordinality) from audio.claim_segments(10, 300) with ordinality as c
    join t_label as l using (segment_id)$$,
  $$values (array['B3', 'B4'])$$,
  'then the backfill completes, in its own order');

select * from finish();
rollback;
