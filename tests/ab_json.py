#!/usr/bin/env python3
"""A/B check of two mapdiag binaries: same output on the same live targets.

    python3 tests/ab_json.py OLD_BINARY NEW_BINARY [variant ...]
        [--bin DIR] [--only REGEX] [--raw] [--max-diff N] [--times] [--no-global]

e.g. python3 tests/ab_json.py /work/wt/mapdiag.old ./mapdiag go1.23 go1.26

For a refactoring that must not change behaviour: the JSON and the text
of attach, scan and watch, the stderr lines and the exit codes, for every
test target, are byte for byte those of the old binary, apart from the
run-to-run noise listed below.

For each variant (tests/integration/targets.py: VARIANTS and the build
modes of ALL_TARGETS; by default every one built under the bin directory)
each target program is started once, idle (-threads 0; no -tick, -churn):

  maptarget    every variant (-debugfile found through .gnu_debuglink,
               -buildid through --debug-dir, and both with --debug-file;
               -nodwarf gives the no-DWARF error)
  scantarget   release variants
  writers      release variants, -mode stale (the writing flag forced on,
               no writer: stale-writing-flag; -idle goroutines parked)
  watchtarget  release variants, -mode stuck (flag forced on, never written)
  corrupt      where built (go1.23, go1.26): corrupted map headers

and then every case below is run with BOTH binaries, one right after the
other (which binary goes first alternates from case to case), against the
same process, with the same arguments and environment; stdout, stderr, the
exit code (and the --prom file) are compared after normalisation.  A case
that differs prints a unified diff (capped at --max-diff lines; long JSON
lines are split at each key for the diff only).  The last line is
'N passed, N failed'.  Every target started is killed on the way out,
also on Ctrl-C, SIGTERM or an exception.

Cases (see the *_cases functions for the exact argument lists):
  attach  all the oracle's expressions (maps and errors) plus bad ones
          (unknown variable, not a map, no such field, index out of range,
          cannot index, bad syntax) in one call, --json and text
          (--color never), each with --no-threads, default (writer
          detection), --threads and --no-stop; each expression alone
          (--json default; text --no-threads on release variants); the
          threshold flags (--oversized-bytes 0, --oversized-load 1,
          --overflow-ratio 0.01, --high-load 0.1, all at once in text);
          --color always; a variable named twice;
          --no-stop --threads (refused); --debug-file; -buildid without
          --debug-dir (no DWARF)
  scan    --json and text: default (whole program), --var-prefix,
          --depth 0/3/8, --sort bytes/severity/count/load, --top, --min-bytes,
          --oversized-bytes 0; on the scantarget also --depth 16 on its ring;
          usage errors
  watch   --json --count N --interval 1ms (one final report: --every
          would make the number of reports depend on timing), and with
          --prom FILE (the file compared too), --parked 1ms; on maptarget
          (every expression, also bad ones), watchtarget (writer-stuck,
          hot-map), writers and corrupt
  errors  bad pid, pid 0, not a Go binary (sleep), usage errors of each
          command, --help and --version, nodwarf targets
  (writers: attach in each mode, JSON and text, with writer detection
  finding no writer; watch; scan.  scantarget: the oracle's paths and its
  deep maps through attach too.)

Normalisation: only what differed between two runs of the SAME binary
(old against old with --raw: all variants once, go1.23 and go1.26 twice
more, on this 2-core VM while `make check` ran); everything else is
compared byte for byte.  Counts are from the --raw run of all variants
(2,679 cases then; the per-variable text cases of the build-mode
variants were dropped later, for time):
  - "pause_us" (attach/scan JSON; not when 0.0, as with --no-stop) and
    "stopped N threads for X us" (text; N stays): the stop's duration,
    which differed in 1,227 JSON and 738 text outputs.
  - watch JSON: the leading "time" (unix seconds of the report) and
    "elapsed_s": the clock; differed in every watch output (122).
  - watch JSON "longest_writing_s" (99), "growing_idle_s" and
    "longest_parked_s" (34 each) when not 0: durations between first and
    last sample of a run, so they follow the sampling clock (the sample
    counts, duty, states and findings themselves never differed).
  - the writer-stuck message "stayed set for X s" (the same duration,
    printed %.3f: differed in 2 outputs); its threshold stays.
  - --prom: mapdiag_map_writing_longest_seconds (39),
    mapdiag_map_growing_idle_seconds_total and
    mapdiag_map_growth_parked_longest_seconds (11 each) when not 0: the
    same durations as metrics.
Never seen to differ, so not normalised: map, table, g and pc addresses
(same process, idle target), thread ids, thread counts, every thread's
frames (the targets' threads are parked: -threads 0), "reads"/"rounds"
(scan) and "reads" (watch), "not stopped: N pairs of reads" (--no-stop).
If a new binary is flagged on one of those on a busy machine, run
OLD OLD --raw to check whether the noise is the machine's.

--raw turns normalisation off: run OLD OLD --raw to see what is
nondeterministic on this machine.  Python 3 standard library only.
"""

