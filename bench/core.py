#!/usr/bin/env python3
"""bench/core.py - mapdiag on a core file (issue 18): a 1 GiB core of the
census bench target (bench/census: 5,000 maps mostly on parked goroutines'
stacks, 1,000 goroutines, 1 GiB of ballast), cored with gdb's gcore, then

  attach cold    `mapdiag attach --core CORE main.sessionIndex` with a fresh
                 DWARF cache (MAPDIAG_CACHE_DIR empty)
  attach warm    the same with the cache the cold run filled
  scan           `mapdiag scan --core CORE --json` (the census of the core),
                 warm
  gdb            `gdb -nx -batch -ex "print 'main.sessionIndex'" EXE CORE`, the
                 same map printed by the debugger most people have
  dlv            `dlv core EXE CORE` given `print main.sessionIndex` and
                 `exit` on stdin (Debian's delve; --check-go-version=false,
                 as delve 1.20 predates the newer releases); what it
                 printed is shown once, since an older delve may not
                 decode a newer runtime's maps

    python3 bench/core.py [runs] [--maps N] [--heap MiB] [--go 1.26] [--keep CORE]

Each is run `runs` times (default 5); wall time and peak RSS come from
bench/rusage.c (fork to exit, ru_maxrss). Prints medians and the goals of
issue 18 next to them (attach warm <= 50 ms, scan <= 3 s, RSS <= 200 MiB);
asserts nothing.
"""
import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import census  # noqa: E402
import vs_gdb  # noqa: E402

MAPDIAG = os.path.join(HERE, "..", "mapdiag")
VAR = "main.sessionIndex"


DLV_INPUT = "print %s\nexit\n" % VAR


def dlv_cmd(exe, core):
    return ["dlv", "core", exe, core, "--check-go-version=false",
            "--allow-non-terminal-interactive=true"]


def measure(cmd, env=None):
    """(wall ms, peak RSS MiB, exit code) of cmd, through bench/rusage."""
    stdin = subprocess.DEVNULL
    if cmd[0] == "dlv":
        stdin = tempfile.TemporaryFile("w+")
        stdin.write(DLV_INPUT)
        stdin.seek(0)
    with tempfile.NamedTemporaryFile("r", suffix=".rusage") as f:
        r = subprocess.run([vs_gdb.RUSAGE, f.name] + cmd, stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL, env=env, stdin=stdin)
        wall_ns, rss_kib, _ = f.read().split()
    return int(wall_ns) / 1e6, int(rss_kib) / 1024.0, r.returncode


def med(xs):
    return statistics.median(xs) if xs else float("nan")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("runs", nargs="?", type=int, default=5)
    ap.add_argument("--maps", type=int, default=5000)
    ap.add_argument("--heap", type=int, default=1024)
    ap.add_argument("--go", default="1.26")
    ap.add_argument("--keep", help="keep the core at this path")
    a = ap.parse_args()
    vs_gdb.build_rusage()
    exe = census.build_target(a.go)
    tmp = tempfile.mkdtemp(prefix="md-bench-core-")
    try:
        t = census.Target(exe, a.maps, a.heap)
        try:
            t0 = time.monotonic()
            r = subprocess.run(["gcore", "-o", os.path.join(tmp, "core"), str(t.pid)],
                               capture_output=True, text=True)
            gcore_s = time.monotonic() - t0
            core = os.path.join(tmp, "core.%d" % t.pid)
            if r.returncode or not os.path.exists(core):
                sys.exit("gcore failed: %s" % r.stderr[-300:])
        finally:
            t.stop()
        size = os.path.getsize(core) / 2**30
        print("core: go%s, %d maps, %d MiB heap: %.2f GiB, gcore took %.1f s"
              % (a.go, a.maps, a.heap, size, gcore_s))
        cache = os.path.join(tmp, "cache")
        env = dict(os.environ, MAPDIAG_CACHE_DIR=cache)
        dlv = shutil.which("dlv")
        rows = {k: ([], []) for k in ("attach cold", "attach warm", "scan", "gdb") +
                (("dlv core",) if dlv else ())}
        codes = {}
        for _ in range(a.runs):
            shutil.rmtree(cache, ignore_errors=True)
            os.makedirs(cache)
            for k, cmd in (("attach cold", [MAPDIAG, "attach", "--core", core, VAR]),
                           ("attach warm", [MAPDIAG, "attach", "--core", core, VAR]),
                           ("scan", [MAPDIAG, "scan", "--core", core, "--json"]),
                           ("gdb", ["gdb", "-nx", "-batch", "-ex", "print '%s'" % VAR, exe, core]),
                           ("dlv core", dlv_cmd(exe, core))):
                if k not in rows:
                    continue
                w, rss, rc = measure(cmd, env)
                rows[k][0].append(w)
                rows[k][1].append(rss)
                codes[k] = rc
        goals = {"attach warm": "<= 50 ms", "scan": "<= 3000 ms", "attach cold": "",
                 "gdb": "", "dlv core": ""}
        print("| command | wall median (ms) | peak RSS median (MiB) | exit | goal |")
        print("|---|---|---|---|---|")
        for k, (w, rss) in rows.items():
            print("| %s | %.1f | %.1f | %d | %s%s |" % (k, med(w), med(rss), codes[k], goals[k],
                  "; RSS <= 200 MiB" if k in ("attach warm", "scan") else ""))
        if not dlv:
            print("| dlv core | not measured: dlv is not installed | | | |")
        else:
            r = subprocess.run(dlv_cmd(exe, core), input=DLV_INPUT, capture_output=True,
                               text=True, timeout=300)
            out = " ".join((r.stdout + r.stderr).split())
            i = out.find("map[")
            for key in ("map[", "panic", "Command failed", "could not"):
                i = out.find(key)
                if i >= 0:
                    break
            print("dlv printed: %s" % (out[i:i + 240] if i >= 0 else out[-300:]))
        if a.keep:
            shutil.move(core, a.keep)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
