#!/usr/bin/env python3
"""The core reader on real cores (issue 18's groundwork): dwarf/md_core.c
indexes them, src/target/mem_core.c reads them.

  - gcore: every variant's maptarget, idle, is cored with gdb's gcore; every
    map variable's word and every map header read from the core equal the
    live process's bytes, and the core's threads are the process's
    (build/tests/test_core --compare, a C driver over the two memory
    sources).
  - the kernel: maptarget killed with SIGABRT under GOTRACEBACK=crash and
    RLIMIT_CORE unlimited; the core says signal 6 and each map variable
    holds the address the target reported. Skipped (said, never passed)
    when kernel.core_pattern pipes cores to a handler or no core appears.
"""

import json
import os
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import checks  # noqa: E402
import targets  # noqa: E402

DRIVER = os.path.join(targets.ROOT, "build", "tests", "test_core")
# Classic and Swiss, both impls of 1.24/1.25, and the build modes that move
# things: a PIE (bias), external linking (C libraries mapped).
MODES = ["go1.26-pie", "go1.23-extld"]


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


def drive(name, core, pid, args):
    r = subprocess.run([DRIVER, "--compare", core, pid] + args, capture_output=True,
                       text=True, timeout=120)
    last = (r.stdout.strip().splitlines() or [""])[-1]
    checks.check(name, r.returncode == 0 and " 0 failed" in last,
                 "%s %s" % (last, r.stderr.strip()[:1500]))


def gcore_one(variant, tmp):
    p, oracle = targets.start(targets.binary(variant))
    try:
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
        os.unlink(core)
    finally:
        targets.stop(p)


def core_pattern():
    try:
        with open("/proc/sys/kernel/core_pattern") as f:
            return f.read().strip()
    except OSError:
        return ""


def kernel_core(variant, tmp):
    pat = core_pattern()
    if pat.startswith("|"):
        checks.skip("kernel core %s" % variant, "core_pattern pipes to %s" % pat.split()[0])
        return
    if "/" in pat:
        checks.skip("kernel core %s" % variant, "core_pattern writes to %s" % pat)
        return

    def unlimited():
        resource.setrlimit(resource.RLIMIT_CORE, (resource.RLIM_INFINITY, resource.RLIM_INFINITY))

    env = dict(os.environ, GOTRACEBACK="crash")
    p = subprocess.Popen([targets.binary(variant)], stdout=subprocess.PIPE,
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
    cores = [f for f in os.listdir(tmp) if f == "core" or f.startswith("core.")]
    if not cores:
        checks.skip("kernel core %s" % variant, "no core appeared (core_pattern %r)" % pat)
        return
    core = os.path.join(tmp, cores[0])
    drive("kernel core %s: SIGABRT and map words" % variant, core, "-",
          ["sig=%d" % signal.SIGABRT] + specs(oracle, False))
    os.unlink(core)


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
    with tempfile.TemporaryDirectory(prefix="md-kcore-") as tmp:
        kernel_core("go1.26", tmp)
    return checks.summary()


if __name__ == "__main__":
    sys.exit(main())
