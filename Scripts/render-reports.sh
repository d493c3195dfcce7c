#!/usr/bin/env bash
# Renders Reports/: the course report at each level (entry, intermediate,
# advanced) for each bundled sample (Datasets/clean, Datasets/messy), with the
# tables and charts it links. summary.json is left out: it holds the run's
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
