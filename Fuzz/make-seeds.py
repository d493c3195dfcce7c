#!/usr/bin/env python3
"""Writes the hand-made seed inputs of every fuzz target into Corpus/<target>/.

Run once before the first fuzzing (run.sh does it when a corpus folder is
missing); the seeds are committed, merged with what the fuzzer found.
Each seed is named seed-<what>, so a reader of the corpus can tell them apart.
"""
import gzip, os, struct, sys, zlib

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "Corpus")

def write(target, name, data):
    folder = os.path.join(ROOT, target)
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, "seed-" + name), "wb") as f:
        f.write(data if isinstance(data, bytes) else data.encode())

E = '"ts":"2026-11-23T21:04:05Z","event":"%s","session_id":"s1","viewer_id":"v1","title_id":"t1"'
NDJSON = {
    "start": '{' + E % "start" + ',"position":0,"duration":1830.5,"country":"kr","device":"tv"}',
    "progress": '{' + E % "progress" + ',"from":0,"to":30,"season":2,"episode":"3"}',
    "seek": '{' + E % "seek" + ',"from":"120","to":"1.5e3"}',
    "stop": '{' + E % "stop" + ',"position":null,"event_id":"e-1","subtitle_lang":"off"}',
    "offset-ts": '{"ts":"2026-11-23T21:04:05.2505+09:00","event":"pause","session_id":"s","viewer_id":4242,"title_id":"t"}',
    "unix-ts": '{"ts":1764000000,"event":"resume","session_id":"s","viewer_id":"v","title_id":"t"}\n'
               '{"ts":"1764000000123.5","event":"complete","session_id":"s","viewer_id":"v","title_id":"t"}\n'
               '{"ts":1.764e9,"event":"error","session_id":"s","viewer_id":"v","title_id":"t"}',
    "escapes": '{"ts":"2026-11-23T21:04:05Z","ev\\u0065nt":"st\\u0061rt","session_id":"\\ud83d\\ude00\\n\\"\\\\\\/",'
               '"viewer_id":"caf\\u00e9","title_id":"\\t t \\t"}',
    "nested": '{' + E % "start" + ',"extra":{"a":[1,2,{"b":[[[]]]}],"c":null,"d":true},"more":[false,-0.5e-3]}',
    "duplicate-key": '{' + E % "start" + ',"position":"bad","position":null,"event":"stop"}',
    "rejects": '{' + E % "progress" + ',"from":60,"to":50}\n'
               '{' + E % "start" + ',"position":"12 s"}\n'
               '{"ts":"2026-02-30T10:00:00Z","event":"start","session_id":"s","viewer_id":"v","title_id":"t"}\n'
               '{"event":"bitrate_change"}\n{"ts":"2026-11-23T21:04:05Z"}\n'
               '{' + E % "start" + ',"device":{"kind":"tv"}}\n'
               '{' + E % "start" + ',}\n{' + E % "start" + '} x\n{' + E % "start" + ',"season":2.5,"episode":1e20}\n'
               '{' + E % "start" + ',"duration":0,"position":-1}\n{' + E % "start" + ',"from":1e400}',
    "crlf-blank-bom": '\ufeff\r\n \t\n{' + E % "start" + '}\r\n\r\n\ufeff{' + E % "stop" + '}',
    "bad-utf8": b'{"ts":"2026-11-23T21:04:05Z","event":"start","session_id":"\xff","viewer_id":"v","title_id":"t"}\n'
                b'{"a":"\x00"}\n{"a":"\xed\xa0\x80"}',
    "pretty": '{\n  "ts": "2026-11-23T21:04:05Z",\n  "event": "start"\n}',
    "array": '[{' + E % "start" + '}]',
    "cut-first-line": '05Z","event":"start","session_id":"s1"}\n{' + E % "start" + '}',
}
for name, text in NDJSON.items():
    write("ndjson", name, text)

