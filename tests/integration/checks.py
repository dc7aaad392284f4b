"""The integration tests' results: one 'ok NAME' or 'FAIL NAME: WHY' line
per check, counted for the final 'N passed, N failed' line (run.sh sums
those).  Safe to call from several threads."""

import threading

passed = 0
failed = 0
_lock = threading.Lock()


def ok(name):
    global passed
    with _lock:
        passed += 1
    print("ok   %s" % name, flush=True)


def fail(name, why):
    global failed
    with _lock:
        failed += 1
    print("FAIL %s: %s" % (name, why), flush=True)


def check(name, cond, why=""):
    if cond:
        ok(name)
    else:
        fail(name, why)
    return cond


def skip(name, why):
    """A check that cannot run here (not as root): said, and counted
    neither way, so that a skipped check never reads as passed."""
    print("skip %s: %s" % (name, why), flush=True)


def summary(prefix=""):
    """Print the result line; the exit status for it."""
    print("%s%d passed, %d failed" % (prefix, passed, failed))
    return 1 if failed else 0
