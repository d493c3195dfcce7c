#!/usr/bin/env bash
# Differential test: runs the engine and the Python reference oracle
# (Scripts/reference) on the same logs and compares every table.
#
# Usage: Scripts/differential.sh [SEEDS] [OPTIONS...]
#   SEEDS    how many hostile data sets to make with hostile.py (default 5)
#   OPTIONS  settings both take: --buckets, --complete-at, --timezone, --catalog,
#            --from DAY, --to DAY (a window, store.md "Windows")
#   ENGINE_OPTIONS (environment) options for the engine alone, e.g. "--threads 1"
#   AUDIENCE_BIN (environment) the engine to test; when set, nothing is built
#   HOSTILE_CACHE (environment) a folder that keeps the hostile data sets between
#            runs (hostile-SEED, made when missing), so that several runs with
#            other options (Scripts/differential-windows.sh) make them once
#
# The worked example (Tests/Fixtures/worked-example) is compared too. Exits 1 when any table differs. The `error` column of quality.csv is
# worded differently on purpose; only the byte offset it names must agree.
#
# metrics-beyond.md (version 1.1: moments, concurrency, series_summary and the
# new columns of titles, retention, languages) is compared, with
# Scripts/reference/compare-beyond.py, only when the engine wrote moments.csv;
# until then the oracle runs with --spec 1 and the version-1 tables are compared.
set -uo pipefail
cd "$(dirname "$0")/.."
seeds=${1:-5}
shift || true
if [ -n "${AUDIENCE_BIN:-}" ]; then
  bin=$(cd "$(dirname "$AUDIENCE_BIN")" && pwd)/$(basename "$AUDIENCE_BIN")
  [ -x "$bin" ] || { echo "AUDIENCE_BIN=$AUDIENCE_BIN is not an executable"; exit 2; }
else
  swift build -c release --product audience >/dev/null || exit 2
  bin=$PWD/.build/release/audience
fi
compare=Scripts/reference/compare-tables.py
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failed=0
noted=0

run_case() {  # NAME DIR INPUT...
  local name=$1 dir=$2
  shift 2
  # shellcheck disable=SC2086
  (cd "$dir" && "$bin" analyze "$@" ${ENGINE_OPTIONS:-} --out "$work/$name-engine" --quiet 2>/dev/null)
  # The engine implements metrics-beyond.md when it writes moments.csv.
  local spec=1.1
  if [ ! -f "$work/$name-engine/moments.csv" ]; then
    spec=1
    if [ "$noted" = 0 ]; then
      echo "note: the engine wrote no moments.csv, so metrics-beyond.md is not compared (oracle run with --spec 1)"
      noted=1
    fi
  fi
  # Both exit 1 when a file has a file-level error; what counts is that both wrote their tables.
  (cd "$dir" && python3 "$OLDPWD/Scripts/reference/metrics.py" "$@" --spec "$spec" --out "$work/$name-reference" >/dev/null 2>&1)
  if [ ! -f "$work/$name-reference/quality.csv" ] || [ ! -f "$work/$name-engine/quality.csv" ]; then
    echo "$name: could not run both sides"
    failed=1
    return
  fi
  local report
  report=$( (python3 "$compare" "$work/$name-engine" "$work/$name-reference" | grep -v ': ok' | grep -v '^quality.csv'
    python3 Scripts/reference/compare-quality.py "$work/$name-engine/quality.csv" "$work/$name-reference/quality.csv"
    if [ "$spec" = 1.1 ]; then
      python3 Scripts/reference/compare-beyond.py "$work/$name-engine" "$work/$name-reference" | grep -v ': ok '
    fi) )
  if [ -n "$report" ]; then
    echo "$name: DIFFERENT"
    echo "$report" | sed 's/^/  /'
    failed=1
  else
    echo "$name: same"
  fi
}

run_case example Tests/Fixtures/worked-example logs "$@"
data=${HOSTILE_CACHE:-$work}
mkdir -p "$data"
for seed in $(seq "$seeds"); do
  if [ ! -f "$data/hostile-$seed/EXPECTED-ACCEPTED.txt" ]; then  # written last
    rm -rf "$data/hostile-$seed"
    python3 Scripts/reference/hostile.py --out "$data/hostile-$seed" --seed "$seed" >/dev/null
  fi
  run_case "hostile-$seed" "$data/hostile-$seed" . "$@"
done
exit $failed
