#!/usr/bin/env python3
"""Integration tests: every path scan prints, attach and watch take
(README.md, "Paths"), against real processes.

For each variant (a classic and a Swiss release, and a PIE build):

  - the targets' own maps: testdata/pathtarget (built here, see below)
    prints the header address of every map it reaches through map keys of
    every kind, interfaces and goroutine stacks, under the path scan must
    print; attach of each path gives that header, watch its count; each of
    its bad paths fails with its one-line error, exit 3;
  - the census: for every map `scan --json` lists on pathtarget, scantarget
    and (where built) censustarget, attach of its path and of each alias
    gives the header scan found, watch --count 1 the same count, type and
    state; attach of a header address, with --type and without (scan's
    census finds its type), gives that header;
  - the guards: pathtarget -churn deletes and re-inserts a key (another
    key takes its slot in between) and swaps an interface's dynamic type
    nonstop; every attach of those paths gives the header they lead to
    or says the path moved, never the other map's; watch keeps sampling.

Paths through interfaces, goroutine stacks and header addresses with
--type need dwarf/'s run-time types and frame locals (md_dwarf_types_base,
md_dwarf_type_by_name, md_dwarf_each_local): where this build's dwarf/
does not provide them (an interface "has no runtime.types symbol" in a Go
binary, which always has one; no frame has a variable), those checks are
reported as skipped, never as passed; so is a censustarget path through
an interface whose dynamic type the executable's DWARF lacks (go1.23's
*main.holder), which scan cannot follow either.

testdata/pathtarget is its own module, built here with the variant's
toolchain into tests/out/bin/<variant>/pathtarget (when its source is newer)
with GOCACHE=$GOCACHE or tests/out/bin/.gocache.

    python3 tests/integration/test_paths.py [variant...]

Prints one line per check and ends with 'N passed, N failed'.
"""
import json
import os
import re
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import targets  # noqa: E402
import checks  # noqa: E402
from checks import check, fail, skip  # noqa: E402
from mdrun import mapdiag, norm, check_released  # noqa: E402

ROOT = targets.ROOT
VARIANTS = ["go1.19", "go1.23", "go1.26", "go1.26-pie", "go1.27-splitgroup"]
SRC = os.path.join(ROOT, "testdata", "pathtarget")
OUT = os.path.join(ROOT, "tests", "out", "bin")
STACK_PATH = re.compile(r"^g\d+/")
NO_RTYPES = "no runtime.types symbol"     # an interface, without dwarf/'s run-time types
NO_TYPE = "no type named"                 # --type, without md_dwarf_type_by_name


def build_pathtarget(variant):
    """tests/out/bin/<variant>/pathtarget, built if missing or stale; None
    (and a failure) if it cannot be."""
    rel, _, mode = variant.partition("-")
    goroot = "/usr/lib/go-" + rel[2:]
    exe = os.path.join(OUT, variant, "pathtarget")
    srcs = [os.path.join(SRC, f) for f in os.listdir(SRC)]
    if os.path.exists(exe) and all(os.path.getmtime(s) <= os.path.getmtime(exe) for s in srcs):
        return exe
    env = {k: v for k, v in os.environ.items()
           if k not in ("GOROOT", "GOPATH", "GOOS", "GOARCH", "GOEXPERIMENT", "GOFLAGS")}
    env.update(GOTOOLCHAIN="local", GOPROXY="off", GOFLAGS="-mod=mod", GOWORK="off",
               GO111MODULE="on", GOENV="off", CGO_ENABLED="0",
               GOCACHE=os.environ.get("GOCACHE") or os.path.join(OUT, ".gocache"))
    if mode == "splitgroup":
        env["GOEXPERIMENT"] = "mapsplitgroup"
    flags = ["-buildmode=pie"] if mode == "pie" else []
    os.makedirs(os.path.dirname(exe), exist_ok=True)
    t0 = time.monotonic()
    p = subprocess.run([os.path.join(goroot, "bin", "go"), "build"] + flags + ["-o", exe, "."],
                       cwd=SRC, env=env, capture_output=True, text=True)
    if p.returncode != 0:
        fail("build pathtarget " + variant, p.stderr[-800:])
        return None
    print("built %s (%.0f s)" % (exe, time.monotonic() - t0), flush=True)
    return exe


