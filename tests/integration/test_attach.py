#!/usr/bin/env python3
"""Integration tests: mapdiag attach against real Go processes.

Every target in testdata/ reports its own map headers (read from inside
through unsafe) on its READY line: the oracle.  Each test attaches with
mapdiag and compares every header field, table and address with it, then
checks that the target was left running and untraced.

Prints one line per test and ends with 'N passed, N failed'.
"""
import json
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

# Every expression the main target answers for, with the state it must be in
# on a classic and on a Swiss build.
EXPRS = [
    "main.idle", "main.empty", "main.small", "main.nilMap", "main.growingIdle",
    "main.writing", "main.million", "main.oversized", "main.holder.m",
    "main.holder.inner.m", "main.arr[2]", "main.shards[3].m", "main.pmap",
    "main.named", "main.ptrToHolder.inner.m", "example.com/acme/store.Sessions",
    "main.padded",
]

from checks import ok, fail, check  # noqa: E402
import checks  # noqa: E402
from mdrun import (MAPDIAG, mapdiag, norm, header_diffs, proc_state,  # noqa: E402
                   left_stopped, check_released, wait_handlers, run_in_pty)


def compare_map(name, got, want, impl):
    bad = header_diffs(got, want, impl)
    check(name, not bad, "; ".join(bad[:6]))


def compare_sizes(name, got, want):
    """The bucket or group size, and a Swiss map's group bytes, as the
    target's own type descriptor and tables give them."""
    if want["nil"]:
        return
    ws = want.get("sizes") or {}
    d = got.get("derived") or {}
    bad = []
    for k, v in sorted(ws.items()):
        g = d.get(k)
        if g != v:
            bad.append("%s %r, target %r" % (k, g, v))
    check(name, ws and not bad, "; ".join(bad) or "no sizes in the oracle")


def expected_state(expr, impl):
    if expr == "main.nilMap":
        return "nil"
    if expr == "main.writing":
        return "writing"
    if expr == "main.growingIdle" and impl == "hmap":
        return "growing-idle"
    return "idle"


def test_variant(variant):
    path = targets.binary(variant)
    if not os.path.exists(path):
        fail(variant, "target not built: %s" % path)
        return
    p, oracle = targets.start(path)
    try:
        impl = oracle["impl"]
        args = ["attach", "--json"]
        # -debugfile targets are found through .gnu_debuglink, -buildid ones
        # through the build id under a debug root
        if targets.debug_root(variant):
            args += ["--debug-dir", targets.debug_root(variant)]
        rc, out, err = mapdiag(*(args + [oracle["pid"]] + EXPRS))
        try:
            rep = json.loads(out)
        except ValueError:
            fail(variant + ": json", "rc=%d out=%r err=%r" % (rc, out[:200], err[:300]))
            return
        check(variant + ": exit code is WARNING", rc == 1, "rc=%d err=%s" % (rc, err.strip()))
        check(variant + ": pid, go_version", rep["pid"] == oracle["pid"] and
              rep["go_version"] == oracle["go_version"],
              "%r/%r vs %r/%r" % (rep["pid"], rep["go_version"], oracle["pid"], oracle["go_version"]))
        check(variant + ": pause reported", isinstance(rep.get("pause_us"), (int, float))
              and rep["pause_us"] > 0, "pause_us=%r" % rep.get("pause_us"))
        got = {m["var"]: m for m in rep["maps"]}
        for expr in EXPRS:
            if expr not in got:
                fail("%s: %s" % (variant, expr), "missing from report")
                continue
            m = got[expr]
            if "error" in m:
                fail("%s: %s" % (variant, expr), m["error"])
                continue
            compare_map("%s: %s header" % (variant, expr), m, oracle["maps"][expr], impl)
            compare_sizes("%s: %s sizes" % (variant, expr), m, oracle["maps"][expr])
            st = expected_state(expr, impl)
            check("%s: %s state %s" % (variant, expr, st), m["state"] == st,
                  "state %r" % m["state"])
        # findings that must be there
        codes = {e: [f["code"] for f in got[e].get("findings", [])] for e in got}
        check(variant + ": oversized found", "oversized" in codes.get("main.oversized", []),
              str(codes.get("main.oversized")))
        if impl == "hmap":
            check(variant + ": growing-idle finding",
                  "growing-idle" in codes.get("main.growingIdle", []),
                  str(codes.get("main.growingIdle")))
        check(variant + ": forced flag without writer is stale",
              "stale-writing-flag" in codes.get("main.writing", []), str(codes.get("main.writing")))
        check(variant + ": million not oversized",
              "oversized" not in codes.get("main.million", []), str(codes.get("main.million")))
        check_released(variant, oracle["pid"])
    finally:
        targets.stop(p)


