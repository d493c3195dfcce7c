#!/usr/bin/env python3
"""Compare the CSV tables in GOT_DIR with those in WANT_DIR.

Usage: compare-tables.py GOT_DIR WANT_DIR [table.csv ...]

Each table of WANT_DIR (or each one named) is matched row by row on its key
columns; every column WANT has is compared (GOT may have more). Numbers agree
within 1e-6, relative for large values, since both sides round to 6 digits;
an empty cell (undefined) only equals an empty cell. Prints one line per
table ("ok" or what differs) and exits 1 when any table differs.
"""
import csv
import os
import sys

KEYS = {
    "titles.csv": ["title_id"], "retention.csv": ["title_id", "bucket"], "moments.csv": ["title_id"],
    "countries.csv": ["country"], "regions.csv": ["country", "region"], "devices.csv": ["device"],
    "languages.csv": ["country", "audio_lang", "subtitle_lang"], "daily.csv": ["day"],
    "hours.csv": ["weekday", "hour"], "series.csv": ["series_id", "title_id"],
    "series_summary.csv": ["series_id"], "cohorts.csv": ["cohort_day", "day_offset"],
    "concurrency.csv": ["day"], "quality.csv": ["file"],
}
IGNORED = {"title_name"}


def read(path):
    with open(path, newline="", encoding="utf-8", errors="surrogateescape") as f:
        return list(csv.DictReader(f))


def same(a, b):
    if a == b:
        return True
    try:
        x, y = float(a), float(b)
    except ValueError:
        return False
    return abs(x - y) <= 1e-6 * max(1.0, abs(x), abs(y))


def compare(got_dir, want_dir, name):
    want_path, got_path = os.path.join(want_dir, name), os.path.join(got_dir, name)
    if not os.path.exists(got_path):
        return [f"{name}: missing"]
    want, got = read(want_path), read(got_path)
    keys = KEYS.get(name) or (list(want[0].keys())[:1] if want else [])
    index = {tuple(r.get(k, "") for k in keys): r for r in got}
    problems = []
    if len(want) != len(got):
        problems.append(f"{name}: {len(got)} rows, expected {len(want)}")
    for row in want:
        key = tuple(row.get(k, "") for k in keys)
        other = index.get(key)
        if other is None:
            problems.append(f"{name}: no row {key}")
            continue
        for column, value in row.items():
            if column in IGNORED or same(other.get(column, "\0missing"), value):
                continue
            problems.append(f"{name}: {key} {column}: {other.get(column, 'missing')!r}, expected {value!r}")
    if len(problems) > 10:
        problems = problems[:10] + [f"{name}: ... {len(problems) - 10} more"]
    return problems or [f"{name}: ok rows={len(want)}"]


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    got_dir, want_dir, names = sys.argv[1], sys.argv[2], sys.argv[3:]
    names = names or sorted(n for n in os.listdir(want_dir) if n.endswith(".csv"))
    failed = False
    for name in names:
        lines = compare(got_dir, want_dir, name)
        failed |= ": ok rows=" not in lines[0]
        print("\n".join(lines))
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