def attach_json(pid, paths, *opts):
    """attach --json --no-threads: (exit code, {var: map object}, stderr)."""
    rc, out, err = mapdiag("attach", "--json", "--no-threads", *opts, pid, *paths)
    try:
        return rc, {m["var"]: m for m in json.loads(out)["maps"]}, err
    except (ValueError, KeyError):
        return rc, None, err


def watch_json(pid, paths, *opts):
    """watch --json --count 1: (exit code, {var: map object} of the final
    report, stderr)."""
    rc, out, err = mapdiag("watch", "--json", "--count", "1", "--interval", "1ms", *opts,
                           pid, *paths)
    try:
        last = json.loads(out.strip().splitlines()[-1])
        return rc, {m["var"]: m for m in last["maps"]}, err
    except (ValueError, KeyError, IndexError):
        return rc, None, err


def count_of(m):
    h = m.get("header")
    if not h:
        return None
    return h.get("count", h.get("used"))


def same_map_watch(m, w):
    """What watch says of a map (count, type, state: it prints no address)
    is what scan or attach said of it."""
    if w is None or "error" in w:
        return False
    if m.get("header") is None:
        return w.get("state") == "nil"
    return w.get("count") == count_of(m) and w.get("type") == m.get("type")


def check_census(name, pid, prefixes, headers=3):
    """Every map scan lists: its path and aliases through attach, its path
    through watch; a few header addresses.  Returns scan's report (None if
    scan failed)."""
    args = [a for p in prefixes for a in ("--var-prefix", p)]
    rc, out, err = mapdiag("scan", "--json", pid, *args)
    try:
        rep = json.loads(out)
    except ValueError:
        fail(name + ": scan --json", "rc=%d %s" % (rc, err[-300:]))
        return None
    maps = [m for m in rep["maps"] if "error" not in m]
    check(name + ": scan lists maps", maps and rc in (0, 1), "rc=%d %d maps %s" % (rc, len(maps), err[-200:]))
    paths = [m["var"] for m in maps]
    aliases = {a: m for m in maps for a in m.get("aliases", [])}
    rc, att, err = attach_json(pid, paths + list(aliases))
    if att is None:
        fail(name + ": attach every path", "rc=%d %s" % (rc, err[-400:]))
        return rep
    errors = ["%s: %s" % (v, a["error"]) for v, a in att.items() if "error" in a]
    check(name + ": attach accepts every path scan printed (%d, %d aliases)" % (len(paths), len(aliases)),
          not errors and rc in (0, 1, 2), "rc=%d %s" % (rc, "; ".join(errors[:4])))
    bad = ["%s: attach %s, scan %s" % (v, att.get(v, {}).get("addr"), m["addr"])
           for v, m in list(zip(paths, maps)) + list(aliases.items())
           if v in att and "error" not in att[v] and norm(att[v].get("addr")) != norm(m["addr"])]
    check(name + ": attach reaches the header scan found, for every path and alias", not bad,
          "; ".join(bad[:4]))
    rc, wat, err = watch_json(pid, paths)
    if wat is None:
        fail(name + ": watch every path", "rc=%d %s" % (rc, err[-400:]))
    else:
        bad = ["%s: watch %s" % (v, wat.get(v)) for v, m in zip(paths, maps) if not same_map_watch(m, wat.get(v))]
        check(name + ": watch reads the map scan found, for every path (count, type, state)", not bad,
              "; ".join(str(b)[:200] for b in bad[:3]))
    check_headers(name, pid, [m for m in maps if m.get("header")][:headers])
    return rep


