#!/usr/bin/env python3
"""The README's example output is the tool's real output: each block
between "<!-- mapdiag-example: NAME -->" and "<!-- /mapdiag-example -->" is
what running its command prints today, at 80 columns in a terminal.

    python3 tests/integration/test_readme.py            check (the test)
    python3 tests/integration/test_readme.py --update   rewrite the blocks

The check masks what changes from run to run (numbers: pids, pauses,
addresses, a hash seed's effect on sizes) and the word a cut line ends on,
and compares the rest line by line: a changed column, word, finding or
line count fails it, so the README cannot drift from the tool."""

import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import targets  # noqa: E402
from checks import check  # noqa: E402
import checks  # noqa: E402
from mdrun import MAPDIAG, ROOT, run_in_pty  # noqa: E402

README = os.path.join(ROOT, "README.md")
BEGIN = re.compile(r"^<!-- mapdiag-example: ([a-z-]+) -->$")
END = "<!-- /mapdiag-example -->"
CSI = re.compile(r"\x1b\[[0-9;?]*[ -/]*[@-~]")
ENV = dict(os.environ, NO_COLOR="1", TERM="xterm")


def pty(cmd):
    rc, out = run_in_pty(cmd, ENV, cols=80)
    # relative paths only: the checkout's place is not the reader's
    out = CSI.sub("", out).replace("\r", "").replace(ROOT + "/", "")
    return [l.rstrip() for l in out.split("\n") if l.strip()]


def example_demo():
    return pty(["bash", os.path.join(ROOT, "scripts", "demo.sh")])


def with_target(path, args, cmd):
    p, oracle = targets.start(path, args)
    try:
        pid = str(oracle["pid"])
        lines = pty([MAPDIAG] + [pid if a == "PID" else a for a in cmd])
        return ["$ mapdiag " + " ".join(cmd)] + lines
    finally:
        targets.stop(p)


EXAMPLES = {
    "demo": example_demo,
    "growing-idle": lambda: with_target(targets.binary("go1.23"), [],
                                        ["attach", "--warn-bytes", "0", "PID", "main.growingIdle"]),
    "scan": lambda: with_target(targets.scantarget("go1.26"), ["-many", "30"],
                                ["scan", "--globals-only", "--top", "6", "PID"]),
    "verbose": lambda: with_target(targets.binary("go1.26"), [],
                                   ["attach", "-v", "PID", "main.oversized"]),
}


def mask(lines):
    out = []
    for l in lines:
        l = re.sub(r"0x[0-9a-f]+", "0xN", l)
        l = re.sub(r"[0-9]+(\.[0-9]+)?", "N", l)
        out.append(" ".join(l.split()))
    return out


def same(x, y):
    """Masked lines equal; a line cut at the terminal's edge ("…") where
    it is cut depends on the widths of the numbers before: then the
    shorter, less its last word, is a prefix of the other."""
    if x == y:
        return True
    if not (x.endswith("\u2026") or y.endswith("\u2026")):
        return False
    a, b = sorted((x, y), key=len)
    a = a.rsplit(" ", 1)[0] if " " in a else ""
    return b.startswith(a)


def blocks(text):
    """{name: (start, end) line indexes of the block's body}"""
    lines = text.split("\n")
    found, name, start = {}, None, 0
    for i, l in enumerate(lines):
        m = BEGIN.match(l)
        if m:
            name, start = m.group(1), i + 1
        elif l == END and name:
            found[name] = (start, i)
            name = None
    return lines, found


def main():
    update = "--update" in sys.argv[1:]
    text = open(README, encoding="utf-8").read()
    lines, found = blocks(text)
    check("README has every example block", set(found) == set(EXAMPLES),
          "README %s, test %s" % (sorted(found), sorted(EXAMPLES)))
    new = {}
    for name in sorted(found):
        if name not in EXAMPLES:
            continue
        got = EXAMPLES[name]()
        a, b = found[name]
        have = [l[4:] for l in lines[a:b] if l.startswith("    ")]
        new[name] = ["", *["    " + l for l in got], ""]
        if update:
            continue
        mh, mg = mask(have), mask(got)
        diff = [(i, x, y) for i, (x, y) in enumerate(zip(mh, mg)) if not same(x, y)]
        check("README example %s is what mapdiag prints" % name,
              len(mh) == len(mg) and not diff,
              "%d lines in README, %d printed; first difference %r\nprinted:\n%s" %
              (len(mh), len(mg), diff[:1], "\n".join(got)))
    if update:
        for name in sorted(new, key=lambda n: -found[n][0]):
            a, b = found[name]
            lines[a:b] = new[name]
        with open(README, "w", encoding="utf-8") as f:
            f.write("\n".join(lines))
        print("updated %d examples" % len(new))
        return 0
    return checks.summary()


if __name__ == "__main__":
    sys.exit(main())
