#!/usr/bin/env python3
"""Write a directory of hostile viewing-event logs, deterministic for a seed.

    hostile.py --out DIR --seed N
    hostile.py --verify RESULT_DIR --out DIR     (checks quality.csv/accepted.tsv in
                                                  RESULT_DIR against DIR's manifest)

Every line is written with the outcome the spec gives it (accepted or a rejection
reason), so the manifest DIR/EXPECTED-COUNTS.txt holds the expected quality.csv row of
each file (in the expected input order when DIR is given as one folder), and
DIR/EXPECTED-ACCEPTED.txt the expected accepted.tsv lines (see quality.py) of the
events whose session_id starts with "s-".  Neither name has a log extension, so a
folder walk skips them.

File name prefixes tell what a row is worth:
  zz-amb-*      the spec is ambiguous here; expected values follow quality.py's
                AMBIGUITIES list (sessions "z-...", no duplicates, not in
                EXPECTED-ACCEPTED)
  *-unknown*    gzip damage at a random place: only the error offset is known
                (sessions "u-...", no duplicates, not in EXPECTED-ACCEPTED)
Everything else is decided by the spec.

b2-every-value.jsonl and b3-every-value.csv hold every listed timestamp and number
form (good and bad) at least once; the other files mix them at random.

Contents: NDJSON/CSV/TSV, plain and gzipped, multi-member gzip split mid-line (also
between CR and LF and inside UTF-8 sequences) with every header flag, stored and fixed
and dynamic blocks, truncated/corrupt/bad-CRC/bad-length/cut-trailer members, trailing
garbage, NUL padding, a 0-byte file, a JSON array, a pretty-printed object, BOMs,
CRLF, repeated headers, missing and repeated header columns, every rejection reason
and their order, every timestamp form with rounding edges, numbers as strings, 1e400,
400-digit numbers, 256-deep nesting, duplicate keys, escapes and surrogate pairs in
keys and values, invalid UTF-8, a 9 MiB line, duplicates with and without event_id
within and across files, copies differing in other fields, hidden files, symlinks
(file and folder, a loop), upper-case extensions and byte-wise ordering traps.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import re
import sys
import zlib
from decimal import Decimal

FIELDS = ["ts", "event", "session_id", "viewer_id", "title_id", "from", "to", "position",
          "duration", "series_id", "season", "episode", "country", "region", "device",
          "audio_lang", "subtitle_lang", "event_id"]
TEXT = {"event", "session_id", "viewer_id", "title_id", "series_id", "country", "region",
        "device", "audio_lang", "subtitle_lang", "event_id"}
FLOATS = {"from", "to", "position", "duration"}
INTS = {"season", "episode"}
REASONS = ["ignored_event", "malformed", "missing_field", "bad_timestamp", "bad_number",
           "bad_segment"]
ACCEPTED_COLUMNS = ["session_id", "title_id", "event", "ts", "from", "to", "position",
                    "duration", "viewer_id", "series_id", "season", "episode", "country",
                    "region", "device", "audio_lang", "subtitle_lang", "event_id"]
BOM = b"\xef\xbb\xbf"
JSON_NUMBER = re.compile(r"-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?")
EPOCH = dt.datetime(1970, 1, 1)
T0 = 1793491200000                       # 2026-11-01T00:00:00Z


# ======================================================================================
# Logical events: normalised values, exactly what the reader must end up with
# ======================================================================================

def blank_event() -> dict:
    return {f: None for f in FIELDS}


class World:
    """Sessions of valid events."""

    TITLES = [  # title_id, runtime, series, season, episode
        ("T01", 2551.0, "S1", 1, 1), ("T02", 2502.0, "S1", 1, 2), ("T03", 2597.0, "S1", 1, 3),
        ("T10", 8144.0, None, None, None), ("T11", 5400.5, None, None, None),
        ("T20", 1800.0, "S2", 2, 1), ("T21", 1750.25, "S2", 2, 2),
        ("Tü-€", 3000.0, None, None, None), ("T😀", 1200.0, "S😀", 0, 0),
    ]
    VIEWERS = ["v001", "v002", "v003", "v004", "4242", "1.50", "-0", "1E2", "vé", "v 6"]
    COUNTRIES = [("KR", "KR-11"), ("US", "US-TX"), ("FR", "FR-IDF"), ("BR", None),
                 ("JP", "JP-13"), ("ZZ", None), (None, None)]
    DEVICES = ["tv", "mobile", "web", "tablet", "console", None, "smart tv", "\"tv\""]
    AUDIO = ["ko", "en", "ja", "pt-BR", None]
    SUBS = ["en", "off", "ko", None, "OFF"]

    def __init__(self, rng: random.Random, prefix: str):
        self.rng = rng
        self.prefix = prefix
        self.n_sessions = 0
        self.n_ids = 0

    def session(self, with_ids: float = 0.5, start: int | None = None) -> list[dict]:
        rng = self.rng
        self.n_sessions += 1
        sid = f"{self.prefix}{self.n_sessions:04d}"
        title, runtime, series, season, episode = rng.choice(self.TITLES)
        viewer = rng.choice(self.VIEWERS)
        country, region = rng.choice(self.COUNTRIES)
        device = rng.choice(self.DEVICES)
        audio = rng.choice(self.AUDIO)
        subs = rng.choice(self.SUBS)
        t = start if start is not None else T0 + rng.randrange(0, 4 * 86400000)
        pos = 0.0 if rng.random() < 0.7 else round(rng.uniform(0, runtime / 2), 1)
        events = []

        def ev(kind, **kw):
            nonlocal t
            e = blank_event()
            e.update(ts=t, event=kind, session_id=sid, viewer_id=viewer, title_id=title,
                     series_id=series, season=season, episode=episode, country=country,
                     region=region, device=device, audio_lang=audio, subtitle_lang=subs)
            if rng.random() < 0.6:
                e["duration"] = runtime
            if rng.random() < with_ids:
                self.n_ids += 1
                e["event_id"] = f"e{self.prefix}{self.n_ids:06d}"
            e.update(kw)
            events.append(e)
            t += rng.randrange(1, 15000)

        ev("start", position=pos)
        for _ in range(rng.randint(2, 14)):
            r = rng.random()
            if r < 0.75:
                step = round(rng.uniform(0.5, 30), 1)
                ev("progress", **{"from": pos, "to": round(pos + step, 1)})
                pos = round(pos + step, 1)
            elif r < 0.85:
                ev("pause", position=pos)
                ev("resume", position=pos)
            else:
                new = round(rng.uniform(0, runtime), 1)
                ev("seek", **{"from": pos, "to": new})
                pos = new
        ev(rng.choice(["stop", "complete", "error"]), position=pos)
        return events


# ======================================================================================
# Value renderings (each decodes back to the logical value)
# ======================================================================================

def iso(ms: int, offset_min: int = 0, frac: str | None = None, z: str = "Z") -> str:
    local = EPOCH + dt.timedelta(milliseconds=ms + offset_min * 60000)
    s = local.strftime("%Y-%m-%dT%H:%M:%S")
    if frac is None:
        frac = f"{local.microsecond // 1000:03d}"
    if frac:
        s += "." + frac
    if offset_min == 0 and z == "Z":
        return s + "Z"
    sign = "+" if offset_min >= 0 else "-"
    a = abs(offset_min)
    return s + f"{sign}{a // 60:02d}:{a % 60:02d}"


def exp_form(text: str) -> str:
    """A decimal with one digit before the point and an exponent, same exact value."""
    sign, digits, exp = Decimal(text).as_tuple()
    ds = "".join(map(str, digits))          # no leading zeros unless the value is 0
    e = exp + len(ds) - 1
    mant = ds[0] + ("." + ds[1:] if len(ds) > 1 else "")
    return ("-" if sign else "") + mant + "e" + str(e)


def ts_forms(rng: random.Random, ms: int) -> list[tuple[str, str]]:
    """(text, 'iso'|'num') renderings of an instant, all rounding to ms."""
    sub = ms % 1000
    off = rng.choice([0, 60, -300, 330, 540, -600, 23 * 60 + 59, -(23 * 60 + 59), 345])
    frac3 = f"{sub:03d}"
    forms = [
        (iso(ms), "iso"),
        (iso(ms, off), "iso"),
        (iso(ms, 0, z="+00:00"), "iso"),
        (iso(ms, 0, frac3.rstrip("0") or ("0" if rng.random() < .5 else "")), "iso"),
        (iso(ms, 0, frac3 + "0" * rng.randint(1, 6)), "iso"),
        (iso(ms, off, frac3 + str(rng.randint(0, 4)) + "9" * rng.randint(0, 8)), "iso"),
        (iso(ms - 1, off, f"{(ms - 1) % 1000:03d}5" + "".join(
            rng.choice("0123456789") for _ in range(rng.randint(0, 5)))), "iso"),
        (f"{ms // 1000}.{sub:03d}" if sub else str(ms // 1000), "num"),
        (exp_form(f"{ms // 1000}.{sub:03d}"), "num"),
        (str(ms), "num"),
        (f"{ms}.4999", "num"),
        (f"{ms - 1}.5", "num"),
        (f"{ms // 1000}.{sub:03d}4999", "num"),
        (f"{(ms - 1) // 1000}.{(ms - 1) % 1000:03d}5", "num"),
        (exp_form(str(ms)), "num"),
        (exp_form(str(ms)).replace("e", "E"), "num"),
    ]
    return forms


def num_forms(x) -> list[str]:
    """Text forms of a number (float or int) with the same double value."""
    if isinstance(x, int):
        r = str(x)
        forms = [r, r + ".0", exp_form(r), r + ".000"]
    else:
        r = repr(x)
        forms = [r, exp_form(r)]
        if x.is_integer() and abs(x) < 1e15:
            forms.append(str(int(x)))
    if not r.startswith("-"):
        forms += ["+" + r, "0" + r]
    return forms


def json_string(rng: random.Random, s: str, pad: bool = True) -> str:
    """A JSON string token for s with random escaping, maybe padded with blanks."""
    out = ['"']
    if pad and rng.random() < 0.15:
        out.append(rng.choice([" ", "\\t", "  ", " \\t "]))
    for c in s:
        o = ord(c)
        if c == '"':
            out.append('\\"' if rng.random() < .8 else "\\u0022")
        elif c == "\\":
            out.append("\\\\")
        elif o < 0x20:
            short = {"\b": "\\b", "\f": "\\f", "\n": "\\n", "\r": "\\r", "\t": "\\t"}
            out.append(short.get(c, f"\\u{o:04x}") if rng.random() < .7 else f"\\u{o:04X}")
        elif o > 0xFFFF and rng.random() < 0.5:
            v = o - 0x10000
            hi, lo = 0xD800 + (v >> 10), 0xDC00 + (v & 0x3FF)
            out.append(f"\\u{hi:04x}\\u{lo:04X}")
        elif c == "/" and rng.random() < .5:
            out.append("\\/")
        elif o <= 0xFFFF and rng.random() < 0.05:
            out.append(f"\\u{o:04x}")
        else:
            out.append(c)
    if pad and rng.random() < 0.15:
        out.append(rng.choice([" ", "\\t", "  "]))
    out.append('"')
    return "".join(out)


def pad_text(rng: random.Random, s: str, tsv: bool = False) -> str:
    """Surrounding blanks the reader must trim (no tabs in TSV: they separate)."""
    blanks = [" ", "  "] if tsv else [" ", "\t", "  ", " \t"]
    if rng.random() < 0.2:
        return rng.choice(blanks) + s + rng.choice([""] + blanks)
    return s


def country_form(rng: random.Random, c: str) -> str:
    if rng.random() < 0.3:
        return c.lower()
    if rng.random() < 0.2:
        return c[0].lower() + c[1:]
    return c


def nested(depth: int, kind: str = "mix") -> str:
    s = "0"
    for k in range(depth):
        if kind == "arr" or (kind == "mix" and k % 2):
            s = "[" + s + "]"
        else:
            s = '{"k":' + s + "}"
    return s


UNKNOWN_VALUES = [
    '"7.3.1"', "true", "false", "null", "[]", "{}", '{"a":[1,2,{"b":null}]}', "1e400",
    "-1e400", "1" + "0" * 400, "0." + "0" * 399 + "1", '"NaN"', '"\\ud83d\\ude00"',
    '"x\\u0000y"', "[[[[[[[[[[]]]]]]]]]]", '"' + "é" * 50 + '"', "-0", "1E-400",
    '{"event":"start","ts":"x"}',
]
UNKNOWN_KEYS = ["player_version", "Event", "TS", "session", "title", "x", "", "événement",
                "\\u0065vent_", "nested", "ts_", "ts\\u0000", "\\ud83c\\udfac_x", "😀"]


# ======================================================================================
# Line builders: JSON members and table cells
# ======================================================================================

class JsonLine:
    """Ordered members: (field name, key token, value token)."""

    def __init__(self, members=None):
        self.members = members or []

    def set(self, name: str, token: str | None, key: str | None = None):
        self.members = [m for m in self.members if m[0] != name]
        if token is not None:
            self.members.append((name, key or json_key(name), token))

    def add(self, name: str, token: str, key: str | None = None, first: bool = False):
        m = (name, key or json_key(name), token)
        if first:
            self.members.insert(0, m)
        else:
            self.members.append(m)

    def text(self, rng: random.Random) -> str:
        colon = rng.choice([":", ": ", " :", " : "])
        comma = rng.choice([",", ", ", " ,", ",\t"])
        body = comma.join(f"{k}{colon}{v}" for _, k, v in self.members)
        lead = rng.choice(["", "", "", " ", "\t"])
        trail = rng.choice(["", "", "", " ", "\t ", "\r"])
        return lead + "{" + body + "}" + trail


def json_key(name: str, rng: random.Random | None = None) -> str:
    if rng is not None and rng.random() < 0.1 and name:
        i = rng.randrange(len(name))
        return '"' + name[:i] + f"\\u{ord(name[i]):04x}" + name[i + 1:] + '"'
    return '"' + name + '"'


def json_value_token(rng: random.Random, field: str, v) -> str:
    if field == "ts":
        text, kind = rng.choice(ts_forms(rng, v))
        if kind == "num" and JSON_NUMBER.fullmatch(text) and rng.random() < 0.6:
            return text
        return json_string(rng, text)
    if field in FLOATS or field in INTS:
        text = rng.choice(num_forms(v))
        if JSON_NUMBER.fullmatch(text) and rng.random() < 0.6:
            return text
        return json_string(rng, pad_text(rng, text), pad=False)
    if field == "country":
        return json_string(rng, country_form(rng, v))
    if JSON_NUMBER.fullmatch(v) and rng.random() < 0.5:
        return v                                  # a bare number in a text field
    return json_string(rng, v)


def json_line_for(rng: random.Random, e: dict) -> JsonLine:
    line = JsonLine()
    order = FIELDS[:]
    rng.shuffle(order)
    for f in order:
        v = e[f]
        if v is None:
            r = rng.random()
            if r < 0.6:
                continue
            tok = "null" if r < 0.8 else json_string(rng, rng.choice(["", " ", "\t", " \t "]),
                                                      pad=False)
            line.add(f, tok, json_key(f, rng))
            continue
        line.add(f, json_value_token(rng, f, v), json_key(f, rng))
    for _ in range(rng.choice([0, 0, 1, 2, 3])):
        k = rng.choice(UNKNOWN_KEYS)
        line.members.insert(rng.randrange(len(line.members) + 1),
                            ("?" + k, '"' + k + '"', rng.choice(UNKNOWN_VALUES)))
    r = rng.random()
    present = [m[0] for m in line.members if not m[0].startswith("?")]
    present = [f for f in present if e.get(f) is not None]
    if r < 0.06:                                  # an invalid earlier copy of a key
        f = rng.choice(present)
        line.add(f, rng.choice(["true", "{}", "[1]", '"NaN"', "false"]), first=True)
    elif r < 0.1:                                 # an earlier different value, later null
        absent = [f for f in FIELDS if e[f] is None]
        if absent:
            f = rng.choice(absent)
            line.add(f, '"garbage"' if f in TEXT else '"1"', first=True)
            line.add(f, "null")
    elif r < 0.13:                                # the same key spelled with an escape
        f = rng.choice(["event", "ts", "title_id"])
        tok = [m for m in line.members if m[0] == f][-1][2]
        line.set(f, None)
        line.add(f, '"start"' if f == "event" else '"junk"', first=True)
        line.add(f, tok, key='"' + f"\\u{ord(f[0]):04x}" + f[1:] + '"')
    return line


def cells_for(rng: random.Random, e: dict, tsv: bool) -> dict:
    """Column name -> cell text (unquoted) for a table line."""
    cells = {}
    for f in FIELDS:
        v = e[f]
        if v is None:
            cells[f] = rng.choice(["", "", "", " ", "  " if tsv else "\t"])
        elif f == "ts":
            cells[f] = pad_text(rng, rng.choice(ts_forms(rng, v))[0], tsv)
        elif f in FLOATS or f in INTS:
            cells[f] = pad_text(rng, rng.choice(num_forms(v)), tsv)
        elif f == "country":
            cells[f] = pad_text(rng, country_form(rng, v), tsv)
        else:
            cells[f] = pad_text(rng, v, tsv)
    return cells


def csv_quote(rng: random.Random, cell: str, force: bool = False) -> str:
    need = any(c in cell for c in ',"')
    if need or force or rng.random() < 0.2:
        return '"' + cell.replace('"', '""') + '"'
    return cell


def table_line(rng: random.Random, header: list[str], cells: dict, tsv: bool,
               quote_all: bool = False) -> str:
    out = []
    for name in header:
        c = cells.get(name, "")
        out.append(c if tsv else csv_quote(rng, c, quote_all))
    return ("\t" if tsv else ",").join(out)


# ======================================================================================
# Items: (line bytes, expected outcome, logical event or None, blank/header flag)
# ======================================================================================

class Item:
    def __init__(self, data: bytes, outcome: str | None, event: dict | None = None):
        self.data = data            # without line end
        self.outcome = outcome      # None: not counted (blank line, header)
        self.event = event


def accepted(rng, e, fmt, header=None) -> Item:
    if fmt == "json":
        return Item(json_line_for(rng, e).text(rng).encode(), "accepted", e)
    cells = cells_for(rng, e, fmt == "tsv")
    if fmt == "tsv":
        assert all("\t" not in cells[f] for f in FIELDS if e[f] is not None), e
    return Item(table_line(rng, header, cells, fmt == "tsv").encode(), "accepted", e)


# ---- rejections for NDJSON: each returns (text or bytes, reason) from a valid event ----

BAD_TS = [
    "2026-02-30T10:00:00Z", "2026-11-01T24:00:00Z", "2026-11-01T23:60:00Z",
    "2026-11-01T23:59:60Z", "2026-11-01 12:00:00Z", "2026-11-01T12:00:00",
    "2026-11-01t12:00:00Z", "2026-11-01T12:00:00+0500", "2026-1-01T12:00:00Z",
    "2026-11-01T12:00Z", "2026-11-01T12:00:00.Z", "2026-11-01T12:00:00,5Z",
    "2099-12-31T23:59:59.9996Z", "2099-12-31T23:59:59.9995Z", "2100-01-01T00:00:00Z",
    "1999-12-31T23:59:59.999Z", "1999-12-31T23:59:59.9994Z", "2000-01-01T04:59:59+05:00",
    "2099-12-31T22:00:00-02:00", "2100-02-29T00:00:00Z", "2027-02-29T00:00:00Z",
    "2026-04-31T00:00:00Z", "2026-00-10T00:00:00Z", "2026-13-10T00:00:00Z",
    "2026-11-00T00:00:00Z", "20261101T120000Z", "2026-11-01T12:00:00+05", "+2026-11-01T12:00:00Z",
    " 2026-11-01 T12:00:00Z", "yesterday", "1793491646.", ".5", "0x6A", "NaN", "Infinity",
    "100000000000", "100000000000.4", "100000000000.5", "946684799999", "946684799.9994", "4102444800000",
    "4102444799999.5", "4102444799.9995", "4102444800", "-1793491646", "0", "-0", "1e400",
    "1" + "0" * 400, "1e" + "9" * 5000, "1793491646e-" + "0" * 4999 + "1", "1793491646 s", "1,793,491,646", "１７９３４９１６４６",
    "2026-11-01T12:00:00.000000000000000000000000000000000000000000000Zz",
    "2026-11-01T12:00:00 Z", "2026-11-01T12:00:00\u00a0Z", "2026-11-01Т12:00:00Z",
]
BAD_TS_BARE = ["true", "false", "{}", "[]", '{"t":1}', "[1793491646]", "0", "-1793491646",
               "100000000000", "1e400", "4102444800", "9.466847999994e8"]
GOOD_TS_EDGE = [  # (text, ms) accepted edge cases
    ("2000-01-01T00:00:00Z", 946684800000), ("1999-12-31T23:59:59.9995Z", 946684800000),
    ("1999-12-31T23:59:59.99950000Z", 946684800000),
    ("2000-01-01T05:00:00+05:00", 946684800000), ("946684800000", 946684800000),
    ("946684799.9995", 946684800000), ("946684799999.5", 946684800000),
    ("2099-12-31T23:59:59.999Z", 4102444799999), ("2099-12-31T23:59:59.9994999Z", 4102444799999),
    ("4102444799999", 4102444799999), ("4102444799.999", 4102444799999),
    ("4102444799999.4999", 4102444799999), ("2100-01-01T01:00:00+02:00", 4102441200000),
    ("2028-02-29T12:00:00Z", 1835438400000), ("2000-02-29T00:00:00-00:00", 951782400000),
    ("+1793491646", 1793491646000),
    ("1793491646.0005", 1793491646001), ("1793491646.00049999999", 1793491646000),
    ("1.7934916460005e9", 1793491646001), ("17934916460005e-4", 1793491646001),
    ("0.0000000001793491646e19", 1793491646000), ("1793491646999.5", 1793491647000),
    ("2026-12-31T23:59:59.9995-00:30", 1798763400000), ("2026-11-01T12:00:00.5+23:59", None),
    ("1793491646e0", 1793491646000), ("01793491646", 1793491646000),
    ("1793491646e" + "0" * 5000, 1793491646000), ("0" * 5000 + "1793491646.25", 1793491646250),
    ("0." + "0" * 5000 + "1793491646e5010", 1793491646000),
]
BAD_NUMBERS = ["abc", ".5", "5.", "NaN", "Infinity", "-Infinity", "0x10", "1,5", "12 s", "1e",
               "1e+", "--3", "+-3", "1.5.5", "½", "١٢", "1_000", "1e400", "-1e400",
               "1" + "0" * 400, "1e" + "9" * 5000, "−5", "5−", "1 000", "0b1", "inf", "nan", "1d3", "1.5f", "e5"]
BAD_NUMBERS_BARE = ["true", "false", "{}", "[]", "[1]", '{"v":1}', "1e400", "-1e400",
                    "1" + "0" * 400, "-" + "9" * 400]
BAD_WHOLE = ["2.5", "1e20", "-1", "2147483648", "-0.5", "1e10", "0.1", "2147483647.5",
             "4294967296", "9" * 30]
GOOD_WHOLE = [("2.0", 2), ("-0", 0), ("2147483647", 2147483647), ("0", 0), ("2e0", 2),
              ("20e-1", 2), ("+7", 7), ("007", 7), ("1E1", 10), ("2147483647.000", 2147483647),
              ("1e-400", 0)]


def _fix_event(rng, e: dict, kind: str) -> dict:
    """A copy of e turned into a valid event of the given kind."""
    e = dict(e)
    e["event"] = kind
    for f in ("from", "to", "position"):
        e[f] = None
    if kind in ("progress", "seek"):
        e["from"], e["to"] = 10.0, 20.5
    else:
        e["position"] = 12.5
    return e


def json_rejects(rng: random.Random, e: dict) -> list[tuple[bytes, str]]:
    """Many rejected NDJSON lines derived from the valid event e."""
    out: list[tuple[bytes, str]] = []

    def line(ev=None, edit=None) -> JsonLine:
        ln = json_line_for(rng, ev or e)
        if edit:
            edit(ln)
        return ln

    def txt(ln: JsonLine) -> bytes:
        return ln.text(rng).encode()

    good = txt(line())
    # --- malformed ---
    cut = rng.randrange(good.index(b"{") + 1, good.rstrip(b" \t\r").rfind(b"}"))
    out.append((good[:cut], "malformed"))
    s = good.decode()
    last = s.rstrip(" \t\r")
    out.append((last[:-1].encode() + b",}", "malformed"))
    out.append((b"{'event':'start'," + good.lstrip(b" \t")[1:], "malformed"))
    out.append((b"{/* c */" + good.lstrip(b" \t")[1:], "malformed"))
    out.append((good.lstrip(b" \t")[:-0 or None] + b" // c", "malformed"))
    for bad in ["NaN", "Infinity", "-Infinity", "'x'", "undefined", "True", "nul", "tru",
                "01", "+5", ".5", "5.", "1.e3", "-", "1e", "0x1F", "--1", "1.5.5", '"a" "b"',
                "[1,]", "{,}", '{"a"}', '{"a":}', "[1 2]", '{"a":1,}', '"\\x41"', '"\\U00e9"',
                '"\\u12"', '"\\ud800"', '"\\udc00"', '"\\ud800\\u0041"', '"\\udc00\\ud800"',
                '"\\ud83d"', '"a\tb"', '"a\x01b"', '"a\nb"'.replace("\n", "\x1f"), "\"'\"'"]:
        out.append((txt(line(edit=lambda ln: ln.add("junk", bad))), "malformed"))
    for key in ['"\\ud800k"', '"k\\udc00"', '"\\ud83d\\u0074s"', "'ts'", "ts", '"ts\\"']:
        out.append((txt(line(edit=lambda ln, k=key: ln.add("k", "1", key=k))), "malformed"))
    for f in ["from", "to", "position", "duration", "season", "episode", "ts"]:
        out.append((txt(line(edit=lambda ln, f=f: ln.set(f, rng.choice(["01", "+5", ".5", "5.", "-"])))),
                    "malformed"))
    for f in ["viewer_id", "event", "title_id", "device", "country", "event_id", "session_id",
              "series_id", "region", "audio_lang", "subtitle_lang"]:
        bad = rng.choice(["true", "false", "{}", "[]", '["x"]', '{"a":"b"}'])
        out.append((txt(line(edit=lambda ln, f=f, b=bad: ln.set(f, b))), "malformed"))
    # a text field holding a boolean wins over every later check
    out.append((txt(line(edit=lambda ln: (ln.set("event", '"Start"'), ln.set("device", "true")))),
                "malformed"))
    out.append((txt(line(edit=lambda ln: (ln.set("event", None), ln.set("region", "[]")))),
                "malformed"))
    out.append((txt(line(edit=lambda ln: (ln.set("ts", '"bad"'), ln.add("viewer_id", "false")))),
                "malformed"))
    # the later duplicate is the broken one
    out.append((txt(line(edit=lambda ln: ln.add("title_id", "{}"))), "malformed"))
    # raw bytes
    b = good
    i = b.index(b'"', 1) + 1
    for junk in [b"\xff", b"\xc0\xaf", b"\xed\xa0\x80", b"\xe2\x82", b"\xf4\x90\x80\x80",
                 b"\x80", b"\xf8\x88\x80\x80\x80", b"\x00", b"\xc3"]:
        out.append((b[:i] + junk + b[i:], "malformed"))
    out.append((good.rstrip(b" \t\r") + b"\x00", "malformed"))
    out.append((BOM + good, "malformed"))
    out.append((good + b" " + good, "malformed"))
    out.append((good.rstrip(b" \t\r") + b" x", "malformed"))
    out.append((b"[" + good + b"]", "malformed"))
    out.append((b'"just a string"', "malformed"))
    out.append((b"42", "malformed"))
    out.append((b"null", "malformed"))
    out.append((b"{", "malformed"))
    out.append((b"}", "malformed"))
    out.append((b"\r\r", "malformed"))           # "\r\r\n": the line is "\r"
    out.append((b"{\"event\":\"start\"\x0c}", "malformed"))       # form feed is not JSON ws
    out.append((b"\xc2\xa0" + good, "malformed"))                    # NBSP before the object
    out.append((('{"event":"start","ts":"2026-11-01T00:00:00Z","session_id":"s","viewer_id":'
                 '"v","title_id":"t","x":' + nested(300, "arr")[:-1] + "}").encode(), "malformed"))
    # --- missing_field ---
    for tok in [None, "null", '""', '"  \\t "', '" "', '"\t"'.replace("\t", "\\t")]:
        out.append((txt(line(edit=lambda ln, t=tok: ln.set("event", t))), "missing_field"))
    out.append((txt(line(edit=lambda ln: (ln.set("event", None), ln.set("ts", '"bad"'),
                                          ln.set("from", '"x"')))), "missing_field"))
    out.append((b"{}", "missing_field"))
    out.append((b'{"Event":"start","EVENT":"start","event ":"start"}', "missing_field"))
    for f in ["ts", "session_id", "viewer_id", "title_id"]:
        tok = rng.choice([None, "null", '""', '"   "', '" \\t"'])
        out.append((txt(line(edit=lambda ln, f=f, t=tok: ln.set(f, t))), "missing_field"))
    out.append((txt(line(edit=lambda ln: (ln.set("viewer_id", None), ln.set("ts", '"bad"')))),
                "missing_field"))
    out.append((txt(line(edit=lambda ln: (ln.set("title_id", '""'), ln.set("duration", "-5")))),
                "missing_field"))
    out.append((txt(line(edit=lambda ln: (ln.add("ts", "null")))), "missing_field"))
    # --- ignored_event ---
    for ev in ['"Start"', '"START"', '"buffering"', '"heartbeat"', '"pause2"', "5", "1e2",
               '"start\\r"', '"\\u00a0start"', '"st art"', '"progress."', '"stop\\n"',
               '"complete\\u0001"', '"ｓｔａｒｔ"', '"start\\u200b"']:
        out.append((txt(line(edit=lambda ln, v=ev: ln.set("event", v))), "ignored_event"))
    out.append((txt(line(edit=lambda ln: (ln.set("event", '"seekk"'), ln.set("ts", None),
                                          ln.set("viewer_id", None)))), "ignored_event"))
    out.append((txt(line(edit=lambda ln: (ln.set("event", '"x"'), ln.set("ts", '"bad"'),
                                          ln.set("from", "true"), ln.set("to", "-4")))),
                "ignored_event"))
    # --- bad_timestamp ---
    for t in rng.sample(BAD_TS, 20):
        out.append((txt(line(edit=lambda ln, t=t: ln.set("ts", json_string(rng, t)))),
                    "bad_timestamp"))
    for t in BAD_TS_BARE:
        out.append((txt(line(edit=lambda ln, t=t: ln.set("ts", t))), "bad_timestamp"))
    out.append((txt(line(edit=lambda ln: (ln.set("ts", '"2026-11-31T00:00:00Z"'),
                                          ln.set("from", '"x"')))), "bad_timestamp"))
    # --- bad_number ---
    for f in ["from", "to", "position", "duration", "season", "episode"]:
        bad = rng.choice(BAD_NUMBERS)
        out.append((txt(line(edit=lambda ln, f=f, b=bad: ln.set(f, json_string(rng, b)))),
                    "bad_number"))
        bare = rng.choice(BAD_NUMBERS_BARE)
        out.append((txt(line(edit=lambda ln, f=f, b=bare: ln.set(f, b))), "bad_number"))
    for f in ["season", "episode"]:
        for bad in rng.sample(BAD_WHOLE, 4):
            tok = bad if JSON_NUMBER.fullmatch(bad) and rng.random() < .5 else json_string(rng, bad)
            out.append((txt(line(edit=lambda ln, f=f, t=tok: ln.set(f, t))), "bad_number"))
    out.append((txt(line(_fix_event(rng, e, "progress"),
                         edit=lambda ln: (ln.set("to", '"x"'), ln.set("from", "-3")))),
                "bad_number"))
    # --- bad_segment ---
    p = _fix_event(rng, e, "progress")
    sk = _fix_event(rng, e, "seek")
    out.append((txt(line(p, edit=lambda ln: ln.set("to", None))), "bad_segment"))
    out.append((txt(line(p, edit=lambda ln: ln.set("from", '""'))), "bad_segment"))
    out.append((txt(line(sk, edit=lambda ln: ln.set("from", "null"))), "bad_segment"))
    out.append((txt(line(sk, edit=lambda ln: (ln.set("from", None), ln.set("to", None)))),
                "bad_segment"))
    out.append((txt(line(p, edit=lambda ln: (ln.set("from", "30"), ln.set("to", '"29.9"')))),
                "bad_segment"))
    for f in ["from", "to", "position"]:
        out.append((txt(line(rng.choice([p, sk, e]),
                             edit=lambda ln, f=f: ln.set(f, rng.choice(["-1", '"-0.1"', "-1e-300"])))),
                    "bad_segment"))
    for d in ["0", '"0.0"', '"-0"', "-5", "1e-400", '"0e5"', "-0.0"]:
        out.append((txt(line(edit=lambda ln, d=d: ln.set("duration", d))), "bad_segment"))
    return out


def table_rejects(rng: random.Random, e: dict, header: list[str], tsv: bool):
    out: list[tuple[bytes, str]] = []
    sep = "\t" if tsv else ","

    def row(ev=None, **over) -> str:
        cells = cells_for(rng, ev or e, tsv)
        cells.update(over)
        return table_line(rng, header, cells, tsv)

    def qrow(**over) -> str:   # pre-quoted cells, CSV only
        cells = cells_for(rng, e, tsv)
        parts = [over[n] if n in over else csv_quote(rng, cells.get(n, "")) for n in header]
        return ",".join(parts)

    # --- malformed ---
    out.append((row().encode() + sep.encode() + b"extra", "malformed"))
    out.append((sep.join(row().split(sep)[:-1]).encode(), "malformed"))
    b = row().encode()
    for junk in [b"\xff", b"\xc0\xaf", b"\xed\xa0\x80", b"\x00", b"\xe2\x82"]:
        k = rng.randrange(len(b) + 1)
        out.append((b[:k] + junk + b[k:], "malformed"))
    out.append((b"x", "malformed"))
    out.append((BOM, "malformed"))
    if not tsv:
        d = header[0]
        out.append((qrow(**{d: '"unclosed'}).encode(), "malformed"))
        out.append((qrow(**{"device": 'ab"c'}).encode(), "malformed"))
        out.append((qrow(**{"device": '"tv"x'}).encode(), "malformed"))
        out.append((qrow(**{"device": ' "tv"'}).encode(), "malformed"))
        out.append((qrow(**{"device": '"tv" '}).encode(), "malformed"))
        out.append((qrow(**{"event": '"start'}).encode(), "malformed"))
        out.append((qrow(**{"ts": '"2026-11-01T00:00:00Z""'}).encode(), "malformed"))
        out.append((qrow(**{"viewer_id": '"v""1"""x'}).encode(), "malformed"))
        out.append((qrow(**{header[-1]: '"open'}).encode(), "malformed"))
        out.append((qrow(**{"device": '"'}).encode(), "malformed"))
        # a record with a line break inside quotes becomes two broken lines
        whole = qrow(**{"device": '"smart\nTV"'})
        first, second = whole.split("\n")
        out.append((first.encode(), "malformed"))
        out.append((second.encode(), "malformed"))
    # --- missing_field ---
    out.append((row(event="").encode(), "missing_field"))
    out.append((row(event="  ").encode(), "missing_field"))
    out.append((row(event="", ts="junk").encode(), "missing_field"))
    for f in ["ts", "session_id", "viewer_id", "title_id"]:
        out.append((row(**{f: rng.choice(["", " ", "  "])}).encode(), "missing_field"))
    # --- ignored_event ---
    for ev in ["Start", "buffering", "PAUSE", "5", "start.", "\u00a0start", "stop!"]:
        out.append((row(event=ev).encode(), "ignored_event"))
    out.append((row(event="ad", ts="", viewer_id="").encode(), "ignored_event"))
    # --- bad_timestamp ---
    for t in rng.sample(BAD_TS, 12):
        if not tsv and any(c in t for c in ',"'):
            t = '"' + t.replace('"', '""') + '"'
            out.append((qrow(ts=t).encode(), "bad_timestamp"))
        else:
            out.append((row(ts=t).encode(), "bad_timestamp"))
    # --- bad_number ---
    for f in ["from", "to", "position", "duration", "season", "episode"]:
        bad = rng.choice(BAD_NUMBERS)
        if not tsv and "," in bad:
            out.append((qrow(**{f: '"' + bad + '"'}).encode(), "bad_number"))
        else:
            out.append((row(**{f: bad}).encode(), "bad_number"))
    for f in ["season", "episode"]:
        out.append((row(**{f: rng.choice(BAD_WHOLE)}).encode(), "bad_number"))
    # --- bad_segment ---
    p = _fix_event(rng, e, "progress")
    out.append((row(p, to="").encode(), "bad_segment"))
    out.append((row(p, **{"from": "40", "to": "39.5"}).encode(), "bad_segment"))
    out.append((row(_fix_event(rng, e, "seek"), **{"from": " "}).encode(), "bad_segment"))
    out.append((row(position="-0.001").encode(), "bad_segment"))
    out.append((row(duration="0").encode(), "bad_segment"))
    out.append((row(duration="-0").encode(), "bad_segment"))
    return out


