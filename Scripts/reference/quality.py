#!/usr/bin/env python3
"""Reference implementation (oracle) of the INPUT side of `audience`.

    quality.py INPUT... --out DIR        (INPUT: file, folder, glob pattern or "-")
    quality.py --self-test               (checks the JSON parser and the inflater)

Slow and plain on purpose: standard library only, one function per stage, so that
it can be diffed against the Swift engine on hostile logs
(see hostile.py in this folder). It follows /work/shared/spec/viewing-events.md
(the input contract) and the "quality.csv" section of /work/shared/spec/metrics.md.

Outputs, all in DIR:
  quality.csv   exactly as metrics.md says (file rows in input order, then TOTAL).
  accepted.tsv  one line per KEPT event (duplicates removed), no header, lines sorted
                byte-wise.  Columns (tab-separated):
                  session_id title_id event ts_ms from to position duration viewer_id
                  series_id season episode country region device audio_lang
                  subtitle_lang event_id
                ts_ms is integer epoch milliseconds; from/to/position/duration are
                Python repr(float) with -0.0 written as 0.0; season/episode are
                integers; an absent value is the empty string.  Text values are
                written after trimming (country upper-cased) with these escapes:
                backslash -> \\\\, TAB -> \\t, LF -> \\n, CR -> \\r, any other byte
                < 0x20 or 0x7F -> \\xHH (two lower-case hex digits).
  rejects.tsv   (debugging aid) file, physical line number, reason for every counted
                line that is not accepted.  Physical line numbers count every line of
                the decompressed text from 1 (blank lines and header rows included).

File-level error messages hold exactly one decimal number, the byte offset (in the
file as stored on disk) where the damaged gzip member or the trailing bytes start,
e.g. "truncated gzip member at byte 1234".  The other file-level errors are
"JSON array, not NDJSON" (verbatim from the spec), "malformed header row (line N)"
and "cannot read file: <reason>".

AMBIGUITIES: (what the spec leaves open, and the choice made here)
 A1. Input that is neither "-", an existing path, nor a glob with at least one match
     (including a glob that matches nothing): usage error, exit 2, nothing written.
     An existing path is always taken literally even if it contains * ? [.
     A glob is detected by the characters * ? [ and expanded like POSIX glob(3)
     without flags (Python glob.glob, non-recursive: "**" is just "*"; a wildcard
     does not match a leading "." unless the pattern spells the dot; no brace
     expansion).
 A2. A glob match that is a folder is walked like a named folder; a glob match that
     is a file is read whatever its name (like a file named explicitly: the
     extension filter applies only inside folders).
 A3. Folder names: the input with all trailing "/" removed, then "/", then the
     relative path ("logs//" gives "logs/a.jsonl"; "/" gives "/a.jsonl").
 A4. Inside a folder walk, an entry whose name matches the extensions but which
     cannot be stat'ed (broken symlink, permission) is a row with the error
     "cannot read file: ..."; FIFOs, sockets and devices are skipped silently.
     A named file that exists but cannot be read gives the same error row.
     The hidden rule applies to entries inside folders, not to the input as given
     (".logs/" named explicitly is walked).
 A5. Duplicate-file detection is by (device, inode) across ALL inputs; the folder
     walk keeps, for each file, the path met first in a depth-first walk with
     entries sorted byte-wise, then the folder's files are listed sorted by full
     relative path byte-wise. "-" given twice is read once.
 A6. bytes_read is the whole size of the file (every byte is read), also when the
     file is damaged, a JSON array, or has a broken header.
 A7. A gzip error message names the offset where the damaged member starts (one
     number only).  Trailing bytes: the offset of the first byte after the last
     complete member.  NUL padding is ignored only if every byte from there to EOF
     is NUL; NULs followed by anything else are "trailing bytes" at the offset of the
     first NUL (NUL padding between members is not skipped).
 A8. Bytes after a member that start with 1f 8b are a new member (so a damaged one
     is "truncated"/"corrupt", not "trailing bytes"); a single lone 1f byte at EOF
     is trailing bytes.
 A9. A member with damage anywhere (header, deflate data, cut trailer, CRC or length
     mismatch) ends the file's reading at that member; members after it are not
     read.  The decompressed text is cut after its last "\\n" (the partial line is
     dropped uncounted) -- also for trailer/CRC/length damage.  Only the output the
     decoder produced before detecting the damage counts (exactly: every literal or
     match fully decoded before the failing symbol, as zlib does; a stored block
     that is cut short contributes its available bytes).  Header CRC (FHCRC) is
     checked; CM != 8 or reserved flag bits set = corrupt.
 A10. For a damaged gzip file, format sniffing (JSON / array / header row) runs on
     whatever text survives the cut.  A JSON array whose gzip is also damaged
     reports only "JSON array, not NDJSON".
 A11. Sniffing: the first byte of the decompressed text after the start-of-file BOM
     that is not space, tab, CR or LF decides.  The CSV/TSV header row is the first
     non-blank line after framing (so in the pathological text "\\r\\r\\nts,..." the
     header is the line "\\r").
 A12. A lone "\\r" just before EOF (no final "\\n") is NOT a line end: it stays in the
     last line.  In NDJSON this is harmless (CR is JSON whitespace); in CSV/TSV it is
     part of the last field ("tv\\r" is not trimmed; `"tv"\\r` is text after a
     closing quote = malformed).
 A13. A CSV/TSV header row that is itself broken (broken quoting, NUL byte, invalid
     UTF-8) is a file-level error "malformed header row (line N)" and none of the
     file's lines are read (lines = 0), like the JSON-array rule.
 A14. CSV header names: quotes removed first (same RFC 4180 rules), then trimmed of
     spaces and tabs.  An empty column name is just an unknown column.  JSON keys are
     NOT trimmed (" ts" is an unknown key); they are compared after unescaping.
 A15. The header row check for repeated headers compares raw line bytes (line end
     removed) with the header's raw bytes (start-of-file BOM removed), or BOM+header.
 A16. "\\u0000" escaped in a JSON string is valid JSON and is kept as text (only a raw
     NUL byte makes a line malformed).  DEL (0x7F) raw in a string is valid.
     Nesting depth: unlimited here (any depth parses); the spec lets an engine call
     nesting deeper than 256 malformed.  "256 levels" is read as: an unknown field's
     VALUE may nest 256 containers deep (257 with the line's own object).
 A17. Number grammar for strings/CSV values: [+-]?[0-9]+(\\.[0-9]+)?([eE][+-]?[0-9]+)?
     (exponent letter e or E, ASCII digits only).  Values are IEEE doubles
     (correctly rounded from the decimal text); "by value" means by double value.
     Overflow to +-inf = bad_number; underflow to 0 is fine (1e-400 is 0).
     season/episode: the double must be integral and in 0..2147483647
     (so "2.0000000000000001", whose double is 2.0, is 2).
 A18. Timestamps: ISO form is exactly
     YYYY-MM-DDTHH:MM:SS(.f+)?(Z|[+-]HH:MM), ASCII digits, upper-case T and Z only.
     Offsets must have hour 00..23 and minute 00..59 ("+24:00" is bad_timestamp).
     Calendar validity is checked on the fields as written (before applying the
     offset and before rounding), proleptic Gregorian; the window is checked on the
     instant after rounding.  Numeric timestamps use the exact decimal value of the
     text: "above 100000000000" is strict (100000000000 itself is seconds), seconds
     are multiplied by 1000 exactly, then rounded half away from zero.  A numeric
     ts follows the same grammar as other numbers (bare JSON numbers: JSON grammar).
 A19. bad_segment "negative" uses the double value: -0 is not negative; a
     "from"/"to" on events other than progress/seek is still checked for being
     negative; a seek with to < from is fine.
 A20. Text fields are: event, session_id, viewer_id, title_id, series_id, country,
     region, device, audio_lang, subtitle_lang, event_id.  ts is not a text field (a
     boolean/object/array there is bad_timestamp).  A bare JSON number in a text
     field keeps its exact literal text (1.50 -> "1.50", -0 -> "-0", 1E2 -> "1E2").
     A boolean/object/array in a text field makes the line malformed even when the
     event is unknown or absent (malformed comes first), but not when a later
     duplicate key replaced it.
 A21. Duplicates: within a view, key = event_id when present, else (event, ts_ms,
     from, to, position) by double value, absent distinct from any number.  The kept
     copy is the smallest tuple over (ts, then the field table order: event,
     session_id, viewer_id, title_id, from, to, position, duration, series_id,
     season, episode, country, region, device, audio_lang, subtitle_lang, event_id)
     with absent < present, numbers by value, text by UTF-8 bytes.  Copies equal in
     that order (e.g. -0 vs 0) are interchangeable; accepted.tsv writes -0.0 as 0.0.
 A22. country is upper-cased (ASCII a-z only) BEFORE it is compared/kept; other text
     is compared exactly after trimming spaces and tabs (other whitespace such as
     CR, NBSP is kept).
 A23. A CSV/TSV file with a header row but no data rows, or a file with only blank
     lines, gives a row with zeros and no error.
 A24. File names in quality.csv are written as given (raw bytes, even if not UTF-8);
     a field is quoted (RFC 4180) when it holds , " CR or LF.
 A25. The detail of missing_field is not part of quality.csv; not modelled.
 A26. Strict JSON wins over "unknown fields are ignored, whatever they hold": NaN,
     Infinity, a bare 01/+5/.5, a bad escape or a lone surrogate escape ANYWHERE in
     the line (also deep inside an unknown field, also in a key) = malformed.
     Whitespace around the object may be space, tab, CR, LF (JSON's own); NBSP, form
     feed or a BOM before "{" = malformed.
 A27. A BOM that is not at the start of the file belongs to its line: in CSV/TSV it
     is part of the first cell (a data row "\ufeffstart,..." has that cell's value
     with the BOM); a line of BOM+BOM+header is not a repeated header (it is a data
     row); a line holding only a BOM is not blank and is counted (malformed: wrong
     number of columns).
 A28. "tab-separated if the header holds a tab": any tab byte anywhere in the header
     line, even inside CSV quotes, makes the file TSV.
 A28b. (input 1.2) A file named *.jsonl, *.ndjson or *.json (optionally .gz, any case)
     whose first non-blank line is neither `{`/`[` nor a well-formed header (one that
     parses as a CSV/TSV line and names at least one field) is NDJSON, and that line
     is an ordinary (malformed) line of it.
 A29. Hard links and symlinks to one file are the same file (device+inode).  A
     folder (named, matched or inside a walk) that cannot be listed is a row of its
     own with the error "cannot list folder: <strerror>", at its place in the walk.
     File names that are not UTF-8 are written with each odd byte as \\xhh.  A
     device or socket named as input is the error "not a file but a character device".
 A30. A bare JSON number in a text field is its literal text with no overflow
     check (1e400 as viewer_id is the text "1e400").
 A31. An exponent with a huge number of digits (e.g. "1e" + 5000 nines) is handled
     as a number: bad_number (overflow) in a numeric field, bad_timestamp in ts;
     "1793491646e000...0" (5000 zeros) is a valid ts.
 A32. The spec's "error naming the file and the byte offset": the file already is
     quality.csv's first column, so the message carries only the offset.
 A33. A blank line is judged without its line end: "\r\r\n" is the line "\r",
     which is not blank (counted; malformed in NDJSON).
 A34. Lines read before a gzip error still take part in duplicate removal and all
     metrics; lines after it do not exist.
"""

