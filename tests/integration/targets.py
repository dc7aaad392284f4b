"""Go test targets of mapdiag: where they are, and how to start and stop them.

Built by tests/build-targets.sh into testdata/bin/<variant>[-<mode>]/maptarget.
A target sets its maps up, then prints one line on stdout,

    READY {"pid": N, "go_version": ..., "impl": "hmap"|"swiss",
           "maps": {"<expression>": {"addr", "var_addr", "type", "nil", "len",
                                     "header": {...} | null}, ...},
           "errors": {"main.nilHolder.m": "nil"}}

(the oracle: each header as the process itself reads it through unsafe) and
runs until killed. Standard library only.

    p, oracle = start(binary("go1.26"), ["-tick"])
    try: ...
    finally: stop(p)
"""

import json
import os
import select
import signal
import subprocess
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BIN = os.path.join(ROOT, "testdata", "bin")

# Go variants: testdata/bin/<variant>/maptarget.
# go1.19 is Debian 12's own toolchain; -splitgroup is GOEXPERIMENT=mapsplitgroup
# (Swiss groups laid out as 8 keys, then 8 values).
VARIANTS = [
    "go1.19",
    "go1.21", "go1.22", "go1.23",
    "go1.24", "go1.24-noswiss",
    "go1.25", "go1.25-noswiss",
    "go1.26", "go1.27", "go1.27-splitgroup",
]
# Build modes, each built on MODE_RELEASES: testdata/bin/<release>-<mode>/maptarget.
MODES = ["pie", "extld", "trimpath", "nocompress", "debugfile", "buildid", "nodwarf"]
MODE_RELEASES = ["go1.23", "go1.26"]  # one classic hmap release, one Swiss release
# Every target directory name: VARIANTS, then <release>-<mode>.
ALL_TARGETS = VARIANTS + ["%s-%s" % (r, m) for r in MODE_RELEASES for m in MODES]

# Build modes censustarget is also built in, on MODE_RELEASES.
CENSUS_MODES = ["pie", "extld"]
CENSUS_TARGETS = VARIANTS + ["%s-%s" % (r, m) for r in MODE_RELEASES for m in CENSUS_MODES]

# Releases the cgo target (testdata/cgotarget) is built for.
CGO_VARIANTS = ["go1.21", "go1.23", "go1.26", "go1.27"]

# Implementation of each variant's maps.
IMPL = {v: ("hmap" if v in ("go1.19", "go1.21", "go1.22", "go1.23") or v.endswith("-noswiss")
            else "swiss")
        for v in VARIANTS}


READY_PREFIX = "READY "


class TargetError(Exception):
    """A target could not be started or did not get READY."""


def binary(variant, mode=None):
    """Path of the maptarget built for variant (e.g. "go1.24-noswiss"), or for
    variant+mode ("go1.26", "pie"), or for a full directory name
    ("go1.26-pie")."""
    name = variant if mode is None else "%s-%s" % (variant, mode)
    if name not in ALL_TARGETS:
        raise ValueError("unknown target %r (known: %s)" % (name, " ".join(ALL_TARGETS)))
    return os.path.join(BIN, name, "maptarget")


def debug_file(variant):
    """The separate DWARF file of a -debugfile or -buildid target, else None."""
    d = os.path.dirname(binary(variant))
    if variant.endswith("-debugfile"):
        return os.path.join(d, "maptarget.debug")
    if variant.endswith("-buildid"):
        root = os.path.join(d, "debugroot", ".build-id")
        for sub in sorted(os.listdir(root)):
            for f in sorted(os.listdir(os.path.join(root, sub))):
                if f.endswith(".debug"):
                    return os.path.join(root, sub, f)
    return None


def debug_root(variant):
    """The build-id debug directory root of a -buildid target (the directory
    that holds .build-id/), else None."""
    if variant.endswith("-buildid"):
        return os.path.join(os.path.dirname(binary(variant)), "debugroot")
    return None