import argparse
import difflib
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, os.path.join(HERE, "integration"))
import targets  # noqa: E402

# Expressions no oracle lists: each a different error (test_attach.test_errors).
BAD_EXPRS = [
    "main.idel",            # unknown variable, with a suggestion
    "main.nosuchvariable",  # unknown variable, no suggestion
    "main.holder",          # not a map
    "main.holder.nope",     # no such field
    "main.arr[9]",          # index out of range (array)
    "main.shards[7].m",     # index out of range (slice)
    "main.idle[1]",         # cannot index a map
    "main..x",              # bad expression: empty name
    "cache",                # bad expression: no package
]
SCAN_PREFIXES = ["--var-prefix", "main.", "--var-prefix", "example.com/acme/"]
BAD_PID = "4194303"

# ---------------------------------------------------------------------------
# normalisation

# (regex, replacement): applied in order to every transcript.  Each is a
# field seen to differ between two runs of the same binary (old vs old,
# every variant, --raw); nothing else is touched.  Zeros are left alone
# where the value is exactly 0 by construction (pause_us of --no-stop, the
# durations of a map never seen writing or parked), so a change there
# still shows.
_M = re.M
NORMALISERS = [
    # attach/scan --json: how long the target was stopped
    (re.compile(r'"pause_us":(?!0\.0[,}])\d+(?:\.\d+)?'), '"pause_us":<us>'),
    # attach/scan text: "stopped 5 threads for 246 us" (the thread count stays)
    (re.compile(r'(stopped \d+ threads for )\d+ us'), r'\1<us> us'),
    # scan: how long the census walked the running target (JSON, text)
    (re.compile(r'"walk_ms":[0-9.]+'), '"walk_ms":<ms>'),
    (re.compile(r'(walked (?:while it ran|inside the stop) in )[0-9.]+ ms'), r'\1<ms> ms'),
    # watch JSON lines: wall-clock time of the report, and the window so far
    (re.compile(r'^\{"time":\d+\.\d+,', _M), '{"time":<unix>,'),
    (re.compile(r'"elapsed_s":[0-9.e+-]+'), '"elapsed_s":<s>'),
    # watch: durations measured between samples (the clock, not the count)
    (re.compile(r'"(longest_writing_s|growing_idle_s|longest_parked_s)":(?!0[,}])[0-9.e+-]+'),
     r'"\1":<s>'),
    (re.compile(r'(the writing flag stayed set for )\d+\.\d+ s'), r'\1<s> s'),
    # watch --prom: the same durations as metrics
    (re.compile(r'^(mapdiag_map_(?:writing_longest_seconds|growing_idle_seconds_total|'
                r'growth_parked_longest_seconds)\{[^\n]*\}) (?!0$)[0-9.e+-]+$', _M), r'\1 <s>'),
]


def normalise(text):
    for rx, rep in NORMALISERS:
        text = rx.sub(rep, text)
    return text


# ---------------------------------------------------------------------------
# running


