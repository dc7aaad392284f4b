#!/usr/bin/env python3
"""bench/census.py - the census of `mapdiag scan` (issue 15) on a generated
service whose maps live mostly in the locals of parked goroutines, next to a
heap of 1 or 2 GiB that holds no map; and gdb printing one such map.

    python3 bench/census.py [runs] [--markdown] [--json FILE] [--gdb-runs N]
                            [--configs swiss-5k-1g,...] [--keep-going]

The target is bench/census (module example.com/census, standard library
only; its doc comment says where each map lives), built incrementally into
bench/build/census-go1.NN/census with go1.26 (Swiss maps) and go1.23
(classic hmap). Configurations (maps, heap): Swiss 5,000 and 100,000 maps
with 1 and 2 GiB of heap, classic 100,000 maps with 1 GiB; 1,000 parked
goroutines each. For each one the target is started afresh, then:

  mapdiag cold   `mapdiag scan PID --json` with XDG_CACHE_HOME a fresh empty
                 directory (the DWARF cache cold); the first run after the
                 target starts is one of them, and is also shown alone
  mapdiag warm   the same, with the directory the first cold run filled
  --consistent   one warm `mapdiag scan PID --json --consistent` (the walk
                 inside the stop)
  gdb            `gdb -p PID -batch -iex 'add-auto-load-safe-path /' -x
                 bench/build/census.gdb -ex 'info goroutines'
                 -ex 'goroutine GOID mdprobe'`: the Go runtime's gdb script
                 (runtime-gdb.py, auto-loaded) lists the goroutines, then runs
                 mdprobe (`frame function main.probe`, `print m`) with the
                 goroutine's saved pc and sp; GOID is the probe goroutine's
                 id, which the target prints (gdb could find it only by a
                 backtrace of each of the 1,000 goroutines)
  dlv            not measured when `dlv` is not installed (it cannot be
                 built here: no module proxy); said so in the table
  no tool        the largest tick gap over a window as long as a warm run:
                 the floor of the pause measurement

runs times each for cold and warm (default 10, interleaved), --gdb-runs
times gdb (default 3). Measured per run:

  pause own      mapdiag's pause_us (first PTRACE_INTERRUPT to last detach)
  pause target   the stop as the target saw it, the same external measure
                 for mapdiag and gdb: two tickers in the target (locked OS
                 threads pinned to CPUs 0 and 1, nanosleep(100 us), 1 ns
                 timer slack, SCHED_FIFO when run as root) log their gaps
                 with what their schedstat says of them; the longest gap
                 that both saw at once, both held off the CPU and woken
                 twice (a stop interrupts the sleep; one of the two may not
                 be, under gdb's SIGSTOP), is the stop (see
                 stop_gap and bench/census/main.go). On this shared VM a
                 single ticker's largest gap, what bench/vs_gdb.py reads, was
                 as often another process's CPU time or a stall of the whole
                 VM as the stop; it is kept in the JSON as max_gap_us
  walk           summary.walk_ms (the census walk, on the running target by
                 default)
  wall, RSS      fork to exit and ru_maxrss, from bench/rusage.c
  bytes walked   summary.bytes_walked (read from the target)
  maps           summary.maps, and of them the target's own (a global root
                 under main., or a stack root in a main. function) against
                 the count the target built

Prints median and p90 of each, the goals next to the numbers (asserts
nothing), the CPU other processes used during each configuration, and with
--markdown the tables as Markdown for BENCHMARKS.md; writes every
measurement to bench/build/census-TIME.json. mapdiag is ./mapdiag (copied to
bench/build/mapdiag.census first), or MAPDIAG=path.
"""
import argparse
import datetime
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
BUILD = os.path.join(HERE, "build")
sys.path.insert(0, HERE)
import gen_large  # noqa: E402
import vs_gdb  # noqa: E402
from vs_gdb import fmt_kib, fmt_ms, fmt_us, log, pct, print_table  # noqa: E402

SRC = os.path.join(HERE, "census")
IMPL = {"1.23": "classic", "1.26": "Swiss"}
# name: (Go release, maps, heap MiB)
CONFIGS = {
    "swiss-5k-1g": ("1.26", 5000, 1024),
    "swiss-5k-2g": ("1.26", 5000, 2048),
    "swiss-100k-1g": ("1.26", 100000, 1024),
    "swiss-100k-2g": ("1.26", 100000, 2048),
    "classic-100k-1g": ("1.23", 100000, 1024),
}
GOROUTINES = 1000
READY_TIMEOUT = 600  # building 2 GiB of ballast takes ~20 s on the VM, more when it is busy
GOAL_PAUSE_MS = {5000: 2.0, 100000: 25.0}
GOAL_COLD_WALL_MS = 3000
GOAL_RSS_MIB_1G = 300