HEADER = "ts,event,session_id,viewer_id,title_id,from,to,position,duration,country\n"
CSV = {
    "basic": HEADER + '2026-11-23T21:04:05Z,start,s1,v1,t1,,,0,1830,KR\n'
             '2026-11-23T21:05:05Z,progress,s1,v1,t1,0,60,,,kr\n',
    "quoting": HEADER + '"2026-11-23T21:04:05Z","start","s,1","v""1","t1",,,"0","1830",""\n'
               '2026-11-23T21:04:05Z,start,s1,v1,t1,,,0,1830,ab"c\n'
               '2026-11-23T21:04:05Z,start,s1,v1,t1,,,0,1830, "KR"\n'
               '2026-11-23T21:04:05Z,start,s1,v1,t1,,,0,1830,"KR" \n'
               '2026-11-23T21:04:05Z,start,s1,v1,t1,,,0,1830,"KR\n'
               '2026-11-23T21:04:05Z,start,s1\n',
    "repeated-header": HEADER + '1764000000,stop,s,v,t,,,5,,\n' + HEADER + '\ufeff' + HEADER,
    "bom-crlf": '\ufeff' + HEADER.replace("\n", "\r\n") + '1764000000,stop,s,v,t,,,5,,\r\n',
    "duplicate-column": "ts,event,session_id,viewer_id,title_id,event\n2026-11-23T21:04:05Z,bogus,s,v,t,start\n",
    "missing-column": "ts,event,session_id,title_id\n2026-11-23T21:04:05Z,start,s,t\n",
    "quoted-header": '" ts ","event","session_id","viewer_id","title_id"\n2026-11-23T21:04:05Z,start,s,v,t\n',
    "broken-header": 'ts,"event,session_id\n2026-11-23T21:04:05Z,start,s\n',
    "tsv": HEADER.replace(",", "\t") + '2026-11-23T21:04:05Z\tstart\t"s"\tv\tt\t\t\t0\t1830\tkr\n'
           '2026-11-23T21:04:05Z\tstart\ts\n',
    "unknown-names": "a,b,c\n1,2,3\n",
}
for name, text in CSV.items():
    write("delimited", name, text)
write("ndjson", "csv", CSV["basic"])
write("ndjson", "tsv", CSV["tsv"])

def member(content, level=6):
    c = zlib.compressobj(level, zlib.DEFLATED, 31)
    return c.compress(content) + c.flush()

lines = (NDJSON["start"] + "\n" + NDJSON["progress"] + "\n" + NDJSON["stop"] + "\n").encode()
# control byte: damage (bits 0-1), raw (bit 2), extra members (3-4), mid-line (5), level (6-7)
for control, param, name in [
    (0x00, 0, "stored"), (0x40 | 0x18, 0, "four-members"), (0x80 | 0x08 | 0x20, 0, "mid-line"),
    (0x01, 30, "cut"), (0x81, 7, "cut-trailer"), (0x02, 0x0003, "nul-padding"), (0x02, 0x4103, "junk"),
    (0x02 | 0x08, 0x1F00, "lone-magic"), (0x03, 0x0520, "flip"), (0xC3 | 0x10, 0x0110, "flip-second"),
]:
    write("gzip", name, bytes([control]) + struct.pack(">H", param) + lines)
write("gzip", "csv-members", bytes([0x18 | 0x40, 0, 0]) + CSV["basic"].encode())
raw = bytes([0x04, 0, 0])
two = member(lines[:40]) + member(lines[40:], 9)
for name, data in [
    ("raw-one", member(lines)), ("raw-two", two), ("raw-truncated", two[:-13]), ("raw-trailing", two + b"xyz"),
    ("raw-padding", two + b"\0" * 9), ("raw-lone-1f", two + b"\x1f"), ("raw-empty-member", member(b"") + member(b"\n")),
    ("raw-bad-crc", two[:-8] + b"\0\0\0\0" + two[-4:]), ("raw-fname", gzip.compress(lines, mtime=0)),
]:
    write("gzip", name, raw + data)

