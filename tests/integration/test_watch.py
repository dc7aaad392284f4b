#!/usr/bin/env python3
"""Integration tests of mapdiag watch: sampling without stopping the target.

Ground truth comes from the targets themselves (testdata/writers,
testdata/watchtarget): the writing flag they force, the duty cycle and the
growth events they measure from inside.  Ends with 'N passed, N failed'.
"""
import json
import os
import signal
import subprocess
import sys
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, HERE)
import targets  # noqa: E402
import checks  # noqa: E402
import mdrun  # noqa: E402
from checks import ok, check  # noqa: E402

MAPDIAG = mdrun.MAPDIAG


def watch(*args, timeout=120):
    p = subprocess.run([MAPDIAG, "watch"] + [str(a) for a in args], capture_output=True,
                       text=True, timeout=timeout)
    lines = [json.loads(l) for l in p.stdout.splitlines() if l.startswith("{")]
    return p.returncode, lines, p.stderr


def test_stuck(variant):
    """A writing flag forced on for good: writer-stuck (critical) once the
    flag has been seen set for longer than --stuck, and not before."""
    p, oracle = targets.start(targets.writers(variant), args=["-mode", "stale"])
    try:
        rc, lines, err = watch("--interval", "5ms", "--every", "250ms", "--duration", "1.6s",
                               "--stuck", "1s", oracle["pid"], "main.stale")
        final = lines[-1] if lines else {}
        m = final.get("maps", [{}])[0]
        codes = [f["code"] for f in m.get("findings", [])]
        check("watch stuck %s: writer-stuck, exit CRITICAL" % variant,
              rc == 2 and final.get("final") and "writer-stuck" in codes and m["duty"] == 1,
              "rc=%d %s %s" % (rc, codes, err[-200:]))
        early = [l for l in lines if l["elapsed_s"] < 0.9]
        check("watch stuck %s: not reported before the bound" % variant,
              early and all("writer-stuck" not in [f["code"] for f in l["maps"][0]["findings"]]
                            for l in early), str([l["elapsed_s"] for l in lines]))
        check("watch stuck %s: longest writing run spans the window" % variant,
              m.get("longest_writing_s", 0) >= 1.4, str(m.get("longest_writing_s")))
    finally:
        targets.stop(p)


def test_no_ptrace(variant):
    """watch never stops the target: no ptrace call at all."""
    p, oracle = targets.start(targets.writers(variant), args=["-mode", "hot"])
    try:
        cmd = ["strace", "-f", "-qq", "-e", "trace=ptrace", "-o", "/dev/stderr", MAPDIAG,
               "watch", "--json", "--interval", "2ms", "--count", "100", str(oracle["pid"]),
               "main.hotInt", "main.hotStr"]
        r = subprocess.run(cmd, capture_output=True, text=True, timeout=60)
        lines = [json.loads(l) for l in r.stdout.splitlines() if l.startswith("{")]
        check("watch %s: no ptrace" % variant,
              r.returncode in (0, 1) and "ptrace(" not in r.stderr and lines and
              lines[-1]["final"], "rc=%d %s" % (r.returncode, r.stderr[:300]))
        m = {x["var"]: x for x in lines[-1]["maps"]}
        check("watch %s: samples and torn add up" % variant,
              all(x["samples"] + x["torn"] == 100 for x in m.values()),
              str({k: (v["samples"], v["torn"]) for k, v in m.items()}))
        check("watch %s: a map written nonstop shows a high duty cycle" % variant,
              m["main.hotInt"]["duty"] > 0.3 and m["main.hotInt"]["count"] == 1024,
              str(m["main.hotInt"]))
        mdrun.check_released("watch " + variant, oracle["pid"])
    finally:
        targets.stop(p)


import promcheck  # noqa: E402


def prom_problems(text):
    """Format errors and warnings, and naming-convention errors."""
    return promcheck.check(text) + promcheck.conventions(text)


def prom_samples(text, name=None):
    """[(name, {label: value}, value)] of the file's samples (of family name
    only, if given), labels unescaped."""
    out = []
    for line in text.splitlines():
        if not line or line.startswith("#"):
            continue
        n, labels, val, _, err = promcheck._parse_sample(line)
        if err is None and (name is None or n == name):
            out.append((n, dict(labels), float(val)))
    return out


def mapdiag_version():
    r = subprocess.run([MAPDIAG, "--version"], capture_output=True, text=True)
    return r.stdout.split()[-1]


