#!/usr/bin/env bash
# Differential test of windows (store.md "Windows: --from DAY and --to DAY"):
# runs Scripts/differential.sh for every window below in every time zone below,
# on the same hostile data sets (made once), and checks that both sides refuse
# the same bad dates.
#
# Usage: Scripts/differential-windows.sh [SEEDS] [OPTIONS...]
#   SEEDS    hostile data sets (default 3); OPTIONS go to both sides of every run
#   ZONES    (environment) time zones, default "UTC America/New_York Asia/Kolkata"
#   AUDIENCE_BIN, ENGINE_OPTIONS as for differential.sh (AUDIENCE_BIN unset: the
#            engine is built once, by the first run)
#
# The hostile data (hostile.py) and the worked example have views on 2000-01-01
# (1999-12-31 in New York) and on 2026-11-01 .. 2026-11-04 (from 2026-10-31 in
# New York, to 2026-11-05 in Kolkata; New York falls back on 2026-11-01), so the
# windows cut through them: part of the days, one starting and one ending
# mid-data, a single day (the day clocks fall back in New York), only the early
# views, and two that select nothing (a gap between the views, after them).
# Prints one line per zone and window ("same" or the differences) and exits 1
# when any differs.
set -uo pipefail
cd "$(dirname "$0")/.."
seeds=${1:-3}
shift || true
zones=${ZONES:-UTC America/New_York Asia/Kolkata}
windows=(
  "--from 2026-11-02 --to 2026-11-03"
  "--from 2026-11-03"
  "--to 2026-11-01"
  "--from 2026-11-01 --to 2026-11-01"
  "--to 2000-01-01"
  "--from 2001-01-01 --to 2026-10-30"
  "--from 2026-12-01"
)
cache=$(mktemp -d)
trap 'rm -rf "$cache"' EXIT
export HOSTILE_CACHE=$cache
failed=0

if [ -z "${AUDIENCE_BIN:-}" ]; then
  swift build -c release --product audience >/dev/null || exit 2
  AUDIENCE_BIN=$PWD/.build/release/audience
fi
export AUDIENCE_BIN

# Bad dates: a usage error on both sides (the engine exits 64, the oracle 2).
log=Tests/Fixtures/worked-example/logs
for bad in "--from 2026-02-29" "--to 2026-13-01" "--from 2026-11-1" "--to 26-11-01" \
           "--from 2026-11-01T00:00" "--from 2026-11-05 --to 2026-11-04" "--to ''"; do
  # shellcheck disable=SC2086
  eval "\"$AUDIENCE_BIN\" analyze $log $bad --out \"$cache/bad-engine\" --quiet" >/dev/null 2>&1
  engine=$?
  eval "python3 Scripts/reference/metrics.py $log $bad --out \"$cache/bad-reference\"" >/dev/null 2>&1
  reference=$?
  if [ "$engine" = 64 ] && [ "$reference" = 2 ]; then
    echo "bad date $bad: both refuse"
  else
    echo "bad date $bad: DIFFERENT (engine exit $engine, oracle exit $reference)"
    failed=1
  fi
done

for zone in $zones; do
  for window in "${windows[@]}"; do
    # shellcheck disable=SC2086
    out=$(Scripts/differential.sh "$seeds" --timezone "$zone" $window "$@")
    if [ $? = 0 ]; then
      echo "$zone $window: same ($((seeds + 1)) cases)"
    else
      echo "$zone $window: DIFFERENT"
      echo "$out" | grep -v ': same$' | sed 's/^/  /'
      failed=1
    fi
  done
done
exit $failed