from __future__ import annotations

import argparse
import glob as globmod
import os
import re
import stat
import sys
import zlib

# --------------------------------------------------------------------------------------
# Constants from the spec
# --------------------------------------------------------------------------------------

FIELDS = [  # the field table's order (viewing-events.md)
    "ts", "event", "session_id", "viewer_id", "title_id", "from", "to", "position",
    "duration", "series_id", "season", "episode", "country", "region", "device",
    "audio_lang", "subtitle_lang", "event_id",
]
TEXT_FIELDS = ["event", "session_id", "viewer_id", "title_id", "series_id", "country",
               "region", "device", "audio_lang", "subtitle_lang", "event_id"]
NUMBER_FIELDS = ["from", "to", "position", "duration", "season", "episode"]
WHOLE_FIELDS = {"season", "episode"}
REQUIRED_AFTER_EVENT = ["ts", "session_id", "viewer_id", "title_id"]  # table order
EVENTS = {"start", "progress", "pause", "resume", "seek", "stop", "complete", "error"}
REASONS = ["ignored_event", "malformed", "missing_field", "bad_timestamp", "bad_number",
           "bad_segment"]
FOLDER_EXTENSIONS = (".jsonl", ".ndjson", ".json", ".csv", ".tsv", ".gz")  # (+ ".gz")
BOM = b"\xef\xbb\xbf"
WINDOW_START_MS = 946684800000      # 2000-01-01T00:00:00Z
WINDOW_END_MS = 4102444800000       # 2100-01-01T00:00:00Z (excluded)
MS_THRESHOLD = 100000000000         # numeric ts above this is milliseconds
ACCEPTED_COLUMNS = ["session_id", "title_id", "event", "ts", "from", "to", "position",
                    "duration", "viewer_id", "series_id", "season", "episode", "country",
                    "region", "device", "audio_lang", "subtitle_lang", "event_id"]


class UsageError(Exception):
    pass


# --------------------------------------------------------------------------------------
# Stage 1: inputs -> ordered list of (name, path) ; path None means standard input
# --------------------------------------------------------------------------------------

class InputFile:
    def __init__(self, name: str, path: str | None, open_error: str | None = None):
        self.name = name
        self.path = path
        self.open_error = open_error


def _bkey(s: str) -> bytes:
    return os.fsencode(s)


