-- audio.begin_attempt and identical content: a segment with the same text that is `generating`
-- but has not moved for longer than a lease (its worker died mid-request) no longer makes others
-- wait — the next segment with that text goes, instead of waiting for audio that never comes.
begin;
\ir ../fixtures.psql
select plan(3);

select audio_test.clear_work();

select audio_test.add_word(1, 'echo');
select audio_test.add_word(2, 'echo');
create temporary table t_batch on commit drop as
  select * from audio_test.create_batch(array[1, 2], array['word']);
create temporary table t_claim on commit drop as
  select row_number() over (order by segment_id) as n, * from audio.claim_segments(2, 300);

select results_eq(
  $$select outcome from audio.begin_attempt((select segment_id from t_claim where n = 1),
    (select msg_id from t_claim where n = 1), 'worker-a', 3, 60, 600)$$,
  $$values ('go')$$, 'segment 1 goes');
-- While segment 1 is fresh, segment 2 (same text) waits.
select results_eq(
  $$select outcome from audio.begin_attempt((select segment_id from t_claim where n = 2),
    (select msg_id from t_claim where n = 2), 'worker-b', 3, 60, 600)$$,
  $$values ('wait')$$, 'a fresh generating copy makes the same text wait');

-- worker-a died long ago: its permit's lease and segment 1's last change are older than a lease.
update audio.permits set expires_at = now() - interval '1 minute' where holder = 'worker-a';
alter table public.audio_segments disable trigger user;
update public.audio_segments set updated_at = now() - interval '5 minutes'
where id = (select segment_id from t_claim where n = 1);
alter table public.audio_segments enable trigger user;

select results_eq(
  $$select outcome from audio.begin_attempt((select segment_id from t_claim where n = 2),
    (select msg_id from t_claim where n = 2), 'worker-b', 3, 60, 600)$$,
  $$values ('go')$$, 'the stale copy no longer blocks: segment 2 goes');

select * from finish();
rollback;
