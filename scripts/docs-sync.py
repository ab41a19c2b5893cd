#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Keep protocol documentation pulled from the source.

A `DOC: NAME` comment block in a source file is the reference text of a
protocol; a Markdown page includes it between the markers

    <!-- DOC: NAME from PATH -->
    ```
    ...block text...
    ```
    <!-- end DOC -->

`docs-sync.py --check` fails if any included block differs from its
source; `docs-sync.py --update` rewrites the pages.
"""
import os
import re
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MARK = re.compile(r"<!-- DOC: (.+?) from (\S+) -->\n```\n(.*?)```\n"
                  r"<!-- end DOC -->", re.S)


def doc_block(path, name):
    with open(os.path.join(ROOT, path), encoding="utf-8") as f:
        text = f.read()
    m = re.search(r"/\*\*\n \* DOC: " + re.escape(name) + r"\n(.*?) \*/",
                  text, re.S)
    if not m:
        raise SystemExit(f"{path}: no DOC: {name} block")
    lines = []
    for line in m.group(1).splitlines():
        line = line[3:] if line.startswith(" * ") else line.lstrip(" *")
        lines.append(line)
    while lines and not lines[0].strip():
        lines.pop(0)
    return "\n".join(lines).rstrip() + "\n"


def main():
    mode = sys.argv[1] if len(sys.argv) > 1 else "--check"
    stale = 0
    docs = os.path.join(ROOT, "docs")
    for dirpath, _, files in os.walk(docs):
        for name in files:
            if not name.endswith(".md"):
                continue
            page = os.path.join(dirpath, name)
            with open(page, encoding="utf-8") as f:
                text = f.read()

            def repl(m):
                nonlocal stale
                want = doc_block(m.group(2), m.group(1))
                if want != m.group(3):
                    stale += 1
                    print(f"{os.path.relpath(page, ROOT)}: DOC {m.group(1)}"
                          f" differs from {m.group(2)}")
                return (f"<!-- DOC: {m.group(1)} from {m.group(2)} -->\n"
                        f"```\n{want}```\n<!-- end DOC -->")

            new = MARK.sub(repl, text)
            if mode == "--update" and new != text:
                with open(page, "w", encoding="utf-8") as f:
                    f.write(new)
    if stale and mode == "--check":
        print("run scripts/docs-sync.py --update")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