# A label value with the format's escapes in it (a newline, a control
# character, is written \x0a as in the text reports: test_safety.py).
ODD_VALUE = 'a "quoted" \\ value, é'



def test_prom_atomic(variant):
    """--prom: every read of the file, however often, is a whole valid
    exposition (temp file + rename); promtool agrees where installed."""
    p, oracle = targets.start(targets.writers(variant), args=["-mode", "hot"])
    path = os.path.join(ROOT, "tests", "out", "watch-%s.prom" % variant)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    if os.path.exists(path):
        os.unlink(path)
    seen, bad = [0], []
    done = threading.Event()

    def reader():
        while not done.is_set():
            try:
                with open(path) as f:
                    text = f.read()
            except FileNotFoundError:
                continue
            seen[0] += 1
            if not text.endswith("\n") or "mapdiag_watch_target_up" not in text:
                bad.append("partial file (%d bytes)" % len(text))
            elif seen[0] % 50 == 1:
                probs = prom_problems(text)
                if probs:
                    bad.append("; ".join(probs[:2]))
    t = threading.Thread(target=reader)
    t.start()
    try:
        rc, lines, err = watch("--json", "--interval", "1ms", "--every", "5ms", "--duration", "2s",
                               "--prom", path, oracle["pid"], "main.hotInt", "main.hotStr",
                               "main.hotGeneric")
    finally:
        done.set()
        t.join()
        targets.stop(p)
    check("prom %s: %d reads of the file, never half written, always valid" % (variant, seen[0]),
          rc in (0, 1) and seen[0] > 20 and not bad, "rc=%d %s" % (rc, bad[:3]))
    text = open(path).read()
    for k in ('mapdiag_map_writing_duty_ratio{pid="%d"' % oracle["pid"],
              'var="main.hotStr"', "# TYPE mapdiag_map_samples_total counter"):
        check("prom %s: has %s" % (variant, k), k in text)
    promtool = "/usr/bin/promtool"
    if os.path.exists(promtool):
        r = subprocess.run([promtool, "check", "metrics"], input=text, capture_output=True,
                           text=True)
        check("prom %s: promtool check metrics" % variant, r.returncode == 0, r.stdout + r.stderr)
    else:
        ok("prom %s: promtool not installed (promcheck.py used)" % variant)


def test_prom_info_labels(variant):
    """--prom: mapdiag_build_info names mapdiag's version and the target's
    Go version and map implementation (value 1); --label lands on every
    series, its value escaped; the file follows the naming conventions."""
    p, oracle = targets.start(targets.binary(variant))
    path = os.path.join(ROOT, "tests", "out", "labels-%s.prom" % variant)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    try:
        rc, lines, err = watch("--json", "--interval", "5ms", "--every", "20ms", "--count", "6",
                               "--prom", path, "--label", "service=sessiond",
                               "--label", "team=" + ODD_VALUE, oracle["pid"], "main.idle",
                               "main.oversized", "main.nosuch")
    finally:
        targets.stop(p)
    text = open(path).read() if os.path.exists(path) else ""
    probs = prom_problems(text)
    check("prom labels %s: valid, and the naming conventions hold" % variant,
          rc == 3 and text and not probs, "rc=%d %s %s" % (rc, probs[:3], err[-200:]))
    info = prom_samples(text, "mapdiag_build_info")
    want = {"pid": str(oracle["pid"]), "version": mapdiag_version(),
            "go_version": oracle["go_version"], "impl": oracle["impl"], "command": "watch",
            "service": "sessiond", "team": ODD_VALUE}
    got = info[0][1] if len(info) == 1 else {}
    check("prom labels %s: one mapdiag_build_info 1 with version, go_version, impl" % variant,
          len(info) == 1 and info[0][2] == 1 and
          all(got.get(k) == v for k, v in want.items()), "%r want %r" % (info, want))
    samples = prom_samples(text)
    bad = [(n, l) for n, l, v in samples
           if l.get("service") != "sessiond" or l.get("team") != ODD_VALUE]
    fams = {n for n, l, v in samples}
    check("prom labels %s: --label on all %d series of %d families" % (variant, len(samples),
                                                                       len(fams)),
          samples and not bad and "mapdiag_map_error" in fams and
          "mapdiag_watch_target_up" in fams, str(bad[:2]))
    added = prom_samples(text, "mapdiag_map_entries_added_total")
    check("prom labels %s: entry changes are counters, no _per_second gauge" % variant,
          added and "# TYPE mapdiag_map_entries_removed_total counter" in text and
          "_per_second" not in text, str(added[:1]))


