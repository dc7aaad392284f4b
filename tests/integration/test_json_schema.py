#!/usr/bin/env python3
"""mapdiag's JSON can be relied on (issue 16, item 8): every object it
prints, on real targets and on errors, conforms to doc/json-schema.json;
doc/json-schema.md documents exactly the members that file names, with
the same types; the error codes are msg.c's; and status, exit_code and
the exit status agree.

  - doc/json-schema.md against doc/json-schema.json (each "### `name`"
    table against the definition of that name), the error codes of both
    against src/base/msg.c's table;
  - attach (go1.26, go1.23: every map of the maptarget, a nil map, a map
    that cannot be read, --threads), scan (scantarget go1.26 and go1.23,
    --by owner, --top), watch (watchtarget go1.26 and go1.23, a short
    --duration; and a target that exits during the window), ps (the
    targets, and a pid that is not listed);
  - fatal errors with --json: a pid that does not exist, a process that is
    not Go, a bad option or value (before or after --json), a --prom path
    that cannot be written, SIGINT: exactly one JSON error object on stdout
    and one line on stderr, exit 3; without --json (or after a --): text
    only.

    python3 tests/integration/test_json_schema.py [variant...]

Prints one line per check and ends with 'N passed, N failed'.
"""
import json
import os
import re
import subprocess
import sys
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import targets  # noqa: E402
import checks  # noqa: E402
from checks import check  # noqa: E402
from mdrun import MAPDIAG, mapdiag, wait_handlers, check_released  # noqa: E402
import jsonschema_lite as js  # noqa: E402

ROOT = targets.ROOT
SCHEMA_JSON = os.path.join(ROOT, "doc", "json-schema.json")
SCHEMA_MD = os.path.join(ROOT, "doc", "json-schema.md")
STATUS = {0: "OK", 1: "WARNING", 2: "CRITICAL", 3: "UNKNOWN"}

SCHEMA = json.load(open(SCHEMA_JSON))
VERSION = None  # mapdiag --version, after "mapdiag "


def conforms(name, obj, doc):
    """obj conforms to the document doc ("attach", "error", ...)."""
    d = SCHEMA["documents"][doc]
    errs = js.validate(obj, SCHEMA["$defs"][d], SCHEMA)
    check(name + ": conforms to " + d, not errs, "; ".join(errs[:5]))
    return not errs


def agrees(name, obj, rc, err):
    """status, exit_code and the exit status agree; schema and version;
    UNKNOWN comes with error, whose message is one of the stderr lines
    (the first, for a fatal error)."""
    check(name + ": schema 1, mapdiag_version is --version's",
          obj.get("schema") == 1 and obj.get("mapdiag_version") == VERSION,
          "%r %r (want %r)" % (obj.get("schema"), obj.get("mapdiag_version"), VERSION))
    check(name + ": status, exit_code, exit status agree (%d)" % rc,
          obj.get("exit_code") == rc and obj.get("status") == STATUS.get(rc),
          "status=%r exit_code=%r rc=%d" % (obj.get("status"), obj.get("exit_code"), rc))
    lines = [l for l in err.splitlines() if l]
    e = obj.get("error")
    if rc == 3:
        check(name + ": UNKNOWN says why (error = a stderr line)",
              isinstance(e, dict) and "mapdiag: " + e.get("message", "") in lines,
              "error=%r stderr=%r" % (e, err))
    else:
        check(name + ": no error member when not UNKNOWN", e is None, repr(e))


def err_of(obj):
    """obj's error member, {} when it has none."""
    e = obj.get("error") if isinstance(obj, dict) else None
    return e if isinstance(e, dict) else {}


def one_object(out):
    """The one JSON object of out (one line), or None."""
    if out.count("\n") != 1 or not out.endswith("\n"):
        return None
    try:
        return json.loads(out)
    except ValueError:
        return None


# ---- the document against the machine-readable schema ----

def doc_sections(text):
    """{section: {member: type words or None}} from every "### `name`"
    table of the doc, plus "head" for the table every object starts with."""
    out, cur = {}, None
    for line in text.splitlines():
        m = re.match(r"^#{2,3} (.*)$", line)
        if m:
            h = m.group(1)
            n = re.fullmatch(r"`([a-z_]+)`", h)
            cur = n.group(1) if n else "head" if h == "What every object starts with" else None
            if cur:
                out[cur] = {}
            continue
        if cur is None or not line.startswith("| `"):
            continue
        cells = [c.strip() for c in line.strip("|").split("|")]
        names = re.findall(r"`([^`]+)`", cells[0])
        tw = cells[1] if len(cells) > 2 else ""
        kinds = {a.strip().split()[0] for a in tw.split(" or ")} if tw else None
        for n in names:
            out[cur][n] = kinds
    return out


