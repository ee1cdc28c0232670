# Shared shell helpers for scripts/stack, scripts/test, scripts/demo and scripts/bench.
# Source it; it sets ROOT, LOCAL, the tool paths and defines the install and cluster functions.
# Every function is idempotent: running it twice leaves the machine as running it once.

set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
# Everything the local stack and the test runs write (clusters' links, stored files, logs, keys).
# AQ_LOCAL_DIR moves it, so a second stack (the stack's own test) can run beside a developer's.
LOCAL="${AQ_LOCAL_DIR:-$ROOT/.local}"
PG_BIN="/usr/lib/postgresql/15/bin"
DENO="$ROOT/tools/node_modules/.bin/deno"
SUPABASE="$ROOT/tools/node_modules/.bin/supabase"
export DENO_NO_UPDATE_CHECK=1

log() { printf '[%s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

# Debian packages the stack needs. postgresql-15 itself is on the machine image; the rest is
# installed here so a fresh machine needs no manual step. lame is optional (MP3 from the
# Cartesia stand-in); the others are required.
ensure_debian_packages() {
  local missing=()
  [ -x "$PG_BIN/postgres" ] || missing+=(postgresql-15)
  [ -f /usr/share/postgresql/15/extension/pg_cron.control ] || missing+=(postgresql-15-cron)
  [ -f /usr/share/postgresql/15/extension/pgtap.control ] || missing+=(postgresql-15-pgtap)
  [ -f /usr/share/postgresql/15/extension/plpgsql_check.control ] || missing+=(postgresql-15-plpgsql-check)
  command -v pg_prove >/dev/null || missing+=(libtap-parser-sourcehandler-pgtap-perl)
  command -v lame >/dev/null || missing+=(lame)
  [ ${#missing[@]} -eq 0 ] && return 0
  [ "$(id -u)" = 0 ] || die "missing Debian packages: ${missing[*]} (run as root, or: sudo apt-get install -y ${missing[*]})"
  log "installing Debian packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null
  apt-get install -y -qq "${missing[@]}" >/dev/null
}

# Deno and the Supabase CLI from the npm registry, pinned in tools/package-lock.json.
ensure_tools() {
  if [ ! -x "$DENO" ] || [ ! -x "$SUPABASE" ] || [ "$ROOT/tools/package-lock.json" -nt "$ROOT/tools/node_modules/.package-lock.json" ]; then
    log "installing Deno and the Supabase CLI (tools/package-lock.json)"
    # npm install, not npm ci: npm 11 records only this platform's @supabase/cli-* optional
    # package in the lockfile, and npm ci then refuses the lockfile as out of sync. The versions
    # stay pinned: exact in package.json, the rest as locked.
    (cd "$ROOT/tools" && npm install --no-audit --no-fund --loglevel=error >/dev/null)
  fi
  [ -x "$DENO" ] || die "Deno did not install: $DENO is missing"
  [ -x "$SUPABASE" ] || die "the Supabase CLI did not install: $SUPABASE is missing"
}

ensure_all() {
  ensure_debian_packages
  ensure_tools
}

# The admin page's bundle (admin/dist), rebuilt when its sources or lockfile are newer.
ensure_admin_built() {
  local dist="$ROOT/admin/dist/index.html"
  if [ -f "$dist" ] && [ -z "$(find "$ROOT/admin/src" "$ROOT/admin/index.html" "$ROOT/admin/package-lock.json" \
      "$ROOT/admin/vite.config.ts" -newer "$dist" -print -quit)" ]; then
    return 0
  fi
  log "building the admin page (admin/)"
  (cd "$ROOT/admin" && npm ci --no-audit --no-fund --loglevel=error >/dev/null && npx --no-install vite build --logLevel error >/dev/null) \
    || die "the admin page did not build: cd admin && npm ci && npx vite build"
}

# Debian's Chromium, for the browser test only (the demo does not need it).
ensure_browser() {
  [ -x /usr/bin/chromium ] && return 0
  [ "$(id -u)" = 0 ] || die "the browser test needs Debian's chromium (sudo apt-get install -y chromium)"
  log "installing Debian's chromium (browser test)"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null
  apt-get install -y -qq chromium >/dev/null
}

# A throwaway cluster per name ("dev" for the stack, "test" for the test run). postgres will not
# run as root and CI's clone may sit under a directory only root can enter, so the data directory
# lives under /tmp (keyed by the state folder's path) and .local/pg-<name> links to it.
cluster_dir() {
  local name="$1" key
  key="$(printf '%s' "$LOCAL" | sha1sum | cut -c1-10)"
  printf '/tmp/audio-queue-%s/pg-%s' "$key" "$name"
}

pg_as_postgres() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

# cluster_up NAME PORT [CRON_DB]: init (first time) and start; prints nothing, returns when
# accepting. CRON_DB is the database pg_cron lives in and runs jobs from (default postgres, as on
# Supabase).
cluster_up() {
  local name="$1" port="$2" cron_db="${3:-postgres}" dir
  dir="$(cluster_dir "$name")"
  mkdir -p "$LOCAL" "$(dirname "$dir")"
  chmod 755 "$(dirname "$dir")"
  if [ ! -f "$dir/data/PG_VERSION" ]; then
    log "creating cluster '$name' in $dir"
    mkdir -p "$dir"
    [ "$(id -u)" = 0 ] && chown postgres:postgres "$dir"
    pg_as_postgres "$PG_BIN/initdb" -D "$dir/data" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
    cat >>"$dir/data/postgresql.conf" <<EOF
listen_addresses = '127.0.0.1'
port = $port
unix_socket_directories = '$dir'
shared_preload_libraries = 'pg_cron'
cron.database_name = '$cron_db'
max_connections = 200
wal_level = logical
fsync = off
synchronous_commit = on
full_page_writes = off
log_min_messages = warning
EOF
    # fsync and full_page_writes off: only a machine crash could lose data, and local clusters are
    # throwaway. synchronous_commit stays on, as on Supabase: a commit's WAL reaches the OS before
    # the commit returns, so a Postgres crash or immediate shutdown (the fault suite's) loses no
    # acknowledged transaction; with it off a worker's completed segments could vanish and be
    # generated again.
  fi
  ln -sfn "$dir" "$LOCAL/pg-$name"
  if ! pg_as_postgres "$PG_BIN/pg_ctl" -D "$dir/data" status >/dev/null 2>&1; then
    pg_as_postgres "$PG_BIN/pg_ctl" -D "$dir/data" -l "$dir/postgres.log" -w -t 30 start >/dev/null \
      || die "postgres '$name' did not start; see $dir/postgres.log"
  fi
}

cluster_down() {
  local dir
  dir="$(cluster_dir "$1")"
  if [ -f "$dir/data/postmaster.pid" ]; then
    pg_as_postgres "$PG_BIN/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null || true
  fi
}

cluster_destroy() {
  local dir
  dir="$(cluster_dir "$1")"
  cluster_down "$1"
  rm -rf "$dir" "$LOCAL/pg-$1"
}

# db_url PORT [DATABASE]: the connection string of a local cluster's database (default postgres).
db_url() { printf 'postgresql://postgres:postgres@127.0.0.1:%s/%s?sslmode=disable' "$1" "${2:-postgres}"; }
