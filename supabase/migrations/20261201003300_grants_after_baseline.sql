-- The grants of the functions and tables added after the grants migration: like every audio
-- object, none is callable or readable by the API roles. New functions get execute for public by default
-- (the per-schema default in the grants migration cannot take away the global one), so each
-- migration adding audio objects ends with a revoke like this one.
revoke all on all tables in schema audio from public, anon, authenticated;
revoke execute on all functions in schema audio from public, anon, authenticated;
grant execute on function audio.is_admin() to authenticated, service_role;