def error_codes_in(text):
    """The codes of the "## Error codes" table."""
    sec = text.split("## Error codes", 1)[1].split("\n## ", 1)[0]
    return [m.group(1) for m in re.finditer(r"^\| `([a-z-]+)` \|", sec, re.M)]


def test_doc():
    text = open(SCHEMA_MD).read()
    secs = doc_sections(text)
    defs = js.members(SCHEMA, SCHEMA)
    check("doc: a section per schema definition with members",
          set(defs) <= set(secs), "undocumented: %s" % sorted(set(defs) - set(secs)))
    check("doc: every section names a schema definition",
          set(secs) - {"head"} <= set(defs), "not in the schema: %s" % sorted(set(secs) - set(defs) - {"head"}))
    for name in sorted(set(defs) & set(secs)):
        want, got = defs[name], secs[name]
        check("doc %s: the same members as the schema" % name, set(want) == set(got),
              "only in the schema: %s; only in the doc: %s" %
              (sorted(set(want) - set(got)), sorted(set(got) - set(want))))
        bad = ["%s: doc %s, schema %s" % (k, sorted(got[k]), sorted(want[k]))
               for k in set(want) & set(got) if got[k] is not None and got[k] != want[k]]
        check("doc %s: the same types as the schema" % name, not bad, "; ".join(bad))
    head = secs.get("head", {})
    for doc, d in sorted(SCHEMA["documents"].items()):
        want = defs[d]
        bad = ["%s: doc %s, schema %s" % (k, sorted(head[k]), sorted(want.get(k, set())))
               for k in head if head[k] != want.get(k)]
        check("doc: %s starts with what every object starts with" % doc,
              head and not bad and list(SCHEMA["$defs"][d]["properties"])[:len(head)] == list(head),
              "; ".join(bad) or "order: %s" % list(SCHEMA["$defs"][d]["properties"])[:len(head)])
    # the codes: msg.c's table, the schema's enums, the doc's table
    msg = open(os.path.join(ROOT, "src", "base", "msg.c")).read()
    c_codes = [c for c in re.findall(r'\[MD_\w+\]\s*=\s*\{\s*"([a-z-]+)"', msg) if c != "ok"]
    enums = {n: SCHEMA["$defs"][n]["properties"][k]["enum"] for n, k in
             [("error", "code"), ("map_failed", "error_code"), ("watch_map_failed", "error_code"),
              ("ps_missing", "error_code")]}
    check("codes: msg.c's table has a code for every status, each once",
          len(c_codes) >= 30 and len(set(c_codes)) == len(c_codes), repr(c_codes))
    for n, e in sorted(enums.items()):
        check("codes: schema %s is msg.c's" % n, sorted(e) == sorted(c_codes),
              "only in msg.c: %s; only in the schema: %s" %
              (sorted(set(c_codes) - set(e)), sorted(set(e) - set(c_codes))))
    dc = error_codes_in(text)
    check("codes: the doc's table is msg.c's", sorted(dc) == sorted(c_codes),
          "only in msg.c: %s; only in the doc: %s" % (sorted(set(c_codes) - set(dc)),
                                                     sorted(set(dc) - set(c_codes))))
    # the validator is no rubber stamp: it refuses what the schema does not say
    good = {"schema": 1, "mapdiag_version": "x", "status": "UNKNOWN", "exit_code": 3,
            "error": {"code": "usage", "message": "m"}}
    for label, bad_obj in [("an extra member", dict(good, extra=1)),
                           ("a missing member", {k: v for k, v in good.items() if k != "error"}),
                           ("a wrong type", dict(good, exit_code="3")),
                           ("a bool for an integer", dict(good, schema=True)),
                           ("an unknown code", dict(good, error={"code": "nope", "message": "m"}))]:
        check("validator refuses %s" % label,
              js.validate(bad_obj, SCHEMA["$defs"]["error_object"], SCHEMA), "accepted")
    check("validator accepts the doc's example", not js.validate(good, SCHEMA["$defs"]["error_object"],
                                                                 SCHEMA))
    readme = open(os.path.join(ROOT, "README.md")).read()
    check("README links doc/json-schema.md", "doc/json-schema.md" in readme)
    man = open(os.path.join(ROOT, "doc", "mapdiag.1")).read()
    check("man page: JSON OUTPUT names schema, mapdiag_version and the error object",
          all(w in man for w in ("schema", "mapdiag_version", "error_code", "json\\-schema.md")),
          "missing in doc/mapdiag.1")


