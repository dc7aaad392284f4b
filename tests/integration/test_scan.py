#!/usr/bin/env python3
"""Integration tests: mapdiag scan against real Go processes.

testdata/maps/cmd/scantarget sets up a few hundred maps reachable from its
package-level variables in every way scan looks for them, and prints on its
READY line what scan must find at the default --depth 3 (every map, its
header as the process reads it through unsafe, its depth, its aliases), the
maps only found deeper, its sync.Maps, and the findings scan must report
(see the comment at the top of its main.go).  Each test scans with mapdiag
and compares; every path scan prints must also be accepted by attach, with
the same report; the target must be left running and untraced.

    python3 tests/integration/test_scan.py [variant...]
    python3 tests/integration/test_scan.py prom     # the --prom tests only

Prints one line per test and ends with 'N passed, N failed'.
"""
import json
import re
import os
import random
import signal
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, HERE)
import targets  # noqa: E402

PREFIXES = ["--var-prefix", "main.", "--var-prefix", "example.com/acme/"]
INVENTORY = "example.com/acme/inventory."
OVERSIZED = ["main.oversizedL", "main.oversizedM", "main.oversizedS"]  # largest first
MIB = 1 << 20

from checks import ok, fail, check  # noqa: E402
import checks  # noqa: E402
from mdrun import (MAPDIAG, mapdiag, norm, norm_obj, header_diffs,  # noqa: E402
                   left_stopped, check_released, wait_handlers)


# Scans after which the target was found stopped, traced or gone.
left_bad = []


def scan(name, pid, *args, census=False):
    """mapdiag scan --json PID ARGS: (exit code, report or None, stderr).
    A report that is not JSON is a failure of its own. After each scan the
    target must be running and untraced (collected in left_bad).  Unless
    census, the scan is the oracle's: package variables only, --depth 3
    when ARGS name no depth (the census of goroutine stacks and its default
    depth have tests of their own, test_census.py)."""
    if not census:
        args = ("--globals-only",) + (() if "--depth" in args else ("--depth", "3")) + args
    rc, out, err = mapdiag("scan", "--json", pid, *args)
    why = left_stopped(int(pid), grace=0)
    if why:
        left_bad.append("%s %s: %s" % (name, " ".join(map(str, args)), why))
    try:
        return rc, json.loads(out), err
    except ValueError:
        fail(name + ": json", "rc=%d out=%r err=%r" % (rc, out[:300], err[-500:]))
        return rc, None, err


def root_var(path):
    """The package-level variable a path starts from: main.holder.m ->
    main.holder; example.com/acme/inventory.Warehouses[2].Bins ->
    example.com/acme/inventory.Warehouses."""
    slash = path.rfind("/") + 1
    dot = path.index(".", slash)
    end = len(path)
    for c in ".[":
        i = path.find(c, dot + 1)
        if i >= 0:
            end = min(end, i)
    return path[:end]


def count_of(m):
    """Entries of a map object (0 for a nil map)."""
    h = m.get("header")
    if not h:
        return 0
    return h.get("count", h.get("used", 0))


def held(m):
    d = m.get("derived")
    return d["bytes_held"] if d else 0


SEVERITY = {"ok": 0, "warning": 1, "critical": 2, "unknown": 3}


class Expect:
    """What a scan of the target must list, from its oracle: for each map,
    the paths it may be listed under (an alias group's paths with the fewest
    hops) and all its paths."""

    def __init__(self, oracle, depth=3):
        """At --depth 3 (the oracle's), less (the maps and alias paths
        within depth hops), or 5 (the oracle's deep maps too)."""
        self.oracle = oracle
        self.entries = {}   # key path -> oracle entry
        self.allowed = {}   # key path -> paths scan may print it under
        self.group = {}     # key path -> every path of it
        for k, e in oracle["maps"].items():
            if e["depth"] <= depth:
                self.entries[k] = e
                self.allowed[k] = [k]
                self.group[k] = [k]
        depths = oracle["alias_depths"]
        for g in oracle["aliases"]:
            if g[0] not in self.entries:
                continue
            least = min(depths[p] for p in g)
            self.allowed[g[0]] = [p for p in g if depths[p] == least]
            self.group[g[0]] = [p for p in g if depths[p] <= depth]
        if depth >= 5:
            for k, e in oracle["deep"].items():
                self.entries[k] = dict(e, deep=True)
                self.allowed[k] = [k]
                self.group[k] = [k]
        self.key_of = {p: k for k, ps in self.allowed.items() for p in ps}

    def under(self, prefix):
        return {k for k in self.entries if k.startswith(prefix)}


