#!/usr/bin/env python3
"""Threads in C code (issue 17 items 4 and 6), on testdata/cgotarget: a
goroutine calls C, and C blocks two calls deep (cg_f1 -> cg_f2 -> read(2)),
with R14 zeroed and C thread-locals on both sides of the runtime's g slot.

  - `attach --threads --json` finds that thread's g through the TLS slot
    that PT_TLS places (fs_base-8 holds C data there, R14 holds 0), and
    through m.curg the goroutine that called C: the goid the target read
    from its own runtime.Stack;
  - its frames are the C frames (read in libc, cg_f2, cg_f1, the cgo
    wrapper) and runtime.asmcgocall, equal to gdb's `thread apply all bt`
    (run after mapdiag has detached) function by function and return
    address by return address; libc's functions are compared by address,
    as gdb names them from libc's debug file (__GI___libc_read) and
    mapdiag from its dynamic symbols (read);
  - then the goroutine's own frames (through curg.sched), whose functions
    outside the runtime are those of the target's own traceback, down to
    runtime.goexit.  gdb cannot follow asmcgocall's switch of stacks (past
    it it prints ?? and stale words), so it is not the reference there;
  - a thread that C created (no g, no Go frame) has its whole stack equal
    to gdb's: read, cg_fg, cg_fthread, start_thread, clone3 (the last two
    named from libc's debug file, as gdb names them);
  - the target is left running, untraced, still blocked in C;
  - a core of it (gdb's gcore) gives the same: `attach --core` finds the
    same goid and the same frames (functions and return addresses) for
    both threads as the live attach just before, and as gdb's
    `thread apply all bt` on the core, the files found through the core's
    NT_FILE note;
  - when the executable at the path the core names is replaced by another
    build (the same bytes but for its build id), the file given with --exe
    is read for the executable's C frames, which equal live's; when libc at
    the path the core names is replaced the same way, its frames are not
    unwound with that file's tables: unknown, and nothing below them.  The
    target runs from a copy in a temporary directory, with a copy of libc
    found first through LD_LIBRARY_PATH, for this.
One run under the ASan build: MAPDIAG=build/san/mapdiag.

    python3 tests/integration/test_cframes.py [variant...]
"""

import json
import os
import re
import shutil
import struct
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import targets  # noqa: E402
import checks  # noqa: E402
from checks import check  # noqa: E402
from mdrun import mapdiag, check_released  # noqa: E402

FRAME = re.compile(r"^#(\d+)\s+(?:(0x[0-9a-f]+) in )?(\S+) \(")
THREAD = re.compile(r"^Thread \d+ \(.*\(LWP (\d+)\)")


def gdb_threads(target):
    """{tid: [[names of one physical frame, innermost first], return
    address or None], ...} from gdb's `thread apply all bt` of a process
    (target: its pid) or a core (target: [executable, core]).  A frame
    line without an address after #0 is the caller an inlined frame was
    expanded into: the same physical frame."""
    what = target if isinstance(target, list) else ["-p", str(target)]
    out = subprocess.run(["gdb", "-q", "-nx", "-batch"] + what +
                         ["-ex", "set debuginfod enabled off",
                          "-ex", "thread apply all bt"],
                         capture_output=True, text=True, timeout=120).stdout
    threads, cur = {}, None
    for line in out.splitlines():
        m = THREAD.match(line)
        if m:
            cur = threads.setdefault(int(m.group(1)), [])
            continue
        m = FRAME.match(line)
        if m is None or cur is None:
            continue
        n, addr, func = int(m.group(1)), m.group(2), m.group(3)
        if n > 0 and addr is None and cur:
            cur[-1][0].append(func)
        else:
            cur.append([[func], int(addr, 16) if addr else None])
    return threads


def physical(frames):
    """mapdiag's frames as physical frames: [(names, pc)], frames of one
    pc (inlined expansions) together."""
    out = []
    for f in frames:
        pc = int(f["pc"], 16)
        if out and out[-1][1] == pc:
            out[-1][0].append(f["func"])
        else:
            out.append(([f["func"]], pc))
    return out


