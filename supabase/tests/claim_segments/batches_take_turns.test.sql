-- audio.claim_segments: concurrent batches of the same kind take turns (round-robin). Claim by
-- claim the batch served least recently goes first; within one claim every batch's first segment
-- comes before any batch's second; a batch never served yet goes first of all. The turns of
-- batches no longer live are forgotten.
begin;
\ir ../fixtures.psql
select plan(6);

select audio_test.clear_work();

select count(audio_test.add_word(n, 'word ' || n)) from generate_series(1, 11) as n;
-- Two admin batches of four segments: A (the older) and B.
create temporary table t_a on commit drop as
  select batch_id from audio_test.create_batch(array[1, 2, 3, 4], array['word']);
create temporary table t_b on commit drop as
  select batch_id from audio_test.create_batch(array[5, 6, 7, 8], array['word']);
update public.audio_batches set created_at = now() - interval '2 minutes' where id = (select batch_id from t_a);
update public.audio_batches set created_at = now() - interval '1 minute' where id = (select batch_id from t_b);

create temporary table t_label on commit drop as
  select s.id as segment_id,
    case s.batch_id when (select batch_id from t_a) then 'A' when (select batch_id from t_b) then 'B' else 'C' end
      || row_number() over (partition by s.batch_id order by s.id) as label
  from public.audio_segments as s where s.word_id in (select audio_test.word_id(n) from generate_series(1, 11) as n);

create temporary table t_claims (claim integer, n bigint, label text) on commit drop;
create function pg_temp.claim(p_claim integer, p_qty integer) returns void language sql as $$
  insert into t_claims select p_claim, c.ordinality, l.label
  from audio.claim_segments(p_qty, 300) with ordinality as c join t_label as l using (segment_id)
$$;

select pg_temp.claim(1, 1);
select pg_temp.claim(2, 1);
select pg_temp.claim(3, 1);
select results_eq(
  'select array_agg(label order by claim, n) from t_claims',
  $$values (array['A1', 'B1', 'A2'])$$,
  'claims of one alternate between the batches, the older one first');

select pg_temp.claim(4, 3);
select results_eq(
  'select array_agg(label order by n) from t_claims where claim = 4',
  $$values (array['B2', 'A3', 'B3'])$$,
  'a claim of three goes on from the batch whose turn it is, one of each in turn');

-- A third batch (words 9-11) arrives: never served, it goes first; then A and B in their turns.
create temporary table t_c on commit drop as
  select batch_id from audio_test.create_batch(array[9, 10, 11], array['word']);
insert into t_label
  select s.id, 'C' || row_number() over (order by s.id) from public.audio_segments as s
  where s.batch_id = (select batch_id from t_c);
select pg_temp.claim(5, 3);
select results_eq(
  'select array_agg(label order by n) from t_claims where claim = 5',
  $$values (array['C1', 'A4', 'B4'])$$,
  'a new batch goes first, then the others in turn');

-- The turn of a batch that is gone (deleted, or finished) is left from an earlier claim.
insert into audio.claim_turns (batch_id, claim_no, claim_pos) values (gen_random_uuid(), 1, 1);
select pg_temp.claim(6, 5);
select results_eq(
  'select array_agg(label order by n) from t_claims where claim = 6',
  $$values (array['C2', 'C3'])$$,
  'a batch left alone takes the whole claim');

select results_eq(
  'select batch_id from audio.claim_turns order by batch_id',
  'select batch_id from (select batch_id from t_a union all select batch_id from t_b union all select batch_id from t_c) as l order by batch_id',
  'a claim forgets the turns of batches no longer live, and keeps the live ones''');
select results_eq(
  $$select array_agg(label order by claim, n) filter (where label like 'A%'),
      array_agg(label order by claim, n) filter (where label like 'B%')
    from t_claims$$,
  $$values (array['A1', 'A2', 'A3', 'A4'], array['B1', 'B2', 'B3', 'B4'])$$,
  'each batch''s own segments still come first in, first out');

select * from finish();
rollback;