# ---- accepted traps: unusual but valid lines, with the logical event they carry ----

def json_first(items: list[Item]) -> list[Item]:
    """Put an accepted line first, so the file sniffs as NDJSON ("{" first)."""
    for k, it in enumerate(items):
        if it.outcome == "accepted":
            return [it] + items[:k] + items[k + 1:]
    return items


def json_traps(rng: random.Random, world: World) -> list[Item]:
    items = []
    base = world.session(with_ids=0.0)

    def take() -> dict:
        return dict(rng.choice(base))

    def item(e: dict, edit=None) -> Item:
        ln = json_line_for(rng, e)
        if edit:
            edit(ln)
        return Item(ln.text(rng).encode(), "accepted", e)

    for text, ms in GOOD_TS_EDGE:
        e = take()
        if ms is None:
            ms = T0 + 43200000 - (23 * 60 + 59) * 60000 + 500
        e["ts"] = ms
        bare = JSON_NUMBER.fullmatch(text) and rng.random() < 0.5
        items.append(item(e, lambda ln, t=text, b=bare: ln.set("ts", t if b else json_string(rng, t))))
    for text, n in GOOD_WHOLE:
        e = take()
        e["season"] = n
        items.append(item(e, lambda ln, t=text: ln.set("season", json_string(rng, t))))
    e = take()
    e["episode"] = 2
    items.append(item(e, lambda ln: ln.set("episode", "2.0")))
    # seek backwards is fine; -0 is not negative; tiny and huge-but-finite numbers
    e = _fix_event(rng, take(), "seek")
    e["from"], e["to"] = 500.0, 20.0
    items.append(item(e))
    e = _fix_event(rng, take(), "progress")
    e["from"], e["to"] = -0.0, 0.0
    items.append(item(e, lambda ln: (ln.set("from", '"-0"'), ln.set("to", "-0.0"))))
    e = _fix_event(rng, take(), "progress")
    e["from"], e["to"] = 0.0, 1.7976931348623157e308
    items.append(item(e, lambda ln: (ln.set("from", "1e-400"),
                                     ln.set("to", '"1.7976931348623157e308"'))))
    e = take()
    e["duration"] = 1e-3
    items.append(item(e, lambda ln: ln.set("duration", '"1e-3"')))
    e = take()
    e["duration"] = float("1" + "0" * 300)
    items.append(item(e, lambda ln: ln.set("duration", "1" + "0" * 300)))
    e = take()
    e["duration"] = 5.0
    items.append(item(e, lambda ln: ln.set("duration", "5e" + "0" * 5000)))
    e = take()
    e["duration"] = 0.1
    items.append(item(e, lambda ln: ln.set("duration", '"0.1000000000000000055511151231257827"')))
    # text: DEL, escapes, surrogate pairs, unicode, numbers as text
    e = take()
    e["device"] = "t\x7fv"
    items.append(item(e))
    e = take()
    e["device"] = "smart\ttv\nremote"
    items.append(item(e))
    e = take()
    e["region"] = "😀-🎬"
    items.append(item(e, lambda ln: ln.set("region", '"\\ud83d\\ude00-\\uD83C\\uDFAC"')))
    e = take()
    e["viewer_id"] = "1.50"
    items.append(item(e, lambda ln: ln.set("viewer_id", "1.50")))
    e = take()
    e["event_id"] = "-0"
    items.append(item(e, lambda ln: ln.set("event_id", "-0")))
    e = take()
    e["event_id"] = "1E+2"
    items.append(item(e, lambda ln: ln.set("event_id", "1E+2")))
    e = take()
    e["country"] = "KR1"
    items.append(item(e, lambda ln: ln.set("country", '" kr1\\t"')))
    e = take()
    e["country"] = "üK"                          # only ASCII letters are upper-cased
    items.append(item(e, lambda ln: ln.set("country", '"ük"')))
    e = take()
    e["subtitle_lang"] = "Off"
    items.append(item(e))
    e = take()
    e["session_id"] = e["session_id"]
    items.append(item(e, lambda ln: ln.set("session_id", json_string(rng, e["session_id"]),
                                            key='"\\u0073ession_id"')))
    # unknown fields with anything: deep nesting (256), huge numbers, NaN text
    for kind in ("arr", "obj", "mix"):
        e = take()
        items.append(item(e, lambda ln, k=kind: ln.add("deep", nested(256, k))))
    e = take()
    items.append(item(e, lambda ln: ln.add("big", "-" + "7" * 400 + ".5e-99999")))
    # an earlier invalid copy of a key is ignored; a later null removes an earlier value
    e = take()
    e["viewer_id"] = "v-late"
    items.append(item(e, lambda ln: (ln.set("viewer_id", '"v-late"'),
                                     ln.add("viewer_id", "true", first=True))))
    e = take()
    e["region"] = None
    items.append(item(e, lambda ln: (ln.add("region", '"XX-1"'), ln.add("region", "null"))))
    e = _fix_event(rng, take(), "progress")
    items.append(item(e, lambda ln: ln.add("from", "[1,2]", first=True)))
    # whitespace around the object, CR at its end
    e = take()
    items.append(Item(b" \t " + json_line_for(rng, e).text(rng).encode() + b" \t\r", "accepted", e))
    return items


