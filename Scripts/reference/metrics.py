#!/usr/bin/env python3
"""Reference implementation (oracle) of /work/shared/spec/metrics.md.

    metrics.py INPUT... --out DIR [--buckets B] [--complete-at C] [--timezone TZ]
                                  [--catalog FILE] [--spec 1|1.1]
                                  [--from YYYY-MM-DD] [--to YYYY-MM-DD]

Slow and plain on purpose: Python 3.11, standard library only.  The input side
(finding files, reading, validating, removing duplicates) is quality.py's, imported
from this folder; this file turns the kept events into views and writes, in DIR:
quality.csv (via quality.py), titles.csv, retention.csv, countries.csv, regions.csv,
devices.csv, languages.csv, daily.csv, hours.csv, series.csv, cohorts.csv.

With --spec 1.1 (the default) it also implements /work/shared/spec/metrics-beyond.md
(the version 1.1 additions): titles.csv gains failed_starts (and exits_before_start
becomes the views that did not start and have no error event), retention.csv gains
plays and watch_ratio, languages.csv gains completion_rate and avg_pct_watched, and
it writes moments.csv, concurrency.csv, series_summary.csv and summary-beyond.json.
--spec 1 writes the version-1 tables exactly as metrics.md alone defines them (for
comparing an engine that does not implement the additions yet).

--from A / --to B (either may be left out) is a window, /work/shared/spec/store.md
"Windows: --from DAY and --to DAY": every table over the views whose day lies in
[A, B], with the exceptions that spec lists (first views, concurrency and quality
from the whole history); choices W1..W8 below.  Without them every file is
byte-identical to what this oracle wrote before windows existed.

Numbers: every rate/share/hours figure is a Python float (IEEE double) computed as the
spec's formula reads, then written by rounding the double's exact decimal value half
away from zero to 6 digits after the point (decimal.Decimal(float)), with no exponent,
no trailing zeros and no "-0".  Sums of watch seconds use math.fsum over all the
segment lengths (to - from, each one a double) of the group.

AMBIGUITIES (metrics): (what metrics.md / viewing-events.md leave open, and the choice)
 M1. Sums of watch seconds are math.fsum over every progress segment of the group
     (correctly rounded sum of the segment doubles), not a sum of per-view sums.  If
     the exact sum overflows a double (segments near 1.8e308) the value is infinite:
     every figure that is not finite (inf, NaN, e.g. x / (D/3600) with D/3600 == 0) is
     written as an empty field; such an infinite watch_hours sorts FIRST in "watch_hours
     descending" (it is larger than any finite value; compare-tables reads an empty
     field as +inf too); share_of_watch_hours is empty when all watch hours are not
     finite (the share is then undefined, not 0).
 M2. avg_pct_watched = fsum(reached_i / B over the started views) / n (the mean of the
     per-view doubles reached/B).
 M3. Row order "numbers by the value as written": watch_hours descending compares the
     6-digit rounded values as written, then the key columns byte-wise.
 M4. top_title compares the titles' watch hours within the group as doubles
     (fsum(seconds)/3600, unrounded); candidates are the titles of every view of the
     group (started or not); a tie goes to the smaller title_id (bytes).
 M5. share_of_watch_hours = group watch_hours / all watch_hours (both doubles, hours);
     empty when all watch hours are 0.  subtitle_share is empty when the group has no
     started view; completion_rate likewise.
 M6. unique_viewers in countries/regions/devices/daily is "as for titles": distinct
     viewer_id over the group's started views.
 M7. daily/hours/cohorts use each view's start time converted to the report time
     zone (floor of the millisecond instant to the second; zoneinfo rules, which
     continue past 2037 with the zone's POSIX rule).  --timezone accepts an IANA
     name (one of zoneinfo.available_timezones(), system tzdata; case-sensitive; so
     "posix/..." and "right/..." are refused), "UTC", "Z", or a fixed offset [+-]HH:MM (HH 00..23, MM 00..59);
     anything else is a usage error (exit 2).
 M8. cohorts: a viewer's cohort day is the day of the viewer's started view with the
     smallest start time; "the last day with a view" is the largest day (date) of any
     view.  new_viewers in daily.csv uses the same cohort day.
 M9. completed: "the largest to of its progress events" uses every progress event of
     the view (after clamping), zero-length ones included; the threshold is the double
     c*D; a `complete` event counts wherever it lies in the view.
 M10. Clamping: x -> min(max(x, 0), D) for from, to (and position, unused by the
     metrics) when D is known; nothing when D is unknown.  Huge D: mid_i is the IEEE
     result of (2i+1)*D/(2B), which may be +inf (then that bucket is never reached).
 M11. half_life_pct: retention(i) < 0.5 is decided exactly (2*views_reached <
     started_views); the value written is the double 100*i/B.
 M12. A title's views/started etc. in titles.csv count every view of the title; a
     catalog title with no view gets views 0, started_views 0, exits 0, unique 0,
     watch_hours 0, completed_views 0, runtime_views 0 and empty avg_view_minutes,
     completion_rate, avg_pct_watched, half_life_pct.  title_name is empty for a title
     not in the catalog.
 M13. series.csv: a title belongs to the series its (catalog or event) series_id names;
     titles without series_id are in no series.  Ordering key per series: (season
     absent?, season, episode absent?, episode, title_id bytes).
 M14. Catalog file: UTF-8 (a leading BOM skipped), RFC 4180 records separated by LF or
     CRLF outside quotes (a lone CR is text); blank records skipped; header names and
     every value trimmed of ASCII spaces and tabs, a repeated header name: the last
     column wins; a record with a different number of fields than the header, a bare
     quote inside an unquoted field, text after a closing quote, an unclosed quote or
     invalid UTF-8 is a usage error; runtime_s must match the log number grammar
     ([+-]?d+(.d+)?(e[+-]?d+)?), be finite and > 0; season/episode, when not empty,
     must be whole numbers 0..2147483647 (the log rule: 2.0 is 2).  Usage errors exit 2
     and write nothing but the message.
 M15. --buckets must be a decimal integer >= 1 (digits only); --complete-at a number
     (Python float syntax) with 0 < c <= 1 (c = 0 would make every started view with a
     progress event "completed").
 M16. Text is compared, grouped and sorted as UTF-8 bytes (Python code-point order is
     the same), never Unicode-normalised: "\u00e9" and "e\u0301" are different
     countries, regions, devices, languages, series, titles and catalog keys (the
     spec: "Text values are compared as bytes").  A catalog title_id matches an
     event title_id only when the bytes are equal (after trimming).
 M17. languages.csv: subtitle_lang written "off" when absent or exactly "off"
     (case-sensitive: "OFF" is a language); audio absent is the empty string.
 M18. regions.csv: the country of a group is the view's country (ZZ when absent), the
     region the view's region (empty when absent), whatever the country.

AMBIGUITIES (beyond): (what metrics-beyond.md leaves open, and the choice)
 B1. An `error` event of a view is a kept event (accepted, after duplicate removal)
     whose event is "error", wherever it lies in time and whatever its position.  A
     view that started is never a failed start, errors or not.  failed_starts +
     exits_before_start + started_views = views, per title and in total; a catalog
     title nobody watched has 0 and 0.
 B2. plays(i) counts the progress events of the title's started views with
     from <= mid_i < to after clamping, with the very midpoints and the same test as
     views_reached (so R(i) = number of started views with plays > 0 there, and
     P(i) >= R(i) always).  A view that did not start cannot add a play anyway (none
     of its segments has to > from).  watch_ratio = plays / started_views (ints,
     one IEEE division).
 B3. intro_bucket: the double floor((30.0 * B) / D), empty when D <= 30 (D compared
     as the double it is; D == 30 gives empty).  For D > 30 and B < 2**53 / 30 (so
     that 30.0 * B is exact) the quotient is below B, so the bucket always exists;
     were it ever >= B, intro_retention would be empty.  When 30 lies exactly on a
     bucket boundary the upper bucket is taken (buckets are [lo, hi)), which is
     what the formula gives.
 B4. steepest_drop_bucket compares the counts R(i-1) - R(i) (the same order as
     retention, whose denominator is fixed per title); steepest_drop =
     (R(i-1) - R(i)) / started_views, one IEEE division of the integers.
 B5. most_replayed_bucket compares the integers P(i) - R(i) over 0 <= i < B (bucket
     0 included); replay_ratio = P(i) / R(i), and R(i) >= 1 there because
     P(i) > R(i) >= 0 needs a play, hence a view that reached i.
 B6. concurrency.csv: the days are exactly those of daily.csv (the day of each view's
     start, M7).  A view plays over [start_ms, end_ms], end = largest ts of its kept
     events, of every event kind (so a view of one event plays for one
     millisecond, and a view of only start + error plays from the one to the
     other); views of every title and viewer count, started or not.  A day's first
     instant is the earliest instant whose local date (of the instant floored to the
     second, as M7) is on or after that day, found with zoneinfo on whole seconds
     (zone offsets and transitions are whole seconds, so a day always starts on a
     whole second): for every day that occurs, that is the spec's "earliest instant
     with that local date", also where local midnight is skipped (the day starts
     at the transition) or repeated (the first of the two).  The day ends before
     the first instant of the next calendar date by the same rule, so where a date
     is skipped entirely (Pacific/Apia 2011-12-30) the day before runs on to the
     first instant of the date after.  Where clocks fall back over midnight the
     repeated part of day D lies after the first instant of D+1, so it belongs to
     D+1's interval, even though a view that starts in it is a view of day D in
     daily.csv (the spec's letter; D+1 gets a row only when it is in daily.csv).
     (The search samples every 60 s, then every second: it assumes no zone changes
     its offset twice within one minute, which holds for all of tzdata.)
 B7. peak_at: the instant's local date and time in the report zone with its
     milliseconds, and the UTC offset in effect at that instant as +hh:mm (the
     fixed offset "-00:00" is UTC and writes "+00:00"; an offset with seconds,
     which tzdata has only long before 2000, would be written +hh:mm:ss).
 B8. summary: this oracle writes no summary.json, so the additions go to
     summary-beyond.json: {"failed_starts", "exits_before_start", "peak_views",
     "peak_at"} over all views; "the earliest peak_at that reaches it" is the
     earliest INSTANT (not the smallest text: offsets can differ between days);
     peak_views and peak_at are null when there is no view.
 B9. languages.csv: completion_rate = completed views / started views of the group
     (the groups hold started views only, so it is always defined);
     avg_pct_watched as M2 over the group's views whose title has a known runtime,
     empty when none.
 B10. series_summary.csv: a series' episodes are its rows of series.csv (M13);
     viewers = distinct viewer_id over the started views of those titles;
     avg_episodes_per_viewer = (sum over episodes of |V(k)|) / viewers, one IEEE
     division of the integers (equal to the mean of each viewer's number of distinct
     episodes started); completed_all_viewers: viewers who have, for every episode,
     a completed view of it (completed implies started).  binge: the day of a view
     is the day of its start (M7), so a view crossing midnight counts on the day it
     began only; "3 distinct episodes" are 3 distinct title_ids of the series with
     a started view that begins that day (the same episode three times is not a
     binge); started views only.

AMBIGUITIES (windows): (what store.md "Windows" leaves open, and the choice)
 W1. A date is exactly four, two and two ASCII digits joined by "-" (nothing
     before or after: "2026-11-1", "2026-11-01T00:00", "+2026-11-01" and "" are
     refused) naming a real day of the proleptic Gregorian calendar; year 0000 is
     accepted (ISO 8601's 1 BC, a leap year) though no view can be that early
     (timestamps start in 2000).  --from == --to is one day; --from after --to, or a
     bad date, is a usage error, exit 2 like every usage error here (the engine's
     is 64).  --from alone means [A, no end), --to alone (no start, B].
 W2. The history is every kept event (after duplicate removal over all of them,
     rule 1).  Views are built from the whole history first, so a selected view
     keeps all its events (started, watch seconds, completed, end time come from
     all of them, also those after B); then a view is selected when its day (M7:
     the local date of its start floored to the second) lies in [A, B].  A window
     never splits a view: one that starts on A - 1 and plays into A is not
     selected (it counts only in concurrency.csv, W5).
 W3. A viewer's first started view is M8's over every view of the history;
     daily.csv new_viewers of a day d in the window counts the viewers whose first
     started view is on d (that view is then a selected one).  A viewer whose
     first started view lies before A is new on no day of the window.
 W4. cohorts.csv: the cohort days are the days that are some viewer's cohort day
     (W3) and lie in [A, B]; "the last day of the selected views" is the largest
     day of any selected view, started or not (as M8); returning viewers are the
     cohort's viewers with a selected started view on day d + k.  So a window
     with no first started view in it has no cohort row.
 W5. concurrency.csv: one row for each day of the windowed daily.csv (the days of
     the selected views), computed exactly as without a window (B6) over every
     view of the history, selected or not, so views that started before A (or on
     a day of the history outside the window) count where they play.
     summary-beyond.json (B8): peak_views / peak_at over these rows, failed_starts
     and exits_before_start over the selected views; it gains no "window" object
     (it is not summary.json, and stays byte-identical without a window).
 W6. titles.csv: the titles with at least one selected view, and every catalog
     title (M12's zero row when it has no selected view); a title outside the
     catalog whose views all lie outside the window is in no table.  Runtime,
     series_id, season and episode come from the whole history (rule 2), so
     buckets and midpoints, percent watched, clamping and "completed" of a
     selected view do not depend on the window.  retention.csv, moments.csv,
     series.csv and series_summary.csv take a title's selected views only (an
     episode is a series' title with a selected started view; binge days are the
     selected views' days).
 W7. quality.csv is the whole history's, window or not (this oracle writes no
     rejects.csv or summary.json line totals).
 W8. A window that selects nothing writes every table with its header only,
     except titles.csv (catalog titles at zero, W6) and quality.csv (W7);
     summary-beyond.json then has 0, 0, null, null.
"""

