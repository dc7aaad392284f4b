#!/usr/bin/env python3
"""bench/watch_impact.py - what watching a map costs the watched process.
Prints numbers; asserts nothing.

    python3 bench/watch_impact.py [-s SECONDS] [-v VARIANT]... [--unit N]
                                  [--threads N] [-- COMMAND...]

For each variant (default: go1.23, classic hmap, and go1.26, Swiss), starts
testdata/bin/<variant>/watchtarget -mode work: one thread doing fixed units
of work on main.workmap (-unit lookups+assignments each), timing every unit
and printing units/s and unit latency every second. Then, one phase after
another, each SECONDS long (default 5):

  unwatched   nothing attached
  watched     COMMAND running (default: ./mapdiag watch --interval 1ms
              --duration {seconds}s {pid} main.workmap)
  unwatched   nothing attached again (drift: a noisy machine shows here)

COMMAND is run from the repository root with {pid}, {seconds} and {root}
replaced; it is waited for up to SECONDS+10 s, then killed. If it fails
(cannot start, or exits non-zero), that is printed with the end of its
stderr, and so are the unwatched numbers, which need no mapdiag at all.

Per phase: units/s (units over the phase's whole 1-s intervals / their
length), p50 and p99 unit latency (medians of the per-second values, us),
the target's CPU% (utime+stime from /proc/PID/stat over the phase; the
worker keeps one core busy, so ~100% is the floor), and the command's own
CPU% (from wait4's rusage, over the time it ran).
"""
import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import json

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tests", "integration"))
import targets  # noqa: E402

DEFAULT_CMD = ["./mapdiag", "watch", "--interval", "1ms", "--duration", "{seconds}s",
               "{pid}", "main.workmap"]
CLK_TCK = os.sysconf("SC_CLK_TCK")


class Stats:
    """Collects the target's STATS lines (work mode) from its stdout."""

    def __init__(self, p):
        self.lines = []
        self.lock = threading.Lock()
        t = threading.Thread(target=self._read, args=(p,), daemon=True)
        t.start()

    def _read(self, p):
        for raw in p.stdout:
            line = raw.decode("utf-8", "replace")
            if line.startswith("STATS "):
                try:
                    d = json.loads(line[6:])
                except ValueError:
                    continue
                with self.lock:
                    self.lines.append(d)

    def between(self, t0, t1):
        """STATS of the 1-s intervals that lie in [t0, t1] (unix), give or
        take 50 ms (an interval ends with the first unit done after the
        second, and is printed a little later)."""
        with self.lock:
            return [d for d in self.lines
                    if d["unix"] - d["interval_s"] >= t0 - 0.05 and d["unix"] <= t1 + 0.05]


def cpu_ticks(pid):
    with open("/proc/%d/stat" % pid) as f:
        s = f.read()
    fields = s[s.rindex(")") + 2:].split()
    return int(fields[11]) + int(fields[12])  # utime, stime (fields 14, 15)


def summarize(stats, target_cpu):
    if not stats:
        return None
    secs = sum(d["interval_s"] for d in stats)
    units = sum(d["units"] for d in stats)
    return {
        "n": len(stats),
        "units_per_s": units / secs if secs > 0 else 0,
        "p50": statistics.median(d["p50_us"] for d in stats),
        "p99": statistics.median(d["p99_us"] for d in stats),
        "p99max": max(d["p99_us"] for d in stats),
        "cpu": target_cpu,
    }


def wait_until(t):
    d = t - time.time()
    if d > 0:
        time.sleep(d)


