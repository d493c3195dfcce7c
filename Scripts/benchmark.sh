#!/usr/bin/env bash
# Times `audience analyze` against `gzip -dcf > /dev/null` and against an
# analyst's DuckDB query (Scripts/duckdb-views.py) on the same logs, in the
# same run, and reports the ratios, the phases, reading cost per line, and
# peak memory.
#
# Usage: Scripts/benchmark.sh [SHAPE|DIR ...]   (default: classic wild big small lines)
#   classic  3M events, 8 gzipped files, keys in the spec's order (the old data)
#   wild     2.5M events, 24 files as a new user brings them (issue 14):
#            varying key order, ISO and numeric-ms timestamps, numbers as
#            strings, nulls, shuffled CSV/TSV columns, 4 files not compressed
#   big      the wild shape as one NDJSON file of 1-3 gzip members (block pipeline)
#   small    the wild shape in 300 small files
#   generated  (only when named) `audience generate`'s 10.9M lines with event ids
#            on 8 gzipped files, the earlier figures' second data set (3 minutes to make)
#   lines    one thread only: reading cost per line by format (NDJSON, CSV,
#            TSV) and timestamp form (ISO with milliseconds, numeric ms)
#   DIR      any folder of logs
# Data is made under BENCH_ROOT (default /tmp/audience-bench) when missing.
#
# The commands run in interleaved rounds (ROUNDS, default 3) and each one's
# fastest round counts: on a shared machine that is the least disturbed, and
# interleaving exposes every command to the same disturbances. A shape of
# under 50 MB runs three times as many rounds: its commands last well under
# a second, where one disturbance moves a ratio by a tenth. DUCKDB=0 skips
# the DuckDB query (installed from PyPI into a venv on first use).
# BASELINE_BIN: an earlier binary timed in the same rounds, for before/after.
set -euo pipefail
cd "$(dirname "$0")/.."
root=${BENCH_ROOT:-/tmp/audience-bench}
rounds=${ROUNDS:-3}
duckdb=${DUCKDB:-1}
venv=${DUCKDB_VENV:-/tmp/audience-duckdb-venv}
shapes=("$@")
[ ${#shapes[@]} -gt 0 ] || shapes=(classic wild big small lines)

make_data() {  # make_data DIR ARGS...: the data set, unless already there
  local dir=$1
  shift
  [ -d "$dir" ] && return
  echo "making $dir ..."
  python3 Scripts/make-bench-data.py "$dir" "$@"
}

# AUDIENCE_BIN: another binary to time (a baseline), instead of building this tree.
bin=${AUDIENCE_BIN:-.build/release/audience}
base=${BASELINE_BIN:-}
[ -n "${AUDIENCE_BIN:-}" ] || swift build -c release --product audience >/dev/null
if [ "$duckdb" != 0 ] && [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv" && "$venv/bin/pip" install -q duckdb
fi
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

# timed NAME CMD...: appends "seconds peak_kb" of one run to $out/NAME, and
# the phases of an analysis to $out/NAME.phases.
timed() {
  local name=$1
  shift
  /usr/bin/time -o "$out/time" -f "%e %M" "$@" >/dev/null 2>&1
  tail -1 "$out/time" >> "$out/$name"
  if [ -f "$out/analysis/summary.json" ]; then
    python3 -c 'import json,sys; p=json.load(open(sys.argv[1]))["phase_seconds"]; print(p["read_parse_validate"], p["merge_and_duplicates"], p["metrics"])' \
      "$out/analysis/summary.json" >> "$out/$name.phases"
    rm -f "$out/analysis/summary.json"
  fi
}
best() { sort -n "$1" | head -1; }
ratio() { awk "BEGIN{printf \"%.2f\", $1 / $2}"; }
total() { awk -F, -v c="$2" '$1=="TOTAL"{print $c}' "$1"; }

# A whole run: gzip, 1 and 2 threads, DuckDB.
shape() {
  local name=$1 data=$2
  rm -f "$out"/{gzip,t1,t2,b1,b2,duckdb}*
  mapfile -t files < <(find -L "$data" -type f | sort)
  local shape_rounds=$rounds
  [ "$(du -cbL "${files[@]}" | tail -1 | cut -f1)" -ge 50000000 ] || shape_rounds=$((rounds * 3))
  for _ in $(seq "$shape_rounds"); do
    timed gzip sh -c 'gzip -dcf "$@" > /dev/null' sh "${files[@]}"
    for threads in 1 2; do
      timed "t$threads" "$bin" analyze "$data" --out "$out/analysis" --threads "$threads" --quiet
      [ -z "$base" ] || timed "b$threads" "$base" analyze "$data" --out "$out/analysis" --threads "$threads" --quiet
    done
    [ "$duckdb" = 0 ] || timed duckdb "$venv/bin/python" Scripts/duckdb-views.py "$data" 2
  done
  local accepted lines gz
  accepted=$(total "$out/analysis/quality.csv" 4)
  lines=$(total "$out/analysis/quality.csv" 3)
  read -r gz _ < <(best "$out/gzip")
  echo
  echo "== $name: ${#files[@]} files, $(du -cbL "${files[@]}" | tail -1 | cut -f1) bytes, $lines lines, $accepted accepted; best of $shape_rounds rounds"
  printf '%-34s %8s %8s %10s %10s\n' "command" "seconds" "x gzip" "peak MiB" "B/event"
  printf '%-34s %8.2f %8.2f\n' "gzip -dcf > /dev/null" "$gz" 1
  local runs=(t1 t2)
  [ -z "$base" ] || runs+=(b1 b2)
  for run in "${runs[@]}"; do
    local secs mem reading merge metrics threads=${run#?} label=audience
    [ "${run:0:1}" = t ] || label=baseline
    read -r secs mem < <(best "$out/$run")
    read -r reading _ _ < <(sort -n "$out/$run.phases" | head -1)
    merge=$(cut -d' ' -f2 "$out/$run.phases" | sort -n | head -1)
    metrics=$(cut -d' ' -f3 "$out/$run.phases" | sort -n | head -1)
    printf '%-34s %8.2f %8.2f %10.0f %10.0f\n' "$label analyze --threads $threads" "$secs" \
      "$(ratio "$secs" "$gz")" "$((mem / 1024))" "$(awk "BEGIN{print $mem * 1024 / $accepted}")"
    printf '%-34s %8.2f %8.2f   %.2f us/line\n' "  read, parse, validate" "$reading" "$(ratio "$reading" "$gz")" \
      "$(awk "BEGIN{print $reading * 1e6 / $lines}")"
    printf '%-34s %8.2f\n' "  merge and duplicates" "$merge"
    printf '%-34s %8.2f\n' "  metrics" "$metrics"
  done
  local one two
  read -r one _ < <(best "$out/t1")
  read -r two _ < <(best "$out/t2")
  echo "speed-up from 1 to 2 threads: $(ratio "$one" "$two")x"
  if [ -n "$base" ]; then
    local b1 b2
    read -r b1 _ < <(best "$out/b1")
    read -r b2 _ < <(best "$out/b2")
    echo "baseline speed-up from 1 to 2 threads: $(ratio "$b1" "$b2")x"
  fi
  if [ "$duckdb" != 0 ]; then
    local db
    read -r db _ < <(best "$out/duckdb")
    printf '%-34s %8.2f %8.2f   audience --threads 2 is %sx faster\n' "DuckDB query (2 threads)" "$db" \
      "$(ratio "$db" "$gz")" "$(ratio "$db" "$two")"
  fi
}

# Reading cost per line, one thread, by format and timestamp form.
lines() {
  local sets=() set
  for format in jsonl csv tsv; do
    for ts in iso ms; do
      set=$root/line-$format-$ts
      make_data "$set" --shape wild --events 200000 --files 4 --plain 0 --formats "$format" --ts "$ts"
      sets+=("$set")
    done
  done
  rm -f "$out"/line-*
  for _ in $(seq "$rounds"); do
    for set in "${sets[@]}"; do
      local name
      name=$(basename "$set")
      timed "$name.gzip" sh -c 'gzip -dcf "$@" > /dev/null' sh "$set"/*
      timed "$name" "$bin" analyze "$set" --out "$out/analysis" --threads 1 --quiet
      total "$out/analysis/quality.csv" 3 > "$out/$name.lines"
      [ -z "$base" ] || timed "$name.base" "$base" analyze "$set" --out "$out/analysis" --threads 1 --quiet
    done
  done
  echo
  echo "== reading cost per line, one thread, best of $rounds rounds"
  printf '%-18s %10s %12s %14s %14s\n' "set" "lines" "gzip us/line" "read us/line" "baseline"
  for set in "${sets[@]}"; do
    local name lines gz reading before=-
    name=$(basename "$set")
    lines=$(cat "$out/$name.lines")
    read -r gz _ < <(best "$out/$name.gzip")
    read -r reading _ _ < <(sort -n "$out/$name.phases" | head -1)
    if [ -n "$base" ]; then
      read -r before _ _ < <(sort -n "$out/$name.base.phases" | head -1)
      before=$(awk "BEGIN{printf \"%.2f\", $before * 1e6 / $lines}")
    fi
    printf '%-18s %10d %12.2f %14.2f %14s\n' "${name#line-}" "$lines" "$(awk "BEGIN{print $gz * 1e6 / $lines}")" \
      "$(awk "BEGIN{print $reading * 1e6 / $lines}")" "$before"
  done
}

for s in "${shapes[@]}"; do
  case $s in
    classic) make_data "$root/classic" --events 3000000; shape classic "$root/classic" ;;
    wild) make_data "$root/wild" --shape wild --events 2500000; shape wild "$root/wild" ;;
    big) make_data "$root/big" --shape wild --events 2500000 --files 1; shape big "$root/big" ;;
    small) make_data "$root/small" --shape wild --events 600000 --files 300; shape small "$root/small" ;;
    generated)
      if [ ! -d "$root/generated" ]; then
        echo "making $root/generated ..."
        "$bin" generate --viewers 2800 --days 7 --seed 5 --messiness light --format jsonl.gz --files 8 \
          --out "$root/generated" >/dev/null
      fi
      shape generated "$root/generated/logs" ;;
    lines) lines ;;
    *) shape "$s" "$s" ;;
  esac
done
