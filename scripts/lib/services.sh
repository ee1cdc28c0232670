# Background services of the local stack, each a process with a pid file under .local/run and a
# log under .local/logs. Source after common.sh.

RUN_DIR="$LOCAL/run"
LOG_DIR="$LOCAL/logs"

service_pid() {
  local f="$RUN_DIR/$1.pid" pid
  [ -f "$f" ] || return 1
  pid="$(cat "$f")"
  # Only a live process that is still ours (its command line names this checkout) counts.
  if kill -0 "$pid" 2>/dev/null && tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qF "$ROOT"; then
    printf '%s' "$pid"
    return 0
  fi
  rm -f "$f"
  return 1
}

# service_start NAME READY_REGEX CMD...: start CMD in the background unless NAME is running;
# wait (at most 60 s) until its log shows READY_REGEX.
service_start() {
  local name="$1" ready="$2" pid i
  shift 2
  mkdir -p "$RUN_DIR" "$LOG_DIR"
  if pid="$(service_pid "$name")"; then
    log "$name already running (pid $pid)"
    return 0
  fi
  : >"$LOG_DIR/$name.log"
  setsid "$@" >>"$LOG_DIR/$name.log" 2>&1 </dev/null &
  pid=$!
  echo "$pid" >"$RUN_DIR/$name.pid"
  for i in $(seq 1 600); do
    if grep -qE "$ready" "$LOG_DIR/$name.log" 2>/dev/null; then
      log "$name started (pid $pid)"
      return 0
    fi
    if ! kill -0 "$pid" 2>/dev/null; then
      tail -n 20 "$LOG_DIR/$name.log" >&2
      rm -f "$RUN_DIR/$name.pid"
      die "$name exited during start (log above, full log in $LOG_DIR/$name.log)"
    fi
    sleep 0.1
  done
  die "$name did not become ready in 60 s; see $LOG_DIR/$name.log"
}

# service_stop NAME: SIGTERM the process we started (by its pid file), SIGKILL after 10 s.
service_stop() {
  local name="$1" pid i
  pid="$(service_pid "$name")" || return 0
  kill -TERM "$pid" 2>/dev/null || true
  for i in $(seq 1 100); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null || true
  rm -f "$RUN_DIR/$name.pid"
  log "$name stopped (pid $pid)"
}