class Runner:
    def __init__(self, old, new, raw, max_diff, only, times=False):
        self.times = times
        self.bins = [("old", old), ("new", new)]
        self.raw = raw
        self.max_diff = max_diff
        self.only = re.compile(only) if only else None
        self.passed = 0
        self.failed = 0
        self.flip = False
        self.tmp = tempfile.mkdtemp(prefix="ab_json-")
        env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "MAPDIAG_CACHE_DIR")}
        # each binary its own DWARF cache, kept for the whole run
        self.env = {}
        for tag, _ in self.bins:
            d = os.path.join(self.tmp, "cache-" + tag)
            os.makedirs(d)
            self.env[tag] = dict(env, MAPDIAG_CACHE_DIR=d)

    def cleanup(self):
        shutil.rmtree(self.tmp, ignore_errors=True)

    def run_one(self, tag, binary, args, prom):
        """One run: a transcript of exit code, stdout, stderr (and prom)."""
        if prom:
            try:
                os.unlink(prom)
            except FileNotFoundError:
                pass
        try:
            p = subprocess.run([binary] + args, stdin=subprocess.DEVNULL, capture_output=True,
                               timeout=120, env=self.env[tag])
            head = "exit %d" % p.returncode
            out, err = p.stdout, p.stderr
        except subprocess.TimeoutExpired as e:
            head = "TIMEOUT after 120 s"
            out, err = e.stdout or b"", e.stderr or b""
        parts = ["$ mapdiag " + " ".join(args), head,
                 "--- stdout", out.decode("utf-8", "backslashreplace"),
                 "--- stderr", err.decode("utf-8", "backslashreplace")]
        if prom:
            try:
                with open(prom, "rb") as f:
                    parts += ["--- prom", f.read().decode("utf-8", "backslashreplace")]
            except FileNotFoundError:
                parts += ["--- prom (no file)"]
        return "\n".join(parts)

    def case(self, name, args, prom=False, alive=None):
        """Run args with both binaries, interleaved; compare."""
        if self.only and not self.only.search(name):
            return
        if alive is not None and alive.poll() is not None:
            self.fail(name, "target exited (status %s) before the case" % alive.returncode)
            return
        args = [str(a) for a in args]
        prom_path = os.path.join(self.tmp, "watch.prom") if prom else None
        if prom:
            args = args[:1] + ["--prom", prom_path] + args[1:]
        order = self.bins[::-1] if self.flip else self.bins
        self.flip = not self.flip
        got = {}
        t0 = time.monotonic()
        for tag, b in order:
            got[tag] = self.run_one(tag, b, args, prom_path)
        if self.times:
            print("TIME %.3f %s" % (time.monotonic() - t0, name), flush=True)
        a, b = got["old"], got["new"]
        if not self.raw:
            a, b = normalise(a), normalise(b)
        if alive is not None and alive.poll() is not None:
            self.fail(name, "target exited (status %s) during the case" % alive.returncode)
            return
        if a == b:
            self.passed += 1
            return
        self.fail(name, self.diff(a, b))

    def fail(self, name, why):
        self.failed += 1
        print("FAIL %s" % name, flush=True)
        print(why, flush=True)

    def diff(self, a, b):
        def lines(t):
            # for display only: one JSON key per line
            out = []
            for l in t.split("\n"):
                if len(l) > 160 and l.startswith(("{", "[")):
                    out += re.sub(r',(?=["{\[])', ",\n", l).split("\n")
                else:
                    out.append(l)
            return out
        d = list(difflib.unified_diff(lines(a), lines(b), "old", "new", lineterm="", n=2))
        if len(d) > self.max_diff:
            d = d[:self.max_diff] + ["... (%d more diff lines)" % (len(d) - self.max_diff)]
        return "\n".join("    " + l for l in d)


# ---------------------------------------------------------------------------
# targets: started once each, killed whatever happens

STARTED = []


def start(path, args):
    p, oracle = targets.start(path, args)
    STARTED.append(p)
    return p, oracle


def stop(p):
    targets.stop(p)
    if p in STARTED:
        STARTED.remove(p)


def our_children():
    """Pids of this process's children (a target interrupted while
    targets.start waited for its READY line is not in STARTED yet)."""
    me = os.getpid()
    kids = []
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            with open("/proc/%s/stat" % d) as f:
                st = f.read()
        except OSError:
            continue
        if int(st[st.rindex(")") + 2:].split()[1]) == me:
            kids.append(int(d))
    return kids


def stop_all():
    for p in list(STARTED):
        try:
            stop(p)
        except Exception:
            pass
    for pid in our_children():
        try:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
        except OSError:
            pass


# ---------------------------------------------------------------------------
# the cases