def test_prom_bad_labels(variant):
    """A bad --label is a one-line usage error, exit 3, before any sample:
    no file is written."""
    p, oracle = targets.start(targets.binary(variant))
    path = os.path.join(ROOT, "tests", "out", "badlabel-%s.prom" % variant)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    cases = [(["service"], "not key=value"), (["=x"], "cannot be a label name"),
             (["1svc=x"], "cannot be a label name"), (["svc-name=x"], "cannot be a label name"),
             (["__meta=x"], "__"), (["pid=1"], "mapdiag writes that label"),
             (["var=x"], "mapdiag writes that label"), (["impl=x"], "mapdiag writes that label"),
             (["version=x"], "mapdiag writes that label"), (["svc="], "empty value"),
             (["a=1", "a=2"], "given twice")]
    try:
        for labels, what in cases:
            if os.path.exists(path):
                os.unlink(path)
            args = sum((["--label", l] for l in labels), [])
            rc, lines, err = watch("--count", "3", "--interval", "5ms", "--prom", path,
                                   *(args + [oracle["pid"], "main.idle"]))
            check("watch --label %s: usage error, exit 3, one line" % " ".join(labels),
                  rc == 3 and len(err.strip().splitlines()) == 1 and "--label" in err and
                  what in err and not lines and not os.path.exists(path),
                  "rc=%d %r" % (rc, err))
        rc, lines, err = watch("--count", "3", "--label", "a=1", oracle["pid"], "main.idle")
        check("watch --label without --prom: usage error",
              rc == 3 and "no --prom" in err and not lines, "rc=%d %r" % (rc, err))
    finally:
        targets.stop(p)


def test_prom_counters(variant):
    """mapdiag_map_entries_added_total and _removed_total count the entry
    count's rises and falls: on a map refilled from empty to 2^17 again
    and again, both pass 2^17 in a second, they differ by the count's
    change over the window, and over the window they are the average
    rates the JSON reports."""
    p, oracle = targets.start(targets.writers(variant), args=["-mode", "grow"])
    path = os.path.join(ROOT, "tests", "out", "counters-%s.prom" % variant)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    try:
        rc, lines, err = watch("--json", "--interval", "2ms", "--every", "250ms", "--duration",
                               "1s", "--prom", path, oracle["pid"], "main.growing")
    finally:
        targets.stop(p)
    text = open(path).read() if os.path.exists(path) else ""
    added = prom_value(text, "mapdiag_map_entries_added_total")
    removed = prom_value(text, "mapdiag_map_entries_removed_total")
    m = lines[-1]["maps"][0] if lines and lines[-1].get("maps") else {}
    n = 1 << 17
    first = m.get("count", -1) - (added or 0) + (removed or 0)
    check("prom counters %s: rises and falls of a map refilled to 2^17" % variant,
          added and removed and added > n and removed > n and 0 <= first <= n,
          "added=%r removed=%r final count=%r" % (added, removed, m.get("count")))
    ins, dels = m.get("inserts_per_s") or 0, m.get("deletes_per_s") or 0
    check("prom counters %s: over the 1 s window they are JSON's rates" % variant,
          ins and dels and 0.8 <= (added or 0) / ins <= 1.05 and
          0.8 <= (removed or 0) / dels <= 1.05,
          "added=%r ins/s=%r removed=%r del/s=%r" % (added, ins, removed, dels))


def prom_value(text, name):
    v = prom_samples(text, name)
    return v[0][2] if len(v) == 1 else None


