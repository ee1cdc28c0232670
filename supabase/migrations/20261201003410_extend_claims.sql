-- A claimed message stays claimed while its worker holds it: buffered by claim-ahead, waiting for
-- a permit, backing off between retries, uploading. The worker extends the visibility timeout of
-- every message it holds, in one round trip, well before it runs out, so a slow provider never
-- makes another worker take the same segment while the first still works on it.

-- audio.extend_claims: hide each of p_msg_ids for p_vt_s more seconds from now. Returns the ids
-- that still exist (a message completed, failed or cancelled meanwhile is simply not there).
create function audio.extend_claims(p_msg_ids bigint[], p_vt_s integer)
returns setof bigint
language sql
security definer
set search_path = ''
as $$
  select m.msg_id from unnest(p_msg_ids) as i (id),
    lateral pgmq.set_vt(queue_name => 'audio_segments'::text, msg_id => i.id::bigint, vt => p_vt_s::integer) as m
$$;
comment on function audio.extend_claims(bigint[], integer) is
  'Extend the visibility timeout of the messages a worker holds; returns those that still exist.';

revoke all on function audio.extend_claims(bigint[], integer) from public, anon, authenticated;
