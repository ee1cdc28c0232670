-- The learned concurrency limit: one value for every worker, below or at the configured ceiling
-- (AUDIO_GENERATION_CONCURRENCY). A 429 that says the provider's concurrency limit was hit while N
-- requests are in flight lowers it to N - 1 at once; after a quiet period without such a 429 it
-- probes one step back up. audio.begin_attempt hands out permits under it.

create table audio.concurrency_limit (
  id boolean primary key default true check (id),
  -- The learned limit; null while it stands at the ceiling (nothing learned, or probed back up).
  effective integer check (effective >= 1),
  -- The ceiling the workers last reported (their AUDIO_GENERATION_CONCURRENCY).
  ceiling integer not null default 3 check (ceiling between 1 and audio.max_concurrency()),
  -- Pinned by setting: the limit is the ceiling, never lowered, never probed.
  pinned boolean not null default false,
  -- The last concurrency 429, and the last probe step up.
  limited_at timestamptz,
  probed_at timestamptz,
  changed_at timestamptz
);
comment on table audio.concurrency_limit is
  'One row: the concurrency limit learned from the provider''s 429s (null effective = at the ceiling).';
insert into audio.concurrency_limit (id) values (true);
alter table audio.concurrency_limit enable row level security;

-- Every concurrency 429 heard, for the "429s in the last minute" figure; kept an hour.
create table audio.concurrency_429s (
  id bigint generated always as identity primary key,
  at timestamptz not null default now(),
  -- Requests in flight (held, unexpired permits) when it was heard, this one included.
  in_flight integer not null,
  -- The effective limit after it (the ceiling while the limit stands there).
  limit_after integer not null
);
comment on table audio.concurrency_429s is
  'Concurrency 429s heard by the workers, with the requests in flight then; pruned after an hour.';
create index concurrency_429s_at on audio.concurrency_429s (at);
alter table audio.concurrency_429s enable row level security;