def test_prom_on_exit(variant):
    """When watch ends, by --duration, by SIGINT or SIGTERM, or because the
    target exited, its --prom file stays, whole and valid, written one
    last time: mapdiag_watch_running 0, the time of that last report
    (for a staleness alert), target_up 0 only when the target exited;
    nothing touches it afterwards."""
    path = os.path.join(ROOT, "tests", "out", "onexit-%s.prom" % variant)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    for how in ("duration", "sigint", "sigterm", "target-exit"):
        p, oracle = targets.start(targets.binary(variant))
        if os.path.exists(path):
            os.unlink(path)
        args = [MAPDIAG, "watch", "--json", "--interval", "5ms", "--every", "100ms",
                "--prom", path]
        args += ["--duration", "1500ms"] if how == "duration" else []
        args += [str(oracle["pid"]), "main.idle"]
        try:
            w = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            # the first report (100 ms into the window) says watch runs: a
            # slow start (ASan) must not make the signal or the exit come
            # before the window
            first = None
            for _ in range(3000):
                if os.path.exists(path) or w.poll() is not None:
                    first = time.time()
                    break
                time.sleep(0.01)
            during = open(path).read() if os.path.exists(path) else ""
            time.sleep(0.3)
            acted = time.time()
            if how == "sigint":
                w.send_signal(signal.SIGINT)
            elif how == "sigterm":
                w.send_signal(signal.SIGTERM)
            elif how == "target-exit":
                targets.stop(p)
            out, err = w.communicate(timeout=60)
            done = time.time()
        finally:
            targets.stop(p)
        text = open(path).read() if os.path.exists(path) else ""
        stamp = prom_value(text, "mapdiag_watch_last_report_timestamp_seconds")
        probs = prom_problems(text)
        check("prom on exit %s %s: while watching, running 1" % (how, variant),
              prom_value(during, "mapdiag_watch_running") == 1, during[-300:])
        exited = how == "target-exit"
        check("prom on exit %s %s: the file stays, valid, running 0, target_up %d"
              % (how, variant, 0 if exited else 1),
              (rc_ok(w.returncode, exited)) and not probs and
              prom_value(text, "mapdiag_watch_running") == 0 and
              prom_value(text, "mapdiag_watch_target_up") == (0 if exited else 1),
              "rc=%s %s %s" % (w.returncode, probs[:2], err[-200:]))
        # the last report is written at the end of the window: 1.5 s after
        # it began (the first report came 100 ms in), else after the signal
        # or the exit
        lo = (first or done) + 1.3 if how == "duration" else acted
        check("prom on exit %s %s: last report's timestamp is the end (%.2f..%.2f)"
              % (how, variant, lo, done),
              stamp is not None and lo <= stamp <= done + 0.05, "stamp=%r" % stamp)
        mtime = os.stat(path).st_mtime if text else None
        time.sleep(0.3)
        check("prom on exit %s %s: nothing rewrites or removes it afterwards" % (how, variant),
              text and os.path.exists(path) and os.stat(path).st_mtime == mtime and
              open(path).read() == text)


def rc_ok(rc, exited):
    """watch's exit code: 3 (UNKNOWN, said) when the target exited, else the
    state of main.idle (0: ok)."""
    return rc == 3 if exited else rc == 0


def test_live_view(variant):
    """On a terminal: a live view redrawn in place, then a summary."""
    p, oracle = targets.start(targets.writers(variant), args=["-mode", "hot"])
    try:
        rc, out = mdrun.run_in_pty([MAPDIAG, "watch", "--interval", "2ms", "--every", "200ms",
                                    "--duration", "1s", str(oracle["pid"]), "main.hotInt"],
                                   {k: v for k, v in os.environ.items() if k != "NO_COLOR"})
        check("live view %s: redrawn in place" % variant,
              out.count("\033[") > 10 and "A" in out and out.count("main.hotInt") >= 3,
              repr(out[:300]))
        check("live view %s: summary at the end" % variant,
              rc in (0, 1) and ("WARNING" in out or "OK" in out), repr(out[-300:]))
    finally:
        targets.stop(p)


