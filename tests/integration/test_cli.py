#!/usr/bin/env python3
"""Integration tests of mapdiag's command-line conventions (issue 16, item 7
and the contradictions it lists), against real Go processes:

  - one duration syntax (250us, 10ms, 1s, 2m; a bare number is seconds) for
    every option, with one-line errors (exit 3);
  - `mapdiag help CMD`, `mapdiag version`, did-you-mean for commands,
    options and short package names;
  - SIGPIPE ("| head") ends quietly with the status of what was printed;
  - NO_COLOR and TERM=dumb;
  - the exit code, the status word and stderr agree: watch on a target that
    exits, watch --prom to a path that cannot be written, scan --top
    hiding the map that could not be read.

    python3 tests/integration/test_cli.py [variant]

Prints one line per check and ends with 'N passed, N failed'.
"""
import json
import os
import signal
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import targets  # noqa: E402
import checks  # noqa: E402
from checks import check  # noqa: E402
from mdrun import MAPDIAG, mapdiag, run_in_pty, check_released  # noqa: E402

ESC = "\033["


def env_with(**kw):
    e = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "TERM")}
    e.update(kw)
    return e


def test_usage():
    """No target needed: help, version, did-you-mean, duration errors."""
    rc, out, err = mapdiag("help", "attach")
    rc2, out2, _ = mapdiag("attach", "--help")
    check("help attach is attach --help", rc == 0 and out == out2 and "--stop-timeout" in out,
          "rc=%d %r" % (rc, out[:100]))
    rc, out, err = mapdiag("help", "wacth")
    check("help wacth: exit 3, did you mean watch", rc == 3 and not out and
          "did you mean watch?" in err and err.count("\n") == 1, "rc=%d %r" % (rc, err))
    rc, out, err = mapdiag("help", "nosuch")
    check("help nosuch: exit 3, one line", rc == 3 and "unknown command 'nosuch'" in err and
          err.count("\n") == 1, "rc=%d %r" % (rc, err))
    rc, out, err = mapdiag("version")
    rc2, out2, _ = mapdiag("--version")
    check("version is --version", rc == 0 and out == out2 and out.startswith("mapdiag "), out)
    rc, out, err = mapdiag("atach", "1", "main.x")
    check("unknown command: did you mean attach", rc == 3 and "did you mean attach?" in err, err)
    for cmd, opt, want in [("attach", "--jsn", "--json"), ("scan", "--tpo", "--top"),
                           ("watch", "--intreval=5ms", "--interval")]:
        rc, out, err = mapdiag(cmd, opt, "1", "main.x")
        check("%s %s: did you mean %s, see %s --help" % (cmd, opt, want, cmd),
              rc == 3 and "did you mean %s?" % want in err and
              "mapdiag %s --help" % cmd in err and err.count("\n") == 1, err)
    rc, out, err = mapdiag("attach", "--no", "1", "main.x")
    check("attach --no: ambiguous, names the options", rc == 3 and "ambiguous" in err and
          "--no-stop" in err, err)
    rc, out, err = mapdiag("attach", "1", "main.x", "--type")
    check("attach --type without a value: says so", rc == 3 and "--type needs a value" in err,
          err)
    for args, want in [
            (["attach", "--stop-timeout", "1000", "1", "main.x"], "did you mean 1000ms?"),
            (["attach", "--stop-timeout", "2m", "1", "main.x"], "from 1ms to 1m"),
            (["scan", "--stop-timeout", "soon", "1"], "is not a duration"),
            (["watch", "--interval", "0", "1", "main.x"], "--interval"),
            (["watch", "--every", "1x", "1", "main.x"], "--every"),
            (["watch", "--duration", "inf", "1", "main.x"], "--duration"),
            (["watch", "--duration", "1e300h", "1", "main.x"], "--duration"),
            (["watch", "--stuck", "-1s", "1", "main.x"], "--stuck"),
            (["watch", "--parked", "0x10", "1", "main.x"], "--parked")]:
        rc, out, err = mapdiag(*args)
        check("duration error: %s" % " ".join(args[1:3]),
              rc == 3 and want in err and "a bare number is seconds" in err and
              err.count("\n") == 1, "rc=%d %r" % (rc, err))


