#!/usr/bin/env python3
"""Renders a report.md to report.html beside it, close to how GitHub shows it.

    report-html.py REPORT.md [OUT.html]

Uses Python-Markdown (Debian: python3-markdown) with the tables extension;
images keep their relative paths, so the charts load from charts/.
"""
import pathlib
import sys

import markdown

STYLE = """
body { font-family: -apple-system, "Segoe UI", "Noto Sans", Helvetica, Arial, sans-serif;
       max-width: 880px; margin: 24px auto; padding: 0 24px; color: #1f2328; line-height: 1.5; }
h1, h2 { border-bottom: 1px solid #d1d9e0; padding-bottom: .3em; }
table { border-collapse: collapse; margin: 12px 0; display: block; overflow: auto; }
th, td { border: 1px solid #d1d9e0; padding: 4px 10px; }
tr:nth-child(2n) { background: #f6f8fa; }
code { background: #eff1f3; padding: .1em .3em; border-radius: 4px; font-size: 90%; }
img { max-width: 100%; }
sub { color: #59636e; }
"""


def main(argv):
    source = pathlib.Path(argv[1])
    target = pathlib.Path(argv[2]) if len(argv) > 2 else source.with_suffix(".html")
    body = markdown.markdown(source.read_text(encoding="utf-8"), extensions=["tables", "sane_lists"])
    target.write_text(
        f"<!doctype html>\n<html><head><meta charset=\"utf-8\"><title>{source}</title>"
        f"<style>{STYLE}</style></head><body>\n{body}\n</body></html>\n",
        encoding="utf-8",
    )
    print(target)


if __name__ == "__main__":
    main(sys.argv)
