#!/usr/bin/env bash
# A run split into map, reduce and merge steps against one machine's
# `ingest` + `analyze --store`, on the same logs in the same run: the time
# and peak memory of every step, the size of the partial results, and a
# check that the merged report is byte for byte the one from the stores.
# Steps run one after another (as one worker would run them); each uses
# the machine's cores.
#
# Usage: Scripts/split-benchmark.sh [DIR|EVENTS] [N] [P]
#        (default: 50000000 events, N = 4 shards, P = 8 parts)
#   DIR     a folder of logs
#   EVENTS  about that many events made with `audience generate` (jsonl.gz,
#           30 days, 30 files), kept under BENCH_ROOT (default
#           /tmp/audience-bench) for next time, as Scripts/store-benchmark.sh does
set -euo pipefail
cd "$(dirname "$0")/.."
root=${BENCH_ROOT:-/tmp/audience-bench}
bin=${AUDIENCE_BIN:-.build/release/audience}
[ -n "${AUDIENCE_BIN:-}" ] || swift build -c release --product audience >/dev/null
set_=${1:-50000000}
shards=${2:-4}
parts=${3:-8}
work=${SPLIT_WORK:-$(mktemp -d)}
[ -n "${SPLIT_WORK:-}" ] || trap 'rm -rf "$work"' EXIT

if [ -d "$set_" ]; then
  logs=$set_
else
  dir="$root/store-$set_"
  if [ ! -d "$dir/logs" ]; then
    # The generator makes about 170 events per viewer over 30 days.
    "$bin" generate --viewers $(( set_ / 5100 )) --days 30 --titles 60 --series 10 --files 30 \
      --format jsonl.gz --out "$dir" --progress never >&2
  fi
  logs="$dir/logs"
fi

timed() {  # timed CMD...: prints "seconds peak_MiB"
  /usr/bin/time -o "$work/time" -f "%e %M" "$@" >/dev/null 2>"$work/err" || { cat "$work/err" >&2; return 1; }
  awk '{ printf "%s %.0f\n", $1, $2 / 1024 }' "$work/time"
}
row() { printf '%-26s %9s s %7s MiB  %s\n' "$@"; }

rm -rf "$work/one-store" "$work/shards" "$work/partials" "$work/merged" "$work/together"
mkdir -p "$work/shards"
lines=$(cat "$logs"/* | gzip -dcf | wc -l)
echo "logs: $logs ($lines lines, $(du -sm "$logs" | cut -f1) MB); N = $shards, P = $parts"
read -r gz _ < <(timed sh -c "cat $logs/* | gzip -dcf")
row "gzip -dcf" "$gz" "-" ""

read -r t m < <(timed "$bin" ingest "$logs" --store "$work/one-store" -q --progress never)
row "ingest (one store)" "$t" "$m" ""
read -r t m < <(timed "$bin" analyze --store "$work/one-store" --out "$work/single" -q --progress never)
row "analyze --store (one)" "$t" "$m" ""
single=$t

map_total=0
stores=()
for ((i = 0; i < shards; i++)); do
  read -r t m < <(timed "$bin" ingest "$logs" --store "$work/shards/s$i" --shard "$i/$shards" -q --progress never)
  row "map $i/$shards" "$t" "$m" "$(du -sm "$work/shards/s$i" | cut -f1) MB store"
  map_total=$(echo "$map_total + $t" | bc -l)
  stores+=(--store "$work/shards/s$i")
done
read -r t m < <(timed "$bin" analyze "${stores[@]}" --out "$work/together" -q --progress never)
row "analyze --store (N stores)" "$t" "$m" ""
together=$t

reduce_total=0
for ((p = 0; p < parts; p++)); do
  read -r t m < <(timed "$bin" analyze "${stores[@]}" --part "$p/$parts" --partial "$work/partials" -q --progress never)
  size=$(stat -c %s "$work/partials/part-$p-of-$parts.audience-partial")
  row "reduce $p/$parts" "$t" "$m" "$(echo "$size / 1048576" | bc -l | xargs printf '%.1f') MiB partial"
  reduce_total=$(echo "$reduce_total + $t" | bc -l)
done
read -r t m < <(timed "$bin" merge "$work/partials" --out "$work/merged" -q --progress never)
row "merge" "$t" "$m" "$(du -sm "$work/partials" | cut -f1) MB of partials"
merge=$t

same=yes
for f in "$work"/single/*.csv "$work"/single/report.md; do
  cmp -s "$f" "$work/together/$(basename "$f")" || same="NO:together/$(basename "$f")"
  cmp -s "$f" "$work/merged/$(basename "$f")" || same="NO:merged/$(basename "$f")"
done
echo "maps: $map_total s in all; reduces: $reduce_total s in all; merge: $merge s"
echo "reduce + merge: $(echo "$reduce_total + $merge" | bc -l) s against analyze --store over the N stores: $together s" \
  "($(echo "($reduce_total + $merge) / $together" | bc -l | xargs printf '%.2f')x); one store: $single s"
echo "identical tables and report.md: $same"
