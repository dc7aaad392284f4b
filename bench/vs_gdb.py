#!/usr/bin/env python3
"""bench/vs_gdb.py - mapdiag against gdb on the same live target, in one run.

    python3 bench/vs_gdb.py [--runs N] [--gdb-large-runs N] [--quick] [--markdown] [--rev REV]
                            [--large 1.26,1.23 | --large none] [--json FILE]

Builds what is missing (bench/target for go1.23 and go1.26, the generated
large program of bench/gen_large.py for the --large releases; cached), then
for each target starts it with 8 busy threads and, in rounds (every tool once
per round, so drift of the machine spreads evenly), runs

  mapdiag cold    mapdiag attach --json PID main.cache, MAPDIAG_CACHE_DIR a
                  fresh empty directory
  mapdiag warm    the same with a populated MAPDIAG_CACHE_DIR
  --no-threads    mapdiag attach --json --no-threads PID main.cache, warm
  gdb             gdb -p PID -batch -ex "p *'main.cache'"
  no tool         nothing, for as long as mapdiag warm took (the floor of the
                  pause measurement)

and measures for each run

  pause   the largest gap between two ticks of the target's ticker thread
          (a locked OS thread doing nanosleep(100us) with 1ns timer slack)
          while the tool ran: the target is sent "GAP" before the tool (reset)
          and after it (read). A stop shows up as one gap = pause + up to one
          tick period + the ticker's wake-up latency.
  own     mapdiag's own pause_us (first PTRACE_INTERRUPT to last detach)
  wall    fork to exit of the command
  rss     the tool's peak resident set, ru_maxrss from os.wait4

then the pause against the number of threads (bench/target go1.26, -threads
1, 8, 64, 256) with a least-squares line pause = a + b*threads.

Prints medians, the ratios gdb/mapdiag and the goals met or not; with
--markdown also the tables as Markdown (for BENCHMARKS.md). Asserts nothing.
mapdiag is copied to bench/build/ at the start, so that a rebuild during the
run changes nothing; MAPDIAG=path picks another binary.
"""
import argparse
import datetime
import json
import os
import platform
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
BUILD = os.path.join(HERE, "build")
sys.path.insert(0, HERE)
import gen_large  # noqa: E402

VAR = "main.cache"
SMALL_RELEASES = ["1.23", "1.26"]
IMPL = {"1.23": "classic", "1.26": "Swiss"}
SWEEP_THREADS = [1, 8, 64, 256]
BUSY_US, SLEEP_US = 200, 1000  # the busy threads: 200us compute, 1ms sleep
TOOL_TIMEOUT = 900
RT = True  # the ticker's thread SCHED_FIFO (--ticker)


def log(*a):
    print(*a, file=sys.stderr, flush=True)


class Others:
    """CPU used by other processes (not this script, its targets and tools)
    while a section ran: busy time of the machine from /proc/stat minus the
    user+sys time of this process and its reaped children. Also steal time
    (the hypervisor running someone else on our vCPUs)."""

    HZ = os.sysconf("SC_CLK_TCK")

    @staticmethod
    def _sample():
        with open("/proc/stat") as f:
            v = [int(x) for x in f.readline().split()[1:]]
        user, nice, system, idle, iowait, irq, softirq, steal = v[:8]
        busy = (user + nice + system + irq + softirq) / Others.HZ
        own = 0.0
        for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN):
            ru = resource.getrusage(who)
            own += ru.ru_utime + ru.ru_stime
        return time.monotonic(), busy, steal / Others.HZ, own

    def __init__(self):
        self.t0 = self._sample()

    def result(self):
        t1 = self._sample()
        secs = t1[0] - self.t0[0]
        cpus = os.cpu_count()
        other = max(0.0, (t1[1] - self.t0[1]) - (t1[3] - self.t0[3]))
        return {"seconds": secs, "others_cores": other / secs, "steal_cores": (t1[2] - self.t0[2]) / secs,
                "others_pct": 100.0 * other / secs / cpus}


def others_text(o):
    return "other processes used %.2f of %d cores (%.0f%%), steal %.2f, over %.0f s" % (
        o["others_cores"], os.cpu_count(), o["others_pct"], o["steal_cores"], o["seconds"])


# ---------------------------------------------------------------- building

def build_small(gover):
    out = os.path.join(BUILD, "small-go%s" % gover, "benchtarget")
    srcs = [os.path.join(HERE, "target", f) for f in ("main.go", "go.mod")]
    if os.path.exists(out) and all(os.path.getmtime(s) <= os.path.getmtime(out) for s in srcs):
        return out
    log("building %s" % out)
    subprocess.run(["go", "build", "-o", out, "."], cwd=os.path.join(HERE, "target"),
                   env=gen_large.go_env(gover), check=True)
    return out