from __future__ import annotations

import argparse
import bisect
import datetime as dt
import json
import math
import os
import re
import sys
from decimal import ROUND_HALF_UP, Context, Decimal

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import quality as Q  # noqa: E402


class UsageError(Exception):
    pass


# --------------------------------------------------------------------------------------
# Number format
# --------------------------------------------------------------------------------------

_CTX = Context(prec=2000)
_Q6 = Decimal("0.000001")


def rounded(x: float) -> Decimal:
    return Decimal(x).quantize(_Q6, rounding=ROUND_HALF_UP, context=_CTX)


def fmt(x) -> str:
    """int -> decimal integer; float -> 6-digit rounded decimal; None -> ''."""
    if x is None:
        return ""
    if isinstance(x, bool):
        raise TypeError(x)
    if isinstance(x, int):
        return str(x)
    if not math.isfinite(x):
        return ""
    s = format(rounded(x), "f")
    if "." in s:
        s = s.rstrip("0").rstrip(".")
    if s in ("-0", ""):
        s = "0"
    return s


def written_value(x) -> Decimal:
    """The value of a number as written (for row order)."""
    if isinstance(x, float) and math.isinf(x):
        return Decimal(x)  # an overflowed sum: larger than any written value
    s = fmt(x)
    return Decimal(s) if s else Decimal("-Infinity")