def check_listing(name, rep, exp, impl, prefixes=None):
    """Every expected map listed once, under an allowed path, with the
    oracle's header, depth and aliases; nothing else under the prefixes."""
    got = {}
    dups = []
    for m in rep["maps"]:
        if m["var"] in got:
            dups.append(m["var"])
        got[m["var"]] = m
    check(name + ": no path listed twice", not dups, str(dups[:5]))
    addrs = [norm(m["addr"]) for m in rep["maps"] if m.get("header")]
    check(name + ": no header listed twice", len(addrs) == len(set(addrs)),
          "%d headers, %d distinct" % (len(addrs), len(set(addrs))))
    if prefixes is not None:
        extra = [v for v in got if v not in exp.key_of and any(v.startswith(p) for p in prefixes)]
        check(name + ": nothing listed that the oracle does not have", not extra, str(extra[:8]))
    missing, bad_hdr, bad_depth, bad_alias, bad_state = [], [], [], [], []
    for k, e in sorted(exp.entries.items()):
        if prefixes is not None and not any(k.startswith(p) for p in prefixes):
            continue
        var = [p for p in exp.allowed[k] if p in got]
        if len(var) != 1:
            missing.append("%s (listed as %s)" % (k, var))
            continue
        m = got[var[0]]
        if "error" in m:
            missing.append("%s: %s" % (k, m["error"]))
            continue
        if e.get("deep"):
            if norm(m.get("addr")) != norm(e["addr"]) or count_of(m) != e["len"] or \
                    m.get("type") != e["type"]:
                bad_hdr.append("%s: %s/%s/%s != %s/%s/%s" % (k, m.get("addr"), count_of(m), m.get("type"),
                                                             e["addr"], e["len"], e["type"]))
        else:
            d = header_diffs(m, e, impl)
            if d:
                bad_hdr.append("%s: %s" % (k, ", ".join(d[:3])))
        if m.get("depth") != e["depth"]:
            bad_depth.append("%s %r != %d" % (var[0], m.get("depth"), e["depth"]))
        want_alias = sorted(set(exp.group[k]) - {var[0]})
        got_alias = sorted(m.get("aliases", []))
        # A pointee is walked once per type (the first visit has the most
        # depth left): main.sharedA and main.sharedB point at one struct,
        # so the path through the second pointer is never walked and the
        # group shows one path.  Other groups are distinct holders of one
        # map: every path is walked and listed.
        via_shared = any(a.startswith(("main.sharedA.", "main.sharedB.")) for a in exp.group[k])
        if via_shared:
            alias_ok = got_alias == [] and m.get("aliases_total") == 0
        else:
            alias_ok = got_alias == want_alias and m.get("aliases_total") == len(want_alias)
        if not alias_ok:
            bad_alias.append("%s: %s (total %s) != %s" % (var[0], m.get("aliases"), m.get("aliases_total"),
                                                          want_alias))
        if e.get("nil"):
            st = "nil"
        elif k == "main.growingIdle" and impl == "hmap":
            st = "growing-idle"
        else:
            st = "idle"
        if m.get("state") != st:
            bad_state.append("%s %r != %r" % (var[0], m.get("state"), st))
    check(name + ": every oracle map listed", not missing, "; ".join(missing[:6]))
    check(name + ": headers match", not bad_hdr, "; ".join(bad_hdr[:6]))
    check(name + ": depths match", not bad_depth, "; ".join(bad_depth[:6]))
    check(name + ": aliases match", not bad_alias, "; ".join(bad_alias[:6]))
    check(name + ": states match", not bad_state, "; ".join(bad_state[:6]))
    return got


def check_ranking(name, maps, key, label):
    """Ranked by key, largest first; ties by bytes held, then path (README)."""
    vals = [key(m) for m in maps]
    bad = [i for i in range(1, len(vals)) if vals[i] > vals[i - 1]]
    check("%s: ranked by %s" % (name, label), not bad,
          "; ".join("%s %r after %s %r" % (maps[i]["var"], vals[i], maps[i - 1]["var"], vals[i - 1])
                    for i in bad[:4]))
    want = sorted(maps, key=lambda m: (-key(m), -held(m), m["var"].encode()))
    diff = [i for i, (a, b) in enumerate(zip(maps, want)) if a["var"] != b["var"]]
    check("%s: ties by bytes held, then path" % name, not diff,
          "; ".join("#%d %s, want %s" % (i, maps[i]["var"], want[i]["var"]) for i in diff[:3]))


