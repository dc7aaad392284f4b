#!/usr/bin/env python3
"""tests/fuzz/seed/mkcorpus.py - the hand-made starting inputs of
fuzz_expr, fuzz_decode and fuzz_walk (written to tests/fuzz/corpus/<h>/,
committed; rerun only to change them).  Each input follows the layout its
harness's header comment describes; what libFuzzer adds to a corpus while
fuzzing goes to build/fuzz/work/, not here.

    python3 tests/fuzz/seed/mkcorpus.py
"""
import os
import struct

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "corpus")
PTR = 0xa5 << 56     # an arena pointer: top byte 0xa5, offset in the low bits


def put(h, name, data):
    d = os.path.join(ROOT, h)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


# ---- fuzz_expr: expressions ------------------------------------------------
for i, e in enumerate([
    "main.idle", "main.holder.inner.m", "main.holder.p.s", "main.arr[1]",
    "main.sl[3]", "main.pm", "runtime.buildVersion", "main.idle[0]",
    "example.com/acme/store.Sessions", "main.shards[2].m", "main.x[99999999999999999999]",
    "main..x", "[1].x", "main.", "main.a]b",
]):
    put("fuzz_expr", "seed-%02d" % i, e.encode())

# ---- fuzz_decode ------------------------------------------------------------
def ctl(layout, readpath, rel=5, swiss_drawn=0):
    return bytes([layout | (swiss_drawn << 2) | (readpath << 3) | (rel << 4)])


def hmap_hdr(count, flags, B, nover, hash0, buckets, old, nevac, extra, clear=None):
    b = struct.pack("<QBBHIQQQ", count, flags, B, nover, hash0, buckets, old, nevac)
    if clear is not None:
        b += struct.pack("<Q", clear)
    return b + struct.pack("<Q", extra)


def swiss_hdr(used, seed, dirptr, dirlen, gdepth, gshift, writing, tomb, clear):
    return struct.pack("<QQQqBBBBxxxxQ", used, seed, dirptr, dirlen, gdepth, gshift,
                       writing, tomb, clear)


def table(used, cap, gl, ld, index, groups, mask):
    return struct.pack("<HHHBxqQQ", used, cap, gl, ld, index, groups, mask)


NOTH = b"\x00"                      # default thresholds
# classic, pure: growing-idle, writing, oversized, overflow pressure
put("fuzz_decode", "hmap-growing-idle", ctl(0, 0, 2) + NOTH +
    hmap_hdr(1665, 0, 9, 0, 0x1f28c22b, 0xc0000be000, 0xc0000b2000, 1, 0xc000010180))
put("fuzz_decode", "hmap-writing", ctl(0, 0, 0) + NOTH +
    hmap_hdr(100, 4 | 1, 4, 3, 0xdeadbeef, 0xc000100000, 0, 0, 0xc000200000))
put("fuzz_decode", "hmap-oversized", ctl(1, 0, 4) + NOTH +
    hmap_hdr(10, 0, 17, 0, 1, 0xc000100000, 0, 0, 0, clear=3))
put("fuzz_decode", "hmap-overflow", ctl(0, 0, 1) + b"\x01" + struct.pack(
    "<HQIH", 0x2000, 1 << 20, 0x10000000, 0x2000) +
    hmap_hdr(5000, 0, 10, 2000, 7, 0xc000100000, 0, 0, 0xc000200000))
put("fuzz_decode", "hmap-readpath", ctl(0, 1, 3) + NOTH +
    hmap_hdr(1665, 8, 9, 600, 0x1f28c22b, 0xc0000be000, 0xc0000b2000, 256, 0))
# Swiss, pure: directory of 4 entries (2 tables, one filling 2 slots), tables
dirb = bytes([1, 1, 2, 3])
tabs = (table(700, 1024, 196, 1, 0, 0xc000400000, 127) +
        table(3, 8, 4, 2, 2, 0xc000500000, 0) + table(0, 0, 0, 2, 3, 0, 0))
put("fuzz_decode", "swiss-dir4", ctl(2, 0, 5) + NOTH +
    swiss_hdr(703, 0xa3765684b88730d0, 0xc000300000, 4, 2, 62, 0, 1, 0) + dirb + tabs)
put("fuzz_decode", "swiss-small", ctl(2, 0, 6) + NOTH +
    swiss_hdr(7, 1, 0xc000300000, 0, 0, 0, 1, 0, 9))
put("fuzz_decode", "swiss-baddir", ctl(2, 0, 3) + NOTH +
    swiss_hdr(7, 1, 0xc000300000, 1 << 21, 21, 43, 0, 0, 0))