def test_agrees(variant):
    """watch makes attach's findings about memory at every report, with the
    same exit code; Prometheus has the bytes; clears are unknown where the
    release has no clear counter."""
    p, oracle = targets.start(targets.binary(variant))
    path = os.path.join(ROOT, "tests", "out", "agree-%s.prom" % variant)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    try:
        pid = oracle["pid"]
        r = subprocess.run([MAPDIAG, "attach", "--json", "--no-threads", str(pid), "main.oversized",
                            "main.idle"], capture_output=True, text=True, timeout=120)
        att = {m["var"]: m for m in json.loads(r.stdout)["maps"]}
        rc, lines, err = watch("--json", "--interval", "5ms", "--every", "50ms", "--count", "8",
                               "--prom", path, pid, "main.oversized", "main.idle")
        final = lines[-1] if lines else {}
        wat = {m["var"]: m for m in final.get("maps", [])}
        codes = lambda m: sorted(f["code"] for f in m.get("findings", []))
        check("agree %s: attach finds main.oversized oversized, exit 1" % variant,
              r.returncode == 1 and "oversized" in codes(att["main.oversized"]),
              "rc=%d %s" % (r.returncode, codes(att.get("main.oversized", {}))))
        check("agree %s: watch says the same: oversized, the same exit code" % variant,
              rc == r.returncode and "oversized" in codes(wat.get("main.oversized", {})) and
              all(l["maps"][0]["severity"] == "warning" for l in lines if l.get("maps")),
              "rc=%d %s %s" % (rc, codes(wat.get("main.oversized", {})), err[-200:]))
        warn = lambda m: sorted(f["code"] for f in m.get("findings", []) if f.get("severity") != "info")
        check("agree %s: main.idle without warnings in both" % variant,
              warn(att["main.idle"]) == [] and warn(wat.get("main.idle", {})) == [] and
              wat.get("main.idle", {}).get("severity") == "ok",
              "%s %s" % (att["main.idle"].get("findings"), wat.get("main.idle")))
        text = open(path).read()
        d = att["main.oversized"]["derived"]
        held = d.get("bytes_held")
        want_clears = oracle["impl"] == "swiss" or "noswiss" in variant
        line = lambda name: [l for l in text.splitlines()
                             if l.startswith(name + "{") and 'var="main.oversized"' in l]
        check("agree %s: mapdiag_map_held_bytes is attach's bytes held (%s)" % (variant, held),
              [float(l.split()[-1]) for l in line("mapdiag_map_held_bytes")] == [float(held)],
              str(line("mapdiag_map_held_bytes")))
        rec = line("mapdiag_map_reclaimable_bytes")
        check("agree %s: reclaimable bytes, capacity, load exported" % variant,
              rec and float(rec[0].split()[-1]) > 0 and line("mapdiag_map_capacity_slots") and
              line("mapdiag_map_load_ratio"), text[:300])
        check("agree %s: clears %s" % (variant, "counted" if want_clears else "unknown (no counter)"),
              (wat.get("main.oversized", {}).get("clears") is not None) == want_clears and
              bool(line("mapdiag_map_clears_total")) == want_clears,
              "%r" % wat.get("main.oversized", {}).get("clears"))
        probs = prom_problems(text)
        check("agree %s: the exposition is valid, conventions hold" % variant, not probs,
              "; ".join(probs[:3]))
    finally:
        targets.stop(p)


def test_watch_errors():
    rc, lines, err = watch("4194303", "main.x")
    check("watch: no such process", rc == 3 and "no such process" in err, err)
    for args, what in [(["--interval", "0", "1", "main.a"], "--interval"),
                       (["--duration", "soon", "1", "main.a"], "--duration"),
                       (["--hot", "2", "1", "main.a"], "--hot"), (["1"], "missing <var>")]:
        rc, lines, err = watch(*args)
        check("watch usage %s" % " ".join(args), rc == 3 and what in err, err)
    r = subprocess.run([MAPDIAG, "watch", "--help"], capture_output=True, text=True)
    check("watch --help", r.returncode == 0 and "--prom" in r.stdout)


GROUPS = [
    ("stuck", lambda: [test_stuck(v) for v in ("go1.21", "go1.24-noswiss", "go1.26")]),
    ("no_ptrace", lambda: [test_no_ptrace(v) for v in ("go1.23", "go1.27")]),
    ("prom_atomic", lambda: [test_prom_atomic(v) for v in ("go1.22", "go1.26")]),
    ("prom_labels", lambda: [test_prom_info_labels(v) for v in ("go1.23", "go1.24-noswiss",
                                                                "go1.26")]),
    ("prom_bad_labels", lambda: test_prom_bad_labels("go1.26")),
    ("prom_counters", lambda: [test_prom_counters(v) for v in ("go1.23", "go1.26")]),
    ("prom_exit", lambda: [test_prom_on_exit(v) for v in ("go1.22", "go1.26")]),
    ("live_view", lambda: test_live_view("go1.26")),
    ("agrees", lambda: [test_agrees(v) for v in ("go1.19", "go1.23", "go1.24-noswiss", "go1.26",
                                                 "go1.27-splitgroup")]),
    ("errors", test_watch_errors),
]


def main():
    """python3 test_watch.py [GROUP...]: only those groups (GROUPS' names;
    the target tests of test_watch_target.py run with none given)."""
    only = sys.argv[1:]
    unknown = [g for g in only if g not in dict(GROUPS)]
    if unknown:
        print("unknown group %s (known: %s)" % (unknown, " ".join(n for n, _ in GROUPS)))
        return 2
    for name, fn in GROUPS:
        if not only or name in only:
            fn()
    extra = os.path.join(HERE, "test_watch_target.py")
    if not only and os.path.exists(extra):
        import test_watch_target
        test_watch_target.run()
    return checks.summary()


if __name__ == "__main__":
    sys.exit(main())
