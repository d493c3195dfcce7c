#!/usr/bin/env bash
# Renders Reports/: the course report at each level (entry, intermediate,
# advanced) for each bundled sample (Datasets/clean, Datasets/messy), with the
# tables and charts it links; and Reports/clean/compared, the intermediate
# report of the last four days (--from 2026-11-05 --to 2026-11-08), which
# compares them with the four days before. summary.json is left out: it holds the run's
# elapsed time, and Reports/ must not change unless the results do
# (ReportsTests fails when Reports/ is out of date).
#
# Usage: Scripts/render-reports.sh
set -euo pipefail
cd "$(dirname "$0")/.."
swift build -c release --product audience >/dev/null
bin=$PWD/.build/release/audience
for sample in clean messy; do
  for level in entry intermediate advanced; do
    out=$PWD/Reports/$sample/$level
    rm -rf "$out"
    # From inside the sample, so the report names its files logs/….
    status=0
    (cd "Datasets/$sample" && "$bin" analyze logs --catalog catalog.csv --level "$level" --out "$out" --quiet) || status=$?
    # 1 means a file had a file-level error: the report says so, and is still complete.
    if [ "$status" -gt 1 ]; then exit "$status"; fi
    rm -f "$out/summary.json"
    echo "Reports/$sample/$level/report.md"
  done
done
out=$PWD/Reports/clean/compared
rm -rf "$out"
(cd Datasets/clean && "$bin" analyze logs --catalog catalog.csv --level intermediate --from 2026-11-05 --to 2026-11-08 \
  --out "$out" --quiet)
rm -f "$out/summary.json"
echo "Reports/clean/compared/report.md"
