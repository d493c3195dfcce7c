#!/usr/bin/env python3
"""Runs analyze --level advanced on hostile logs (Scripts/reference/hostile.py, seeds 1-8,
two time zones, odd bucket counts) and checks every report: each SVG parses as XML with
no script-like element, every link resolves to a written file, every Markdown table
keeps its column count, no raw <script>. Usage: Scripts/fuzz-reports.py (after a
release build). Exits 1 on any problem."""
import glob
import os
import re
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET

os.chdir(os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
work = tempfile.mkdtemp(prefix="audience-fuzz-reports-")
bad = 0
for seed in range(1, 9):
    d = os.path.join(work, str(seed))
    subprocess.run(["python3", "Scripts/reference/hostile.py", "--out", d + "/logs", "--seed", str(seed)], check=True, capture_output=True)
    for tz in ["UTC", "America/New_York"]:
        out = f"{d}/out-{tz.replace('/','_')}"
        r = subprocess.run([".build/release/audience", d + "/logs", "--out", out, "--level", "advanced", "--timezone", tz, "--buckets", str(seed * 7 % 23 + 1), "-q"], capture_output=True, text=True)
        if r.returncode not in (0, 1):
            print("exit", r.returncode, seed, tz, r.stderr[:300]); bad += 1; continue
        md = open(out + "/report.md", encoding="utf-8").read()
        for svg in glob.glob(out + "/charts/*.svg"):
            try:
                root = ET.parse(svg).getroot()
                for el in root.iter():
                    tag = el.tag.split('}')[-1]
                    if tag in ("script", "foreignObject", "a", "iframe"): print("bad element", svg, tag); bad += 1
            except ET.ParseError as e:
                print("XML", svg, e); bad += 1
        for target in re.findall(r"\]\(([^)]*)\)", md):
            if not os.path.exists(os.path.join(out, target)): print("link", seed, target); bad += 1
        cols = None
        for line in md.split("\n"):
            if not line.startswith("|"): cols = None; continue
            n = len(re.findall(r"(?<!\\)\|", line))
            if cols is None: cols = n
            elif n != cols: print("table", seed, line[:120]); bad += 1
        if "<script" in md.lower(): print("script in md", seed); bad += 1
print("problems:", bad)
sys.exit(1 if bad else 0)
