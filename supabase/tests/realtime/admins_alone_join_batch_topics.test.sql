-- The policies on realtime.messages decide who may join a private channel, checked as Supabase
-- Realtime checks a join: a probe message on the topic, then, as the user's role with its claims
-- and realtime.topic() set to the topic, whether the user can SELECT it. Admins may join
-- batch:<id> and batches; a signed-in non-admin and anon may not; nobody may join other topics
-- through these policies, and nobody may send on them (there is no insert policy).
begin;
\ir ../fixtures.psql
select plan(8);

create function pg_temp.can_join(p_role text, p_claims text, p_topic text)
returns boolean
language plpgsql
as $$
declare
  v_id uuid := gen_random_uuid();
  v_seen boolean;
begin
  insert into realtime.messages (id, topic, extension) values (v_id, p_topic, 'broadcast');
  execute format('set local role %I', p_role);
  perform set_config('request.jwt.claims', p_claims, true);
  perform set_config('realtime.topic', p_topic, true);
  select exists (select 1 from realtime.messages where id = v_id) into v_seen;
  reset role;
  perform set_config('realtime.topic', '', true);
  return v_seen;
end;
$$;

create function pg_temp.can_send(p_claims text, p_topic text)
returns boolean
language plpgsql
as $$
begin
  set local role authenticated;
  perform set_config('request.jwt.claims', p_claims, true);
  perform set_config('realtime.topic', p_topic, true);
  insert into realtime.messages (topic, extension) values (p_topic, 'broadcast');
  reset role;
  return true;
exception when insufficient_privilege then
  reset role;
  return false;
end;
$$;

select ok(pg_temp.can_join('authenticated', audio_test.admin_claims(), 'batch:' || gen_random_uuid()),
  'an admin may join a batch topic');
select ok(pg_temp.can_join('authenticated', audio_test.admin_claims(), 'batches'),
  'an admin may join the batch list topic');
select ok(not pg_temp.can_join('authenticated',
  '{"sub":"99000000-0000-4000-8000-0000000000b2","role":"authenticated"}', 'batch:' || gen_random_uuid()),
  'a signed-in non-admin may not join a batch topic');
select ok(not pg_temp.can_join('authenticated',
  '{"sub":"99000000-0000-4000-8000-0000000000b2","role":"authenticated","user_metadata":{"role":"super_admin"}}',
  'batches'),
  'user_metadata (which users can edit) does not make an admin');
select ok(not pg_temp.can_join('anon', '{"role":"anon"}', 'batches'),
  'anon may not join the batch list topic');
select ok(not pg_temp.can_join('authenticated', audio_test.admin_claims(), 'words'),
  'an admin may not join other topics through these policies');
select ok(not pg_temp.can_join('authenticated', audio_test.admin_claims(), 'xbatch:1'),
  'the batch topic prefix is anchored');
select ok(not pg_temp.can_send(audio_test.admin_claims(), 'batches'),
  'not even an admin may send on the batch list topic: only the database broadcasts');

select * from finish();
rollback;