def mapdiag_at(rev):
    """Build mapdiag as it is at git revision rev (git archive of src/,
    dwarf/, cmd/ and the Makefile into bench/build/rev-HASH, then make);
    returns (path, full hash)."""
    full = subprocess.run(["git", "-C", ROOT, "rev-parse", "--verify", rev + "^{commit}"],
                          capture_output=True, text=True, check=True).stdout.strip()
    d = os.path.join(BUILD, "rev-" + full[:12])
    binary = os.path.join(d, "mapdiag")
    if not os.path.exists(binary):
        log("building mapdiag at %s in %s" % (full[:12], d))
        shutil.rmtree(d, ignore_errors=True)
        os.makedirs(d)
        arch = subprocess.run(["git", "-C", ROOT, "archive", full, "src", "dwarf", "cmd", "Makefile"],
                              capture_output=True, check=True).stdout
        subprocess.run(["tar", "-x", "-C", d], input=arch, check=True)
        subprocess.run(["make", "-s", "-C", d, "-j2", "mapdiag"], check=True)
    return binary, full


def mapdiag_binary(rev=None):
    src = os.environ.get("MAPDIAG")
    if rev:
        src, _ = mapdiag_at(rev)
    elif not src:
        src = os.path.join(ROOT, "mapdiag")
        if not os.path.exists(src):
            log("building mapdiag")
            subprocess.run(["make", "-C", ROOT, "mapdiag"], check=True)
    os.makedirs(BUILD, exist_ok=True)
    dst = os.path.join(BUILD, "mapdiag.bench")
    shutil.copy2(src, dst)
    return src, dst


# ---------------------------------------------------------------- target

class Target:
    """A running bench target: READY <pid>, then GAP lines on stdin."""

    def __init__(self, binary, threads=8, busy_us=BUSY_US, sleep_us=SLEEP_US, tick="nanosleep",
                 rt=None):
        if rt is None:
            rt = RT
        self.binary = binary
        self.threads = threads
        self.p = subprocess.Popen(
            [binary, "-threads", str(threads), "-busy", "%dus" % busy_us,
             "-sleep", "%dus" % sleep_us, "-tick", tick] + (["-rt"] if rt else []),
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
            text=True, bufsize=1)
        line = self.p.stdout.readline()
        if not line.startswith("READY "):
            self.stop()
            raise RuntimeError("%s did not start: %r" % (binary, line))
        self.pid = int(line.split()[1])
        time.sleep(0.3)  # threads settled
        self.gap()

    def gap(self, end=False):
        """(largest tick gap in us, ticks) since the previous call, and with
        end=True when the gap ended (Unix ns)."""
        self.p.stdin.write("GAP\n")
        self.p.stdin.flush()
        g, n, e = self.p.stdout.readline().split()
        if end:
            return int(g) / 1000.0, int(n), int(e)
        return int(g) / 1000.0, int(n)

    def alive(self):
        return self.p.poll() is None

    def threads_now(self):
        return len(os.listdir("/proc/%d/task" % self.pid))

    def stop(self):
        try:
            self.p.stdin.write("QUIT\n")
            self.p.stdin.flush()
            self.p.wait(timeout=2)
        except Exception:
            self.p.kill()
            self.p.wait()


RUSAGE = os.path.join(BUILD, "rusage")
STOPFLOOR = os.path.join(BUILD, "stopfloor")


def build_rusage():
    """bench/rusage.c and bench/stopfloor.c, when missing or older."""
    for exe, name in ((RUSAGE, "rusage.c"), (STOPFLOOR, "stopfloor.c")):
        src = os.path.join(HERE, name)
        if not os.path.exists(exe) or os.path.getmtime(exe) < os.path.getmtime(src):
            os.makedirs(BUILD, exist_ok=True)
            subprocess.run(["cc", "-O2", "-Wall", "-o", exe, src], check=True)


def children(pid):
    """The pids whose parent is pid."""
    out = []
    for d in os.listdir("/proc"):
        if d.isdigit():
            try:
                with open("/proc/%s/stat" % d) as f:
                    if int(f.read().rsplit(")", 1)[1].split()[1]) == pid:
                        out.append(int(d))
            except (OSError, ValueError, IndexError):
                pass
    return out


def run_tool(argv, env=None, timeout=TOOL_TIMEOUT):
    """Run argv under bench/rusage.c; (wall ms, peak RSS KiB, exit code,
    stdout, stderr). Wall is fork to wait4 in the helper (Python's own
    spawn not counted)."""
    fd, stats = tempfile.mkstemp(prefix="rusage-")
    os.close(fd)
    q = subprocess.Popen([RUSAGE, stats] + list(argv), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                         stdin=subprocess.DEVNULL, env=env)
    bufs = {}

    def drain(name, f):
        bufs[name] = f.read()
    ts = [threading.Thread(target=drain, args=(n, f)) for n, f in (("out", q.stdout), ("err", q.stderr))]
    for t in ts:
        t.start()
    def kill():  # the tool (the helper's only child), by its pid
        for pid in children(q.pid):
            try:
                os.kill(pid, 9)
            except ProcessLookupError:
                pass
    killer = threading.Timer(timeout, kill)
    killer.start()
    q.wait()
    killer.cancel()
    for t in ts:
        t.join()
    try:
        with open(stats) as f:
            ns, rss, _ = f.read().split()
        wall, rss = int(ns) / 1e6, int(rss)
    except ValueError:
        wall, rss = None, None
    os.unlink(stats)
    return wall, rss, q.returncode, bufs["out"].decode(errors="replace"), bufs["err"].decode(errors="replace")


