#!/usr/bin/env python3
"""What attach, scan and watch print for people and for monitoring systems
(issue 16): the status line first, in the monitoring-plugins format with
perfdata; a short report by default (-v and --explain for more); lines
that fit the terminal at 80 and 200 columns (in a pty); scan's default
--top 20 on a terminal; findings about memory or parked growth demoted
below --warn-bytes; a specific finding replacing the generic one; the
demo in at most 15 lines.

    python3 tests/integration/test_output.py [variant...]
"""

import json
import os
import re
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import targets  # noqa: E402
from checks import check, fail  # noqa: E402
import checks  # noqa: E402
from mdrun import MAPDIAG, ROOT, mapdiag, run_in_pty  # noqa: E402

STATUS = {0: "OK", 1: "WARNING", 2: "CRITICAL", 3: "UNKNOWN"}
# the plugin guidelines: MAPDIAG STATUS - text [| perfdata]
STATUS_RE = re.compile(r"^MAPDIAG (OK|WARNING|CRITICAL|UNKNOWN) - ([^|]+?)(?: \| (.*))?$")
# 'label'=value[UOM];[warn];[crit];[min];[max]
PERF_RE = re.compile(r"'([^'=]+)'=(-?[0-9.]+(?:e[-+]?[0-9]+)?)(us|ms|s|%|B|KB|MB|TB|c)?"
                     r"(?:;[0-9.:~@-]*){0,4}$")
CSI_RE = re.compile(r"\x1b\[[0-9;?]*[ -/]*[@-~]")


def perfdata(text):
    """{label: (value, uom)} of a perfdata string, or None if an item does
    not follow the grammar."""
    out = {}
    for item in text.split(" "):
        m = PERF_RE.match(item)
        if not m:
            return None
        out[m.group(1)] = (float(m.group(2)), m.group(3) or "")
    return out


def visible(line):
    return CSI_RE.sub("", line).replace("\r", "")


def too_wide(out, cols):
    return [visible(l) for l in out.split("\n") if len(visible(l)) > cols]


def test_status_line(variant):
    p, oracle = targets.start(targets.binary(variant))
    pid = oracle["pid"]
    n = variant
    try:
        exprs = ["main.idle", "main.oversized", "main.writing"]
        rc, out, err = mapdiag("attach", pid, *exprs)
        lines = out.splitlines()
        m = STATUS_RE.match(lines[0]) if lines else None
        if not check(n + ": attach line 1 is a plugin status line", m, repr(lines[:1])):
            return
        check(n + ": status word is the exit code's", m.group(1) == STATUS.get(rc),
              "%s, exit %d" % (m.group(1), rc))
        check(n + ": summary names the worst map and why",
              "main.oversized oversized: holds" in m.group(2), m.group(2))
        rcj, js, _ = mapdiag("attach", "--json", pid, *exprs)
        rep = {x["var"]: x for x in json.loads(js)["maps"]}
        perf = perfdata(m.group(3) or "")
        check(n + ": perfdata follows the plugin grammar", perf, m.group(3))
        if perf:
            bad = []
            for e in exprs:
                d = rep[e]["derived"]
                if perf.get(e + "_bytes") != (d["bytes_held"], "B"):
                    bad.append("%s bytes %r vs %r" % (e, perf.get(e + "_bytes"), d["bytes_held"]))
                h = rep[e]["header"]
                entries = h["count"] if "count" in h else h["used"]
                if perf.get(e + "_entries") != (entries, ""):
                    bad.append("%s entries %r vs %r" % (e, perf.get(e + "_entries"), entries))
                got = perf.get(e + "_load")
                if not got or got[1] != "%" or abs(got[0] - 100 * d["load"]) > 1e-3:
                    bad.append("%s load %r vs %r" % (e, got, d["load"]))
            check(n + ": perfdata is the JSON's bytes, entries and load", not bad, "; ".join(bad))
            check(n + ": perfdata has the pause in seconds", perf.get("pause", (0, ""))[1] == "s",
                  repr(perf.get("pause")))
        # a specific finding replaces the generic one
        codes = [f["code"] for f in rep["main.writing"].get("findings", [])]
        check(n + ": stale-writing-flag replaces writing", "stale-writing-flag" in codes and
              "writing" not in codes, repr(codes))
        # a healthy map is one line: status, pid, column header, its row
        rc, out, _ = mapdiag("attach", pid, "main.idle")
        lines = out.splitlines()
        check(n + ": a healthy map is one line", rc == 0 and len(lines) == 4 and
              lines[0].startswith("MAPDIAG OK - 1 map holds") and lines[3].startswith("main.idle"),
              repr(lines))
        # UNKNOWN: the first line and stderr say why; the exit code agrees
        rc, out, err = mapdiag("attach", pid, "main.idle", "main.nosuch")
        first = out.splitlines()[:1]
        check(n + ": UNKNOWN names the variable on line 1 and stderr",
              rc == 3 and first and first[0].startswith("MAPDIAG UNKNOWN - ") and
              "main.nosuch" in first[0] and "main.nosuch" in err, "rc=%d %r %r" % (rc, first, err))
        # -v and --explain
        rc, out, _ = mapdiag("attach", "-v", pid, "main.idle")
        check(n + ": -v prints the header fields",
              ("hash0" in out if oracle["impl"] == "hmap" else "dirPtr" in out) and
              "writers: none" in out, out[-400:])
        rc, out, _ = mapdiag("attach", "--explain", pid, *exprs)
        marked = [l for l in out.splitlines() if l.lstrip().startswith(">")]
        want = {"idle", "writing"}
        check(n + ": --explain prints the four states once, present ones marked",
              out.count("the four states") == 1 and
              {l.split()[3] for l in marked} == want, repr(marked))
        if oracle["impl"] == "swiss":
            check(n + ": --explain on Swiss maps says nothing of old buckets",
                  "old bucket" not in out and "evacuat" not in out, out[-900:])
        # scan: line 1 too
        rc, out, err = mapdiag("scan", "--globals-only", pid)
        m = STATUS_RE.match(out.splitlines()[0]) if out else None
        rcj, js, _ = mapdiag("scan", "--globals-only", "--json", pid)
        summary = json.loads(js)["summary"] if js else {}
        perf = perfdata(m.group(3) or "") if m else None
        check(n + ": scan line 1: status, exit code, maps in perfdata",
              m and m.group(1) == STATUS.get(rc) and perf and
              perf.get("maps", (None,))[0] == summary.get("maps"),
              "rc=%d %r %r" % (rc, out.splitlines()[:1], summary.get("maps")))
    finally:
        targets.stop(p)


