#!/usr/bin/env python3
"""mapdiag attach --core on real cores: dwarf/md_core.c indexes them,
src/target/mem_core.c reads them, attach reports them.

  - gcore: every variant's maptarget, idle, is attached live (--json
    --threads), then cored with gdb's gcore; `attach --core` gives the same
    maps (headers, tables, derived values, verdicts), the same threads with
    the same goroutines and frames, and the same exit code; every map
    variable's word and every map header read from the core equal the live
    process's bytes (build/tests/test_core --compare, a C driver over the
    two memory sources).
  - scan --core: every census variant's censustarget (maps only on stacks,
    behind interfaces, in maps; its own oracle) is censused live with
    --consistent, then cored; `scan --core` finds the same maps under the
    same paths and roots with the same headers, every map the target's
    oracle lists with its path, root and header (test_census's checks), and
    conforms to the schema.
  - concurrent map writes: every variant's crashtarget (two goroutines
    writing one map, or one writing and one reading, with no lock) dies of
    the runtime's fatal error under GOTRACEBACK=crash; `attach --core`
    says which error, on which map (main.shared), caught by which of the
    two goroutines at which line (the target's own oracle), and names the
    other one where it was still inside a write, else says it had left;
    exit 2.
  - a thread in Go's signal handler: gdb stops crashtarget's spinner
    thread at runtime.sigtrampgo on a SIGUSR1 sent to it and writes a
    core; `attach --core --threads` shows that thread's goroutine frames
    (main.spin) below runtime.sigtramp, recovered from the ucontext the
    kernel put on the signal stack (curg.sched is stale there).
  - refusals, each one line and exit 3: a core of another build given with
    --exe (both build ids named), a compressed core, a missing core,
    --exe without --core, --no-stop with --core, no variable.
  - the kernel: maptarget killed with SIGABRT under GOTRACEBACK=crash and
    RLIMIT_CORE unlimited; the core says signal 6 and each map variable
    holds the address the target reported.
  - kernel.core_pattern: the crash and kernel cases need the kernel to
    write the core into their temporary directory. Where the pattern would
    not (a pipe to a handler such as systemd-coredump, a path elsewhere),
    the test sets it to DIR/core.%p for each case and puts the old value
    back afterwards (also at exit and on SIGINT, SIGTERM, SIGHUP), saying
    so; where it cannot (not root, /proc/sys read-only) those cases print
    a skip line, never a pass.
  - dlv dump: every variant's idle maptarget (and a PIE) is attached live,
    then dumped by `dlv attach` + `dump` (delve's own writer: no NT_FILE,
    notes without owner names); `attach --core --exe` gives the live
    report, also when the executable's read-only segments are cut out of
    the dump (as newer delve writes them: read from --exe, checked by the
    entry point only, exe_verified false); without --exe, and with another
    build, it is refused in one line; two census targets' dumps give the
    live census.
"""

import atexit
import contextlib
import json
import os
import resource
import shutil
import signal
import struct
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import checks  # noqa: E402
import jsonschema_lite as js  # noqa: E402
import targets  # noqa: E402
import test_census  # noqa: E402

SCHEMA = json.load(open(os.path.join(targets.ROOT, "doc", "json-schema.json")))

DRIVER = os.path.join(targets.ROOT, "build", "tests", "test_core")
MAPDIAG = os.environ.get("MAPDIAG", os.path.join(targets.ROOT, "mapdiag"))
# Classic and Swiss, both impls of 1.24/1.25, and the build modes that move
# things: a PIE (bias), external linking (C libraries mapped), and DWARF
# from a separate debug file found by its debuglink.
MODES = ["go1.26-pie", "go1.23-extld", "go1.26-debugfile"]


def num(v):
    return int(v, 16) if isinstance(v, str) else int(v)


def specs(oracle, live):
    out = []
    for name, m in sorted(oracle["maps"].items()):
        if not m.get("var_addr") or not m.get("type", "").startswith("map["):
            continue
        if live:
            out.append("%x:8" % num(m["var_addr"]))
            if m.get("header") and not m.get("nil"):
                out.append("%x:48" % num(m["addr"]))
        else:
            out.append("%x=%x" % (num(m["var_addr"]), num(m["addr"]) if not m.get("nil") else 0))
    return out


