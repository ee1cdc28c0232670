-- The paced allowance keeps a batch's messages within a quarter of a message per segment: paced
-- messages never exceed total/4 - 12 (12 kept for status changes), are earned as segments finish,
-- and small batches get none (their status changes alone report them).
begin;
\ir ../fixtures.psql
select plan(7);

select is(audio.broadcast_paced_allowance(0, 0), 0, 'an empty batch: none');
select is(audio.broadcast_paced_allowance(40, 40), 0, '40 segments: none (the status changes suffice)');
select is(audio.broadcast_paced_allowance(1092, 0), 2, '1,092 segments, none finished: the first two');
select is(audio.broadcast_paced_allowance(1092, 546), 132, 'half finished: half of 261, plus two');
select is(audio.broadcast_paced_allowance(1092, 1092), 261, 'all finished: 1092/4 - 12');
select is(audio.broadcast_paced_allowance(1092, 5000), 261, 'never past the budget');
select is(
  (select count(*)::integer from generate_series(1, 3000) as t(total)
   cross join lateral generate_series(0, t.total, greatest(t.total / 7, 1)) as s(settled)
   where audio.broadcast_paced_allowance(t.total, s.settled) + 12 > greatest(t.total / 4, 12)
      or audio.broadcast_paced_allowance(t.total, s.settled) > audio.broadcast_paced_allowance(t.total, s.settled + 1)),
  0,
  'for every size: paced + 12 within total/4 (or 12), never shrinking as segments finish');

select * from finish();
rollback;
