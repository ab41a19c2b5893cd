#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""meson install into a temporary DESTDIR, then run what was installed.

Every file `meson introspect --installed` promises must be there; the
installed sparsevm must start and answer QMP from outside the build
tree, the installed dump client must run, and the user docs must be in
share/doc/sparsevm.

Usage: install-test.py BUILD_DIR
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile


def main():
    build = sys.argv[1]
    installed = json.loads(subprocess.run(
        ["meson", "introspect", "--installed", build], capture_output=True,
        text=True, check=True).stdout)
    dest = tempfile.mkdtemp(prefix="sparsevm-install-")
    try:
        subprocess.run(["meson", "install", "-C", build, "--no-rebuild",
                        "--quiet", "--destdir", dest], check=True,
                       capture_output=True, timeout=100)
        paths = list(installed.values())
        missing = [p for p in paths if not os.path.exists(dest + p)]
        if missing:
            print("FAIL: not installed:", missing)
            return 1
        binary = next(p for p in paths if p.endswith("/bin/sparsevm"))
        client = next(p for p in paths
                      if p.endswith("/bin/sparsevm-dump-guest-memory"))
        docdir = os.path.join(os.path.dirname(os.path.dirname(binary)),
                              "share", "doc", "sparsevm", "system")
        # run from elsewhere: nothing may depend on the build tree
        out = subprocess.run([dest + binary, "-version"], cwd=dest,
                             capture_output=True, text=True, check=True)
        if not out.stdout.startswith("sparsevm version "):
            print("FAIL: -version printed", repr(out.stdout))
            return 1
        out = subprocess.run(
            [dest + binary, "-machine", "none", "-S", "-qmp", "stdio"],
            input='{"execute": "qmp_capabilities"}\n'
                  '{"execute": "query-version"}\n{"execute": "quit"}\n',
            cwd=dest, capture_output=True, text=True, timeout=60, check=True)
        if '"package":"sparsevm ' not in out.stdout:
            print("FAIL: installed sparsevm did not answer query-version:",
                  out.stdout, out.stderr)
            return 1
        out = subprocess.run([dest + client, "--help"], cwd=dest,
                             capture_output=True, text=True, check=True)
        if "usage:" not in out.stdout:
            print("FAIL: the installed dump client's --help:", out.stdout)
            return 1
        for doc in ("invocation.md", "qmp.md", "dump.md"):
            if not os.path.isfile(os.path.join(dest + docdir, doc)):
                print("FAIL: no", doc, "in", docdir)
                return 1
        print(f"{len(paths)} files installed under {dest}, "
              f"{binary} runs")
        return 0
    finally:
        shutil.rmtree(dest, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
