#!/usr/bin/env python3
"""Compare the metrics-beyond.md (version 1.1) parts of the tables in GOT with WANT.

Usage: compare-beyond.py GOT_DIR WANT_DIR

The same rules as /work/shared/tools/compare-tables: rows matched by their key
columns, numbers equal within 1e-6 (relative for large values), empty means
undefined on both sides, the rows' order checked on the values as written, no
repeated keys.  It covers what compare-tables does not know:
  moments.csv (key title_id), concurrency.csv (day), series_summary.csv
  (series_id): every column, the header, the row order;
  titles.csv, retention.csv, languages.csv: the new columns (failed_starts,
  exits_before_start; plays, watch_ratio; completion_rate, avg_pct_watched),
  the place the spec gives them in the header, and views = started_views +
  failed_starts + exits_before_start in GOT;
  summary-beyond.json (WANT) against GOT's summary.json, whose "audience"
  object holds the same four totals (failed_starts, exits_before_start,
  peak_views, peak_at), when both exist: with a window (store.md) they are
  over the selected views and the window's concurrency.csv rows.
WANT is normally the reference oracle's output (metrics.py, --spec 1.1).  Prints
one line per table and exits 1 when any table differs.
"""
import csv
import math
import os
import sys

NEW_TABLES = {
    "moments.csv": ["title_id"],
    "concurrency.csv": ["day"],
    "series_summary.csv": ["series_id"],
}
# table -> (key columns, the columns metrics-beyond.md adds or changes)
NEW_COLUMNS = {
    "titles.csv": (["title_id"], ["failed_starts", "exits_before_start"]),
    "retention.csv": (["title_id", "bucket"], ["plays", "watch_ratio"]),
    "languages.csv": (["country", "audio_lang", "subtitle_lang"],
                      ["completion_rate", "avg_pct_watched"]),
}


def _num(x):
    try:
        return float(x)
    except ValueError:
        return math.inf if x == "" else x


ORDER = {
    "moments.csv": lambda r: r["title_id"],
    "concurrency.csv": lambda r: r["day"],
    "series_summary.csv": lambda r: r["series_id"],
}


def load(path, keys):
    with open(path, newline="", encoding="utf-8") as f:
        reader = csv.DictReader(f)
        rows = list(reader)
        header = reader.fieldnames or []
    return {tuple(r.get(k, "") for k in keys): r for r in rows}, header, rows


def same(a, b):
    a, b = (a or ""), (b or "")
    if a == b:
        return True
    try:
        x, y = float(a), float(b)
    except ValueError:
        return False
    if math.isnan(x) or math.isnan(y):
        return False
    return abs(x - y) <= 1e-6 * max(1.0, abs(y))


def order_problem(name, rows):
    key = ORDER.get(name)
    if key is None or not rows:
        return None
    try:
        ks = [key(r) for r in rows]
    except (KeyError, TypeError) as e:
        return f"cannot check order ({e})"
    for i in range(1, len(ks)):
        if ks[i] < ks[i - 1]:
            return f"row {i + 1} out of order"
    return None


def compare(name, got_dir, want_dir, keys, columns):
    """columns: the columns to compare (None = every column of WANT)."""
    wp, gp = os.path.join(want_dir, name), os.path.join(got_dir, name)
    if not os.path.exists(wp):
        return None
    if not os.path.exists(gp):
        return f"{name}: MISSING"
    w, wcols, _ = load(wp, keys)
    try:
        g, gcols, grows = load(gp, keys)
    except Exception as e:  # noqa: BLE001
        return f"{name}: unreadable ({e})"
    cols = wcols if columns is None else columns
    problems, diffs, examples = [], 0, []
    missing_cols = [c for c in cols + keys if c not in gcols]
    if missing_cols:
        problems.append(f"missing_columns={sorted(set(missing_cols))}")
    elif columns is None and list(gcols) != list(wcols):
        problems.append(f"header {list(gcols)} != {list(wcols)}")
    elif columns is not None and [c for c in gcols if c in wcols] != list(wcols):
        problems.append("column order differs from the spec's")
    for k, wr in w.items():
        gr = g.get(k)
        if gr is None:
            diffs += 1
            examples.append(f"row {k} missing")
            continue
        for c in cols:
            if c in missing_cols:
                continue
            if not same(gr.get(c), wr.get(c)):
                diffs += 1
                examples.append(f"{k} {c}: got {gr.get(c)!r} want {wr.get(c)!r}")
    if diffs:
        problems.append(f"diffs={diffs} e.g. {examples[:3]}")
    extra = [k for k in g if k not in w]
    if extra:
        problems.append(f"extra_rows={len(extra)} e.g. {extra[:2]}")
    if len(grows) != len(g):
        problems.append(f"repeated_keys={len(grows) - len(g)}")
    disorder = order_problem(name, grows)
    if disorder:
        problems.append(f"order: {disorder}")
    if name == "titles.csv" and not missing_cols:
        broken = [r["title_id"] for r in grows
                  if _num(r.get("views", "")) != _num(r.get("started_views", ""))
                  + _num(r["failed_starts"]) + _num(r["exits_before_start"])]
        if broken:
            problems.append(f"views != started + failed + exits for {broken[:3]}")
    what = "" if columns is None else f" ({', '.join(columns)})"
    return f"{name}{what}: {'DIFF ' + ' '.join(problems) if problems else 'ok'} rows={len(w)}"


SUMMARY_KEYS = ["failed_starts", "exits_before_start", "peak_views", "peak_at"]


def compare_summary(got_dir, want_dir):
    wp, gp = os.path.join(want_dir, "summary-beyond.json"), os.path.join(got_dir, "summary.json")
    if not (os.path.exists(wp) and os.path.exists(gp)):
        return None
    import json
    with open(wp, encoding="utf-8") as f:
        want = json.load(f)
    try:
        with open(gp, encoding="utf-8") as f:
            got = json.load(f)
    except ValueError as e:
        return f"summary.json: unreadable ({e})"
    got = got.get("audience", got) if isinstance(got, dict) else {}
    diffs = [f"{k}: got {got.get(k, 'missing')!r} want {want.get(k)!r}" for k in SUMMARY_KEYS
             if got.get(k, "missing") != want.get(k)]
    return f"summary.json ({', '.join(SUMMARY_KEYS)}): " + (
        "DIFF " + "; ".join(diffs) if diffs else "ok ")


def main(got, want):
    bad = 0
    line = compare_summary(got, want)
    if line is not None:
        print(line)
        bad += ": ok " not in line
    for name, keys in NEW_TABLES.items():
        line = compare(name, got, want, keys, None)
        if line is not None:
            print(line)
            bad += ": ok " not in line
    for name, (keys, cols) in NEW_COLUMNS.items():
        line = compare(name, got, want, keys, cols)
        if line is not None:
            print(line)
            bad += ": ok " not in line
    return bad


if __name__ == "__main__":
    if len(sys.argv) != 3:
        print(__doc__.split("\n\n")[1], file=sys.stderr)
        sys.exit(2)
    sys.exit(1 if main(sys.argv[1], sys.argv[2]) else 0)
