#!/usr/bin/env python3
"""Integration tests: mapdiag ps against real Go processes.

Starts maptargets of several releases and build modes (classic, noswiss,
Swiss, PIE, a debuglink file, a build-id file, no DWARF), one run from a
deleted file whose name holds a newline and a byte that is not UTF-8, and a
process that is not Go; checks that ps lists each Go one with its version,
map implementation and DWARF location, in text and JSON, and not the other;
PID operands and bad input; a run as nobody (others' processes counted as
unreadable, nobody's own listed); processes exiting while ps lists.

    python3 tests/integration/test_ps.py

Prints one line per test and ends with 'N passed, N failed'.
"""
import concurrent.futures
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import targets  # noqa: E402
import checks  # noqa: E402
from checks import ok, fail, check  # noqa: E402
from mdrun import MAPDIAG, mapdiag  # noqa: E402

NOBODY = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"]

# variant: (go version prefix, impl, dwarf, dwarf file or None)
WANT = {
    "go1.23": ("go1.23.", "hmap", "exe", None),
    "go1.24-noswiss": ("go1.24.", "hmap", "exe", None),
    "go1.26": ("go1.26.", "swiss", "exe", None),
    "go1.26-pie": ("go1.26.", "swiss", "exe", None),
    "go1.23-debugfile": ("go1.23.", "hmap", "debuglink", "debugfile"),
    "go1.26-buildid": ("go1.26.", "swiss", "build-id", "buildid"),
    "go1.23-nodwarf": ("go1.23.", "hmap", "missing", None),
}


def ps(*args, pre=()):
    cmd = list(pre) + [MAPDIAG, "ps"] + [str(a) for a in args]
    p = subprocess.run(cmd, capture_output=True, timeout=60)
    return p.returncode, p.stdout, p.stderr.decode("utf-8", "replace")


def ps_json(name, *args, pre=()):
    rc, out, err = ps("--json", *args, pre=pre)
    try:
        out.decode("utf-8")   # strict: valid UTF-8
        return rc, json.loads(out), err
    except ValueError as e:
        fail(name + ": json", "%s: rc=%d out=%r err=%r" % (e, rc, out[:300], err[-300:]))
        return rc, None, err


def by_pid(rep):
    return {p["pid"]: p for p in rep["processes"]} if rep else {}