def same_header(want, got):
    """The oracle's header fields (numbers or hex strings) in mapdiag's."""
    if not got:
        return False
    for k, v in want.items():
        if k == "tables" or k not in got:
            continue
        a, b = got[k], v
        if isinstance(a, str) and a.startswith("0x"):
            a = int(a, 16)
        if isinstance(b, str) and b.startswith("0x"):
            b = int(b, 16)
        if isinstance(a, bool) or isinstance(b, bool):
            a, b = bool(a), bool(b)
        if a != b:
            return False
    return True


def drive(name, core, pid, args):
    r = subprocess.run([DRIVER, "--compare", core, pid] + args, capture_output=True,
                       text=True, timeout=120)
    last = (r.stdout.strip().splitlines() or [""])[-1]
    checks.check(name, r.returncode == 0 and " 0 failed" in last,
                 "%s %s" % (last, r.stderr.strip()[:1500]))


def attach(args):
    r = subprocess.run([MAPDIAG, "attach", "--json", "--threads"] + args, capture_output=True,
                       text=True, timeout=120)
    try:
        return r.returncode, json.loads(r.stdout), r.stderr
    except ValueError:
        return r.returncode, None, r.stderr


def frames(report):
    return {t["tid"]: (t["goid"], [(f["func"], f.get("line")) for f in t["frames"]])
            for t in report.get("threads", [])}


def same_report(variant, live, core, core_path):
    rc_l, L, err_l = live
    rc_c, C, err_c = core
    name = "attach --core %s" % variant
    if not checks.check(name + ": JSON", L is not None and C is not None, err_l + err_c):
        return
    errs = js.validate(C, SCHEMA["$defs"][SCHEMA["documents"]["attach"]], SCHEMA)
    checks.check(name + ": conforms to doc/json-schema.json", not errs, "; ".join(errs[:3]))
    checks.check(name + ": exit code", rc_l == rc_c, "%d live, %d core" % (rc_l, rc_c))
    checks.check(name + ": source", C.get("source") == "core" and C.get("core") == core_path
                 and L.get("source") == "live" and C.get("exe_verified") is True,
                 json.dumps({k: C.get(k) for k in ("source", "core", "exe_verified")}))
    checks.check(name + ": pid", C["pid"] == L["pid"], "%s %s" % (C["pid"], L["pid"]))
    # a core's goroutines cannot move, so its parked walk always runs (a
    # live one runs only for a writing flag with no thread writing)
    def bare(m):
        return {k: v for k, v in m.items() if k not in ("parked_writers", "parked_unknown")}
    diff = [a["var"] for a, b in zip(L["maps"], C["maps"]) if bare(a) != bare(b)]
    checks.check(name + ": maps equal live", len(L["maps"]) == len(C["maps"]) and not diff,
                 "%d live, %d core; differ: %s" % (len(L["maps"]), len(C["maps"]), diff[:3]))
    fl, fc = frames(L), frames(C)
    bad = [t for t in fl if fl[t] != fc.get(t)]
    checks.check(name + ": threads, goroutines and frames equal live",
                 set(fl) == set(fc) and not bad,
                 "tids %s vs %s; differ %s" % (sorted(fl), sorted(fc),
                                               [(t, fl[t], fc.get(t)) for t in bad[:1]]))


def start_idle(variant):
    """maptarget of variant, idle (no busy goroutines) and settled: the
    live snapshot and the core are taken a moment apart and must show the
    same threads. (Popen, oracle, its map variables)."""
    p, oracle = targets.start(targets.binary(variant), ["-threads", "0"])
    time.sleep(0.3)
    names = [k for k, m in sorted(oracle["maps"].items())
             if m.get("type", "").startswith("map[")]
    return p, oracle, names


def gcore_one(variant, tmp):
    p, oracle, names = start_idle(variant)
    try:
        live = attach([str(p.pid)] + names)
        base = os.path.join(tmp, "core")
        r = subprocess.run(["gcore", "-o", base, str(p.pid)], capture_output=True,
                           text=True, timeout=120)
        core = "%s.%d" % (base, p.pid)
        if not checks.check("gcore %s" % variant, r.returncode == 0 and os.path.exists(core),
                            r.stderr[-500:]):
            return
        args = specs(oracle, True)
        checks.check("gcore %s: maps to compare" % variant, len(args) > 10, str(len(args)))
        drive("gcore %s: core equals live" % variant, core, str(p.pid), args)
        same_report(variant, live, attach(["--core", core] + names), core)
        if variant == "go1.26":
            refusals(core, names[0], tmp)
        os.unlink(core)
    finally:
        targets.stop(p)


