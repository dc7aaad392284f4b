#!/usr/bin/env python3
"""bench/watch_reads.py - how fast watch reads headers without stopping.

    python3 bench/watch_reads.py [samples]

Runs `mapdiag watch --interval 1us --count N` (as fast as it can go) on 1
and on 4 maps of an idle classic (go1.23) and Swiss (go1.26) target, pinned
to one core with taskset, and prints samples/s, header reads/s (every sample
reads every header twice, to detect torn reads) and read system calls per
sample.  Prints numbers; asserts nothing.
"""
import json
import os
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tests", "integration"))
import targets  # noqa: E402

MAPDIAG = os.path.join(ROOT, "mapdiag")
SETS = {1: ["main.idle"], 4: ["main.idle", "main.small", "main.holder.m", "main.named"]}


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 200000
    print("machine: %d cores; %d samples per run, mapdiag pinned to cpu 0" % (os.cpu_count(), n))
    print("%-8s %5s | %11s %15s %13s" % ("target", "maps", "samples/s", "header reads/s",
                                          "syscalls/sample"))
    for variant in ("go1.23", "go1.26"):
        p, oracle = targets.start(targets.binary(variant), args=["-threads", "0"])
        try:
            for k, exprs in SETS.items():
                t0 = time.perf_counter()
                r = subprocess.run(["taskset", "-c", "0", MAPDIAG, "watch", "--json",
                                    "--interval", "1us", "--every", "1h", "--count", str(n),
                                    str(oracle["pid"])] + exprs, capture_output=True, text=True)
                dt = time.perf_counter() - t0
                final = json.loads(r.stdout.splitlines()[-1])
                el = final["elapsed_s"]
                samples = sum(m["samples"] + m["torn"] for m in final["maps"]) / k
                print("%-8s %5d | %11.0f %15.0f %13.1f   (wall %.2fs)" % (
                    variant, k, samples / el, 2 * k * samples / el,
                    final["reads"] / max(samples, 1), dt))
        finally:
            targets.stop(p)


if __name__ == "__main__":
    main()
