#!/usr/bin/env python3
"""tests/funclen.py - no function of the pause path is longer than 80 lines.

The pause path is the code that runs, or is planned, for the time the
target's threads are held (issue 14): stop and release, target memory,
threads and goroutines, the snapshot engine, the map read rounds and plans,
and scan's walk.  Each function of those files is one check: 'ok' when it
has at most MAX_LINES lines, 'FAIL' when longer.  A function's length is
counted from the line with its name to its closing brace, both included,
as Universal Ctags reports them (line: and end:).

For information only, the longest functions of src/, cmd/ and dwarf/ are
listed too (lines starting with 'info').

    python3 tests/funclen.py        from the top of the tree (run.sh does)
"""
import json
import os
import shutil
import subprocess
import sys

MAX_LINES = 80
PAUSE_PATH = [
    "src/target/stop.c",
    "src/target/mem.c",
    "src/target/mem_live.c",
    "src/target/capture.c",
    "src/target/goroutine.c",
    "src/snapshot/snapshot.c",
    "src/snapshot/mapread.c",
    "src/snapshot/plan.c",
    "src/snapshot/mapiter.c",
    "src/scan/walk.c",
]
INFO_DIRS = ["src", "cmd", "dwarf"]
INFO_COUNT = 10

passed = 0
failed = 0


def check(ok, name, why=""):
    global passed, failed
    if ok:
        passed += 1
        print("ok %s" % name)
    else:
        failed += 1
        print("FAIL %s: %s" % (name, why))


def universal_ctags():
    """The ctags binary if it is Universal Ctags (only it reports end:)."""
    ctags = shutil.which("ctags")
    if not ctags:
        return None, "ctags is not installed (Debian: universal-ctags)"
    try:
        out = subprocess.run([ctags, "--version"], capture_output=True,
                             text=True, check=False).stdout
    except OSError as e:
        return None, "ctags: %s" % e
    if "Universal Ctags" not in out:
        return None, "%s is not Universal Ctags (no end: field)" % ctags
    return ctags, ""


def functions(ctags, paths):
    """(path, name, first line, last line) of every C function in paths."""
    out = subprocess.run(
        [ctags, "-o", "-", "--output-format=json", "--languages=C",
         "--kinds-C=f", "--fields=+ne"] + paths,
        capture_output=True, text=True, check=True).stdout
    funcs = []
    for line in out.splitlines():
        tag = json.loads(line)
        if tag.get("_type") != "tag" or tag.get("kind") != "function":
            continue
        funcs.append((tag["path"], tag["name"], tag["line"], tag.get("end")))
    return funcs


def length(f):
    return f[3] - f[2] + 1


def main():
    os.chdir(os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
    ctags, why = universal_ctags()
    if not ctags:
        check(False, "ctags", why)
        print("%d passed, %d failed" % (passed, failed))
        return 1

    present = []
    for path in PAUSE_PATH:
        check(os.path.isfile(path), "exists %s" % path,
              "not found: update PAUSE_PATH in tests/funclen.py")
        if os.path.isfile(path):
            present.append(path)

    pause = functions(ctags, present)
    for path in present:
        check(any(f[0] == path for f in pause), "parsed %s" % path,
              "ctags found no function in it")
    for f in sorted(pause, key=lambda f: (f[0], f[2])):
        name = "funclen %s:%s" % (f[0], f[1])
        if f[3] is None:
            check(False, name, "ctags found no end line")
            continue
        n = length(f)
        if n <= MAX_LINES:
            check(True, "%s (%d lines)" % (name, n))
        else:
            check(False, name, "%d lines (%d-%d), longer than %d" %
                  (n, f[2], f[3], MAX_LINES))

    everything = []
    for d in INFO_DIRS:
        for root, _, files in os.walk(d):
            everything += [os.path.join(root, x) for x in sorted(files)
                           if x.endswith(".c")]
    ranked = sorted((f for f in functions(ctags, sorted(everything))
                     if f[3] is not None),
                    key=lambda f: (-length(f), f[0], f[2]))
    print("info: the %d longest functions of %s/" %
          (INFO_COUNT, "/, ".join(INFO_DIRS)))
    for f in ranked[:INFO_COUNT]:
        print("info %4d %s:%d %s" % (length(f), f[0], f[2], f[1]))

    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
