#!/usr/bin/env python3
"""Compare two quality.csv files row by row: every count exactly; the error
column only by whether it is empty and by the first byte offset it names
(the wording differs between implementations on purpose).

Usage: compare-quality.py ENGINE_CSV REFERENCE_CSV   (prints differences only)
"""
import csv, re, sys


def load(path):
    with open(path, newline="", encoding="utf-8") as f:
        return [r for r in csv.DictReader(f)]


def offset(text):
    found = re.findall(r"byte (\d+)", text)
    return found[0] if found else None


engine, reference = load(sys.argv[1]), load(sys.argv[2])
if [r["file"] for r in engine] != [r["file"] for r in reference]:
    print("quality.csv: files or their order differ")
for mine, ref in zip(engine, reference):
    for column in ref:
        if column == "error":
            if bool(mine[column]) != bool(ref[column]) or offset(mine[column]) != offset(ref[column]):
                print(f"quality.csv: {mine['file']} error: engine {mine[column]!r}, reference {ref[column]!r}")
        elif mine.get(column) != ref[column]:
            print(f"quality.csv: {mine['file']} {column}: engine {mine.get(column)}, reference {ref[column]}")
