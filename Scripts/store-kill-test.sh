#!/usr/bin/env bash
# Kill test for the store (store.md, "Faults": a killed ingest). Ingests a
# generated data set into a store batch by batch while SIGKILL lands at
# random moments, re-running each killed ingest; `store compact` is killed
# the same way now and then. After every kill the store must be whole
# (`store verify` exits 0, `analyze --store` works) and hold, for each input
# of the batch, either its previous version or its new one. At the end,
# `analyze --store` must write every CSV and report.md byte for byte as a
# one-shot `analyze` over the latest version of every file, in byte order of
# names (store.md, "The equivalence rule"), `store verify` must pass, and
# segments/ must hold no temporary or orphan file.
#
# Usage: Scripts/store-kill-test.sh [ROUNDS]
#   ROUNDS        batches to ingest (default 10, at most 40); each ingest is
#                 killed until KILLS_PER_ROUND kills have landed or it
#                 completes before its kill (kills come at a random moment
#                 up to 1.3 times the time an uncut ingest takes)
#   KILLS_PER_ROUND (environment) default 3
#   AUDIENCE_BIN  (environment) the binary to test; default
#                 .build/release/audience, built when missing
#   KEEP=1        (environment) keep the work folder and say where it is
#
# Prints the figures and PASS or FAIL; exits 0 on PASS, 1 on FAIL, 2 when it
# cannot run.
set -uo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-10}
kills_per_round=${KILLS_PER_ROUND:-3}
case $rounds in ''|*[!0-9]*) echo "ROUNDS must be a number, not '$rounds'"; exit 2;; esac
[ "$rounds" -ge 1 ] && [ "$rounds" -le 40 ] || { echo "ROUNDS must be from 1 to 40"; exit 2; }

if [ -n "${AUDIENCE_BIN:-}" ]; then
  bin=$AUDIENCE_BIN
elif [ -x .build/release/audience ]; then
  bin=$PWD/.build/release/audience
else
  echo "building .build/release/audience ..."
  swift build -c release --product audience >/dev/null || exit 2
  bin=$PWD/.build/release/audience
fi
[ -x "$bin" ] || { echo "not an executable: $bin"; exit 2; }
bin=$(cd "$(dirname "$bin")" && pwd)/$(basename "$bin")
sqlite=$(command -v sqlite3 || true)

work=$(mktemp -d)
if [ "${KEEP:-0}" = 1 ]; then
  trap 'echo "work folder kept: $work"' EXIT
else
  trap 'rm -rf "$work"' EXIT
fi
cd "$work" || exit 2

failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }

now() { date +%s.%N; }
# A random number of seconds in [0, $1).
random_fraction_of() { awk -v t="$1" -v r="$RANDOM$RANDOM" 'BEGIN { srand(r); printf "%.3f", rand() * t }'; }

# The data: 200 viewers over 10 days in 40 files of every format.
"$bin" generate --viewers 200 --days 10 --files 40 --seed 11 --format mixed --out gen --progress never >/dev/null \
  || { echo "generate failed"; exit 2; }