-- audio.permits_in_flight: provider requests in flight now, counted as permits held under a
-- running lease (an expired lease is a dead worker's, not a request).
create function audio.permits_in_flight()
returns integer
language sql
stable
security definer
set search_path = ''
as $$
  select count(*)::integer from audio.permits as p where p.holder is not null and p.expires_at >= now()
$$;
comment on function audio.permits_in_flight() is
  'Provider requests in flight: permits held under a running lease.';

-- audio.concurrency_limited: a request holding permit p_slot was answered 429 for the provider's
-- concurrency limit. Called before the permit is given back, so the count includes it. Outcomes
-- (the returned waits):
--   true   the limit is now at most N - 1 (N = requests in flight, this one included): the attempt
--          is taken back (not a failed attempt), the caller gives the permit back and asks for
--          another under the lower limit; no retry is spent
--   false  nothing to learn: the limit is pinned, or this request was alone in flight (N = 1, and
--          the limit never goes below 1): an ordinary 429, the caller backs off and retries
-- The row lock serialises concurrent 429s and each counts the requests still in flight, so two
-- 429s heard together lower the limit to what is in flight, never one step each below it.
-- Always recorded (audio.concurrency_429s), with the limit after it.
create function audio.concurrency_limited(
  p_slot integer,
  p_holder text,
  p_segment_id bigint,
  p_ceiling integer,
  p_pinned boolean default false
)
returns table (waits boolean, effective integer, in_flight integer)
language plpgsql
security definer
set search_path = ''
as $$
declare
  c audio.concurrency_limit;
  v_n integer;
  v_limit integer;
  v_waits boolean;
begin
  -- The segment's row before the limit's, in the order audio.begin_attempt takes them.
  perform 1 from public.audio_segments as seg where seg.id = p_segment_id for update;
  select * into c from audio.concurrency_limit where id for update;
  v_n := audio.permits_in_flight();
  v_limit := least(coalesce(c.effective, p_ceiling), p_ceiling);
  v_waits := not p_pinned and v_n > 1;
  if v_waits then
    v_limit := least(v_limit, v_n - 1);
    update audio.concurrency_limit as l
    set effective = case when v_limit >= p_ceiling then null else v_limit end,
      ceiling = p_ceiling, limited_at = now(),
      changed_at = case when v_limit is distinct from c.effective then now() else l.changed_at end
    where l.id;
    -- Not a failed attempt: begin_attempt counted it, so take it back (only while this holder's
    -- permit still covers the segment).
    update public.audio_segments as seg set attempts = greatest(seg.attempts - 1, 0)
    where seg.id = p_segment_id and seg.status = 'generating'
      and exists (
        select 1 from audio.permits as p
        where p.slot = p_slot and p.holder = p_holder and p.segment_id = p_segment_id
      );
  end if;
  insert into audio.concurrency_429s (in_flight, limit_after) values (v_n, v_limit);
  delete from audio.concurrency_429s as e where e.at < now() - interval '1 hour';
  return query select v_waits, v_limit, v_n;
end;
$$;
comment on function audio.concurrency_limited(integer, text, bigint, integer, boolean) is
  'A concurrency 429 with N in flight: limit to N - 1 (never below 1, not when pinned); waits = the attempt is taken back and the caller asks for another permit.';

-- audio.limit_tick: each worker calls it every few seconds with its settings. It records the
-- ceiling and the pin, and steps the limit up when it is due:
--   pinned                                       the limit is the ceiling
--   ceiling at or below the learned limit        the limit is the ceiling again
--   first step: no concurrency 429 for p_quiet_s  one step up (to the ceiling at most)
--   next steps: no 429 since the last step, the   one more step: the last step was used in full
--   requests in flight fill the limit, and a      and the provider took it (a 429 comes within
--   second has passed since that step            milliseconds of a request's start), so a plan
--                                                upgrade is found in one quiet period
-- and answers what the worker reports: the limit now, the ceiling, requests in flight, concurrency
-- 429s in the last minute, pinned, and whether this call changed the limit.
create function audio.limit_tick(p_ceiling integer, p_quiet_s integer, p_pinned boolean)
returns table (
  effective integer, ceiling integer, in_flight integer, limited_last_minute integer,
  pinned boolean, changed boolean
)
language plpgsql
security definer
set search_path = ''
as $$
declare
  c audio.concurrency_limit;
  v_n integer := audio.permits_in_flight();
  v_next integer;
begin
  if p_ceiling not between 1 and audio.max_concurrency() then
    raise exception 'audio.limit_tick: ceiling % is outside 1..%', p_ceiling, audio.max_concurrency()
      using errcode = '22023';
  end if;
  select * into c from audio.concurrency_limit where id for update;
  v_next := c.effective;
  if p_pinned or v_next >= p_ceiling then
    v_next := null;
  elsif v_next is not null
    and coalesce(c.limited_at, '-infinity') <= now() - make_interval(secs => p_quiet_s) and (
    c.probed_at is null or c.probed_at <= coalesce(c.limited_at, '-infinity')
    or (v_n >= v_next and c.probed_at <= now() - interval '1 second')
  ) then
    v_next := case when v_next + 1 >= p_ceiling then null else v_next + 1 end;
  end if;
  update audio.concurrency_limit as l
  set effective = v_next, ceiling = p_ceiling, pinned = p_pinned,
    probed_at = case when v_next is distinct from c.effective and not p_pinned and c.effective is not null
      and (v_next is null or v_next > c.effective) then now() else l.probed_at end,
    changed_at = case when v_next is distinct from c.effective then now() else l.changed_at end
  where l.id;
  return query select coalesce(v_next, p_ceiling), p_ceiling, v_n,
    (select count(*)::integer from audio.concurrency_429s as e where e.at > now() - interval '1 minute'),
    p_pinned, v_next is distinct from c.effective;
end;
$$;
comment on function audio.limit_tick(integer, integer, boolean) is
  'Record the ceiling and pin; probe the learned limit one step up when due; report limit, in flight, 429s in the last minute.';

-- audio.concurrency_report: the limit as the admin page and health reports show it, read only.
-- p_ceiling is the reader's AUDIO_GENERATION_CONCURRENCY (null: the one the workers last reported).
create function audio.concurrency_report(p_ceiling integer default null)
returns table (
  effective integer, ceiling integer, pinned boolean, in_flight integer,
  limited_last_minute integer, limited_at timestamptz, changed_at timestamptz
)
language sql
stable
security definer
set search_path = ''
as $$
  select least(coalesce(c.effective, x.ceiling), x.ceiling), x.ceiling, c.pinned, audio.permits_in_flight(),
    (select count(*)::integer from audio.concurrency_429s as e where e.at > now() - interval '1 minute'),
    c.limited_at, c.changed_at
  from audio.concurrency_limit as c
  cross join lateral (select coalesce(p_ceiling, c.ceiling) as ceiling) as x
$$;
comment on function audio.concurrency_report(integer) is
  'The concurrency limit now (learned or the ceiling), requests in flight, concurrency 429s in the last minute.';

revoke all on table audio.concurrency_limit from public, anon, authenticated;
revoke all on table audio.concurrency_429s from public, anon, authenticated;
revoke all on function audio.permits_in_flight() from public, anon, authenticated;
revoke all on function audio.concurrency_limited(integer, text, bigint, integer, boolean) from public, anon, authenticated;
revoke all on function audio.limit_tick(integer, integer, boolean) from public, anon, authenticated;
revoke all on function audio.concurrency_report(integer) from public, anon, authenticated;
