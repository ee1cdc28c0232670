-- audio.is_admin: true only when the JWT's app_metadata.role is super_admin (which only the
-- service role can set); user_metadata (user-editable), other roles, anon and no claims are false.
begin;
\ir ../fixtures.psql
select plan(7);

set local role authenticated;

select set_config('request.jwt.claims', audio_test.admin_claims(), true);
select is(audio.is_admin(), true, 'app_metadata.role = super_admin is an admin');

select set_config('request.jwt.claims',
  '{"sub":"99000000-0000-4000-8000-0000000000a2","role":"authenticated","app_metadata":{"role":"admin"}}', true);
select is(audio.is_admin(), false, 'app_metadata.role = admin (not super_admin) is not an admin');

select set_config('request.jwt.claims',
  '{"sub":"99000000-0000-4000-8000-0000000000a3","role":"authenticated","user_metadata":{"role":"super_admin"}}', true);
select is(audio.is_admin(), false, 'user_metadata.role = super_admin (user-editable) is not an admin');

select set_config('request.jwt.claims',
  '{"sub":"99000000-0000-4000-8000-0000000000a4","role":"super_admin"}', true);
select is(audio.is_admin(), false, 'a top-level role claim of super_admin is not an admin');

select set_config('request.jwt.claims', '{"role":"anon"}', true);
select is(audio.is_admin(), false, 'anon claims are not an admin');

select set_config('request.jwt.claims', '', true);
select is(audio.is_admin(), false, 'no claims at all: false, not null');

reset role;

-- The anon role itself cannot call it (no usage on schema audio): policies only apply to authenticated.
set local role anon;
select throws_ok('select audio.is_admin()', '42501', null, 'anon cannot call audio.is_admin');
reset role;

select * from finish();
rollback;
