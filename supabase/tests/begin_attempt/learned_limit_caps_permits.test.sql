-- audio.begin_attempt under a learned limit: with the limit learned at 2 and a caller's limit of
-- 6, a third request gets no permit while two are in flight (whatever slots they hold) and gets
-- one when a request ends. The permit rule is least(p_limit, the learned limit).
begin;
\ir ../fixtures.psql
select plan(3);

select audio_test.clear_work();
update audio.concurrency_limit set effective = 2, limited_at = now(), probed_at = null, pinned = false;

select audio_test.add_word(1, 'harbor');
create temporary table t_batch on commit drop as select * from audio_test.create_batch(array[1]);
create temporary table t_claim on commit drop as select * from audio.claim_segments(1, 30);

-- Two requests in flight, on slots 4 and 5 (taken before the limit was learned).
update audio.permits set holder = 'worker-b', segment_id = -slot, acquired_at = now(), expires_at = now() + interval '1 minute'
where slot in (4, 5);
select results_eq(
  $$select outcome, slot from audio.begin_attempt((select segment_id from t_claim), (select msg_id from t_claim), 'worker-a', 6, 60, 600)$$,
  $$values ('no_permit', null::integer)$$, 'two in flight fill a learned limit of 2');
select is(
  (select attempts from public.audio_segments where id = (select segment_id from t_claim)), 0, 'nothing counted');

select audio.release_permit(5, 'worker-b');
select results_eq(
  $$select outcome, slot from audio.begin_attempt((select segment_id from t_claim), (select msg_id from t_claim), 'worker-a', 6, 60, 600)$$,
  $$values ('go', 1)$$, 'one request ended: a permit');

select * from finish();
rollback;
