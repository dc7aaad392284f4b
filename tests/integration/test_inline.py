#!/usr/bin/env python3
"""Inlined frames against gdb (issue 17): `mapdiag attach PID VAR --threads
--json` on testdata/inlinetarget (a thread blocked in read(2) under two
inlined helpers, one spinning in an inlined loop, idle runtime threads
parked in runtime.mPark inlined into runtime.stopm) names every thread's
frames, inlined ones included, as gdb's `thread apply all bt` does:
function, file, line and "inlined" frame by frame.

gdb can attach only once mapdiag has let go, so the threads are compared
where they stay put: the target runs without asynchronous preemption (the
spinner keeps its P), mapdiag runs before and after gdb, and a thread
whose two mapdiag stacks differ (sysmon waking) is not compared.
The reader and the spinner must be among those compared, with their
inlined frames.

    python3 tests/integration/test_inline.py [variant...]   (default: all)
"""
import json
import os
import re
import shutil
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import targets  # noqa: E402
import checks  # noqa: E402
import mdrun  # noqa: E402
from checks import check  # noqa: E402

# Where a stack begins: mapdiag stops there (md_func_is_stack_root), gdb
# goes on into runtime.clone and garbage.
ROOTS = ("runtime.goexit", "runtime.mstart", "runtime.rt0_go", "runtime.clone")

THREAD_RE = re.compile(r"^Thread \d+ .*\(LWP (\d+)")
FRAME_RE = re.compile(r"^#(\d+)\s+(0x[0-9a-f]+ in )?(\S.*?) \(.*\) at (\S+):(\d+)$")
OTHER_RE = re.compile(r"^#(\d+)\s")


def cut(frames):
    """Frames up to the first stack root, as mapdiag walks them."""
    out = []
    for f in frames:
        out.append(f)
        if f[0] in ROOTS:
            break
    return out


def parse_gdb(text):
    """{tid: [(func, file, line, inlined)]} from `thread apply all bt`.
    gdb prints a frame's address only on the innermost frame of a
    physical frame (never on #0): a frame without one is the caller a
    call was inlined into, so the frame before it is inlined."""
    threads, cur = {}, None
    for line in text.splitlines():
        m = THREAD_RE.match(line)
        if m:
            cur = threads.setdefault(int(m.group(1)), [])
            continue
        if cur is None or not line.startswith("#"):
            continue
        m = FRAME_RE.match(line)
        if not m:
            cur.append(None)   # "?? ()", "from libc": the stack's end
            continue
        cur.append([m.group(3), m.group(4), int(m.group(5)), m.group(2) is not None
                    or int(m.group(1)) == 0])
    out = {}
    for tid, fr in threads.items():
        if None in fr:
            fr = fr[:fr.index(None)]
        # has_addr[i+1] false: frame i is inlined into frame i+1
        res = [(f[0], f[1], f[2], i + 1 < len(fr) and not fr[i + 1][3])
               for i, f in enumerate(fr)]
        out[tid] = cut(res)
    return out


def parse_md(stdout):
    """{tid: [(func, file, line, inlined)]} from mapdiag's --threads --json."""
    d = json.loads(stdout)
    return {t["tid"]: cut([(f["func"], f.get("file", ""), f.get("line", 0), f.get("inlined", False))
                           for f in t["frames"]]) for t in d["threads"]}


def attach(pid, res):
    """mapdiag's frames of every thread, its results appended to res."""
    rc, out, err = mdrun.mapdiag("attach", pid, "main.counts", "--threads", "--json")
    res.append(("attach --threads --json exits 0", rc == 0, "rc=%d %s" % (rc, err[-300:])))
    left = mdrun.left_stopped(pid)
    res.append(("target left running", left == "", left))
    return parse_md(out) if rc == 0 else None


def fmt(frames):
    return "\n      ".join("%s %s:%d%s" % (f[0], os.path.basename(f[1]), f[2],
                                            " [inlined]" if f[3] else "") for f in frames)


def one_round(pid, oracle):
    """mapdiag, gdb, mapdiag: the list of (check, passed, why)."""
    res = []
    before = attach(pid, res)
    g = subprocess.run(["gdb", "-nx", "-batch", "-p", str(pid), "-ex", "set width 0",
                        "-ex", "set pagination off", "-ex", "thread apply all bt"],
                       capture_output=True, text=True, timeout=120)
    left = mdrun.left_stopped(pid, 2)
    res.append(("target left running after gdb", left == "", left))
    after = attach(pid, res)
    if before is None or after is None:
        return res
    gdb = parse_gdb(g.stdout)
    res.append(("gdb printed every thread", set(gdb) == set(before),
                "gdb %s, mapdiag %s; %s" % (sorted(gdb), sorted(before), g.stderr[-300:])))
    steady = [tid for tid in before if before[tid] == after.get(tid) and tid in gdb]
    for role, want in (("reader", ["main.readOne", "main.waitByte"]),
                       ("spinner", ["main.spinLoop"])):
        tid = oracle["tids"][role]
        inl = [f[0] for f in before.get(tid, []) if f[3]]
        res.append(("%s thread's inlined frames %s" % (role, want), inl == want,
                    "got %s:\n      %s" % (inl, fmt(before.get(tid, [])))))
        res.append(("%s thread steady" % role, tid in steady,
                    "before:\n      %s\n    after:\n      %s" %
                    (fmt(before.get(tid, [])), fmt(after.get(tid, [])))))
    for tid in sorted(steady):
        res.append(("thread %d frames equal gdb's (%d frames, %d inlined)" %
                    (tid, len(before[tid]), sum(f[3] for f in before[tid])),
                    before[tid] == gdb[tid] and before[tid] != [],
                    "mapdiag:\n      %s\n    gdb:\n      %s" %
                    (fmt(before[tid]), fmt(gdb[tid]))))
    # runtime.stopm inlines mPark in every release here: idle Ms show it
    res.append(("an idle thread in runtime.mPark inlined into runtime.stopm",
                any(["runtime.mPark", "runtime.stopm"] == [a[0], b[0]] and a[3] and not b[3]
                    for tid in steady for a, b in zip(gdb[tid], gdb[tid][1:])),
                "no such thread among %d steady ones" % len(steady)))
    return res


def test_variant(variant, rounds=3):
    """Up to rounds rounds: the first whose every check passes is
    reported, else the last.  A thread may leave its place and come back
    between the two mapdiag runs, while gdb looks (sysmon, on a loaded
    machine): a wrong frame fails every round."""
    name = "inline %s" % variant
    path = os.path.join(targets.BIN, variant, "inlinetarget")
    try:
        # no asynchronous preemption: sysmon would take the spinner's P
        # every 10 ms, and the hand-offs of its locked M wake idle threads
        p, oracle = targets.start(path, env=dict(os.environ, GODEBUG="asyncpreemptoff=1"))
    except targets.TargetError as e:
        checks.fail("%s: start" % name, str(e)[:300])
        return
    try:
        time.sleep(0.3)   # idle Ms park, the spinner spins
        for r in range(rounds):
            res = one_round(oracle["pid"], oracle)
            if all(ok for _, ok, _ in res):
                break
    finally:
        targets.stop(p)
    for what, ok, why in res:
        check("%s: %s%s" % (name, what, " (round %d)" % (r + 1) if r else ""), ok, why)


def main():
    if not shutil.which("gdb"):
        checks.fail("inline: gdb", "gdb not installed (scripts/setup.sh installs it)")
        return
    for v in sys.argv[1:] or targets.VARIANTS:
        test_variant(v)


if __name__ == "__main__":
    main()
    sys.exit(checks.summary())
