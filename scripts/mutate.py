#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""mutate.py: mutation testing over a kept list of mutants.

Each mutant in scripts/mutants.txt is a plausible one-line (or few-line)
bug in the code that carries our promises: guest_phys_blocks, the RDM
bitmap, virtio-mem request validation, the dump encoders and
destination, ram-zero and the MOR clear.  For each one this script
plants the bug in a scratch copy of the tree (never in the worktree),
builds the test programs it names, runs those tests, and counts the
mutant as killed if the build or any named test fails.  It prints one
line per mutant, the survivors and the score, and exits 1 if the score
is below --min-score (95 by default) or a mutant no longer applies.

The scratch copy lives in build-mutate/ (src/ and src/build/); the first
run configures and builds it once, later runs only resynchronise the
files that changed and rebuild what depends on them.

mutants.txt format: blocks separated by blank lines, '#' comments:

    [name]
    file: softmmu/memory_mapping.c
    find: if (target_start >= GUEST_PHYS_END_MAX) {
    replace: if (target_start > GUEST_PHYS_END_MAX) {
    tests: test-guest-phys-blocks
    why: a '>=' turned '>' in the end clamp adds an empty block

`find` must occur exactly once in the file (leading whitespace of a
line is ignored when matching: the replacement keeps the indentation);
`\\n` in find/replace spans lines.  `tests` are meson test names.

Usage: scripts/mutate.py [--only NAME,...] [--min-score N] [--jobs N]
       make mutate
"""

import argparse
import filecmp
import json
import os
import re
import shutil
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


class Mutant:
    def __init__(self, name, lineno):
        self.name = name
        self.lineno = lineno
        self.file = None
        self.find = None
        self.replace = None
        self.tests = []
        self.why = ''


def parse_mutants(path):
    mutants = []
    cur = None
    with open(path, encoding='utf-8') as f:
        for lineno, raw in enumerate(f, 1):
            line = raw.rstrip('\n')
            if not line.strip() or line.lstrip().startswith('#'):
                continue
            m = re.match(r'^\[([A-Za-z0-9_.-]+)\]$', line.strip())
            if m:
                cur = Mutant(m.group(1), lineno)
                mutants.append(cur)
                continue
            key, sep, value = line.partition(':')
            if not sep or cur is None:
                sys.exit('%s:%d: expected "[name]" or "key: value"'
                         % (path, lineno))
            key = key.strip()
            value = value[1:] if value.startswith(' ') else value
            value = value.replace('\\n', '\n')
            if key == 'file':
                cur.file = value.strip()
            elif key == 'find':
                cur.find = value
            elif key == 'replace':
                cur.replace = value
            elif key == 'tests':
                cur.tests = value.split()
            elif key == 'why':
                cur.why = value
            else:
                sys.exit('%s:%d: unknown key %r' % (path, lineno, key))
    names = set()
    for m in mutants:
        if None in (m.file, m.find, m.replace) or not m.tests:
            sys.exit('%s:%d: mutant %s needs file, find, replace and tests'
                     % (path, m.lineno, m.name))
        if m.name in names:
            sys.exit('%s:%d: duplicate mutant %s' % (path, m.lineno, m.name))
        names.add(m.name)
    return mutants


def find_span(text, find):
    """(start, end) of the one match of @find, indentation-insensitive
    at line starts; or an error string."""
    parts = [re.escape(p.strip()) for p in find.split('\n')]
    pattern = r'\n[ \t]*'.join(parts)
    hits = [m.span() for m in re.finditer(pattern, text)]
    if len(hits) != 1:
        return '%d matches' % len(hits)
    return hits[0]


def apply(text, m):
    span = find_span(text, m.find)
    if isinstance(span, str):
        return None, span
    s, e = span
    # keep the indentation of continuation lines of the match
    indent = ''
    line_start = text.rfind('\n', 0, s) + 1
    indent = re.match(r'[ \t]*', text[line_start:]).group(0)
    repl = m.replace.strip().replace('\n', '\n' + indent)
    return text[:s] + repl + text[e:], None


def tracked_files():
    out = subprocess.run(['git', 'ls-files', '-co', '--exclude-standard'],
                         cwd=ROOT, check=True, capture_output=True,
                         text=True).stdout
    return [p for p in out.splitlines() if os.path.isfile(os.path.join(ROOT, p))]


def sync_tree(src):
    """Copy the worktree's files into @src where they differ."""
    changed = 0
    for rel in tracked_files():
        a = os.path.join(ROOT, rel)
        b = os.path.join(src, rel)
        if os.path.exists(b) and filecmp.cmp(a, b, shallow=False):
            continue
        os.makedirs(os.path.dirname(b), exist_ok=True)
        # a fresh mtime: ninja must see a changed meson.build or source
        # as newer than what was built from the old copy
        shutil.copyfile(a, b)
        shutil.copymode(a, b)
        changed += 1
    return changed


def run(cmd, cwd, timeout, log):
    log.write('$ %s\n' % ' '.join(cmd))
    log.flush()
    try:
        p = subprocess.run(cmd, cwd=cwd, stdout=log, stderr=subprocess.STDOUT,
                           timeout=timeout)
        return p.returncode
    except subprocess.TimeoutExpired:
        log.write('timed out after %ds\n' % timeout)
        return 124


def test_targets(build):
    """meson test name -> ninja targets its program needs (the program
    itself and its `depends`, e.g. the sparsevm binary of a qtest)."""
    def introspect(what):
        return json.loads(subprocess.run(
            ['meson', 'introspect', what, build], check=True,
            capture_output=True, text=True).stdout)

    files = {}
    for t in introspect('--targets'):
        files[t['id']] = [os.path.relpath(f, build) for f in t['filename']
                          if f.startswith(build + os.sep)]
    targets = {}
    for t in introspect('--tests'):
        need = [os.path.relpath(part, build) for part in t['cmd']
                if isinstance(part, str) and part.startswith(build + os.sep)]
        for dep in t.get('depends', []):
            need += files.get(dep, [])
        targets[t['name']] = need
    return targets


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--mutants', default=os.path.join(ROOT, 'scripts',
                                                      'mutants.txt'))
    ap.add_argument('--only', default='', help='comma-separated names')
    ap.add_argument('--min-score', type=float, default=95.0)
    ap.add_argument('--scratch', default=os.path.join(ROOT, 'build-mutate'))
    ap.add_argument('--timeout', type=int, default=600,
                    help='seconds per build or test run')
    ap.add_argument('--check-only', action='store_true',
                    help='only check that every mutant applies')
    args = ap.parse_args()

    mutants = parse_mutants(args.mutants)
    if args.only:
        want = set(args.only.split(','))
        mutants = [m for m in mutants if m.name in want]

    # Every mutant must apply to the current tree (else the list is stale).
    stale = []
    for m in mutants:
        path = os.path.join(ROOT, m.file)
        if not os.path.exists(path):
            stale.append((m, 'no such file'))
            continue
        with open(path, encoding='utf-8') as f:
            _, err = apply(f.read(), m)
        if err:
            stale.append((m, err))
    for m, err in stale:
        print('STALE %s (%s): find text: %s' % (m.name, m.file, err))
    if stale:
        return 1
    if args.check_only:
        print('%d mutants apply' % len(mutants))
        return 0

    src = os.path.join(args.scratch, 'src')
    build = os.path.join(src, 'build')
    os.makedirs(src, exist_ok=True)
    log_path = os.path.join(args.scratch, 'mutate.log')
    log = open(log_path, 'w', encoding='utf-8')
    env_note = 'scratch tree %s, log %s' % (src, log_path)
    print(env_note)
    sync_tree(src)
    if not os.path.exists(os.path.join(build, 'build.ninja')):
        if run(['meson', 'setup', build], src, args.timeout, log):
            print('meson setup failed, see %s' % log_path)
            return 1
    if run(['ninja', '-C', build], src, 3 * args.timeout, log):
        print('the unmutated tree does not build, see %s' % log_path)
        return 1
    targets = test_targets(build)
    for m in mutants:
        for t in m.tests:
            if t not in targets:
                print('mutant %s names unknown test %s' % (m.name, t))
                return 1

    killed, survivors = 0, []
    t0 = time.time()
    for i, m in enumerate(mutants, 1):
        path = os.path.join(src, m.file)
        with open(path, encoding='utf-8') as f:
            orig = f.read()
        mutated, _ = apply(orig, m)
        need = sorted({x for t in m.tests for x in targets[t]})
        log.write('\n=== mutant %s: %s\n' % (m.name, m.why))
        try:
            with open(path, 'w', encoding='utf-8') as f:
                f.write(mutated)
            if run(['ninja', '-C', build] + need, src, args.timeout, log):
                verdict = 'killed (build)'
            elif run(['meson', 'test', '-C', build, '--no-rebuild',
                      '--num-processes', '2', '-t', '2'] + m.tests, src,
                     4 * args.timeout, log):
                verdict = 'killed'
            else:
                verdict = 'SURVIVED'
        finally:
            with open(path, 'w', encoding='utf-8') as f:
                f.write(orig)
            # a restored file must not look older than its objects
            os.utime(path)
        if verdict == 'SURVIVED':
            survivors.append(m)
        else:
            killed += 1
        print('[%2d/%d] %-32s %s' % (i, len(mutants), m.name, verdict),
              flush=True)
    # leave the scratch build matching the tree
    run(['ninja', '-C', build], src, 3 * args.timeout, log)
    score = 100.0 * killed / len(mutants) if mutants else 100.0
    print('\n%d mutants, %d killed, %d survived: score %.1f%% (%.0f s)'
          % (len(mutants), killed, len(survivors), score, time.time() - t0))
    for m in survivors:
        print('  survivor %s (%s): %s' % (m.name, m.file, m.why))
    return 0 if score >= args.min_score else 1


if __name__ == '__main__':
    sys.exit(main())
