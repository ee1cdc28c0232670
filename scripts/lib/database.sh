# Database bootstrap shared by scripts/stack (cluster "dev") and scripts/test (cluster "test").
# Source after common.sh and standins.sh.

# db_prepare URL: the database of a local stack or test run: the migrated schema (db_migrate)
# and the seed.
db_prepare() {
  local url="$1"
  local PGOPTIONS="-c client_min_messages=warning"
  export PGOPTIONS
  db_migrate "$url"
  psql "$url" -v ON_ERROR_STOP=1 -q -f "$ROOT/supabase/seed.sql" >/dev/null
}

# db_migrate URL: what a Supabase project's database holds after `supabase db push`: the slice of
# the platform's own schemas (local/platform.sql), the stand-in extensions where the real ones are
# missing, and the migrations, applied by the Supabase CLI.
db_migrate() {
  local url="$1" push_log
  local PGOPTIONS="-c client_min_messages=warning"
  export PGOPTIONS
  psql "$url" -v ON_ERROR_STOP=1 -q -f "$ROOT/local/platform.sql" >/dev/null
  install_standin_extensions "$url"
  push_log="$(mktemp)"
  (cd "$ROOT" && "$SUPABASE" db push --db-url "$url" --yes >"$push_log" 2>&1) \
    || { cat "$push_log" >&2; rm -f "$push_log"; die "migrations failed (log above)"; }
  rm -f "$push_log"
}

# db_schema_snapshot URL: print the schema the migrations built in the database at URL, in the
# form committed as supabase/schema.sql (tests/integration/schema_snapshot.test.ts compares them):
# pg_dump --schema-only of the project's schemas (audio, public) without owners, less the lines
# that differ between runs and machines (pg_dump's random \restrict key, its version lines); then
# what the migrations add outside those schemas (extensions, queues, publications, buckets, cron
# jobs, policies on Realtime's messages), one comment line each. Cron schedules are left
# out: the watchdog's depends on the pg_cron version (see the cron_jobs migration).
db_schema_snapshot() {
  local url="$1"
  "$PG_BIN/pg_dump" --schema-only --no-owner --schema=audio --schema=public "$url" \
    | grep -v -E '^\\(un)?restrict |^-- Dumped (from database|by pg_dump) version '
  psql "$url" -X -q -A -t -v ON_ERROR_STOP=1 <<'SQL'
select '--' || E'\n' || '-- Outside schemas audio and public: what the migrations add there' || E'\n' || '--' || E'\n';
select line from (
  select 1 as part, e.extname as name, format('-- extension %s (schema %s)', e.extname, n.nspname) as line
  from pg_extension as e join pg_namespace as n on n.oid = e.extnamespace where e.extname <> 'plpgsql'
  union all
  select 2, q.queue_name, format('-- pgmq queue %s', q.queue_name) from pgmq.list_queues() as q
  union all
  select 3, p.tablename, format('-- publication %s: %I.%I', p.pubname, p.schemaname, p.tablename)
  from pg_publication_tables as p where p.schemaname in ('audio', 'public')
  union all
  select 4, b.id, format('-- storage bucket %s (public: %s)', b.id, b.public::text) from storage.buckets as b
  union all
  select 5, j.jobname, format('-- cron job %s: %s', j.jobname, j.command) from cron.job as j
  union all
  select 6, p.policyname, format('-- policy %s on %I.%I for %s to %s using %s', p.policyname,
    p.schemaname, p.tablename, p.cmd, array_to_string(p.roles, ','), regexp_replace(p.qual, '\s+', ' ', 'g'))
  from pg_policies as p where p.schemaname = 'realtime'
) as x
order by x.part, x.name;
SQL
}

# db_set_settings URL KEY=VALUE...: the settings pg_cron's kicks and the backfill read.
db_set_settings() {
  local url="$1" kv
  shift
  for kv in "$@"; do
    # Through stdin: psql interpolates :'var' there, not in -c.
    echo "select audio.set_setting(:'k', :'v')" \
      | psql "$url" -v ON_ERROR_STOP=1 -q -v k="${kv%%=*}" -v v="${kv#*=}" >/dev/null
  done
}

# db_freeze_template SERVER_URL DB: DB becomes a template nobody connects to (pg_cron's scheduler
# included, which would otherwise hold it open), so `create database ... template DB` can clone it.
db_freeze_template() {
  local url="$1" db="$2"
  psql "$url" -Xq -v ON_ERROR_STOP=1 \
    -c "alter database $db with is_template true allow_connections false" \
    -c "select pg_terminate_backend(pid) from pg_stat_activity where datname = '$db' and pid <> pg_backend_pid()" \
    >/dev/null
}