def measured(target, argv, env=None, check=None, timeout=TOOL_TIMEOUT):
    """One run of argv against target: a dict of pause (target-measured gap),
    wall, rss, own (mapdiag's pause_us) and ok."""
    target.gap()
    t0 = time.time_ns()
    wall, rss, rc, out, err = run_tool(argv, env, timeout)
    t1 = time.time_ns()
    time.sleep(0.005)  # the ticker's first tick after the release
    gap, ticks, end = target.gap(end=True)
    # where the largest gap lies: its start and end in ms from the tool's
    # start (the tool's exit is at about wall)
    r = {"pause_us": gap, "ticks": ticks, "wall_ms": wall, "rss_kib": rss, "rc": rc, "own_us": None,
         "gap_from_ms": (end - t0) / 1e6 - gap / 1000, "gap_to_ms": (end - t0) / 1e6,
         "exit_ms": (t1 - t0) / 1e6}
    r["ok"], r["note"] = check(rc, out, err, r) if check else (rc == 0, "")
    if not r["ok"]:
        log("  run failed (exit %d): %s %s" % (rc, out[-300:], err[-300:]))
    return r


def sampled_rss(argv, env=None, timeout=TOOL_TIMEOUT):
    """Run argv once, polling /proc/PID/status every 0.5 ms: the peaks of
    RssAnon and RssFile in KiB (the polling costs CPU, so these runs are
    separate from the timed ones)."""
    q = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                         stdin=subprocess.DEVNULL, env=env)
    peak = {"RssAnon": 0, "RssFile": 0}
    name = os.path.basename(argv[0])[:15]
    t_end = time.monotonic() + timeout
    while q.poll() is None and time.monotonic() < t_end:
        try:
            with open("/proc/%d/status" % q.pid) as f:
                st = dict(line.split(":", 1) for line in f)
            if st["Name"].strip() == name:  # after the exec: not Python's memory
                for k in peak:
                    peak[k] = max(peak[k], int(st[k].split()[0]))
        except (OSError, ValueError, IndexError, KeyError):
            pass
        time.sleep(0.0005)
    if q.poll() is None:
        q.kill()
    q.wait()
    return {"anon_kib": peak["RssAnon"], "file_kib": peak["RssFile"]}


def check_mapdiag(rc, out, err, r):
    if rc not in (0, 1, 2):
        return False, "exit %d: %s" % (rc, err.strip()[:200])
    try:
        rep = json.loads(out)
        r["own_us"] = rep["pause_us"]
        r["threads_stopped"] = rep.get("threads_stopped")
        m = rep["maps"][0]
        hdr = m.get("header") or {}
        n = hdr.get("count", hdr.get("used"))
        return n == 100000, "%s %s entries" % (m.get("impl"), n)
    except (ValueError, KeyError, IndexError, TypeError) as e:
        return False, "bad JSON: %s" % e


def check_floor(rc, out, err, r):
    """bench/stopfloor.c: a bare ptrace stop of every thread."""
    try:
        rep = json.loads(out)
        r["own_us"] = rep["pause_us"]
        r["threads_stopped"] = rep["threads_stopped"]
        return rc == 0 and rep["threads_stopped"] > 0, "%d threads" % rep["threads_stopped"]
    except (ValueError, KeyError, TypeError) as e:
        return False, "exit %d, bad output: %s %s" % (rc, e, err.strip()[:200])


def check_gdb(rc, out, err, r):
    m = re.search(r"^\$1 = \{(count|used) = (\d+),", out, re.M)
    if rc != 0 or not m:
        return False, "exit %d, no header printed: %s" % (rc, (out + err).strip()[-200:])
    return m.group(2) == "100000", "%s = %s" % (m.group(1), m.group(2))


# ---------------------------------------------------------------- statistics

def med(rs, key):
    xs = [r[key] for r in rs if r.get("ok", True) and r.get(key) is not None]
    return statistics.median(xs) if xs else None


def fit(xs, ys):
    """Least squares y = a + b x; (a, b, r^2)."""
    n = len(xs)
    mx, my = sum(xs) / n, sum(ys) / n
    sxx = sum((x - mx) ** 2 for x in xs)
    sxy = sum((x - mx) * (y - my) for x, y in zip(xs, ys))
    b = sxy / sxx
    a = my - b * mx
    ss_res = sum((y - a - b * x) ** 2 for x, y in zip(xs, ys))
    ss_tot = sum((y - my) ** 2 for y in ys)
    return a, b, (1 - ss_res / ss_tot) if ss_tot else 1.0


def fmt_us(v):
    if v is None:
        return "-"
    if v >= 1e6:
        return "%.2f s" % (v / 1e6)
    if v >= 1000:
        return "%.1f ms" % (v / 1000)
    return "%.0f µs" % v


def fmt_ms(v):
    if v is None:
        return "-"
    if v >= 1000:
        return "%.2f s" % (v / 1000)
    if v >= 100:
        return "%.0f ms" % v
    return "%.1f ms" % v


def fmt_kib(v):
    if v is None:
        return "-"
    if v >= 1024 * 1024:
        return "%.2f GiB" % (v / 1024 / 1024)
    return "%.0f MiB" % (v / 1024)


def ratio(a, b):
    return "-" if a is None or b is None or b == 0 else "%.0f×" % (a / b) if a / b >= 10 else "%.1f×" % (a / b)


# ---------------------------------------------------------------- benchmark