# ======================================================================================
# Files: assembling lines, BOM/CRLF, gzip members and damage
# ======================================================================================

def assemble(rng: random.Random, items: list[Item], crlf: float = 0.0, bom: bool = False,
             final_newline: bool = True) -> tuple[bytes, list[tuple[int, Item]]]:
    """Text and, per item, the offset just after its line end (or its end if last)."""
    out = bytearray(BOM if bom else b"")
    ends = []
    for k, it in enumerate(items):
        out += it.data
        last = k == len(items) - 1
        if not last or final_newline:
            out += b"\r\n" if rng.random() < crlf else b"\n"
        ends.append((len(out), it))
    return bytes(out), ends


def gzip_member(rng: random.Random, payload: bytes, level: int | None = None,
                flags: bool = True) -> bytes:
    if level is None:
        level = rng.choice([0, 1, 6, 9])
    strategy = rng.choice([zlib.Z_DEFAULT_STRATEGY, zlib.Z_FIXED, zlib.Z_HUFFMAN_ONLY,
                           zlib.Z_FILTERED])
    co = zlib.compressobj(level, zlib.DEFLATED, -15, 8, strategy)
    comp = co.compress(payload) + co.flush()
    flg = 0
    tail = b""
    if flags:
        if rng.random() < .3:
            flg |= 0x04
            extra = b"BC\x02\x00" + rng.randrange(65536).to_bytes(2, "little")  # bgzip-like
            tail += len(extra).to_bytes(2, "little") + extra
        if rng.random() < .3:
            flg |= 0x08
            tail += "événements.jsonl".encode("latin-1", "replace") + b"\x00"
        if rng.random() < .2:
            flg |= 0x10
            tail += b"a comment\x00"
    head = b"\x1f\x8b\x08" + bytes([flg]) + rng.randrange(2 ** 32).to_bytes(4, "little") \
        + bytes([rng.choice([0, 2, 4]), rng.choice([3, 255])]) + tail
    if flags and rng.random() < .2:
        head = head[:3] + bytes([head[3] | 0x02]) + head[4:]
        head += (zlib.crc32(head) & 0xFFFF).to_bytes(2, "little")
    trailer = zlib.crc32(payload).to_bytes(4, "little") + \
        (len(payload) & 0xFFFFFFFF).to_bytes(4, "little")
    return head + comp + trailer