def check_summary(name, rep, exp, nmaps, nnil):
    s = rep.get("summary") or {}
    maps = rep["maps"]
    total = sum(held(m) for m in maps)
    over = [m for m in maps if any(f["code"] == "oversized" for f in m.get("findings", []))]
    recl = sum(max(0, m["derived"]["bytes_held"] - m["derived"]["bytes_if_rebuilt"]) for m in over)
    bad = []
    if s.get("maps") != nmaps:
        bad.append("maps %r != %d" % (s.get("maps"), nmaps))
    if s.get("listed") != len(maps):
        bad.append("listed %r != %d" % (s.get("listed"), len(maps)))
    if s.get("nil") != nnil:
        bad.append("nil %r != %d" % (s.get("nil"), nnil))
    if s.get("bytes_held") != total:
        bad.append("bytes_held %r != %d (sum over maps)" % (s.get("bytes_held"), total))
    if s.get("oversized") != len(OVERSIZED):
        bad.append("oversized %r != %d" % (s.get("oversized"), len(OVERSIZED)))
    if s.get("reclaimable_bytes") != recl or not 0 < recl <= total:
        bad.append("reclaimable_bytes %r != %d (oversized: held - rebuilt), total %d"
                   % (s.get("reclaimable_bytes"), recl, total))
    if s.get("truncated") != 0 or s.get("unreadable") != 0:
        bad.append("truncated %r unreadable %r" % (s.get("truncated"), s.get("unreadable")))
    if s.get("exit_code") != 1:
        bad.append("exit_code %r" % s.get("exit_code"))
    # per map: what a rebuild would free (README: FREES), on every map; the
    # summary totals it over the oversized ones only
    per = [m["var"] for m in maps if m.get("reclaimable_bytes") != (
        max(0, m["derived"]["bytes_held"] - m["derived"]["bytes_if_rebuilt"]) if m.get("derived") else 0)]
    if per:
        bad.append("reclaimable_bytes of %s" % per[:4])
    roots = {root_var(k) for k in exp.entries}
    if not isinstance(s.get("variables"), int) or s["variables"] < len(roots):
        bad.append("variables %r < %d variables holding the maps" % (s.get("variables"), len(roots)))
    check(name + ": summary", not bad, "; ".join(bad))


def check_findings(name, got, exp):
    """The oracle's warnings are reported, and nothing else is above ok."""
    want = exp.oracle["findings"]
    bad = []
    for var, m in got.items():
        k = exp.key_of.get(var)
        codes = [f["code"] for f in m.get("findings", []) if f["severity"] != "info"]
        if k in want:
            if not set(want[k]) <= set(codes) or m.get("severity") != "warning":
                bad.append("%s: %s %s, want %s" % (var, m.get("severity"), codes, want[k]))
        elif k is not None and (m.get("severity") != "ok" or codes):
            bad.append("%s: %s %s, want ok" % (var, m.get("severity"), codes))
    check(name + ": findings", not bad, "; ".join(bad[:6]))


def check_sync(name, rep, oracle):
    nd = rep.get("not_decoded")
    if not isinstance(nd, list):
        fail(name + ": not_decoded", "missing: %r" % nd)
        return
    sm = [e for e in nd if e.get("var") == "main.sm"]
    if oracle["sync_maps"]:
        check(name + ": sync.Map (hash-trie) in not_decoded with a reason",
              len(sm) == 1 and sm[0].get("type") == "sync.Map" and
              isinstance(sm[0].get("reason"), str) and sm[0]["reason"].strip() != "",
              str(nd))
    else:
        check(name + ": sync.Map decoded (read.v.m, dirty), not in not_decoded", not sm, str(nd))


def check_one_load(name, pid, rep, scan_lines):
    """Load is one number under one name: scan's LOAD column, attach's
    text and the JSON's derived.load agree, and no map is above the load
    at which it grows (a one-bucket classic map fills its 8 slots)."""
    loads = {m["var"]: m["derived"] for m in rep["maps"] if "error" not in m and m.get("derived")}
    over = ["%s %.4f > %.4f" % (v, d["load"], d["max_load"]) for v, d in loads.items()
            if d["load"] > d["max_load"] + 1e-9]
    check(name + ": no map's load above its growth point", loads and not over, "; ".join(over[:4]))
    bad, seen = [], 0
    for line in scan_lines:
        toks = line.split()
        pct = [t for t in toks if t.endswith("%")]
        var = [t for t in toks if t in loads]
        if not pct or not var:
            continue
        seen += 1
        if abs(float(pct[0][:-1]) - 100 * loads[var[0]]["load"]) > 0.051:
            bad.append("%s: scan %s, JSON %.4f" % (var[0], pct[0], loads[var[0]]["load"]))
    check(name + ": scan's LOAD column is the JSON's load", seen and not bad,
          "%d rows; %s" % (seen, "; ".join(bad[:4])))
    picked = sorted(v for v, d in loads.items() if d.get("slots") and not d.get("small"))[:4]
    rc, out, err = mapdiag("attach", "-v", "--no-threads", "--color", "never", pid, *picked)
    got = re.findall(r"load (\d+\.\d)% \(grows at (\d+\.\d)%\)", out)
    want = [("%.1f" % (100 * loads[v]["load"]), "%.1f" % (100 * loads[v]["max_load"])) for v in picked]
    check(name + ": attach's text says the same load and growth point", got == want,
          "got %s, want %s" % (got, want))