def _matches_extension(name: str) -> bool:
    lower = name.encode("utf-8", "surrogateescape").lower()  # ASCII-only lowering
    return any(lower.endswith(ext.encode()) for ext in FOLDER_EXTENSIONS)


def _join(prefix: str, rel: str) -> str:
    stripped = prefix.rstrip("/")
    if stripped == "" and prefix.startswith("/"):
        return "/" + rel
    return stripped + "/" + rel


def _walk_folder(root: str):
    """Yield (relative path, key or None, full path, error) for the files of a folder.

    Depth-first, entries in byte-wise order, symlinks followed, each folder and each
    file (by device+inode) once under the first path met; then sorted by the full
    relative path byte-wise."""
    found = []                 # (rel, key, full, error)
    seen_files = set()
    seen_dirs = set()

    def dfs(dirpath: str, rel: str):
        try:
            st = os.stat(dirpath)
        except OSError:
            return
        key = (st.st_dev, st.st_ino)
        if key in seen_dirs:
            return
        seen_dirs.add(key)
        try:
            names = os.listdir(dirpath)
        except OSError as e:
            # A folder that cannot be listed is a row of its own (like a file
            # that cannot be read), at its place in the walk.
            found.append((rel, None, dirpath, f"cannot list folder: {e.strerror}"))
            return
        for n in sorted(names, key=_bkey):
            if n.startswith("."):
                continue
            full = os.path.join(dirpath, n)
            r = n if rel == "" else rel + "/" + n
            try:
                est = os.stat(full)
            except OSError as e:
                if _matches_extension(n):
                    found.append((r, None, full, f"cannot read file: {e.strerror}"))
                continue
            if stat.S_ISDIR(est.st_mode):
                dfs(full, r)
            elif stat.S_ISREG(est.st_mode) and _matches_extension(n):
                fkey = (est.st_dev, est.st_ino)
                if fkey in seen_files:
                    continue
                seen_files.add(fkey)
                found.append((r, fkey, full, None))

    dfs(root, "")
    found.sort(key=lambda t: _bkey(t[0]))
    return found


def resolve_inputs(args: list[str]) -> list[InputFile]:
    out: list[InputFile] = []
    seen: set = set()

    def add_file(name: str, path: str):
        try:
            st = os.stat(path)
        except OSError as e:
            out.append(InputFile(name, path, f"cannot read file: {e.strerror}"))
            return
        key = (st.st_dev, st.st_ino)
        if key in seen:
            return
        seen.add(key)
        out.append(InputFile(name, path))

    def add_folder(given: str, path: str):
        for rel, key, full, err in _walk_folder(path):
            if key is not None:
                if key in seen:
                    continue
                seen.add(key)
            out.append(InputFile(_join(given, rel), full, err))

    def add_path(given: str):
        if os.path.isdir(given):
            add_folder(given, given)
        else:
            add_file(given, given)

    for arg in args:
        if arg == "-":
            if "-" not in seen:
                seen.add("-")
                out.append(InputFile("-", None))
        elif os.path.lexists(arg):
            add_path(arg)
        elif any(c in arg for c in "*?["):
            matches = sorted(globmod.glob(arg), key=_bkey)
            if not matches:
                raise UsageError(f"{arg}: no file matches this pattern")
            for m in matches:
                add_path(m)
        else:
            raise UsageError(f"{arg}: no such file or folder")
    return out


# --------------------------------------------------------------------------------------
# Stage 2: bytes -> decompressed text (gzip, member by member)
# --------------------------------------------------------------------------------------

class Decoded:
    """The text of one file and what went wrong while decoding it."""

    def __init__(self, text: bytes, error: str | None):
        self.text = text
        self.error = error


class _Truncated(Exception):
    pass


class _Corrupt(Exception):
    pass


def _parse_gzip_header(data: bytes, pos: int) -> int:
    """Return the offset of the deflate data of the member at pos (RFC 1952)."""
    n = len(data)

    def need(k: int, p: int):
        if p + k > n:
            raise _Truncated("header cut off")

    need(10, pos)
    if data[pos] != 0x1F or data[pos + 1] != 0x8B:
        raise _Corrupt("bad magic")
    if data[pos + 2] != 8:
        raise _Corrupt("unknown compression method")
    flg = data[pos + 3]
    if flg & 0xE0:
        raise _Corrupt("unknown header flags set")
    p = pos + 10
    if flg & 0x04:  # FEXTRA
        need(2, p)
        xlen = data[p] | (data[p + 1] << 8)
        p += 2
        need(xlen, p)
        p += xlen
    for bit in (0x08, 0x10):  # FNAME, FCOMMENT: zero-terminated
        if flg & bit:
            z = data.find(b"\x00", p)
            if z < 0:
                raise _Truncated("header cut off")
            p = z + 1
    if flg & 0x02:  # FHCRC
        need(2, p)
        want = data[p] | (data[p + 1] << 8)
        if zlib.crc32(data[pos:p]) & 0xFFFF != want:
            raise _Corrupt("header crc mismatch")
        p += 2
    return p


# ---- a plain RFC 1951 inflater, used to find exactly what a damaged member yields ----

class _Bits:
    def __init__(self, data: bytes, pos: int):
        self.data = data
        self.bitpos = pos * 8
        self.limit = len(data) * 8

    def get(self, n: int) -> int:
        if self.bitpos + n > self.limit:
            raise _Truncated("input ends")
        v = 0
        for k in range(n):
            b = self.bitpos + k
            v |= ((self.data[b >> 3] >> (b & 7)) & 1) << k
        self.bitpos += n
        return v

    def align(self):
        self.bitpos = (self.bitpos + 7) & ~7


class _Huffman:
    def __init__(self, lengths: list[int], kind: str):
        """kind: 'codes', 'lens' or 'dists' (zlib's CODES/LENS/DISTS rules)."""
        self.count = [0] * 16
        for ln in lengths:
            self.count[ln] += 1
        self.count[0] = 0
        offs = [0] * 16
        for i in range(1, 16):
            offs[i] = offs[i - 1] + self.count[i - 1]
        self.symbol = [0] * len(lengths)
        for sym, ln in enumerate(lengths):
            if ln:
                self.symbol[offs[ln]] = sym
                offs[ln] += 1
        self.max = max([i for i in range(16) if self.count[i]] or [0])
        self.empty = self.max == 0
        left = 1
        for i in range(1, 16):
            left = (left << 1) - self.count[i]
            if left < 0 and not self.empty:
                raise _Corrupt(f"over-subscribed {kind} set")
        if not self.empty and left > 0 and (kind == "codes" or self.max != 1):
            raise _Corrupt(f"incomplete {kind} set")

    def decode(self, bits: _Bits) -> int:
        code = first = index = 0
        for ln in range(1, 16):
            code |= bits.get(1)
            cnt = self.count[ln]
            if code - cnt < first:
                return self.symbol[index + (code - first)]
            index += cnt
            first += cnt
            first <<= 1
            code <<= 1
            if not any(self.count[ln + 1:]):
                raise _Corrupt("invalid code")
        raise _Corrupt("invalid code")