def machine():
    cpu = "?"
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    with open("/proc/cpuinfo") as f:
        hyper = " hypervisor" in f.read()
    virt = []
    try:
        v = subprocess.run(["systemd-detect-virt"], capture_output=True, text=True).stdout.strip()
        if v and v != "none":
            virt.append("systemd-detect-virt: " + v)
    except FileNotFoundError:
        pass
    with open("/proc/cmdline") as f:
        if "firecracker" in f.read().lower():
            virt.append("Firecracker microVM")
    virt = ", ".join(virt)
    mem = 0
    with open("/proc/meminfo") as f:
        for line in f:
            if line.startswith("MemTotal:"):
                mem = int(line.split()[1])
    gdbv = subprocess.run(["gdb", "--version"], capture_output=True, text=True).stdout.splitlines()[0]
    return {"nproc": os.cpu_count(), "cpu": cpu, "kernel": platform.release(),
            "vm": ("yes (%s)" % virt) if hyper else ("no" + (" (%s)" % virt if virt else "")),
            "mem_gib": round(mem / 1024 / 1024, 1), "gdb": gdbv, "python": platform.python_version()}


def git_rev(binary, rev=None):
    """What the mapdiag binary was built from, as far as git can tell."""
    def git(*a):
        return subprocess.run(["git", "-C", ROOT] + list(a), capture_output=True, text=True).stdout.strip()
    if rev:
        src = git("log", "-1", "--format=%h of %ci", rev, "--", "src", "dwarf", "cmd", "Makefile")
        return "built by --rev %s: src/ dwarf/ cmd/ as of commit %s" % (git("rev-parse", "--short", rev), src)
    try:
        last = git("log", "-1", "--format=%h %ct", "--", "src", "dwarf", "cmd", "Makefile").split()
        dirty = git("status", "--porcelain", "--", "src", "dwarf", "cmd", "Makefile")
    except FileNotFoundError:
        return "?"
    built = os.path.getmtime(binary)
    newer = [p for sub in ("src", "dwarf", "cmd") for p in
             [os.path.join(ROOT, sub, f) for f in os.listdir(os.path.join(ROOT, sub))]
             if os.path.getmtime(p) > built]
    out = "binary of %s; the last commit to src/ dwarf/ cmd/ is %s (%s)" % (
        time.strftime("%Y-%m-%d %H:%M", time.localtime(built)), last[0],
        time.strftime("%H:%M", time.localtime(int(last[1]))))
    if dirty:
        out += ", with uncommitted changes"
    if newer or int(last[1]) > built:
        out += "; the binary is OLDER than the sources (rebuild, or use --rev)"
    return out


def bench_target(name, binary, mapdiag, runs, gdb_runs, tmp):
    """Every tool against one target with 8 threads."""
    log("== %s: %s" % (name, binary))
    warm_dir = os.path.join(tmp, "warm-%s" % name.replace(" ", "_"))
    os.makedirs(warm_dir)
    base_env = dict(os.environ)
    base_env.pop("XDG_CACHE_HOME", None)

    def env_with(d):
        e = dict(base_env)
        e["MAPDIAG_CACHE_DIR"] = d
        return e

    md = [mapdiag, "attach", "--json"]
    results = {k: [] for k in ("cold", "warm", "nothreads", "floor", "gdb", "notool")}
    t = Target(binary, threads=8)
    try:
        stopped = t.threads_now()
        # Populate the warm cache and the page cache; not counted.
        run_tool(md + [str(t.pid), VAR], env=env_with(warm_dir))
        run_tool(md + [str(t.pid), VAR], env=env_with(warm_dir))
        run_tool(["gdb", "-p", str(t.pid), "-batch", "-ex", "p *'%s'" % VAR])
        t.gap()
        for i in range(runs):
            cold_dir = tempfile.mkdtemp(dir=tmp, prefix="cold-")
            results["cold"].append(measured(t, md + [str(t.pid), VAR], env_with(cold_dir), check_mapdiag))
            shutil.rmtree(cold_dir)
            results["warm"].append(measured(t, md + [str(t.pid), VAR], env_with(warm_dir), check_mapdiag))
            results["nothreads"].append(measured(t, md + ["--no-threads", str(t.pid), VAR],
                                                 env_with(warm_dir), check_mapdiag))
            results["floor"].append(measured(t, [STOPFLOOR, str(t.pid)], None, check_floor))
            if i < gdb_runs:
                results["gdb"].append(measured(
                    t, ["gdb", "-p", str(t.pid), "-batch", "-ex", "p *'%s'" % VAR], None, check_gdb))
            w = results["warm"][-1]["wall_ms"]
            t.gap()
            time.sleep(w / 1000)
            time.sleep(0.005)
            g, n = t.gap()
            results["notool"].append({"pause_us": g, "ticks": n, "wall_ms": w, "rss_kib": None, "ok": True})
            log("  run %d: cold %s/%s, warm %s/%s, no-threads %s/%s, floor %s/%s, gdb %s, no tool %s" % (
                i + 1, fmt_us(results["cold"][-1]["pause_us"]), fmt_ms(results["cold"][-1]["wall_ms"]),
                fmt_us(results["warm"][-1]["pause_us"]), fmt_ms(results["warm"][-1]["wall_ms"]),
                fmt_us(results["nothreads"][-1]["pause_us"]), fmt_ms(results["nothreads"][-1]["wall_ms"]),
                fmt_us(results["floor"][-1]["pause_us"]), fmt_us(results["floor"][-1]["own_us"]),
                "%s/%s" % (fmt_us(results["gdb"][-1]["pause_us"]), fmt_ms(results["gdb"][-1]["wall_ms"]))
                if i < gdb_runs else "-", fmt_us(results["notool"][-1]["pause_us"])))
        # The split of the peak RSS into anonymous and file-backed memory
        # (mapdiag maps its cache and the binary: file pages count in
        # ru_maxrss but are page cache, shared and reclaimable).
        cold_dir = tempfile.mkdtemp(dir=tmp, prefix="cold-")
        split = {
            "cold": sampled_rss(md + [str(t.pid), VAR], env_with(cold_dir)),
            "warm": sampled_rss(md + [str(t.pid), VAR], env_with(warm_dir)),
            "nothreads": sampled_rss(md + ["--no-threads", str(t.pid), VAR], env_with(warm_dir)),
            "gdb": sampled_rss(["gdb", "-p", str(t.pid), "-batch", "-ex", "p *'%s'" % VAR]),
        }
        shutil.rmtree(cold_dir)
        if not t.alive():
            raise RuntimeError("target died")
    finally:
        t.stop()
    sizes = gen_large.dwarf_sizes(binary)
    return {"name": name, "binary": binary, "threads_in_process": stopped,
            "file_mb": os.path.getsize(binary) / 1e6,
            "debug_info_mb": sizes[".debug_info"][1] / 1e6,
            "dwarf_mb": sum(v[1] for v in sizes.values()) / 1e6,
            "runs": results, "rss_split": split,
            "notes": {k: sorted(set(r.get("note", "") for r in v)) for k, v in results.items()}}