# ---- real output ----

def test_attach(variant):
    p, o = targets.start(targets.binary(variant))
    try:
        pid = o["pid"]
        good = sorted(o["maps"])
        rc, out, err = mapdiag("attach", "--json", pid, *good)
        obj = one_object(out)
        name = "attach %s (%d maps)" % (variant, len(good))
        if check(name + ": one object", obj is not None, out[:200]):
            conforms(name, obj, "attach")
            agrees(name, obj, rc, err)
            nils = [m for m in obj["maps"] if m.get("header", 0) is None]
            check(name + ": a nil map among them (header null)", nils, "no nil map in the oracle")
        rc, out, err = mapdiag("attach", "--json", "--threads", pid, good[0], "main.nilHolder.m",
                               "main.idel")
        obj = one_object(out)
        name = "attach %s --threads, two that cannot be read" % variant
        if check(name + ": one object, exit 3", obj is not None and rc == 3, "rc=%d %s" % (rc, out[:200])):
            conforms(name, obj, "attach")
            agrees(name, obj, rc, err)
            lines = [l for l in err.splitlines() if l]
            check(name + ": error is the first failure, one stderr line each",
                  len(lines) == 2 and err_of(obj).get("code") == "nil-pointer" and
                  [m.get("error_code") for m in obj["maps"]] == [None, "nil-pointer", "unknown-variable"]
                  and "mapdiag: " + obj["maps"][2]["error"] == lines[1],
                  "%r %r" % (obj.get("error"), err))
            check(name + ": threads", obj.get("threads"), "no threads array")
        # a single unknown variable: the report, not the error object
        rc, out, err = mapdiag("attach", "--json", pid, "main.nosuch")
        obj = one_object(out)
        name = "attach %s unknown variable" % variant
        if check(name + ": one object, one stderr line, exit 3",
                 obj is not None and rc == 3 and err.count("\n") == 1, "rc=%d %r %r" % (rc, out, err)):
            conforms(name, obj, "attach")
            agrees(name, obj, rc, err)
            check(name + ": code unknown-variable", err_of(obj).get("code") == "unknown-variable",
                  repr(obj.get("error")))
    finally:
        targets.stop(p)


def test_attach_parked(variant, tries=20):
    """A map written by a goroutine parked mid-write (writers -mode
    parked): parked_writers and parked_unknown conform."""
    p, o = targets.start(targets.writers(variant), args=["-mode", "parked"])
    try:
        name = "attach %s parked writer" % variant
        for _ in range(tries):
            rc, out, err = mapdiag("attach", "--json", o["pid"], "main.parkedA", "main.parkedB")
            obj = one_object(out)
            if obj is None:
                break
            if any(m.get("parked_writers") for m in obj["maps"]):
                break
        if check(name + ": one object with a parked writer",
                 obj is not None and any(m.get("parked_writers") for m in obj["maps"]),
                 "not in %d tries: %s" % (tries, out[:200])):
            conforms(name, obj, "attach")
            agrees(name, obj, rc, err)
    finally:
        targets.stop(p)


def test_scan(variant):
    p, o = targets.start(targets.scantarget(variant))
    try:
        pid = o["pid"]
        for args in [[], ["--by", "owner"], ["--top", "3", "--sort", "severity"]]:
            rc, out, err = mapdiag("scan", "--json", *(args + [pid]), timeout=120)
            obj = one_object(out)
            name = "scan %s %s" % (variant, " ".join(args) or "(all)")
            if check(name + ": one object", obj is not None, "rc=%d %s %s" % (rc, out[:200], err)):
                conforms(name, obj, "scan")
                agrees(name, obj, rc, err)
                check(name + ": summary.exit_code is exit_code",
                      obj.get("summary", {}).get("exit_code") == obj.get("exit_code"))
                check(name + ": maps found", obj["summary"]["maps"] > 10, repr(obj["summary"]))
    finally:
        targets.stop(p)