_LBASE = [3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83,
          99, 115, 131, 163, 195, 227, 258]
_LEXT = [0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0]
_DBASE = [1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769,
          1025, 1537, 2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577]
_DEXT = [0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11,
         12, 12, 13, 13]
_CLORDER = [16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15]


def _fixed_tables():
    lens = [8] * 144 + [9] * 112 + [7] * 24 + [8] * 8
    return _Huffman(lens, "lens"), _Huffman([5] * 32, "dists")


def _dynamic_tables(bits: _Bits):
    nlen = bits.get(5) + 257
    ndist = bits.get(5) + 1
    ncode = bits.get(4) + 4
    if nlen > 286 or ndist > 30:
        raise _Corrupt("too many length or distance symbols")
    cl = [0] * 19
    for i in range(ncode):
        cl[_CLORDER[i]] = bits.get(3)
    codes = _Huffman(cl, "codes")
    lengths: list[int] = []
    while len(lengths) < nlen + ndist:
        if codes.empty:          # zlib: an empty code-length code reads 0s, 1 bit each
            bits.get(1)
            sym = 0
        else:
            sym = codes.decode(bits)
        if sym < 16:
            lengths.append(sym)
            continue
        if sym == 16:
            extra = bits.get(2)
            if not lengths:
                raise _Corrupt("invalid bit length repeat")
            value, rep = lengths[-1], 3 + extra
        elif sym == 17:
            value, rep = 0, 3 + bits.get(3)
        else:
            value, rep = 0, 11 + bits.get(7)
        if len(lengths) + rep > nlen + ndist:
            raise _Corrupt("invalid bit length repeat")
        lengths.extend([value] * rep)
    if lengths[256] == 0:
        raise _Corrupt("invalid code -- missing end-of-block")
    return _Huffman(lengths[:nlen], "lens"), _Huffman(lengths[nlen:], "dists")


def inflate_py(data: bytes, pos: int, out: bytearray) -> int:
    """Inflate raw deflate data at data[pos:], appending to out as symbols decode.

    Returns the byte offset just after the stream; raises _Truncated or _Corrupt with
    out holding everything decoded before the failure (like zlib's next_out)."""
    bits = _Bits(data, pos)
    start_len = len(out)
    final = 0
    while not final:
        final = bits.get(1)
        btype = bits.get(2)
        if btype == 0:
            bits.align()
            length = bits.get(16)
            nlength = bits.get(16)
            if length != nlength ^ 0xFFFF:
                raise _Corrupt("invalid stored block lengths")
            p = bits.bitpos >> 3
            chunk = data[p:p + length]
            out += chunk
            bits.bitpos += len(chunk) * 8
            if len(chunk) < length:
                raise _Truncated("input ends in a stored block")
            continue
        if btype == 3:
            raise _Corrupt("invalid block type")
        lit, dist = _fixed_tables() if btype == 1 else _dynamic_tables(bits)
        while True:
            sym = lit.decode(bits)
            if sym < 256:
                out.append(sym)
                continue
            if sym == 256:
                break
            sym -= 257
            if sym >= 29:
                raise _Corrupt("invalid literal/length code")
            length = _LBASE[sym] + bits.get(_LEXT[sym])
            dsym = dist.decode(bits)
            if dsym >= 30:
                raise _Corrupt("invalid distance code")
            d = _DBASE[dsym] + bits.get(_DEXT[dsym])
            if d > len(out) - start_len:
                raise _Corrupt("invalid distance too far back")
            for _ in range(length):
                out.append(out[-d])
    bits.align()
    return bits.bitpos >> 3


def _inflate_member(data: bytes, p: int) -> tuple[bytes, int]:
    """Inflate the deflate stream at p with zlib; on trouble re-run the plain inflater
    to learn exactly what was decoded before it.  Returns (output, end offset) or
    raises _Truncated/_Corrupt carrying the partial output in .args[1]."""
    d = zlib.decompressobj(-15)
    try:
        chunk = d.decompress(data[p:])
        if d.eof:
            return chunk, len(data) - len(d.unused_data)
        zlib_problem = "truncated"
    except zlib.error:
        zlib_problem = "corrupt"
    partial = bytearray()
    try:
        end = inflate_py(data, p, partial)
    except _Truncated as e:
        raise _Truncated(str(e), bytes(partial))
    except _Corrupt as e:
        raise _Corrupt(str(e), bytes(partial))
    raise AssertionError(f"zlib says {zlib_problem} at {p} but the plain inflater "
                         f"finished at {end}")


def gunzip_file(data: bytes) -> Decoded:
    """Read every gzip member of data; stop at the first damage (see A7-A9)."""
    out = bytearray()
    pos = 0
    while True:
        start = pos
        try:
            p = _parse_gzip_header(data, pos)
            chunk, end = _inflate_member(data, p)
        except _Truncated as e:
            out += e.args[1] if len(e.args) > 1 else b""
            return _cut_after_last_newline(out, f"truncated gzip member at byte {start}")
        except _Corrupt as e:
            out += e.args[1] if len(e.args) > 1 else b""
            return _cut_after_last_newline(out, f"corrupt gzip member at byte {start}")
        out += chunk
        if end + 8 > len(data):
            return _cut_after_last_newline(
                out, f"gzip member at byte {start} has its trailer cut off")
        crc = int.from_bytes(data[end:end + 4], "little")
        isize = int.from_bytes(data[end + 4:end + 8], "little")
        if crc != zlib.crc32(chunk):
            return _cut_after_last_newline(out, f"gzip member at byte {start} fails its CRC check")
        if isize != len(chunk) & 0xFFFFFFFF:
            return _cut_after_last_newline(out, f"gzip member at byte {start} has a wrong length")
        pos = end + 8
        if pos == len(data):
            return Decoded(bytes(out), None)
        if data[pos:pos + 2] == b"\x1f\x8b":
            continue
        if data[pos:].count(0) == len(data) - pos:
            return Decoded(bytes(out), None)  # NUL padding
        return Decoded(bytes(out), f"trailing bytes at byte {pos}")


def _cut_after_last_newline(out: bytearray, error: str) -> Decoded:
    k = out.rfind(b"\n")
    return Decoded(bytes(out[:k + 1]), error)


def read_input(inp: InputFile) -> tuple[int, Decoded]:
    """Return (bytes_read, decoded text)."""
    if inp.open_error:
        return 0, Decoded(b"", inp.open_error)
    try:
        if inp.path is None:
            data = sys.stdin.buffer.read()
        else:
            kind = os.stat(inp.path).st_mode
            if stat.S_ISCHR(kind) or stat.S_ISBLK(kind) or stat.S_ISSOCK(kind):
                what = ("a character device" if stat.S_ISCHR(kind)
                        else "a block device" if stat.S_ISBLK(kind) else "a socket")
                return 0, Decoded(b"", f"not a file but {what}")
            with open(inp.path, "rb") as f:
                data = f.read()
    except OSError as e:
        return 0, Decoded(b"", f"cannot read file: {e.strerror}")
    if data[:2] == b"\x1f\x8b":
        return len(data), gunzip_file(data)
    return len(data), Decoded(data, None)