def tick_floor(binary, windows):
    """The resolution of the pause measurement with no tool: for the ticker
    modes (nanosleep at normal priority and SCHED_FIFO, time.Sleep, a Gosched
    spin), 8 busy threads, `windows` windows of 50 ms: the mean tick period
    and the largest gap per window."""
    rows = []
    for mode in ("nanosleep", "rt", "sleep", "spin"):
        t = Target(binary, threads=8, tick="nanosleep" if mode == "rt" else mode, rt=mode == "rt")
        try:
            gaps, periods = [], []
            for _ in range(windows):
                t.gap()
                t0 = time.perf_counter()
                time.sleep(0.05)
                g, n = t.gap()
                dt = time.perf_counter() - t0
                gaps.append(g)
                periods.append(dt * 1e6 / max(n, 1))
        finally:
            t.stop()
        gaps.sort()
        rows.append({"mode": mode, "period_us": statistics.median(periods),
                     "gap_med_us": statistics.median(gaps), "gap_p90_us": pct(gaps, 0.9),
                     "gap_max_us": gaps[-1]})
        log("  tick %s: period %.0f us, max gap per 50 ms: median %.0f us, p90 %.0f us" % (
            mode, rows[-1]["period_us"], rows[-1]["gap_med_us"], rows[-1]["gap_p90_us"]))
    return rows


def pct(xs, p):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(p * (len(xs) - 1))))]


