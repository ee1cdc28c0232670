# Installs the audio-queue stand-in extensions (pgmq, pg_net) into the local PostgreSQL's extension
# directory where the real ones are missing. Source it after scripts/lib/common.sh (it uses ROOT,
# PG_BIN, log and die), then call: install_standin_extensions DB_URL
# Idempotent: a stand-in whose files already match is left alone; a real extension is never touched.

# The control files' comment starts with this; it is how a stand-in is told apart from the real one.
STANDIN_MARKER="audio-queue stand-in"
STANDIN_EXTENSIONS=(pgmq pg_net)

# install_standin_extensions DB_URL: for each stand-in, ask DB_URL's server which version of the
# extension it offers and install our files when it offers none or an outdated stand-in.
install_standin_extensions() {
  local db_url="${1:-}" ext_dir ext
  [ -n "$db_url" ] || die "install_standin_extensions: missing DB_URL (e.g. \"\$(db_url 54322)\")"
  ext_dir="$("$PG_BIN/pg_config" --sharedir)/extension"
  [ -d "$ext_dir" ] || die "PostgreSQL extension directory $ext_dir does not exist (check PG_BIN=$PG_BIN)"
  for ext in "${STANDIN_EXTENSIONS[@]}"; do
    _standin_install_one "$db_url" "$ext" "$ext_dir"
  done
}

# Prints "missing", or "<version>|<comment>" of the extension the server offers.
_standin_available() {
  local db_url="$1" ext="$2" row
  row="$("$PG_BIN/psql" "$db_url" -X -A -t -q -v ON_ERROR_STOP=1 -c \
    "select default_version || '|' || coalesce(comment, '') from pg_available_extensions where name = '$ext'")" \
    || die "could not query pg_available_extensions through $db_url (is the cluster running?)"
  if [ -z "$row" ]; then printf 'missing'; else printf '%s' "$row"; fi
}

# True when every stand-in file for EXT is present in EXT_DIR with the same content as ours.
_standin_files_current() {
  local src_dir="$1" ext_dir="$2" file
  for file in "$src_dir"/*.control "$src_dir"/*.sql; do
    cmp -s "$file" "$ext_dir/$(basename "$file")" || return 1
  done
}

_standin_install_one() {
  local db_url="$1" ext="$2" ext_dir="$3" src_dir available file
  src_dir="$ROOT/local/$ext"
  [ -f "$src_dir/$ext.control" ] || die "stand-in files for $ext are missing: $src_dir/$ext.control"
  available="$(_standin_available "$db_url" "$ext")"
  if [ "$available" != missing ] && [[ "${available#*|}" != "$STANDIN_MARKER"* ]]; then
    log "$ext: the real extension (version ${available%%|*}) is available; using it, not the stand-in"
    return 0
  fi
  if [ "$available" != missing ] && _standin_files_current "$src_dir" "$ext_dir"; then
    return 0
  fi
  [ -w "$ext_dir" ] || die "cannot write $ext_dir to install the $ext stand-in: run as root (e.g. sudo)"
  for file in "$src_dir"/*.control "$src_dir"/*.sql; do
    install -m 0644 "$file" "$ext_dir/$(basename "$file")"
  done
  available="$(_standin_available "$db_url" "$ext")"
  [[ "${available#*|}" == "$STANDIN_MARKER"* ]] \
    || die "$ext stand-in copied to $ext_dir but $db_url does not offer it; is that server using $PG_BIN?"
  log "$ext: installed the audio-queue stand-in (version ${available%%|*}) into $ext_dir"
}