def attach_all(name, pid, rep, extra_paths=()):
    """Every path scan printed, and every alias, is accepted by attach and
    names the same map; a scan entry is the object attach prints."""
    entries = [m for m in rep["maps"] if "error" not in m]
    paths = [m["var"] for m in entries]
    aliases = {a: m for m in entries for a in m.get("aliases", [])}
    rc, out, err = mapdiag("attach", "--json", "--no-threads", pid, *(paths + list(aliases) + list(extra_paths)))
    try:
        att = {m["var"]: m for m in json.loads(out)["maps"]}
    except ValueError:
        fail(name + ": attach every path", "rc=%d %r" % (rc, err[-400:]))
        return
    errors = ["%s: %s" % (v, m["error"]) for v, m in att.items() if "error" in m]
    check(name + ": attach accepts every path scan printed", rc in (0, 1) and not errors,
          "rc=%d %s" % (rc, "; ".join(errors[:4]) or err.strip()[:300]))
    bad = []
    for m in entries:
        a = att.get(m["var"])
        if not a or "error" in a:
            continue
        for k in ("type", "impl", "addr", "header", "tables", "derived", "state", "severity", "findings"):
            if norm_obj(m.get(k)) != norm_obj(a.get(k)):
                bad.append("%s %s: scan %s, attach %s" % (m["var"], k, str(m.get(k))[:80], str(a.get(k))[:80]))
                break
    check(name + ": scan's map objects are attach's", not bad, "; ".join(bad[:4]))
    bad = ["%s -> %s, not %s" % (al, att[al].get("addr"), m["addr"]) for al, m in aliases.items()
           if al in att and "error" not in att[al] and norm(att[al].get("addr")) != norm(m["addr"])]
    check(name + ": aliases attach to the same header", not bad, "; ".join(bad[:4]))


