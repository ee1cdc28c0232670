-- audio.queue_depth: "visible" means what pgmq.read would hand out now. pgmq stamps messages
-- with clock_timestamp() and reads with vt <= clock_timestamp(); counting with now() (the start
-- of the transaction) would miss every message sent earlier in the same transaction, so
-- queue_depth compares with clock_timestamp() too.
begin;
\ir ../fixtures.psql
select plan(1);

select audio_test.clear_work();
select audio_test.add_word(1, 'harbor');
select * from audio_test.create_batch(array[1]);

select results_eq('select visible, total from audio.queue_depth()', $$values (1::bigint, 1::bigint)$$,
  'a message sent earlier in this transaction (claimable by pgmq.read) counts as visible');

select * from finish();
rollback;