NUMBERS = ["2026-11-23T21:04:05Z", "2026-11-23T21:04:05.250+09:00", "2000-01-01T00:00:00Z",
           "2099-12-31T23:59:59.9995Z", "2024-02-29T23:59:59-23:59", "2026-02-30T10:00:00Z", "2026-11-23T24:00:00Z",
           "2026-11-23T21:04:05", "2026-11-23 21:04:05Z", "1764000000", "1764000000.0005", "1764000000123",
           "100000000000", "100000000000.5", "1.764e9", "1764e-3", "-0", "+5", "01", "1e400", ".5", "5.", "NaN",
           "0x10", "1,5", "12 s", "2.0", "2.5", "1e20", "2147483647", "2147483648", " \t12\t ",
           "123456789012345678901234567890", "0.000000000000000000000000001e27", "9007199254740993",
           "4.9406564584124654e-324", "1.7976931348623157e308", "1e-1000000000"]
for index, text in enumerate(NUMBERS):
    write("numbers", "%02d" % index, text)

CATALOG = ("title_id,runtime_s,title_name,series_id,series_name,season,episode,original_language,genre,release_date\n"
           't1,1830.5,"Pilot, part ""one""",s1,Show,1,1,ko,drama,2026-01-01\n'
           't2,2400,"Two\nlines",,,,,,,\n')
write("options", "catalog", b"\x00" + CATALOG.encode())
write("options", "catalog-bad", b"\x00title_id,runtime_s\nt1,0\nt1,5\n")
write("options", "catalog-crlf-bom", b"\x00\xef\xbb\xbftitle_id,runtime_s,season\r\nt1,60,2.0\r\n")
for name, zone in [("utc", "UTC"), ("seoul", "Asia/Seoul"), ("offset", "+09:00"), ("offset-short", "-0530"),
                   ("london", "Europe/London"), ("bogus", "GMT+5"), ("lord-howe", "Australia/Lord_Howe")]:
    write("options", "tz-" + name, b"\x01" + zone.encode())

# --config files (target `config`): JSON and TOML, valid, mistyped and broken.
CONFIGS = {
    "toml": '# settings\nbuckets = 50 # trailing\ncomplete_at = 0.75\ntimezone = "Asia/Seoul"\n'
            "catalog = 'titles#2024.csv'\nout = \"C:\\\\reports\\u00e9\"\nthreads = 2\nrejects = 0\nlevel = \"info\"\n",
    "toml-floats": "complete_at = 1e+300\nthreads = 9223372036854775807\nrejects = -0x10\nbuckets = 1_000\n",
    "toml-nan": "complete_at = nan\n",
    "toml-multiline": 'out = """\nline\\\nnext\t"""\ncatalog = \'\'\'raw\\n\'\'\'\n',
    "toml-section": "buckets = 5\n[report]\nlevel = \"x\"\n",
    "toml-dotted": "a.b = 1\n",
    "toml-mistyped": "buckets = 5.5\n",
    "toml-array": "timezone = [\"UTC\", { a = 1 }]\n",
    "toml-date": "out = 1979-05-27T07:32:00Z\n",
    "toml-duplicate": "threads = 1\nthreads = 2\n",
    "toml-unknown": "bucket = 5\n",
    "toml-broken": "buckets = \"unterminated\n",
    "json": '\ufeff{"buckets": 50, "complete_at": 0.75, "timezone": "Asia/Seoul", "out": "a\\"b\\\\c\\u0001\\ud83d\\ude00",'
            ' "threads": 2, "level": "warn", "rejects": 10, "catalog": "c.csv"}',
    "json-numbers": '{"complete_at": 1E2, "buckets": -0, "threads": 1e2, "rejects": 9223372036854775808}',
    "json-bool": '{"threads": true}',
    "json-null": '{"level": null, "out": [1], "catalog": {}}',
    "json-duplicate": '{"threads": 1, "threads": 2}',
    "json-broken": '{"buckets": 5,',
    "json-lone-surrogate": '{"out": "\\ud800"}',
    "json-array": '[1, 2]',
    "empty": "",
}
for name, text in CONFIGS.items():
    write("config", name, text)
write("config", "not-utf8", b"out = \"\xff\"\n")
