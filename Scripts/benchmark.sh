#!/usr/bin/env bash
# Times `audience analyze` against `gzip -dc > /dev/null` on the same files, in
# the same run, and reports the ratio and peak memory.
#
# Usage: Scripts/benchmark.sh [DATA_DIR] [EVENTS]
#   DATA_DIR  gzipped logs to read (made with Scripts/make-bench-data.py when
#             missing; default /tmp/audience-bench)
#   EVENTS    events to generate when the folder is made (default 3000000)
#
# Each command runs RUNS times (default 3); the best wall time counts, which
# is the least disturbed by whatever else the machine is doing.
set -euo pipefail
cd "$(dirname "$0")/.."
data=${1:-/tmp/audience-bench}
events=${2:-3000000}
runs=${RUNS:-3}

if [ ! -d "$data" ]; then
  echo "making $events events in $data ..."
  python3 Scripts/make-bench-data.py "$data" --events "$events"
fi
swift build -c release --product audience >/dev/null
bin=.build/release/audience
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

# best_of CMD...: prints "seconds peak_kb" of the fastest of $runs runs.
best_of() {
  local best="" best_mem=""
  for _ in $(seq "$runs"); do
    /usr/bin/time -o "$out/time" -f "%e %M" "$@" >/dev/null 2>&1
    local line secs mem
    line=$(tail -1 "$out/time")
    secs=${line% *}
    mem=${line#* }
    if [ -z "$best" ] || awk "BEGIN{exit !($secs < $best)}"; then best=$secs; best_mem=$mem; fi
  done
  echo "$best $best_mem"
}

files=("$data"/*.gz)
compressed=$(du -cb "${files[@]}" | tail -1 | cut -f1)
lines=$(gzip -dc "${files[@]}" | wc -l)
read -r gz _ < <(best_of sh -c "gzip -dc $data/*.gz > /dev/null")
echo "data: ${#files[@]} files, $compressed bytes gzipped, $lines lines"
printf '%-28s %8s %8s %10s\n' "command" "seconds" "x gzip" "peak MiB"
printf '%-28s %8.2f %8.2f %10s\n' "gzip -dc > /dev/null" "$gz" 1 "-"
for threads in 1 2; do
  read -r secs mem < <(best_of "$bin" analyze "$data" --out "$out" --threads "$threads" --quiet)
  accepted=$(awk -F, '$1=="TOTAL"{print $4}' "$out/quality.csv")
  ratio=$(awk "BEGIN{printf \"%.2f\", $secs / $gz}")
  printf '%-28s %8.2f %8s %10.0f\n' "audience --threads $threads" "$secs" "$ratio" "$((mem / 1024))"
  awk "BEGIN{printf \"  bytes per accepted event: %.0f\n\", $mem * 1024 / $accepted}"
done