# --------------------------------------------------------------------------------------
# Stage 3: framing -> (physical line number, line bytes) ; blank lines included
# --------------------------------------------------------------------------------------

def frame_lines(text: bytes):
    if text.startswith(BOM):
        text = text[3:]
    pieces = text.split(b"\n")
    last = pieces.pop()             # text after the final "\n" (b"" if none)
    for i, line in enumerate(pieces, 1):
        if line.endswith(b"\r"):
            line = line[:-1]
        yield i, line
    if last:
        yield len(pieces) + 1, last  # a lone "\r" here stays (A12)


def is_blank(line: bytes) -> bool:
    return line.strip(b" \t") == b""


def sniff(text: bytes) -> str | None:
    """'json', 'array', 'table' or None (nothing but blanks)."""
    if text.startswith(BOM):
        text = text[3:]
    m = re.search(rb"[^ \t\r\n]", text)
    if not m:
        return None
    c = m.group()
    if c == b"{":
        return "json"
    if c == b"[":
        return "array"
    return "table"


# --------------------------------------------------------------------------------------
# Stage 4a: strict JSON (RFC 8259) -> top-level members
# Values: ("str", s) ("num", literal) ("bool", b) ("null", None) ("obj"|"arr", None)
# --------------------------------------------------------------------------------------

class Malformed(Exception):
    pass


_WS = " \t\n\r"
_STR_RUN = re.compile(r'[^"\\\x00-\x1f]*')
_JSON_NUMBER = re.compile(r"-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?")
_HEX4 = re.compile(r"[0-9a-fA-F]{4}")
_ESCAPES = {'"': '"', "\\": "\\", "/": "/", "b": "\b", "f": "\f", "n": "\n", "r": "\r",
            "t": "\t"}


def _ws(s: str, i: int) -> int:
    n = len(s)
    while i < n and s[i] in _WS:
        i += 1
    return i


def _hex4(s: str, i: int) -> int:
    m = _HEX4.match(s, i)
    if not m:
        raise Malformed("bad \\u escape")
    return int(m.group(), 16)


def _json_string(s: str, i: int) -> tuple[str, int]:
    """s[i] is '"'; return (value, index after the closing quote)."""
    i += 1
    parts = []
    n = len(s)
    while True:
        m = _STR_RUN.match(s, i)
        parts.append(m.group())
        i = m.end()
        if i >= n:
            raise Malformed("unterminated string")
        c = s[i]
        if c == '"':
            return "".join(parts), i + 1
        if c != "\\":
            raise Malformed("control character in string")
        if i + 1 >= n:
            raise Malformed("unterminated escape")
        e = s[i + 1]
        if e in _ESCAPES:
            parts.append(_ESCAPES[e])
            i += 2
            continue
        if e != "u":
            raise Malformed("bad escape")
        cp = _hex4(s, i + 2)
        i += 6
        if 0xD800 <= cp <= 0xDBFF:
            if not s.startswith("\\u", i):
                raise Malformed("lone high surrogate")
            lo = _hex4(s, i + 2)
            if not 0xDC00 <= lo <= 0xDFFF:
                raise Malformed("lone high surrogate")
            i += 6
            cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00)
        elif 0xDC00 <= cp <= 0xDFFF:
            raise Malformed("lone low surrogate")
        parts.append(chr(cp))


def _json_scalar(s: str, i: int):
    """Parse a non-container value at s[i]; return (value, index after it)."""
    if i >= len(s):
        raise Malformed("value expected")
    c = s[i]
    if c == '"':
        v, j = _json_string(s, i)
        return ("str", v), j
    for word, val in (("true", ("bool", True)), ("false", ("bool", False)),
                      ("null", ("null", None))):
        if s.startswith(word, i):
            return val, i + len(word)
    m = _JSON_NUMBER.match(s, i)
    if m:
        return ("num", m.group()), m.end()
    raise Malformed("value expected")


def _json_skip_container(s: str, i: int) -> int:
    """Validate the object/array starting at s[i] without recursion; return the
    index after it."""
    n = len(s)
    stack = [s[i]]
    i = _ws(s, i + 1)
    first = True                       # just after an opening bracket
    while True:
        top = stack[-1]
        closer = "}" if top == "{" else "]"
        if first and i < n and s[i] == closer:
            stack.pop()
            i += 1
        else:
            if top == "{":
                if i >= n or s[i] != '"':
                    raise Malformed("key expected")
                _, i = _json_string(s, i)
                i = _ws(s, i)
                if i >= n or s[i] != ":":
                    raise Malformed("':' expected")
                i = _ws(s, i + 1)
            if i < n and s[i] in "{[":
                stack.append(s[i])
                i = _ws(s, i + 1)
                first = True
                continue
            _, i = _json_scalar(s, i)
        # after a complete value: close as many containers as the text closes
        while True:
            if not stack:
                return i
            i = _ws(s, i)
            closer = "}" if stack[-1] == "{" else "]"
            if i < n and s[i] == ",":
                i = _ws(s, i + 1)
                first = False
                break
            if i < n and s[i] == closer:
                stack.pop()
                i += 1
                continue
            raise Malformed("',' or closing bracket expected")


def parse_json_object(s: str) -> list[tuple[str, tuple]]:
    """The members of the single JSON object that must fill the line s."""
    n = len(s)
    i = _ws(s, 0)
    if i >= n or s[i] != "{":
        raise Malformed("not an object")
    members = []
    i = _ws(s, i + 1)
    if i < n and s[i] == "}":
        i += 1
    else:
        while True:
            if i >= n or s[i] != '"':
                raise Malformed("key expected")
            key, i = _json_string(s, i)
            i = _ws(s, i)
            if i >= n or s[i] != ":":
                raise Malformed("':' expected")
            i = _ws(s, i + 1)
            if i < n and s[i] in "{[":
                kind = "obj" if s[i] == "{" else "arr"
                i = _json_skip_container(s, i)
                value = (kind, None)
            else:
                value, i = _json_scalar(s, i)
            members.append((key, value))
            i = _ws(s, i)
            if i < n and s[i] == ",":
                i = _ws(s, i + 1)
                continue
            if i < n and s[i] == "}":
                i += 1
                break
            raise Malformed("',' or '}' expected")
    if _ws(s, i) != n:
        raise Malformed("text after the object")
    return members


# --------------------------------------------------------------------------------------
# Stage 4b: CSV / TSV lines -> fields
# --------------------------------------------------------------------------------------