def writers(variant):
    """Path of the writers target (testdata/writers: threads kept inside map
    write paths; -mode hot|grow|stale) built for variant, one of VARIANTS:
    start(writers("go1.26"), ["-mode", "grow"])."""
    if variant not in VARIANTS:
        raise ValueError("unknown variant %r (known: %s)" % (variant, " ".join(VARIANTS)))
    return os.path.join(BIN, variant, "writers")


def watchtarget(variant):
    """Path of the watchtarget (testdata/watchtarget: a map kept in a known
    pattern of activity, with the target's own measurements printed as
    "STATS {json}" lines on stdout after READY; -mode burst|stuck|grow|work)
    built for variant, one of VARIANTS:
    p, o = start(watchtarget("go1.26"), ["-mode", "burst"]), then read
    p.stdout (e.g. p.stdout.readline()) for the STATS lines."""
    if variant not in VARIANTS:
        raise ValueError("unknown variant %r (known: %s)" % (variant, " ".join(VARIANTS)))
    return os.path.join(BIN, variant, "watchtarget")


def scantarget(variant):
    """Path of the scantarget (testdata/maps/cmd/scantarget: a few hundred
    maps reachable from globals in every way `mapdiag scan` looks for them;
    its oracle is what scan must list, with depths, aliases and the maps
    only found deeper: see the comment at the top of its main.go; -many N
    adds N small maps) built for variant, one of VARIANTS:
    p, o = start(scantarget("go1.26"), ["-many", "5000"])."""
    if variant not in VARIANTS:
        raise ValueError("unknown variant %r (known: %s)" % (variant, " ".join(VARIANTS)))
    return os.path.join(BIN, variant, "scantarget")


def crashtarget(variant):
    """testdata/bin/<variant>/crashtarget: dies of concurrent map writes."""
    if variant not in VARIANTS:
        raise ValueError("unknown variant %r" % variant)
    return os.path.join(BIN, variant, "crashtarget")


def censustarget(variant):
    """Path of the censustarget (testdata/maps/cmd/censustarget: maps
    reachable only from goroutine stacks, through interfaces, inside other
    maps, behind an unsafe.Pointer, and garbage; its oracle is what the
    census of `mapdiag scan` must list, with each stack root's goroutine,
    function and pc: see the comment at the top of its main.go; -idle
    leaves out the running goroutine) built for variant, one of
    CENSUS_TARGETS (VARIANTS, and go1.23/go1.26 with -pie and -extld):
    p, o = start(censustarget("go1.26-pie"), ["-idle"])."""
    if variant not in CENSUS_TARGETS:
        raise ValueError("unknown variant %r (known: %s)" % (variant, " ".join(CENSUS_TARGETS)))
    return os.path.join(BIN, variant, "censustarget")


def cgotarget(variant):
    """Path of the cgotarget (testdata/cgotarget: a goroutine blocked in C
    two calls deep, in read(2), with R14 zeroed and C thread-locals around
    the g slot; its oracle names that thread, its goroutine and the
    goroutine's non-runtime functions: see the comment at the top of its
    main.go) built for variant, one of CGO_VARIANTS."""
    if variant not in CGO_VARIANTS:
        raise ValueError("unknown variant %r (known: %s)" % (variant, " ".join(CGO_VARIANTS)))
    return os.path.join(BIN, variant, "cgotarget")


def read_stderr(p):
    """Everything the target has written to stderr so far (a file, so that a
    chatty target such as one with -tick never blocks on a full pipe)."""
    path = getattr(p, "stderr_path", None)
    if not path:
        return getattr(p, "stderr_text", "")
    try:
        with open(path, "r", errors="replace") as f:
            return f.read()
    except OSError:
        return ""


def ticks(p):
    """The last TICK number a -tick target printed, or 0."""
    last = 0
    for line in read_stderr(p).splitlines():
        if line.startswith("TICK "):
            try:
                last = int(line[5:])
            except ValueError:
                pass
    return last


def _fail(p, msg, stdout_seen):
    code = p.poll()
    stop(p)
    err = read_stderr(p).strip()
    if len(err) > 4000:
        err = "...\n" + err[-4000:]
    parts = [msg]
    if code is not None:
        parts.append("exit status %d" % code if code >= 0 else "killed by signal %d" % -code)
    if stdout_seen:
        parts.append("stdout: %r" % stdout_seen[-500:])
    parts.append("stderr:\n" + (err or "(empty)"))
    return TargetError("; ".join(parts[:-1]) + "\n" + parts[-1])