def refused(name, args, want):
    r = subprocess.run([MAPDIAG, "attach"] + args, capture_output=True, text=True, timeout=60)
    lines = r.stderr.strip().splitlines()
    checks.check("refused: " + name, r.returncode == 3 and len(lines) == 1 and
                 all(w in r.stderr for w in want),
                 "exit %d: %r" % (r.returncode, r.stderr[:400]))


def refusals(core, var, tmp):
    other = targets.binary("go1.23")
    refused("another build's executable", ["--core", core, "--exe", other, var],
            ["not the executable this core ran", "build id"])
    gz = os.path.join(tmp, "core.gz")
    with open(core, "rb") as f, open(gz, "wb") as g:
        g.write(b"\x1f\x8b\x08" + f.read(4096))
    refused("compressed core", ["--core", gz, var], ["gzip"])
    refused("missing core", ["--core", os.path.join(tmp, "none"), var], ["none"])
    refused("--exe without --core", ["--exe", other, "1", var], ["--core"])
    refused("--no-stop with --core", ["--core", core, "--no-stop", var], ["--no-stop"])
    refused("no variable", ["--core", core], ["missing"])
    refused("executable as core", ["--core", other, var], ["not a core"])


def scan(args):
    r = subprocess.run([MAPDIAG, "scan", "--json", "--top", "0"] + args, capture_output=True,
                       text=True, timeout=300)
    try:
        return r.returncode, json.loads(r.stdout), r.stderr
    except ValueError:
        return r.returncode, None, r.stderr


def census_one(variant, tmp):
    p, oracle = targets.start(targets.censustarget(variant))
    try:
        time.sleep(0.3)
        rc_l, L, err_l = scan(["--consistent", str(p.pid)])
        base = os.path.join(tmp, "core")
        subprocess.run(["gcore", "-o", base, str(p.pid)], capture_output=True, timeout=120)
        core = "%s.%d" % (base, p.pid)
        rc_c, C, err_c = scan(["--core", core])
        name = "scan --core %s" % variant
        if not checks.check(name + ": JSON", L is not None and C is not None,
                            (err_l + err_c)[:500]):
            return
        errs = js.validate(C, SCHEMA["$defs"][SCHEMA["documents"]["scan"]], SCHEMA)
        checks.check(name + ": conforms to doc/json-schema.json", not errs, "; ".join(errs[:3]))
        checks.check(name + ": exit code and source", rc_l == rc_c and C["source"] == "core",
                     "%d %d %s" % (rc_l, rc_c, C.get("source")))

        def key(m):
            return (m.get("root"), m.get("header"), m.get("type"))
        lm = {m["path"]: key(m) for m in L["maps"]}
        cm = {m["path"]: key(m) for m in C["maps"]}
        checks.check(name + ": the same maps, paths, roots and headers as live",
                     lm == cm, "only live %s; only core %s; differ %s" % (
                         sorted(set(lm) - set(cm))[:3], sorted(set(cm) - set(lm))[:3],
                         [k for k in lm if k in cm and lm[k] != cm[k]][:3]))
        # and the census test's own oracle checks, on the core's report
        test_census.check_listing(name, C, oracle, True)
        os.unlink(core)
    finally:
        targets.stop(p)


