"""Running mapdiag in the integration tests, and looking at the target it
left: the binary under test, its reports' values, the state of the target's
threads, and a few process helpers.  Standard library only.

    MAPDIAG=build/san/mapdiag          the binary to test (default ./mapdiag)
    MAPDIAG_WRAP="valgrind -q ..."     a wrapper for mapdiag(..., wrap=True)
"""

import os
import signal
import subprocess
import time

import checks

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
MAPDIAG = os.environ.get("MAPDIAG", os.path.join(ROOT, "mapdiag"))
WRAP = os.environ.get("MAPDIAG_WRAP", "").split()


def mapdiag(*args, wrap=True, timeout=60, env=None):
    """Run mapdiag ARGS (under MAPDIAG_WRAP unless wrap=False): (exit code,
    stdout, stderr)."""
    cmd = (WRAP if wrap else []) + [MAPDIAG] + [str(a) for a in args]
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, env=env)
    return p.returncode, p.stdout, p.stderr


def norm(v):
    """Pointers compare as integers whatever their spelling."""
    if isinstance(v, str) and v.startswith("0x"):
        return int(v, 16)
    return v


def norm_obj(v):
    """norm over a whole JSON value."""
    if isinstance(v, dict):
        return {k: norm_obj(x) for k, x in v.items()}
    if isinstance(v, list):
        return [norm_obj(x) for x in v]
    return norm(v)


def header_diffs(got, want, impl):
    """What differs between a map object of a report and the target's own
    view of that map (its READY oracle entry): addr, type, impl, every
    header field both ways, and each Swiss table's fields."""
    bad = []
    if norm(got.get("addr")) != norm(want["addr"]):
        bad.append("addr %s != %s" % (got.get("addr"), want["addr"]))
    if got.get("type") != want["type"]:
        bad.append("type %r != %r" % (got.get("type"), want["type"]))
    if got.get("impl") != impl:
        bad.append("impl %r != %r" % (got.get("impl"), impl))
    wh, gh = want["header"], got.get("header")
    if wh is None:
        if gh is not None or got.get("state") != "nil":
            bad.append("nil map reported as %r / %r" % (gh, got.get("state")))
        return bad
    wh = dict(wh)
    wtables = wh.pop("tables", None)
    if gh is None:
        return bad + ["header missing"]
    for k, v in wh.items():
        if k not in gh:
            bad.append("field %s missing" % k)
        elif norm(gh[k]) != norm(v):
            bad.append("%s %r != %r" % (k, gh[k], v))
    for k in gh:
        if k not in wh:
            bad.append("field %s not in the oracle" % k)
    if wtables is not None:
        gt = got.get("tables")
        if gt is None or len(gt) != len(wtables):
            bad.append("tables: %s != %d" % (None if gt is None else len(gt), len(wtables)))
        else:
            for i, (a, b) in enumerate(zip(gt, wtables)):
                for k, v in b.items():
                    if norm(a.get(k)) != norm(v):
                        bad.append("table %d %s %r != %r" % (i, k, a.get(k), v))
                        break
    return bad


def proc_state(pid):
    """(thread states, TracerPids) of process pid; two empty sets if it is
    gone.  Threads that end while they are read are left out."""
    states, tracers = set(), set()
    try:
        tids = os.listdir("/proc/%d/task" % pid)
    except OSError:
        return states, tracers
    for tid in tids:
        try:
            with open("/proc/%d/task/%s/stat" % (pid, tid)) as f:
                s = f.read()
            states.add(s[s.rindex(")") + 2])
            with open("/proc/%d/task/%s/status" % (pid, tid)) as f:
                for line in f:
                    if line.startswith("TracerPid:"):
                        tracers.add(int(line.split()[1]))
        except (OSError, ValueError):
            pass
    return states, tracers


def left_stopped(pid, grace=0.2):
    """'' if pid runs untraced (after up to grace seconds: the kernel
    detaches a dead tracer's tracees asynchronously), else what is wrong."""
    end = time.monotonic() + grace
    while True:
        states, tracers = proc_state(pid)
        if not states:
            return "process gone"
        bad = (states & {"t", "T"}) or (tracers - {0})
        if not bad:
            return ""
        if time.monotonic() >= end:
            return "thread states %s, TracerPid %s" % (sorted(states), sorted(tracers))
        time.sleep(0.005)


def check_released(name, pid, grace=0.2):
    """A check that mapdiag left process pid running and untraced."""
    why = left_stopped(pid, grace)
    return checks.check(name + ": target running and untraced", not why, why)


def wait_handlers(pid, timeout=2.0):
    """Wait until process pid catches SIGINT and SIGTERM (its handlers are
    installed): a signal sent earlier kills it by default before it has
    touched the target, which proves nothing."""
    want = (1 << (signal.SIGINT - 1)) | (1 << (signal.SIGTERM - 1))
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        try:
            with open("/proc/%d/status" % pid) as f:
                for line in f:
                    if line.startswith("SigCgt:") and int(line.split()[1], 16) & want == want:
                        return True
        except OSError:
            return False
        time.sleep(0.0002)
    return False


def run_in_pty(cmd, env=None, cols=None, rows=50):
    """Run cmd with stdout on a pseudo-terminal (cols x rows when cols is
    given); (exit code, output)."""
    import pty
    master, slave = pty.openpty()
    if cols:
        import fcntl
        import struct
        import termios
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))
    q = subprocess.Popen(cmd, stdout=slave, stderr=subprocess.DEVNULL, env=env)
    os.close(slave)
    data = b""
    while True:
        try:
            chunk = os.read(master, 65536)
        except OSError:
            break
        if not chunk:
            break
        data += chunk
    q.wait()
    os.close(master)
    return q.returncode, data.decode("utf-8", "replace")