GDB_SCRIPT = """\
# bench/census.py: select the frame of main.probe in the goroutine the
# runtime-gdb.py `goroutine` command switched to, print its local map
define mdprobe
  frame function main.probe
  print m
end
"""


def build_target(gover):
    out = os.path.join(BUILD, "census-go%s" % gover, "census")
    srcs = [os.path.join(SRC, f) for f in ("main.go", "go.mod")]
    if os.path.exists(out) and all(os.path.getmtime(s) <= os.path.getmtime(out) for s in srcs):
        return out
    log("building %s" % out)
    subprocess.run(["go", "build", "-o", out, "."], cwd=SRC, env=gen_large.go_env(gover), check=True)
    return out


class Target:
    """bench/census running: READY {json}, then GAP lines on stdin."""

    def __init__(self, binary, maps, heap_mib):
        argv = [binary, "-maps", str(maps), "-heap", str(heap_mib), "-goroutines", str(GOROUTINES)]
        if os.geteuid() == 0:
            argv.append("-rt")
        self.p = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                  stderr=subprocess.DEVNULL, text=True, bufsize=1)
        t0 = time.monotonic()
        line = self.p.stdout.readline()  # READY comes when it is built: bounded by the build
        if not line.startswith("READY "):
            self.stop()
            raise RuntimeError("%s did not start: %r" % (binary, line))
        self.ready = json.loads(line[len("READY "):])
        self.ready["start_s"] = time.monotonic() - t0
        self.pid = self.ready["pid"]
        time.sleep(0.3)
        self.gap()

    def gap(self):
        """What the tickers logged since the previous call: (stop gap us, when
        it ended Unix ns or None, largest gap us, ticks, the raw gaps)."""
        self.p.stdin.write("GAP\n")
        self.p.stdin.flush()
        d = json.loads(self.p.stdout.readline())
        stop, stop_end, big = stop_gap(d["gaps"])
        return stop, stop_end, big, d["ticks"], d["gaps"]

    def rss_kib(self):
        with open("/proc/%d/status" % self.pid) as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
        return None

    def stop(self):
        try:
            self.p.stdin.write("QUIT\n")
            self.p.stdin.flush()
            self.p.wait(timeout=5)
        except Exception:
            self.p.kill()
            self.p.wait()


PERIOD_NS = 100_000


def stop_gap(gaps):
    """The stop in the tickers' log (see bench/census/main.go): the longest
    gap of either ticker that overlaps a gap of the other, both mostly spent
    neither on a CPU nor waiting for one beyond the sleep, at least one of
    them with a second time on a CPU (a ptrace stop interrupts the sleep; a
    stall of the whole VM does not; gdb's SIGSTOP may catch one ticker
    already awake): (its length in us or 0, when it ended or None, the
    plain largest gap in us)."""
    def off_cpu(g):
        return 2 * g[3] >= g[2] - g[1] - PERIOD_NS
    by = [[g for g in gaps if g[0] == k and off_cpu(g)] for k in (0, 1)]
    stop, end = 0, None
    for x in by[0]:
        for y in by[1]:
            if x[1] < y[2] and y[1] < x[2] and max(x[4], y[4]) >= 2:
                for g in (x, y):
                    if g[2] - g[1] > stop:
                        stop, end = g[2] - g[1], g[2]
    big = max((g[2] - g[1] for g in gaps), default=0)
    return stop / 1000.0, end, big / 1000.0


def own_maps(rep):
    """Maps of the target's own: a global root under main., or a stack root
    in a function of package main."""
    n = 0
    for m in rep.get("maps", []):
        root = m.get("root") or {}
        if root.get("kind") == "stack":
            n += (root.get("function") or "").startswith("main.")
        else:
            n += m.get("path", "").startswith("main.")
    return n


