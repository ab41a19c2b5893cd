#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""scripts/docs-run.py fails when a doc breaks.

Runs docs-run on pages written here, against the real binary: a page
that is right must pass; each broken one (a block without an info
string, 'norun' without a reason, a command that fails, output of
another shape, a QMP reply of another shape, an error text that
changed, a request that fails) must fail, naming the block.

Usage: test-docs-run.py BUILD_DIR
"""

import os
import shutil
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.realpath(__file__))))
DOCS_RUN = os.path.join(ROOT, "scripts", "docs-run.py")
F = "```"

GOOD = f"""# good
{F}shell
$ ./build/sparsevm -machine microvm -display none \\
      -qmp unix:/tmp/qmp.sock,server=on,wait=off &
$ echo 'size 1.5 GiB in 0.25 s'
size 3.0 GiB in 12 s
{F}

{F}qmp
{{"QMP": {{"version": {{"qemu": {{"micro": 0, "minor": 0, "major": 0}}}}, ...}}}}
{{"execute": "query-dump"}}
{{"return": {{"status": "none", ...}}}}
{{"execute": "dump-guest-memory", "arguments": {{"paging": false, "protocol": "tcp:x"}}}}
{{"error": {{"class": "GenericError", "desc": "Invalid parameter 'protocol'"}}}}
{{"execute": "dump-guest-memory", "arguments": {{"paging": false, "protocol": "file:/var/tmp/vmcore"}}}}
{F}

{F}shell
test -s /var/tmp/vmcore && test -s vmcore
{F}

{F}shell norun: needs a guest kernel
crash vmlinux vmcore
{F}

{F}text
anything
{F}
"""

BROKEN = {
    "untagged": f"{F}\n./build/sparsevm -help\n{F}\n",
    "norun-no-reason": f"{F}shell norun\nfalse\n{F}\n",
    "bash-tag": f"{F}bash\ntrue\n{F}\n",
    "command-fails": f"{F}shell\n./build/sparsevm -no-such-option\n{F}\n",
    "output-shape": f"{F}shell\n$ echo 'size 1.5 GiB'\nsize 1.5 MiB\n{F}\n",
    "reply-shape": (f"{F}qmp\n{{\"execute\": \"query-dump\"}}\n"
                    f"{{\"return\": {{\"status\": 1}}}}\n{F}\n"),
    "reply-member": (f"{F}qmp\n{{\"execute\": \"query-dump\"}}\n"
                     f"{{\"return\": {{\"state\": \"none\"}}}}\n{F}\n"),
    "error-text": (f"{F}qmp\n{{\"execute\": \"dump-guest-memory\", "
                   f"\"arguments\": {{\"paging\": false, "
                   f"\"protocol\": \"tcp:x\"}}}}\n"
                   f"{{\"error\": {{\"class\": \"GenericError\", \"desc\": "
                   f"\"parameter 'protocol' must start with 'file:'\"}}}}\n"
                   f"{F}\n"),
    "request-fails": f"{F}qmp\n{{\"execute\": \"no-such-command\"}}\n{F}\n",
    "no-vm-output": (f"{F}shell\n$ ./build/sparsevm -machine nope "
                     f"-qmp unix:/tmp/q.sock,server=on,wait=off\n{F}\n"),
}


def run(build, page):
    p = subprocess.run([sys.executable, DOCS_RUN, "--build", build, page],
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                       stdin=subprocess.DEVNULL, timeout=300)
    return p.returncode, p.stdout.decode(errors="replace")


def main():
    build = os.path.abspath(sys.argv[1])
    tmp = tempfile.mkdtemp(prefix="test-docs-run-")
    failed = 0
    try:
        page = os.path.join(tmp, "good.md")
        with open(page, "w") as f:
            f.write(GOOD)
        rc, out = run(build, page)
        if rc != 0 or "3 blocks run, 0 failed, 1 not run" not in out:
            print("FAIL good page:\n" + out)
            failed += 1
        else:
            print("ok   good page passes")
        for name, text in BROKEN.items():
            page = os.path.join(tmp, name + ".md")
            with open(page, "w") as f:
                f.write("# " + name + "\n" + text)
            rc, out = run(build, page)
            if rc != 1 or ("FAIL %s.md:2" % name) not in out.replace(
                    os.path.relpath(tmp, ROOT) + "/", ""):
                print("FAIL %s was not caught (exit %d):\n%s" %
                      (name, rc, out))
                failed += 1
            else:
                print("ok   %s fails" % name)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