mkdir logs && mv gen/logs/* logs/ && rm -rf gen
mapfile -t all < <(cd "$work" && ls logs/* | LC_ALL=C sort)
echo "data: ${#all[@]} files, $(du -sh logs | cut -f1), $(for f in "${all[@]}"; do case $f in *.gz) gzip -dc "$f";; *) cat "$f";; esac; done | wc -l) lines"

# A new version of a log: without its last 20 lines.
change() {
  local file=$1
  case $file in
    *.gz) gzip -dc "$file" | head -n -20 | gzip -n > "$file.new" ;;
    *) head -n -20 "$file" > "$file.new" ;;
  esac
  mv "$file.new" "$file"
}

# name,sha256 of the current files, sorted.
current() { "$bin" store list --store S 2>/dev/null | tail -n +2 | awk -F, '{ print $1 "," $4 }' | LC_ALL=C sort; }

# After a kill: the store is whole and holds, for each input, the version
# before the round or the new one.  $1: file with name,sha256 before the round.
check_whole() {
  local before=$1; shift
  landed_as=before
  # Killed before the first ingest made its ledger: there is no store yet, as before.
  if [ ! -s "$before" ] && [ ! -e S/ledger.sqlite ]; then return; fi
  "$bin" store verify --store S >verify.out 2>&1 || { fail "store verify after a kill: $(cat verify.out)"; return; }
  "$bin" analyze --store S --out mid -q >analyze.out 2>&1 || fail "analyze --store after a kill: $(cat analyze.out)"
  local now_list; now_list=$(current)
  local input old new got olds=0 news=0
  for input in "$@"; do
    old=$(awk -F, -v n="$input" '$1 == n { print $2 }' "$before")
    new=$(sha256sum "$input" | cut -d' ' -f1)
    got=$(printf '%s\n' "$now_list" | awk -F, -v n="$input" '$1 == n { print $2 }')
    if [ "$old" = "$new" ]; then continue; fi
    if [ "$got" = "$old" ]; then
      olds=$((olds + 1))
    elif [ "$got" = "$new" ]; then
      news=$((news + 1))
    else
      fail "$input: the store holds '$got', neither the old '$old' nor the new '$new'"
    fi
  done
  # Where the kill landed, as the store shows it.
  if [ $news -eq 0 ]; then landed_as=before; elif [ $olds -eq 0 ]; then landed_as=after; else landed_as=between; fi
}

# No temporary file, and (with sqlite3) no segment the ledger does not name.
check_clean() {
  local leftovers orphans
  leftovers=$(ls -A S/segments | grep '^\.tmp-' || true)
  [ -z "$leftovers" ] || fail "$1: temporary files left in segments/: $leftovers"
  if [ -n "$sqlite" ]; then
    orphans=$(comm -23 <(ls S/segments | LC_ALL=C sort) <("$sqlite" S/ledger.sqlite 'SELECT segment FROM segments' | LC_ALL=C sort))
    [ -z "$orphans" ] || fail "$1: segments the ledger does not name: $orphans"
  fi
}

# Calibration: how long an uncut ingest of one batch takes (the quickest of
# three); each round's uncut re-run then tells the next round.
per_round=$(( (${#all[@]} + rounds - 1) / rounds ))
expected=
for attempt in 1 2 3; do
  start=$(now)
  "$bin" ingest "${all[@]:0:$per_round}" --store calibration-$attempt -q >/dev/null 2>&1
  took=$(awk -v a="$start" -v b="$(now)" 'BEGIN { printf "%.3f", b - a }')
  expected=$(awk -v e="${expected:-$took}" -v t="$took" 'BEGIN { print (t < e ? t : e) }')
done
rm -rf calibration-*
echo "rounds: $rounds of about $per_round files (and, from the second, one changed and one unchanged earlier file); an uncut ingest of the first batch takes ${expected}s"

kills=0 too_late=0 reruns=0 compact_kills=0 replaced=0
store_as_before=0 store_as_after=0 store_partly=0
for ((round = 0; round < rounds; round++)); do
  batch=("${all[@]:$((round * per_round)):$per_round}")
  [ ${#batch[@]} -gt 0 ] || break
  # From the second round: one earlier file changed, one again as it was.
  if [ "$round" -gt 0 ]; then
    changed=${all[$(( (round * 7) % (round * per_round) ))]}
    again=${all[$(( (round * 3 + 1) % (round * per_round) ))]}
    [ "$again" = "$changed" ] && again=${all[0]}
    [ "$again" = "$changed" ] && again=${all[1]}
    change "$changed"
    batch+=("$changed" "$again")
    replaced=$((replaced + 1))
  fi
  current > before.txt
  landed=0 attempts=0
  while [ $landed -lt "$kills_per_round" ] && [ $attempts -lt $((kills_per_round * 4)) ]; do
    attempts=$((attempts + 1))
    "$bin" ingest "${batch[@]}" --store S -q >ingest.out 2>&1 &
    pid=$!
    # Now and then later than the run is expected to end (a kill after the commit).
    sleep "$(random_fraction_of "$(awk -v t="$expected" 'BEGIN { print t * 1.3 }')")"
    kill -KILL $pid 2>/dev/null
    { wait $pid; } 2>/dev/null
    status=$?
    if [ $status -eq 137 ]; then
      landed=$((landed + 1))
      kills=$((kills + 1))
      check_whole before.txt "${batch[@]}"
      case $landed_as in
        before) store_as_before=$((store_as_before + 1)) ;;
        after) store_as_after=$((store_as_after + 1)) ;;
        *) store_partly=$((store_partly + 1)) ;;
      esac
    elif [ $status -eq 0 ]; then
      too_late=$((too_late + 1))
      break
    else
      fail "round $round: ingest exited $status: $(cat ingest.out)"
      break
    fi
  done
  # The next ingest of the same inputs completes the work.
  reruns=$((reruns + 1))
  start=$(now)
  "$bin" ingest "${batch[@]}" --store S -q >ingest.out 2>&1 || fail "round $round: the re-run exited $?: $(cat ingest.out)"
  expected=$(awk -v a="$start" -v b="$(now)" 'BEGIN { t = b - a; printf "%.3f", t < 0.02 ? 0.02 : t }')
  current > after.txt
  for input in "${batch[@]}"; do
    want="$input,$(sha256sum "$input" | cut -d' ' -f1)"
    grep -qxF "$want" after.txt || fail "round $round: after the re-run the store does not hold $input as it is now"
  done
  check_clean "round $round, after the re-run"

  # Every third round: compaction, killed once at a random moment.
  if [ $((round % 3)) -eq 2 ]; then
    "$bin" store compact --store S >compact.out 2>&1 &
    pid=$!
    sleep "$(random_fraction_of 0.3)"
    kill -KILL $pid 2>/dev/null
    { wait $pid; } 2>/dev/null
    [ $? -eq 137 ] && compact_kills=$((compact_kills + 1))
    check_whole after.txt "${batch[@]}"
    "$bin" store compact --store S >compact.out 2>&1 || fail "round $round: store compact exited $?: $(cat compact.out)"
  fi
done

# The last word: everything again (all unchanged), then the equivalence rule.
final=$("$bin" ingest "${all[@]}" --store S 2>&1)
echo "$final" | grep -q " 0 added, 0 replaced, ${#all[@]} unchanged" || fail "a final ingest of everything changed the store: $final"
"$bin" analyze --store S --out from-store -q 2>analyze.err || fail "analyze --store exited $?: $(cat analyze.err)"
"$bin" analyze "${all[@]}" --out one-shot -q 2>oneshot.err || fail "the one-shot analyze exited $?: $(cat oneshot.err)"
compared=0
for file in one-shot/*.csv one-shot/report.md; do
  name=${file#one-shot/}
  compared=$((compared + 1))
  cmp -s "$file" "from-store/$name" || fail "$name differs between analyze --store and the one-shot run"
done
[ $compared -ge 17 ] || fail "only $compared outputs to compare"
"$bin" store verify --store S >verify.out 2>&1 || fail "store verify at the end: $(cat verify.out)"
check_clean "at the end"

echo "figures: $kills ingest kills landed ($store_as_before left the store as before the batch, $store_as_after after the batch's commit, $store_partly in between), $too_late ingests finished before their kill, $reruns re-runs, $compact_kills compactions killed, $replaced files replaced, $(ls S/segments | wc -l) segments at the end, $compared outputs compared"
if [ $failures -eq 0 ] && [ $kills -gt 0 ]; then
  echo "PASS"
  exit 0
fi
[ $kills -gt 0 ] || echo "FAIL: no kill landed before an ingest completed"
echo "FAIL ($failures failures)"
exit 1
