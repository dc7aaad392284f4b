#!/usr/bin/env python3
"""bench/attach.py - how long mapdiag stops a target, how long it takes, how
much memory it uses.  Prints numbers; asserts nothing (goals are judged by
people reading them, not by timed tests).

    python3 bench/attach.py [runs]

For each target (classic go1.23 and Swiss go1.26 builds of testdata/maps,
idle and with 8 busy threads), runs `mapdiag attach --json` `runs` times on
main.idle and main.million, with writer detection (the default) and with
--no-threads, and reports median and p90 of:
  pause_us  the target's stop as mapdiag measures it (first interrupt to
            last detach)
  wall_ms   the whole command, fork to exit
  rss_kib   mapdiag's peak resident set (from wait4's rusage)
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

MAPDIAG = os.path.join(ROOT, "mapdiag")


def run_once(pid, extra=()):
    t0 = time.perf_counter()
    q = subprocess.Popen([MAPDIAG, "attach", "--json"] + list(extra) +
                         [str(pid), "main.idle", "main.million"],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    out = q.stdout.read()
    q.stderr.read()
    _, status, ru = os.wait4(q.pid, 0)
    wall = (time.perf_counter() - t0) * 1000
    q.returncode = os.waitstatus_to_exitcode(status)
    rep = json.loads(out)
    return rep["pause_us"], wall, ru.ru_maxrss, rep["threads_stopped"]


def pct(xs, p):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(p * (len(xs) - 1))))]


def main():
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 30
    print("machine: %d cores, %s" % (os.cpu_count(), os.uname().release))
    print("%-34s %7s | %9s %9s | %8s %8s | %8s" % (
        "target", "threads", "pause med", "pause p90", "wall med", "wall p90", "rss KiB"))
    for variant in ("go1.23", "go1.26"):
        for busy in (0, 8):
            p, oracle = targets.start(targets.binary(variant), args=["-threads", str(busy)])
            try:
                time.sleep(0.2)
                for mode, extra in (("writers", ()), ("--no-threads", ("--no-threads",))):
                    res = [run_once(oracle["pid"], extra) for _ in range(runs)]
                    pauses = [r[0] for r in res]
                    walls = [r[1] for r in res]
                    print("%-34s %7d | %7.0fus %7.0fus | %6.1fms %6.1fms | %8d" % (
                        "%s busy=%d %s" % (variant, busy, mode), res[0][3],
                        statistics.median(pauses), pct(pauses, 0.9),
                        statistics.median(walls), pct(walls, 0.9), max(r[2] for r in res)))
            finally:
                targets.stop(p)


if __name__ == "__main__":
    main()
