#!/usr/bin/python3
"""Checks that every ```cpp block of the given Markdown files is, verbatim, the text of a
marked region (// --8<-- [start:name] ... [end:name]) of a file under examples/ or tests/,
so that the docs show only code the test suite compiles and runs.

    check_snippets.py <repo root> docs/tutorial.md [more.md ...]

Exits non-zero naming the first line of each block that is not found."""

import glob
import os
import re
import sys


def regions(root):
    found = []
    for pattern in ("examples/**/*.cpp", "examples/**/*.hpp", "tests/**/*.cpp", "tests/**/*.hpp"):
        for path in glob.glob(os.path.join(root, pattern), recursive=True):
            with open(path, encoding="utf-8") as f:
                lines = f.read().split("\n")
            starts = {}
            for i, line in enumerate(lines):
                m = re.match(r"\s*// --8<-- \[(start|end):([\w-]+)\]\s*$", line)
                if m and m.group(1) == "start":
                    starts[m.group(2)] = i
                elif m and m.group(2) in starts:
                    found.append("\n".join(lines[starts.pop(m.group(2)) + 1:i]))
    return found


def main(argv):
    root, docs = argv[1], argv[2:]
    known = regions(root)
    bad = 0
    for doc in docs:
        with open(os.path.join(root, doc), encoding="utf-8") as f:
            text = f.read()
        blocks = re.findall(r"```cpp\n(.*?)\n```", text, re.S)
        missing = [b for b in blocks if b not in known]
        for block in missing:
            print("%s: a cpp block is not a region of a compiled file: %s" % (doc, block.split("\n")[0]))
        print("%s: %d cpp blocks, %d not from a region" % (doc, len(blocks), len(missing)))
        bad += len(missing)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