def split_csv(s: str) -> list[str]:
    """RFC 4180 on one line; raise Malformed on broken quoting."""
    fields = []
    i, n = 0, len(s)
    while True:
        if i < n and s[i] == '"':
            i += 1
            buf = []
            while True:
                j = s.find('"', i)
                if j < 0:
                    raise Malformed("quote never closed")
                buf.append(s[i:j])
                if j + 1 < n and s[j + 1] == '"':
                    buf.append('"')
                    i = j + 2
                    continue
                i = j + 1
                break
            fields.append("".join(buf))
            if i == n:
                return fields
            if s[i] != ",":
                raise Malformed("text after a closing quote")
            i += 1
        else:
            j = s.find(",", i)
            end = n if j < 0 else j
            field = s[i:end]
            if '"' in field:
                raise Malformed("quote inside an unquoted field")
            fields.append(field)
            if j < 0:
                return fields
            i = j + 1


def split_tsv(s: str) -> list[str]:
    return s.split("\t")


def decode_line(line: bytes) -> str:
    """Strict UTF-8 without NUL bytes, else Malformed."""
    if b"\x00" in line:
        raise Malformed("NUL byte")
    try:
        return line.decode("utf-8", "strict")
    except UnicodeDecodeError:
        raise Malformed("invalid UTF-8")


# --------------------------------------------------------------------------------------
# Stage 5: raw fields -> Event or a reason
# --------------------------------------------------------------------------------------

_TEXT_NUMBER = re.compile(r"[+-]?[0-9]+(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?")
_ISO = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})T([0-9]{2}):([0-9]{2}):([0-9]{2})"
                  r"(?:\.([0-9]+))?(?:(Z)|([+-])([0-9]{2}):([0-9]{2}))")
BAD = object()      # a present value that fails its type


def _trim(s: str) -> str:
    return s.strip(" \t")


def norm_text(v):
    """None (absent), a str, or Malformed."""
    if v is None:
        return None
    kind, payload = v
    if kind == "null":
        return None
    if kind == "str":
        t = _trim(payload)
        return t if t else None
    if kind == "num":
        return payload
    raise Malformed(f"{kind} in a text field")


def _number_text(v):
    """None (absent), the number's text, or BAD."""
    if v is None:
        return None
    kind, payload = v
    if kind == "null":
        return None
    if kind == "num":
        return payload
    if kind == "str":
        t = _trim(payload)
        if not t:
            return None
        return t if _TEXT_NUMBER.fullmatch(t) else BAD
    return BAD


def norm_number(v, whole: bool):
    t = _number_text(v)
    if t is None or t is BAD:
        return t
    x = float(t)
    if x in (float("inf"), float("-inf")):
        return BAD
    if whole:
        if not x.is_integer() or not 0 <= x <= 2147483647:
            return BAD
        return int(x)
    return x


def _days_from_civil(y: int, m: int, d: int) -> int:
    y -= m <= 2
    era = (y if y >= 0 else y - 399) // 400
    yoe = y - era * 400
    doy = (153 * (m + (-3 if m > 2 else 9)) + 2) // 5 + d - 1
    doe = yoe * 365 + yoe // 4 - yoe // 100 + doy
    return era * 146097 + doe - 719468


def _days_in_month(y: int, m: int) -> int:
    if m == 2:
        return 29 if (y % 4 == 0 and (y % 100 != 0 or y % 400 == 0)) else 28
    return 30 if m in (4, 6, 9, 11) else 31


def _iso_ms(t: str):
    m = _ISO.fullmatch(t)
    if not m:
        return BAD
    y, mo, d, h, mi, se = (int(m.group(k)) for k in range(1, 7))
    frac = m.group(7) or ""
    if not (1 <= mo <= 12 and 1 <= d <= _days_in_month(y, mo) and h <= 23 and mi <= 59
            and se <= 59):
        return BAD
    offset_min = 0
    if m.group(8) is None:
        oh, om = int(m.group(10)), int(m.group(11))
        if oh > 23 or om > 59:
            return BAD
        offset_min = (oh * 60 + om) * (1 if m.group(9) == "+" else -1)
    ms = int((frac + "000")[:3])
    if len(frac) > 3 and frac[3] >= "5":    # half away from zero, on the digits
        ms += 1
    local = (_days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + se) * 1000 + ms
    return local - offset_min * 60000


def _numeric_ms(t: str):
    """Exact decimal value of a number's text -> rounded epoch ms, or BAD if far off."""
    m = re.fullmatch(r"([+-]?)([0-9]+)(?:\.([0-9]+))?(?:[eE]([+-]?[0-9]+))?", t)
    sign = -1 if m.group(1) == "-" else 1
    intd, fracd = m.group(2), m.group(3) or ""
    exp_text = (m.group(4) or "0").lstrip("+")
    exp_digits = exp_text.lstrip("-").lstrip("0")
    if len(exp_digits) > 18:            # |exponent| >= 10**18: hopelessly far off
        exp = -(10 ** 18) if exp_text.startswith("-") else 10 ** 18
    else:
        exp = int(exp_digits or "0") * (-1 if exp_text.startswith("-") else 1)
    digits = (intd + fracd).lstrip("0")
    if not digits:
        return 0
    scale = exp - len(fracd)              # value = sign * digits * 10**scale
    magnitude = len(digits) + scale       # number of integer digits of |value|
    if magnitude > 20:
        return BAD
    if magnitude < -20:
        return 0

    def split(sc):                        # |digits*10**sc| -> (integer part, rest digits)
        if sc >= 0:
            return int(digits + "0" * sc), ""
        k = len(digits) + sc
        if k <= 0:
            return 0, "0" * (-k) + digits
        return int(digits[:k]), digits[k:]

    ipart, rest = split(scale)
    above = sign > 0 and (ipart > MS_THRESHOLD or (ipart == MS_THRESHOLD and
                                                   rest.strip("0") != ""))
    if not above:
        ipart, rest = split(scale + 3)    # seconds -> ms, exactly
    if rest and rest[0] >= "5":
        ipart += 1
    return sign * ipart


def norm_ts(v):
    """None (absent), epoch ms (int, maybe out of window) or BAD."""
    if v is None:
        return None
    kind, payload = v
    if kind == "null":
        return None
    if kind == "num":
        ms = _numeric_ms(payload)
    elif kind == "str":
        t = _trim(payload)
        if not t:
            return None
        if _TEXT_NUMBER.fullmatch(t):
            ms = _numeric_ms(t)
        else:
            ms = _iso_ms(t)
    else:
        return BAD
    if ms is BAD or not WINDOW_START_MS <= ms < WINDOW_END_MS:
        return BAD
    return ms


_UPPER = {c: c - 32 for c in range(ord("a"), ord("z") + 1)}


def norm_ts_presence(v):
    """None when ts is absent (null, missing, or empty after trimming), else True."""
    if v is None or v[0] == "null":
        return None
    if v[0] == "str" and not _trim(v[1]):
        return None
    return True


