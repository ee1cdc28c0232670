-- Who is an admin: the one check that the row-level security policies, the admin functions and
-- the Edge Functions share.

-- audio.is_admin: true when the caller's JWT says app_metadata.role = super_admin. Only the
-- service role can set app_metadata, so a user cannot make themselves an admin. Callable by the
-- authenticated role, since policies evaluate it as the requesting user.
create function audio.is_admin()
returns boolean
language sql
stable
security definer
set search_path = ''
as $$
  select coalesce((auth.jwt() -> 'app_metadata' ->> 'role') = 'super_admin', false)
$$;
comment on function audio.is_admin() is
  'True when the current request''s JWT has app_metadata.role = super_admin. Used by every policy and admin function.';