def check_scan(rc, out, err, r):
    if rc not in (0, 1, 2):
        return False, "exit %d: %s" % (rc, err.strip()[:300])
    try:
        rep = json.loads(out)
        s = rep["summary"]
        r["own_us"] = rep["pause_us"]
        r["threads_stopped"] = rep.get("threads_stopped")
        r["reads"] = rep.get("reads")
        for k in ("maps", "bytes_walked", "walk_ms", "goroutines", "frames", "truncated", "unreadable"):
            r[k] = s.get(k)
        r["not_followed"] = {k: v for k, v in s.get("not_followed", {}).items() if v}
        r["own_maps"] = own_maps(rep)
        r["via_interface"] = sum(1 for m in rep["maps"] if m.get("via_interface"))
        r["stack_roots"] = sum(1 for m in rep["maps"] if (m.get("root") or {}).get("kind") == "stack")
        return True, "%d maps" % s["maps"]
    except (ValueError, KeyError, TypeError) as e:
        return False, "bad JSON: %s" % e


def check_gdb(rc, out, err, r):
    ok = rc == 0 and "= map[string]int = {" in out and '["probe-' in out
    r["printed"] = out.count('["probe-')
    r["goroutines_listed"] = sum(1 for line in out.splitlines()
                                 if line[:1] in " *" and line[1:].strip()[:1].isdigit() and
                                 ("waiting" in line or "running" in line or "syscall" in line or
                                  "runnable" in line))
    if not ok:
        return False, "exit %d, map not printed: %s" % (rc, (out + err).strip()[-300:])
    return True, "printed %d entries (print elements limit)" % r["printed"]


def measured(target, argv, env, check):
    """One run of argv against target (as bench/vs_gdb.py's measured, with
    the census target's two tickers): pause_us is the stop gap (both tickers
    at once), max_gap_us the plain largest gap, gap_from/to_ms where the stop
    gap lay from the tool's start."""
    target.gap()
    t0 = time.time_ns()
    wall, rss, rc, out, err = vs_gdb.run_tool(argv, env)
    t1 = time.time_ns()
    time.sleep(0.005)  # the tickers' first ticks after the release
    stop, stop_end, big, ticks, raw = target.gap()
    r = {"pause_us": stop, "max_gap_us": big, "ticks": ticks, "wall_ms": wall,
         "rss_kib": rss, "rc": rc, "own_us": None, "exit_ms": (t1 - t0) / 1e6,
         "gap_from_ms": (stop_end - t0) / 1e6 - stop / 1000 if stop_end else None,
         "gap_to_ms": (stop_end - t0) / 1e6 if stop_end else None,
         "gaps_over_1ms": [[g[0], (g[1] - t0) / 1e6, (g[2] - t0) / 1e6, g[3] / 1e6, g[4]]
                           for g in raw if g[2] - g[1] > 1_000_000]}
    r["ok"], r["note"] = check(rc, out, err, r)
    if not r["ok"]:
        log("  run failed (exit %d): %s %s" % (rc, out[-300:], err[-300:]))
    return r


def stats(rs, key):
    xs = [r[key] for r in rs if r.get("ok") and r.get(key) is not None]
    if not xs:
        return None, None
    return statistics.median(xs), pct(xs, 0.9)