def check_headers(name, pid, maps):
    """attach (and watch) of header addresses: without --type the census
    finds the type; with --type that type."""
    if not maps:
        return
    addrs = [m["addr"] for m in maps]
    rc, att, err = attach_json(pid, addrs)
    if att is not None and all(NO_TYPE in a.get("error", "") for a in att.values()):
        skip(name + ": attach 0xADDR (type from the census)",
             "this dwarf/ finds no type by name (md_dwarf_type_by_name)")
    else:
        ok = att is not None and all(norm(att.get(a, {}).get("addr")) == norm(a) and
                                     att[a].get("type") == m["type"] for a, m in zip(addrs, maps))
        check(name + ": attach 0xADDR (type from the census) reads that header", ok,
              "rc=%d %s %s" % (rc, att and list(att.values())[:1], err[-300:]))
    rc, out, err = mapdiag("attach", pid, "0x1000")
    lines = err.strip().splitlines()
    check(name + ": attach of an address no map has: one line, exit 3",
          rc == 3 and len(lines) == 1 and re.search(r"no map at 0x1000 among the \d+ maps scan found; "
                                                    r"give --type", lines[0]), "rc=%d %r" % (rc, err))
    m = maps[0]
    rc, att, err = attach_json(pid, [m["addr"]], "--type", m["type"])
    if att is not None and NO_TYPE in att.get(m["addr"], {}).get("error", ""):
        skip(name + ": attach 0xADDR --type", "this dwarf/ finds no type by name (md_dwarf_type_by_name)")
        return
    check(name + ": attach 0xADDR --type T reads that header",
          att is not None and norm(att.get(m["addr"], {}).get("addr")) == norm(m["addr"]),
          "rc=%d %s %s" % (rc, att, err[-300:]))
    rc, wat, err = watch_json(pid, [m["addr"]], "--type", m["type"])
    check(name + ": watch 0xADDR --type T reads that map", wat is not None and same_map_watch(m, wat.get(m["addr"])),
          "rc=%d %s %s" % (rc, wat, err[-300:]))
    rc, out, err = mapdiag("watch", "--json", "--count", "1", pid, m["addr"])
    # with --json the usage error is also the JSON error object on stdout
    check(name + ": watch 0xADDR without --type: exit 3, says --type", rc == 3 and "--type" in err and
          out.count("\n") == 1 and json.loads(out).get("error", {}).get("code") == "usage",
          "rc=%d %r %r" % (rc, err, out))


def ready(att, path, what):
    """Whether a path's check can run here: False (with a skip line) when
    the attach failed only because this dwarf/ lacks what it needs."""
    e = (att or {}).get(path, {}).get("error", "")
    if NO_RTYPES in e:
        skip(what, "this dwarf/ names no run-time types (md_dwarf_types_base): " + e[:120])
        return False
    return True


def check_oracle(name, pid, oracle, scan_rep):
    """pathtarget's own paths: attach gives its header, watch its count."""
    want = oracle["maps"]
    rc, att, err = attach_json(pid, list(want))
    if att is None:
        fail(name + ": attach the oracle's paths", "rc=%d %s" % (rc, err[-300:]))
        return
    iface = [p for p in want if ".(" in p]
    plain = [p for p in want if p not in iface]
    bad = ["%s: %s" % (p, att[p].get("error") or att[p].get("addr")) for p in plain
           if norm(att[p].get("addr")) != norm(want[p]["addr"])]
    check(name + ": map keys (%d paths): attach reaches the process's own header" % len(plain), not bad,
          "; ".join(bad[:4]))
    # a path scan lists is its map's path or one of its aliases: on go1.19
    # a dead stack slot's garbage can reach the same map in fewer hops
    listed = set()
    for m in (scan_rep or {}).get("maps", []):
        listed.add(m["var"])
        listed.update(m.get("aliases") or [])
    missing = [p for p in plain if p not in listed]
    check(name + ": scan lists every map-key path the process names", not missing, str(missing[:4]))
    if ready(att, iface[0], name + ": interfaces"):
        bad = ["%s: %s" % (p, att[p].get("error") or att[p].get("addr")) for p in iface
               if norm(att[p].get("addr")) != norm(want[p]["addr"])]
        check(name + ": interfaces (%d paths): attach reaches the process's own header" % len(iface), not bad,
              "; ".join(bad[:4]))
        missing = [p for p in iface if p not in listed]
        check(name + ": scan lists every interface path", not missing, str(missing[:4]))
    rc, wat, err = watch_json(pid, plain)
    bad = [p for p in plain if not wat or wat.get(p, {}).get("count") != want[p]["len"]]
    check(name + ": watch of every map-key path reads its map's count", not bad,
          "rc=%d %s %s" % (rc, bad[:3], err[-200:]))
    check_errors(name, pid, oracle["errors"])
    check_stacks(name, pid, oracle, scan_rep)


def check_errors(name, pid, errors):
    for path, what in sorted(errors.items()):
        rc, out, err = mapdiag("attach", "--no-threads", pid, path)
        lines = [l for l in err.splitlines() if l]
        if lines and NO_RTYPES in lines[0]:
            skip("%s: error %s" % (name, path), "no run-time types in this dwarf/")
            continue
        check("%s: error %s" % (name, path),
              rc == 3 and len(lines) == 1 and lines[0].startswith("mapdiag: ") and what in lines[0],
              "rc=%d %r, want %r" % (rc, err, what))


