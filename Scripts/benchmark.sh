#!/usr/bin/env bash
# Times `audience analyze` against `gzip -dc > /dev/null` on the same files, in
# the same run, and reports the ratios, the read phase alone, and peak memory.
#
# Usage: Scripts/benchmark.sh [DATA_DIR] [EVENTS]
#   DATA_DIR  gzipped logs to read (made with Scripts/make-bench-data.py when
#             missing; default /tmp/audience-bench)
#   EVENTS    events to generate when the folder is made (default 3000000)
#
# The commands run in interleaved rounds (ROUNDS, default 5) and each one's
# fastest round counts: on a shared machine that is the least disturbed, and
# interleaving exposes every command to the same disturbances.
set -euo pipefail
cd "$(dirname "$0")/.."
data=${1:-/tmp/audience-bench}
events=${2:-3000000}
rounds=${ROUNDS:-5}

if [ ! -d "$data" ]; then
  echo "making $events events in $data ..."
  python3 Scripts/make-bench-data.py "$data" --events "$events"
fi
swift build -c release --product audience >/dev/null
bin=.build/release/audience
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
files=("$data"/*.gz)

# timed NAME CMD...: appends "seconds peak_kb" of one run to $out/NAME.
timed() {
  local name=$1
  shift
  /usr/bin/time -o "$out/time" -f "%e %M" "$@" >/dev/null 2>&1
  tail -1 "$out/time" >> "$out/$name"
  if [ -f "$out/analysis/summary.json" ]; then
    python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["phase_seconds"]["read_parse_validate"])' \
      "$out/analysis/summary.json" >> "$out/$name.read"
    rm -f "$out/analysis/summary.json"
  fi
}

for _ in $(seq "$rounds"); do
  timed gzip sh -c 'gzip -dc "$@" > /dev/null' sh "${files[@]}"
  for threads in 1 2; do
    timed "t$threads" "$bin" analyze "$data" --out "$out/analysis" --threads "$threads" --quiet
  done
done

best() { sort -n "$1" | head -1; }
accepted=$(awk -F, '$1=="TOTAL"{print $4}' "$out/analysis/quality.csv")
read -r gz _ < <(best "$out/gzip")
echo "data: ${#files[@]} files, $(du -cb "${files[@]}" | tail -1 | cut -f1) bytes gzipped, $accepted accepted events; best of $rounds rounds"
printf '%-34s %8s %8s %10s %10s\n' "command" "seconds" "x gzip" "peak MiB" "B/event"
printf '%-34s %8.2f %8.2f\n' "gzip -dc > /dev/null" "$gz" 1
for threads in 1 2; do
  read -r secs mem < <(best "$out/t$threads")
  reading=$(best "$out/t$threads.read")
  printf '%-34s %8.2f %8.2f %10.0f %10.0f\n' "audience analyze --threads $threads" "$secs" \
    "$(awk "BEGIN{print $secs / $gz}")" "$((mem / 1024))" "$(awk "BEGIN{print $mem * 1024 / $accepted}")"
  printf '%-34s %8.2f %8.2f\n' "  of which read, parse, validate" "$reading" "$(awk "BEGIN{print $reading / $gz}")"
done
read -r one _ < <(best "$out/t1")
read -r two _ < <(best "$out/t2")
echo "speed-up from 1 to 2 threads: $(awk "BEGIN{printf \"%.2f\", $one / $two}")x"