def watch_lines(name, out, rc, err, want_final):
    """Every line an object that conforms and agrees, the last one final
    with the exit status; returns the objects."""
    objs = []
    for i, line in enumerate(out.splitlines()):
        try:
            objs.append(json.loads(line))
        except ValueError:
            check(name + ": line %d is JSON" % i, False, line[:200])
            return []
    if not check(name + ": %d lines" % len(objs), len(objs) >= want_final, out[:300]):
        return objs
    bad = [e for x in objs for e in js.validate(x, SCHEMA["$defs"]["watch"], SCHEMA)]
    check(name + ": every line conforms to watch", not bad, "; ".join(bad[:5]))
    finals = [x.get("final") for x in objs]
    check(name + ": only the last line is final", finals == [False] * (len(objs) - 1) + [True],
          repr(finals))
    agrees(name + " final line", objs[-1], rc, err)
    bad = [x for x in objs if x.get("status") != STATUS.get(x.get("exit_code")) or
           (x.get("exit_code") == 3) != ("error" in x) or x.get("schema") != 1 or
           x.get("mapdiag_version") != VERSION]
    check(name + ": every line: schema, version, status = exit_code, error iff 3", not bad,
          repr(bad[:1])[:300])
    return objs


def test_watch(variant):
    p, o = targets.start(targets.watchtarget(variant), ["-mode", "burst"])
    try:
        pid = o["pid"]
        rc, out, err = mapdiag("watch", "--json", "--every", "400ms", "--duration", "1500ms", pid,
                               *list(o["maps"]))
        # at least one report before the final one, even on a loaded machine
        watch_lines("watch %s" % variant, out, rc, err, 2)
        # a variable not watched: UNKNOWN on every line, error is its own
        rc, out, err = mapdiag("watch", "--json", "--every", "200ms", "--duration", "500ms", pid,
                               list(o["maps"])[0], "main.nosuch")
        objs = watch_lines("watch %s + unknown variable" % variant, out, rc, err, 1)
        check("watch %s + unknown variable: every line UNKNOWN, unknown-variable" % variant,
              objs and rc == 3 and all(err_of(x).get("code") == "unknown-variable" for x in objs),
              "rc=%d %r" % (rc, [x.get("error") for x in objs]))
    finally:
        targets.stop(p)


def test_watch_exit(variant):
    """The target exits during the window: the final line says so, with
    the exit status, and stderr's one line is its message."""
    p, o = targets.start(targets.binary(variant))
    try:
        t = threading.Timer(0.8, targets.stop, [p])
        t.start()
        rc, out, err = mapdiag("watch", "--json", "--every", "300ms", "--duration", "5s", o["pid"],
                               sorted(o["maps"])[0])
        t.join()
        name = "watch %s, target exits" % variant
        objs = watch_lines(name, out, rc, err, 2)
        lines = [l for l in err.splitlines() if l]
        check(name + ": exit 3, final line exited, target-exited, one stderr line",
              objs and rc == 3 and objs[-1].get("exited") and
              err_of(objs[-1]).get("code") == "target-exited" and
              lines == ["mapdiag: " + err_of(objs[-1]).get("message", "")],
              "rc=%d %r %r" % (rc, objs[-1:] and objs[-1].get("error"), err))
    finally:
        targets.stop(p)


def test_ps(pids):
    rc, out, err = mapdiag("ps", "--json")
    obj = one_object(out)
    if check("ps --json: one object, exit 0", obj is not None and rc == 0, "rc=%d %s" % (rc, err)):
        conforms("ps --json", obj, "ps")
        agrees("ps --json", obj, rc, err)
        listed = {x["pid"] for x in obj["processes"]}
        check("ps --json: the targets listed", set(pids) <= listed, "%s not in %s" % (pids, listed))
    gone = dead_pid()
    rc, out, err = mapdiag("ps", "--json", gone, *pids)
    obj = one_object(out)
    name = "ps --json with a pid not listed"
    if check(name + ": one object, exit 3", obj is not None and rc == 3, "rc=%d %s" % (rc, out[:200])):
        conforms(name, obj, "ps")
        agrees(name, obj, rc, err)
        check(name + ": missing says no-such-process",
              [m.get("error_code") for m in obj["missing"]] == ["no-such-process"] and
              err_of(obj).get("code") == "no-such-process", repr(obj["missing"]))


def dead_pid():
    """A pid that no process has: a child's, after it was reaped."""
    q = subprocess.Popen(["true"])
    q.wait()
    return q.pid


def fatal(name, args, code, text_only=False):
    """mapdiag ARGS fails: exit 3, one stderr line; with --json in force,
    one error object on stdout whose message is that line."""
    rc, out, err = mapdiag(*args)
    lines = err.splitlines()
    if text_only:
        check(name + ": exit 3, one stderr line, nothing on stdout",
              rc == 3 and len(lines) == 1 and out == "", "rc=%d out=%r err=%r" % (rc, out, err))
        return
    obj = one_object(out)
    if not check(name + ": exit 3, one JSON object, one stderr line",
                 rc == 3 and obj is not None and len(lines) == 1, "rc=%d out=%r err=%r" % (rc, out, err)):
        return
    conforms(name, obj, "error")
    agrees(name, obj, rc, err)
    check(name + ": code %s, message is the stderr line" % code,
          err_of(obj).get("code") == code and lines[0] == "mapdiag: " + err_of(obj).get("message", ""),
          "%r vs %r" % (obj.get("error"), lines[0]))