def arena_swiss():
    """Header at 0, directory (4 entries) at 0x100, tables at 0x200.."""
    a = bytearray(0x300)
    a[0:48] = swiss_hdr(703, 5, PTR | 0x100, 4, 2, 62, 0, 1, 0)
    struct.pack_into("<QQQQ", a, 0x100, PTR | 0x200, PTR | 0x200, PTR | 0x220, 0)
    a[0x200:0x220] = table(700, 1024, 196, 1, 0, 0xc000400000, 127)
    a[0x220:0x240] = table(3, 8, 4, 2, 2, 0xc000500000, 0)
    return bytes(a)


put("fuzz_decode", "swiss-readpath", ctl(2, 1, 5) + NOTH + arena_swiss())
# a drawn layout equal to the real one (fields as offset/size byte pairs)
SZ = {1: 0, 2: 1, 4: 2, 8: 3}


def fld(off, size):
    return bytes([off, SZ[size]])


drawn = (struct.pack("<H", 47) + fld(0, 8) + fld(8, 8) + fld(16, 8) + fld(24, 8) +
         fld(32, 1) + fld(33, 1) + fld(34, 1) + fld(35, 1) + fld(40, 8) +
         struct.pack("<H", 31) + fld(0, 2) + fld(2, 2) + fld(4, 2) + fld(6, 1) +
         fld(8, 8) + fld(16, 8) + fld(24, 8) + struct.pack("<I", 136))
put("fuzz_decode", "swiss-drawn-readpath", ctl(3, 1, 5, 1) + drawn + NOTH + arena_swiss())
hdrawn = (struct.pack("<H", 47) + fld(0, 8) + fld(8, 1) + fld(9, 1) + fld(10, 2) +
          fld(12, 4) + fld(16, 8) + fld(24, 8) + fld(32, 8) + fld(40, 8) +
          bytes([0x80, 0]) + struct.pack("<I", 144))
put("fuzz_decode", "hmap-drawn", ctl(3, 0, 2, 0) + hdrawn + NOTH +
    hmap_hdr(1665, 0, 9, 0, 0x1f28c22b, 0xc0000be000, 0xc0000b2000, 1, 0xc000010180))

# ---- fuzz_walk ----------------------------------------------------------------
def slot(kind, target, off, d=0):
    # kind: 1 map, 2 ptr, 3 slice, 4 note -> a = kind - 1; off in words
    return bytes([kind - 1, target, off, d])


# shape 0: ring node {m map; next *node}; shape 1: []map; shape 2: holder
# {s []map; note}; shape 3: *node
walk = bytes([3, 1, 0, 1, 0])  # 4 shapes: slots 2, 1, 2, 1
walk += slot(1, 0, 0) + slot(2, 0, 1)
walk += slot(1, 0, 0)
walk += slot(3, 1, 0, 1) + slot(4, 0, 3)
walk += slot(2, 0, 0)
walk += bytes([2])                                    # 3 roots
walk += bytes([0]) + struct.pack("<H", 0)              # ring at 0
walk += bytes([2]) + struct.pack("<H", 0x40 // 8)      # holder at 0x40
walk += bytes([3]) + struct.pack("<H", 0x80 // 8)      # pointer at 0x80
a = bytearray(0x200)
struct.pack_into("<QQ", a, 0x00, 0x1000, PTR | 0x10)   # ring[0]
struct.pack_into("<QQ", a, 0x10, 0x2000, PTR | 0x20)   # ring[1]
struct.pack_into("<QQ", a, 0x20, 0x3000, PTR | 0x00)   # ring[2] -> ring[0]
struct.pack_into("<QQQ", a, 0x40, PTR | 0x100, 3, 3)   # holder.s: 3 maps
struct.pack_into("<Q", a, 0x80, PTR | 0x10)            # pointer to ring[1]
struct.pack_into("<QQQ", a, 0x100, 0x2000, 0x9000, 0)
put("fuzz_walk", "ring-slice-alias", walk + bytes(a))
# a slice claiming 2^62 elements of a zeroed region
w2 = bytes([1, 0, 0]) + slot(3, 1, 0, 1) + slot(1, 0, 0) + bytes([0, 0]) + struct.pack("<H", 0)
a2 = bytearray(0x40)
struct.pack_into("<QQQ", a2, 0, PTR | 0x1000, 1 << 62, 1 << 62)
put("fuzz_walk", "huge-slice", w2 + bytes(a2))