def test_warn_bytes():
    """A classic map of 57 KiB parked mid-growth (the corrupt target's
    main.badOldbuckets: its old array is unmapped) is info under the default
    --warn-bytes 64K, so a check on a small map cannot flap with the hash
    seed; --warn-bytes 0 makes it a warning again."""
    p, oracle = targets.start(os.path.join(targets.BIN, "go1.23", "corrupt"))
    pid = oracle["pid"]
    try:
        def sev(args, var):
            rc, out, _ = mapdiag("attach", "--json", *args, pid, var)
            m = json.loads(out)["maps"][0]
            f = [x["severity"] for x in m.get("findings", [])
                 if x["code"] in ("growing-idle", "oversized")]
            return rc, m["derived"]["bytes_held"], f
        rc, held, s = sev([], "main.badOldbuckets")
        check("warn-bytes: growing-idle under 64 KiB is info, exit 0",
              held < 65536 and s == ["info"] and rc == 0, "rc=%d held=%d sev=%r" % (rc, held, s))
        rc, out, _ = mapdiag("attach", pid, "main.badOldbuckets")
        check("warn-bytes: the text says OK and does not show the info finding",
              rc == 0 and out.startswith("MAPDIAG OK - ") and "parked" not in out, out[:300])
        rc, held, s = sev(["--warn-bytes", "0"], "main.badOldbuckets")
        check("warn-bytes 0: growing-idle is a warning, exit 1", s == ["warning"] and rc == 1,
              "rc=%d sev=%r" % (rc, s))
        rc, out, err = mapdiag("attach", "--warn-bytes", "lots", pid, "main.healthy")
        check("warn-bytes: a bad size is a usage error", rc == 3 and "--warn-bytes" in err and
              len(err.strip().splitlines()) == 1, "rc=%d %r" % (rc, err))
    finally:
        targets.stop(p)
    p, oracle = targets.start(targets.binary("go1.26"))
    pid = oracle["pid"]
    try:
        rc, out, _ = mapdiag("attach", "--json", "--warn-bytes", "1G", pid, "main.oversized")
        m = json.loads(out)["maps"][0]
        f = [x["severity"] for x in m.get("findings", []) if x["code"] == "oversized"]
        check("warn-bytes 1G: oversized is info, exit 0", f == ["info"] and rc == 0,
              "rc=%d %r" % (rc, f))
    finally:
        targets.stop(p)