ATTACH_MODES = [["--no-threads"], [], ["--threads"], ["--no-stop"]]
THRESHOLDS = [["--oversized-bytes", "0"], ["--oversized-load", "1", "--oversized-bytes", "0"],
              ["--overflow-ratio", "0.01"], ["--high-load", "0.1"]]
ALL_THRESHOLDS = ["--oversized-load", "0.5", "--oversized-bytes", "1K",
                  "--overflow-ratio", "0.01", "--high-load", "0.1"]


def global_cases(r):
    """Cases that need no Go target."""
    usage = [[], ["attach"], ["attach", "12x", "main.a"], ["attach", "--bogus", BAD_PID, "main.a"],
             ["frobnicate"], ["attach", "--stop-timeout", "0", BAD_PID, "main.a"], ["attach", BAD_PID],
             ["--help"], ["-h"], ["--version"], ["-V"], ["attach", "--help"], ["scan", "--help"],
             ["watch", "--help"], ["attach", "0", "main.a"], ["attach", "-5", "main.a"],
             ["attach", "--color", "sometimes", BAD_PID, "main.a"],
             ["attach", "--oversized-bytes", "lots", BAD_PID, "main.a"],
             ["attach", "--oversized-load", "x", BAD_PID, "main.a"],
             ["scan"], ["scan", "12x"], ["scan", "--depth", "-1", BAD_PID], ["scan", "--depth", "x", BAD_PID],
             ["scan", "--depth", "17", BAD_PID], ["scan", "--top", "0", BAD_PID], ["scan", "--top", "-3", BAD_PID],
             ["scan", "--sort", "bogus", BAD_PID], ["scan", "--min-bytes", "lots", BAD_PID],
             ["scan", "--bogus", BAD_PID],
             ["watch"], ["watch", BAD_PID], ["watch", "--interval", "0", BAD_PID, "main.a"],
             ["watch", "--duration", "soon", BAD_PID, "main.a"], ["watch", "--hot", "2", BAD_PID, "main.a"],
             ["watch", "--count", "0", BAD_PID, "main.a"], ["watch", "--every", "x", BAD_PID, "main.a"]]
    for a in usage:
        r.case("usage: %s" % (" ".join(a) or "(no arguments)"), a)
    for a in (["attach", BAD_PID, "main.x"], ["attach", "--json", BAD_PID, "main.x"],
              ["scan", BAD_PID], ["scan", "--json", BAD_PID],
              ["watch", "--json", "--count", "2", BAD_PID, "main.x"]):
        r.case("bad pid: %s" % " ".join(a), a)
    sl = subprocess.Popen(["sleep", "600"])
    STARTED.append(sl)
    try:
        time.sleep(0.05)
        for a in (["attach", sl.pid, "main.x"], ["attach", "--json", sl.pid, "main.x"],
                  ["scan", sl.pid], ["scan", "--json", sl.pid],
                  ["watch", "--json", "--count", "2", sl.pid, "main.x"]):
            r.case("not a Go binary: %s" % " ".join(str(x) for x in a if x != sl.pid), a, alive=sl)
    finally:
        sl.kill()
        sl.wait()
        STARTED.remove(sl)


def debug_args(variant):
    if targets.debug_root(variant):
        return ["--debug-dir", targets.debug_root(variant)]
    return []