def test_interrupted(variant):
    """SIGINT during scan --json: whether it was interrupted (the error
    object, code interrupted, written from the signal handler) or had
    finished, stdout is one object that agrees with the exit status."""
    p, o = targets.start(targets.scantarget(variant), ["-many", "3000"])
    try:
        seen = {}
        for i in range(6):
            q = subprocess.Popen([MAPDIAG, "scan", "--json", str(o["pid"])], stdin=subprocess.DEVNULL,
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            wait_handlers(q.pid)
            time.sleep(0.01 * i)
            q.send_signal(2)
            out, err = q.communicate(timeout=60)
            obj = one_object(out)
            kind = "interrupted" if err_of(obj).get("code") == "interrupted" else "finished"
            seen[kind] = seen.get(kind, 0) + 1
            name = "scan --json, SIGINT after %d ms (%s)" % (10 * i, kind)
            if not check(name + ": one object", obj is not None, "rc=%d out=%r err=%r" %
                         (q.returncode, out[-200:], err)):
                continue
            conforms(name, obj, "error" if kind == "interrupted" else "scan")
            agrees(name, obj, q.returncode, err)
        check("scan --json, SIGINT: interrupted at least once", seen.get("interrupted"), repr(seen))
        check_released("scan --json, SIGINT " + variant, o["pid"])
    finally:
        targets.stop(p)


def test_fatal(variant):
    gone = str(dead_pid())
    sleeper = subprocess.Popen(["sleep", "60"])
    p, o = targets.start(targets.binary(variant))
    try:
        pid = str(o["pid"])
        var = sorted(o["maps"])[0]
        for cmd in (["attach", "--json"], ["watch", "--json", "--duration", "1s"], ["scan", "--json"]):
            c = cmd[0]
            tail = [var] if c != "scan" else []
            fatal("%s: no such process" % c, cmd + [gone] + tail, "no-such-process")
            fatal("%s: not a Go process" % c, cmd + [str(sleeper.pid)] + tail, "not-go")
            fatal("%s: bad option after --json" % c, cmd + ["--bogus", pid] + tail, "usage")
            fatal("%s: bad option before --json" % c, [c, "--bogus"] + cmd[1:] + [pid] + tail, "usage")
            fatal("%s: bad option, --json after --" % c, [c, "--bogus", pid, "--", "--json"], "usage",
                  text_only=True)
        fatal("attach: missing <var>", ["attach", "--json", pid], "usage")
        fatal("scan: bad --top", ["scan", "--json", "--top", "x", pid], "usage")
        fatal("watch: bad --interval", ["watch", "--json", "--interval", "1x", pid, var], "usage")
        fatal("ps: bad option", ["ps", "--json", "--bogus"], "usage")
        fatal("unknown command", ["atach", "--json", pid, var], "usage")
        fatal("attach: no such process, no --json", ["attach", gone, var], "no-such-process",
              text_only=True)
        fatal("scan: --prom cannot be written", ["scan", "--json", "--prom", "/nonexistent/dir/m.prom", pid],
              "system-error")
        fatal("watch: --prom cannot be written",
              ["watch", "--json", "--prom", "/nonexistent/dir/m.prom", pid, var], "system-error")
        # watch writes JSON Lines when stdout is not a terminal: its errors too
        fatal("watch without --json, stdout a pipe", ["watch", "--duration", "1s", gone, var],
              "no-such-process")
        check("%s: the target is left running" % variant, p.poll() is None)
    finally:
        sleeper.kill()
        sleeper.wait()
        targets.stop(p)


def main():
    global VERSION
    variants = sys.argv[1:] or ["go1.26", "go1.23"]
    rc, out, _ = mapdiag("--version")
    VERSION = out.strip()[len("mapdiag "):] if out.startswith("mapdiag ") else None
    check("mapdiag --version", rc == 0 and VERSION, out)
    test_doc()
    for v in variants:
        test_attach(v)
        test_attach_parked(v)
        test_scan(v)
        test_watch(v)
    test_watch_exit(variants[0])
    p, o = targets.start(targets.binary(variants[0]))
    try:
        test_ps([o["pid"]])
    finally:
        targets.stop(p)
    test_fatal(variants[0])
    test_interrupted(variants[0])
    return checks.summary()


if __name__ == "__main__":
    sys.exit(main())
