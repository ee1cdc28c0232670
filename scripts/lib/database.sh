# Database bootstrap shared by scripts/stack (cluster "dev") and scripts/test (cluster "test").
# Source after common.sh and standins.sh.

# db_prepare URL: the Supabase platform slice, stand-in extensions where the real ones are
# missing, the migrations (Supabase CLI), the seed, and the Realtime stand-in's change feed.
db_prepare() {
  local url="$1"
  local PGOPTIONS="-c client_min_messages=warning"
  export PGOPTIONS
  psql "$url" -v ON_ERROR_STOP=1 -q -f "$ROOT/local/platform.sql" >/dev/null
  install_standin_extensions "$url"
  (cd "$ROOT" && "$SUPABASE" db push --db-url "$url" --yes >"$LOCAL/db-push.log" 2>&1) \
    || { cat "$LOCAL/db-push.log" >&2; die "migrations failed (log above)"; }
  psql "$url" -v ON_ERROR_STOP=1 -q -f "$ROOT/supabase/seed.sql" >/dev/null
  # Realtime's feed on the local stack only (Supabase streams the publication itself).
  psql "$url" -v ON_ERROR_STOP=1 -q -f "$ROOT/local/realtime/changes.sql" >/dev/null
  psql "$url" -v ON_ERROR_STOP=1 -qAt -c "select realtime_standin.install()" >/dev/null
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
