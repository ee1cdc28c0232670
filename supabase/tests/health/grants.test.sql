-- audio.health: for admins (through admin-api) and the service role only, like the admin page's
-- other reads.
begin;
\ir ../fixtures.psql
select plan(3);

select ok(not has_function_privilege('anon', 'audio.health(integer, timestamptz)', 'execute'), 'anon cannot call it');
select ok(not has_function_privilege('authenticated', 'audio.health(integer, timestamptz)', 'execute'),
  'a signed-in user cannot call it');
select ok(has_function_privilege('service_role', 'audio.health(integer, timestamptz)', 'execute'), 'the service role can');

select * from finish();
rollback;