def gzip_members(rng: random.Random, text: bytes, n: int) -> tuple[bytes, list[int]]:
    """text split at random byte positions into n members; returns data, member starts."""
    cuts = sorted(rng.sample(range(1, max(2, len(text))), min(n - 1, max(0, len(text) - 1))))
    # prefer some nasty cut points: between CR and LF, inside a UTF-8 sequence
    crlf = [m.start() + 1 for m in re.finditer(b"\r\n", text)]
    if crlf and cuts:
        cuts[0] = rng.choice(crlf)
    utf = [m.start() + 1 for m in re.finditer(rb"[\xc2-\xf4]", text)]
    if utf and len(cuts) > 1:
        cuts[-1] = rng.choice(utf)
    cuts = sorted(set(cuts))
    pieces = [text[a:b] for a, b in zip([0] + cuts, cuts + [len(text)])]
    data = bytearray()
    starts = []
    for i, p in enumerate(pieces):
        starts.append(len(data))
        data += gzip_member(rng, p)
        if rng.random() < 0.15:                    # an empty member in between
            starts.append(len(data))
            data += gzip_member(rng, b"", flags=False)
    return bytes(data), starts


class FileSpec:
    def __init__(self, rel: str, data: bytes, status: str, counted: list[Item],
                 error_offset: int | None, error_kind: str | None = None,
                 total_items: list[Item] | None = None, note: str = ""):
        self.rel = rel
        self.data = data
        self.status = status            # known | unknown | amb
        self.counted = counted          # items expected to be counted (known/amb)
        self.error_offset = error_offset
        self.error_kind = error_kind
        self.total_items = total_items or counted
        self.note = note

    def counts(self) -> dict:
        c = {"lines": 0, "accepted": 0}
        c.update({r: 0 for r in REASONS})
        for it in self.counted:
            if it.outcome is None:
                continue
            c["lines"] += 1
            c[it.outcome] += 1
        return c


