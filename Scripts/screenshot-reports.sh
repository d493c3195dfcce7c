#!/usr/bin/env bash
# Renders course reports to HTML and screenshots them in headless Chromium,
# so anyone can look at them without a Markdown viewer.
#
# Usage: Scripts/screenshot-reports.sh [REPORT_FOLDER...]
#   REPORT_FOLDER  a folder holding report.md (default: every folder of Reports/)
# Writes report.html and report.png into each folder (both ignored by git).
# Needs Debian's chromium and python3-markdown:
#   apt-get install chromium python3-markdown
set -euo pipefail
caller=$PWD
cd "$(dirname "$0")/.."
browser=$(command -v chromium || command -v chromium-browser || true)
python=""
for candidate in python3 /usr/bin/python3; do
  if "$candidate" -c 'import markdown' 2>/dev/null; then python=$candidate; break; fi
done
if [ -z "$browser" ] || [ -z "$python" ]; then
  echo "needs chromium and python3-markdown: apt-get install chromium python3-markdown" >&2
  exit 2
fi
if [ $# -eq 0 ]; then
  set -- $(find "$PWD/Reports" -name report.md -exec dirname {} \; | sort)
fi
for folder in "$@"; do
  # Folders are named from where the script was called, absolute or relative.
  case $folder in
    /*) ;;
    *) folder=$caller/$folder ;;
  esac
  if [ ! -f "$folder/report.md" ]; then
    echo "no report.md in $folder" >&2
    exit 2
  fi
  html=$("$python" Scripts/report-html.py "$folder/report.md")
  case $html in
    /*) ;;
    *) html=$PWD/$html ;;
  esac
  # A tall window catches the whole page; the blank below the end is cropped by
  # nobody, but costs nothing.
  "$browser" --headless --no-sandbox --disable-gpu --hide-scrollbars --window-size=1000,30000 \
    --screenshot="$folder/report.png" "file://$html" >/dev/null 2>&1
  echo "$folder/report.png"
done
