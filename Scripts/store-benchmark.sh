#!/usr/bin/env bash
# The store against a one-shot run on the same logs, in the same run:
# `gzip -dcf` (the floor), `analyze LOGS`, `ingest LOGS --store S`, and
# `analyze --store S`: wall time, peak memory, the ratios issue 11 names,
# the store's size against the logs', and a check that the report from the
# store is byte for byte the one-shot report.
#
# The four commands run in interleaved rounds (ROUNDS, default 3) and each
# one's fastest round counts, as in benchmark.sh: on a shared machine a
# single run of each can differ by a third, which is more than the targets'
# margins. Peak memory is the largest of the rounds. Processor time (user +
# system, the least of the rounds) is given as ratios too: it drifts less
# than wall time, and shows the work each run does whatever the machine's
# speed at that minute.
#
# Usage: Scripts/store-benchmark.sh [DIR|EVENTS ...]   (default: 10000000 50000000)
#   DIR     a folder of logs
#   EVENTS  about that many events made with `audience generate` (jsonl.gz,
#           30 days, 30 files; about 6 minutes per 50 million on 2 cores),
#           kept under BENCH_ROOT (default /tmp/audience-bench) for next time
set -euo pipefail
cd "$(dirname "$0")/.."
root=${BENCH_ROOT:-/tmp/audience-bench}
bin=${AUDIENCE_BIN:-.build/release/audience}
[ -n "${AUDIENCE_BIN:-}" ] || swift build -c release --product audience >/dev/null
sets=("$@")
[ ${#sets[@]} -gt 0 ] || sets=(10000000 50000000)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

logs_for() {  # a folder of logs for DIR or EVENTS
  if [ -d "$1" ]; then echo "$1"; return; fi
  local dir="$root/store-$1"
  if [ ! -d "$dir/logs" ]; then
    # The generator makes about 170 events per viewer over 30 days.
    local viewers=$(( $1 / 5100 ))
    "$bin" generate --viewers "$viewers" --days 30 --titles 60 --series 10 --files 30 \
      --format jsonl.gz --out "$dir" --progress never >&2
  fi
  echo "$dir/logs"
}

rounds=${ROUNDS:-3}

timed() {  # timed NAME CMD...: appends "seconds peak_MiB cpu_seconds" of one run to $work/NAME
  local name=$1
  shift
  /usr/bin/time -o "$work/time" -f "%e %M %U %S" "$@" >/dev/null 2>"$work/err" || { cat "$work/err" >&2; return 1; }
  awk '{ printf "%s %.0f %.2f\n", $1, $2 / 1024, $3 + $4 }' "$work/time" >> "$work/$name"
}

best() {  # best NAME: the fastest round's seconds, the largest peak MiB, the least processor time
  awk 'NR == 1 || $1 < s { s = $1 } $2 > m { m = $2 } NR == 1 || $3 < c { c = $3 } END { print s, m, c }' "$work/$1"
}

printf '%-28s %10s %8s | %9s %7s | %9s %7s | %9s %7s | %6s %6s | %7s %7s | %7s %7s %s\n' \
  data lines gzip_s oneshot_s MiB ingest_s MiB store_s MiB ingest store cpu_ing cpu_sto size_MB store/gz same
for set in "${sets[@]}"; do
  logs=$(logs_for "$set")
  store="$work/store"
  rm -f "$work"/gzip "$work"/one-shot "$work"/ingest "$work"/report
  for _ in $(seq "$rounds"); do
    rm -rf "$store" "$work/one" "$work/from-store"
    timed gzip sh -c "cat $logs/* | gzip -dcf"
    timed one-shot "$bin" analyze "$logs" --out "$work/one" -q --progress never
    timed ingest "$bin" ingest "$logs" --store "$store" -q --progress never
    timed report "$bin" analyze --store "$store" --out "$work/from-store" -q --progress never
  done
  read -r gz _ _ < <(best gzip)
  read -r one one_mb one_cpu < <(best one-shot)
  read -r ing ing_mb ing_cpu < <(best ingest)
  read -r rep rep_mb rep_cpu < <(best report)
  lines=$(cat "$logs"/* | gzip -dcf | wc -l)
  same=yes
  for f in "$work"/one/*.csv "$work"/one/report.md; do
    cmp -s "$f" "$work/from-store/$(basename "$f")" || same="NO:$(basename "$f")"
  done
  logs_mb=$(du -sm "$logs" | cut -f1)
  store_mb=$(du -sm "$store" | cut -f1)
  printf '%-28s %10s %8s | %9s %7s | %9s %7s | %9s %7s | %6.2f %6.2f | %7.2f %7.2f | %7s %7.2f %s\n' \
    "$(basename "$(dirname "$logs")")" "$lines" "$gz" "$one" "$one_mb" "$ing" "$ing_mb" "$rep" "$rep_mb" \
    "$(echo "$ing / $one" | bc -l)" "$(echo "$rep / $one" | bc -l)" \
    "$(echo "$ing_cpu / $one_cpu" | bc -l)" "$(echo "$rep_cpu / $one_cpu" | bc -l)" "$store_mb" \
    "$(echo "$store_mb / $logs_mb" | bc -l)" "$same"
done
echo "best of $rounds interleaved rounds; ingest, store: time as a share of the one-shot run (targets 1.1 and 0.25); cpu_ing, cpu_sto: the same for processor time (user + system, least of the rounds); store/gz: size against the gzipped logs (target 1, aim 0.5)"