def test_variant(variant, full=True):
    path = targets.scantarget(variant)
    if not os.path.exists(path):
        fail(variant, "target not built: %s" % path)
        return
    p, oracle = targets.start(path)
    pid = oracle["pid"]
    impl = oracle["impl"]
    exp = Expect(oracle)
    nil3 = sum(1 for e in oracle["maps"].values() if e["nil"])
    n = "scan " + variant
    try:
        rc, rep, err = scan(n, pid, *PREFIXES)
        if rep is None:
            return
        check(n + ": exit code is WARNING", rc == 1, "rc=%d err=%s" % (rc, err.strip()[:300]))
        check(n + ": nothing on stderr", err.strip() == "", err[:300])
        check(n + ": pid, exe, go_version, depth, sort",
              rep.get("pid") == pid and rep.get("go_version") == oracle["go_version"] and
              os.path.realpath(rep.get("exe", "")) == os.path.realpath(path) and
              rep.get("depth") == 3 and rep.get("sort") == "bytes",
              str({k: rep.get(k) for k in ("pid", "exe", "go_version", "depth", "sort")}))
        check(n + ": stopped, pause, threads, reads",
              rep.get("stopped") is True and isinstance(rep.get("pause_us"), (int, float)) and
              rep["pause_us"] > 0 and rep.get("threads_stopped", 0) >= 1 and rep.get("reads", 0) >= 1,
              str({k: rep.get(k) for k in ("stopped", "pause_us", "threads_stopped", "reads")}))
        got = check_listing(n, rep, exp, impl, prefixes=["main.", "example.com/acme/"])
        check(n + ": count", len(rep["maps"]) == len(oracle["maps"]),
              "%d listed, oracle %d" % (len(rep["maps"]), len(oracle["maps"])))
        check(n + ": deep maps absent at depth 3",
              not [v for v in got if v in oracle["deep"]], str([v for v in got if v in oracle["deep"]]))
        check_ranking(n, rep["maps"], held, "bytes_held")
        check(n + ": the oversized maps lead, largest first",
              [m["var"] for m in rep["maps"][:3]] == OVERSIZED,
              str([(m["var"], held(m)) for m in rep["maps"][:4]]))
        check_findings(n, got, exp)
        check_summary(n, rep, exp, len(oracle["maps"]), nil3)
        check_sync(n, rep, oracle)
        check_released(n, pid)
        if not full:
            return
        default_order = [m["var"] for m in rep["maps"]]

        # --sort
        for key, f in (("count", count_of),
                       ("severity", lambda m: SEVERITY.get(m.get("severity"), 9)),
                       ("load", lambda m: (m.get("derived") or {}).get("load", 0))):
            rc, r, err = scan(n, pid, *PREFIXES, "--sort", key)
            if r is None:
                continue
            check("%s --sort %s: same maps, exit 1" % (n, key),
                  rc == 1 and r.get("sort") == key and
                  sorted(m["var"] for m in r["maps"]) == sorted(default_order),
                  "rc=%d sort=%r %d maps" % (rc, r.get("sort"), len(r["maps"])))
            check_ranking("%s --sort %s" % (n, key), r["maps"], f, key)
        # --top, --min-bytes
        rc, r, err = scan(n, pid, *PREFIXES, "--top", "5")
        if r is not None:
            check(n + " --top 5: the first five of the ranking",
                  rc == 1 and [m["var"] for m in r["maps"]] == default_order[:5] and
                  r["summary"]["listed"] == 5 and r["summary"]["maps"] == len(default_order),
                  "rc=%d %s %s" % (rc, [m["var"] for m in r["maps"]], r.get("summary")))
        big = [v for v in default_order if held(got[v]) >= MIB]
        for arg in ("1M", str(MIB)):
            rc, r, err = scan(n, pid, *PREFIXES, "--min-bytes", arg)
            if r is not None:
                check("%s --min-bytes %s: the maps holding 1 MiB or more" % (n, arg),
                      rc == 1 and [m["var"] for m in r["maps"]] == big and big == OVERSIZED and
                      all(held(m) >= MIB for m in r["maps"]),
                      "rc=%d %s, want %s" % (rc, [(m["var"], held(m)) for m in r["maps"]], big))
        rc, r, err = scan(n, pid, *PREFIXES, "--min-bytes", "1G")
        if r is not None:
            # nothing listed: the exit code still reflects every map found
            check(n + " --min-bytes 1G: nothing listed",
                  r["maps"] == [] and r["summary"]["maps"] == len(default_order) and rc == 1,
                  "rc=%d %d listed, summary %s" % (rc, len(r["maps"]), r.get("summary")))

        # --depth 5 finds the deep maps; a cycle does not loop
        rc, r, err = scan(n, pid, *PREFIXES, "--depth", "5")
        if r is not None:
            check(n + " --depth 5: exit 1, depth 5", rc == 1 and r.get("depth") == 5, "rc=%d" % rc)
            check_listing(n + " --depth 5", r, Expect(oracle, 5), impl,
                          prefixes=["main.", "example.com/acme/"])
            check(n + " --depth 5: count", len(r["maps"]) == len(oracle["maps"]) + len(oracle["deep"]),
                  "%d listed" % len(r["maps"]))
        for d in (0, 1):
            rc, r, err = scan(n, pid, *PREFIXES, "--depth", str(d))
            if r is not None:
                e = Expect(oracle, d)
                check_listing("%s --depth %d" % (n, d), r, e, impl, prefixes=["main.", "example.com/acme/"])
                check("%s --depth %d: count" % (n, d), len(r["maps"]) == len(e.entries),
                      "%d listed, want %d" % (len(r["maps"]), len(e.entries)))
        t0 = time.monotonic()
        rc, r, err = scan(n, pid, "--var-prefix", "main.ring", "--depth", "16")
        if r is not None:
            ring = {}
            for m in r["maps"]:
                ring.setdefault(norm(m["addr"]), []).append(m["var"])
            want = ["main.ring" + ".next" * i + ".m" for i in range(6)]
            n0 = [m for m in r["maps"] if m["var"] == want[0]]
            # main.ring's first node is reached again every 6 hops, but a
            # pointee is walked once: the cycle ends, no cyclic alias paths
            check(n + " --depth 16: the ring of 6 listed once each, the cycle walked once",
                  rc == 0 and [m["var"] for m in r["maps"]] and
                  sorted(m["var"] for m in r["maps"]) == sorted(want) and len(ring) == 6 and
                  n0 and n0[0].get("aliases") == [] and
                  all(m.get("aliases_total") == 0 for m in r["maps"]),
                  "rc=%d %s" % (rc, [(m["var"], m.get("aliases")) for m in r["maps"]]))
            check(n + " --depth 16: quick", time.monotonic() - t0 < 10, "%.1fs" % (time.monotonic() - t0))
            attach_all(n + " --depth 16", pid, r)

        # --var-prefix
        for prefs, want in (([INVENTORY], exp.under(INVENTORY)),
                            (["main."], exp.under("main."))):
            args = [a for pf in prefs for a in ("--var-prefix", pf)]
            rc, r, err = scan(n, pid, *args)
            if r is None:
                continue
            keys = {exp.key_of.get(m["var"], m["var"]) for m in r["maps"]}
            check("%s --var-prefix %s: that package only" % (n, " ".join(prefs)),
                  rc == (0 if prefs == [INVENTORY] else 1) and keys == want and
                  len(r["maps"]) == oracle["prefix_counts"][prefs[0]],
                  "rc=%d extra %s missing %s" % (rc, sorted(keys - want)[:5], sorted(want - keys)[:5]))
        # no prefix: the whole program (runtime, reflect, ... too)
        rc, r, err = scan(n, pid)
        if r is not None:
            keys = {exp.key_of.get(m["var"], m["var"]) for m in r["maps"]}
            check(n + " (no prefix): every oracle map among all the program's",
                  rc == 1 and set(exp.entries) <= keys and r["summary"]["maps"] >= len(oracle["maps"]),
                  "rc=%d missing %s" % (rc, sorted(set(exp.entries) - keys)[:5]))
            check_sync(n + " (no prefix)", r, oracle)

        # the default depth (8) finds what depth 3 left out, and a map
        # only depth cut is counted, never silent
        rc, r, err = scan(n, pid, *PREFIXES, "--globals-only", census=True)
        if r is not None:
            keys = {exp.key_of.get(m["var"], m["var"]) for m in r["maps"]}
            check(n + " default depth: 8, the deep maps found",
                  r.get("depth") == 8 and set(oracle["deep"]) <= keys,
                  "depth %r missing %s" % (r.get("depth"), sorted(set(oracle["deep"]) - keys)[:5]))
        rc, r, err = scan(n, pid, *PREFIXES, "--depth", "3")
        if r is not None:
            cut = r["summary"].get("not_followed", {}).get("depth", 0)
            check(n + " --depth 3: what the depth cut is counted (not_followed.depth)",
                  cut >= 1, "not_followed %r" % r["summary"].get("not_followed"))

        # text report
        rc, out, err = mapdiag("scan", pid, *PREFIXES, "--depth", "3", "--globals-only")
        lines = out.splitlines()
        check(n + ": text report", rc == 1 and any("main.oversizedL" in l for l in lines) and
              "\033[" not in out and lines and lines[0].startswith("MAPDIAG WARNING - "),
              "rc=%d %r" % (rc, out[-300:]))

        check_one_load(n, pid, rep, lines)

        attach_all(n, pid, rep)
        check_released(n + " (after all)", pid)
    finally:
        check(n + ": running and untraced after every scan", p.poll() is None and not left_bad,
              "exit %r; %s" % (p.poll(), "; ".join(left_bad[:3])))
        del left_bad[:]
        targets.stop(p)