def counted_items(ends: list[tuple[int, Item]], keep: int) -> list[Item]:
    return [it for end, it in ends if end <= keep]


def kept_after_damage(text: bytes, upto: int) -> int:
    """Length kept when the decoded text is cut at upto: up to its last LF."""
    return text.rfind(b"\n", 0, upto) + 1


# ======================================================================================
# The generator
# ======================================================================================

class Hostile:
    def __init__(self, seed: int):
        self.rng = random.Random(seed)
        self.world = World(random.Random(seed * 7 + 1), "s-")
        self.uworld = World(random.Random(seed * 7 + 2), "u-")
        self.zworld = World(random.Random(seed * 7 + 3), "z-")
        self.files: list[FileSpec] = []
        self.links: list[tuple[str, str]] = []     # (link rel, target as written)
        self.extra: list[tuple[str, bytes]] = []   # files that must be skipped

    # ---- pools ----

    def event_pool(self, n_sessions: int) -> list[dict]:
        events = []
        for _ in range(n_sessions):
            events += self.world.session(with_ids=self.rng.choice([0.0, 0.5, 1.0]))
        return events

    def duplicate_copies(self, events: list[dict]) -> list[dict]:
        """Copies that the reader must drop as duplicates, and near-misses it must keep."""
        rng = self.rng
        out = []
        for e in rng.sample(events, len(events) // 6):
            kind = rng.random()
            c = dict(e)
            if e["event_id"] is not None:
                if kind < 0.4:
                    pass                                       # exact copy
                elif kind < 0.7:
                    c["ts"] = e["ts"] + rng.choice([-5000, -1, 1, 777])
                    c["device"] = rng.choice(["tv", "web", None])
                    c["position"] = 1.0 if e["position"] is None else e["position"] + 1
                elif kind < 0.85:
                    c["viewer_id"] = "v-other"
                    c["country"] = rng.choice(["AA", None])
                    c["event"] = rng.choice(["stop", "pause"])
                    if c["event"] in ("stop", "pause"):
                        c["from"] = c["to"] = None
                else:                                          # same id, other session
                    c["session_id"] = e["session_id"] + "-other"
            else:
                if kind < 0.5:
                    pass
                elif kind < 0.8:
                    c["device"] = rng.choice(["zz-device", None, "tv"])
                    c["viewer_id"] = rng.choice(["v001", "v999", e["viewer_id"]])
                    c["duration"] = rng.choice([None, 9999.0, 1.0])
                    c["audio_lang"] = rng.choice(["xx", None])
                    c["season"] = rng.choice([None, 3])
                elif kind < 0.9:                               # near miss: with an id
                    self.world.n_ids += 1
                    c["event_id"] = f"e-near{self.world.n_ids}"
                else:                                          # near miss: position
                    if c["position"] is None:
                        c["position"] = 0.0
                    else:
                        c["position"] = None
                        if c["event"] == "start":
                            c["from"] = None
            out.append(c)
            if rng.random() < 0.2:
                out.append(dict(c))
        return out

    # ---- file writers ----

    def add(self, spec: FileSpec):
        self.files.append(spec)

    def plain(self, rel: str, items: list[Item], crlf=0.0, bom=False, final_newline=True,
              status="known", note=""):
        text, ends = assemble(self.rng, items, crlf, bom, final_newline)
        self.add(FileSpec(rel, text, status, [it for _, it in ends], None, note=note))
        return text, ends

    def table_items(self, events: list[dict], tsv: bool, header: list[str],
                    rejects: int) -> list[Item]:
        rng = self.rng
        items = [accepted(rng, e, "tsv" if tsv else "csv", header) for e in events]
        for _ in range(rejects):
            base = rng.choice(self.world.session())
            for data, reason in table_rejects(rng, base, header, tsv):
                if rng.random() < 0.5:
                    items.append(Item(data, reason))
        rng.shuffle(items)
        return items

    def json_items(self, events: list[dict], rejects: int) -> list[Item]:
        rng = self.rng
        items = [accepted(rng, e, "json") for e in events]
        for _ in range(rejects):
            base = rng.choice(self.world.session())
            for data, reason in json_rejects(rng, base):
                if rng.random() < 0.25:
                    items.append(Item(data, reason))
        rng.shuffle(items)
        if not events:
            base = self.world.session()[0]
            items.insert(0, accepted(rng, base, "json"))
        return json_first(items)

    def header(self, extra_unknown=True) -> list[str]:
        h = FIELDS[:]
        self.rng.shuffle(h)
        if extra_unknown:
            h.insert(self.rng.randrange(len(h) + 1), "player_version")
        return h

    def sprinkle_blanks(self, items: list[Item]) -> list[Item]:
        out = []
        for it in items:
            if self.rng.random() < 0.04:
                out.append(Item(self.rng.choice([b"", b" ", b"\t", b" \t  ", b"\t\t"]), None))
            out.append(it)
        return out

    def build(self):
        rng = self.rng
        pool = self.event_pool(40)
        pool += self.duplicate_copies(pool)
        rng.shuffle(pool)
        # share the pool between the regular files (so duplicates cross files)
        buckets = {k: [] for k in ["a", "e", "f", "g", "j", "up", "mx", "sub1", "sub2",
                                   "sub3", "m", "weird", "acc"]}
        for ev in pool:
            k = rng.choice(list(buckets))
            if k in ("f", "mx") and any(isinstance(ev[f], str) and "\t" in ev[f] for f in TEXT):
                k = "a"
            buckets[k].append(ev)

        # --- NDJSON ---
        items = self.json_items(buckets["a"], rejects=0)
        self.plain("a-mixed.jsonl", self.sprinkle_blanks(items), crlf=0.3)
        items = self.json_items([], rejects=8)
        self.plain("b-reasons.ndjson", self.sprinkle_blanks(items), crlf=0.5, bom=True)
        traps = json_traps(rng, self.world)
        rng.shuffle(traps)
        traps = json_first(traps)
        self.plain("c-traps.json", traps, final_newline=False)
        self.file_timestamps()
        self.files_every_value()
        items = self.json_items(buckets["up"], rejects=1)
        self.plain("UPPER.JSONL", items, final_newline=False)
        items = self.json_items(buckets["weird"], rejects=1)
        self.plain('we,ird "name" é.ndjson', items)
        self.plain("m/z.jsonl", self.json_items(buckets["m"], rejects=0))
        self.links.append(("m-link.jsonl", "m/z.jsonl"))
        self.links.append(("n-dirlink", "m"))

        # --- CSV / TSV ---
        h = self.header()
        items = self.table_items(buckets["e"], False, h, rejects=6)
        header_line = Item(",".join(csv_quote(rng, c) for c in h).encode(), None)
        self.plain("e-table.csv", [header_line] + self.sprinkle_blanks(items), crlf=0.6, bom=True)
        h = self.header()
        items = self.table_items(buckets["f"], True, h, rejects=6)
        self.plain("f-table.tsv", [Item("\t".join(h).encode(), None)] + items)
        self.file_repeated_headers(buckets["g"])
        self.file_missing_column()
        self.file_duplicate_column(buckets["acc"])
        self.file_misc_tables()

        # --- gzip ---
        self.file_multi_member(buckets["j"])
        self.files_damaged()
        h = self.header(False)
        items = self.table_items(buckets["mx"], False, h, rejects=2)
        text, ends = assemble(rng, [Item(",".join(h).encode(), None)] + items, crlf=0.5)
        data, _ = gzip_members(rng, text, 2)
        self.add(FileSpec("MiXeD.Csv.Gz", data, "known", [it for _, it in ends], None))

        # --- folder rules ---
        for k, rel in (("sub1", "sub/day1-late.jsonl"), ("sub2", "sub/day1.jsonl"),
                       ("sub3", "sub/day1/x.jsonl")):
            self.plain(rel, self.json_items(buckets[k], rejects=0))
        self.links.append(("sub/again.jsonl", "../a-mixed.jsonl"))
        self.links.append(("sub/loop", ".."))
        self.extra += [(".hidden.jsonl", b'{"event":"start"}\n'),
                       (".hid/x.jsonl", b'{"event":"start"}\n'),
                       ("sub/.x.csv", b"a\n1\n"),
                       ("notes.txt", b'{"event":"start"}\n'),
                       ("data.jsonl.bak", b'{"event":"start"}\n'),
                       ("jsonl", b'{"event":"start"}\n')]
        self.files_special()
        self.files_ambiguous()

    # ---- specific files ----

    def files_every_value(self):
        """Every listed timestamp and number form at least once, in NDJSON and CSV."""
        rng = self.rng
        base = self.world.session(with_ids=1.0)
        n = [0]

        def ev(kind=None):
            e = dict(rng.choice(base))
            if kind:
                e = _fix_event(rng, e, kind)
            n[0] += 1
            e["event_id"] = f"every-{n[0]}"
            return e

        jitems, citems = [], []
        h = self.header(False)

        def both(e, field, text, outcome, bare_ok=True):
            ln = json_line_for(rng, e)
            bare = bare_ok and JSON_NUMBER.fullmatch(text) and rng.random() < 0.5
            ln.set(field, text if bare else json_string(rng, text))
            jitems.append(Item(ln.text(rng).encode(), outcome, e if outcome == "accepted" else None))
            cells = cells_for(rng, e, False)
            cells[field] = text
            citems.append(Item(table_line(rng, h, cells, False).encode(), outcome,
                               e if outcome == "accepted" else None))

        for t in BAD_TS:
            both(ev(), "ts", t, "bad_timestamp")
        for t in BAD_TS_BARE:
            ln = json_line_for(rng, ev())
            ln.set("ts", t)
            jitems.append(Item(ln.text(rng).encode(), "bad_timestamp"))
        for t, ms in GOOD_TS_EDGE:
            e = ev()
            e["ts"] = ms if ms is not None else T0 + 43200000 - (23 * 60 + 59) * 60000 + 500
            both(e, "ts", t, "accepted")
        for f in ["from", "to", "position", "duration", "season", "episode"]:
            for b in BAD_NUMBERS:
                both(ev("progress"), f, b, "bad_number", bare_ok=False)
        for f in ["season", "episode"]:
            for b in BAD_WHOLE:
                both(ev(), f, b, "bad_number")
            for t, v in GOOD_WHOLE:
                e = ev()
                e[f] = v
                both(e, f, t, "accepted")
        self.plain("b2-every-value.jsonl", json_first(jitems), crlf=0.2)
        self.plain("b3-every-value.csv", [Item(",".join(h).encode(), None)] + citems, crlf=0.8)

    def file_timestamps(self):
        rng = self.rng
        items = []
        for e in self.world.session(with_ids=0.3) + self.world.session(with_ids=0.3):
            for text, kind in ts_forms(rng, e["ts"]):
                c = dict(e)
                if c["event_id"] is not None:
                    self.world.n_ids += 1
                    c["event_id"] += f"-{self.world.n_ids}"
                else:
                    c["ts"] = c["ts"]      # same content: these are duplicates of each other
                ln = json_line_for(rng, c)
                bare = kind == "num" and JSON_NUMBER.fullmatch(text) and rng.random() < .5
                ln.set("ts", text if bare else json_string(rng, text))
                items.append(Item(ln.text(rng).encode(), "accepted", c))
        self.plain("d-timestamps.jsonl", items, crlf=0.1)

    def file_repeated_headers(self, events: list[dict]):
        rng = self.rng
        h = self.header()
        hl = ",".join(h).encode()
        items = self.table_items(events, False, h, rejects=2)
        out = [Item(hl, None)]
        for it in items:
            r = rng.random()
            if r < 0.05:
                out.append(Item(hl, None))
            elif r < 0.1:
                out.append(Item(BOM + hl, None))
            elif r < 0.12:   # not the same bytes: a data line whose event is "event"
                out.append(Item(b" " + hl, "ignored_event"))
            elif r < 0.14:
                out.append(Item(BOM + BOM + hl, "ignored_event"))
            out.append(it)
        self.plain("g-repeated-header.csv", out, crlf=1.0, bom=True)
        # TSV whose members start with a BOM and a header (concatenated logs)
        h = self.header(False)
        hl = "\t".join(h).encode()
        evs = self.world.session() + self.world.session()
        parts = []
        counted = []
        for k in range(3):
            its = [Item(hl, None)] + self.table_items(evs[k::3], True, h, rejects=1)
            text, ends = assemble(rng, its, crlf=0.5)
            parts.append((BOM if k else b"") + text)
            counted += [it for _, it in ends]
        data = b"".join(gzip_member(rng, p) for p in parts)
        self.add(FileSpec("g2-concatenated.tsv.gz", data, "known", counted, None))

    def file_missing_column(self):
        rng = self.rng
        h = [f for f in FIELDS if f != "viewer_id"]
        rng.shuffle(h)
        items = []
        for e in self.world.session():
            cells = cells_for(rng, e, False)
            items.append(Item(table_line(rng, h, cells, False).encode(), "missing_field"))
        e = self.world.session()[0]
        items.append(Item(table_line(rng, h, {**cells_for(rng, e, False), "event": "zap"},
                                     False).encode(), "ignored_event"))
        items.append(Item(table_line(rng, h, {**cells_for(rng, e, False), "ts": "zap"},
                                     False).encode(), "missing_field"))
        items.append(Item(b"a,b", "malformed"))
        self.plain("h-no-viewer-column.csv", [Item(",".join(h).encode(), None)] + items)

    def file_duplicate_column(self, events: list[dict]):
        """Header names a column twice; the last wins.  Names trimmed and quoted."""
        rng = self.rng
        h = FIELDS[:] + ["device", "ts"]
        rng.shuffle(h)
        items = []
        for e in events:
            cells = cells_for(rng, e, False)
            vals = []
            for idx, name in enumerate(h):
                last = max(i for i, n in enumerate(h) if n == name)
                if idx == last:
                    vals.append(csv_quote(rng, cells[name]))
                else:
                    vals.append(csv_quote(rng, rng.choice(["garbage", "true", "", "-5"])))
            items.append(Item(",".join(vals).encode(), "accepted", e))
        header = ",".join(rng.choice([f" {n} ", f'"{n}"', f'"  {n} "', n]) for n in h)
        self.plain("i-duplicate-column.csv", [Item(header.encode(), None)] + items, crlf=0.3)

    def file_misc_tables(self):
        rng = self.rng
        # TSV: quotes are text
        h = ["event", "ts", "session_id", "viewer_id", "title_id", "device", "position"]
        items = [Item("\t".join(h).encode(), None)]
        for e in self.world.session():
            e = dict(e)
            e["device"] = '"tv"'
            cells = cells_for(rng, e, True)
            if e["event"] in ("progress", "seek"):
                items.append(Item(table_line(rng, h, cells, True).encode(), "bad_segment"))
                continue
            e["from"] = e["to"] = e["duration"] = e["season"] = e["episode"] = None
            e["series_id"] = e["country"] = e["region"] = e["audio_lang"] = None
            e["subtitle_lang"] = e["event_id"] = None
            items.append(Item(table_line(rng, h, cells, True).encode(), "accepted", e))
        items.append(Item(b'"start"\t' + b"\t".join([b"x"] * 6), "ignored_event"))
        self.plain("k-quotes-are-text.tsv", items)
        # header only; blank-only; 0-byte files
        self.plain("l-header-only.csv", [Item(b"ts,event,session_id", None)])
        self.plain("l-blank-only.jsonl", [Item(b"", None), Item(b"  \t", None), Item(b"", None)],
                   crlf=0.5)
        self.add(FileSpec("l-empty.jsonl.gz", b"", "known", [], None))
        self.add(FileSpec("l-empty.csv", b"", "known", [], None))
        self.add(FileSpec("l-empty-member.jsonl.gz", gzip_member(rng, b""), "known", [], None))
        # content decides the format, not the name
        evs = self.world.session()
        self.plain("l-json-named.csv", [accepted(rng, e, "json") for e in evs])
        h = self.header(False)
        evs = self.world.session()
        self.plain("l-csv-named.jsonl", [Item(",".join(h).encode(), None)] +
                   [accepted(rng, e, "csv", h) for e in evs])
        h = self.header(False)
        evs = self.world.session()
        self.plain("l-tsv-named.json.gz.csv", [Item("\t".join(h).encode(), None)] +
                   [accepted(rng, e, "tsv", h) for e in evs])
        # JSON array; pretty printed object
        e = self.world.session()[0]
        arr = b"\n \t[\n  " + json_line_for(rng, e).text(rng).encode() + b",\n" + \
            json_line_for(rng, e).text(rng).encode() + b"\n]\n"
        self.add(FileSpec("o-array.json", BOM + arr, "known", [], None, "array"))
        self.add(FileSpec("o-array.jsonl.gz", gzip_member(rng, arr), "known", [], None, "array"))
        pretty = ['{', '  "ts": "2026-11-01T00:00:00Z",', '  "event": "start",',
                  '  "session_id": "s-pretty",', '  "viewer_id": "v",', '  "title_id": "t"', '}']
        self.plain("q-pretty.json", [Item(p.encode(), "malformed") for p in pretty])

    def file_multi_member(self, events: list[dict]):
        rng = self.rng
        items = self.json_items(events, rejects=1)
        text, ends = assemble(rng, self.sprinkle_blanks(items), crlf=0.5, bom=True,
                              final_newline=False)
        data, _ = gzip_members(rng, text, rng.randint(4, 8))
        self.add(FileSpec("j-multi.jsonl.gz", data, "known", [it for _, it in ends], None))

    def files_damaged(self):
        """gzip damage: known outcomes first, random ones (unknown counts) last."""
        rng = self.rng

        def body(n_sessions=3, world=None, fmt="json"):
            w = world or self.uworld
            evs = []
            for _ in range(n_sessions):
                evs += w.session(with_ids=1.0)
            items = [accepted(rng, e, "json") for e in evs]
            for _ in range(2):
                for data, reason in json_rejects(rng, rng.choice(evs)):
                    if rng.random() < 0.1:
                        items.append(Item(data, reason))
            rng.shuffle(items)
            return json_first(items)

        def known(rel, items, make, final_newline=True, crlf=0.3):
            """make(text, member payload split) -> (data, error offset, kind, keep)"""
            text, ends = assemble(rng, items, crlf=crlf, final_newline=final_newline)
            data, off, kind, keep = make(text)
            self.add(FileSpec(rel, data, "known", counted_items(ends, keep), off, kind))

        def split3(text):
            a, b = sorted(rng.sample(range(1, len(text)), 2))
            return [text[:a], text[a:b], text[b:]]

        # known outcomes use "s-" sessions with unique ids, so they cannot meet duplicates
        w = World(random.Random(rng.random()), "s-dmg-")

        def m_header_cut(text):
            p = split3(text)
            m0, m1 = gzip_member(rng, p[0]), gzip_member(rng, p[1])
            return m0 + m1[:rng.randint(2, 9)], len(m0), "truncated", kept_after_damage(text, len(p[0]))
        known("v-truncated-header.jsonl.gz", body(world=w), m_header_cut)

        def m_bad_method(text):
            p = split3(text)
            m0, m1 = gzip_member(rng, p[0]), bytearray(gzip_member(rng, p[1]))
            m1[2] = 7
            return m0 + bytes(m1) + gzip_member(rng, p[2]), len(m0), "corrupt", \
                kept_after_damage(text, len(p[0]))
        known("v-bad-method.jsonl.gz", body(world=w), m_bad_method)

        def m_bad_crc(text):
            p = split3(text)
            m0, m1 = gzip_member(rng, p[0]), bytearray(gzip_member(rng, p[1]))
            m1[-6] ^= 0x40
            return m0 + bytes(m1) + gzip_member(rng, p[2]), len(m0), "crc", \
                kept_after_damage(text, len(p[0]) + len(p[1]))
        known("v-bad-crc.jsonl.gz", body(world=w), m_bad_crc)

        def m_bad_len(text):
            p = split3(text)
            m0, m1 = gzip_member(rng, p[0]), bytearray(gzip_member(rng, p[1]))
            m1[-1] ^= 0x01
            return m0 + bytes(m1) + gzip_member(rng, p[2]), len(m0), "length", \
                kept_after_damage(text, len(p[0]) + len(p[1]))
        known("v-bad-length.jsonl.gz", body(world=w), m_bad_len)

        def m_trailer_cut(text):
            p = split3(text)
            m0, m1 = gzip_member(rng, p[0]), gzip_member(rng, p[1] + p[2])
            return m0 + m1[:-rng.randint(1, 8)], len(m0), "trailer", kept_after_damage(text, len(text))
        known("v-trailer-cut.jsonl.gz", body(world=w), m_trailer_cut, final_newline=False)

        def m_garbage(text):
            p = split3(text)
            data = b"".join(gzip_member(rng, x) for x in p)
            junk = rng.choice([b"GARBAGE\n", b"\x8b\x1f", b"{}\n", b"x", b"\x01\x00\x00"])
            return data + junk, len(data), "trailing", len(text)
        known("v-trailing-garbage.jsonl.gz", body(world=w), m_garbage, final_newline=False)

        def m_nul(text):
            p = split3(text)
            data = b"".join(gzip_member(rng, x) for x in p)
            return data + b"\x00" * rng.choice([1, 7, 512, 4096]), None, None, len(text)
        known("v-nul-padding.jsonl.gz", body(world=w), m_nul, final_newline=False)

        def m_new_member_junk(text):
            p = split3(text)
            data = b"".join(gzip_member(rng, x) for x in p)
            return data + b"\x1f\x8bjunkjunkjunk", len(data), "corrupt", kept_after_damage(text, len(text))
        known("v-junk-member.jsonl.gz", body(world=w), m_new_member_junk, final_newline=False)

        def m_stored_cut(text):        # a stored block cut short: its bytes so far count
            p = split3(text)
            m0 = gzip_member(rng, p[0])
            m1 = gzip_member(rng, p[1] + p[2], level=0, flags=False)
            cut = rng.randrange(10 + 5 + len(p[1]) // 2, len(m1) - 8)
            d = zlib.decompressobj(-15)
            got = d.decompress(m1[10:cut])
            assert not d.eof
            return m0 + m1[:cut], len(m0), "truncated", kept_after_damage(text, len(p[0]) + len(got))
        known("v-stored-cut.jsonl.gz", body(world=w), m_stored_cut)

        def m_hcrc(text):
            p = split3(text)
            m0 = gzip_member(rng, p[0])
            m1 = bytearray(b"\x1f\x8b\x08\x02" + bytes(6))
            m1 += ((zlib.crc32(bytes(m1)) & 0xFFFF) ^ 0x1234).to_bytes(2, "little")  # wrong
            co = zlib.compressobj(6, zlib.DEFLATED, -15)
            m1 += co.compress(p[1]) + co.flush() + zlib.crc32(p[1]).to_bytes(4, "little") + \
                len(p[1]).to_bytes(4, "little")
            return m0 + bytes(m1), len(m0), "corrupt", kept_after_damage(text, len(p[0]))
        known("v-header-crc.jsonl.gz", body(world=w), m_hcrc)

        # random damage: only the offset is known
        def unknown(rel, make):
            items = body()
            text, ends = assemble(rng, items, crlf=0.3)
            data, off = make(text)
            self.add(FileSpec(rel, data, "unknown", [], off, total_items=[i for _, i in ends]))

        def u_truncated(text):
            p = split3(text)
            m0, m1 = gzip_member(rng, p[0]), gzip_member(rng, p[1] + p[2])
            return m0 + m1[:rng.randrange(12, len(m1) - 8)], len(m0)
        unknown("w-truncated-unknown.jsonl.gz", u_truncated)

        def u_corrupt(text):
            p = split3(text)
            m0, m1 = gzip_member(rng, p[0]), bytearray(gzip_member(rng, p[1], level=9, flags=False))
            k = rng.randrange(10 + 4, max(15, len(m1) - 30))
            m1[k:k + 16] = bytes(rng.randrange(256) for _ in range(16))
            return m0 + bytes(m1) + gzip_member(rng, p[2]), len(m0)
        unknown("w-corrupt-unknown.jsonl.gz", u_corrupt)

        def u_single_truncated(text):
            m = gzip_member(rng, text, flags=False)
            return m[:rng.randrange(11, len(m) - 8)], 0
        unknown("w-cut-one-member-unknown.csv.gz", u_single_truncated)

    def files_special(self):
        rng = self.rng
        # a 9 MiB line (in an unknown field), gzipped, between normal lines
        evs = self.world.session(with_ids=1.0)[:3]
        e = evs[0]
        ln = json_line_for(rng, e)
        ln.add("blob", '"' + "ab\\u00e9" * (9 * 1024 * 1024 // 8) + '"')
        items = [Item(ln.text(rng).encode(), "accepted", e)] + [accepted(rng, x, "json") for x in evs[1:]]
        text, ends = assemble(rng, items)
        self.add(FileSpec("x-longline.jsonl.gz", gzip_member(rng, text, level=9), "known",
                          [i for _, i in ends], None))
        # a whole file with CR-only "line ends": one line
        evs = self.world.session()[:3]
        data = b"\r".join(json_line_for(rng, x).text(rng).encode().rstrip(b"\r") for x in evs)
        self.add(FileSpec("y-cr-only.jsonl", data, "known", [Item(b"", "malformed")], None))

    def files_ambiguous(self):
        rng = self.rng
        z = self.zworld

        def evs():
            return z.session(with_ids=1.0)

        def jitems(events):
            return [accepted(rng, x, "json") for x in events]

        # deeper nesting than the spec's 256 (quality.py accepts any depth)
        e = evs()
        items = jitems(e[1:])
        for d in (257, 1000, 100000):
            ln = json_line_for(rng, e[0])
            ln.add("deep", nested(d, "arr"))
            items.append(Item(ln.text(rng).encode(), "accepted", e[0]))
            e0 = dict(e[0])
            e0["event_id"] = e0["event_id"] + f"-{d}"
            e[0] = e0
        self.plain("zz-amb-deep.jsonl", items, status="amb",
                   note="nesting 257..100000: an engine may call these malformed")
        # NUL padding followed by other bytes; a lone 1f at the end
        text, ends = assemble(rng, jitems(evs()))
        data = gzip_member(rng, text)
        self.add(FileSpec("zz-amb-nul-then-byte.jsonl.gz", data + b"\x00\x00\x00A", "amb",
                          [i for _, i in ends], len(data), "trailing"))
        text, ends = assemble(rng, jitems(evs()))
        data = gzip_member(rng, text)
        self.add(FileSpec("zz-amb-lone-1f.jsonl.gz", data + b"\x1f", "amb",
                          [i for _, i in ends], len(data), "trailing"))
        items = jitems(evs())
        half = len(items) // 2
        t1, ends1 = assemble(rng, items[:half])
        t2, _ = assemble(rng, items[half:])
        m0 = gzip_member(rng, t1)
        self.add(FileSpec("zz-amb-nul-between-members.jsonl.gz",
                          m0 + b"\x00" * 4 + gzip_member(rng, t2), "amb",
                          [i for _, i in ends1], len(m0), "trailing"))
        # offsets, lower-case z, unknown key with a space
        items = []
        for text, outcome in [("2026-11-01T12:00:00+24:00", "bad_timestamp"),
                              ("2026-11-01T12:00:00+05:60", "bad_timestamp"),
                              ("2026-11-01T12:00:00z", "bad_timestamp"),
                              ("2026-11-01T12:00:00+99:99", "bad_timestamp")]:
            ev = evs()[0]
            ln = json_line_for(rng, ev)
            ln.set("ts", json_string(rng, text))
            items.append(Item(ln.text(rng).encode(), outcome))
        ev = evs()[0]
        ln = json_line_for(rng, ev)
        ln.add("ts", '"junk"', key='" ts"')            # untrimmed JSON key = unknown field
        items.append(Item(ln.text(rng).encode(), "accepted", ev))
        ev = dict(evs()[0])
        ev["device"] = "a\x00b"
        items.append(Item(json_line_for(rng, ev).text(rng).encode(), "accepted", ev))
        ev = dict(evs()[0])
        ev["season"] = 2
        ln = json_line_for(rng, ev)
        ln.set("season", '"2.0000000000000001"')
        items.append(Item(ln.text(rng).encode(), "accepted", ev))
        ev = dict(evs()[0])
        ev["season"] = 2
        ln = json_line_for(rng, ev)
        ln.set("season", '"2E0"')
        items.append(Item(ln.text(rng).encode(), "accepted", ev))
        self.plain("zz-amb-values.jsonl", items, status="amb")
        # CSV: broken header; lone CR before EOF; header with a space before a quote
        h = FIELDS[:]
        ev = evs()
        rows = [accepted(rng, x, "csv", h) for x in ev]
        bad_header = ",".join(h).replace("ts", '"ts', 1)
        text, _ = assemble(rng, [Item(bad_header.encode(), None)] + rows)
        self.add(FileSpec("zz-amb-broken-header.csv", text, "amb", [], None, "header"))
        ev = evs()
        h2 = [f for f in FIELDS if f != "device"] + ["device"]
        rows = [accepted(rng, x, "csv", h2) for x in ev[:-1]]
        e_last = dict(ev[-1])
        e_last["device"] = "tv\r"
        last = table_line(rng, h2[:-1], cells_for(rng, e_last, False), False) + ",tv\r"
        text, _ = assemble(rng, [Item(",".join(h2).encode(), None)] + rows +
                           [Item(last.encode(), "accepted", e_last)], final_newline=False)
        self.add(FileSpec("zz-amb-cr-at-eof.csv", text, "amb",
                          rows + [Item(b"", "accepted", e_last)], None))
        self.links.append(("zz-amb-broken-link.jsonl", "does-not-exist.jsonl"))
        self.add(FileSpec("zz-amb-broken-link.jsonl", b"", "amb", [], None, "unreadable"))

    # ---- writing ----

    def write(self, out: str):
        os.makedirs(out, exist_ok=True)
        linked = {rel for rel, _ in self.links}
        for spec in self.files:
            if spec.rel in linked:
                continue
            p = os.path.join(out, spec.rel)
            os.makedirs(os.path.dirname(p), exist_ok=True)
            with open(p, "wb") as f:
                f.write(spec.data)
        for rel, data in self.extra:
            p = os.path.join(out, rel)
            os.makedirs(os.path.dirname(p), exist_ok=True)
            with open(p, "wb") as f:
                f.write(data)
        for rel, target in self.links:
            p = os.path.join(out, rel)
            if os.path.lexists(p):
                os.remove(p)
            os.symlink(target, p)
        self.write_manifest(out)

    def expected_order(self) -> list[FileSpec]:
        """The folder walk's order: full relative paths byte-wise (every generated file
        is reached first under its own path; links are skipped or duplicates)."""
        return sorted(self.files, key=lambda s: s.rel.encode())

    def write_manifest(self, out: str):
        cols = ["file", "status", "lines", "accepted"] + REASONS + ["error_offset", "error_kind"]
        rows = ["\t".join(cols)]
        for s in self.expected_order():
            c = s.counts()
            if s.status == "unknown":
                vals = ["?"] * (2 + len(REASONS))
            else:
                vals = [str(c["lines"]), str(c["accepted"])] + [str(c[r]) for r in REASONS]
            off = "" if s.error_offset is None else str(s.error_offset)
            rows.append("\t".join([s.rel, s.status] + vals + [off, s.error_kind or ""]))
        # expected duplicates and accepted lines (s- sessions in known files)
        events = [it.event for s in self.files if s.status == "known"
                  for it in s.counted if it.outcome == "accepted"]
        kept = dedupe(events)
        dup = len(events) - len(kept)
        rows.append(f"#duplicates\t{dup}")
        with open(os.path.join(out, "EXPECTED-COUNTS.txt"), "w", encoding="utf-8") as f:
            f.write("\n".join(rows) + "\n")
        lines = sorted(canonical_line(e) for e in kept if e["session_id"].startswith("s-"))
        with open(os.path.join(out, "EXPECTED-ACCEPTED.txt"), "wb") as f:
            for ln in lines:
                f.write(ln + b"\n")


# ---- expected dedupe and canonical lines (written independently of quality.py) ----

def order_tuple(e: dict):
    t = []
    for f in FIELDS:
        v = e[f]
        t.append((0,) if v is None else (1, v.encode() if isinstance(v, str) else v))
    return tuple(t)


def dedupe(events: list[dict]) -> list[dict]:
    groups: dict = {}
    for e in events:
        view = (e["session_id"], e["title_id"])
        key = (view, e["event_id"]) if e["event_id"] is not None else \
            (view, None, e["event"], e["ts"], e["from"], e["to"], e["position"])
        groups.setdefault(key, []).append(e)
    return [min(g, key=order_tuple) for g in groups.values()]


def canonical_line(e: dict) -> bytes:
    def esc(s: str) -> str:
        r = s.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")
        return "".join(f"\\x{ord(c):02x}" if ord(c) < 0x20 or ord(c) == 0x7F else c for c in r)

    cells = []
    for f in ACCEPTED_COLUMNS:
        v = e[f]
        if v is None:
            cells.append("")
        elif f in FLOATS:
            cells.append(repr(float(v) + 0.0))
        elif f in INTS or f == "ts":
            cells.append(str(int(v)))
        elif f == "country":
            cells.append(esc("".join(chr(ord(c) - 32) if "a" <= c <= "z" else c for c in v)))
        else:
            cells.append(esc(v))
    return "\t".join(cells).encode()


# ======================================================================================
# Verification of a quality.py / engine run against the manifest
# ======================================================================================

def verify(result_dir: str, hostile_dir: str) -> int:
    import csv
    man = {}
    order = []
    dup = None
    with open(os.path.join(hostile_dir, "EXPECTED-COUNTS.txt"), encoding="utf-8") as f:
        cols = f.readline().rstrip("\n").split("\t")
        for line in f:
            parts = line.rstrip("\n").split("\t")
            if parts[0] == "#duplicates":
                dup = int(parts[1])
                continue
            row = dict(zip(cols, parts))
            man[row["file"]] = row
            order.append(row["file"])
    with open(os.path.join(result_dir, "quality.csv"), newline="", encoding="utf-8") as f:
        got = list(csv.DictReader(f))
    total = got[-1]
    got = got[:-1]
    prefix = None
    for r in got:
        if r["file"].endswith("a-mixed.jsonl"):
            prefix = r["file"][:-len("a-mixed.jsonl")]
    problems = []
    amb = []
    names = [r["file"][len(prefix):] if prefix is not None and r["file"].startswith(prefix)
             else r["file"] for r in got]
    want_order = [n for n in order if n in names]
    missing = [n for n in order if n not in names and man[n]["status"] != "amb"]
    extra = [n for n in names if n not in man]
    if missing:
        problems.append(f"files missing: {missing}")
    if extra:
        problems.append(f"files not expected: {extra}")
    if [n for n in names if n in man] != want_order:
        problems.append(f"file order differs: {names}")
    for name, r in zip(names, got):
        m = man.get(name)
        if m is None:
            continue
        sink = amb if m["status"] == "amb" else problems
        err = r["error"]
        nums = re.findall(r"\d+", err)
        if m["error_offset"]:
            if m["error_offset"] not in nums:
                sink.append(f"{name}: error {err!r}, want offset {m['error_offset']}")
        elif m["error_kind"] in ("array", "header", "unreadable"):
            if not err:
                sink.append(f"{name}: no error, want {m['error_kind']}")
        elif err:
            sink.append(f"{name}: unexpected error {err!r}")
        for c in ["lines", "accepted"] + REASONS:
            if m[c] != "?" and r[c] != m[c]:
                sink.append(f"{name}: {c} = {r[c]}, want {m[c]}")
    if dup is not None and total["duplicate"] != str(dup):
        problems.append(f"TOTAL duplicate = {total['duplicate']}, want {dup}")
    want_acc = open(os.path.join(hostile_dir, "EXPECTED-ACCEPTED.txt"), "rb").read().splitlines()
    got_acc = [ln for ln in open(os.path.join(result_dir, "accepted.tsv"), "rb").read().splitlines()
               if ln.startswith(b"s-")]
    if want_acc != got_acc:
        ws, gs = set(want_acc), set(got_acc)
        problems.append(f"accepted.tsv differs: {len(ws - gs)} lines missing, "
                        f"{len(gs - ws)} unexpected; e.g. missing {sorted(ws - gs)[:2]} "
                        f"unexpected {sorted(gs - ws)[:2]}")
    for p in problems:
        print("PROBLEM", p)
    for p in amb:
        print("ambiguous-case difference:", p)
    print(f"{len(problems)} problems, {len(amb)} differences on ambiguous cases")
    return 1 if problems else 0


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", required=True)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--verify", metavar="RESULT_DIR")
    a = ap.parse_args(argv)
    if a.verify:
        return verify(a.verify, a.out)
    h = Hostile(a.seed)
    h.build()
    h.write(a.out)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
