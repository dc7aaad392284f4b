#!/usr/bin/env python3
"""Integration test: writers parked inside a map write (issue 17 item 5).

testdata/writers -mode parked runs GOMAXPROCS 1 with two goroutines, each
overwriting its own map (main.parkedA, main.parkedB) forever; the one not
running was preempted, most often inside the key comparison of a write, its
map's writing flag set and no thread writing it (see floatKey in
testdata/writers/writers.go).  The target is its own oracle: it names the
goroutine that writes each map.  mapdiag attaches SAMPLES times (it stops
the threads itself: no debugger, no SIGSTOP).  For every map whose writing
flag is set and that no thread writes:
  - stale-writing-flag never appears (a goroutine is inside the write);
  - a parked writer, if named, is that map's goroutine (from the oracle),
    with a runnable/waiting/preempted status, main.parkedWriter at the
    oracle's line among its user frames, and frames down to goexit;
  - it is named whenever mapdiag judged every goroutine on no thread
    (parked_unknown 0), in most such samples (in the others the goroutine
    ran before its stack was copied, and mapdiag makes no claim), and at
    least MIN_SEEN times, so that the test cannot pass without seeing one.
The target is left running and untraced.

    python3 tests/integration/test_parked.py [variant...]   (default: all)
    PARKED_SAMPLES=N  attaches per variant (default 30)

Prints one line per check and ends with 'N passed, N failed'.
"""
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import targets  # noqa: E402
import checks  # noqa: E402
from checks import check, fail  # noqa: E402
from mdrun import mapdiag, check_released  # noqa: E402

SAMPLES = int(os.environ.get("PARKED_SAMPLES", "30"))
MIN_SEEN = 3
MAPS = ["main.parkedA", "main.parkedB"]


def flag_set(m):
    h = m.get("header") or {}
    if m.get("impl") == "swiss":
        return h.get("writing", 0) != 0
    return (h.get("flags", 0) & 4) != 0   # hashWriting


def judge_parked(variant, m, pw, site, bad):
    """Why the parked writer pw of map m is wrong, appended to bad."""
    if pw["goid"] != site["goid"]:
        bad.append("%s: goroutine %s, the oracle says %s" % (m["var"], pw["goid"], site["goid"]))
    if pw["status"] not in ("runnable", "waiting", "preempted"):
        bad.append("%s: status %r" % (m["var"], pw["status"]))
    if not pw["function"].startswith("runtime.mapassign"):
        bad.append("%s: function %s" % (m["var"], pw["function"]))
    user = pw["user"][0] if pw["user"] else {}
    if (user.get("func"), user.get("line")) != (site["func"], site["line"]):
        bad.append("%s: user frame %s, not %s:%d" % (m["var"], user, site["func"], site["line"]))
    fr = pw["frames"]
    if not fr or not fr[-1]["func"].startswith("runtime.goexit") or \
            not all("line" in f for f in fr):
        bad.append("%s: frames %s" % (m["var"], [f["func"] for f in fr]))


def test_variant(variant):
    try:
        p, oracle = targets.start(targets.writers(variant), args=["-mode", "parked"])
    except (targets.TargetError, ValueError) as e:
        fail("parked %s: start" % variant, str(e))
        return
    pid = oracle["pid"]
    sites = oracle["writers"]
    flagged = seen = 0
    stale, bad, missed = [], [], []
    try:
        for _ in range(SAMPLES):
            rc, out, err = mapdiag("attach", "--json", pid, *MAPS, wrap=False)
            if rc not in (0, 1):
                fail("parked %s: attach" % variant, "rc=%d %s" % (rc, err.strip()[:300]))
                return
            for m in json.loads(out)["maps"]:
                codes = [f["code"] for f in m["findings"]]
                if not flag_set(m) or m["writers"]:
                    continue
                flagged += 1
                if "stale-writing-flag" in codes:
                    stale.append(m["var"])
                pws = m.get("parked_writers")
                if pws is None:
                    bad.append("%s: flag set, no thread, no parked_writers" % m["var"])
                    continue
                if not pws and m["parked_unknown"] == 0:
                    # every goroutine on no thread was judged: the writer
                    # must have been among them
                    missed.append(m["var"])
                if pws:
                    seen += 1
                    if "parked-writer" not in codes or \
                            "goroutine %d is parked" % pws[0]["goid"] not in \
                            m["findings"][codes.index("parked-writer")]["message"]:
                        bad.append("%s: findings %s" % (m["var"], codes))
                for pw in pws:
                    judge_parked(variant, m, pw, sites[m["var"]], bad)
        check("parked %s: never stale-writing-flag while a goroutine writes" % variant,
              not stale, "%d times: %s" % (len(stale), stale[:4]))
        check("parked %s: parked writers are the oracle's, at its line" % variant,
              not bad, "; ".join(bad[:4]))
        check("parked %s: named whenever every goroutine was judged" % variant,
              not missed, "not named %d times: %s" % (len(missed), missed[:4]))
        check("parked %s: the parked writer named in most samples (%d of %d)" %
              (variant, seen, flagged), seen >= MIN_SEEN and 2 * seen >= flagged,
              "%d of %d samples with the flag set and no thread writing, in %d attaches" %
              (seen, flagged, SAMPLES))
        check_released("parked " + variant, pid)
    finally:
        targets.stop(p)


def main():
    only = sys.argv[1:]
    variants = [v for v in targets.VARIANTS if not only or v in only]
    for v in variants:
        # a release whose toolchain cannot build testdata/writers (it
        # needs 1.21's clear) has no writers binary: said, not counted
        if not os.path.exists(targets.writers(v)):
            checks.skip("parked %s" % v, "no writers binary: %s" % targets.writers(v))
            continue
        test_variant(v)
    return checks.summary()


if __name__ == "__main__":
    sys.exit(main())