def test_many(variant, n_many=3000):
    """-many: thousands of small maps in a slice of pointers, all found with
    their headers in one stop."""
    p, oracle = targets.start(targets.scantarget(variant), args=["-many", str(n_many)])
    n = "scan %s -many %d" % (variant, n_many)
    try:
        rc, rep, err = scan(n, oracle["pid"], *PREFIXES)
        if rep is None:
            return
        check(n + ": exit 1", rc == 1, "rc=%d %s" % (rc, err.strip()[:300]))
        got = check_listing(n, rep, Expect(oracle), oracle["impl"], prefixes=["main.", "example.com/acme/"])
        nb = sum(1 for v in got if v.startswith("main.buckets["))
        check(n + ": every bucket map", nb == n_many and len(rep["maps"]) == len(oracle["maps"]),
              "%d buckets, %d maps, oracle %d" % (nb, len(rep["maps"]), len(oracle["maps"])))
        check_released(n, oracle["pid"])
    finally:
        check(n + ": running and untraced after the scan", p.poll() is None and not left_bad,
              "exit %r; %s" % (p.poll(), "; ".join(left_bad[:3])))
        del left_bad[:]
        targets.stop(p)


def test_errors(variant):
    """Bad usage and bad pids: exit 3, one line on stderr, nothing on stdout."""
    p, oracle = targets.start(targets.scantarget(variant))
    pid = str(oracle["pid"])
    try:
        cases = [
            (["--depth", "-1", pid], "depth"),
            (["--depth", "x", pid], "depth"),
            (["--depth", "17", pid], "depth"),
            (["--top", "1.5", pid], "top"),
            (["--top", "-3", pid], "top"),
            (["--sort", "bogus", pid], "sort"),
            (["--min-bytes", "lots", pid], "min-bytes"),
            (["--bogus", pid], "unknown"),
            ([], "missing"),
            (["12x"], "process id"),
            ([pid, pid], ""),
            (["4194303"], "no such process"),
        ]
        for args, what in cases:
            rc, out, err = mapdiag("scan", *args)
            lines = [l for l in err.splitlines() if l]
            check("scan errors %s: %s" % (variant, " ".join(args) or "(no pid)"),
                  rc == 3 and len(lines) == 1 and lines[0].startswith("mapdiag: ") and
                  what in lines[0] and out == "",
                  "rc=%d stdout=%r stderr=%r" % (rc, out[:100], err))
        sl = subprocess.Popen(["sleep", "30"])
        try:
            time.sleep(0.05)
            rc, out, err = mapdiag("scan", sl.pid)
            check("scan errors: not a Go binary", rc == 3 and "not a Go binary" in err, "rc=%d %r" % (rc, err))
        finally:
            sl.kill()
            sl.wait()
        rc, out, err = mapdiag("scan", "--help")
        check("scan --help", rc == 0 and "--depth" in out and "--var-prefix" in out, "rc=%d" % rc)
        check_released("scan errors " + variant, oracle["pid"])
    finally:
        targets.stop(p)


