-- audio.claim_segments with excused deliveries: a message that only waited (begin_attempt's wait,
-- another worker's permit still live) or was handed back unstarted (return_messages without an
-- error) is delivered again however often that happens; the limit counts the other deliveries.
begin;
\ir ../fixtures.psql
select plan(5);

select audio_test.clear_work();

select audio_test.add_word(1, 'harbor');
create temporary table t_batch on commit drop as
  select * from audio_test.create_batch(array[1], array['word']);
create temporary table t_claim on commit drop as select * from audio.claim_segments(1, 0, 2);

-- worker-a's request is slow: its permit covers the segment while the message comes back.
select is((select outcome from audio.begin_attempt((select segment_id from t_claim), (select msg_id from t_claim),
  'worker-a', 3, 60, 0)), 'go', 'worker-a goes (its message visible again at once, as if redelivered)');

-- Five deliveries to worker-b, each a wait (wait 0: the message is visible again at once).
create function pg_temp.deliver_and_wait() returns text language sql as $$
  select b.outcome from audio.claim_segments(1, 0, 2) as c,
    lateral audio.begin_attempt(c.segment_id, c.msg_id, 'worker-b', 3, 60, 600, 0) as b
$$;
select results_eq(
  $$select pg_temp.deliver_and_wait() from generate_series(1, 5)$$,
  $$values ('wait'), ('wait'), ('wait'), ('wait'), ('wait')$$,
  'five deliveries past a limit of 2, each a wait: each is delivered');

-- Five more, each handed back unstarted (a stopping worker).
create function pg_temp.deliver_and_hand_back() returns integer language sql as $$
  select audio.return_messages(array[c.msg_id]) from audio.claim_segments(1, 300, 2) as c
$$;
select results_eq(
  $$select pg_temp.deliver_and_hand_back() from generate_series(1, 5)$$,
  $$values (1), (1), (1), (1), (1)$$,
  'five hand-backs without an error: each is delivered');

select results_eq(
  $$select read_ct, reads from pgmq.q_audio_segments join audio.excused_reads using (msg_id)$$,
  $$values (11, 10)$$, '11 reads, 10 of them excused');

select results_eq(
  $$select status, last_error from public.audio_segments where id = (select segment_id from t_claim)$$,
  $$values ('generating', null::text)$$, 'the segment is still live, with no error');

select * from finish();
rollback;