def crash_one(variant, tmp, mode):
    """crashtarget -mode MODE, killed by the runtime; its core explained."""
    name = "crash %s %s" % (variant, mode)
    exe = targets.crashtarget(variant)

    def unlimited():
        resource.setrlimit(resource.RLIMIT_CORE, (resource.RLIM_INFINITY, resource.RLIM_INFINITY))

    env = dict(os.environ, GOTRACEBACK="crash")
    p = subprocess.Popen([exe, "-mode", mode], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                         stdin=subprocess.PIPE, cwd=tmp, env=env, preexec_fn=unlimited,
                         text=True)
    line = p.stdout.readline()
    if not checks.check(name + ": target ready", line.startswith(targets.READY_PREFIX), line):
        p.kill()
        p.communicate()
        return
    o = json.loads(line[len(targets.READY_PREFIX):])
    try:
        _, err = p.communicate("go\n", timeout=60)
    except subprocess.TimeoutExpired:
        p.kill()
        p.communicate()
        checks.fail(name, "the race was never caught in 60 s")
        return
    want = "concurrent map writes" if mode == "writes" else "concurrent map read and map write"
    if not checks.check(name + ": the runtime's own message", "fatal error: " + want in err,
                        err[:300]):
        return
    core = core_in(tmp)
    if not checks.check(name + ": the kernel wrote a core", core is not None,
                        "none in %s (core_pattern %r)" % (tmp, core_pattern())):
        return
    rc, C, e = attach(["--core", core, "main.shared"])
    if not checks.check(name + ": JSON", C is not None and "crash" in C, e[:300]):
        return
    errs = js.validate(C, SCHEMA["$defs"][SCHEMA["documents"]["attach"]], SCHEMA)
    checks.check(name + ": conforms to doc/json-schema.json", not errs, "; ".join(errs[:3]))
    c = C["crash"]
    checks.check(name + ": exit 2 and the error", rc == 2 and c["error"] == want,
                 "%d %r" % (rc, c["error"]))
    ws = {w["goid"]: w for w in o["writers"]}
    by = c["caught_by"]
    mine = ws.get(by["goid"])
    user = (by["user"] or [{}])[0]
    checks.check(name + ": caught by one of the two, at its line",
                 mine is not None and user.get("func") == mine["func"] and
                 user.get("line") == mine["line"], "%s vs %s" % (by, o["writers"]))
    if mode == "writes":
        checks.check(name + ": on main.shared", c["var"] == "main.shared" and
                     num(c["map"]) == num(o["map"]), "%s %s" % (c["var"], c["map"]))
    else:
        checks.check(name + ": the reader caught it", mine is not None and
                     mine["func"] == "main.readB", str(by))
    other = [w for g, w in ws.items() if g != by["goid"]][0]
    if c["others"]:
        x = c["others"][0]
        xu = (x["user"] or [{}])[0]
        checks.check(name + ": the other side named, at its line",
                     len(c["others"]) == 1 and x["goid"] == other["goid"] and
                     xu.get("func") == other["func"] and xu.get("line") == other["line"]
                     and not c["other_left"], "%s vs %s" % (c["others"], other))
    else:
        checks.check(name + ": the other writer had left", c["other_left"] is True, str(c))
    # scan --core says it too, naming the map by its census path
    rc_s, S, e = scan(["--core", core])
    sc = (S or {}).get("crash") or {}
    errs = js.validate(S, SCHEMA["$defs"][SCHEMA["documents"]["scan"]], SCHEMA) if S else ["no JSON"]
    checks.check(name + ": scan --core explains it too", rc_s == 2 and not errs and
                 sc.get("error") == want and sc.get("caught_by", {}).get("goid") == by["goid"] and
                 (mode != "writes" or sc.get("var") == "main.shared"),
                 "%d %s %s" % (rc_s, errs[:2], json.dumps(sc)[:300]))
    # the text says the same, first
    r = subprocess.run([MAPDIAG, "attach", "--core", core, "main.shared"], capture_output=True,
                       text=True, timeout=60)
    lines = r.stdout.splitlines()
    checks.check(name + ": the status line and the crash block",
                 len(lines) > 3 and lines[0].startswith("MAPDIAG CRITICAL - fatal error: " + want)
                 and lines[2].startswith("crash  fatal error: " + want) and
                 ("caught by goroutine %d" % by["goid"]) in lines[3], "\n".join(lines[:5]))
    os.unlink(core)


GDB_SIGNAL = """set pagination off
handle SIGUSR1 nostop noprint pass
python [gdb.execute('thread %%d' %% t.num) for t in gdb.selected_inferior().threads() if t.ptid[1] == %d]
break runtime.sigtrampgo
signal SIGUSR1
gcore %s
kill
"""


