#!/usr/bin/env python3
"""The floor under any reader of gzipped logs: the time to inflate a folder's
files and do nothing else, with zlib, or with libdeflate where the `deflate`
module is installed (`pip install deflate`), on PROCESSES processes, best of
3. Plain files count as read. A file of several gzip members is inflated by
zlib either way (the `deflate` module takes one member).

Usage: inflate-floor.py DIR [PROCESSES]   (docs/performance.md, issue 14)
"""
import os, sys, time, zlib
from multiprocessing import Pool

try:
    import deflate
except ImportError:
    deflate = None


def inflate(path):
    with open(path, "rb") as f:
        data = f.read()
    if data[:2] != b"\x1f\x8b":
        return len(data)
    if deflate is not None:
        try:
            return len(deflate.gzip_decompress(data))
        except Exception:
            pass
    total = 0
    while data:
        member = zlib.decompressobj(31)
        total += len(member.decompress(data))
        data = member.unused_data
    return total


if __name__ == "__main__":
    folder, processes = sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 2
    files = sorted((os.path.join(root, name) for root, _, names in os.walk(folder) for name in names),
                   key=lambda path: -os.path.getsize(path))
    best = None
    for _ in range(3):
        start = time.time()
        with Pool(processes) as pool:
            total = sum(pool.map(inflate, files, chunksize=1))
        elapsed = time.time() - start
        best = elapsed if best is None else min(best, elapsed)
    engine = "libdeflate (zlib for several members)" if deflate else "zlib"
    print(f"{folder}: {total} bytes inflated by {engine} in {best:.2f} s with {processes} processes")