def validate(raw: dict) -> tuple[str, dict | None]:
    """raw: field name -> value tuple (the last of duplicated keys).  Returns
    ("accepted", event) or (reason, None), checks in the spec's order."""
    try:
        text = {f: norm_text(raw.get(f)) for f in TEXT_FIELDS}
    except Malformed:
        return "malformed", None
    if text["event"] is None:
        return "missing_field", None
    if text["event"] not in EVENTS:
        return "ignored_event", None
    present = {f: text[f] is not None for f in TEXT_FIELDS}
    present["ts"] = norm_ts_presence(raw.get("ts")) is not None
    if not all(present[f] for f in REQUIRED_AFTER_EVENT):
        return "missing_field", None
    ts = norm_ts(raw.get("ts"))
    if ts is BAD:
        return "bad_timestamp", None
    nums = {f: norm_number(raw.get(f), f in WHOLE_FIELDS) for f in NUMBER_FIELDS}
    if any(v is BAD for v in nums.values()):
        return "bad_number", None
    ev = text["event"]
    fr, to, pos, dur = nums["from"], nums["to"], nums["position"], nums["duration"]
    if ev in ("progress", "seek") and (fr is None or to is None):
        return "bad_segment", None
    if ev == "progress" and to < fr:
        return "bad_segment", None
    if any(x is not None and x < 0 for x in (fr, to, pos)):
        return "bad_segment", None
    if dur is not None and not dur > 0:
        return "bad_segment", None
    event = dict(text)
    event.update(nums)
    event["ts"] = ts
    if event["country"] is not None:
        event["country"] = event["country"].translate(_UPPER)
    return "accepted", event


# --------------------------------------------------------------------------------------
# Stage 4+5 driver: one file's text -> counts and accepted events
# --------------------------------------------------------------------------------------

class FileResult:
    def __init__(self, name: str):
        self.name = name
        self.bytes_read = 0
        self.lines = 0
        self.accepted = 0
        self.reasons = {r: 0 for r in REASONS}
        self.error = ""
        self.events: list[dict] = []
        self.rejects: list[tuple[int, str]] = []

    def count(self, lineno: int, outcome: str, event: dict | None):
        self.lines += 1
        if outcome == "accepted":
            self.accepted += 1
            self.events.append(event)
        else:
            self.reasons[outcome] += 1
            self.rejects.append((lineno, outcome))


def classify_json_line(line: bytes) -> tuple[str, dict | None]:
    try:
        members = parse_json_object(decode_line(line))
    except Malformed:
        return "malformed", None
    raw = {}
    for k, v in members:
        raw[k] = v            # the last of a duplicated key wins
    return validate(raw)


def read_table_header(line: bytes, sep: str) -> list[str]:
    s = decode_line(line)
    names = split_tsv(s) if sep == "\t" else split_csv(s)
    return [_trim(n) for n in names]


def classify_table_line(line: bytes, sep: str, header: list[str]) -> tuple[str, dict | None]:
    try:
        s = decode_line(line)
        values = split_tsv(s) if sep == "\t" else split_csv(s)
    except Malformed:
        return "malformed", None
    if len(values) != len(header):
        return "malformed", None
    raw = {}
    for name, value in zip(header, values):
        raw[name] = ("str", value)   # the last column of a repeated name wins
    return validate(raw)


def named_as_json(name: str) -> bool:
    """Input 1.2: `.jsonl`, `.ndjson` or `.json`, before an optional `.gz`, any case."""
    lower = name.lower()
    if lower.endswith(".gz"):
        lower = lower[:-3]
    return lower.endswith((".jsonl", ".ndjson", ".json"))


def first_non_blank(lines) -> bytes:
    for _, line in lines:
        if not is_blank(line):
            return line
    return b""


def is_header_row(line: bytes) -> bool:
    """Input 1.2: parses as one CSV or TSV line, and names at least one field."""
    sep = "\t" if b"\t" in line else ","
    try:
        names = read_table_header(line, sep)
    except Malformed:
        return False
    return any(n in FIELDS for n in names)


def process_file(inp: InputFile) -> FileResult:
    res = FileResult(inp.name)
    res.bytes_read, decoded = read_input(inp)
    res.error = decoded.error or ""
    text = decoded.text
    kind = sniff(text)
    if kind is None:
        return res
    if kind == "array":
        res.error = "JSON array, not NDJSON"
        return res
    lines = frame_lines(text)
    if kind == "table" and named_as_json(inp.name) and not is_header_row(first_non_blank(frame_lines(text))):
        kind = "json"  # input 1.2: a cut or junk first line does not make a table
    if kind == "json":
        for lineno, line in lines:
            if not is_blank(line):
                res.count(lineno, *classify_json_line(line))
        return res
    header_bytes = None
    header: list[str] = []
    sep = ","
    for lineno, line in lines:
        if is_blank(line):
            continue
        if header_bytes is None:
            header_bytes = line
            sep = "\t" if b"\t" in line else ","
            try:
                header = read_table_header(line, sep)
            except Malformed:
                res.error = f"malformed header row (line {lineno})"
                return res
            continue
        if line == header_bytes or line == BOM + header_bytes:
            continue
        res.count(lineno, *classify_table_line(line, sep, header))
    return res


# --------------------------------------------------------------------------------------
# Stage 6: duplicates
# --------------------------------------------------------------------------------------

def _order_key(ev: dict):
    key = []
    for f in FIELDS:
        v = ev[f]
        if v is None:
            key.append((0,))
        elif isinstance(v, str):
            key.append((1, v.encode("utf-8")))
        else:
            key.append((1, v))
    return tuple(key)


def dedupe(events: list[dict]) -> list[dict]:
    """Keep, per (view, duplicate key), the smallest copy in the spec's order."""
    kept: dict = {}
    for ev in events:
        view = (ev["session_id"], ev["title_id"])
        if ev["event_id"] is not None:
            k = (view, "id", ev["event_id"])
        else:
            k = (view, "content", ev["event"], ev["ts"], ev["from"], ev["to"], ev["position"])
        old = kept.get(k)
        if old is None or _order_key(ev) < _order_key(old):
            kept[k] = ev
    return list(kept.values())


# --------------------------------------------------------------------------------------
# Stage 7: output
# --------------------------------------------------------------------------------------

def _display(s: str) -> str:
    """File names that are not UTF-8 show each odd byte as \\xhh (backslashreplace)."""
    return s.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


def _csv_field(s: str) -> str:
    if any(c in s for c in ',"\r\n'):
        return '"' + s.replace('"', '""') + '"'
    return s


def write_quality(path: str, results: list[FileResult], duplicates: int):
    cols = ["file", "bytes_read", "lines", "accepted"] + REASONS + ["duplicate", "error"]
    rows = [cols]
    for r in results:
        rows.append([r.name, str(r.bytes_read), str(r.lines), str(r.accepted)]
                    + [str(r.reasons[x]) for x in REASONS] + ["", r.error])
    total = ["TOTAL", str(sum(r.bytes_read for r in results)),
             str(sum(r.lines for r in results)), str(sum(r.accepted for r in results))]
    total += [str(sum(r.reasons[x] for r in results)) for x in REASONS]
    total += [str(duplicates), ""]
    rows.append(total)
    with open(path, "wb") as f:
        for row in rows:
            f.write(",".join(_csv_field(_display(c)) for c in row).encode("utf-8", "surrogateescape")
                    + b"\n")


