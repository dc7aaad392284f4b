#!/usr/bin/env python3
"""bench/scan.py - how long `mapdiag scan` stops a target with thousands of
maps, how long it takes, how much memory it uses.  Prints numbers; asserts
nothing (goals are judged by people reading them, not by timed tests).

    python3 bench/scan.py [runs]

For each target (classic go1.23 and Swiss go1.26 builds of
testdata/maps/cmd/scantarget with -many 5000: about 5,260 maps, 5,000 of
them small maps behind a slice of pointers, plus three oversized maps of
up to 800,000 slots), runs `mapdiag scan PID --json` `runs` times (default
20) and reports median and p90 of:
  pause_us  the target's stop as mapdiag measures it (first interrupt to
            last detach)
  wall_ms   the whole command, fork to exit
and the peak resident set of mapdiag (from wait4's rusage), the maps found
and the batched reads of the stop, as the last run reports them.
"""
import json
import os
import statistics
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tests", "integration"))
import targets  # noqa: E402

MAPDIAG = os.environ.get("MAPDIAG", os.path.join(ROOT, "mapdiag"))
MANY = 5000


def run_once(pid):
    t0 = time.perf_counter()
    q = subprocess.Popen([MAPDIAG, "scan", str(pid), "--json"],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    out = q.stdout.read()
    q.stderr.read()
    _, status, ru = os.wait4(q.pid, 0)
    wall = (time.perf_counter() - t0) * 1000
    rep = json.loads(out)
    return (rep["pause_us"], wall, ru.ru_maxrss, rep["summary"]["maps"], rep.get("reads"),
            rep["threads_stopped"])


def pct(xs, p):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(p * (len(xs) - 1))))]


def main():
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 20
    print("machine: %d cores, %s; %d runs each" % (os.cpu_count(), os.uname().release, runs))
    print("%-24s %7s | %9s %9s | %8s %8s | %8s | %6s %5s" % (
        "target", "threads", "pause med", "pause p90", "wall med", "wall p90", "rss KiB",
        "maps", "reads"))
    for variant in ("go1.23", "go1.26"):
        p, oracle = targets.start(targets.scantarget(variant), args=["-many", str(MANY)])
        try:
            time.sleep(0.2)
            res = [run_once(oracle["pid"]) for _ in range(runs)]
            pauses = [r[0] for r in res]
            walls = [r[1] for r in res]
            print("%-24s %7d | %7.0fus %7.0fus | %6.1fms %6.1fms | %8d | %6d %5s" % (
                "%s -many %d" % (variant, MANY), res[-1][5],
                statistics.median(pauses), pct(pauses, 0.9),
                statistics.median(walls), pct(walls, 0.9), max(r[2] for r in res),
                res[-1][3], res[-1][4]))
        finally:
            targets.stop(p)


if __name__ == "__main__":
    main()