def check_stacks(name, pid, oracle, scan_rep):
    want = oracle["stack"]
    listed = {m["var"] for m in (scan_rep or {}).get("maps", []) if STACK_PATH.match(m["var"])}
    rc, att, err = attach_json(pid, list(want))
    if att is None:
        fail(name + ": attach stack paths", "rc=%d %s" % (rc, err[-300:]))
        return
    errs = [a.get("error", "") for a in att.values()]
    if not listed and all("has no variable" in e for e in errs):
        skip(name + ": goroutine stacks", "no frame of this dwarf/ has variables (md_dwarf_each_local): "
             + errs[0][:120])
        return
    bad = ["%s: %s" % (p, att[p].get("error") or att[p].get("addr")) for p in want
           if norm(att[p].get("addr")) != norm(want[p]["addr"])]
    check(name + ": goroutine stacks (%d paths, one function 3 deep): attach reaches the header" % len(want),
          not bad, "; ".join(bad[:4]))
    missing = [p for p in want if p not in listed]
    check(name + ": scan lists every stack path", not missing, str(missing[:4]))
    # the goroutine parked in main.parkedLocal (the oracle's other stack
    # paths are in other functions, and goroutine ids vary by release)
    in_parked = [p for p in want if "/main.parkedLocal/" in p]
    if not check(name + ": the oracle has a main.parkedLocal path", in_parked, str(list(want)[:4])):
        return
    g = STACK_PATH.match(in_parked[0]).group(0)
    for path, what in (("g999999/main.parkedLocal/local", "no goroutine 999999"),
                       (g + "main.parkedLocal/nosuch", "has no variable nosuch"),
                       (g + "main.nosuch/local", "has no frame of main.nosuch"),
                       (g + "main.parkedLocal#3/local", "no #3")):
        rc, out, err = mapdiag("attach", "--no-threads", pid, path)
        lines = [l for l in err.splitlines() if l]
        check("%s: error %s" % (name, path), rc == 3 and len(lines) == 1 and what in lines[0],
              "rc=%d %r, want %r" % (rc, err, what))


def test_pathtarget(variant):
    exe = build_pathtarget(variant)
    if not exe:
        return
    p, oracle = targets.start(exe)
    pid = oracle["pid"]
    name = "pathtarget " + variant
    try:
        rep = check_census(name, pid, ["main."])
        check_oracle(name, pid, oracle, rep)
        check_released(name, pid)
    finally:
        targets.stop(p)


def test_churn(variant, n=40):
    """Guards: a map entry deleted and re-inserted nonstop, an interface
    whose type changes nonstop; every answer is the map the path leads to,
    or the path moved."""
    exe = build_pathtarget(variant)
    if not exe:
        return
    p, oracle = targets.start(exe, ["-churn"])
    pid = oracle["pid"]
    c = oracle["churn"]
    name = "pathtarget -churn " + variant
    try:
        for path, ok_addr, wrong, allowed in (
                (c["key"], c["key_ok"], c["key_wrong"], ("moved while mapdiag looked", "no such key")),
                (c["iface"], c["iface_ok"], None, ("moved while mapdiag looked", "holds a *main.holder"))):
            got = {"ok": 0, "nil": 0, "moved": 0, "other errors": 0}
            wrong_seen = []
            for _ in range(n):
                rc, att, err = attach_json(pid, [path])
                m = (att or {}).get(path, {})
                if "error" in m:
                    if NO_RTYPES in m["error"]:
                        break
                    got["moved" if any(a in m["error"] for a in allowed) else "other errors"] += 1
                    if not any(a in m["error"] for a in allowed):
                        wrong_seen.append(m["error"])
                elif norm(m.get("addr")) == norm(ok_addr):
                    got["ok"] += 1
                elif m.get("header") is None and m.get("state") == "nil" and wrong is not None:
                    # stopped between the runtime's insert and the store of
                    # the value: the entry exists, its value is still nil
                    got["nil"] += 1
                else:
                    wrong_seen.append("%s (the other map: %s)" % (m.get("addr"), norm(m.get("addr")) == norm(wrong or 0)))
            else:
                check("%s: %d attaches of %s: its map or 'moved', never another (%s)" % (name, n, path, got),
                      not wrong_seen and got["ok"] > 0, "; ".join(wrong_seen[:3]))
                continue
            skip("%s: %s" % (name, path), "no run-time types in this dwarf/")
        # the key must be there when watch resolves the path at its start
        # (it is, about half of the time; on a loaded machine the target's
        # phases are longer, so try often enough)
        for _ in range(40):
            rc, out, err = mapdiag("watch", "--json", "--count", "50", "--interval", "1ms", pid, c["key"])
            try:
                last = json.loads(out.strip().splitlines()[-1])["maps"][0]
            except (ValueError, KeyError, IndexError):
                last = {}
            if "no such key" not in last.get("error", ""):
                break
        check(name + ": watch keeps sampling a path that moves (50 samples, resolved again)",
              rc in (0, 1, 2) and "error" not in last and last.get("samples", 0) + last.get("torn", 0) == 50
              and last.get("samples", 0) > 0, "rc=%d %s %s" % (rc, last, err[-300:]))
        check_released(name, pid)
    finally:
        targets.stop(p)