def bench_config(name, mapdiag, runs, gdb_runs, tmp, gdb_script):
    gover, nmaps, heap = CONFIGS[name]
    binary = build_target(gover)
    log("== %s: %s -maps %d -heap %d" % (name, binary, nmaps, heap))
    others = vs_gdb.Others()
    t = Target(binary, nmaps, heap)
    res = {"name": name, "go": gover, "impl": IMPL[gover], "maps": nmaps, "heap_mib": heap,
           "ready": t.ready, "target_rss_kib": t.rss_kib(), "rows": {}}
    log("   ready in %.1f s: heap %.0f MiB, %d goroutines, RSS %s" % (
        t.ready["start_s"], t.ready["heap_mib"], t.ready["goroutines"], fmt_kib(res["target_rss_kib"])))
    base = dict(os.environ)
    base.pop("MAPDIAG_CACHE_DIR", None)
    warm_dir = None

    def env_cache(d):
        e = dict(base)
        e["XDG_CACHE_HOME"] = d
        return e

    def fresh():
        return tempfile.mkdtemp(prefix="cold-", dir=tmp)

    scan = [mapdiag, "scan", str(t.pid), "--json"]
    rows = {k: [] for k in ("cold", "warm", "consistent", "gdb", "floor")}
    try:
        for i in range(runs):
            d = fresh()
            r = measured(t, scan, env_cache(d), check_scan)
            r["first"] = i == 0
            rows["cold"].append(r)
            if warm_dir is None:
                warm_dir = d
            else:
                shutil.rmtree(d, ignore_errors=True)
            rows["warm"].append(measured(t, scan, env_cache(warm_dir), check_scan))
            log("   run %d: cold %s wall, warm %s wall, pause %s own / %s target, %s maps" % (
                i + 1, fmt_ms(rows["cold"][-1]["wall_ms"]), fmt_ms(rows["warm"][-1]["wall_ms"]),
                fmt_us(rows["warm"][-1].get("own_us")), fmt_us(rows["warm"][-1]["pause_us"]),
                rows["warm"][-1].get("maps")))
        rows["consistent"].append(measured(t, scan + ["--consistent"], env_cache(warm_dir),
                                                  check_scan))
        log("   --consistent: pause %s own / %s target" % (
            fmt_us(rows["consistent"][-1].get("own_us")), fmt_us(rows["consistent"][-1]["pause_us"])))
        gdb = ["gdb", "-p", str(t.pid), "-batch", "-nx", "-iex", "add-auto-load-safe-path /",
               "-x", gdb_script, "-ex", "info goroutines",
               "-ex", "goroutine %d mdprobe" % t.ready["probe_goid"]]
        for _ in range(gdb_runs):
            rows["gdb"].append(measured(t, gdb, base, check_gdb))
            log("   gdb: wall %s, pause %s target, %s" % (
                fmt_ms(rows["gdb"][-1]["wall_ms"]), fmt_us(rows["gdb"][-1]["pause_us"]),
                rows["gdb"][-1]["note"]))
        window = (stats(rows["warm"], "wall_ms")[0] or 100) / 1000
        for _ in range(runs):
            t.gap()
            time.sleep(window)
            stop, _end, big, _n, _raw = t.gap()
            rows["floor"].append({"ok": True, "pause_us": stop, "max_gap_us": big,
                                  "wall_ms": window * 1000})
    finally:
        t.stop()
        if warm_dir:
            shutil.rmtree(warm_dir, ignore_errors=True)
    res["rows"] = rows
    res["others"] = others.result()
    res["gdb_cmd"] = " ".join("'%s'" % a if " " in a else a for a in gdb)
    log("   " + vs_gdb.others_text(res["others"]))
    return res


def fmt_pair(p, f):
    return "-" if p[0] is None else "%s / %s" % (f(p[0]), f(p[1]))


def fmt_bytes(v):
    if v is None:
        return "-"
    if v >= 1 << 20:
        return "%.1f MiB" % (v / (1 << 20))
    return "%.0f KiB" % (v / 1024)


def config_title(res):
    rd = res["ready"]
    return ("%s: go%s (%s), %s maps, heap %d MiB (live %.0f MiB, target RSS %s), %d goroutines "
            "(%d parked workers); the target's maps: %d in goroutine locals, %d behind interfaces, "
            "%d in map values" % (
                res["name"], res["go"], res["impl"], "{:,}".format(res["maps"]), res["heap_mib"],
                rd["heap_mib"], fmt_kib(res["target_rss_kib"]), rd["goroutines"], rd["workers"],
                rd["locals"], rd["interfaces"], rd["map_values"]))