def _tsv_escape(s: str) -> str:
    out = []
    for c in s:
        o = ord(c)
        if c == "\\":
            out.append("\\\\")
        elif c == "\t":
            out.append("\\t")
        elif c == "\n":
            out.append("\\n")
        elif c == "\r":
            out.append("\\r")
        elif o < 0x20 or o == 0x7F:
            out.append("\\x%02x" % o)
        else:
            out.append(c)
    return "".join(out)


def canonical_line(ev: dict) -> bytes:
    cells = []
    for f in ACCEPTED_COLUMNS:
        v = ev[f]
        if v is None:
            cells.append("")
        elif isinstance(v, float):
            cells.append(repr(v + 0.0))       # -0.0 + 0.0 == 0.0
        elif isinstance(v, int):
            cells.append(str(v))
        else:
            cells.append(_tsv_escape(v))
    return "\t".join(cells).encode("utf-8")


def write_accepted(path: str, events: list[dict]):
    lines = sorted(canonical_line(e) for e in events)
    with open(path, "wb") as f:
        for line in lines:
            f.write(line + b"\n")


def write_rejects(path: str, results: list[FileResult]):
    with open(path, "wb") as f:
        for r in results:
            for lineno, reason in r.rejects:
                f.write(f"{_tsv_escape(_display(r.name))}\t{lineno}\t{reason}\n"
                        .encode("utf-8", "surrogateescape"))


def run(inputs: list[str], out_dir: str) -> int:
    files = resolve_inputs(inputs)
    results = [process_file(f) for f in files]
    events = [e for r in results for e in r.events]
    kept = dedupe(events)
    os.makedirs(out_dir, exist_ok=True)
    write_quality(os.path.join(out_dir, "quality.csv"), results, len(events) - len(kept))
    write_accepted(os.path.join(out_dir, "accepted.tsv"), kept)
    write_rejects(os.path.join(out_dir, "rejects.tsv"), results)
    return 0


# --------------------------------------------------------------------------------------
# Self-test: the JSON parser against json (with strict hooks), the inflater against zlib
# --------------------------------------------------------------------------------------

class _Pairs(list):
    """An object as json.loads gives it with object_pairs_hook=_Pairs."""


def _json_module_verdict(s: str) -> bool:
    import json

    def no_constant(name):
        raise ValueError(name)

    def walk(x):
        if isinstance(x, str):
            if re.search("[\ud800-\udfff]", x):
                raise ValueError("lone surrogate")
        elif isinstance(x, _Pairs):
            for k, v in x:
                walk(k)
                walk(v)
        elif isinstance(x, list):
            for v in x:
                walk(v)

    try:
        v = json.loads(s, object_pairs_hook=_Pairs, parse_constant=no_constant,
                       parse_int=str, parse_float=str)
        if not isinstance(v, _Pairs):
            return False
        walk(v)
    except (ValueError, RecursionError):
        return False
    return True


def self_test(rounds: int = 20000) -> int:
    import random
    rng = random.Random(7)
    atoms = ['{', '}', '[', ']', ',', ':', '"a"', '"b"', '"\\u0074"', '"\\ud83d\\ude00"',
             '"\\ud800"', '"\\udc00x"', '"x\\ty"', '"\t"', '1', '-0', '01', '1.5', '1.',
             '.5', '1e5', '1E+2', '-', 'true', 'false', 'null', 'nul', 'NaN', ' ', '\r',
             '"\\"', '"\\/"', '"\\x"', '"\x7f"', '\ufeff', '"\\u00e9"', '"é"', 'Infinity',
             '2', '"\\u12"', "'a'"]
    bad = 0
    for _ in range(rounds):
        s = "".join(rng.choice(atoms) for _ in range(rng.randint(1, 14)))
        if rng.random() < 0.5:
            s = '{"k":' + s + "}"
        try:
            parse_json_object(s)
            mine = True
        except Malformed:
            mine = False
        if mine != _json_module_verdict(s):
            bad += 1
            if bad < 10:
                print("JSON disagreement:", repr(s), "mine:", mine)
    deep = '{"x":' + "[" * 5000 + "]" * 5000 + "}"
    assert parse_json_object(deep)
    print(f"json: {rounds} random lines, {bad} disagreements")
    # inflater: random data at every level, compare with zlib, then random damage
    inf_bad = 0
    for k in range(300):
        raw = bytes(rng.choice(b"ab\n{}\"0123") for _ in range(rng.randint(0, 3000)))
        if k % 3 == 0:
            raw = os.urandom(rng.randint(0, 500)) + raw
        level = rng.choice([0, 1, 6, 9])
        co = zlib.compressobj(level, zlib.DEFLATED, -15, 9,
                              rng.choice([zlib.Z_DEFAULT_STRATEGY, zlib.Z_FIXED,
                                          zlib.Z_HUFFMAN_ONLY]))
        comp = co.compress(raw) + co.flush()
        out = bytearray()
        end = inflate_py(comp, 0, out)
        if bytes(out) != raw or end != len(comp):
            inf_bad += 1
        # damage: flip a byte or cut; both decoders must agree on failure and prefix
        dmg = bytearray(comp)
        if dmg and rng.random() < 0.5:
            dmg[rng.randrange(len(dmg))] ^= 1 << rng.randrange(8)
        else:
            dmg = dmg[:rng.randrange(len(dmg) + 1)]
        dmg = bytes(dmg)
        d = zlib.decompressobj(-15)
        try:
            zout = d.decompress(dmg)
            zok = d.eof
        except zlib.error:
            zok, zout = False, None
        pout = bytearray()
        try:
            inflate_py(dmg, 0, pout)
            pok = True
        except (_Truncated, _Corrupt):
            pok = False
        if zok != pok or (zout is not None and not zok and bytes(pout) != zout
                          and not zout.startswith(bytes(pout))):
            inf_bad += 1
            print("inflate disagreement", k, zok, pok)
        # zlib one byte at a time: its output before the error is a prefix of ours
        d = zlib.decompressobj(-15)
        acc = bytearray()
        try:
            for b in range(len(dmg)):
                acc += d.decompress(dmg[b:b + 1])
        except zlib.error:
            pass
        if not bytes(pout).startswith(bytes(acc)):
            inf_bad += 1
            print("inflate prefix disagreement", k)
    print(f"inflate: {inf_bad} disagreements")
    return 1 if bad or inf_bad else 0


def main(argv: list[str]) -> int:
    if argv[:1] == ["--self-test"]:
        return self_test()
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("inputs", nargs="+")
    ap.add_argument("--out", required=True)
    a = ap.parse_args(argv)
    try:
        return run(a.inputs, a.out)
    except UsageError as e:
        print(f"quality.py: {e}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
