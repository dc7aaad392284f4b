#!/usr/bin/env python3
"""watch against testdata/watchtarget, whose own measurements are the
truth: the write duty cycle (time-weighted, sampled from inside) and every
growth event with its time.  Run from test_watch.py."""
import json
import os
import subprocess
import sys
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import targets  # noqa: E402
import checks  # noqa: E402
import mdrun  # noqa: E402
from checks import check  # noqa: E402


def collect_stats(p, out, done):
    """STATS lines of the target as they come, with their receipt time."""
    buf = b""
    fd = p.stdout.fileno()
    while not done.is_set():
        try:
            chunk = os.read(fd, 65536)
        except OSError:
            return
        if not chunk:
            return
        buf += chunk
        while b"\n" in buf:
            line, buf = buf.split(b"\n", 1)
            if line.startswith(b"STATS "):
                out.append(json.loads(line[6:]))


def run_window(variant, mode, args, seconds):
    p, oracle = targets.start(targets.watchtarget(variant), args=["-mode", mode] + args)
    stats, done = [], threading.Event()
    t = threading.Thread(target=collect_stats, args=(p, stats, done), daemon=True)
    t.start()
    try:
        time.sleep(0.5)
        r = subprocess.run([mdrun.MAPDIAG, "watch", "--json", "--interval", "1ms", "--every", "1s",
                            "--duration", "%gs" % seconds, str(oracle["pid"])] +
                           list(oracle["maps"]), capture_output=True, text=True, timeout=120)
        time.sleep(0.5)   # one more STATS line past the window
    finally:
        done.set()
        targets.stop(p)
    lines = [json.loads(l) for l in r.stdout.splitlines() if l.startswith("{")]
    return oracle, r, lines, stats


def test_duty(variant):
    oracle, r, lines, stats = run_window(variant, "burst", [], 3)
    if not check("watch duty %s: ran" % variant, r.returncode in (0, 1, 2) and lines,
                 "rc=%d %s" % (r.returncode, r.stderr[-300:])):
        return
    final = lines[-1]
    m = final["maps"][0]
    t1 = final["time"]
    t0 = t1 - final["elapsed_s"]
    before = [s for s in stats if s["unix"] <= t0]
    after = [s for s in stats if s["unix"] >= t1]
    if not check("watch duty %s: target stats around the window" % variant,
                 before and after, "%d stats" % len(stats)):
        return
    a, b = before[-1], after[0]
    truth = (b["writing_s"] - a["writing_s"]) / max(b["sampled_s"] - a["sampled_s"], 1e-9)
    check("watch duty %s: measured %.3f, target's own %.3f, designed %.2f" %
          (variant, m["duty"], truth, oracle["design_duty"]),
          abs(m["duty"] - truth) <= 0.02 and 0 < m["duty"] <= oracle["design_duty"] + 0.05,
          json.dumps(m)[:300])


def test_growths(variant):
    oracle, r, lines, stats = run_window(variant, "grow", [], 3)
    if not check("watch growth %s: ran" % variant, r.returncode in (0, 1) and lines,
                 "rc=%d %s" % (r.returncode, r.stderr[-300:])):
        return
    final = lines[-1]
    m = final["maps"][0]
    t1 = final["time"]
    t0 = t1 - final["elapsed_s"]
    events = [u for s in stats for u in s.get("growth_unix", [])]
    inside = [u for u in events if t0 <= u <= t1]
    # an event within a sample interval of either edge may fall either way
    edge = [u for u in events if abs(u - t0) < 0.003 or abs(u - t1) < 0.003]
    # two growths closer together than the sampler's gap count once (Swiss:
    # README); on a loaded machine a gap can reach a few ms, so a growth
    # that close to the one before may be missed, never one more counted
    inside.sort()
    close = sum(1 for a, b in zip(inside, inside[1:]) if b - a < 0.005)
    check("watch growth %s: %d growths seen, target counted %d in the window" %
          (variant, m["growths"], len(inside)),
          len(inside) > 0 and m["growths"] <= len(inside) + len(edge) and
          len(inside) - m["growths"] <= len(edge) + close,
          "edge %d, close %d, %s" % (len(edge), close, json.dumps(m)[:300]))
    check("watch growth %s: inserts/s near the target's rate" % variant,
          m["inserts_per_s"] > 0.5 * oracle["rate"], str(m["inserts_per_s"]))


def run():
    for v in ("go1.19", "go1.23", "go1.26"):
        test_duty(v)
    for v in ("go1.19", "go1.21", "go1.24-noswiss", "go1.26", "go1.27", "go1.27-splitgroup"):
        test_growths(v)


if __name__ == "__main__":
    run()
    sys.exit(checks.summary())