def config_rows(res):
    R = res["rows"]
    hdr = ["tool", "ok", "pause own med / p90", "pause target med / p90", "walk med / p90",
           "wall med / p90", "peak RSS med", "bytes walked", "maps found (target's)"]
    out = []

    def mrow(label, rs):
        ok = sum(1 for r in rs if r.get("ok"))
        last = next((r for r in reversed(rs) if r.get("ok")), {})
        found = "-"
        if last.get("maps") is not None:
            found = "%s (%s of %s)" % ("{:,}".format(last["maps"]), "{:,}".format(last["own_maps"]),
                                        "{:,}".format(res["maps"]))
        rss = stats(rs, "rss_kib")[0]
        out.append([label, "%d/%d" % (ok, len(rs)), fmt_pair(stats(rs, "own_us"), fmt_us),
                    fmt_pair(stats(rs, "pause_us"), fmt_us), fmt_pair(stats(rs, "walk_ms"), fmt_ms),
                    fmt_pair(stats(rs, "wall_ms"), fmt_ms), fmt_kib(rss),
                    fmt_bytes(stats(rs, "bytes_walked")[0]), found])

    first = [r for r in R["cold"] if r.get("first")]
    mrow("mapdiag cold, first run", first)
    mrow("mapdiag cold", R["cold"])
    mrow("mapdiag warm", R["warm"])
    mrow("mapdiag warm --consistent", R["consistent"])
    g = R["gdb"]
    ok = sum(1 for r in g if r.get("ok"))
    out.append(["gdb (one map, one goroutine)", "%d/%d" % (ok, len(g)), "-",
                fmt_pair(stats(g, "pause_us"), fmt_us), "-", fmt_pair(stats(g, "wall_ms"), fmt_ms),
                fmt_kib(stats(g, "rss_kib")[0]), "-",
                "1 (printed %d of %d entries)" % (g[-1].get("printed", 0), res["ready"]["probe_entries"])
                if g and g[-1].get("ok") else "-"])
    dlv = shutil.which("dlv")
    dlv = shutil.which("dlv")
    out.append(["dlv", "-", "-", "-", "-", "-", "-", "-",
                "not measured: " + ("no delve driver in this script (dlv is %s)" % dlv if dlv else
                                    "not installed (`which dlv`: none; no module proxy to build it)")])
    out.append(["no tool (floor)", "%d/%d" % (len(R["floor"]), len(R["floor"])), "-",
                fmt_pair(stats(R["floor"], "pause_us"), fmt_us), "-",
                "(%s window)" % fmt_ms(stats(R["floor"], "wall_ms")[0]), "-", "-", "-"])
    return hdr, out


def notes(res):
    """What the last warm run says it could not follow, and where it looked."""
    w = next((r for r in reversed(res["rows"]["warm"]) if r.get("ok")), None)
    if not w:
        return "no warm run succeeded"
    return ("last warm run: %s goroutines, %s frames, %d maps through interfaces, %d from stack roots, "
            "%s reads in the stop, %s threads stopped; not followed: %s" % (
                w.get("goroutines"), w.get("frames"), w.get("via_interface", 0), w.get("stack_roots", 0),
                w.get("reads"), w.get("threads_stopped"),
                ", ".join("%s %d" % kv for kv in sorted(w.get("not_followed", {}).items())) or "nothing"))


def goals(results):
    out = []

    def g(text, ok, detail):
        out.append("- %s: %s: %s" % ("met" if ok else "**NOT met**", text, detail))
    by = {r["name"]: r for r in results}
    for res in results:
        goal = GOAL_PAUSE_MS.get(res["maps"])
        med = stats(res["rows"]["warm"] + res["rows"]["cold"], "own_us")[0]
        if goal and med is not None:
            g("%s: default pause <= %g ms" % (res["name"], goal), med <= goal * 1000,
              "%s (own, median of cold and warm runs; %.2f× the goal)" % (fmt_us(med), med / goal / 1000))
        cold = stats(res["rows"]["cold"], "wall_ms")
        first = [r["wall_ms"] for r in res["rows"]["cold"] if r.get("first") and r.get("ok")]
        if cold[0] is not None:
            worst = max([cold[1]] + first)
            g("%s: wall <= %.0f s cold" % (res["name"], GOAL_COLD_WALL_MS / 1000),
              worst <= GOAL_COLD_WALL_MS,
              "median %s, p90 %s, first run %s (%.2f× the goal at p90)" % (
                  fmt_ms(cold[0]), fmt_ms(cold[1]), fmt_ms(first[0]) if first else "-",
                  worst / GOAL_COLD_WALL_MS))
        if res["heap_mib"] == 1024:
            meds = {k: stats(res["rows"][k], "rss_kib")[0] for k in ("cold", "warm")}
            meds = {k: v for k, v in meds.items() if v is not None}
            cons = stats(res["rows"]["consistent"], "rss_kib")[0]
            if meds:
                worst = max(meds, key=meds.get)
                g("%s: peak RSS <= %d MiB on the 1 GiB heap" % (res["name"], GOAL_RSS_MIB_1G),
                  meds[worst] <= GOAL_RSS_MIB_1G * 1024,
                  "%s (the larger median, %s runs; %.2f× the goal; --consistent %s)" % (
                      fmt_kib(meds[worst]), worst, meds[worst] / 1024 / GOAL_RSS_MIB_1G,
                      fmt_kib(cons)))
        found = [r["own_maps"] for r in res["rows"]["warm"] if r.get("ok")]
        if found:
            g("%s: every map of the target found" % res["name"], min(found) >= res["maps"],
              "%s of %s (fewest in a warm run)" % ("{:,}".format(min(found)), "{:,}".format(res["maps"])))
    for a, b in (("swiss-5k-1g", "swiss-5k-2g"), ("swiss-100k-1g", "swiss-100k-2g")):
        if a in by and b in by:
            pa = stats(by[a]["rows"]["warm"], "own_us")[0]
            pb = stats(by[b]["rows"]["warm"], "own_us")[0]
            if pa and pb:
                g("%s vs %s: pause independent of heap size (taken as within 25%%)" % (a, b),
                  abs(pb - pa) <= 0.25 * min(pa, pb),
                  "warm medians %s (1 GiB) and %s (2 GiB): %+.0f%%" % (fmt_us(pa), fmt_us(pb),
                                                                         100.0 * (pb - pa) / pa))
    return out


