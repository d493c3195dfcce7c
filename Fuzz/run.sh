#!/bin/sh
# Builds the fuzz harness and fuzzes one target (see docs/fuzzing.md).
#
#   Fuzz/run.sh TARGET [SECONDS]   fuzz TARGET for SECONDS (default 600)
#   Fuzz/run.sh build              only build
#
# TARGET is one of ndjson, delimited, gzip, numbers, options. New inputs go to
# Fuzz/work/TARGET (not committed); at the end, those that add coverage are
# merged into the committed corpus Fuzz/Corpus/TARGET. A crash is written to
# Fuzz/Crashes/TARGET/ and the run stops. One fuzzing process, at low priority.
set -eu
cd "$(dirname "$0")"
target=${1:?usage: run.sh TARGET [SECONDS] | run.sh build}
seconds=${2:-600}

# -sanitize=fuzzer for coverage and the driver, address for out-of-bounds
# reads of the engine's unsafe pointers. The toolset links with lld: gold
# fails on the sanitizer runtimes with this toolchain.
nice -n 10 swift build -c release --toolset toolset.json \
    -Xswiftc -sanitize=fuzzer,address 1>&2
binary=.build/release/AudienceFuzz
[ "$target" = build ] && exit 0

case $target in
    numbers) max_len=256 ;;
    *) max_len=4096 ;;
esac
[ -d "Corpus/$target" ] || ./make-seeds.py
mkdir -p "work/$target" "Crashes/$target"

# The Swift backtracer would fight ASan over the crash; libFuzzer prints it.
export SWIFT_BACKTRACE=enable=no
export AUDIENCE_FUZZ_TARGET="$target"
status=0
nice -n 10 "$binary" "work/$target" "Corpus/$target" \
    -dict=audience.dict -max_len="$max_len" -timeout=10 -rss_limit_mb=2048 \
    -max_total_time="$seconds" -print_final_stats=1 \
    -artifact_prefix="Crashes/$target/" || status=$?

# Keep what adds coverage; the seeds and earlier finds stay as they are.
nice -n 10 "$binary" -merge=1 -max_len="$max_len" "Corpus/$target" "work/$target" 2>&1 | grep -E "MERGE-OUTER: [0-9]+ new files" || true
exit $status