def prom_samples(text):
    """{(name, frozenset(labels)): value} of an exposition, and
    {family: (HELP, TYPE)}."""
    import promcheck
    series, meta = {}, {}
    for line in text.splitlines():
        if line.startswith("# HELP ") or line.startswith("# TYPE "):
            kw, name, rest = line[2:].split(" ", 2)
            meta.setdefault(name, {})[kw] = rest
            continue
        n, labels, val, _, err = promcheck._parse_sample(line)
        if err is None:
            series[(n, frozenset(labels))] = float(val)
    return series, meta


def test_prom(variant):
    """scan --prom: mapdiag_build_info (mapdiag's version, the target's Go
    version and map implementation, value 1), --label on every series,
    the naming conventions, the time of the census; a bad --label is a
    usage error before the scan; a watch file and a scan file of the same
    process can share a textfile directory (no series in both, one HELP
    and TYPE per name)."""
    import promcheck
    p, oracle = targets.start(targets.binary(variant))
    pid = str(oracle["pid"])
    d = os.path.join(ROOT, "tests", "out", "scanprom-%s" % variant)
    os.makedirs(d, exist_ok=True)
    f, wf = os.path.join(d, "scan.prom"), os.path.join(d, "watch.prom")
    odd = 'a "quoted" \\ value'
    try:
        for x in (f, wf):
            if os.path.exists(x):
                os.unlink(x)
        t0 = time.time()
        rc, out, err = mapdiag("scan", "--globals-only", "--top", "3", "--label", "service=sessiond",
                               "--label", "team=" + odd, "--prom", f, pid)
        done = time.time()
        text = open(f).read() if os.path.exists(f) else ""
        probs = promcheck.check(text) + promcheck.conventions(text)
        check("scan prom %s: valid, the naming conventions hold" % variant,
              text and not probs, "rc=%d %s %s" % (rc, probs[:3], err[-200:]))
        series, meta = prom_samples(text)
        info = [(dict(k[1]), v) for k, v in series.items() if k[0] == "mapdiag_build_info"]
        version = subprocess.run([MAPDIAG, "--version"], capture_output=True,
                                 text=True).stdout.split()[-1]
        want = {"pid": pid, "version": version, "go_version": oracle["go_version"],
                "impl": oracle["impl"], "command": "scan", "service": "sessiond", "team": odd}
        check("scan prom %s: one mapdiag_build_info 1 with version, go_version, impl" % variant,
              len(info) == 1 and info[0][1] == 1 and
              all(info[0][0].get(k) == v for k, v in want.items()), "%r want %r" % (info, want))
        bad = [k for k in series if dict(k[1]).get("service") != "sessiond" or
               dict(k[1]).get("team") != odd]
        held = [k for k in series if k[0] == "mapdiag_scan_map_held_bytes"]
        check("scan prom %s: --label on all %d series; 3 maps' held bytes" % (variant, len(series)),
              series and not bad and len(held) == 3, "%s %d" % (bad[:2], len(held)))
        stamp = [v for k, v in series.items()
                 if k[0] == "mapdiag_scan_last_report_timestamp_seconds"]
        check("scan prom %s: the census's time (%.2f..%.2f)" % (variant, t0, done),
              len(stamp) == 1 and t0 <= stamp[0] <= done, str(stamp))

        cases = [("service", "not key=value"), ("path=x", "mapdiag writes that label"),
                 ("owner=x", "mapdiag writes that label"), ("__x=1", "__"),
                 ("a.b=1", "cannot be a label name"), ("svc=", "empty value")]
        for lab, what in cases:
            g = os.path.join(d, "bad.prom")
            rc, out, err = mapdiag("scan", "--globals-only", "--label", lab, "--prom", g, pid)
            lines = [l for l in err.splitlines() if l]
            check("scan --label %s: usage error, exit 3, one line, no file" % lab,
                  rc == 3 and len(lines) == 1 and "--label" in err and what in err and
                  out == "" and not os.path.exists(g), "rc=%d %r" % (rc, err))
        rc, out, err = mapdiag("scan", "--globals-only", "--label", "a=1", "--label", "a=2",
                               "--prom", os.path.join(d, "bad.prom"), pid)
        check("scan --label twice: usage error", rc == 3 and "given twice" in err, err)
        rc, out, err = mapdiag("scan", "--globals-only", "--label", "a=1", pid)
        check("scan --label without --prom: usage error", rc == 3 and "no --prom" in err and
              out == "", "rc=%d %r" % (rc, err))

        mapdiag("watch", "--json", "--count", "3", "--label", "service=sessiond",
                "--label", "team=" + odd, "--prom", wf, pid, "main.oversized")
        wseries, wmeta = prom_samples(open(wf).read() if os.path.exists(wf) else "")
        both = set(series) & set(wseries)
        differ = [n for n in set(meta) & set(wmeta) if meta[n] != wmeta[n]]
        check("scan prom %s: a watch file next to it: no series in both, same HELP/TYPE"
              % variant, wseries and not both and not differ and
              "mapdiag_build_info" in set(meta) & set(wmeta), "%s %s" % (list(both)[:2], differ))
        check_released("scan prom " + variant, oracle["pid"])
    finally:
        targets.stop(p)