def phase(p, st, seconds, cmd, origin):
    """One phase: (summary, note, watcher CPU% or None). cmd None: unwatched.
    The phase starts on a boundary of the target's 1-s intervals (origin +
    a whole number of seconds, origin: READY's unix), so that a phase of N
    whole seconds holds N intervals."""
    k = int(time.time() - origin) + 1
    wait_until(origin + k)
    t0 = time.time()
    c0 = cpu_ticks(p.pid)
    note = None
    wcpu = None
    q = None
    errf = None
    if cmd is not None:
        argv = [a.replace("{pid}", str(p.pid)).replace("{seconds}", "%g" % seconds)
                .replace("{root}", ROOT) for a in cmd]
        errf = tempfile.TemporaryFile()
        try:
            q = subprocess.Popen(argv, cwd=ROOT, stdin=subprocess.DEVNULL,
                                 stdout=subprocess.DEVNULL, stderr=errf)
        except OSError as e:
            note = "command failed: cannot start %s: %s" % (argv[0], e)
    qstart = time.time()
    end = t0 + seconds
    status = ru = None
    if q is not None:
        deadline = end + 10
        while True:
            pid, st_, ru_ = os.wait4(q.pid, os.WNOHANG)
            if pid:
                status, ru = st_, ru_
                q.returncode = os.waitstatus_to_exitcode(st_)
                break
            if time.time() > deadline:
                q.kill()
                _, status, ru = os.wait4(q.pid, 0)
                q.returncode = os.waitstatus_to_exitcode(status)
                note = "command still running %gs after the phase: killed" % (deadline - end)
                break
            time.sleep(0.02)
        ran = time.time() - qstart
        if ru is not None and ran > 0:
            wcpu = 100.0 * (ru.ru_utime + ru.ru_stime) / ran
        errf.seek(0)
        err = errf.read().decode("utf-8", "replace").strip()
        errf.close()
        if note is None and q.returncode != 0:
            tail = "\n".join(err.splitlines()[-5:])
            note = "command failed: exit status %d after %.1fs%s" % (
                q.returncode, ran, (":\n    " + tail.replace("\n", "\n    ")) if tail else "")
        elif note is None and ran < seconds * 0.8:
            note = "command ended after %.1fs of %gs (exit 0)" % (ran, seconds)
    wait_until(end)
    t1 = time.time()
    c1 = cpu_ticks(p.pid)
    target_cpu = 100.0 * (c1 - c0) / CLK_TCK / (t1 - t0)
    wait_until(t1 + 1.2)  # the interval that ends after t1 is not counted; let it arrive
    return summarize(st.between(t0, t1), target_cpu), note, wcpu


def fmt_row(variant, name, s, wcpu):
    if s is None:
        return "%-15s %-10s %s" % (variant, name, "(no whole 1-s interval)")
    return "%-15s %-10s %10.0f %8.1f %8.1f %9.1f %8.1f %9s" % (
        variant, name, s["units_per_s"], s["p50"], s["p99"], s["p99max"], s["cpu"],
        "-" if wcpu is None else "%.1f" % wcpu)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("-s", "--seconds", type=int, default=5, help="length of each phase, whole seconds (default 5)")
    ap.add_argument("-v", "--variant", action="append", help="Go variant (repeatable; default go1.23, go1.26)")
    ap.add_argument("--unit", type=int, default=1000, help="map operations per work unit (default 1000)")
    ap.add_argument("--threads", type=int, default=0, help="extra busy goroutines in the target (default 0)")
    ap.add_argument("cmd", nargs=argparse.REMAINDER, help="-- COMMAND... ({pid} {seconds} {root})")
    a = ap.parse_args()
    cmd = a.cmd[1:] if a.cmd[:1] == ["--"] else a.cmd
    cmd = cmd or DEFAULT_CMD
    variants = a.variant or ["go1.23", "go1.26"]

    print("machine: %d cores, %s; phases of %gs; command: %s" % (
        os.cpu_count(), os.uname().release, a.seconds, " ".join(cmd)))
    print("%-15s %-10s %10s %8s %8s %9s %8s %9s" % (
        "variant", "phase", "units/s", "p50 us", "p99 us", "p99max us", "CPU%", "cmd CPU%"))
    for v in variants:
        p, oracle = targets.start(targets.watchtarget(v),
                                  ["-mode", "work", "-unit", str(a.unit), "-threads", str(a.threads)])
        notes = []
        try:
            st = Stats(p)
            time.sleep(1.5)  # warm-up: the first interval has start-up in it
            rows = []
            for name, c in (("unwatched", None), ("watched", cmd), ("unwatched", None)):
                s, note, wcpu = phase(p, st, a.seconds, c, oracle["unix"])
                if note and note.startswith("command failed"):
                    # Not watched at all: no numbers for this phase.
                    rows.append((name, None, None))
                    print("%-15s %-10s %s" % (v, name, "(command failed)"), flush=True)
                else:
                    rows.append((name, s, wcpu))
                    print(fmt_row(v, name, s, wcpu), flush=True)
                if note:
                    notes.append(note)
                    print("  %s: %s" % (v, note), flush=True)
            base = [r[1] for r in rows if r[0] == "unwatched" and r[1]]
            watched = rows[1][1]
            failed = any(n.startswith("command failed") for n in notes)
            if base and watched and not failed:
                bu = statistics.mean(b["units_per_s"] for b in base)
                b99 = statistics.mean(b["p99"] for b in base)
                b50 = statistics.mean(b["p50"] for b in base)
                print("%-15s %-10s %+9.1f%% %+7.1f%% %+7.1f%%   (watched vs the mean of the unwatched phases)"
                      % (v, "change", 100 * (watched["units_per_s"] / bu - 1),
                         100 * (watched["p50"] / b50 - 1), 100 * (watched["p99"] / b99 - 1)), flush=True)
            elif failed:
                print("%-15s %-10s only the unwatched numbers (the command failed)" % (v, ""), flush=True)
        finally:
            targets.stop(p)


if __name__ == "__main__":
    main()
