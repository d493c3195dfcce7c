#!/usr/bin/env python3
"""Writes a large viewing-log dataset for the benchmark.

Usage: make-bench-data.py OUT_DIR [--shape classic|wild] [--events N] [--files K]
                          [--formats jsonl,csv,tsv] [--ts iso,ms,mixed] [--plain P] [--seed S]

classic: the original data. Sessions of progress heartbeats with every field,
  keys in the spec's order, Unix-second timestamps, mostly NDJSON with a CSV
  and a TSV file, all gzipped, about 1% bad lines and 0.5% duplicates.

wild: logs as a new user brings them (issue 14). Lines in time order, views
  interleaved; NDJSON keys in a different order on every line, ISO-8601
  timestamps with milliseconds and `Z` on most lines and numeric milliseconds
  on some, numbers as JSON numbers and as strings, `null` values, lower-case
  countries, an `event_id` on every line; CSV and TSV with the columns in
  another order per file, many empty fields, some numeric timestamps; `--plain`
  files not compressed and the others in 1-3 gzip members; about 190 events
  per view over 80 titles, 2,500 viewers and 14 days, about 0.2% bad lines and
  0.3% duplicates. `--formats` and `--ts` narrow it (per-line costs by format
  and timestamp form).

Deterministic for a seed.
"""
import argparse, gzip, json, os, random, zlib

EVENTS = ["start", "progress", "pause", "resume", "seek", "stop", "complete"]
COUNTRIES = [("KR", "KR-11"), ("US", "US-CA"), ("DE", "DE-BE"), ("BR", "BR-SP"), ("JP", "JP-13"), ("FR", "FR-75")]
DEVICES = ["tv", "mobile", "web", "tablet", "console"]
COLUMNS = ["ts", "event", "session_id", "viewer_id", "title_id", "from", "to", "position", "duration",
           "series_id", "season", "episode", "country", "region", "device", "audio_lang", "subtitle_lang", "event_id"]


# --- classic ---------------------------------------------------------------

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


def classic(args):
    rng = random.Random(args.seed)
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


# --- wild ------------------------------------------------------------------

DAY_MS = 86_400_000
EPOCH_MS = 1_763_942_400_000  # 2025-11-24T00:00:00Z
TITLES = 80
VIEWERS = 2500
DAYS = 14
LANGS = ["en", "ko", "ja", "de", "pt-BR", "fr", "es-419"]


