#!/usr/bin/env python3
"""Writes a large gzipped viewing-log dataset for the benchmark.

Usage: make-bench-data.py OUT_DIR [--events N] [--files K] [--seed S]

Sessions of progress heartbeats with the usual fields, mostly NDJSON with a
CSV and a TSV file, about 1% bad lines and 0.5% duplicates. Deterministic for a
seed. Until `audience generate` exists this is the benchmark's data source.
"""
import argparse, gzip, json, os, random

EVENTS = ["start", "progress", "pause", "resume", "seek", "stop", "complete"]
COUNTRIES = [("KR", "KR-11"), ("US", "US-CA"), ("DE", "DE-BE"), ("BR", "BR-SP"), ("JP", "JP-13"), ("FR", "FR-75")]
DEVICES = ["tv", "mobile", "web", "tablet", "console"]
COLUMNS = ["ts", "event", "session_id", "viewer_id", "title_id", "from", "to", "position", "duration",
           "series_id", "season", "episode", "country", "region", "device", "audio_lang", "subtitle_lang", "event_id"]


def sessions(rng, count):
    ts = 1_762_000_000.0
    for s in range(count):
        viewer = rng.randrange(count // 4 + 1)
        title = rng.randrange(400)
        duration = rng.choice([1320, 2700, 3000, 5400, 7200])
        country, region = rng.choice(COUNTRIES)
        base = {"session_id": f"s{s:09d}", "viewer_id": f"v{viewer:07d}", "title_id": f"T{title:05d}",
                "duration": duration, "country": country, "region": region, "device": rng.choice(DEVICES),
                "audio_lang": "en", "subtitle_lang": rng.choice(["off", "ko", "en"]),
                "series_id": f"S{title // 10:04d}", "season": 1, "episode": title % 10 + 1}
        ts += rng.random() * 5
        t = ts
        yield dict(base, ts=round(t, 3), event="start", position=0)
        pos = 0.0
        stop_at = duration * rng.random() ** 0.5
        while pos < stop_at:
            step = rng.choice([10, 10, 10, 15, 30])
            t += step
            yield dict(base, ts=round(t, 3), event="progress", **{"from": round(pos, 1), "to": round(pos + step, 1)})
            pos += step
        yield dict(base, ts=round(t + 1, 3), event="stop" if pos < duration * 0.9 else "complete", position=round(pos, 1))


def render(event, fmt, rng):
    if rng.random() < 0.01:
        return rng.choice(["garbage ###", '{"ts": "2026-02-30T00:00:00Z"}', '{"event":"start"}'])
    if fmt == "jsonl":
        return json.dumps(event, separators=(",", ":"))
    sep = "," if fmt == "csv" else "\t"
    return sep.join(str(event.get(c, "")) for c in COLUMNS)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("out")
    parser.add_argument("--events", type=int, default=3_000_000)
    parser.add_argument("--files", type=int, default=8)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    os.makedirs(args.out, exist_ok=True)
    formats = ["csv", "tsv"] + ["jsonl"] * max(0, args.files - 2)
    outs, written = [], 0
    for i, fmt in enumerate(formats):
        f = gzip.open(os.path.join(args.out, f"events-{i:03d}.{fmt}.gz"), "wt", compresslevel=6, newline="")
        if fmt != "jsonl":
            f.write(("," if fmt == "csv" else "\t").join(COLUMNS) + "\n")
        outs.append((f, fmt))
    for event in sessions(rng, args.events):
        if written >= args.events:
            break
        f, fmt = outs[int(event["session_id"][1:]) % len(outs)]
        line = render(event, fmt, rng)
        f.write(line + "\n")
        if rng.random() < 0.005:
            f.write(line + "\n")
        written += 1
    for f, _ in outs:
        f.close()


if __name__ == "__main__":
    main()