def test_target(variant):
    p, oracle = targets.start(targets.binary(variant))
    pid = oracle["pid"]
    try:
        # durations: one syntax, accepted by every option
        rc, out, err = mapdiag("attach", "--stop-timeout", "1s", pid, "main.idle")
        check("attach --stop-timeout 1s", rc == 0 and "main.idle" in out, "rc=%d %s" % (rc, err))
        rc, out, err = mapdiag("attach", "--stop-timeout", "2", "--json", pid, "main.idle")
        check("attach --stop-timeout 2 (seconds)", rc == 0, "rc=%d %s" % (rc, err))
        rc, out, err = mapdiag("watch", "--json", "--interval", "0.005", "--every", "100ms",
                               "--duration", "250ms", "--stuck", "1m", "--parked", "2h",
                               pid, "main.idle")
        lines = [json.loads(x) for x in out.splitlines() if x.startswith("{")]
        check("watch: bare seconds and units", rc == 0 and lines and lines[-1]["final"],
              "rc=%d %s" % (rc, err))

        # a short package name
        rc, out, err = mapdiag("attach", pid, "store.Sessions")
        check("attach store.Sessions: did you mean the full path",
              rc == 3 and "did you mean example.com/acme/store.Sessions?" in err, err)
        rc, out, err = mapdiag("attach", pid, "cpu.X86.HasAVX2")
        check("attach cpu.X86.HasAVX2: the full path, the fields kept",
              rc == 3 and "did you mean internal/cpu.X86.HasAVX2?" in err, err)

        # colour: NO_COLOR, TERM=dumb, --color always wins
        for name, env, args, want in [
                ("xterm", env_with(TERM="xterm"), [], True),
                ("TERM=dumb", env_with(TERM="dumb"), [], False),
                ("NO_COLOR=1", env_with(TERM="xterm", NO_COLOR="1"), [], False),
                ("TERM=dumb --color always", env_with(TERM="dumb"), ["--color", "always"], True)]:
            rc, out = run_in_pty([MAPDIAG, "attach"] + args + [str(pid), "main.idle"], env)
            check("colour on a tty, %s: %s" % (name, "yes" if want else "none"),
                  rc == 0 and (ESC in out) == want and "main.idle" in out, repr(out[:120]))

        test_scan_top(pid)
        test_prom_path(pid)
        check_released("cli " + variant, pid)
    finally:
        targets.stop(p)
    test_watch_exit(variant)


def test_scan_top(pid):
    """main.badPtr cannot be read: scan is UNKNOWN, and says why even when
    --top hides its row; the summary counts it."""
    rc, out, err = mapdiag("scan", "--globals-only", "--top", "3", "--color", "never", pid)
    lines = out.strip().splitlines()
    check("scan --top 3: UNKNOWN, exit 3", rc == 3 and lines and
          lines[0].startswith("MAPDIAG UNKNOWN - ") and "main.badPtr" in lines[0], "rc=%d %r" % (rc, lines[:1]))
    bad = [x for x in err.splitlines() if "main.badPtr" in x]
    check("scan --top 3: stderr names main.badPtr, not listed",
          len(bad) == 1 and "unreadable target memory" in bad[0] and "not listed" in bad[0], err)
    check("scan --top 3: the summary counts it", "could not be read (main.badPtr" in out,
          out[-600:])
    rc, out, err = mapdiag("scan", "--json", "--globals-only", "--top", "3", pid)
    s = json.loads(out)["summary"] if out.startswith("{") else {}
    check("scan --json --top 3: failed agrees with exit_code",
          rc == 3 and s.get("exit_code") == 3 and s.get("failed", 0) >= 1 and
          "main.badPtr" in err, "rc=%d %s" % (rc, {k: s.get(k) for k in ("failed", "exit_code")}))
    rc, out, err = mapdiag("scan", "--globals-only", "--min-bytes", "1G", pid)
    check("scan --min-bytes 1G: stderr names main.badPtr",
          rc == 3 and "main.badPtr" in err and "could not be read" in out, err)


def test_prom_path(pid):
    """--prom to a path that cannot be written: exit 3, one line, before the
    first sample (on stdout, with --json, only the error object)."""
    t0 = time.monotonic()
    rc, out, err = mapdiag("watch", "--json", "--every", "100ms", "--duration", "2s",
                           "--prom", "/nonexistent/dir/m.prom", pid, "main.idle")
    obj = json.loads(out) if out.count("\n") == 1 else {}
    check("watch --prom /nonexistent/dir: exit 3 at once, one line",
          rc == 3 and obj.get("exit_code") == 3 and "maps" not in obj and
          "mapdiag: " + obj.get("error", {}).get("message", "") == err.rstrip("\n") and
          err.count("\n") == 1 and "/nonexistent/dir" in err and
          time.monotonic() - t0 < 1.5, "rc=%d out=%r err=%r" % (rc, out[:100], err))
    rc, out, err = mapdiag("scan", "--globals-only", "--prom", "/nonexistent/dir/m.prom", pid)
    check("scan --prom /nonexistent/dir: exit 3 before scanning, one line",
          rc == 3 and not out and err.count("\n") == 1, "rc=%d err=%r" % (rc, err))