def maptarget_cases(r, variant):
    p, o = start(targets.binary(variant), ["-threads", "0"])
    try:
        pid = o["pid"]
        n = "%s maptarget: " % variant
        exprs = sorted(o["maps"]) + sorted(o.get("errors", {}))
        every = exprs + BAD_EXPRS
        dbg = debug_args(variant)

        def c(name, args, **kw):
            r.case(n + name, args, alive=p, **kw)

        if variant.endswith("-nodwarf"):
            for a in (["attach", "--json"], ["attach", "--color", "never"],
                      ["attach", "--json", "--no-stop"]):
                c(" ".join(a) + " (no DWARF)", a + [pid] + every)
                c(" ".join(a) + " main.idle (no DWARF)", a + [pid, "main.idle"])
            for a in (["scan", "--json"], ["scan", "--color", "never"]):
                c(" ".join(a) + " (no DWARF)", a + [pid])
            c("watch (no DWARF)", ["watch", "--json", "--count", "2", "--interval", "1ms", pid, "main.idle"])
            return

        # attach: everything in one call, each mode, JSON and text
        for mode in ATTACH_MODES:
            c("attach --json %s (all)" % (" ".join(mode) or "default"), ["attach", "--json"] + mode + dbg + [pid] + every)
            c("attach text %s (all)" % (" ".join(mode) or "default"),
              ["attach", "--color", "never"] + mode + dbg + [pid] + every)
        # each expression alone (text: on the release variants only, where
        # a build mode changes nothing the per-variable text shows)
        for e in every:
            c("attach --json %s" % e, ["attach", "--json"] + dbg + [pid, e])
            if variant in targets.VARIANTS:
                c("attach text --no-threads %s" % e,
                  ["attach", "--color", "never", "--no-threads"] + dbg + [pid, e])
        # thresholds
        for t in THRESHOLDS:
            c("attach --json %s (all)" % " ".join(t),
              ["attach", "--json", "--no-threads"] + t + dbg + [pid] + exprs)
        c("attach text, all thresholds (all)",
          ["attach", "--color", "never", "--no-threads"] + ALL_THRESHOLDS + dbg + [pid] + exprs)
        c("attach --color always", ["attach", "--color", "always"] + dbg + [pid] + exprs)
        c("attach --no-stop --threads (refused)", ["attach", "--no-stop", "--threads"] + dbg + [pid, "main.idle"])
        c("attach duplicate variable", ["attach", "--json", "--no-threads"] + dbg + [pid, "main.idle", "main.idle"])
        df = targets.debug_file(variant)
        if df:
            c("attach --json --debug-file (all)",
              ["attach", "--json", "--debug-file", df, pid] + every)
            c("scan --json --debug-file", ["scan", "--json", "--debug-file", df, pid] + SCAN_PREFIXES)
        if variant.endswith("-buildid"):
            c("attach without --debug-dir (no DWARF)", ["attach", pid, "main.idle"])
            c("attach --json without --debug-dir (no DWARF)", ["attach", "--json", pid, "main.idle"])

        # scan
        for a in ([], ["--var-prefix", "main."], SCAN_PREFIXES, ["--depth", "0"], ["--depth", "8"],
                  ["--sort", "severity"], ["--sort", "count"], ["--sort", "load"],
                  ["--top", "3"], ["--min-bytes", "1M"], ["--oversized-bytes", "0"]):
            c("scan --json %s" % (" ".join(a) or "default"), ["scan", "--json"] + dbg + [pid] + a)
        for a in ([], ["--var-prefix", "main.", "--top", "5"]):
            c("scan text %s" % (" ".join(a) or "default"), ["scan", "--color", "never"] + dbg + [pid] + a)
        c("scan two pids", ["scan", pid, pid])

        # watch
        c("watch --json (all)", ["watch", "--json", "--count", "5", "--interval", "1ms"] + dbg + [pid] + every)
        c("watch --json --prom", ["watch", "--json", "--count", "5", "--interval", "1ms"] + dbg +
          [pid] + exprs, prom=True)
        c("watch --json --parked 1ms (all)", ["watch", "--json", "--count", "5", "--interval", "1ms",
                                               "--parked", "1ms"] + dbg + [pid] + exprs)
        c("watch --json main.idle", ["watch", "--json", "--count", "3", "--interval", "1ms"] + dbg + [pid, "main.idle"])
    finally:
        stop(p)