def test_errors(variant):
    """Each error: exit 3 and exactly one line on stderr, saying what and how."""
    path = targets.binary(variant)
    p, oracle = targets.start(path)
    pid = oracle["pid"]
    try:
        cases = [
            (["main.nilHolder.m"], "nil pointer", "main.nilHolder is a nil pointer"),
            (["main.idel"], "unknown variable", "main.idle"),
            (["main.holder"], "not a map", "main.Holder"),
            # the type as declared, its pointer kept
            (["main.ptrToHolder"], "not a map", "main.ptrToHolder is *main.Holder"),
            (["main.holder.nope"], "no such field", "inner"),
            (["main.arr[9]"], "index out of range", "[0:4]"),
            (["main.shards[7].m"], "index out of range", "[0:5]"),
            (["main.idle[1]"], "cannot index", "map[string]int"),
            (["main..x"], "bad variable expression", "empty name"),
            (["main.badPtr"], "unreadable target memory", "main.badPtr at 0x1000"),
        ]
        for vars_, what, detail in cases:
            rc, out, err = mapdiag("attach", pid, *vars_)
            lines = [l for l in err.splitlines() if l]
            check("errors %s: %s" % (variant, vars_[0]),
                  rc == 3 and len(lines) == 1 and what in lines[0] and detail in lines[0]
                  and lines[0].startswith("mapdiag: "),
                  "rc=%d stderr=%r" % (rc, err))
        # one bad variable does not hide the good ones
        rc, out, err = mapdiag("attach", "--json", pid, "main.idle", "main.nilHolder.m")
        rep = json.loads(out)
        check("errors %s: mixed vars" % variant,
              rc == 3 and "error" not in rep["maps"][0] and "error" in rep["maps"][1],
              "rc=%d out=%s" % (rc, out[:300]))
        check_released("errors " + variant, pid)
    finally:
        targets.stop(p)


def test_process_errors():
    rc, out, err = mapdiag("attach", "4194303", "main.x")
    check("no such process", rc == 3 and "no such process" in err, "rc=%d %r" % (rc, err))
    sl = subprocess.Popen(["sleep", "30"])
    try:
        time.sleep(0.05)
        rc, out, err = mapdiag("attach", sl.pid, "main.x")
        check("not a Go binary", rc == 3 and "not a Go binary" in err, "rc=%d %r" % (rc, err))
    finally:
        sl.kill()
        sl.wait()
    for v in ("go1.23-nodwarf", "go1.26-nodwarf"):
        p, oracle = targets.start(targets.binary(v))
        try:
            rc, out, err = mapdiag("attach", oracle["pid"], "main.idle")
            check("no DWARF %s" % v, rc == 3 and "no DWARF" in err and "-w" in err,
                  "rc=%d %r" % (rc, err))
        finally:
            targets.stop(p)
    # --debug-file names the DWARF explicitly (a build-id target, without
    # the debug root that would find it otherwise)
    for v in ("go1.23-buildid", "go1.26-buildid"):
        p, oracle = targets.start(targets.binary(v))
        try:
            rc, out, err = mapdiag("attach", oracle["pid"], "main.idle")
            check("no DWARF without --debug-file %s" % v, rc == 3 and "no DWARF" in err,
                  "rc=%d %r" % (rc, err))
            rc, out, err = mapdiag("attach", "--json", "--debug-file", targets.debug_file(v),
                                   oracle["pid"], "main.idle")
            good = rc == 0 and json.loads(out)["maps"][0]["header"] is not None
            if good:
                compare_map("--debug-file %s" % v, json.loads(out)["maps"][0],
                            oracle["maps"]["main.idle"], oracle["impl"])
            else:
                fail("--debug-file %s" % v, "rc=%d %r" % (rc, err))
        finally:
            targets.stop(p)
    # usage errors
    for args, what in [([], "usage"), (["attach"], "missing"), (["attach", "12x", "main.a"], "process id"),
                       (["attach", "--bogus", "1", "main.a"], "unknown"), (["frobnicate"], "unknown command"),
                       (["attach", "--stop-timeout", "0", "1", "main.a"], "stop-timeout")]:
        rc, out, err = mapdiag(*args)
        check("usage %s" % " ".join(args), rc == 3 and what in err, "rc=%d %r" % (rc, err))
    rc, out, err = mapdiag("--help")
    check("--help", rc == 0 and "attach" in out and "exit codes" in out)
    rc, out, err = mapdiag("attach", "--help")
    check("attach --help", rc == 0 and "--json" in out and "<var>" in out)
    rc, out, err = mapdiag("--version")
    check("--version", rc == 0 and out.startswith("mapdiag "))