def mapped_file(pid, pc):
    with open("/proc/%d/maps" % pid) as f:
        for line in f:
            p = line.split()
            lo, hi = (int(x, 16) for x in p[0].split("-"))
            if lo <= pc < hi and len(p) >= 6:
                return p[5]
    return None


_syms = {}


def addresses(path, name):
    """The values of name in path's symbol tables and in its debug file's
    (found by build id, as gdb finds it)."""
    if path not in _syms:
        files = [path]
        note = subprocess.run(["readelf", "-n", path], capture_output=True, text=True).stdout
        m = re.search(r"Build ID: ([0-9a-f]+)", note)
        if m:
            dbg = "/usr/lib/debug/.build-id/%s/%s.debug" % (m.group(1)[:2], m.group(1)[2:])
            if os.path.exists(dbg):
                files.append(dbg)
        table = {}
        for f in files:
            out = subprocess.run(["readelf", "-sW", "--dyn-syms", f],
                                 capture_output=True, text=True).stdout
            for line in out.splitlines():
                p = line.split()
                if len(p) >= 8 and p[3] in ("FUNC", "IFUNC") and p[6] != "UND":
                    table.setdefault(p[7].split("@")[0], set()).add(int(p[1], 16))
        _syms[path] = table
    return _syms[path].get(name, set())


def same_function(pid, ours, pc, theirs):
    """One physical frame: the same outermost function, or, in a shared
    library, names of the same address."""
    if ours[-1] == theirs[-1]:
        return True
    lib = mapped_file(pid, pc)
    if not lib or lib == os.readlink("/proc/%d/exe" % pid):
        return False
    return bool(addresses(lib, ours[-1]) & addresses(lib, theirs[-1]))


def compare(pid, phys, gdb):
    """What differs between mapdiag's physical frames and gdb's, frame by
    frame: the function, and the return address of every frame but #0."""
    bad = []
    for k, (ns, addr) in enumerate(gdb):
        if k >= len(phys):
            bad.append("#%d %s: mapdiag has no frame" % (k, ns))
            continue
        ours, pc = phys[k]
        if not same_function(pid, ours, pc, ns):
            bad.append("#%d %s != %s" % (k, ours, ns))
        if k > 0 and addr != pc:
            bad.append("#%d pc %#x != gdb's %#x" % (k, pc, addr or 0))
    return bad


def thread_state(pid, tid):
    try:
        with open("/proc/%d/task/%d/stat" % (pid, tid)) as f:
            s = f.read()
        return s[s.rindex(")") + 2]
    except (OSError, ValueError):
        return "gone"


def attach(*target):
    """attach --threads --json of a pid, or of "--core", CORE, ..."""
    rc, out, err = mapdiag("attach", "--json", "--threads", *target, "main.cgoMap")
    try:
        return rc, json.loads(out), err
    except ValueError:
        return rc, None, err + out[:300]


def frames_of(rep, tid):
    """A thread's frames in a report: [(function, pc)], or None."""
    th = [t for t in rep.get("threads", []) if t["tid"] == tid]
    return [(f["func"], int(f["pc"], 16)) for f in th[0]["frames"]] if th else None


def compare_gdb(name, pid, phys, g, whole):
    """mapdiag's physical frames against gdb's: up to runtime.asmcgocall,
    or (whole) the entire backtrace."""
    if whole:
        bad = compare(pid, phys, g)
        return check(name + " (%d frames)" % len(g), len(g) >= 4 and len(phys) == len(g) and
                     not bad, "; ".join(bad) or "%s vs %s" % (phys, g))
    gi = [k for k, (ns, _) in enumerate(g) if ns[-1] == "runtime.asmcgocall"]
    gp = g[:gi[0] + 1] if gi else g
    bad = compare(pid, phys, gp)
    return check(name + " up to runtime.asmcgocall (%d frames)" % len(gp), gi and not bad,
                 "; ".join(bad) or str(g))


def flip_build_id(name, path):
    """Replace the file at path by a copy whose GNU build id differs."""
    with open(path, "rb") as f:
        data = bytearray(f.read())
    note = struct.pack("<III", 4, 20, 3) + b"GNU\0"
    at = data.find(note)
    if not check(name + " has a GNU build id", at >= 0, path):
        return False
    for k in range(at + len(note), at + len(note) + 20):
        data[k] ^= 0xff
    with open(path + ".new", "wb") as f:
        f.write(data)
    os.replace(path + ".new", path)
    return True


