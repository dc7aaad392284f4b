#!/usr/bin/env python3
"""bench/ab_pause.py - the pause of two mapdiag binaries, interleaved.

    python3 bench/ab_pause.py OLD NEW [--rounds N] [--threads N]
    python3 bench/ab_pause.py --rev-a 3506508 --rev-b HEAD

OLD and NEW are binaries, or --rev-a/--rev-b git revisions built the way
bench/vs_gdb.py --rev builds them.  On the bench target (bench/target, Go
1.23 classic and 1.26 Swiss, 8 busy threads), each round runs, in an order
shuffled per round, `attach --json PID main.cache` with each binary (warm
DWARF cache), the same with --no-threads, `scan --var-prefix main.` with
each, and bench/stopfloor.c (a bare ptrace stop of every thread: the
round's yardstick).  The machine drifts within minutes, so only the
interleaving makes the two comparable.

Prints, per target and mode: the median and quartiles of mapdiag's own
pause (first interrupt to last detach, pause_us) and of the pause the
target saw (its ticker's longest gap), for A, B and the floor, and B - A:
the difference of the medians with a 95% bootstrap interval.  An interval
that contains 0 is "within noise".  Asserts nothing.
"""
import argparse
import os
import random
import shutil
import statistics
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import vs_gdb as vg  # noqa: E402


def quart(xs):
    xs = sorted(xs)
    if not xs:
        return None, None, None
    q = statistics.quantiles(xs, n=4) if len(xs) > 1 else [xs[0]] * 3
    return q[0], statistics.median(xs), q[2]


def boot_diff(a, b, n=2000, seed=1):
    """95% bootstrap interval of median(b) - median(a)."""
    rnd = random.Random(seed)
    ds = []
    for _ in range(n):
        ra = [rnd.choice(a) for _ in a]
        rb = [rnd.choice(b) for _ in b]
        ds.append(statistics.median(rb) - statistics.median(ra))
    ds.sort()
    return ds[int(0.025 * n)], ds[int(0.975 * n)]


def check_scan(rc, out, err, r):
    import json
    try:
        rep = json.loads(out)
        r["own_us"] = rep["pause_us"]
        return rc in (0, 1, 2), "%d maps" % len(rep.get("maps", []))
    except (ValueError, KeyError) as e:
        return False, "exit %d: %s %s" % (rc, e, err[-200:])


def bench(name, binary, bins, rounds, threads, tmp):
    env = dict(os.environ, MAPDIAG_CACHE_DIR=os.path.join(tmp, "cache-" + name))
    os.makedirs(env["MAPDIAG_CACHE_DIR"], exist_ok=True)
    modes = {
        "attach": lambda b, pid: [b, "attach", "--json", str(pid), vg.VAR],
        "attach --no-threads": lambda b, pid: [b, "attach", "--json", "--no-threads",
                                               str(pid), vg.VAR],
        "scan": lambda b, pid: [b, "scan", "--json", "--var-prefix", "main.", str(pid)],
    }
    res = {(m, k): [] for m in modes for k in bins}
    res[("floor", "floor")] = []
    t = vg.Target(binary, threads=threads)
    rnd = random.Random(7)
    try:
        for k, b in bins.items():   # warm the DWARF cache and the page cache
            for m in modes:
                vg.run_tool(modes[m](b, t.pid), env=env)
        for i in range(rounds):
            jobs = [(m, k) for m in modes for k in bins] + [("floor", "floor")]
            rnd.shuffle(jobs)
            for m, k in jobs:
                if m == "floor":
                    r = vg.measured(t, [vg.STOPFLOOR, str(t.pid)], None, vg.check_floor)
                else:
                    chk = check_scan if m == "scan" else vg.check_mapdiag
                    r = vg.measured(t, modes[m](bins[k], t.pid), env, chk)
                if r["ok"]:
                    res[(m, k)].append(r)
            vg.log("  %s round %d/%d" % (name, i + 1, rounds))
    finally:
        t.stop()
    return res


def table(name, res, bins):
    print("\n### %s\n" % name)
    print("| mode | binary | own pause p25 / median / p75 (us) | target saw, median (us) | runs |")
    print("|---|---|---|---|---|")
    for (m, k), rs in res.items():
        own = quart([r["own_us"] for r in rs if r.get("own_us") is not None])
        seen = quart([r["pause_us"] for r in rs])
        print("| %s | %s | %s | %s | %d |" % (
            m, k, " / ".join("%.0f" % x if x is not None else "-" for x in own),
            "%.0f" % seen[1] if seen[1] is not None else "-", len(rs)))
    print()
    print("| mode | B - A, own pause median (us) | 95% interval | target saw: B - A (us) |")
    print("|---|---|---|---|")
    for m in ("attach", "attach --no-threads", "scan"):
        a = [r["own_us"] for r in res[(m, "A")]]
        b = [r["own_us"] for r in res[(m, "B")]]
        sa = [r["pause_us"] for r in res[(m, "A")]]
        sb = [r["pause_us"] for r in res[(m, "B")]]
        if len(a) < 3 or len(b) < 3:
            continue
        lo, hi = boot_diff(a, b)
        print("| %s | %+.0f | [%+.0f, %+.0f]%s | %+.0f |" % (
            m, statistics.median(b) - statistics.median(a), lo, hi,
            " within noise" if lo <= 0 <= hi else "", statistics.median(sb) - statistics.median(sa)))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("a", nargs="?")
    ap.add_argument("b", nargs="?")
    ap.add_argument("--rev-a")
    ap.add_argument("--rev-b")
    ap.add_argument("--rounds", type=int, default=30)
    ap.add_argument("--threads", type=int, default=8)
    o = ap.parse_args()
    a = vg.mapdiag_at(o.rev_a)[0] if o.rev_a else o.a
    b = vg.mapdiag_at(o.rev_b)[0] if o.rev_b else o.b
    if not a or not b:
        ap.error("two binaries, or --rev-a and --rev-b")
    vg.build_rusage()
    tmp = tempfile.mkdtemp(prefix="ab-pause-")
    # copies: a rebuild during the run must not change what is measured
    bins = {"A": os.path.join(tmp, "mapdiag.A"), "B": os.path.join(tmp, "mapdiag.B")}
    shutil.copy2(a, bins["A"])
    shutil.copy2(b, bins["B"])
    print("A: %s\nB: %s\nmachine: %s" % (a, b, vg.machine()))
    try:
        for rel in vg.SMALL_RELEASES:
            res = bench("go" + rel, vg.build_small(rel), bins, o.rounds, o.threads, tmp)
            table("go%s (%s), %d busy threads, %d rounds" % (rel, vg.IMPL[rel], o.threads,
                                                              o.rounds), res, bins)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