def signal_one(variant, tmp, tries=3):
    """The spinner goroutine is locked to its thread, but on a loaded
    machine the scheduler may have preempted it when the signal comes: the
    thread then waits in stoplockedm with no goroutine (goid 0), which is
    not the case under test, so it is tried again."""
    name = "signal context %s" % variant
    for attempt in range(tries):
        p = subprocess.Popen([targets.crashtarget(variant)], stdin=subprocess.PIPE,
                             stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        try:
            line = p.stdout.readline()
            if not checks.check(name + ": target ready", line.startswith(targets.READY_PREFIX),
                                line):
                return
            o = json.loads(line[len(targets.READY_PREFIX):])
            spin = o["spinner"]
            core = os.path.join(tmp, "core")
            script = os.path.join(tmp, "gdb.cmd")
            with open(script, "w") as f:
                f.write(GDB_SIGNAL % (spin["tid"], core))
            r = subprocess.run(["gdb", "-nx", "-q", "-batch", "-p", str(o["pid"]), "-x", script],
                               capture_output=True, text=True, timeout=120)
            if not checks.check(name + ": gdb stopped it in runtime.sigtrampgo and cored it",
                                "runtime.sigtrampgo" in r.stdout + r.stderr and
                                os.path.exists(core), (r.stdout + r.stderr)[-400:]):
                return
        finally:
            p.kill()
            p.communicate()
        rc, C, err = attach(["--core", core, "main.shared"])
        th = [t for t in (C or {}).get("threads", []) if t["tid"] == spin["tid"]]
        funcs = [f["func"] for f in th[0]["frames"]] if th else []
        os.unlink(core)
        if th and th[0]["goid"] == 0 and "runtime.stoplockedm" in funcs and \
                attempt + 1 < tries:
            print("note %s: the spinner was descheduled when the signal came; again" % name,
                  flush=True)
            continue
        ok = "runtime.sigtramp" in funcs and "main.spin" in funcs[funcs.index("runtime.sigtramp"):]
        checks.check(name + ": the spinner's own frames below runtime.sigtramp",
                     ok and th[0]["goid"] == spin["goid"],
                     "%s %s" % (th[0]["goid"] if th else None, funcs))
        return


CORE_PATTERN = "/proc/sys/kernel/core_pattern"
# the pattern to put back while ours is set, for the exit and signal paths
_saved_pattern = None
_hooked = False


def core_pattern():
    try:
        with open(CORE_PATTERN) as f:
            return f.read().rstrip("\n")
    except OSError:
        return ""


def set_core_pattern(pat):
    with open(CORE_PATTERN, "w") as f:
        f.write(pat + "\n")


def restore_core_pattern():
    """Put back the pattern kernel_cores() replaced, if it did; True when
    there was nothing to put back or it is back."""
    global _saved_pattern
    if _saved_pattern is None:
        return True
    try:
        set_core_pattern(_saved_pattern)
    except OSError as e:
        print("FAIL kernel.core_pattern: cannot restore %r: %s" % (_saved_pattern, e),
              file=sys.stderr, flush=True)
        return False
    _saved_pattern = None
    return True


def _restore_and_die(sig, frame):
    # an interrupted run must not leave the machine's cores going to a
    # directory that is about to be deleted
    restore_core_pattern()
    signal.signal(sig, signal.SIG_DFL)
    os.kill(os.getpid(), sig)


def writes_here(pat):
    """Whether the kernel writes a core under pattern pat into the crashing
    process's working directory: a relative file name (with core_uses_pid,
    the kernel adds .PID to a pattern without %p: still there)."""
    return pat != "" and not pat.startswith("|") and "/" not in pat


def core_in(tmp):
    """The ELF core file in directory tmp, whatever the pattern named it,
    or None."""
    for f in sorted(os.listdir(tmp)):
        path = os.path.join(tmp, f)
        try:
            with open(path, "rb") as fh:
                h = fh.read(18)
        except OSError:
            continue
        # ELFCLASS64, little-endian, e_type ET_CORE
        if len(h) == 18 and h[:6] == b"\x7fELF\x02\x01" and h[16:18] == b"\x04\x00":
            return path
    return None


@contextlib.contextmanager
def kernel_cores(tmp):
    """Within it, a process run in directory tmp that dumps core leaves the
    core in tmp. Yields '' when so, else why not (for a skip line). Where
    kernel.core_pattern would send it elsewhere (a handler that keeps it,
    another directory), it is set to tmp/core.%p, if we may, and put back on
    the way out, at exit, or on SIGINT, SIGTERM or SIGHUP."""
    global _saved_pattern, _hooked
    pat = core_pattern()
    if writes_here(pat):
        yield ""
        return
    ours = os.path.join(tmp, "core.%p")
    if os.geteuid() != 0:
        yield "kernel.core_pattern %r keeps cores away and only root may change it" % pat
        return
    if not os.access(CORE_PATTERN, os.W_OK):
        yield "kernel.core_pattern %r keeps cores away and %s is not writable" % (
            pat, CORE_PATTERN)
        return
    if len(ours) >= 128:        # the kernel's CORENAME_MAX_SIZE
        yield "kernel.core_pattern %r keeps cores away and %r is too long for it" % (pat, ours)
        return
    if not _hooked:
        atexit.register(restore_core_pattern)
        for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
            signal.signal(sig, _restore_and_die)
        _hooked = True
    _saved_pattern = pat
    try:
        set_core_pattern(ours)
    except OSError as e:
        _saved_pattern = None
        yield "kernel.core_pattern %r keeps cores away and cannot be set: %s" % (pat, e)
        return
    try:
        yield ""
    finally:
        restore_core_pattern()
        back = core_pattern()
        print("     kernel.core_pattern was %r: set to %r for this case, %s" % (
            pat, ours, "restored" if back == pat else "NOT restored (%r)" % back), flush=True)
        checks.check("kernel.core_pattern restored", back == pat, "%r, was %r" % (back, pat))


def kernel_core(variant, tmp):
    def unlimited():
        resource.setrlimit(resource.RLIMIT_CORE, (resource.RLIM_INFINITY, resource.RLIM_INFINITY))

    env = dict(os.environ, GOTRACEBACK="crash")
    # run from a copy, whose path the core names, so that it can go
    exe = os.path.join(tmp, "maptarget")
    shutil.copy2(targets.binary(variant), exe)
    p = subprocess.Popen([exe], stdout=subprocess.PIPE,
                         stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL, cwd=tmp, env=env,
                         preexec_fn=unlimited, text=True)
    oracle = None
    deadline = time.time() + 30
    while time.time() < deadline:
        line = p.stdout.readline()
        if not line:
            break
        if line.startswith(targets.READY_PREFIX):
            oracle = json.loads(line[len(targets.READY_PREFIX):])
            break
    if not checks.check("kernel core %s: target ready" % variant, oracle is not None):
        p.kill()
        p.wait()
        return
    p.send_signal(signal.SIGABRT)
    p.communicate(timeout=60)
    core = core_in(tmp)
    if not checks.check("kernel core %s: the kernel wrote a core" % variant, core is not None,
                        "none in %s (core_pattern %r)" % (tmp, core_pattern())):
        return
    drive("kernel core %s: SIGABRT and map words" % variant, core, "-",
          ["sig=%d" % signal.SIGABRT] + specs(oracle, False))
    # what the target said of its maps, from its core: the same headers
    names = sorted(k for k, m in oracle["maps"].items()
                   if m.get("type", "").startswith("map[") and m.get("header"))
    rc, C, err = attach(["--core", core] + names)
    got = {m["var"]: m.get("header") for m in (C or {}).get("maps", [])}
    bad = [n for n in names if not same_header(oracle["maps"][n]["header"], got.get(n))]
    checks.check("kernel core %s: attach --core headers equal the target's" % variant,
                 C is not None and C.get("core_signal") == signal.SIGABRT and not bad,
                 "%s %s" % (bad[:3], err[:300]))
    moved_exe(variant, core, exe)
    os.unlink(core)


def census_view(r):
    rc, S, err = r
    if S is None:
        return err[:300]
    return (rc, sorted((m["path"], json.dumps(m.get("header"), sort_keys=True))
                       for m in S["maps"]), S["summary"]["not_followed"])


def moved_exe(variant, core, exe):
    """A core taken elsewhere: the executable is not where the core says
    (gone, or another build there) and is given with --exe. The kernel
    left its read-only pages out of the core (coredump_filter), so the
    census reads type data from the --exe file: the same as in place."""
    name = "kernel core %s, executable moved" % variant
    want = census_view(scan(["--core", core]))
    checks.check(name + ": scan in place reads all it follows",
                 isinstance(want, tuple) and want[2]["unreadable"] == 0, str(want)[:300])
    copy = exe + ".elsewhere"
    os.rename(exe, copy)
    got = census_view(scan(["--core", core, "--exe", copy]))
    checks.check(name + ": scan --exe gives the census in place", got == want,
                 "%s\nvs %s" % (str(got)[:300], str(want)[:300]))
    # another build at the core's path: not read for the executable
    with open(copy, "rb") as f:
        data = bytearray(f.read())
    at = data.find(b"\x04\x00\x00\x00Go\x00\x00")   # .note.go.buildid's name
    if not checks.check(name + ": the executable has a Go build id", at > 0):
        return
    for k in range(at + 12, at + 40):
        data[k] = ord("x") if data[k] != ord("x") else ord("y")
    with open(exe, "wb") as f:
        f.write(data)
    got = census_view(scan(["--core", core, "--exe", copy]))
    checks.check(name + ": another build at the core's path, scan --exe as in place",
                 got == want, "%s\nvs %s" % (str(got)[:300], str(want)[:300]))
    refused("kernel core, another build at the core's path (%s)" % variant,
            ["--core", core, "main.small"], ["not the executable this core ran", "build id"])


# =========================================================================
# dlv dump: delve's own core writer (no NT_FILE, unnamed notes)
# =========================================================================

def tracer(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("TracerPid:"):
                return int(line.split()[1])
    return -1


def dlv_dump(pid, out):
    """delve attaches, dumps, detaches and leaves the process running."""
    r = subprocess.run(["dlv", "attach", str(pid), "--check-go-version=false",
                        "--allow-non-terminal-interactive=true"],
                       input="dump %s\nquit\nn\n" % out, capture_output=True, text=True,
                       timeout=180)
    return os.path.exists(out) and os.path.getsize(out) > 0, (r.stdout + r.stderr)[-400:]


def dlv_one(variant, tmp):
    name = "dlv dump %s" % variant
    p, oracle, names = start_idle(variant)
    try:
        live = attach([str(p.pid)] + names)
        core = os.path.join(tmp, "dlv.core")
        ok, out = dlv_dump(p.pid, core)
        if not checks.check(name, ok, out):
            return
        checks.check(name + ": the target runs on after delve", p.poll() is None and
                     tracer(p.pid) == 0, "exit %s" % p.poll())
        drive(name + ": core equals live", core, str(p.pid), specs(oracle, True))
        exe = targets.binary(variant)
        same_report("(dlv) " + variant, live, attach(["--core", core, "--exe", exe] + names),
                    core)
        if variant in ("go1.26", "go1.26-pie", "go1.19"):
            without_text(variant, p.pid, live, core, exe, names)
        if variant in ("go1.26", "go1.26-pie"):
            refused("dlv dump without --exe", ["--core", core, names[0]],
                    ["names no executable", "dlv dump", "--exe"])
            refused("dlv dump, another build's executable",
                    ["--core", core, "--exe", targets.binary("go1.23"), names[0]],
                    ["not the executable this core ran"])
        os.unlink(core)
    finally:
        targets.stop(p)


def ro_mappings(pid, exe):
    """Start addresses of the executable's read-only mappings."""
    real = os.path.realpath(exe)
    out = set()
    with open("/proc/%d/maps" % pid) as f:
        for line in f:
            fs = line.split()
            if len(fs) >= 6 and fs[5] == real and "w" not in fs[1]:
                out.add(int(fs[0].split("-")[0], 16))
    return out


def without_text(variant, pid, live, core, exe, names):
    """The dump as newer delve writes one of a Go executable: the file's
    read-only segments left out (p_filesz 0), to be read from --exe."""
    name = "(dlv, no text) " + variant
    cut = core + ".notext"
    with open(core, "rb") as f:
        b = bytearray(f.read())
    phoff, = struct.unpack_from("<Q", b, 0x20)
    phnum, = struct.unpack_from("<H", b, 0x38)
    ro = ro_mappings(pid, exe)
    emptied = 0
    for i in range(phnum):
        o = phoff + i * 56
        t, = struct.unpack_from("<I", b, o)
        va, = struct.unpack_from("<Q", b, o + 16)
        if t == 1 and va in ro:
            struct.pack_into("<Q", b, o + 32, 0)
            emptied += 1
    with open(cut, "wb") as f:
        f.write(b)
    checks.check(name + ": the executable's read-only segments left out", emptied >= 2,
                 "%d of %d" % (emptied, len(ro)))
    rc, C, err = attach(["--core", cut, "--exe", exe] + names)
    L = live[1]
    if checks.check(name + ": JSON", C is not None and L is not None, err[:300]):
        def bare(m):
            return {k: v for k, v in m.items() if not k.startswith("parked")}
        diff = [a["var"] for a, c in zip(L["maps"], C["maps"]) if bare(a) != bare(c)]
        checks.check(name + ": maps equal live, text read from --exe",
                     len(L["maps"]) == len(C["maps"]) and not diff, str(diff[:3]))
        checks.check(name + ": threads and frames equal live", frames(L) == frames(C))
        checks.check(name + ": not called verified", C.get("exe_verified") is False,
                     str(C.get("exe_verified")))
    if not variant.endswith("-pie"):
        other = targets.binary("go1.23" if variant != "go1.23" else "go1.26")
        refused("dlv dump without text, another build's executable (%s)" % variant,
                ["--core", cut, "--exe", other, names[0]],
                ["not the executable this core ran", "entry point"])
    os.unlink(cut)


def dlv_census(variant, tmp):
    p, oracle = targets.start(targets.censustarget(variant))
    try:
        time.sleep(0.3)
        rc_l, L, err_l = scan(["--consistent", str(p.pid)])
        core = os.path.join(tmp, "dlv.core")
        ok, out = dlv_dump(p.pid, core)
        name = "scan --core (dlv dump) %s" % variant
        if not checks.check(name + ": dumped", ok, out):
            return
        rc_c, C, err_c = scan(["--core", core, "--exe", targets.censustarget(variant)])
        if not checks.check(name + ": JSON", L is not None and C is not None,
                            (err_l + err_c)[:500]):
            return
        checks.check(name + ": exit code and source", rc_l == rc_c and C["source"] == "core",
                     "%d %d %s" % (rc_l, rc_c, C.get("source")))
        lm = {m["path"]: (m.get("root"), m.get("header")) for m in L["maps"]}
        cm = {m["path"]: (m.get("root"), m.get("header")) for m in C["maps"]}
        checks.check(name + ": the same maps, paths, roots and headers as live", lm == cm,
                     "only live %s; only core %s" % (sorted(set(lm) - set(cm))[:3],
                                                     sorted(set(cm) - set(lm))[:3]))
        test_census.check_listing(name, C, oracle, True)
        os.unlink(core)
    finally:
        targets.stop(p)


def main():
    if not os.access(DRIVER, os.X_OK):
        checks.fail("driver", "%s is not built (make unit)" % DRIVER)
        return checks.summary()
    if not shutil.which("gcore"):
        checks.fail("gcore", "gdb's gcore is not installed (scripts/setup.sh installs gdb)")
        return checks.summary()
    only = sys.argv[1:]
    for v in targets.VARIANTS + MODES:
        if only and v not in only:
            continue
        with tempfile.TemporaryDirectory(prefix="md-core-") as tmp:
            gcore_one(v, tmp)
    for v in targets.VARIANTS:
        if only and v not in only:
            continue
        for mode in ("writes", "readwrite"):
            with tempfile.TemporaryDirectory(prefix="md-crash-") as tmp, kernel_cores(tmp) as why:
                if why:
                    checks.skip("crash %s %s" % (v, mode), why)
                else:
                    crash_one(v, tmp, mode)
    for v in ("go1.19", "go1.23", "go1.26", "go1.27"):
        if only and v not in only:
            continue
        with tempfile.TemporaryDirectory(prefix="md-sig-") as tmp:
            signal_one(v, tmp)
    for v in targets.CENSUS_TARGETS:
        if only and v not in only:
            continue
        with tempfile.TemporaryDirectory(prefix="md-ccore-") as tmp:
            census_one(v, tmp)
    with tempfile.TemporaryDirectory(prefix="md-kcore-") as tmp, kernel_cores(tmp) as why:
        if why:
            checks.skip("kernel core go1.26", why)
        else:
            kernel_core("go1.26", tmp)
    if not shutil.which("dlv"):
        checks.fail("dlv", "delve is not installed (scripts/setup.sh installs it)")
        return checks.summary()
    for v in targets.VARIANTS + ["go1.26-pie"]:
        if only and v not in only:
            continue
        with tempfile.TemporaryDirectory(prefix="md-dlv-") as tmp:
            dlv_one(v, tmp)
    for v in ("go1.23", "go1.26"):
        if only and v not in only:
            continue
        with tempfile.TemporaryDirectory(prefix="md-dlvc-") as tmp:
            dlv_census(v, tmp)
    return checks.summary()


if __name__ == "__main__":
    sys.exit(main())
