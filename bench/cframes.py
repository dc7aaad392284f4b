#!/usr/bin/env python3
"""bench/cframes.py - what C frames cost, on testdata/cgotarget (a thread
blocked in C two calls deep).

    python3 bench/cframes.py OLD NEW [--rounds N] [--variant go1.26]

Each round runs `attach --json --threads PID main.cgoMap` with OLD and NEW
in a shuffled order (warm DWARF cache) and records mapdiag's own pause
(pause_us: first interrupt to last detach) and the wall time of the whole
run (the C unwinding, after the release, shows there).  Prints medians and
quartiles per binary, and the frames each found for the thread in C.
Asserts nothing.
"""
import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tests", "integration"))
import targets  # noqa: E402


def run(binary, pid):
    t0 = time.monotonic()
    out = subprocess.run([binary, "attach", "--json", "--threads", str(pid), "main.cgoMap"],
                         capture_output=True, text=True, timeout=60).stdout
    wall = (time.monotonic() - t0) * 1e3
    return json.loads(out), wall


def quart(xs):
    q = statistics.quantiles(sorted(xs), n=4)
    return "%.0f [%.0f..%.0f]" % (q[1], q[0], q[2])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("old")
    ap.add_argument("new")
    ap.add_argument("--rounds", type=int, default=30)
    ap.add_argument("--variant", default="go1.26")
    a = ap.parse_args()
    p, oracle = targets.start(targets.cgotarget(a.variant))
    res = {a.old: ([], []), a.new: ([], [])}
    frames = {}
    try:
        for b in (a.old, a.new):   # warm the DWARF cache
            run(b, oracle["pid"])
        for _ in range(a.rounds):
            order = [a.old, a.new]
            random.shuffle(order)
            for b in order:
                rep, wall = run(b, oracle["pid"])
                res[b][0].append(rep["pause_us"])
                res[b][1].append(wall)
                t = [t for t in rep["threads"] if t["tid"] == oracle["tid"]]
                frames[b] = [f["func"] for f in t[0]["frames"]] if t else []
    finally:
        targets.stop(p)
    print("cgotarget %s, %d rounds: median [quartiles]" % (a.variant, a.rounds))
    for b in (a.old, a.new):
        print("  %-28s pause_us %-22s wall_ms %s" % (b, quart(res[b][0]), quart(res[b][1])))
        print("    thread in C: %d frames %s" % (len(frames[b]), frames[b][:6]))


if __name__ == "__main__":
    main()
