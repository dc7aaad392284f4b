#!/usr/bin/env python3
"""Go releases mapdiag has no facts of its own for, against real processes.

A copy of a test target whose build-info version is patched (same length:
go1.27.4 -> go1.29.4, go1.19.8 -> go1.20.8 / go1.18.8) stands for a binary
of that release; its code is still the original release's, so mapdiag must
read it as well as the original, and say what it did:

  - newer than mapdiag knows (go1.29.4): the same report as the original,
    one warning line on stderr naming go1.27 as the facts' release, and in
    JSON facts_from "go1.27", release_known false (attach, scan, watch);
  - a release whose facts were never read (go1.20.8, go1.18.8): refused,
    exit 3, one line naming it, JSON error code unsupported-go-release;
  - a tested release (go1.19.8, go1.27.4): no warning, release_known and
    release_tested true, facts_from its own release.

    python3 test_releases.py        prints 'N passed, N failed'
"""
import json
import os
import shutil
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import targets  # noqa: E402
import checks  # noqa: E402
from checks import check  # noqa: E402
from mdrun import mapdiag, check_released  # noqa: E402


def patched_copy(src, old, new, tmp):
    """A copy of the binary src with every occurrence of the version old
    replaced by new (same length); the count of replacements."""
    assert len(old) == len(new)
    data = open(src, "rb").read()
    n = data.count(old.encode())
    dst = os.path.join(tmp, os.path.basename(os.path.dirname(src)) + "-as-" + new)
    os.makedirs(dst)
    path = os.path.join(dst, os.path.basename(src))
    with open(path, "wb") as f:
        f.write(data.replace(old.encode(), new.encode()))
    os.chmod(path, 0o755)
    return path, n


def version_of(path):
    """The go1.N.P version a test target was built with (go version -m
    would need a toolchain: the READY line says it)."""
    p, o = targets.start(path)
    targets.stop(p)
    return o["go_version"].split("-")[0].split(" ")[0]


def warning_lines(err):
    return [l for l in err.splitlines() if "warning:" in l]


def test_newer(tmp):
    """go1.29.4: read with go1.27's facts, the same report, one warning."""
    orig = targets.binary("go1.27")
    ver = version_of(orig)
    newer = "go1.29" + ver[len("go1.27"):]
    path, n = patched_copy(orig, ver, newer, tmp)
    check("newer: version patched", n >= 1, "%s occurs %d times" % (ver, n))
    p, o = targets.start(path)
    try:
        pid = o["pid"]
        exprs = ["main.idle", "main.padded", "main.writing"]
        rc, out, err = mapdiag("attach", pid, *exprs)
        want = "%s is newer than the releases mapdiag knows (go1.19 .. go1.27): " \
               "read with go1.27's runtime facts" % newer
        w = warning_lines(err)
        check("newer: attach warns once", len(w) == 1 and w[0] == "mapdiag: warning: " + want,
              "stderr %r" % err)
        check("newer: attach text report", rc == 1 and "main.padded" in out and newer in out,
              "rc=%d out=%r" % (rc, out[:300]))
        rc, out, err = mapdiag("attach", "--json", pid, *exprs)
        rep = json.loads(out)
        check("newer: attach JSON names the facts' release",
              rep["go_version"] == newer and rep["facts_from"] == "go1.27" and
              rep["release_known"] is False and rep["release_tested"] is False,
              "%r" % {k: rep.get(k) for k in ("go_version", "facts_from", "release_known",
                                               "release_tested")})
        check("newer: JSON run warns on stderr too", len(warning_lines(err)) == 1, err)
        got = {m["var"]: m for m in rep["maps"]}
        check("newer: maps read as on go1.27",
              all(got[e].get("len", got[e].get("header", {}).get("used")) is not None
                  and "error" not in got[e] for e in exprs) and
              got["main.padded"]["derived"]["group_size"] ==
              o["maps"]["main.padded"]["sizes"]["group_size"],
              json.dumps(rep["maps"])[:400])
        rc, out, err = mapdiag("scan", "--json", pid)
        sc = json.loads(out) if out.strip() else {}
        check("newer: scan warns once and says so in JSON",
              len(warning_lines(err)) == 1 and sc.get("facts_from") == "go1.27" and
              sc.get("release_known") is False, "rc=%d err=%r" % (rc, err[-300:]))
        rc, out, err = mapdiag("watch", "--json", "--interval", "100ms", "--count", "2", pid,
                               "main.idle", timeout=30)
        first = json.loads(out.splitlines()[0]) if out.strip() else {}
        check("newer: watch warns once and says so in JSON",
              len(warning_lines(err)) == 1 and first.get("facts_from") == "go1.27" and
              first.get("release_known") is False, "rc=%d err=%r out=%r" % (rc, err[-300:],
                                                                             out[:200]))
        check_released("newer", pid)
    finally:
        targets.stop(p)


def test_refused(tmp, release):
    """go1.20.8 / go1.18.8 (a go1.19 binary, patched): refused, exit 3."""
    orig = targets.binary("go1.19")
    ver = version_of(orig)
    other = release + ver[len("go1.19"):]
    path, n = patched_copy(orig, ver, other, tmp)
    check("%s: version patched" % release, n >= 1, "%s occurs %d times" % (ver, n))
    p, o = targets.start(path)
    try:
        pid = o["pid"]
        rc, out, err = mapdiag("attach", pid, "main.idle")
        lines = err.strip().splitlines()
        check("%s: attach refused, one line" % release,
              rc == 3 and len(lines) == 1 and lines[0].startswith(
                  "mapdiag: unsupported Go release: %s: its runtime's facts were never read"
                  % other) and "go1.19, go1.21 .. go1.27" in lines[0] and out == "",
              "rc=%d out=%r err=%r" % (rc, out[:200], err))
        rc, out, err = mapdiag("attach", "--json", pid, "main.idle")
        rep = json.loads(out) if out.strip() else {}
        check("%s: JSON error code" % release, rc == 3 and
              (rep.get("error") or {}).get("code") == "unsupported-go-release",
              "rc=%d out=%r" % (rc, out[:300]))
        for cmd in (["scan"], ["watch", "--count", "1"]):
            rc, out, err = mapdiag(*(cmd + [pid] + (["main.idle"] if cmd[0] == "watch" else [])),
                                   timeout=30)
            check("%s: %s refused" % (release, cmd[0]),
                  rc == 3 and "unsupported Go release" in err, "rc=%d err=%r" % (rc, err))
        check_released(release, pid)
    finally:
        targets.stop(p)


def test_known(variant):
    """A tested release: no warning; its own facts."""
    p, o = targets.start(targets.binary(variant))
    try:
        rc, out, err = mapdiag("attach", "--json", o["pid"], "main.idle")
        rep = json.loads(out)
        rel = variant.split("-")[0]
        check("%s: no warning, own facts" % variant,
              not warning_lines(err) and rep["facts_from"] == rel and
              rep["release_known"] is True and rep["release_tested"] is True,
              "err=%r %r" % (err, {k: rep.get(k) for k in ("facts_from", "release_known")}))
    finally:
        targets.stop(p)


def main():
    tmp = tempfile.mkdtemp(prefix="mapdiag-releases-")
    try:
        test_newer(tmp)
        test_refused(tmp, "go1.20")
        test_refused(tmp, "go1.18")
        for v in ("go1.19", "go1.27", "go1.27-splitgroup"):
            test_known(v)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return checks.summary()


if __name__ == "__main__":
    sys.exit(main())