def test_permission():
    """As nobody against a root-owned target: exit 3, naming CAP_SYS_PTRACE."""
    if os.geteuid() != 0:
        checks.skip("permission", "not root")
        return
    path = targets.binary(targets.VARIANTS[0])
    p, oracle = targets.start(path)
    try:
        cmd = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", MAPDIAG,
               "attach", str(oracle["pid"]), "main.idle"]
        r = subprocess.run(cmd, capture_output=True, text=True, timeout=30)
        check("permission denied", r.returncode == 3 and "not permitted" in r.stderr and
              "CAP_SYS_PTRACE" in r.stderr and "ptrace_scope" in r.stderr,
              "rc=%d %r" % (r.returncode, r.stderr))
        check_released("permission", oracle["pid"])
    finally:
        targets.stop(p)


def test_text_report(variant):
    path = targets.binary(variant)
    p, oracle = targets.start(path)
    try:
        rc, out, err = mapdiag("attach", "--explain", "-v", oracle["pid"], "main.growingIdle",
                               "main.writing")
        impl = oracle["impl"]
        marked = [l for l in out.splitlines() if l.lstrip().startswith(">")]
        want = ["growing-idle", "writing"] if impl == "hmap" else ["idle", "writing"]
        check("text %s: current rows marked" % variant,
              sorted(m.split()[3] for m in marked) == sorted(want), "marked=%r" % marked)
        check("text %s: four-state table, once" % variant,
              out.count("the four states") == 1 and "growing-idle" in out and
              "\033[" not in out, out[:400])
        # main.writing's flag is forced with no writer: stale-writing-flag
        check("text %s: verdict line first" % variant,
              out.splitlines()[0].startswith("MAPDIAG WARNING - ") and
              "stale-writing-flag" in out, out[:200])
        env = dict(os.environ, NO_COLOR="")
        rc2, out2, _ = mapdiag("attach", "--color", "always", oracle["pid"], "main.idle", env=env)
        check("text %s: --color always" % variant, "\033[" in out2)
    finally:
        targets.stop(p)