def test_scantarget(variant):
    path = targets.scantarget(variant) if variant in targets.VARIANTS else None
    if not path or not os.path.exists(path):
        return
    p, oracle = targets.start(path)
    name = "scantarget " + variant
    try:
        rep = check_census(name, oracle["pid"], ["main.", "example.com/acme/"])
        if rep:
            keyed = [m["var"] for m in rep["maps"] if '["' in m["var"]]
            check(name + ": map-key paths among them", keyed, "none listed")
        check_released(name, oracle["pid"])
    finally:
        targets.stop(p)


def test_censustarget(variant):
    """censustarget (maps on stacks, behind interfaces, in maps), where it
    is built: every path scan prints, and every path its oracle names,
    reach the header it says."""
    path = os.path.join(targets.BIN, variant, "censustarget")
    if not os.path.exists(path):
        skip("censustarget " + variant, "not built: " + path)
        return
    p, oracle = targets.start(path, ["-idle"])
    pid = oracle["pid"]
    name = "censustarget " + variant
    try:
        rep = check_census(name, pid, ["main."]) or {"maps": []}
        listed = {m["var"] for m in rep["maps"]}
        want = {k: v for k, v in oracle.get("maps", {}).items() if not v.get("running")}
        rc, att, err = attach_json(pid, list(want))
        if att is None:
            fail(name + ": attach the oracle's paths", "rc=%d %s" % (rc, err[-300:]))
            return
        bad = []
        for k, v in want.items():
            e = att.get(k, {}).get("error", "")
            if NO_RTYPES in e or (STACK_PATH.match(k) and "has no variable" in e):
                continue   # said by the checks above as skipped
            if NO_TYPE in e and k not in listed:
                # the executable's DWARF has no such type: scan cannot
                # follow that interface either (interface_no_dwarf)
                skip("%s: %s" % (name, k), e[:160])
                continue
            if norm(att.get(k, {}).get("addr")) != norm(v["addr"]):
                bad.append("%s: %s" % (k, e or att.get(k, {}).get("addr")))
        check(name + ": every path of the oracle reaches its header", not bad, "; ".join(bad[:4]))
        for path in oracle.get("optimized_out", []):
            rc, out, err = mapdiag("attach", "--no-threads", pid, path)
            lines = [l for l in err.splitlines() if l]
            if lines and "has no variable" in lines[0]:
                skip("%s: error %s" % (name, path), "no frame variables in this dwarf/")
                continue
            check("%s: error %s: optimized out, one line, exit 3" % (name, path),
                  rc == 3 and len(lines) == 1 and "is optimized out" in lines[0], "rc=%d %r" % (rc, err))
        # a field behind an interface: say so, and how to name it
        rc, _, err = mapdiag("attach", pid, "main.anyPtr.m")
        lines = [l for l in err.splitlines() if l]
        check("%s: a field behind an interface: the .(T) path to write" % name,
              rc == 3 and len(lines) == 1 and "an interface" in lines[0] and
              "main.anyPtr.(T).m" in lines[0], "rc=%d %r" % (rc, err))
        check_released(name, pid)
    finally:
        targets.stop(p)


def main():
    only = sys.argv[1:]
    variants = [v for v in VARIANTS if not only or v in only]
    for v in variants:
        test_pathtarget(v)
        test_scantarget(v)
        test_censustarget(v)
        test_churn(v)
    return checks.summary()


if __name__ == "__main__":
    sys.exit(main())
