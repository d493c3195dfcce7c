#!/bin/sh
# Builds the fuzz harness and fuzzes one target (see docs/fuzzing.md).
#
#   Fuzz/run.sh TARGET [SECONDS]   fuzz TARGET for SECONDS (default 600)
#   Fuzz/run.sh build              only build
#   Fuzz/run.sh minimize TARGET    shrink the committed corpus to one input
#                                  per new edge (seeds kept by name)
#
# TARGET is one of ndjson, delimited, gzip, numbers, options, config. New inputs go to
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
# The Swift backtracer would fight ASan over the crash; libFuzzer prints it.
export SWIFT_BACKTRACE=enable=no
# TOMLKit 0.6.0 never frees a parsed table (TOMLTable has no deinit), so
# LeakSanitizer would stop `config` at its first TOML input; see docs/fuzzing.md.
leaks=""
case $target/${2:-} in
    config/* | minimize/config) leaks=-detect_leaks=0 && export ASAN_OPTIONS=detect_leaks=0 ;;
esac

if [ "$target" = minimize ]; then
    target=${2:?usage: run.sh minimize TARGET}
    export AUDIENCE_FUZZ_TARGET="$target"
    rm -rf "min/$target" && mkdir -p "min/$target" "work/$target"
    # Edges only (no hit counts): a few hundred inputs instead of thousands.
    nice -n 10 "$binary" -merge=1 -use_counters=0 -max_len=4096 $leaks "min/$target" \
        "Corpus/$target" "work/$target" 2>&1 | grep -E "MERGE-OUTER: [0-9]+ new files" || true
    rm -rf "Corpus/$target" && mv "min/$target" "Corpus/$target" && rmdir min
    # Seeds by name; drop the merged copies of them.
    ./make-seeds.py
    for seed in "Corpus/$target"/seed-*; do
        copy="Corpus/$target/$(sha1sum "$seed" | cut -d' ' -f1)"
        if [ -f "$copy" ]; then rm "$copy"; fi
    done
    exit 0
fi

case $target in
    numbers) max_len=256 ;;
    *) max_len=4096 ;;
esac
[ -d "Corpus/$target" ] || ./make-seeds.py
mkdir -p "work/$target" "Crashes/$target"

export AUDIENCE_FUZZ_TARGET="$target"
# toml++ (inside TOMLKit) traps on inputs it asserts never happen; `config`
# runs in fork mode so that one such trap is written to Crashes/config/ and
# the fuzzing goes on (docs/fuzzing.md, "Known traps"); restarting the child
# also bounds TOMLKit's leaks.
fork=""
[ "$target" = config ] && fork="-fork=1 -ignore_crashes=1"
# CPU time, not wall time, says how much fuzzing a shared machine gave.
timer=""
[ -x /usr/bin/time ] && timer="/usr/bin/time -f fuzz-time:_%U_s_user_%S_s_system_%e_s_wall"
status=0
nice -n 10 $timer "$binary" "work/$target" "Corpus/$target" \
    -dict=audience.dict -max_len="$max_len" -timeout=10 -rss_limit_mb=2048 $leaks $fork \
    -max_total_time="$seconds" -print_final_stats=1 \
    -artifact_prefix="Crashes/$target/" || status=$?

# Keep what adds coverage; the seeds and earlier finds stay as they are.
nice -n 10 "$binary" -merge=1 -max_len="$max_len" $leaks "Corpus/$target" "work/$target" 2>&1 | grep -E "MERGE-OUTER: [0-9]+ new files" || true
exit $status