def test_liveness(variant, attaches=100, kills=60):
    """After many attaches, and after mapdiag is killed in the middle of one,
    the target runs, is untraced and still makes progress."""
    path = targets.binary(variant)
    p, oracle = targets.start(path, args=["-tick", "-threads", "8"])
    pid = oracle["pid"]
    try:
        bad = 0
        for _ in range(attaches):
            rc, out, err = mapdiag("attach", "--json", pid, "main.idle", wrap=False)
            bad += rc != 0
        check("liveness %s: %d attaches ok" % (variant, attaches), bad == 0, "%d failed" % bad)
        check_released("liveness %s after attaches" % variant, pid)
        rng = random.Random(42)
        stuck = 0
        for i in range(kills):
            sig = [signal.SIGKILL, signal.SIGINT, signal.SIGTERM][i % 3]
            q = subprocess.Popen([MAPDIAG, "attach", str(pid), "main.million", "main.idle"],
                                 stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
            if sig != signal.SIGKILL:
                wait_handlers(q.pid)
            time.sleep(rng.uniform(0, 0.004))
            q.send_signal(sig)
            _, e = q.communicate()
            # SIGINT/SIGTERM: exit 3 ("interrupted"), or the run had already
            # finished (0 or 1) when the signal came
            if sig != signal.SIGKILL and q.returncode not in (0, 1, 3):
                print("     %s: exit %d %r" % (sig, q.returncode, e[-200:]))
                stuck += 1
            # the kernel detaches asynchronously after SIGKILL: allow it a moment
            why = left_stopped(pid, grace=0.05)
            if why:
                print("     after %s: %s" % (sig, why))
                stuck += 1
        check("liveness %s: %d kills, target never left stopped" % (variant, kills),
              stuck == 0, "%d bad" % stuck)
        # a tick every 10 ms; a loaded machine (two cores, make check) can
        # hold the target off the CPU for a while, a stopped one never ticks
        t0 = t1 = targets.ticks(p)
        deadline = time.monotonic() + 5
        while t1 <= t0 and time.monotonic() < deadline:
            time.sleep(0.1)
            t1 = targets.ticks(p)
        check("liveness %s: target still ticking" % variant, t1 > t0, "%d -> %d" % (t0, t1))
    finally:
        targets.stop(p)


def test_thread_churn(variant, attaches=40):
    """Threads created and destroyed hundreds of times a second during the
    attach: every attach succeeds, matches the oracle, and leaves no thread
    stopped or traced."""
    p, oracle = targets.start(targets.binary(variant), args=["-churn"])
    pid = oracle["pid"]
    try:
        bad = []
        tids0 = set(os.listdir("/proc/%d/task" % pid))
        for _ in range(attaches):
            rc, out, err = mapdiag("attach", "--json", pid, "main.idle", wrap=False)
            if rc != 0:
                bad.append("rc=%d %s" % (rc, err.strip()))
                continue
            rep = json.loads(out)
            if rep.get("threads_stopped", 0) < 1:
                bad.append("no threads stopped")
            if norm(rep["maps"][0]["header"].get("count", rep["maps"][0]["header"].get("used"))) != \
                    oracle["maps"]["main.idle"]["len"]:
                bad.append("wrong header")
        check("churn %s: %d attaches while threads come and go" % (variant, attaches),
              not bad, "; ".join(bad[:3]))
        born = set(os.listdir("/proc/%d/task" % pid)) - tids0
        check("churn %s: threads were being created throughout" % variant, len(born) > 0,
              "no new thread ids")
        check_released("churn " + variant, pid)
    finally:
        targets.stop(p)


def test_procmem_fallback(variant):
    """Where process_vm_readv is refused (ENOSYS on old kernels, EPERM under
    some seccomp policies), reads fall back to /proc/PID/mem.  strace's fault
    injection refuses the call without any test hook in mapdiag."""
    p, oracle = targets.start(targets.binary(variant))
    try:
        for errno in ("ENOSYS", "EPERM"):
            cmd = ["strace", "-f", "-qq", "-o", "/dev/null", "-e", "trace=process_vm_readv",
                   "-e", "inject=process_vm_readv:error=" + errno,
                   MAPDIAG, "attach", "--json", str(oracle["pid"]), "main.million", "main.small"]
            r = subprocess.run(cmd, capture_output=True, text=True, timeout=60)
            if r.returncode != 0:
                fail("fallback %s %s" % (variant, errno), "rc=%d %r" % (r.returncode, r.stderr))
                continue
            rep = json.loads(r.stdout)
            for m in rep["maps"]:
                compare_map("fallback %s %s: %s" % (variant, errno, m["var"]), m,
                            oracle["maps"][m["var"]], oracle["impl"])
        check_released("fallback " + variant, oracle["pid"])
    finally:
        targets.stop(p)


def test_tty_color(variant):
    """Colour on a terminal by default; none with NO_COLOR or --no-color."""
    p, oracle = targets.start(targets.binary(variant))

    def run_tty(extra, env):
        return run_in_pty([MAPDIAG, "attach"] + extra + [str(oracle["pid"]), "main.idle"], env)[1]
    try:
        env = {k: v for k, v in os.environ.items() if k != "NO_COLOR"}
        check("tty %s: colour by default" % variant, "\033[" in run_tty([], env))
        check("tty %s: NO_COLOR" % variant, "\033[" not in run_tty([], dict(env, NO_COLOR="1")))
        check("tty %s: --no-color" % variant, "\033[" not in run_tty(["--no-color"], env))
    finally:
        targets.stop(p)


def test_group_stopped(variant):
    """A target someone stopped with SIGSTOP is read, and left stopped: the
    kernel restores group-stop on detach; SIGCONT then resumes it."""
    p, oracle = targets.start(targets.binary(variant), args=["-tick"])
    pid = oracle["pid"]
    try:
        os.kill(pid, signal.SIGSTOP)
        time.sleep(0.1)
        rc, out, err = mapdiag("attach", "--json", pid, "main.idle", timeout=20)
        ok_ = rc == 0 and json.loads(out)["maps"][0]["state"] == "idle"
        check("group-stop %s: read while stopped" % variant, ok_, "rc=%d %r" % (rc, err))
        time.sleep(0.1)
        states, tracers = proc_state(pid)
        check("group-stop %s: still stopped after" % variant, states == {"T"} and tracers == {0},
              "states %s tracers %s" % (states, tracers))
        os.kill(pid, signal.SIGCONT)
        t0 = targets.ticks(p)
        time.sleep(0.3)
        check("group-stop %s: SIGCONT resumes it" % variant, targets.ticks(p) > t0)
    finally:
        targets.stop(p)


WRITER_VARIANTS = ["go1.19", "go1.21", "go1.23", "go1.24-noswiss", "go1.24", "go1.25", "go1.26",
                   "go1.27", "go1.27-splitgroup"]


def test_writers_hot(variant, tries=200):
    """A thread writing each map in a tight loop is caught inside the
    runtime's write function, with its goroutine id and thread, the target's
    own writing function at its file:line, attributed to the right map."""
    p, oracle = targets.start(targets.writers(variant), args=["-mode", "hot"])
    pid = oracle["pid"]
    want = oracle["writers"]
    caught = {}
    try:
        for _ in range(tries):
            rc, out, err = mapdiag("attach", "--json", pid, *sorted(want), wrap=False)
            if rc not in (0, 1):
                fail("writers %s: attach" % variant, "rc=%d %s" % (rc, err.strip()))
                return
            for m in json.loads(out)["maps"]:
                for w in m.get("writers", []):
                    caught.setdefault(m["var"], w)
            if len(caught) == len(want):
                break
        for var, site in sorted(want.items()):
            w = caught.get(var)
            if not w:
                fail("writers %s: %s writer caught" % (variant, var), "not in %d tries" % tries)
                continue
            user = w["user"][0] if w["user"] else {}
            bad = []
            if not w["function"].startswith("runtime.mapassign"):
                bad.append("function %s" % w["function"])
            if (user.get("func"), user.get("line")) != (site["func"], site["line"]) or \
                    not user.get("file", "").endswith("writers.go"):
                bad.append("user frame %s" % user)
            if (w["goid"], w["tid"]) != (site["goid"], site["tid"]):
                bad.append("goid/tid %s/%s != %s/%s" % (w["goid"], w["tid"], site["goid"], site["tid"]))
            check("writers %s: %s written by %s at writers.go:%d" % (variant, var, site["func"], site["line"]),
                  not bad, "; ".join(bad))
        check_released("writers " + variant, pid)
    finally:
        targets.stop(p)


def test_writers_grow(variant, tries=200):
    """Maps grown continuously: a writer of main.growing is caught inside
    growth (Swiss: state growing; classic: evacuating)."""
    p, oracle = targets.start(targets.writers(variant), args=["-mode", "grow"])
    pid = oracle["pid"]
    swiss = oracle["impl"] == "swiss"
    got = None
    try:
        for _ in range(tries):
            rc, out, err = mapdiag("attach", "--json", pid, "main.growing", wrap=False)
            if rc not in (0, 1):
                fail("grow %s: attach" % variant, "rc=%d %s" % (rc, err.strip()))
                return
            m = json.loads(out)["maps"][0]
            ws = [w for w in m.get("writers", []) if w["growing"]]
            if ws:
                got = (m, ws[0])
                break
        if not check("grow %s: a writer caught inside growth" % variant, got is not None,
                     "not in %d tries" % tries):
            return
        m, w = got
        site = oracle["writers"]["main.growing"]
        check("grow %s: growth seen as %s" % (variant, "state growing" if swiss else "evacuating"),
              (m["state"] == "growing") if swiss else (m["state"] in ("growing", "writing", "growing-idle")),
              "state %s" % m["state"])
        user = w["user"][0] if w["user"] else {}
        check("grow %s: writer is main.growFill" % variant,
              user.get("func") == site["func"] and w["goid"] == site["goid"], str(w))
    finally:
        targets.stop(p)


def test_writers_stale(variant):
    """The writing flag forced on with no writer: a stale-flag warning."""
    p, oracle = targets.start(targets.writers(variant), args=["-mode", "stale"])
    try:
        rc, out, err = mapdiag("attach", "--json", oracle["pid"], "main.stale")
        m = json.loads(out)["maps"][0]
        codes = [f["code"] for f in m["findings"]]
        check("stale %s: stale-writing-flag warning" % variant,
              rc == 1 and m["state"] == "writing" and "stale-writing-flag" in codes and
              m["writers"] == [], "rc=%d state=%s findings=%s" % (rc, m["state"], codes))
        rc, out, err = mapdiag("attach", "--json", "--no-threads", oracle["pid"], "main.stale")
        m = json.loads(out)["maps"][0]
        check("stale %s: --no-threads makes no claim" % variant,
              rc == 0 and "writers" not in m, "rc=%d %s" % (rc, list(m)))
    finally:
        targets.stop(p)


def test_threads_dump(variant):
    """--threads: every thread with its stack; goroutine stacks end at goexit."""
    p, oracle = targets.start(targets.writers(variant), args=["-mode", "hot"])
    try:
        for _ in range(10):   # a snapshot with a writer inside a write
            rc, out, err = mapdiag("attach", "--json", "--threads", oracle["pid"], "main.hotInt")
            rep = json.loads(out)
            th = rep.get("threads", [])
            if any(t["writer"] for t in th):
                break
        check("threads %s: one entry per stopped thread" % variant,
              len(th) == rep["threads_stopped"] and len(th) >= 4, "%d vs %d" % (len(th), rep["threads_stopped"]))
        # frames in the executable (not in the vDSO, where a thread in
        # clock_gettime stands) all have a name
        def in_exe(f):
            return int(f["pc"], 16) < 0x7f0000000000
        named = all(f["func"] != "?" for t in th for f in t["frames"] if in_exe(f))
        check("threads %s: every frame in the executable named" % variant, named,
              str([f for t in th for f in t["frames"] if f["func"] == "?"][:3]))
        # A writer goroutine's stack runs from the write down to goexit.
        # (Other threads may legitimately end early: at a stack switch, or
        # below stale frames of m0's scheduler stack.)
        writers = [t for t in th if t["writer"]]
        roots = writers and all(t["frames"][-1]["func"].startswith("runtime.goexit")
                                for t in writers)
        check("threads %s: writer stacks end at goexit" % variant, roots,
              str([t["frames"][-1]["func"] for t in writers]))
        check("threads %s: every thread has frames" % variant, all(t["frames"] for t in th))
        # assembly functions by their Go name, as gdb and delve show them
        abi = sorted({f["func"] for t in th for f in t["frames"] if f["func"].endswith(".abi0")})
        check("threads %s: no .abi0 suffix in frame names" % variant, not abi, repr(abi[:3]))
        check("threads %s: frames carry file:line" % variant,
              all("line" in f for t in th for f in t["frames"] if in_exe(f) and
                  f["func"] != "?"))
        rc, out, err = mapdiag("attach", "--threads", oracle["pid"], "main.hotInt")
        check("threads %s: text dump" % variant, rc in (0, 1) and "Thread %d" % oracle["pid"] in out
              and "goroutine" in out, out[-300:])
    finally:
        targets.stop(p)


def test_no_stop(variant):
    """--no-stop reads without ptrace at all, and agrees with the oracle."""
    p, oracle = targets.start(targets.binary(variant))
    pid = oracle["pid"]
    exprs = ["main.idle", "main.million", "main.small", "main.nilMap", "main.growingIdle",
             "example.com/acme/store.Sessions"]
    try:
        cmd = ["strace", "-f", "-qq", "-e", "trace=ptrace", "-o", "/dev/stderr", MAPDIAG,
               "attach", "--json", "--no-stop", str(pid)] + exprs
        r = subprocess.run(cmd, capture_output=True, text=True, timeout=60)
        rep = json.loads(r.stdout)
        check("no-stop %s: no ptrace call at all" % variant,
              r.returncode in (0, 1) and "ptrace(" not in r.stderr and rep["stopped"] is False
              and rep["pause_us"] == 0, "rc=%d %s" % (r.returncode, r.stderr[:300]))
        for m in rep["maps"]:
            compare_map("no-stop %s: %s" % (variant, m["var"]), m, oracle["maps"][m["var"]],
                        oracle["impl"])
            check("no-stop %s: %s has no writers claim" % (variant, m["var"]), "writers" not in m)
        rc, out, err = mapdiag("attach", "--no-stop", "--threads", pid, "main.idle")
        check("no-stop %s: --threads refused" % variant, rc == 3 and "needs a stopped" in err, err)
    finally:
        targets.stop(p)


def test_no_stop_torn(variant, runs=30):
    """Maps written nonstop: every --no-stop run decodes bytes two reads
    agreed on, or says the read was torn; never garbage, never a crash."""
    p, oracle = targets.start(targets.writers(variant), args=["-mode", "hot"])
    try:
        # The writers fill their maps to 1,024 keys after the target says
        # it is ready; a read in that window (two passes agreeing while the
        # writer waited for a CPU) rightly showed 832 entries.  So wait,
        # with stopped reads, until every map is full.
        deadline = time.time() + 10
        while time.time() < deadline:
            rc, out, err = mapdiag("attach", "--json", "--no-threads", oracle["pid"],
                                   *sorted(oracle["maps"]), wrap=False)
            if rc in (0, 1, 2) and all(m.get("header", {}).get("count", m.get("header", {}).get("used")) == 1024
                                       for m in json.loads(out)["maps"]):
                break
            time.sleep(0.05)
        bad = []
        for _ in range(runs):
            rc, out, err = mapdiag("attach", "--json", "--no-stop", oracle["pid"],
                                   *sorted(oracle["maps"]), wrap=False)
            if rc not in (0, 1, 3):
                bad.append("rc=%d %s" % (rc, err))
                continue
            for m in json.loads(out)["maps"]:
                if "error" in m:
                    if "torn read" not in m["error"]:
                        bad.append(m["error"])
                elif m["header"].get("count", m["header"].get("used")) != 1024:
                    bad.append("%s count %s" % (m["var"], m["header"]))
        check("no-stop torn %s: %d runs, decoded or torn" % (variant, runs), not bad,
              "; ".join(bad[:3]))
        check_released("no-stop torn " + variant, oracle["pid"])
    finally:
        targets.stop(p)


def test_demo():
    """`make demo`'s script: a real report on the running demo service."""
    r = subprocess.run(["bash", os.path.join(ROOT, "scripts", "demo.sh")], capture_output=True,
                       text=True, timeout=120)
    out = r.stdout
    check("demo: runs", r.returncode == 0, "rc=%d %s" % (r.returncode, r.stderr[-300:]))
    rows = {l.split()[0]: l.split()[-1] for l in out.splitlines() if l.startswith("main.")}
    check("demo: four maps reported", rows == {
        "main.sessions": "map[string]*main.Session", "main.routes": "map[string]int",
        "main.stale": "map[int64][]uint8", "main.stats.counters": "map[string]uint64"}, out[:600])
    check("demo: oversized stale map found", "oversized: 2000 entries" in out and
          "(exit code 1:" in out, out[-600:])


def main():
    only = sys.argv[1:]
    variants = [v for v in targets.ALL_TARGETS if not v.endswith("-nodwarf")]
    if only:
        variants = [v for v in variants if v in only]
    for v in variants:
        test_variant(v)
    if not only:
        test_errors("go1.23")
        test_errors("go1.26")
        test_text_report("go1.22")
        test_text_report("go1.27")
        test_process_errors()
        test_permission()
        test_liveness("go1.23")
        test_liveness("go1.26")
        test_thread_churn("go1.21")
        test_thread_churn("go1.27")
        test_procmem_fallback("go1.24-noswiss")
        test_procmem_fallback("go1.25")
        test_tty_color("go1.26")
        for v in WRITER_VARIANTS:
            test_writers_hot(v)
        for v in ("go1.19", "go1.22", "go1.24-noswiss", "go1.24", "go1.27"):
            test_writers_grow(v)
        for v in ("go1.21", "go1.25-noswiss", "go1.26", "go1.27-splitgroup"):
            test_writers_stale(v)
        test_threads_dump("go1.23")
        test_threads_dump("go1.26")
        for v in ("go1.21", "go1.24-noswiss", "go1.26", "go1.27"):
            test_no_stop(v)
        test_no_stop_torn("go1.23")
        test_no_stop_torn("go1.26")
        test_group_stopped("go1.22")
        test_group_stopped("go1.25-noswiss")
        test_demo()
    return checks.summary()


if __name__ == "__main__":
    sys.exit(main())