def fsum(values) -> float:
    try:
        return math.fsum(values)
    except OverflowError:
        return math.inf


def csv_field(s: str) -> str:
    if any(c in s for c in ',"\r\n'):
        return '"' + s.replace('"', '""') + '"'
    return s


def write_table(path: str, header: list[str], rows: list[list]):
    with open(path, "wb") as f:
        f.write((",".join(header) + "\n").encode("utf-8"))
        for row in rows:
            cells = []
            for v in row:
                cells.append(csv_field(v) if isinstance(v, str) else fmt(v))
            f.write((",".join(cells) + "\n").encode("utf-8", "surrogateescape"))


def bkey(s):
    """Byte-wise key of a text (None = absent = empty string)."""
    return (s or "").encode("utf-8", "surrogateescape")


# --------------------------------------------------------------------------------------
# Settings: time zone, catalog
# --------------------------------------------------------------------------------------

def parse_timezone(name: str):
    if name in ("UTC", "Z"):
        return dt.timezone.utc
    m = re.fullmatch(r"([+-])([0-9]{2}):([0-9]{2})", name)
    if m:
        h, mi = int(m.group(2)), int(m.group(3))
        if h > 23 or mi > 59:
            raise UsageError(f"bad time zone offset {name!r}")
        off = dt.timedelta(hours=h, minutes=mi)
        return dt.timezone(-off if m.group(1) == "-" else off)
    try:
        from zoneinfo import ZoneInfo, available_timezones
        if name not in available_timezones():   # no "posix/", "right/", file paths
            raise ValueError("not an IANA time zone name")
        return ZoneInfo(name)
    except Exception as e:  # noqa: BLE001
        raise UsageError(f"unknown time zone {name!r} ({e})")