def scantarget_cases(r, variant):
    p, o = start(targets.scantarget(variant), ["-threads", "0"])
    try:
        pid = o["pid"]
        n = "%s scantarget: " % variant

        def c(name, args, **kw):
            r.case(n + name, args, alive=p, **kw)

        sets = [[], SCAN_PREFIXES, ["--var-prefix", "main."], ["--var-prefix", "example.com/acme/inventory."],
                SCAN_PREFIXES + ["--depth", "0"], SCAN_PREFIXES + ["--depth", "3"],
                SCAN_PREFIXES + ["--depth", "8"],
                ["--var-prefix", "main.ring", "--depth", "16"]]
        sets += [SCAN_PREFIXES + ["--sort", k] for k in ("bytes", "severity", "count", "load")]
        sets += [SCAN_PREFIXES + ["--top", "5"], SCAN_PREFIXES + ["--top", "1", "--sort", "count"],
                 SCAN_PREFIXES + ["--min-bytes", "1M"], SCAN_PREFIXES + ["--min-bytes", "1G"],
                 SCAN_PREFIXES + ["--min-bytes", "100K", "--sort", "load"],
                 SCAN_PREFIXES + ["--oversized-bytes", "0", "--oversized-load", "0.5"]]
        for a in sets:
            c("scan --json %s" % (" ".join(a) or "default"), ["scan", "--json", pid] + a)
        for a in ([], SCAN_PREFIXES, SCAN_PREFIXES + ["--depth", "8", "--sort", "severity"],
                  SCAN_PREFIXES + ["--top", "5"], SCAN_PREFIXES + ["--min-bytes", "1G"]):
            c("scan text %s" % (" ".join(a) or "default"), ["scan", "--color", "never", pid] + a)
        c("attach --json --no-threads (every oracle path)",
          ["attach", "--json", "--no-threads", pid] + sorted(o["maps"]))
        c("attach --json (deep maps)", ["attach", "--json", pid] + sorted(o["deep"]))
    finally:
        stop(p)


def writers_cases(r, variant):
    p, o = start(targets.writers(variant), ["-mode", "stale"])
    try:
        pid = o["pid"]
        n = "%s writers -mode stale: " % variant
        exprs = sorted(o["maps"])

        def c(name, args, **kw):
            r.case(n + name, args, alive=p, **kw)

        for mode in ATTACH_MODES:
            c("attach --json %s" % (" ".join(mode) or "default"), ["attach", "--json"] + mode + [pid] + exprs)
            c("attach text %s" % (" ".join(mode) or "default"), ["attach", "--color", "never"] + mode + [pid] + exprs)
        c("watch --json --prom", ["watch", "--json", "--count", "5", "--interval", "1ms", "--stuck", "1ms",
                                  pid] + exprs, prom=True)
        c("scan --json", ["scan", "--json", pid, "--var-prefix", "main."])
    finally:
        stop(p)


def watchtarget_cases(r, variant):
    p, o = start(targets.watchtarget(variant), ["-mode", "stuck"])
    try:
        pid = o["pid"]
        n = "%s watchtarget -mode stuck: " % variant
        allm = ["main.stuck", "main.bursty", "main.growth", "main.workmap", "main.nope"]

        def c(name, args, **kw):
            r.case(n + name, args, alive=p, **kw)

        c("watch --json", ["watch", "--json", "--count", "10", "--interval", "1ms", "--stuck", "2ms",
                           pid] + allm)
        c("watch --json --prom", ["watch", "--json", "--count", "10", "--interval", "1ms", "--stuck", "2ms",
                                  "--hot", "0.9", pid] + allm, prom=True)
        c("watch --json (not stuck yet)", ["watch", "--json", "--count", "3", "--interval", "1ms",
                                           pid, "main.stuck"])
        c("attach --json", ["attach", "--json", pid] + allm)
        c("attach text", ["attach", "--color", "never", pid] + allm)
    finally:
        stop(p)


def corrupt_cases(r, variant):
    p, o = start(os.path.join(targets.BIN, variant, "corrupt"), ["-threads", "0"])
    try:
        pid = o["pid"]
        n = "%s corrupt: " % variant
        allv = sorted(set(o["corrupt"]) | set(o["healthy"]))
        # main.maxDir (Swiss): a 2^20-entry directory, ~380 MB of buffers
        # and 6 s a run: once, alone
        slow = [v for v in allv if v == "main.maxDir"]
        allv = [v for v in allv if v not in slow]

        def c(name, args, **kw):
            r.case(n + name, args, alive=p, **kw)

        for v in allv:
            c("attach --json %s" % v, ["attach", "--json", pid, v])
            c("attach text %s" % v, ["attach", "--color", "never", pid, v])
        for v in slow:
            c("attach --json %s" % v, ["attach", "--json", pid, v])
        c("attach --json --no-stop (all)", ["attach", "--json", "--no-stop", pid] + allv)
        c("scan --json", ["scan", "--json", pid, "--var-prefix", "main."])
        c("scan text", ["scan", "--color", "never", pid, "--var-prefix", "main."])
        c("watch --json (all)", ["watch", "--json", "--count", "3", "--interval", "1ms", pid] + allv)
    finally:
        stop(p)


