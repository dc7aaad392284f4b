#!/usr/bin/env python3
"""What looking for writers parked mid-write costs: attach to
testdata/writers -mode stale -idle N (main.stale's writing flag is always
set and no thread writes it, so every attach reads allgs in the stop and
walks every parked goroutine after it), alternating OLD and NEW mapdiag.

    python3 bench/parked.py N [OLD [NEW [VARIANT]]]
        (defaults: /work/main/mapdiag, ./mapdiag, go1.26; 15 rounds)

Prints, per binary, the pause (median, p90) and the wall time (median).
"""
import json
import os
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tests", "integration"))
import targets  # noqa: E402


def main():
    idle = int(sys.argv[1])
    old = sys.argv[2] if len(sys.argv) > 2 else "/work/main/mapdiag"
    new = sys.argv[3] if len(sys.argv) > 3 else os.path.join(HERE, "..", "mapdiag")
    variant = sys.argv[4] if len(sys.argv) > 4 else "go1.26"
    p, o = targets.start(targets.writers(variant), args=["-mode", "stale", "-idle", str(idle)],
                         timeout=120)
    pause, wall = {"old": [], "new": []}, {"old": [], "new": []}
    try:
        for _ in range(15):
            for name, b in (("old", old), ("new", new)):
                t0 = time.time()
                out = subprocess.run([b, "attach", "--json", str(o["pid"]), "main.stale"],
                                     capture_output=True, text=True).stdout
                wall[name].append((time.time() - t0) * 1000)
                pause[name].append(json.loads(out)["pause_us"])
    finally:
        targets.stop(p)
    for n in ("old", "new"):
        xs = sorted(pause[n])
        print("%s idle=%d pause median %.0f us p90 %.0f us, wall median %.1f ms" %
              (n, idle, statistics.median(xs), xs[int(len(xs) * 0.9)], statistics.median(wall[n])))


if __name__ == "__main__":
    main()
