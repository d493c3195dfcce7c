#!/usr/bin/env python3
"""The analyst's alternative, for the benchmark: one DuckDB query over the raw
logs (NDJSON, CSV and TSV, gzipped or not) that keeps the lines it can read,
removes duplicates, builds the views and the per-title table (views, viewers,
watched hours). Prints the number of views and of title rows.

Usage: duckdb-views.py DATA_DIR [THREADS]   (needs `pip install duckdb`)
"""
import glob, os, sys

import duckdb

data = sys.argv[1]
threads = int(sys.argv[2]) if len(sys.argv) > 2 else 2
files = sorted(glob.glob(os.path.join(data, "**", "*"), recursive=True))
def pick(exts):
    return [f for f in files if any(f.endswith(e) or f.endswith(e + ".gz") for e in exts)]
jsonl, csv, tsv = pick([".jsonl", ".ndjson", ".json"]), pick([".csv"]), pick([".tsv"])

cols = ["ts", "event", "session_id", "viewer_id", "title_id", "from", "to", "position", "duration", "event_id"]
quoted = ", ".join(f'"{c}"' for c in cols)
parts = []
if jsonl:
    spec = "{" + ", ".join(f"'{c}': 'VARCHAR'" for c in cols) + "}"
    parts.append(f"SELECT {quoted} FROM read_json({jsonl!r}, format='newline_delimited', columns={spec}, "
                 "ignore_errors=true)")
for paths, delim in ((csv, ","), (tsv, "\t")):
    if paths:
        parts.append(f"SELECT {quoted} FROM read_csv({paths!r}, delim={delim!r}, header=true, all_varchar=true, "
                     "union_by_name=true, ignore_errors=true, null_padding=true)")

query = f"""
WITH raw AS ({' UNION ALL BY NAME '.join(parts)}),
typed AS (
  SELECT trim(session_id) AS session_id, trim(title_id) AS title_id, trim(viewer_id) AS viewer_id,
         trim(event) AS event, nullif(trim(event_id), '') AS event_id,
         CASE WHEN regexp_full_match(trim(ts), '[0-9]+(\\.[0-9]+)?')
              THEN CASE WHEN TRY_CAST(ts AS DOUBLE) > 100000000000 THEN TRY_CAST(ts AS DOUBLE)
                        ELSE TRY_CAST(ts AS DOUBLE) * 1000 END
              ELSE epoch_ms(TRY_CAST(ts AS TIMESTAMPTZ)) END AS ms,
         TRY_CAST("from" AS DOUBLE) AS f, TRY_CAST("to" AS DOUBLE) AS t, TRY_CAST(position AS DOUBLE) AS pos
  FROM raw),
valid AS (
  SELECT * FROM typed
  WHERE event IN ('start','progress','pause','resume','seek','stop','complete','error')
    AND coalesce(session_id, '') <> '' AND coalesce(title_id, '') <> '' AND coalesce(viewer_id, '') <> ''
    AND ms >= 946684800000 AND ms < 4102444800000),
dedup AS (
  SELECT * FROM valid
  QUALIFY row_number() OVER (PARTITION BY session_id, title_id,
                             coalesce(event_id, event || ms || coalesce(f, -1) || coalesce(t, -1) || coalesce(pos, -1))
                             ORDER BY ms) = 1),
views AS (
  SELECT session_id, title_id, min(ms) AS start, arg_min(viewer_id, ms) AS viewer,
         sum(CASE WHEN event = 'progress' AND t >= f THEN t - f ELSE 0 END) AS watched
  FROM dedup GROUP BY session_id, title_id)
SELECT title_id, count(*) AS views, count(DISTINCT viewer) AS viewers, round(sum(watched) / 3600, 3) AS hours
FROM views GROUP BY title_id ORDER BY title_id
"""
con = duckdb.connect()
con.execute(f"SET threads = {threads}")
rows = con.execute(query).fetchall()
print(f"{sum(r[1] for r in rows)} views, {len(rows)} titles")
