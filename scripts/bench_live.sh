#!/usr/bin/env bash
# scripts/bench live [--segments N]: the admin page in Chromium following an N-segment batch
# (default 30,000) at C = 15 with a ~1 ms provider — tests/integration/admin_live.test.ts at that
# size, on the test harness's throwaway cluster (port AQ_TEST_DB_PORT, else the benchmark's).
# Prints how long after the batch's end the page showed its exact counts, the Broadcast messages
# the page received per segment, how promptly it answered meanwhile, and its JS heap; fails if the
# page's counts differ from the database's or the messages exceed a quarter per segment.
source "$(dirname "$0")/lib/common.sh"

segments=30000
while [ $# -gt 0 ]; do
  case "$1" in
    --segments) segments="${2:-}"; shift 2 || die "bench live: --segments needs a number" ;;
    --segments=*) segments="${1#*=}"; shift ;;
    *) die "bench live: unknown option $1; options: --segments N" ;;
  esac
done
# 3 segments a word; start-batch takes a grade of at most 100,000 segments here.
[[ "$segments" =~ ^[0-9]+$ ]] && [ "$segments" -ge 3 ] && [ "$segments" -le 100000 ] ||
  die "bench live: --segments must be a whole number from 3 to 100000 (got '$segments')"

# The run's own bound (scripts/test's AQ_TEST_TIMEOUT): the test's waits allow 100 ms a segment.
minutes=$((10 + segments / 500))
AQ_LIVE_SEGMENTS="$segments" AQ_TEST_DB_PORT="${AQ_TEST_DB_PORT:-${AQ_BENCH_DB_PORT:-54522}}" \
  AQ_TEST_TIMEOUT="${AQ_TEST_TIMEOUT:-${minutes}m}" \
  exec bash "$ROOT/scripts/test" "$ROOT/tests/integration/admin_live.test.ts"