def _catalog_records(text: str):
    """RFC 4180 records -> list of (line number, [fields]).  Blank records skipped."""
    records = []
    i, n, line = 0, len(text), 1
    while i < n:
        start_line = line
        fields = []
        while True:  # one field
            if i < n and text[i] == '"':
                i += 1
                buf = []
                while True:
                    if i >= n:
                        raise UsageError(f"catalog line {start_line}: unclosed quote")
                    c = text[i]
                    if c == '"':
                        if i + 1 < n and text[i + 1] == '"':
                            buf.append('"')
                            i += 2
                            continue
                        i += 1
                        break
                    if c == "\n":
                        line += 1
                    buf.append(c)
                    i += 1
                fields.append("".join(buf))
                if i < n and text[i] not in ",\n" and not text.startswith("\r\n", i):
                    raise UsageError(f"catalog line {start_line}: text after a closing quote")
            else:
                j = i
                while j < n and text[j] != "," and text[j] != "\n" and not text.startswith("\r\n", j):
                    if text[j] == '"':
                        raise UsageError(f"catalog line {line}: quote in an unquoted field")
                    j += 1
                fields.append(text[i:j])
                i = j
            if i < n and text[i] == ",":
                i += 1
                continue
            # end of record
            if text.startswith("\r\n", i):
                i += 2
            elif i < n and text[i] == "\n":
                i += 1
            line += 1
            break
        if len(fields) == 1 and fields[0].strip(" \t") == "":
            # a blank line (a single empty unquoted field) is skipped
            continue
        records.append((start_line, fields))
    return records


def load_catalog(path: str) -> dict:
    """title_id -> dict(runtime, title_name, series_id, season, episode)."""
    try:
        with open(path, "rb") as f:
            data = f.read()
    except OSError as e:
        raise UsageError(f"cannot read catalog {path}: {e}")
    if data.startswith(Q.BOM):
        data = data[3:]
    try:
        text = data.decode("utf-8", "strict")
    except UnicodeDecodeError as e:
        raise UsageError(f"catalog {path}: invalid UTF-8 ({e})")
    records = _catalog_records(text)
    if not records:
        raise UsageError(f"catalog {path}: no header row")
    _, header = records[0]
    names = [h.strip(" \t") for h in header]
    col = {}
    for k, nm in enumerate(names):
        col[nm] = k  # the last such column wins
    for req in ("title_id", "runtime_s"):
        if req not in col:
            raise UsageError(f"catalog {path}: no {req} column")
    cat = {}
    for lineno, fields in records[1:]:
        if len(fields) != len(names):
            raise UsageError(f"catalog {path} line {lineno}: {len(fields)} fields, "
                             f"header has {len(names)}")

        def get(name):
            k = col.get(name)
            if k is None:
                return None
            v = fields[k].strip(" \t")
            return v if v else None

        tid = get("title_id")
        if tid is None:
            raise UsageError(f"catalog {path} line {lineno}: empty title_id")
        if tid in cat:
            raise UsageError(f"catalog {path} line {lineno}: title_id {tid!r} repeated")
        rt = get("runtime_s")
        runtime = Q.norm_number(("str", rt), False) if rt is not None else None
        if runtime is None or runtime is Q.BAD or not (math.isfinite(runtime) and runtime > 0):
            raise UsageError(f"catalog {path} line {lineno}: runtime_s {rt!r} is not a "
                             f"number > 0")
        entry = {"runtime": runtime, "title_name": get("title_name"),
                 "series_id": get("series_id")}
        for f in ("season", "episode"):
            v = get(f)
            x = Q.norm_number(("str", v), True) if v is not None else None
            if x is Q.BAD:
                raise UsageError(f"catalog {path} line {lineno}: {f} {v!r} is not a whole "
                                 f"number")
            entry[f] = x
        cat[tid] = entry
    return cat


# --------------------------------------------------------------------------------------
# Views
# --------------------------------------------------------------------------------------

VIEW_ATTRS = ["viewer_id", "country", "region", "device", "audio_lang", "subtitle_lang"]


def earliest_value(events, field):
    """Value of the earliest event that has it (smallest ts, then smallest value)."""
    best = None
    for e in events:
        v = e[field]
        if v is None:
            continue
        k = (e["ts"], bkey(v) if isinstance(v, str) else v)
        if best is None or k < best[0]:
            best = (k, v)
    return None if best is None else best[1]


class Title:
    def __init__(self, tid):
        self.tid = tid
        self.events = []
        self.views = []
        self.runtime = None
        self.name = None
        self.series_id = None
        self.season = None
        self.episode = None
        self.in_catalog = False


class View:
    pass