def test_pty(variant):
    """attach, scan and the watch live view on a terminal of 80 and 200
    columns: every line fits; the status line has no perfdata there (it is
    for the monitoring system) unless --wide."""
    p, oracle = targets.start(targets.binary(variant))
    s, soracle = targets.start(targets.scantarget(variant), args=["-many", "100"])
    pid, spid = str(oracle["pid"]), str(soracle["pid"])
    env = dict(os.environ, TERM="xterm")
    env.pop("NO_COLOR", None)
    try:
        for cols in (80, 200):
            n = "%s %d cols" % (variant, cols)
            rc, out = run_in_pty([MAPDIAG, "attach", pid, "main.idle", "main.oversized",
                                  "main.writing", "main.million"], env, cols=cols)
            wide = too_wide(out, cols)
            check(n + ": attach lines fit", rc == 1 and not wide and "\x1b[" in out,
                  "rc=%d %r" % (rc, wide[:2]))
            first = visible(out.split("\n")[0])
            check(n + ": attach status line, no perfdata on a terminal",
                  first.startswith("MAPDIAG WARNING - ") and " | " not in first, repr(first))
            if cols == 80:
                check(n + ": a long finding is wrapped, not cut, within 3 lines",
                      "copy it into" in out or "swap" in out, out[-500:])
            rc, out = run_in_pty([MAPDIAG, "attach", "--wide", pid, "main.oversized"], env, cols=cols)
            check(n + ": --wide: perfdata, lines not cut", " | 'main.oversized_bytes'=" in out and
                  "\u2026" not in out, out[:300])
            rc, out = run_in_pty([MAPDIAG, "scan", spid], env, cols=cols)
            rows = [l for l in out.split("\n") if re.match(r"^\s+[0-9.]+ (B|KiB|MiB|GiB)\s", visible(l))]
            more = re.search(r"\u2026 (\d+) more \(--top 0: all\)", visible(out))
            check(n + ": scan lines fit", not too_wide(out, cols), repr(too_wide(out, cols)[:2]))
            check(n + ": scan lists 20 on a terminal and says how many more",
                  len(rows) == 20 and more and int(more.group(1)) > 0, "%d rows, %r" % (len(rows), more))
            rc, out = run_in_pty([MAPDIAG, "scan", "--top", "0", spid], env, cols=cols)
            rows0 = [l for l in out.split("\n") if re.match(r"^\s+[0-9.]+ (B|KiB|MiB|GiB)\s", visible(l))]
            check(n + ": scan --top 0 lists all", more and len(rows0) == 20 + int(more.group(1)),
                  "%d rows" % len(rows0))
            rc, out = run_in_pty([MAPDIAG, "watch", "--interval", "5ms", "--every", "300ms",
                                  "--duration", "700ms", pid, "main.idle", "main.writing",
                                  "main.oversized"], env, cols=cols)
            check(n + ": watch live view and summary fit", not too_wide(out, cols) and
                  "SEVERITY" in out and "hot-map" in out, repr(too_wide(out, cols)[:2]))
            check(n + ": watch view columns for the width", ("INS/s" in out) == (cols >= 118),
                  "INS/s %s" % ("INS/s" in out))
    finally:
        targets.stop(p)
        targets.stop(s)


def test_demo_lines():
    """make demo at 80 columns: at most 15 lines, each within 80."""
    rc, out = run_in_pty(["bash", os.path.join(ROOT, "scripts", "demo.sh")], cols=80)
    lines = [l for l in out.replace("\r", "").split("\n") if l.strip()]
    check("demo: at most 15 lines at 80 columns", 0 < len(lines) <= 15,
          "%d lines:\n%s" % (len(lines), "\n".join(lines)))
    # the first line is the script echoing the command, not mapdiag
    check("demo: every line of mapdiag within 80 columns", not too_wide("\n".join(lines[1:]), 80),
          repr(too_wide("\n".join(lines[1:]), 80)[:3]))
    check("demo: verdict first, the oversized map named",
          lines and visible(lines[1]).startswith("MAPDIAG WARNING - main.stale oversized"),
          repr(lines[:2]))


def main():
    variants = sys.argv[1:] or ["go1.23", "go1.26"]
    for v in variants:
        test_status_line(v)
        test_pty(v)
    test_warn_bytes()
    test_demo_lines()
    return checks.summary()


if __name__ == "__main__":
    sys.exit(main())
