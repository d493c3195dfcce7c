#!/usr/bin/env python3
"""Measures what `audience generate` promises (docs/generator.md, "Measured
realism") on generated logs, for several seeds and sizes, and checks each
figure against its documented target within a tolerance.

Usage: Scripts/generator-realism.py [--binary PATH] [--quick]

Builds nothing: pass the binary, or it uses .build/release/audience. Each run
generates clean logs with a catalog into a temporary folder, reads them back
(gzipped NDJSON) and prints one table per run; the exit status is 1 when any
figure misses its target. Python 3 standard library only.
"""
import argparse
import csv
import gzip
import json
import math
import os
import subprocess
import sys
import tempfile
from collections import defaultdict

# The model's parameters, as docs/generator.md gives them.
HEARTBEAT = (9.5, 10.5)                 # seconds of playback per heartbeat
FILM_LEAVE = 1 / (240 * 60)             # chance per second of playback
EPISODE_LEAVE = 1 / (200 * 60)
TITLE_SPREAD = (0.6, 1.4)               # each title's multiplier of the rate
ERROR_LEAVE = (1 / 36000) * (1 - 0.6)   # errors not retried
SAMPLE = {"film": 0.08, "pilot": 0.10, "episode": 0.04}
CREDITS_WATCHED = {"film": 0.25, "episode": 0.30}
INTRO_SKIP = 0.4 * 0.85 + 0.6 * 0.10    # habitual and occasional skippers
RECAP_SKIP = 0.4 * 0.85 + 0.6 * 0.25
FAILED_START = 0.015 * (1 - 0.4)
EXIT_BEFORE_START = (1 - 0.015) * 0.01
WEEKDAY_HOURS = [1.5, 0.8, 0.4, 0.25, 0.2, 0.25, 0.6, 1.0, 1.0, 0.9, 0.9, 1.0,
                 1.4, 1.2, 1.1, 1.2, 1.5, 2.2, 3.2, 4.6, 6.0, 6.4, 4.8, 2.8]
WEEKEND_HOURS = [2.2, 1.4, 0.7, 0.4, 0.25, 0.25, 0.4, 0.8, 1.3, 1.8, 2.2, 2.5,
                 2.7, 2.8, 2.9, 3.0, 3.2, 3.5, 4.0, 5.0, 6.0, 6.2, 5.0, 3.4]
WEEKDAY_ACTIVITY = [0.9, 0.9, 0.92, 0.95, 1.1, 1.2, 1.15]
# Standard-time offsets (minutes) and summer time of each region's country.
REGIONS = {"US-CA": -480, "US-NY": -300, "US-TX": -360, "US-FL": -300, "KR-11": 540, "KR-26": 540,
           "KR-41": 540, "BR-SP": -180, "BR-RJ": -180, "DE-BE": 60, "DE-BY": 60, "DE-HH": 60,
           "JP-13": 540, "JP-27": 540, "FR-IDF": 60, "FR-ARA": 60, "IN-MH": 330, "IN-DL": 330, "IN-KA": 330}

RUNS = [  # (seed, viewers, days, films, series)
    (1, 300, 7, 24, 4),
    (7, 1000, 14, 60, 12),
    (42, 3000, 7, 100, 20),
]
QUICK_RUNS = [(1, 300, 7, 24, 4), (7, 200, 5, 24, 4)]


def mean_exp(rate_seconds, lo, hi):
    """E[exp(-a m)] for m uniform in [lo, hi]."""
    if rate_seconds == 0:
        return 1.0
    return (math.exp(-rate_seconds * lo) - math.exp(-rate_seconds * hi)) / (rate_seconds * (hi - lo))


def summer(region, day):
    """Whether the local day (a datetime.date) is on summer time."""
    import datetime
    country = region[:2]
    year = day.year

    def nth_sunday(month, n):
        first = datetime.date(year, month, 1)
        return first + datetime.timedelta(days=(6 - first.weekday()) % 7 + 7 * (n - 1))

    def last_sunday(month):
        nxt = datetime.date(year + (month == 12), month % 12 + 1, 1)
        last = nxt - datetime.timedelta(days=1)
        return last - datetime.timedelta(days=(last.weekday() - 6) % 7)

    if country == "US":
        return nth_sunday(3, 2) <= day < nth_sunday(11, 1)
    if country in ("DE", "FR"):
        return last_sunday(3) <= day < last_sunday(10)
    return False