def test_liveness(variant, scans=20, kills=30):
    """The target keeps running through many scans, and when scan is killed
    (SIGKILL, SIGINT, SIGTERM) at any moment, also inside its stop (a few
    milliseconds with -many 5000)."""
    p, oracle = targets.start(targets.scantarget(variant), args=["-tick", "-threads", "4", "-many", "5000"])
    pid = oracle["pid"]
    try:
        bad = 0
        for _ in range(scans):
            rc, out, err = mapdiag("scan", "--json", pid, *PREFIXES, wrap=False)
            bad += rc != 1
        check("scan liveness %s: %d scans" % (variant, scans), bad == 0, "%d failed" % bad)
        check_released("scan liveness " + variant, pid)
        rng = random.Random(7)
        stuck = []
        for i in range(kills):
            sig = [signal.SIGKILL, signal.SIGINT, signal.SIGTERM][i % 3]
            q = subprocess.Popen([MAPDIAG, "scan", str(pid)], stdout=subprocess.DEVNULL,
                                 stderr=subprocess.PIPE)
            if sig != signal.SIGKILL:
                wait_handlers(q.pid)
            time.sleep(rng.uniform(0, 0.05))
            q.send_signal(sig)
            _, e = q.communicate()
            # SIGINT/SIGTERM: exit 3 (interrupted), or the scan had finished (1)
            if sig != signal.SIGKILL and q.returncode not in (1, 3):
                stuck.append("%s: exit %d %r" % (sig.name, q.returncode, e[-200:]))
            why = left_stopped(pid, grace=0.05)  # the kernel detaches asynchronously after SIGKILL
            if why:
                stuck.append("after %s: %s" % (sig.name, why))
        check("scan liveness %s: %d kills, target never left stopped" % (variant, kills),
              not stuck, "; ".join(stuck[:3]))
        t0 = targets.ticks(p)
        time.sleep(0.3)
        check("scan liveness %s: target still ticking" % variant, targets.ticks(p) > t0)
    finally:
        targets.stop(p)


def main():
    only = sys.argv[1:]
    if only == ["prom"]:
        for v in ("go1.23", "go1.26"):
            test_prom(v)
        return checks.summary()
    variants = list(targets.VARIANTS)
    if only:
        variants = [v for v in variants if v in only]
    for v in variants:
        test_variant(v)
    if not only:
        test_many("go1.23")
        test_many("go1.26")
        test_errors("go1.26")
        for v in ("go1.23", "go1.26"):
            test_prom(v)
        test_liveness("go1.22")
        test_liveness("go1.27")
    return checks.summary()


if __name__ == "__main__":
    sys.exit(main())
