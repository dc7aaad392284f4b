#!/usr/bin/env python3
"""Check that what censustarget's oracle says of its goroutines' frames is
what their DWARF says (llvm-dwarfdump and objdump, not mapdiag):

  - every stack root of the oracle (g<id>/<function>/<variable>) has a
    location at its frame's pc (the return address of the call the
    goroutine is parked in), and at pc-1, with every piece present and the
    pieces as long as the variable's type;
  - the running goroutine's roots have one at every pc of its loop;
  - the locals of "optimized_out" have none;
  - no other variable that could hold a map (by its type's name) has one;
  - the wrapper closures of go statements (DW_AT_trampoline) have no
    variables at all.

    python3 tests/integration/census_locs.py [variant...]   (default: all)

A developer's tool, not part of `make check`: run it after changing
testdata/maps/cmd/censustarget or adding a Go release. Needs the targets
built (tests/build-targets.sh 'censustarget-*')."""

import os
import re
import shutil
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import targets  # noqa: E402

DIE = re.compile(r"^(0x[0-9a-f]+):(\s+)(DW_TAG_\w+|NULL)")
ATTR = re.compile(r"^\s+(DW_AT_\w+)\s+\((.*)$")
RANGE = re.compile(r"^\s*\[(0x[0-9a-f]+), (0x[0-9a-f]+)\)(?::\s*(.*?))?\)?$")
# A type that can hold a map, by its DWARF name.
MAPPY = re.compile(r"map\[|main\.|interface|unsafe\.Pointer|\bany\b")


def run(*cmd):
    return subprocess.run(cmd, capture_output=True, text=True, check=True).stdout


def subprogram(binary, name):
    """The first DIE named name, with its children, as nested dicts."""
    out = run("llvm-dwarfdump", "--name=" + name, "--show-children", binary)
    root, stack, cur, attr = None, [], None, None
    for line in out.splitlines():
        m = DIE.match(line)
        if m:
            depth = len(m.group(2))
            while stack and stack[-1]["depth"] >= depth:
                stack.pop()
            cur, attr = None, None
            if m.group(3) == "NULL":
                continue
            d = {"tag": m.group(3), "depth": depth, "attrs": {}, "children": []}
            if stack:
                stack[-1]["children"].append(d)
            elif root is None:
                root = d
            else:
                break
            stack.append(d)
            cur = d
            continue
        if cur is None:
            continue
        m = ATTR.match(line)
        if m:
            attr = m.group(1)
            cur["attrs"][attr] = [m.group(2)]
        elif attr and line.strip():
            cur["attrs"][attr].append(line.strip())
    return root


def hexes(s):
    return [int(x, 16) for x in re.findall(r"0x[0-9a-f]+", s)]


def ranges_of(d):
    a = d["attrs"]
    if "DW_AT_low_pc" in a and "DW_AT_high_pc" in a:
        lo = hexes(a["DW_AT_low_pc"][0])[0]
        h = a["DW_AT_high_pc"][0]
        hi = hexes(h)[0] if "0x" in h else int(h.strip("()"))
        return [(lo, hi if hi >= lo else lo + hi)]
    rs = []
    for line in a.get("DW_AT_ranges", []):
        for m in re.finditer(r"\[(0x[0-9a-f]+), (0x[0-9a-f]+)\)", line):
            rs.append((int(m.group(1), 16), int(m.group(2), 16)))
    return rs


def loc_at(d, pc):
    """The location expression of d at pc, or None (no location there)."""
    lines = d["attrs"].get("DW_AT_location")
    if not lines or lines[0].startswith("<empty>"):
        return None
    if not lines[0].startswith("0x"):  # one expression for the whole scope
        return lines[0].rstrip(")")
    for line in lines[1:]:
        m = RANGE.match(line)
        if m and int(m.group(1), 16) <= pc < int(m.group(2), 16):
            return (m.group(3) or "").rstrip(")")
    return None


def pieces(ops):
    """Whether each piece of the expression has a location (one for a
    whole value)."""
    if "DW_OP_piece" not in ops:
        return [bool(ops.strip())]
    res, cur = [], []
    for op in [o.strip() for o in ops.split(",")]:
        if op.startswith("DW_OP_piece"):
            res.append(bool(cur))
            cur = []
        elif op:
            cur.append(op)
    return res


_sizes = {}


def type_size(binary, off):
    if off not in _sizes:
        out = run("llvm-dwarfdump", "--debug-info=" + off, binary)
        m = re.search(r"DW_AT_byte_size\s+\((\w+)\)", out)
        t = re.search(r"DW_AT_type\s+\((0x[0-9a-f]+)", out)  # a typedef
        _sizes[off] = int(m.group(1), 0) if m else type_size(binary, t.group(1)) if t else None
    return _sizes[off]


def vars_at(sub, pc):
    """[(name, type name, type offset, ops or None)] of the parameters and
    variables of sub in scope at pc (not those of inlined calls)."""
    out = []

    def visit(d):
        for c in d["children"]:
            if c["tag"] in ("DW_TAG_formal_parameter", "DW_TAG_variable"):
                ta = c["attrs"].get("DW_AT_type", ['0x0 ""'])[0]
                out.append((c["attrs"]["DW_AT_name"][0].strip('()"'), re.search(r'"(.*)"', ta).group(1),
                            re.match(r"\(?(0x[0-9a-f]+)", ta).group(1), loc_at(c, pc)))
            elif c["tag"] == "DW_TAG_lexical_block" and any(lo <= pc < hi for lo, hi in ranges_of(c)):
                visit(c)
    visit(sub)
    return out


