-- Health names the provider circuit: when a dead key, exhausted credits or a failing provider has
-- stopped the line, audio.health() says so first, in the circuit's own words, beside the queue,
-- the workers, the kicks and the stalled batches. (A stopped line otherwise shows up, minutes
-- later, only as stalled batches.)
--
-- The pipeline's part keeps its body under a name that says what it covers,
-- audio.pipeline_health; audio.health adds the provider to it.

alter function audio.health(integer, timestamptz) rename to pipeline_health;
comment on function audio.pipeline_health(integer, timestamptz) is
  'audio.health() without the provider: queue, workers, kicks, stalled batches and their problems.';

-- audio.health: audio.pipeline_health plus
--   provider   the circuit as audio.provider_circuit() reports it (state closed, open or
--              half_open; reason, provider_error, opened_at, next_probe_at while not closed)
--   problems   the circuit's reason first while it is not closed, with when the next probe is due
--              and that Resume on the admin page retries at once
create function audio.health(
  p_stalled_minutes integer default 10,
  p_now timestamptz default clock_timestamp()
)
returns jsonb
language sql
stable
security definer
set search_path = ''
as $$
  select h || jsonb_build_object(
    'provider', to_jsonb(c),
    'problems', case when c.state = 'closed' then h -> 'problems'
      else jsonb_build_array(format(
        'provider work is stopped: %s (%s; Resume on the admin page retries now)',
        c.reason,
        case when c.next_probe_at <= p_now then 'a probe is due'
          else format('next probe in %s s', ceil(extract(epoch from c.next_probe_at - p_now))::integer)
        end)) || (h -> 'problems')
    end)
  from audio.pipeline_health(p_stalled_minutes, p_now) as h
  cross join audio.provider_circuit() as c
$$;
comment on function audio.health(integer, timestamptz) is
  'Queue depth and oldest message, workers and their last progress, the last kicks'' HTTP results, stalled batches, the provider circuit, and the problems found in plain words.';

revoke all on function audio.pipeline_health(integer, timestamptz) from public, anon, authenticated;
revoke all on function audio.health(integer, timestamptz) from public, anon, authenticated;
grant execute on function audio.health(integer, timestamptz) to service_role;