def core_case(name, variant, exe, libc, pid, oracle, rep, tmp):
    """The live report rep against a core of the same process, and the
    core with its executable replaced by another build."""
    tid, ftid = oracle["tid"], oracle["foreign_tid"]
    base = os.path.join(tmp, "core")
    r = subprocess.run(["gcore", "-o", base, str(pid)], capture_output=True, text=True,
                       timeout=300)
    core = "%s.%d" % (base, pid)
    try:
        if not check(name + ": gcore", r.returncode == 0 and os.path.exists(core),
                     r.stderr[-500:]):
            return
        check_released(name + " (after gcore)", pid)
        rc, crep, err = attach("--core", core)
        if not check(name + ": attach --core", rc == 0 and crep is not None,
                     "rc=%d %s" % (rc, err[-300:])):
            return
        th = [t for t in crep.get("threads", []) if t["tid"] == tid]
        check(name + ": the goroutine of the thread in C",
              len(th) == 1 and th[0]["goid"] == oracle["goid"] and int(th[0]["g"], 16) != 0,
              str(th)[:300])
        for who, t in (("the thread in C", tid), ("the thread C created", ftid)):
            live, cored = frames_of(rep, t), frames_of(crep, t)
            check(name + ": %s: the live attach's frames" % who,
                  cored is not None and live == cored and len(cored) >= 5,
                  "core %s\nlive %s" % (cored, live))
        gt = gdb_threads([exe, core])
        cphys = physical(th[0]["frames"]) if th else []
        compare_gdb(name + ": the thread in C equal to gdb's backtrace of the core", pid,
                    cphys, gt.get(tid) or [], False)
        ft = [t for t in crep.get("threads", []) if t["tid"] == ftid]
        compare_gdb(name + ": the thread C created equal to gdb's backtrace of the core",
                    pid, physical(ft[0]["frames"]) if ft else [], gt.get(ftid) or [], True)
        # the executable at the path the core names is now another build;
        # the one given with --exe is read for its C frames instead
        if not flip_build_id(name + ": the executable", exe):
            return
        rc, xrep, err = attach("--core", core, "--exe", targets.cgotarget(variant))
        xf = frames_of(xrep, tid) if rc == 0 and xrep else None
        check(name + ": --exe, not the file at the core's path, for the executable's C frames",
              xf is not None and xf == frames_of(rep, tid),
              "rc=%d %s %s" % (rc, xf, err[-300:]))
        # libc at the path the core names is now another build: its tables
        # must not unwind this core's frames.  The same bytes but for the
        # build id, so that only the check can keep them apart: with this
        # file's tables the frames would come out right.
        if not flip_build_id(name + ": libc", libc):
            return
        rc, xrep, err = attach("--core", core, "--exe", targets.cgotarget(variant))
        xf = frames_of(xrep, tid) if rc == 0 and xrep else None
        names = [f for f, _ in xf or []]
        check(name + ": another build id at libc's path: its frames unknown, not unwound",
              xf is not None and names[:1] == ["?"] and "cg_f2" not in names and
              "cg_f1" not in names, "rc=%d %s %s" % (rc, names, err[-300:]))
    finally:
        if os.path.exists(core):
            os.unlink(core)