def main():
    if not os.path.isfile(MAPDIAG):
        fail("mapdiag built", MAPDIAG)
        return checks.summary()
    started, tmp = [], tempfile.mkdtemp(prefix="mapdiag-ps-")
    try:
        pids = {}
        # started together: each sets up its maps before READY
        with concurrent.futures.ThreadPoolExecutor(len(WANT)) as ex:
            futs = {v: ex.submit(targets.start, targets.binary(v), timeout=90) for v in WANT}
            errs = []
            for v, fu in futs.items():
                try:
                    p, o = fu.result()
                    started.append(p)
                    pids[v] = o["pid"]
                except targets.TargetError as e:
                    errs.append(str(e))
            if errs:
                raise targets.TargetError("; ".join(errs))
        # a deleted executable whose name is hostile
        odd = os.path.join(tmp.encode(), b"map\ntarget\xff")
        shutil.copy(targets.binary("go1.26"), odd)
        p = subprocess.Popen([odd], stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                             stderr=subprocess.DEVNULL)
        started.append(p)
        line = p.stdout.readline()
        check("deleted target READY", line.startswith(b"READY"), repr(line[:80]))
        os.unlink(odd)
        odd_pid = p.pid
        sleeper = subprocess.Popen(["sleep", "120"])
        started.append(sleeper)
        root = targets.debug_root("go1.26-buildid")

        # JSON, every process
        t0 = time.monotonic()
        rc, rep, err = ps_json("all", "--debug-dir", root)
        took = time.monotonic() - t0
        check("all: exit 0", rc == 0, "rc=%d err=%s" % (rc, err))
        got = by_pid(rep)
        for v, (ver, impl, dw, dfile) in WANT.items():
            e = got.get(pids[v])
            if not check("json %s: listed" % v, e is not None, "pid %d not in %s" % (pids[v], sorted(got))):
                continue
            bad = []
            if not (e["go_version"] or "").startswith(ver):
                bad.append("go_version %r" % e["go_version"])
            if e["impl"] != impl:
                bad.append("impl %r != %r" % (e["impl"], impl))
            if e["dwarf"] != dw:
                bad.append("dwarf %r != %r" % (e["dwarf"], dw))
            want_file = {None: targets.binary(v) if dw == "exe" else None,
                         "debugfile": targets.debug_file(v), "buildid": targets.debug_file(v)}[dfile]
            if want_file and os.path.realpath(e["dwarf_file"] or "") != os.path.realpath(want_file):
                bad.append("dwarf_file %r != %r" % (e["dwarf_file"], want_file))
            if dw == "missing" and e["dwarf_file"] is not None:
                bad.append("dwarf_file %r for missing" % e["dwarf_file"])
            if os.path.realpath(e["exe"]) != os.path.realpath(targets.binary(v)) or e["deleted"]:
                bad.append("exe %r deleted %r" % (e["exe"], e["deleted"]))
            if e["user"] != "root" and os.geteuid() == 0:
                bad.append("user %r" % e["user"])
            check("json %s: %s %s %s" % (v, ver, impl, dw), not bad, "; ".join(bad))
        check("json: noswiss goexperiment", got.get(pids["go1.24-noswiss"], {}).get("goexperiment")
              == "noswissmap", repr(got.get(pids["go1.24-noswiss"])))
        e = got.get(odd_pid)
        check("json: deleted hostile name", e is not None and e["deleted"] and
              e["exe"].endswith("map\ntarget\ufffd (deleted)") and e["impl"] == "swiss",
              repr(e))
        check("json: not Go not listed", sleeper.pid not in got, repr(got.get(sleeper.pid)))
        check("json: counts", rep and rep["go_processes"] == len(rep["processes"]) and
              rep["examined"] >= len(rep["processes"]) and rep["missing"] == [], repr(rep)[:300])
        print("# ps of %d processes (%d Go) took %.1f ms wall" %
              (rep["examined"] if rep else -1, len(got), took * 1000))

        # text
        rc, out, err = ps("--debug-dir", root)
        text = out.decode("utf-8", "replace")
        lines = text.splitlines()
        check("text: exit 0, header", rc == 0 and lines and lines[0].split() ==
              ["PID", "USER", "GO", "MAPS", "DWARF", "EXE"], text[:200])
        rows = {}
        for l in lines[1:-1]:
            f = l.split(None, 5)
            if len(f) == 6 and f[0].isdigit():
                rows[int(f[0])] = f
        for v, (ver, impl, dw, dfile) in WANT.items():
            f = rows.get(pids[v])
            check("text %s" % v, f is not None and f[2].startswith(ver) and f[3] == impl and
                  f[4].split("+")[0] == dw and f[5].startswith(os.path.realpath(targets.binary(v))) and
                  (dfile is None) == ("(DWARF: " not in f[5]), repr(f))
        f = rows.get(odd_pid)
        check("text: hostile name on one line, bytes as \\xNN", f is not None and
              f[5].endswith("map\\x0atarget\\xff (deleted)"), repr(f))
        check("text: not Go not listed", sleeper.pid not in rows)
        check("text: summary line", lines and lines[-1].startswith("%d Go process" % len(rows)),
              lines[-1] if lines else "")

        # PID operands and bad input
        rc, rep, err = ps_json("operands", "%d,%d" % (pids["go1.23"], pids["go1.26"]), pids["go1.26"])
        check("operands: the two, once each", rc == 0 and rep and
              [p["pid"] for p in rep["processes"]] == sorted([pids["go1.23"], pids["go1.26"]]),
              "rc=%d %r" % (rc, rep))
        rc, out, err = ps(sleeper.pid, pids["go1.23"])
        check("operand not Go: exit 3, one line", rc == 3 and err.count("\n") == 1 and
              "not a Go binary" in err and str(pids["go1.23"]) in out.decode(), "rc=%d err=%r" % (rc, err))
        rc, out, err = ps(2 ** 31 - 1)
        check("operand gone: exit 3", rc == 3 and "no such process" in err, "rc=%d err=%r" % (rc, err))
        for bad in (["x"], ["0"], ["1,"], ["--bogus"], ["--debug-dir"], ["-1"]):
            rc, out, err = ps(*bad)
            check("bad input %s: exit 3, one line" % bad, rc == 3 and out == b"" and
                  err.count("\n") == 1 and err.startswith("mapdiag: "), "rc=%d err=%r" % (rc, err))
        rc, out, err = ps("--help")
        check("--help", rc == 0 and b"usage: mapdiag ps" in out)
        rc, out, err = mapdiag("--help")
        check("top-level usage names ps", rc == 0 and "\n  ps " in out)

        # as nobody
        if os.geteuid() != 0 or not shutil.which("setpriv"):
            checks.skip("nobody", "needs root and setpriv")
        else:
            p, o = targets.start("/usr/bin/setpriv", NOBODY[1:] + [targets.binary("go1.23")],
                                 timeout=90)
            started.append(p)
            rc, rep, err = ps_json("nobody", pre=NOBODY)
            got = by_pid(rep)
            check("nobody: exit 0", rc == 0, "rc=%d err=%s" % (rc, err))
            check("nobody: own process listed", got.get(o["pid"], {}).get("user") == "nobody" and
                  got[o["pid"]]["impl"] == "hmap", repr(got.get(o["pid"])))
            check("nobody: root's not listed, counted", rep and
                  not any(pids[v] in got for v in WANT) and rep["unreadable"] >= len(WANT) + 1
                  and rep["euid"] == 65534, repr(rep)[:300])
            rc, out, err = ps(pre=NOBODY)
            last = out.decode().splitlines()[-1] if out else ""
            check("nobody: text summary says unreadable", rc == 0 and "not readable as uid 65534" in last, last)
            rc, out, err = ps(pids["go1.26"], pre=NOBODY)
            check("nobody: root's pid operand: exit 3, not permitted", rc == 3 and "not permitted" in err,
                  "rc=%d err=%r" % (rc, err))

        # processes exiting mid-listing
        stop = threading.Event()

        def churn():
            while not stop.is_set():
                ps_ = [subprocess.Popen([targets.binary("go1.26")], stdout=subprocess.DEVNULL,
                                        stderr=subprocess.DEVNULL) for _ in range(3)]
                ps_ += [subprocess.Popen(["true"]) for _ in range(3)]
                time.sleep(0.005)
                for q in ps_:
                    q.kill()
                    q.wait()
        th = threading.Thread(target=churn)
        th.start()
        bad = []
        try:
            for i in range(15):
                rc, rep, err = ps_json("churn")
                if rc != 0 or rep is None or err:
                    bad.append("rc=%d err=%r" % (rc, err))
        finally:
            stop.set()
            th.join()
        check("processes exiting mid-listing: 15 runs exit 0, no stderr", not bad, "; ".join(bad[:3]))
        check("targets still running after ps", all(p.poll() is None for p in started[:len(WANT)]))
    except targets.TargetError as e:
        fail("targets", str(e))
    finally:
        for p in started:
            if hasattr(p, "oracle"):
                targets.stop(p)
            else:
                p.kill()
                p.wait()
        shutil.rmtree(tmp, ignore_errors=True)
    return checks.summary()


if __name__ == "__main__":
    sys.exit(main())