def build(events, catalog, B, c, tz):
    titles: dict[str, Title] = {}
    by_view: dict[tuple, list] = {}
    for e in events:
        t = titles.get(e["title_id"])
        if t is None:
            t = titles[e["title_id"]] = Title(e["title_id"])
        t.events.append(e)
        by_view.setdefault((e["session_id"], e["title_id"]), []).append(e)
    for tid, entry in catalog.items():
        if tid not in titles:
            titles[tid] = Title(tid)

    # per title: runtime, series info
    for tid, t in titles.items():
        if tid in catalog:
            entry = catalog[tid]
            t.in_catalog = True
            t.runtime = entry["runtime"]
            t.name = entry["title_name"]
            t.series_id, t.season, t.episode = (entry["series_id"], entry["season"],
                                                entry["episode"])
        else:
            counts: dict[float, int] = {}
            for e in t.events:
                d = e["duration"]
                if d is not None:
                    counts[d] = counts.get(d, 0) + 1
            if counts:
                t.runtime = max(counts, key=lambda d: (counts[d], d))
            t.series_id = earliest_value(t.events, "series_id")
            t.season = earliest_value(t.events, "season")
            t.episode = earliest_value(t.events, "episode")
        D = t.runtime
        t.mids = [((2 * i + 1) * D) / (2 * B) for i in range(B)] if D is not None else None

    views = []
    for (sid, tid), evs in by_view.items():
        t = titles[tid]
        D = t.runtime
        v = View()
        v.session_id, v.title = sid, t
        v.start_ms = min(e["ts"] for e in evs)
        v.end_ms = max(e["ts"] for e in evs)
        v.has_error = any(e["event"] == "error" for e in evs)
        for f in VIEW_ATTRS:
            setattr(v, f, earliest_value(evs, f))
        v.country_key = v.country if v.country is not None else "ZZ"
        v.device_key = v.device if v.device is not None else "unknown"
        segs = []
        has_complete = False
        for e in evs:
            if e["event"] == "complete":
                has_complete = True
            if e["event"] == "progress":
                fr, to = e["from"], e["to"]
                if D is not None:
                    fr = min(max(fr, 0.0), D)
                    to = min(max(to, 0.0), D)
                segs.append((fr, to))
        v.segments = segs
        v.started = any(to > fr for fr, to in segs)
        v.lengths = [to - fr for fr, to in segs]
        v.watch = fsum(v.lengths)
        if D is not None:
            # plays[i]: the progress events with from <= mid_i < to (each one counted);
            # bucket i is reached when at least one is.
            v.plays = [sum(1 for fr, to in segs if fr <= m < to) for m in t.mids]
            reached = [p > 0 for p in v.plays]
            v.reached = reached
            v.n_reached = sum(reached)
            v.pct = v.n_reached / B
        else:
            v.plays = None
            v.reached = None
            v.n_reached = None
            v.pct = None
        max_to = max((to for _, to in segs), default=None)
        v.completed = v.started and (has_complete or (D is not None and max_to is not None
                                                      and max_to >= c * D))
        v.has_subs = v.subtitle_lang is not None and v.subtitle_lang != "off"
        # local time of the start
        local = dt.datetime.fromtimestamp(v.start_ms // 1000, tz)
        v.day = local.date()
        v.hour = local.hour
        v.weekday = local.isoweekday()
        t.views.append(v)
        views.append(v)
    return titles, views


# --------------------------------------------------------------------------------------
# Group figures
# --------------------------------------------------------------------------------------

def seconds_of(views):
    return fsum(x for v in views for x in v.lengths)


def hours_of(views):
    return seconds_of(views) / 3600


def ratio(a, b):
    return None if b == 0 else a / b


def fdiv(a: float, b: float) -> float:
    """IEEE division (Python raises on a zero divisor)."""
    if b == 0:
        if a == 0 or math.isnan(a):
            return math.nan
        return math.copysign(math.inf, a) * math.copysign(1.0, b)
    return a / b


def group_stats(views):
    started = [v for v in views if v.started]
    n = len(started)
    pcts = [v.pct for v in started if v.pct is not None]
    return {
        "views": len(views),
        "started_views": n,
        "unique_viewers": len({v.viewer_id for v in started}),
        "watch_hours": hours_of(views),
        "completion_rate": ratio(sum(1 for v in views if v.completed), n),
        "avg_pct_watched": (fsum(pcts) / len(pcts)) if pcts else None,
        "completed_views": sum(1 for v in views if v.completed),
    }


def top_title(views):
    per: dict[str, list] = {}
    for v in views:
        per.setdefault(v.title.tid, []).append(v)
    best = None
    for tid, vs in per.items():
        k = (-hours_of(vs), bkey(tid))
        if best is None or k < best[0]:
            best = (k, tid)
    return best[1]


def by_watch_desc(rows, key_cols, hours_col):
    rows.sort(key=lambda r: (-written_value(r[hours_col]),) + tuple(bkey(r[k]) for k in key_cols))


# --------------------------------------------------------------------------------------
# Tables
# --------------------------------------------------------------------------------------

def table_titles(titles, B, beyond):
    header = ["title_id", "title_name", "series_id", "season", "episode", "runtime_s",
              "views", "started_views", "exits_before_start", "unique_viewers",
              "watch_hours", "avg_view_minutes", "completed_views", "completion_rate",
              "avg_pct_watched", "half_life_pct", "runtime_views"]
    if beyond:  # metrics-beyond.md: the start funnel
        header.insert(header.index("exits_before_start"), "failed_starts")
    rows = []
    for tid, t in titles.items():
        g = group_stats(t.views)
        D = t.runtime
        n = g["started_views"]
        secs = seconds_of(t.views)
        half = None
        if D is not None and n > 0:
            half = 100.0
            started = [v for v in t.views if v.started]
            for i in range(B):
                reached = sum(1 for v in started if v.reached[i])
                if 2 * reached < n:
                    half = 100 * i / B
                    break
        wh = g["watch_hours"]
        rows.append({
            "title_id": tid, "title_name": t.name or "", "series_id": t.series_id or "",
            "season": t.season, "episode": t.episode, "runtime_s": D,
            "views": g["views"], "started_views": n,
            "failed_starts": sum(1 for v in t.views if not v.started and v.has_error),
            "exits_before_start": (sum(1 for v in t.views if not v.started and not v.has_error)
                                   if beyond else g["views"] - n),
            "unique_viewers": g["unique_viewers"], "watch_hours": wh,
            "avg_view_minutes": None if n == 0 else secs / n / 60,
            "completed_views": g["completed_views"],
            "completion_rate": g["completion_rate"],
            "avg_pct_watched": g["avg_pct_watched"] if D is not None else None,
            "half_life_pct": half,
            "runtime_views": None if D is None else fdiv(wh, D / 3600),
        })
    by_watch_desc(rows, ["title_id"], "watch_hours")
    return header, [[r[h] for h in header] for r in rows]


def curves(t, B):
    """(started views, R, P) of a title of retention.csv, else None.  R[i] =
    views_reached of bucket i, P[i] = plays of bucket i (metrics-beyond.md)."""
    started = [v for v in t.views if v.started]
    if t.runtime is None or not started:
        return None
    R = [sum(1 for v in started if v.reached[i]) for i in range(B)]
    P = [sum(v.plays[i] for v in started) for i in range(B)]
    return started, R, P


def table_retention(titles, B, beyond):
    header = ["title_id", "bucket", "start_pct", "views_reached", "retention"]
    if beyond:
        header += ["plays", "watch_ratio"]
    rows = []
    for tid in sorted(titles, key=bkey):
        cv = curves(titles[tid], B)
        if cv is None:
            continue
        started, R, P = cv
        n = len(started)
        for i in range(B):
            row = [tid, i, 100 * i / B, R[i], R[i] / n]
            if beyond:
                row += [P[i], P[i] / n]
            rows.append(row)
    return header, rows


def table_moments(titles, B):
    header = ["title_id", "intro_bucket", "intro_retention", "steepest_drop_bucket",
              "steepest_drop", "most_replayed_bucket", "replay_ratio"]
    rows = []
    for tid in sorted(titles, key=bkey):
        t = titles[tid]
        cv = curves(t, B)
        if cv is None:
            continue
        started, R, P = cv
        n = len(started)
        D = t.runtime
        # intro: floor((30 * B) / D) in IEEE double, in that order (B3)
        intro = intro_ret = None
        if D > 30:
            intro = math.floor((30.0 * B) / D)
            intro_ret = R[intro] / n if 0 <= intro < B else None
        # steepest drop: largest R(i-1) - R(i) > 0 over 1 <= i < B, smallest i on a tie
        drop_i = drop = None
        for i in range(1, B):
            d = R[i - 1] - R[i]
            if d > 0 and (drop is None or d > drop):
                drop_i, drop = i, d
        # most replayed: largest P(i) - R(i) over 0 <= i < B, smallest i on a tie;
        # none when P(i) == R(i) everywhere (P >= R always, B2)
        rep_i = None
        if any(P[i] != R[i] for i in range(B)):
            extra = [P[i] - R[i] for i in range(B)]
            rep_i = extra.index(max(extra))  # the first (smallest i) of the largest
        rows.append([tid, intro, intro_ret, drop_i, None if drop is None else drop / n,
                     rep_i, None if rep_i is None else P[rep_i] / R[rep_i]])
    return header, rows


def table_places(views, keyfn, key_cols):
    header = key_cols + ["views", "started_views", "unique_viewers", "watch_hours",
                         "completion_rate", "avg_pct_watched", "share_of_watch_hours",
                         "subtitle_share", "top_title"]
    total_hours = hours_of(views)
    groups: dict[tuple, list] = {}
    for v in views:
        groups.setdefault(keyfn(v), []).append(v)
    rows = []
    for key, vs in groups.items():
        g = group_stats(vs)
        started = [v for v in vs if v.started]
        r = dict(zip(key_cols, key))
        r.update({k: g[k] for k in ["views", "started_views", "unique_viewers",
                                    "watch_hours", "completion_rate", "avg_pct_watched"]})
        r["share_of_watch_hours"] = (ratio(g["watch_hours"], total_hours)
                                     if math.isfinite(total_hours) else None)
        r["subtitle_share"] = ratio(sum(1 for v in started if v.has_subs), len(started))
        r["top_title"] = top_title(vs)
        rows.append(r)
    by_watch_desc(rows, key_cols, "watch_hours")
    return header, [[r[h] for h in header] for r in rows]


def table_devices(views):
    header = ["device", "views", "started_views", "unique_viewers", "watch_hours",
              "completion_rate", "avg_pct_watched"]
    groups: dict[str, list] = {}
    for v in views:
        groups.setdefault(v.device_key, []).append(v)
    rows = []
    for key, vs in groups.items():
        g = group_stats(vs)
        r = {"device": key}
        r.update(g)
        rows.append(r)
    by_watch_desc(rows, ["device"], "watch_hours")
    return header, [[r[h] for h in header] for r in rows]


def table_languages(views, beyond):
    header = ["country", "audio_lang", "subtitle_lang", "started_views", "watch_hours"]
    if beyond:
        header += ["completion_rate", "avg_pct_watched"]
    groups: dict[tuple, list] = {}
    for v in views:
        if not v.started:
            continue
        sub = v.subtitle_lang if v.has_subs else "off"
        groups.setdefault((v.country_key, v.audio_lang or "", sub), []).append(v)
    rows = []
    for k, vs in groups.items():
        row = [k[0], k[1], k[2], len(vs), hours_of(vs)]
        if beyond:
            g = group_stats(vs)
            row += [g["completion_rate"], g["avg_pct_watched"]]
        rows.append(row)
    rows.sort(key=lambda r: (bkey(r[0]), -r[3], bkey(r[1]), bkey(r[2])))
    return header, rows


def first_started(views):
    """viewer -> the started view with the smallest start time."""
    first = {}
    for v in views:
        if v.started:
            f = first.get(v.viewer_id)
            if f is None or v.start_ms < f.start_ms:
                first[v.viewer_id] = v
    return first


def table_daily(views, first):
    """`first`: viewer -> first started view over the whole history (W3)."""
    header = ["day", "views", "started_views", "unique_viewers", "watch_hours",
              "completion_rate", "new_viewers"]
    new_per_day: dict = {}
    for viewer, v in first.items():
        new_per_day[v.day] = new_per_day.get(v.day, 0) + 1
    groups: dict = {}
    for v in views:
        groups.setdefault(v.day, []).append(v)
    rows = []
    for day in sorted(groups):
        g = group_stats(groups[day])
        rows.append([day.isoformat(), g["views"], g["started_views"], g["unique_viewers"],
                     g["watch_hours"], g["completion_rate"], new_per_day.get(day, 0)])
    return header, rows


def table_hours(views):
    header = ["weekday", "hour", "started_views", "watch_hours"]
    groups: dict = {}
    for v in views:
        if v.started:
            groups.setdefault((v.weekday, v.hour), []).append(v)
    rows = [[k[0], k[1], len(vs), hours_of(vs)] for k, vs in sorted(groups.items())]
    return header, rows


def table_series(titles):
    header = ["series_id", "season", "episode", "title_id", "viewers",
              "continued_from_previous", "from_first"]
    series: dict[str, list] = {}
    for tid, t in titles.items():
        if t.series_id is None:
            continue
        viewers = {v.viewer_id for v in t.views if v.started}
        if viewers:
            series.setdefault(t.series_id, []).append((t, viewers))
    rows = []
    for sid in sorted(series, key=bkey):
        eps = series[sid]
        eps.sort(key=lambda p: (p[0].season is None, p[0].season or 0,
                                p[0].episode is None, p[0].episode or 0, bkey(p[0].tid)))
        V0 = eps[0][1]
        prev = None
        for t, V in eps:
            rows.append([sid, t.season, t.episode, t.tid, len(V),
                         None if prev is None else len(V & prev) / len(prev),
                         len(V & V0) / len(V0)])
            prev = V
    return header, rows


def table_cohorts(views, first, window=(None, None)):
    """`views`: the selected views; `first`: viewer -> first started view over the
    whole history; cohort days outside the window have no row (W4)."""
    header = ["cohort_day", "day_offset", "cohort_viewers", "returning_viewers",
              "return_rate"]
    if not views:
        return header, []
    last = max(v.day for v in views)
    cohort: dict = {}
    for viewer, v in first.items():
        if in_window(v.day, window):
            cohort.setdefault(v.day, set()).add(viewer)
    active: dict = {}
    for v in views:
        if v.started:
            active.setdefault(v.day, set()).add(v.viewer_id)
    rows = []
    for d in sorted(cohort):
        members = cohort[d]
        for k in range((last - d).days + 1):
            day = d + dt.timedelta(days=k)
            ret = len(members & active.get(day, set()))
            rows.append([d.isoformat(), k, len(members), ret, ret / len(members)])
    return header, rows


# --------------------------------------------------------------------------------------
# metrics-beyond.md: concurrency, series summary, summary-beyond.json
# --------------------------------------------------------------------------------------

def local_date(sec: int, tz) -> dt.date:
    """The local date, in the report zone, of the whole second `sec` (Unix time)."""
    return dt.datetime.fromtimestamp(sec, tz).date()


def first_instant_ms(day: dt.date, tz) -> int:
    """The earliest instant (Unix ms) whose local date is on or after `day` (B6).

    Offsets and transitions are whole seconds, so the answer is a whole second, and
    as Python keeps every offset strictly within 24 h, it lies in (M - 24h, M + 24h]
    where M is the day's midnight read as UTC."""
    M = int(dt.datetime(day.year, day.month, day.day, tzinfo=dt.timezone.utc).timestamp())
    if isinstance(tz, dt.timezone):  # UTC or a fixed offset: the local midnight
        return (M - int(tz.utcoffset(None).total_seconds())) * 1000
    lo, hi = M - 86400, M + 86400
    assert local_date(lo, tz) < day <= local_date(hi, tz)
    t = lo
    while local_date(t, tz) < day:   # minute by minute: lo + 60k
        t += 60
    s = t - 59                       # then the seconds of the minute before it
    while local_date(s, tz) < day:
        s += 1
    return s * 1000


def format_instant(ms: int, tz) -> str:
    """YYYY-MM-DDTHH:MM:SS.mmm+hh:mm in the report zone (B7)."""
    local = dt.datetime.fromtimestamp(ms // 1000, tz)
    off = int(local.utcoffset().total_seconds())
    sign = "-" if off < 0 else "+"
    h, rest = divmod(abs(off), 3600)
    m, sec = divmod(rest, 60)
    zone = f"{sign}{h:02d}:{m:02d}" + (f":{sec:02d}" if sec else "")
    return (f"{local.year:04d}-{local.month:02d}-{local.day:02d}T{local.hour:02d}:"
            f"{local.minute:02d}:{local.second:02d}.{ms % 1000:03d}{zone}")


def concurrency(views, tz, days=None):
    """[(day, peak_views, peak_at ms)] for each day of daily.csv, in day order.

    `views` are all the views of the history; `days` the days to write (default:
    the days of `views`; with a window, the days of the selected views, W5).

    The count at t is the number of views with start <= t <= end.  As start <= end
    for every view, that is #(start <= t) - #(end < t): two bisections in the sorted
    starts and ends.  It rises only at a start, so the earliest instant of the day
    with the peak is the day's first instant or the start of a view within it."""
    starts = sorted(v.start_ms for v in views)
    ends = sorted(v.end_ms for v in views)

    def playing(t):
        return bisect.bisect_right(starts, t) - bisect.bisect_left(ends, t)

    out = []
    for day in sorted({v.day for v in views} if days is None else days):
        first = first_instant_ms(day, tz)
        nxt = first_instant_ms(day + dt.timedelta(days=1), tz)
        candidates = [first] + starts[bisect.bisect_left(starts, first):
                                      bisect.bisect_left(starts, nxt)]
        best_t, best = None, -1
        for t in candidates:     # ascending: the first maximum is the earliest
            n = playing(t)
            if n > best:
                best_t, best = t, n
        out.append((day, best, best_t))
    return out


def table_concurrency(conc, tz):
    header = ["day", "peak_views", "peak_at"]
    return header, [[d.isoformat(), n, format_instant(t, tz)] for d, n, t in conc]


def table_series_summary(titles):
    header = ["series_id", "episodes", "viewers", "avg_episodes_per_viewer",
              "completed_all_viewers", "completed_all_share", "binge_viewers", "binge_rate"]
    series: dict[str, list] = {}
    for tid, t in titles.items():
        if t.series_id is not None and any(v.started for v in t.views):
            series.setdefault(t.series_id, []).append(t)   # its rows of series.csv
    rows = []
    for sid in sorted(series, key=bkey):
        eps = series[sid]
        started = [v for t in eps for v in t.views if v.started]
        V = {t.tid: {v.viewer_id for v in t.views if v.started} for t in eps}
        C = {t.tid: {v.viewer_id for v in t.views if v.completed} for t in eps}
        viewers = set().union(*V.values())
        completed_all = {w for w in viewers if all(w in C[t.tid] for t in eps)}
        per_day: dict[tuple, set] = {}     # (viewer, day) -> distinct episodes started
        for v in started:
            per_day.setdefault((v.viewer_id, v.day), set()).add(v.title.tid)
        binge = {w for (w, _), e in per_day.items() if len(e) >= 3}
        n = len(viewers)
        rows.append([sid, len(eps), n, sum(len(x) for x in V.values()) / n,
                     len(completed_all), len(completed_all) / n, len(binge), len(binge) / n])
    return header, rows


def write_summary_beyond(path, views, conc, tz):
    peak = max((n for _, n, _ in conc), default=None)
    peak_at = min((t for _, n, t in conc if n == peak), default=None)
    items = [
        ("failed_starts", sum(1 for v in views if not v.started and v.has_error)),
        ("exits_before_start", sum(1 for v in views if not v.started and not v.has_error)),
        ("peak_views", peak),
        ("peak_at", None if peak_at is None else format_instant(peak_at, tz)),
    ]
    with open(path, "w", encoding="utf-8") as f:
        f.write("{\n" + ",\n".join(f'  "{k}": {json.dumps(v)}' for k, v in items) + "\n}\n")


# --------------------------------------------------------------------------------------
# Driver
# --------------------------------------------------------------------------------------

def parse_day(option: str, text: str):
    """A --from/--to value -> (year, month, day) (W1)."""
    m = re.fullmatch(r"([0-9]{4})-([0-9]{2})-([0-9]{2})", text)
    if not m:
        raise UsageError(f"{option} must be a date written YYYY-MM-DD, not {text!r}")
    y, mo, d = (int(g) for g in m.groups())
    leap = y % 4 == 0 and (y % 100 != 0 or y % 400 == 0)   # proleptic Gregorian, year 0 too
    days = [31, 29 if leap else 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
    if not (1 <= mo <= 12 and 1 <= d <= days[mo - 1]):
        raise UsageError(f"{option} {text!r} is not a real date")
    return (y, mo, d)


def in_window(day: dt.date, window) -> bool:
    """Does `day` lie in [from, to] (each a (y, m, d) or None = unbounded)?"""
    lo, hi = window
    k = (day.year, day.month, day.day)
    return (lo is None or lo <= k) and (hi is None or k <= hi)


def select(titles, views, window):
    """The selected views (W2) and the titles of the tables: those with a selected
    view and every catalog title (W6).  Each title's .views becomes its selected
    views; its runtime and series facts stay those of the whole history."""
    views = [v for v in views if in_window(v.day, window)]
    for t in titles.values():
        t.views = [v for v in t.views if in_window(v.day, window)]
    titles = {tid: t for tid, t in titles.items() if t.views or t.in_catalog}
    return titles, views


def run(inputs, out_dir, B, c, tzname, catalog_path, beyond=True, window=(None, None)):
    tz = parse_timezone(tzname)
    catalog = load_catalog(catalog_path) if catalog_path else {}
    files = Q.resolve_inputs(inputs)
    results = [Q.process_file(f) for f in files]
    events = [e for r in results for e in r.events]
    kept = Q.dedupe(events)
    os.makedirs(out_dir, exist_ok=True)
    Q.write_quality(os.path.join(out_dir, "quality.csv"), results, len(events) - len(kept))
    titles, history = build(kept, catalog, B, c, tz)
    first = first_started(history)     # new viewers and cohorts: the whole history (W3)
    if window == (None, None):
        views = history
    else:
        titles, views = select(titles, history, window)
    tables = {
        "titles.csv": table_titles(titles, B, beyond),
        "retention.csv": table_retention(titles, B, beyond),
        "countries.csv": table_places(views, lambda v: (v.country_key,), ["country"]),
        "regions.csv": table_places(views, lambda v: (v.country_key, v.region or ""),
                                    ["country", "region"]),
        "devices.csv": table_devices(views),
        "languages.csv": table_languages(views, beyond),
        "daily.csv": table_daily(views, first),
        "hours.csv": table_hours(views),
        "series.csv": table_series(titles),
        "cohorts.csv": table_cohorts(views, first, window),
    }
    if beyond:
        conc = concurrency(history, tz, {v.day for v in views})
        tables["moments.csv"] = table_moments(titles, B)
        tables["concurrency.csv"] = table_concurrency(conc, tz)
        tables["series_summary.csv"] = table_series_summary(titles)
        write_summary_beyond(os.path.join(out_dir, "summary-beyond.json"), views, conc, tz)
    for name, (header, rows) in tables.items():
        write_table(os.path.join(out_dir, name), header, rows)
    return 1 if any(r.error for r in results) else 0


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("inputs", nargs="+")
    ap.add_argument("--out", required=True)
    ap.add_argument("--buckets", default="100")
    ap.add_argument("--complete-at", default="0.9")
    ap.add_argument("--timezone", default="UTC")
    ap.add_argument("--catalog", default=None)
    ap.add_argument("--from", dest="from_day", default=None, metavar="YYYY-MM-DD",
                    help="first day of the window (inclusive, report time zone)")
    ap.add_argument("--to", dest="to_day", default=None, metavar="YYYY-MM-DD",
                    help="last day of the window (inclusive, report time zone)")
    ap.add_argument("--spec", choices=["1", "1.1"], default="1.1",
                    help="1: metrics.md only; 1.1: also metrics-beyond.md (default)")
    a = ap.parse_args(argv)
    try:
        if not re.fullmatch(r"[0-9]+", a.buckets) or int(a.buckets) < 1:
            raise UsageError(f"--buckets must be an integer >= 1, not {a.buckets!r}")
        try:
            c = float(a.complete_at)
        except ValueError:
            raise UsageError(f"--complete-at must be a number, not {a.complete_at!r}")
        if not (math.isfinite(c) and 0 < c <= 1):
            raise UsageError(f"--complete-at must be in (0, 1], not {a.complete_at!r}")
        window = (None if a.from_day is None else parse_day("--from", a.from_day),
                  None if a.to_day is None else parse_day("--to", a.to_day))
        if None not in window and window[0] > window[1]:
            raise UsageError(f"--from {a.from_day} is after --to {a.to_day}")
        return run(a.inputs, a.out, int(a.buckets), c, a.timezone, a.catalog,
                   beyond=a.spec == "1.1", window=window)
    except (UsageError, Q.UsageError) as e:
        print(f"metrics.py: {e}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