def iso(ms):
    s, milli = divmod(ms, 1000)
    days, rest = divmod(s, 86400)
    # civil_from_days
    z = days + 719468
    era = z // 146097
    doe = z - era * 146097
    yoe = (doe - doe // 1460 + doe // 36524 - doe // 146096) // 365
    doy = doe - (365 * yoe + yoe // 4 - yoe // 100)
    mp = (5 * doy + 2) // 153
    d = doy - (153 * mp + 2) // 5 + 1
    m = mp + 3 if mp < 10 else mp - 9
    y = yoe + era * 400 + (1 if m <= 2 else 0)
    return f"{y:04d}-{m:02d}-{d:02d}T{rest // 3600:02d}:{rest % 3600 // 60:02d}:{rest % 60:02d}.{milli:03d}Z"


class World:
    def __init__(self, rng):
        self.titles = []
        for t in range(TITLES):
            series = t < 50
            self.titles.append({
                "title_id": f"tt{rng.randrange(10**7):07d}",
                "duration": rng.choice([1320, 1440, 2580, 2700, 3000]) if series else rng.choice([5400, 6300, 7200, 8100]),
                "series_id": f"sr{t // 10:03d}" if series else None,
                "season": t // 10 % 3 + 1 if series else None,
                "episode": t % 10 + 1 if series else None,
            })
        self.viewers = []
        for v in range(VIEWERS):
            country, region = rng.choice(COUNTRIES)
            self.viewers.append({
                "viewer_id": f"{rng.getrandbits(48):012x}", "country": country, "region": region,
                "device": rng.choice(DEVICES), "audio_lang": rng.choice(LANGS),
                "subtitle_lang": rng.choice(["off", "off", "en", "ko"]),
            })


def view_events(rng, world, start_ms, mean_events):
    """One view's events as dicts, heartbeats every ~10 s."""
    title = world.titles[rng.randrange(TITLES)]
    viewer = world.viewers[rng.randrange(VIEWERS)]
    base = dict(viewer, title_id=title["title_id"], duration=title["duration"], series_id=title["series_id"],
                season=title["season"], episode=title["episode"], session_id=f"{rng.getrandbits(64):016x}")
    if rng.random() < 0.05:
        base["region"] = None
    # Titles end some views early: aim higher so the mean is about mean_events.
    target = max(3, int(rng.expovariate(1 / (mean_events * 1.75))))
    t = start_ms
    pos = 0.0 if rng.random() < 0.8 else float(rng.randrange(title["duration"] // 2))
    out = [dict(base, ts=t, event="start", position=pos)]
    while len(out) < target and pos < title["duration"]:
        r = rng.random()
        if r < 0.01:
            t += rng.randrange(1000, 120_000)
            out.append(dict(base, ts=t, event="pause", position=pos))
            t += rng.randrange(2000, 600_000)
            out.append(dict(base, ts=t, event="resume", position=pos))
        elif r < 0.015:
            to = min(title["duration"], max(0.0, pos + rng.randrange(-300, 600)))
            t += rng.randrange(200, 3000)
            out.append(dict(base, ts=t, event="seek", **{"from": pos, "to": float(to)}))
            pos = float(to)
        else:
            step = 10.0 if rng.random() < 0.9 else round(rng.uniform(1, 30), 3)
            step = min(step, title["duration"] - pos)
            t += int(step * 1000) + rng.randrange(-40, 60)
            out.append(dict(base, ts=t, event="progress", **{"from": round(pos, 3), "to": round(pos + step, 3)}))
            pos = round(pos + step, 3)
    t += rng.randrange(100, 3000)
    out.append(dict(base, ts=t, event="complete" if pos >= title["duration"] * 0.95 else "stop", position=pos))
    return out


def number_text(x):
    return str(int(x)) if isinstance(x, float) and x.is_integer() and abs(x) < 1e15 else str(x)


def wild_json(e, rng, ts_form):
    pairs = []
    for key in COLUMNS:
        v = e.get(key)
        if key == "ts":
            if ts_form == "ms":
                pairs.append('"ts":' + (str(v) if rng.random() < 0.7 else f'"{v}"'))
            else:
                pairs.append(f'"ts":"{iso(v)}"')
            continue
        if v is None:
            if key in ("position", "from", "to", "region", "series_id", "season", "episode") and rng.random() < 0.5:
                pairs.append(f'"{key}":null')
            continue
        if isinstance(v, str):
            if key == "country":
                v = v.lower()
            pairs.append(f'"{key}":"{v}"')
        else:
            text = number_text(v)
            pairs.append(f'"{key}":"{text}"' if rng.random() < 0.25 else f'"{key}":{text}')
    if rng.random() < 0.3:
        pairs.append(f'"app_version":"{rng.choice(["5.2.1", "5.3.0", "6.0.0-beta"])}"')
    rng.shuffle(pairs)
    return "{" + ",".join(pairs) + "}"


def wild_delimited(e, columns, sep, rng, ts_form):
    cells = []
    for key in columns:
        v = e.get(key)
        if key == "ts":
            cells.append(str(v) if ts_form == "ms" else iso(v))
        elif v is None:
            cells.append("")
        elif isinstance(v, str):
            cells.append(v.lower() if key == "country" else v)
        else:
            cells.append(number_text(v))
    return sep.join(cells)


BAD = ['{"ts":"2025-11-31T10:00:00.000Z","event":"start","session_id":"x","viewer_id":"y","title_id":"z"}',
       '{"event":"progress","session_id":"a","viewer_id":"b","title_id":"c","ts":"2025-12-01T00:00:01.000Z"}',
       '{"event":"start","session_id":"a"', "\x00garbage", '{"ts":1764000000000,"event":"start"}']


class Member:
    """A file written as a gzip member at a time (or plain)."""

    def __init__(self, path, members, expected_lines, plain):
        self.raw = open(path, "wb")
        self.plain = plain
        self.cut = max(1, expected_lines // members)
        self.lines = 0
        self.z = None if plain else zlib.compressobj(6, zlib.DEFLATED, 31)
        self.buf = []

    def write(self, line):
        self.buf.append(line)
        self.lines += 1
        if len(self.buf) >= 4096:
            self.flush()
        if not self.plain and self.lines % self.cut == 0:
            self.flush()
            self.raw.write(self.z.flush())
            self.z = zlib.compressobj(6, zlib.DEFLATED, 31)

    def flush(self):
        data = "".join(self.buf).encode()
        self.buf = []
        self.raw.write(data if self.plain else self.z.compress(data))

    def close(self):
        self.flush()
        if not self.plain:
            self.raw.write(self.z.flush())
        self.raw.close()


def wild(args):
    rng = random.Random(args.seed)
    world = World(rng)
    formats = args.formats.split(",")
    ts_forms = args.ts.split(",")
    # 10 of 24 files CSV or TSV when all formats are asked for.
    if formats == ["jsonl", "csv", "tsv"]:
        kinds = [("csv" if i % 12 in (2, 7) else "tsv" if i % 12 in (4, 9, 11) else "jsonl") for i in range(args.files)]
    else:
        kinds = [formats[i % len(formats)] for i in range(args.files)]
    per_file = args.events // args.files + 1
    files = []
    for i, kind in enumerate(kinds):
        plain = i % max(1, args.files // max(1, args.plain)) == 1 and sum(f["plain"] for f in files) < args.plain
        ext = {"jsonl": "jsonl", "csv": "csv", "tsv": "tsv"}[kind]
        name = f"logs-{i:03d}.{ext}" + ("" if plain else ".gz")
        out = Member(os.path.join(args.out, name), rng.randint(1, 3), per_file, plain)
        columns = COLUMNS[:]
        rng.shuffle(columns)
        if kind != "jsonl":
            out.write(("," if kind == "csv" else "\t").join(columns) + "\n")
        files.append({"out": out, "kind": kind, "columns": columns, "plain": plain})
    # Views start uniformly over 14 days; each file receives lines of many
    # views, in time order, one day of starts at a time.
    views = max(1, round(args.events / 190))
    mean = args.events / views
    written = 0
    for day in range(DAYS):
        n = views // DAYS + (1 if day < views % DAYS else 0)
        batch = []
        for _ in range(n):
            start = EPOCH_MS + day * DAY_MS + rng.randrange(DAY_MS)
            home = rng.randrange(len(files))
            for e in view_events(rng, world, start, mean):
                # A view's events mostly land in one file; some in another.
                batch.append((e["ts"], home if rng.random() < 0.9 else rng.randrange(len(files)), e))
        batch.sort(key=lambda x: x[0])
        for _, fi, e in batch:
            f = files[fi]
            if rng.random() < 0.002:
                f["out"].write(rng.choice(BAD) + "\n")
            e["event_id"] = f"{rng.getrandbits(128):032x}"
            form = rng.choice(ts_forms)
            if form == "mixed":
                form = "ms" if rng.random() < 0.15 else "iso"
            for copy in range(2 if rng.random() < 0.003 else 1):
                if f["kind"] == "jsonl":
                    line = wild_json(e, rng, form)
                else:
                    line = wild_delimited(e, f["columns"], "," if f["kind"] == "csv" else "\t", rng,
                                          "ms" if form == "ms" else "iso")
                f["out"].write(line + "\n")
            written += 1
    for f in files:
        f["out"].close()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("out")
    parser.add_argument("--shape", choices=["classic", "wild"], default="classic")
    parser.add_argument("--events", type=int, default=3_000_000)
    parser.add_argument("--files", type=int)
    parser.add_argument("--formats", default="jsonl,csv,tsv")
    parser.add_argument("--ts", default="mixed")
    parser.add_argument("--plain", type=int, default=4)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    os.makedirs(args.out, exist_ok=True)
    if args.shape == "classic":
        args.files = args.files or 8
        classic(args)
    else:
        args.files = args.files or 24
        wild(args)


if __name__ == "__main__":
    main()