def report(results, meta, markdown):
    print()
    print("machine: %(nproc)d vCPUs, %(cpu)s, %(mem_gib)s GiB, Linux %(kernel)s, VM %(vm)s; %(gdb)s" % meta["machine"])
    print("mapdiag: %s (%s)" % (meta["mapdiag"], meta["mapdiag_rev"]))
    print("runs: %d cold and %d warm per configuration (interleaved), one --consistent, %d gdb" % (
        meta["runs"], meta["runs"], meta["gdb_runs"]))
    print("gdb: %s" % (results[0]["gdb_cmd"] if results else "-"))
    for res in results:
        print()
        print(config_title(res))
        print()
        hdr, rows = config_rows(res)
        print_table(hdr, rows, False)
        print("(%s; %s)" % (notes(res), vs_gdb.others_text(res["others"])))
    print()
    print("goals (not asserted):")
    for line in goals(results):
        print(line)
    if markdown:
        print()
        print("---- Markdown ----")
        for res in results:
            print()
            print(config_title(res))
            print()
            hdr, rows = config_rows(res)
            print_table(hdr, rows, True)
            print()
            print("(%s; %s)" % (notes(res), vs_gdb.others_text(res["others"])))
        print()
        for line in goals(results):
            print(line)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("runs", nargs="?", type=int, default=10)
    ap.add_argument("--gdb-runs", type=int, default=3)
    ap.add_argument("--configs", default=",".join(CONFIGS), help="comma-separated, of: " + ", ".join(CONFIGS))
    ap.add_argument("--markdown", action="store_true")
    ap.add_argument("--json", help="where to write every measurement (default bench/build/census-TIME.json)")
    a = ap.parse_args()
    names = [n for n in a.configs.split(",") if n]
    for n in names:
        if n not in CONFIGS:
            ap.error("unknown configuration %s" % n)
    os.makedirs(BUILD, exist_ok=True)
    vs_gdb.build_rusage()
    src = os.environ.get("MAPDIAG") or os.path.join(ROOT, "mapdiag")
    if not os.environ.get("MAPDIAG") and not os.path.exists(src):
        subprocess.run(["make", "-C", ROOT, "mapdiag"], check=True)
    mapdiag = os.path.join(BUILD, "mapdiag.census")
    shutil.copy2(src, mapdiag)
    gdb_script = os.path.join(BUILD, "census.gdb")
    with open(gdb_script, "w") as f:
        f.write(GDB_SCRIPT)
    for gover in sorted({CONFIGS[n][0] for n in names}):
        build_target(gover)
    meta = {"machine": vs_gdb.machine(), "mapdiag": src, "runs": a.runs, "gdb_runs": a.gdb_runs,
            "mapdiag_rev": vs_gdb.git_rev(src) if not os.environ.get("MAPDIAG") else "MAPDIAG",
            "started": datetime.datetime.now().isoformat(timespec="seconds"), "argv": sys.argv}
    results = []
    t0 = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="census-") as tmp:
        for n in names:
            results.append(bench_config(n, mapdiag, a.runs, a.gdb_runs, tmp, gdb_script))
    meta["seconds"] = time.monotonic() - t0
    out = a.json or os.path.join(BUILD, "census-%s.json" % time.strftime("%Y%m%d-%H%M%S"))
    with open(out, "w") as f:
        json.dump({"meta": meta, "results": results}, f, indent=1)
    report(results, meta, a.markdown)
    print()
    print("every measurement: %s; %.0f s in all" % (os.path.relpath(out, ROOT), meta["seconds"]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
