-- Who may join the Realtime topics the database broadcasts on: only admins, on private channels.
-- Supabase Realtime authorizes a private channel's join by checking these policies on
-- realtime.messages under the user's role and JWT claims, with realtime.topic() set to the topic
-- being joined. The topics: `batch:<batch id>` (a batch's progress and segment changes) and
-- `batches` (the batch list). There is no insert policy: clients never send on them, only the
-- database does (audio.broadcast_batch). Where the realtime schema does not exist (a plain
-- Postgres), say so and go on: everything else works without Realtime.

do $$
begin
  if pg_catalog.to_regclass('realtime.messages') is null then
    raise notice 'realtime.messages not found: Broadcast topics get no policies';
    return;
  end if;
  execute $policy$
    create policy audio_admins_receive_batch_broadcasts on realtime.messages
    for select to authenticated
    using (
      realtime.messages.extension = 'broadcast'
      and (select audio.is_admin())
      and ((select realtime.topic()) = 'batches' or (select realtime.topic()) like 'batch:%')
    )
  $policy$;
  -- No COMMENT ON POLICY here: on Supabase realtime.messages belongs to supabase_realtime_admin,
  -- and the migration role may create policies on it (supautils lets it) but, before supautils
  -- 3.3.0, not comment on them ("must be owner of relation messages"), which would stop every
  -- migration after this one. The policy's name says whose it is.
end $$;