def test_variant(variant, with_gdb):
    name = "cframes %s" % variant
    tmp = tempfile.mkdtemp(prefix="cframes-")
    # a copy, whose path the core names, so that it can be replaced
    exe = os.path.join(tmp, "cgotarget")
    src = targets.cgotarget(variant)
    if not os.path.isfile(src):
        checks.skip(name, "%s: not built (tests/build-targets.sh)" % src)
        return
    shutil.copy2(src, exe)
    # and libc, found first through LD_LIBRARY_PATH, for the same reason
    libdir = os.path.join(tmp, "lib")
    os.mkdir(libdir)
    libc = os.path.join(libdir, "libc.so.6")
    shutil.copy2(os.path.realpath("/lib/x86_64-linux-gnu/libc.so.6"), libc)
    p, oracle = targets.start(exe, env=dict(os.environ, LD_LIBRARY_PATH=libdir))
    pid, tid = oracle["pid"], oracle["tid"]
    try:
        rc, rep, err = attach(pid)
        check_released(name, pid)
        if not check(name + ": attach", rc == 0 and rep is not None, "rc=%d %s" % (rc, err[-300:])):
            return
        m = rep["maps"][0]
        h = m.get("header") or {}
        check(name + ": the map read", h.get("used", h.get("count")) ==
              oracle["maps"]["main.cgoMap"]["len"], str(m)[:300])
        th = [t for t in rep.get("threads", []) if t["tid"] == tid]
        if not check(name + ": the thread in C is listed", len(th) == 1, str(tid)):
            return
        t = th[0]
        # the g slot of an externally linked binary (item 6)
        check(name + ": the goroutine of the thread in C, through the TLS slot",
              t["goid"] == oracle["goid"] and int(t["g"], 16) != 0,
              "goid %s g %s, want goid %d" % (t["goid"], t["g"], oracle["goid"]))
        frames = [f["func"] for f in t["frames"]]
        phys = physical(t["frames"])
        names = [n[-1] for n, _ in phys]
        i = names.index("runtime.asmcgocall") if "runtime.asmcgocall" in names else -1
        check(name + ": C frames, then runtime.asmcgocall", i == 4 and
              names[1:4] == ["cg_f2", "cg_f1", names[3]] and
              re.match(r"_cgo_[0-9a-f]+_Cfunc_cg_f1$", names[3]) is not None, str(frames))
        lib = mapped_file(pid, phys[0][1]) if phys else None
        check(name + ": frame 0 is read(2) in libc", lib is not None and "libc" in lib and
              bool(addresses(lib, names[0]) & addresses(lib, "read")), "%s in %s" % (names[:1], lib))
        gof = names[i + 1:] if i >= 0 else []
        check(name + ": then the goroutine's frames, from cgocall to goexit",
              gof[:2] == ["runtime.systemstack_switch", "runtime.cgocall"] and
              gof[-1:] == ["runtime.goexit"], str(gof))
        user = [f for f in gof if not f.startswith("runtime.")]
        check(name + ": the goroutine's functions are its own traceback's",
              user == oracle["go_frames"], "%s vs %s" % (user, oracle["go_frames"]))
        st = thread_state(pid, tid)
        check(name + ": the target still blocked in C", p.poll() is None and st == "S", st)
        ft = [t for t in rep.get("threads", []) if t["tid"] == oracle["foreign_tid"]]
        fphys = physical(ft[0]["frames"]) if ft else []
        fnames = [n[-1] for n, _ in fphys]
        check(name + ": the thread C created: its C frames, no g",
              ft and fnames[1:3] == ["cg_fg", "cg_fthread"] and int(ft[0]["g"], 16) == 0,
              str(ft)[:400])
        if not with_gdb:
            return
        gt = gdb_threads(pid)
        check_released(name + " (after gdb)", pid)
        g = gt.get(tid)
        if not check(name + ": gdb saw the thread", bool(g), str(tid)):
            return
        compare_gdb(name + ": equal to gdb's backtrace", pid, phys, g, False)
        compare_gdb(name + ": the thread C created equal to gdb's whole backtrace", pid, fphys,
                    gt.get(oracle["foreign_tid"]) or [], True)
        if shutil.which("gcore") is None:
            checks.skip(name + ": core", "gcore not installed (scripts/setup.sh)")
            return
        core_case(name + " core", variant, exe, libc, pid, oracle, rep, tmp)
    finally:
        targets.stop(p)
        shutil.rmtree(tmp, ignore_errors=True)


def main():
    only = sys.argv[1:]
    variants = [v for v in targets.CGO_VARIANTS if not only or v in only]
    with_gdb = shutil.which("gdb") is not None
    if not with_gdb:
        checks.skip("cframes: gdb", "gdb not installed (scripts/setup.sh)")
    for v in variants:
        test_variant(v, with_gdb)
    return checks.summary()


if __name__ == "__main__":
    sys.exit(main())