def local_time(ts_ms, region):
    import datetime
    offset = REGIONS[region]
    utc = datetime.datetime(1970, 1, 1) + datetime.timedelta(milliseconds=ts_ms)
    local = utc + datetime.timedelta(minutes=offset)
    if summer(region, local.date()):
        local += datetime.timedelta(minutes=60)
    return local


def parse_ts(text):
    import datetime
    moment = datetime.datetime.strptime(text[:23], "%Y-%m-%dT%H:%M:%S.%f")
    return int((moment - datetime.datetime(1970, 1, 1)).total_seconds() * 1000 + 0.5)


def measure(folder):
    catalog = {row["title_id"]: row for row in csv.DictReader(open(os.path.join(folder, "catalog.csv")))}
    views = defaultdict(list)
    logs = os.path.join(folder, "logs")
    for name in sorted(os.listdir(logs)):
        with gzip.open(os.path.join(logs, name), "rt") as lines:
            for line in lines:
                event = json.loads(line)
                views[(event["session_id"], event["title_id"])].append(event)
    figures = {}
    segments = 0
    zero = 0
    full = 0
    spacing = []
    events_per_view = []
    predicted_events = []
    intro_reached = intro_skipped = 0
    intro_viewers = set()
    recap_views = recap_skipped = 0
    bad_skips = 0
    failed = exits = started_count = 0
    bands = defaultdict(lambda: [0, 0, 0.0, set(), 0.0])  # completed, started, expected sum, titles, spread
    prime = 0
    sessions = defaultdict(set)
    for (session, title_id), events in views.items():
        events.sort(key=lambda e: (e["ts"], e["event_id"]))
        title = catalog[title_id]
        runtime = float(title["runtime_s"])
        credits = float(title["credits_start_s"])
        progress = [e for e in events if e["event"] == "progress"]
        seeks = [e for e in events if e["event"] == "seek"]
        watched = 0.0
        for e in progress:
            length = e["to"] - e["from"]
            segments += 1
            zero += length <= 0
            full += HEARTBEAT[0] <= length <= HEARTBEAT[1] + 1e-9
            spacing.append(length)
            watched += length
        events_per_view.append(len(events))
        predicted_events.append(watched)
        is_started = any(e["to"] > e["from"] for e in progress)
        has_error = any(e["event"] == "error" for e in events)
        if not is_started:
            failed += has_error
            exits += not has_error
            continue
        started_count += 1
        first = events[0]
        local = local_time(parse_ts(first["ts"]), first["region"])
        prime += 20 <= local.hour <= 22
        sessions[session].add(title_id)
        # Intro: reached when a heartbeat ends exactly at its start.
        if title["intro_start_s"]:
            start, end = float(title["intro_start_s"]), float(title["intro_end_s"])
            if any(e["to"] == start for e in progress):
                intro_reached += 1
                intro_viewers.add(first["viewer_id"])
                # A skip jumps from inside the intro to its end (a seek ahead
                # from elsewhere may land there too, by chance).
                skips = [s for s in seeks if s["to"] == end and start <= s["from"] < end]
                intro_skipped += bool(skips)
                bad_skips += len(skips) > 1
            # A "skip" back to the intro's end from further than a rewind goes (30 s).
            bad_skips += sum(1 for s in seeks if s["to"] == float(title["intro_end_s"]) and s["from"] > s["to"] + 30)
        if title["recap_end_s"]:
            recap_views += 1
            recap_skipped += any(s["to"] == float(title["recap_end_s"]) and s["from"] < s["to"] for s in seeks)
        completed = any(e["event"] == "complete" for e in events) or max(e["to"] for e in progress) >= 0.9 * runtime
        kind = "film" if not title["series_id"] else "episode"
        sample = SAMPLE["pilot" if title["episode"] == "1" and title["season"] == "1" else kind]
        rate = FILM_LEAVE if kind == "film" else EPISODE_LEAVE
        exposure = min(credits, 0.9 * runtime)
        survive = (1 - sample) * mean_exp(rate * exposure, *TITLE_SPREAD) * math.exp(-ERROR_LEAVE * exposure)
        if credits < 0.9 * runtime - 20:
            survive *= CREDITS_WATCHED[kind]  # only those who watch the credits reach 90%
        minutes = runtime / 60
        if kind == "film":
            band = "film <100 min" if minutes < 100 else "film 100-125 min" if minutes < 125 else "film >=125 min"
        else:
            band = "episode <30 min" if minutes < 30 else "episode 30-45 min" if minutes < 45 else "episode >=45 min"
        bands[band][0] += completed
        bands[band][1] += 1
        bands[band][2] += survive
        # A series shares its rate: its episodes are one draw of the spread.
        bands[band][3].add(title["series_id"] or title_id)
        # The spread of exp(-a m) over m, to first order: a e^-a times m's deviation.
        a = rate * exposure
        bands[band][4] += (1 - sample) * a * math.exp(-a) * (TITLE_SPREAD[1] - TITLE_SPREAD[0]) / math.sqrt(12)
    total_views = len(views)
    expected_prime = expected_prime_share()
    figures["zero-length segments"] = (zero / segments, 0.0, 0.0)
    # The rest end early at a pause, a seek, the credits or a stop.
    figures["heartbeats of 9.5-10.5 s"] = (full / segments, 0.98, 0.015)
    spacing.sort()
    figures["median heartbeat (s)"] = (spacing[len(spacing) // 2], 10.0, 0.3)
    tolerance = 0.01 + 3 * 0.37 / math.sqrt(max(1, len(intro_viewers)))
    figures["intro skipped (views at the intro)"] = (intro_skipped / max(1, intro_reached), INTRO_SKIP, tolerance)
    figures["intro skipped twice, or backwards"] = (bad_skips, 0, 0)
    figures["recap skipped (started views)"] = (recap_skipped / max(1, recap_views), RECAP_SKIP, tolerance + 0.02)
    figures["failed starts (views)"] = (failed / total_views, FAILED_START, 0.01 + 3 * math.sqrt(FAILED_START / total_views))
    figures["exits before start (views)"] = (exits / total_views, EXIT_BEFORE_START,
                                             0.01 + 3 * math.sqrt(EXIT_BEFORE_START / total_views))
    per_view = sum(events_per_view) / total_views
    predicted = sum(2 + w / 10 for w in predicted_events) / total_views
    figures["events per view"] = (per_view, predicted, 0.1 * predicted)
    figures["started views in 20:00-22:59 local"] = (prime / started_count, expected_prime, 0.05)
    for band in sorted(bands):
        completed, count, expected, groups, spread = bands[band]
        if count >= 30:
            target = expected / count
            # Chance in the views, and in the few titles' own rates.
            variance = target * (1 - target) / count + (spread / count) ** 2 / len(groups)
            figures[f"completion, {band} (n={count}, titles {len(groups)})"] = (
                completed / count, target, 0.01 + 3 * math.sqrt(variance))
    sizes = [len(titles) for titles in sessions.values()]
    info = {
        "events": sum(events_per_view), "views": total_views, "started views": started_count,
        "sessions with 3+ titles": f"{sum(1 for s in sizes if s >= 3) / max(1, len(sizes)):.3f}",
        "mean heartbeat (s)": f"{sum(spacing) / len(spacing):.2f}",
    }
    return figures, info


def expected_prime_share():
    weekday = sum(WEEKDAY_HOURS[20:23]) / sum(WEEKDAY_HOURS)
    weekend = sum(WEEKEND_HOURS[20:23]) / sum(WEEKEND_HOURS)
    days = sum(WEEKDAY_ACTIVITY[:5]), sum(WEEKDAY_ACTIVITY[5:])
    return (weekday * days[0] + weekend * days[1]) / (days[0] + days[1])


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    parser.add_argument("--binary", default=os.path.join(root, ".build/release/audience"))
    parser.add_argument("--quick", action="store_true", help="two small runs only")
    arguments = parser.parse_args()
    failures = 0
    for seed, viewers, days, films, series in QUICK_RUNS if arguments.quick else RUNS:
        with tempfile.TemporaryDirectory() as folder:
            subprocess.run([arguments.binary, "generate", "--out", folder, "--viewers", str(viewers), "--days",
                            str(days), "--seed", str(seed), "--titles", str(films), "--series", str(series), "--messiness", "none", "--catalog", "--force",
                            "--progress", "never"], check=True, stdout=subprocess.DEVNULL)
            figures, info = measure(folder)
        print(f"\n## seed {seed}, {viewers} viewers, {days} days, {films} films, {series} series: "
              + ", ".join(f"{key} {value}" for key, value in info.items()))
        print(f"{'figure':<44} {'measured':>10} {'target':>10} {'tolerance':>10}  ok")
        for name, (value, target, tolerance) in figures.items():
            ok = abs(value - target) <= tolerance + 1e-12
            failures += not ok
            print(f"{name:<44} {value:>10.4f} {target:>10.4f} {tolerance:>10.4f}  {'yes' if ok else 'NO'}")
    print("\nall figures within their targets" if failures == 0 else f"\n{failures} figure(s) off target")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
