#!/usr/bin/env python3
"""Compare the engine's --export-events TSV with the reference's accepted.tsv.

Usage: compare-events.py ENGINE_TSV REFERENCE_TSV
Numbers are compared by value; prints the differing lines and exits 1 when any.
"""
import sys

NUMERIC = {3, 4, 5, 6, 7, 10, 11}


def canonical(line):
    fields = line.rstrip("\n").split("\t")
    return tuple(repr(float(f)) if i in NUMERIC and f else f for i, f in enumerate(fields))


def load(path, skip_header):
    with open(path, encoding="utf-8", errors="surrogateescape") as f:
        lines = f.readlines()
    if skip_header:
        lines = lines[1:]
    return sorted(canonical(l) for l in lines)


mine, ref = load(sys.argv[1], True), load(sys.argv[2], False)
only_mine = sorted(set(mine) - set(ref))
only_ref = sorted(set(ref) - set(mine))
for row in only_mine[:10]:
    print("engine only:", "\t".join(row))
for row in only_ref[:10]:
    print("reference only:", "\t".join(row))
print(f"engine {len(mine)} events, reference {len(ref)}; {len(only_mine)} + {len(only_ref)} differ")
sys.exit(1 if only_mine or only_ref or len(mine) != len(ref) else 0)