def start(path, args=[], timeout=30, env=None):
    """Start the target at path with args, stdout piped; read lines until the
    READY line and return (Popen, oracle dict). stderr goes to a temporary file
    (read_stderr(p), p.stderr_path). Raises TargetError, with the target's
    stderr, if it dies first, prints something unexpected, or is not READY
    within timeout seconds (it is killed then)."""
    if not os.path.isfile(path):
        raise TargetError("%s: no such target (run tests/build-targets.sh)" % path)
    errf = tempfile.NamedTemporaryFile(prefix="maptarget-", suffix=".stderr", delete=False)
    try:
        p = subprocess.Popen([path] + list(args), stdin=subprocess.DEVNULL,
                             stdout=subprocess.PIPE, stderr=errf, env=env,
                             close_fds=True)
    except OSError as e:
        errf.close()
        os.unlink(errf.name)
        raise TargetError("%s: cannot start: %s" % (path, e))
    errf.close()
    p.stderr_path = errf.name

    fd = p.stdout.fileno()
    buf = b""
    deadline = time.monotonic() + timeout
    while True:
        nl = buf.find(b"\n")
        if nl >= 0:
            line, buf = buf[:nl].decode("utf-8", "replace"), buf[nl + 1:]
            if line.startswith(READY_PREFIX):
                try:
                    oracle = json.loads(line[len(READY_PREFIX):])
                except ValueError as e:
                    raise _fail(p, "%s: bad READY json: %s" % (path, e), line)
                if not isinstance(oracle, dict) or oracle.get("pid") != p.pid:
                    raise _fail(p, "%s: READY json has pid %r, process is %d"
                                % (path, oracle.get("pid") if isinstance(oracle, dict) else None, p.pid), line)
                p.oracle = oracle
                return p, oracle
            continue  # any other line before READY is ignored
        left = deadline - time.monotonic()
        if left <= 0:
            raise _fail(p, "%s: not READY after %ss" % (path, timeout), buf.decode("utf-8", "replace"))
        r, _, _ = select.select([fd], [], [], min(left, 0.5))
        if not r:
            continue
        chunk = os.read(fd, 1 << 20)
        if not chunk:  # EOF: the target exited (or closed stdout)
            try:
                p.wait(timeout=5)
            except subprocess.TimeoutExpired:
                pass
            raise _fail(p, "%s: exited before READY" % path, buf.decode("utf-8", "replace"))
        buf += chunk


def stop(p):
    """Kill the target (SIGKILL; it might be ptrace-stopped) and reap it.
    Idempotent. Removes its stderr file unless MAPDIAG_KEEP_STDERR is set."""
    if p.poll() is None:
        try:
            p.send_signal(signal.SIGKILL)
        except ProcessLookupError:
            pass
    try:
        p.wait(timeout=10)
    except subprocess.TimeoutExpired:
        pass
    if p.stdout is not None:
        try:
            p.stdout.close()
        except OSError:
            pass
    path = getattr(p, "stderr_path", None)
    if path and not os.environ.get("MAPDIAG_KEEP_STDERR"):
        # Keep the text readable after stop(): cache it on the object.
        p.stderr_text = read_stderr(p)
        try:
            os.unlink(path)
        except OSError:
            pass
        p.stderr_path = None


if __name__ == "__main__":
    # Smoke test: python3 tests/integration/targets.py [target...]
    import sys
    names = sys.argv[1:] or ALL_TARGETS
    bad = 0
    for n in names:
        try:
            p, o = start(binary(n))
        except TargetError as e:
            print("%-20s FAIL %s" % (n, e))
            bad += 1
            continue
        try:
            print("%-20s %-22s %-5s %d maps" % (n, o["go_version"], o["impl"], len(o["maps"])))
        finally:
            stop(p)
    sys.exit(1 if bad else 0)