# ---------------------------------------------------------------------------


def default_bin():
    """<this tree>/testdata/bin if built, else the main worktree's (the
    repository's first worktree, where `make check` builds the targets)."""
    own = os.path.join(ROOT, "testdata", "bin")
    if os.path.isdir(own) and any(os.path.isdir(os.path.join(own, v)) for v in targets.VARIANTS):
        return own
    try:
        common = subprocess.run(["git", "-C", ROOT, "rev-parse", "--path-format=absolute",
                                 "--git-common-dir"], capture_output=True, text=True,
                                check=True).stdout.strip()
        main = os.path.join(os.path.dirname(common), "testdata", "bin")
        if os.path.isdir(main):
            return main
    except (OSError, subprocess.CalledProcessError):
        pass
    return own


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("old")
    ap.add_argument("new")
    ap.add_argument("variants", nargs="*", help="target variants (default: every one built)")
    ap.add_argument("--bin", default=os.environ.get("MAPDIAG_TESTBIN") or default_bin(),
                    help="built test targets (default $MAPDIAG_TESTBIN, else this tree's "
                         "testdata/bin, else the main worktree's: %(default)s)")
    ap.add_argument("--only", help="run only the cases whose name matches this regex")
    ap.add_argument("--raw", action="store_true", help="no normalisation (to see run-to-run noise)")
    ap.add_argument("--max-diff", type=int, default=40, help="diff lines shown per mismatch")
    ap.add_argument("--times", action="store_true", help="print each case's wall time")
    ap.add_argument("--no-global", action="store_true", help="skip the cases that need no target")
    a = ap.parse_args()

    for b in (a.old, a.new):
        if not (os.path.isfile(b) and os.access(b, os.X_OK)):
            ap.error("%s: not an executable" % b)
    targets.BIN = os.path.abspath(a.bin)
    bad = [v for v in a.variants if v not in targets.ALL_TARGETS]
    if bad:
        ap.error("unknown variant(s) %s (known: %s)" % (" ".join(bad), " ".join(targets.ALL_TARGETS)))
    variants = a.variants or [v for v in targets.ALL_TARGETS
                              if os.path.isfile(targets.binary(v))]
    if not variants:
        ap.error("no target built under %s" % targets.BIN)

    def on_signal(sig, _frame):
        raise KeyboardInterrupt("signal %d" % sig)
    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGHUP, on_signal)

    r = Runner(os.path.abspath(a.old), os.path.abspath(a.new), a.raw, a.max_diff, a.only, a.times)
    # the targets' stderr files (targets.start) go there too, so that one
    # interrupted before its READY line leaves nothing behind
    tempfile.tempdir = r.tmp
    t0 = time.monotonic()
    try:
        if not a.no_global:
            global_cases(r)
        for v in variants:
            t1 = time.monotonic()
            groups = [(maptarget_cases, targets.binary(v))]
            if v in targets.VARIANTS:
                groups += [(scantarget_cases, targets.scantarget(v)), (writers_cases, targets.writers(v)),
                           (watchtarget_cases, targets.watchtarget(v))]
            cp = os.path.join(targets.BIN, v, "corrupt")
            if os.path.isfile(cp):   # built for go1.23 and go1.26 only
                groups.append((corrupt_cases, cp))
            for fn, path in groups:
                if not os.path.isfile(path):
                    r.fail("%s %s" % (v, os.path.basename(path)), "target not built: %s" % path)
                    continue
                try:
                    fn(r, v)
                except targets.TargetError as e:
                    r.fail("%s %s" % (v, os.path.basename(path)), "cannot start: %s" % e)
            print("# %s: %.1f s" % (v, time.monotonic() - t1), flush=True)
    except KeyboardInterrupt:
        stop_all()
        print("interrupted: counted as one failure", file=sys.stderr)
        print("%d passed, %d failed" % (r.passed, r.failed + 1))
        return 130
    finally:
        stop_all()
        r.cleanup()
    print("# total %.1f s" % (time.monotonic() - t0))
    print("%d passed, %d failed" % (r.passed, r.failed))
    return 1 if r.failed else 0


if __name__ == "__main__":
    sys.exit(main())