def test_watch_exit(variant):
    """The target exits during the window: UNKNOWN as the status word and
    the exit code, and stderr says the target exited."""
    for tty in (False, True):
        p, oracle = targets.start(targets.binary(variant))
        args = [MAPDIAG, "watch", "--every", "100ms", "--duration", "5s",
                str(oracle["pid"]), "main.idle"]
        if tty:
            import threading
            # after mapdiag has opened the target and sampled a while
            threading.Timer(1.5, lambda: p.send_signal(signal.SIGKILL)).start()
            rc, out = run_in_pty(args, env_with(TERM="dumb"))
            targets.stop(p)
            last = out.strip().splitlines()[-1:] if out.strip() else []
            check("watch, target exits, on a tty: status word UNKNOWN, exit 3",
                  rc == 3 and last == ["UNKNOWN"] and "target exited" in out,
                  "rc=%d %r" % (rc, out[-300:]))
            continue
        q = subprocess.Popen(args + ["--json"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             text=True)
        q.stdout.readline()   # the first report: the window is open
        targets.stop(p)
        out, err = q.communicate(timeout=30)
        lines = [json.loads(x) for x in out.splitlines() if x.startswith("{")]
        check("watch, target exits: exit 3, stderr says so",
              q.returncode == 3 and "target exited" in err and "process %d" % oracle["pid"] in err
              and lines and lines[-1].get("exited"),
              "rc=%d err=%r" % (q.returncode, err))


def pipe_head(args, keep, read_bytes=None, timeout=60):
    """Run mapdiag ARGS with stdout into a pipe, read `keep` lines (or
    read_bytes bytes), close the pipe as head does: (exit code, stderr,
    seconds from the close to the exit)."""
    q = subprocess.Popen([MAPDIAG] + [str(a) for a in args], stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE)
    if read_bytes:
        q.stdout.read(read_bytes)
    else:
        for _ in range(keep):
            q.stdout.readline()
    q.stdout.close()
    t = time.monotonic()
    err = q.stderr.read().decode("utf-8", "replace")
    q.wait(timeout=timeout)
    return q.returncode, err, time.monotonic() - t


def test_sigpipe(variant):
    """| head: no "interrupted", the exit code of the report. scantarget
    -many 3000 prints more than a pipe holds, so the writes do fail."""
    p, oracle = targets.start(targets.scantarget(variant), args=["-many", "3000"])
    pid = oracle["pid"]
    try:
        rc_full, out, err_full = mapdiag("scan", "--globals-only", pid)
        check("scan output exceeds a pipe", len(out) > 200000, str(len(out)))
        for name, args, kw in [("scan | head -1", ["scan", "--globals-only", pid], {"keep": 1}),
                               ("scan --json | head -c 100",
                                ["scan", "--json", "--globals-only", pid],
                                {"keep": 0, "read_bytes": 100})]:
            rc, err, _ = pipe_head(args, **kw)
            check("%s: quiet, exit %d like the full report" % (name, rc_full),
                  rc == rc_full and "interrupted" not in err and "stdout" not in err,
                  "rc=%d (full %d) err=%r" % (rc, rc_full, err[-300:]))
        # main.ints: no finding, so the full report would exit 0 too
        # (main.oversizedS is oversized: a warning at every report).
        rc, err, secs = pipe_head(["watch", "--json", "--every", "100ms", pid,
                                   "main.ints"], keep=2)
        check("watch --json | head -2: ends quietly, exit 0, at the next report",
              rc == 0 and not err and secs < 2, "rc=%d err=%r %.1fs" % (rc, err, secs))
        check_released("sigpipe " + variant, pid)
    finally:
        targets.stop(p)


def main():
    variant = sys.argv[1] if len(sys.argv) > 1 else "go1.26"
    test_usage()
    test_target(variant)
    test_sigpipe(variant)
    return checks.summary()


if __name__ == "__main__":
    sys.exit(main())