def sweep(binary, mapdiag, runs, constant_load, tmp):
    """mapdiag's pause against the number of busy threads."""
    warm_dir = os.path.join(tmp, "warm-sweep-%s" % constant_load)
    os.makedirs(warm_dir)
    env = dict(os.environ)
    env["MAPDIAG_CACHE_DIR"] = warm_dir
    rows = []
    for n in SWEEP_THREADS:
        if constant_load:
            # Every thread busy 200us; the sleep stretched so that the total
            # demand stays that of 8 threads (8 x 200/1200 = 1.33 cores).
            sleep_us = max(SLEEP_US, n * (BUSY_US + SLEEP_US) // 8 - BUSY_US)
        else:
            sleep_us = SLEEP_US
        log("== sweep: %d threads, busy %dus / sleep %dus" % (n, BUSY_US, sleep_us))
        t = Target(binary, threads=n, sleep_us=sleep_us)
        try:
            time.sleep(0.2)
            nthr = t.threads_now()
            run_tool([mapdiag, "attach", "--json", str(t.pid), VAR], env=env)
            res = {"writers": [], "nothreads": [], "floor": []}
            for _ in range(runs):
                res["writers"].append(measured(t, [mapdiag, "attach", "--json", str(t.pid), VAR],
                                               env, check_mapdiag))
                res["nothreads"].append(measured(t, [mapdiag, "attach", "--json", "--no-threads",
                                                     str(t.pid), VAR], env, check_mapdiag))
                res["floor"].append(measured(t, [STOPFLOOR, str(t.pid)], None, check_floor))
        finally:
            t.stop()
        rows.append({"threads": n, "sleep_us": sleep_us, "threads_in_process": nthr,
                     "stopped": statistics.median([r.get("threads_stopped") or 0 for r in res["writers"]]),
                     "runs": res})
        log("  own %s, target %s (writers); own %s, target %s (--no-threads); bare stop %s" % (
            fmt_us(med(res["writers"], "own_us")), fmt_us(med(res["writers"], "pause_us")),
            fmt_us(med(res["nothreads"], "own_us")), fmt_us(med(res["nothreads"], "pause_us")),
            fmt_us(med(res["floor"], "own_us"))))
    fits = {}
    for mode in ("writers", "nothreads", "floor"):
        for key in ("own_us", "pause_us"):
            xs = [r["stopped"] for r in rows]
            ys = [med(r["runs"][mode], key) for r in rows]
            if None not in ys:
                fits[mode + "/" + key] = fit(xs, ys)
    return {"constant_load": constant_load, "rows": rows, "fits": fits}


# ---------------------------------------------------------------- reports

TOOLS = [("cold", "mapdiag cold"), ("warm", "mapdiag warm"), ("nothreads", "mapdiag warm --no-threads"),
         ("floor", "bare ptrace stop (stopfloor)"), ("gdb", "gdb"), ("notool", "no tool (floor)")]


def target_table(t):
    rows = []
    r = t["runs"]
    for key, label in TOOLS:
        rs = r[key]
        if not rs:
            continue
        nok = sum(1 for x in rs if x["ok"])
        rows.append([label, "%d/%d" % (nok, len(rs)), fmt_us(med(rs, "pause_us")),
                     fmt_us(med(rs, "own_us")) if key not in ("gdb", "notool") else "-",
                     fmt_ms(med(rs, "wall_ms")) if key != "notool" else "(%s)" % fmt_ms(med(rs, "wall_ms")),
                     fmt_kib(med(rs, "rss_kib")) if key != "notool" else "-",
                     "%s / %s" % (fmt_kib(t["rss_split"][key]["anon_kib"]), fmt_kib(t["rss_split"][key]["file_kib"]))
                     if key in t.get("rss_split", {}) else "-",
                     "%s / %s" % (ratio(med(r["gdb"], "pause_us"), med(rs, "pause_us")),
                                  ratio(med(r["gdb"], "wall_ms"), med(rs, "wall_ms")))
                     if key in ("cold", "warm", "nothreads") and r["gdb"] else "-"])
    return ["tool", "ok", "pause (target)", "pause (own)", "wall", "peak RSS", "of it anon / file",
            "gdb/this pause / wall"], rows


def sweep_table(s):
    rows = []
    for row in s["rows"]:
        w, n = row["runs"]["writers"], row["runs"]["nothreads"]
        f = row["runs"].get("floor", [])
        rows.append(["%d" % row["threads"], "%d" % row["stopped"], "%d µs" % row["sleep_us"],
                     fmt_us(med(w, "own_us")), fmt_us(med(w, "pause_us")),
                     fmt_us(med(n, "own_us")), fmt_us(med(n, "pause_us")),
                     fmt_us(med(f, "own_us")), fmt_ms(med(w, "wall_ms"))])
    hdr = ["busy threads", "threads stopped", "sleep per 200 µs busy", "own (writers)", "target (writers)",
           "own (--no-threads)", "target (--no-threads)", "bare ptrace stop", "wall (writers)"]
    return hdr, rows


def fit_lines(s):
    out = []
    for k, (a, b, r2) in sorted(s["fits"].items()):
        mode, key = k.split("/")
        out.append("%s, %s: pause = %.0f µs + %.2f µs × threads stopped (r² %.3f)" % (
            {"writers": "writer detection", "nothreads": "--no-threads",
             "floor": "bare ptrace stop (bench/stopfloor.c)"}[mode],
            "mapdiag's own pause_us" if key == "own_us" else "target-measured gap", a, b, r2))
    return out


def print_table(hdr, rows, markdown):
    if markdown:
        print("| " + " | ".join(hdr) + " |")
        print("|" + "---|" * len(hdr))
        for r in rows:
            print("| " + " | ".join(r) + " |")
        return
    w = [max(len(str(x)) for x in col) for col in zip(hdr, *rows)]
    print("  ".join(h.ljust(n) for h, n in zip(hdr, w)))
    for r in rows:
        print("  ".join(str(x).ljust(n) for x, n in zip(r, w)))


def goals(res):
    out = []

    def g(text, ok, detail):
        out.append(("met" if ok else "NOT met", text, detail))
    for t in res["targets"]:
        r = t["runs"]
        gp, gw = med(r["gdb"], "pause_us"), med(r["gdb"], "wall_ms")
        if t["name"].startswith("small"):
            p, own, w = med(r["warm"], "pause_us"), med(r["warm"], "own_us"), med(r["warm"], "wall_ms")
            g("%s: pause median ≤ 200 µs (target-measured, default command)" % t["name"],
              p is not None and p <= 200,
              "%s (mapdiag's own: %s; --no-threads: %s, own %s; a bare ptrace stop and release "
              "of the same threads: %s, own %s; floor with no tool: %s)" % (
                  fmt_us(p), fmt_us(own), fmt_us(med(r["nothreads"], "pause_us")),
                  fmt_us(med(r["nothreads"], "own_us")), fmt_us(med(r["floor"], "pause_us")),
                  fmt_us(med(r["floor"], "own_us")), fmt_us(med(r["notool"], "pause_us"))))
            g("%s: pause ≤ 1/50 of gdb's" % t["name"], p and gp and gp / p >= 50,
              "gdb %s / mapdiag %s = %s" % (fmt_us(gp), fmt_us(p), ratio(gp, p)))
            g("%s: wall ≤ 20 ms (warm)" % t["name"], w is not None and w <= 20, fmt_ms(w))
            wc = med(r["cold"], "wall_ms")
            g("%s: wall ≤ 20 ms (cold)" % t["name"], wc is not None and wc <= 20, fmt_ms(wc))
        else:
            wc, ww = med(r["cold"], "wall_ms"), med(r["warm"], "wall_ms")
            g("%s: cold wall ≤ 1/10 of gdb's" % t["name"], wc and gw and gw / wc >= 10,
              "gdb %s / mapdiag cold %s = %s" % (fmt_ms(gw), fmt_ms(wc), ratio(gw, wc)))
            g("%s: warm wall ≤ 10 ms" % t["name"], ww is not None and ww <= 10, fmt_ms(ww))
        if t["name"].startswith("small"):
            continue  # a few MB of DWARF: the RSS is the process itself
        rss = max([x for k in ("cold", "warm", "nothreads") for x in
                   [med(r[k], "rss_kib")] if x is not None] or [0])
        dw = t["dwarf_mb"] * 1e6 / 1024
        di = t["debug_info_mb"] * 1e6 / 1024
        anon = max(v["anon_kib"] for k, v in t["rss_split"].items() if k != "gdb")
        g("%s: peak RSS well below the decompressed DWARF (≤ 1/2)" % t["name"],
          rss and rss <= dw / 2, "%s (largest median of the mapdiag rows; %s of it anonymous) vs all "
          "DWARF %.0f MB (%.0f%%), .debug_info %.0f MB (%.0f%%); gdb %s" % (
              fmt_kib(rss), fmt_kib(anon), t["dwarf_mb"], 100.0 * rss / dw, t["debug_info_mb"],
              100.0 * rss / di, fmt_kib(med(r["gdb"], "rss_kib"))))
    for s in res["sweeps"]:
        if not s["constant_load"]:
            continue
        if "writers/own_us" in s["fits"]:
            a, b, r2 = s["fits"]["writers/own_us"]
            a2, b2, r22 = s["fits"].get("nothreads/own_us", (0, 0, 0))
            g("pause vs threads: linear (r² ≥ 0.98)", r2 >= 0.98,
              "r² %.3f (writer detection), %.3f (--no-threads)" % (r2, r22))
            g("pause vs threads: a small constant (taken as ≤ 10 µs per stopped thread)", b <= 10,
              "own pause = %.0f µs + %.1f µs × threads (writer detection), %.0f µs + %.1f µs × threads "
              "(--no-threads)" % (a, b, a2, b2))
    return out


def tick_table(rows):
    desc = {"nanosleep": "nanosleep(100 µs), timer slack 1 ns",
            "rt": "the same, the ticker's thread SCHED_FIFO",
            "sleep": "time.Sleep(100 µs)", "spin": "runtime.Gosched spin (burns a core)"}
    return (["ticker", "mean period", "largest gap per 50 ms: median", "p90", "max"],
            [[desc[r["mode"]], fmt_us(r["period_us"]), fmt_us(r["gap_med_us"]), fmt_us(r["gap_p90_us"]),
              fmt_us(r["gap_max_us"])] for r in rows])


def report(res, markdown):
    m = res["machine"]
    print()
    print("machine: %d cores, %s, %s GiB, kernel %s, VM: %s; %s" % (
        m["nproc"], m["cpu"], m["mem_gib"], m["kernel"], m["vm"], m["gdb"]))
    print("mapdiag: %s, %s; load average before %s, after %s" % (
        res["mapdiag"], res["mapdiag_rev"], res["load_before"], res["load_after"]))
    print("command: %s; %d runs per tool (gdb on the large binary: %d); total %.0f s" % (
        res["command"], res["runs"], res["gdb_large_runs"], res["seconds"]))
    print("during the run %s" % others_text(res["others"]))
    print("pause (target): the largest gap of the target's ticker thread (nanosleep 100 µs, %s) during the run" % (
        "SCHED_FIFO" if res["ticker_rt"] else "normal priority"))
    if res.get("ticks"):
        print()
        print("the pause measurement with no tool (small go1.26, 8 busy threads, %d windows of 50 ms):" % (
            res["tick_windows"]))
        if markdown:
            print()
        print_table(*tick_table(res["ticks"]), markdown)
        if markdown:
            print()
        print("(%s)" % others_text(res["ticks_others"]))
    for t in res["targets"]:
        print()
        print("%s: %s, %.1f MB file, .debug_info %.1f MB uncompressed (all DWARF %.1f MB), "
              "8 busy threads (%d threads in the process)%s" % (
                  t["name"], os.path.relpath(t["binary"], ROOT), t["file_mb"], t["debug_info_mb"],
                  t["dwarf_mb"], t["threads_in_process"],
                  ", %s build %.0f s wall, %.0f s CPU" % (t["build_seconds"][2], t["build_seconds"][0],
                                                         t["build_seconds"][1])
                  if t.get("build_seconds") else ""))
        if markdown:
            print()
        print_table(*target_table(t), markdown)
        bad = [k for k, v in t["runs"].items() if any(not x["ok"] for x in v)]
        if bad:
            print("FAILED runs: %s" % ", ".join(bad))
        if markdown:
            print()
        print("checks: " + "; ".join("%s: %s" % (k, ", ".join(v)) for k, v in t["notes"].items()
                                    if k != "notool" and v))
        if markdown:
            print()
        print("(%s)" % others_text(t["others"]))
    for s in res["sweeps"]:
        print()
        print("pause vs threads (small go1.26, mapdiag warm; %s)" % (
            "every thread busy 200 µs per (200 µs + sleep), the total held at 8 threads' 1.33 cores"
            if s["constant_load"] else
            "every thread busy 200 µs / sleep 1 ms: 64 and 256 threads want 10.7 and 43 cores of 2"))
        if markdown:
            print()
        print_table(*sweep_table(s), markdown)
        if markdown:
            print()
        for line in fit_lines(s):
            print(("- " if markdown else "  ") + line)
        if markdown:
            print()
        print("(%s)" % others_text(s["others"]))
    print()
    print("goals:")
    if markdown:
        print()
    for status, text, detail in goals(res):
        print(("- **%s**: %s: %s" if markdown else "  %-8s %s: %s") % (status, text, detail))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--runs", type=int, default=7, help="runs per tool and target (default 7)")
    ap.add_argument("--gdb-large-runs", type=int, default=3, help="gdb runs on the large binary (default 3)")
    ap.add_argument("--large", default="1.26,1.23", help="releases of the large binary (or 'none')")
    ap.add_argument("--no-saturated", action="store_true",
                    help="skip the thread sweep at 200us busy / 1ms sleep per thread")
    ap.add_argument("--quick", action="store_true",
                    help="3 runs, 1 gdb run on the large binary, large go1.26 only, no saturated sweep")
    ap.add_argument("--ticker", choices=("rt", "normal"), default="rt",
                    help="the target's ticker thread SCHED_FIFO (rt, default; needs root) or normal priority")
    ap.add_argument("--rev", help="benchmark mapdiag as built from this git revision (default: ./mapdiag, "
                    "or $MAPDIAG)")
    ap.add_argument("--markdown", action="store_true", help="also print the tables as Markdown")
    ap.add_argument("--json", help="write every measurement to FILE (default bench/build/vs_gdb-TIME.json)")
    a = ap.parse_args()
    if a.quick:
        a.runs, a.gdb_large_runs, a.no_saturated = 3, 1, True
        if a.large == "1.26,1.23":
            a.large = "1.26"
    large = [] if a.large == "none" else a.large.split(",")
    global RT
    RT = a.ticker == "rt"
    if RT and os.geteuid() != 0:
        log("not root: the ticker runs at normal priority (--ticker normal)")
        RT = False
    t_start = time.time()
    o_all = Others()
    res = {"command": "python3 bench/vs_gdb.py " + " ".join(sys.argv[1:]), "ticker_rt": RT,
           "runs": a.runs, "gdb_large_runs": a.gdb_large_runs,
           "machine": machine(), "load_before": " ".join(open("/proc/loadavg").read().split()[:3])}
    build_rusage()
    src, mapdiag = mapdiag_binary(a.rev)
    res["mapdiag"], res["mapdiag_rev"] = os.path.relpath(src, ROOT), git_rev(src, a.rev)
    log("machine: %s" % res["machine"])
    targets = []
    for gv in SMALL_RELEASES:
        targets.append(("small go%s (%s)" % (gv, IMPL[gv]), build_small(gv), None))
    for gv in large:
        binary, secs = gen_large.build(gv, log=log)
        targets.append(("large go%s (%s)" % (gv, IMPL.get(gv, "?")), binary,
                        gen_large.last_build_seconds(binary)))
    res["targets"], res["sweeps"] = [], []
    tmp = tempfile.mkdtemp(prefix="vs_gdb-")
    try:
        log("== the ticker's resolution")
        res["tick_windows"] = 20
        o = Others()
        res["ticks"] = tick_floor(build_small("1.26"), res["tick_windows"])
        res["ticks_others"] = o.result()
        for name, binary, secs in targets:
            gruns = a.runs if name.startswith("small") else min(a.runs, a.gdb_large_runs)
            o = Others()
            t = bench_target(name, binary, mapdiag, a.runs, gruns, tmp)
            t["others"] = o.result()
            log("  " + others_text(t["others"]))
            t["build_seconds"] = secs
            res["targets"].append(t)
        small26 = build_small("1.26")
        for constant in ([True] if a.no_saturated else [True, False]):
            o = Others()
            res["sweeps"].append(sweep(small26, mapdiag, a.runs, constant, tmp))
            res["sweeps"][-1]["others"] = o.result()
            log("  " + others_text(res["sweeps"][-1]["others"]))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    res["seconds"] = time.time() - t_start
    res["others"] = o_all.result()
    res["load_after"] = " ".join(open("/proc/loadavg").read().split()[:3])
    res["when"] = datetime.datetime.now().isoformat(timespec="seconds")
    out = a.json or os.path.join(BUILD, "vs_gdb-%s.json" % time.strftime("%Y%m%d-%H%M%S"))
    with open(out, "w") as f:
        json.dump(res, f, indent=1)
    report(res, False)
    if a.markdown:
        print()
        print("---- Markdown ----")
        report(res, True)
    log("measurements: %s" % out)


if __name__ == "__main__":
    sys.exit(main())