def whole(binary, name, typ, toff, ops):
    """"" if ops locates all of the variable, else what is wrong."""
    if ops is None or not any(pieces(ops)):
        return "no location"
    if not all(pieces(ops)):
        return "a piece has no location: " + ops
    if "DW_OP_piece" in ops:
        n = sum(int(x, 0) for x in re.findall(r"DW_OP_piece (0x[0-9a-f]+)", ops))
        if n != type_size(binary, toff):
            return "pieces of %d bytes for a %s of %s: %s" % (n, typ, type_size(binary, toff), ops)
    return ""


def load_bias(pid, exe):
    real = os.path.realpath(exe)
    start = None
    with open("/proc/%d/maps" % pid) as f:
        for line in f:
            p = line.split()
            if len(p) >= 6 and int(p[2], 16) == 0 and os.path.realpath(p[5]) == real:
                start = int(p[0].split("-")[0], 16)
                break
    for line in run("readelf", "-lW", exe).splitlines():
        p = line.split()
        if p and p[0] == "LOAD" and int(p[1], 16) == 0:
            return start - (int(p[2], 16) & ~0xfff)
    return 0


def loop_pcs(binary, sub):
    """Every instruction of the running function after its call of
    main.register, up to its morestack stub (the target of the prologue's
    stack check)."""
    lo, hi = ranges_of(sub)[0]
    out = run("objdump", "-d", "--no-show-raw-insn", "--start-address=%#x" % lo,
              "--stop-address=%#x" % hi, binary)
    ins = [(int(m.group(1), 16), m.group(2)) for m in
           (re.match(r"^\s+([0-9a-f]+):\s+(.*)$", l) for l in out.splitlines()) if m]
    stub = next(int(t.split()[1], 16) for a, t in ins if re.match(r"j(be|b|ae|a)\s", t))
    after = next(b for (a, t), (b, _) in zip(ins, ins[1:]) if "main.register" in t)
    return [a for a, t in ins if after <= a < stub]


def check(binary, oracle, pid):
    bias = load_bias(pid, binary)
    bad = 0
    roots, gone = {}, {}
    for e in oracle["maps"].values():
        r = e["root"]
        if r["kind"] == "stack":
            roots.setdefault((r["goroutine"], r["function"]), set()).add(r["variable"])
    for p in oracle["optimized_out"]:
        g, fn, v = re.match(r"g(\d+)/(.*)/([^/.\[]+)$", p).groups()
        gone.setdefault((int(g), fn), set()).add(v)

    def say(ok, g, fn, where, what):
        print("  %s %-4s %-28s %-16s %s" % ("ok  " if ok else "FAIL", "g%d" % g if g else "", fn, where, what))
        return 0 if ok else 1

    for g in oracle["goroutines"]:
        gid = g["goroutine"]
        for i, fr in enumerate(g["frames"]):
            fn = fr["function"]
            sub = subprogram(binary, fn)
            if sub is None:
                bad += say(False, gid, fn, "", "no DWARF subprogram")
                continue
            want = roots.get((gid, fn), set()) if i == 0 else set()
            dead = gone.get((gid, fn), set()) if i == 0 else set()
            if g["running"] and i == 0:
                pcs = loop_pcs(binary, sub)
                for v in sorted(want):
                    miss = [a for a in pcs if not any(n == v and not whole(binary, n, t, to, o)
                                                      for n, t, to, o in vars_at(sub, a))]
                    bad += say(not miss, gid, fn, "%d loop pcs" % len(pcs),
                               "%s %s" % (v, "at all" if not miss else
                                          "missing at " + " ".join("%#x" % a for a in miss[:6])))
                continue
            pc = int(fr["pc"], 16) - bias
            for at in (pc, pc - 1):
                where = "%s %#x" % ("pc" if at == pc else "pc-1", at)
                vs = {n: (t, to, o) for n, t, to, o in vars_at(sub, at)}
                for v in sorted(want):
                    t, to, o = vs.get(v, ("?", "0x0", None))
                    why = whole(binary, v, t, to, o)
                    bad += say(not why, gid, fn, where, "%s: %s" % (v, why or o))
                for v in sorted(dead):
                    o = vs.get(v, (0, 0, None))[2]
                    bad += say(o is None or not any(pieces(o)), gid, fn, where,
                               "%s: %s" % (v, "optimized out" if o is None else "located: " + o))
                for n, (t, to, o) in sorted(vs.items()):
                    if n not in want and o is not None and any(pieces(o)) and MAPPY.search(t):
                        bad += say(False, gid, fn, where, "%s (%s) is located, not in the oracle: %s"
                                   % (n, t, o))
    # The wrappers of go statements: trampolines without variables.
    for line in run("nm", binary).splitlines():
        name = line.split()[-1]
        if re.match(r"main\..*\.(gowrap|func)\d+$", name):
            sub = subprogram(binary, name)
            if sub and "DW_AT_trampoline" in sub["attrs"]:
                bad += say(not sub["children"], 0, name, "trampoline",
                           "%d children" % len(sub["children"]))
    return bad


def main():
    for tool in ("llvm-dwarfdump", "objdump", "readelf", "nm"):
        if not shutil.which(tool):
            sys.exit("census_locs: %s not found" % tool)
    total = 0
    for v in sys.argv[1:] or targets.CENSUS_TARGETS:
        path = targets.censustarget(v)
        p, o = targets.start(path)
        try:
            print("%s: %s %s, pid %d, %d maps" % (v, o["go_version"], o["impl"], p.pid, len(o["maps"])))
            b = check(path, o, p.pid)
        finally:
            targets.stop(p)
        print("%s: %s" % (v, "OK" if b == 0 else "%d FAILED" % b))
        total += b
    sys.exit(1 if total else 0)


if __name__ == "__main__":
    main()
