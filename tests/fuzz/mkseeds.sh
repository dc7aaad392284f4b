#!/usr/bin/env bash
# tests/fuzz/mkseeds.sh OUTDIR - the generated seeds of fuzz_dwarf.
#
#   OUTDIR/mini        tests/fuzz/seed/mini.S assembled and linked: a 13 KB
#                      Go-like executable whose every byte dwarf/ parses
#   OUTDIR/mini-z      the same with SHF_COMPRESSED (zlib) DWARF, as Go
#                      writes it by default
#   OUTDIR/mini-nosec  the same without section headers: build info found
#                      through the program headers, no DWARF (MD_E_NODWARF)
#   OUTDIR/mini5       the same in DWARF 5 as Go >= 1.25 writes it
#                      (.debug_addr, .debug_rnglists, .debug_loclists)
#   OUTDIR/mini5-z     mini5 with compressed DWARF
#
# Needs cc (gcc or clang), ld and objcopy (binutils).  Real Go binaries are
# added at run time by tests/fuzz/run.sh from testdata/bin (never committed).
set -euo pipefail
out=${1:?usage: mkseeds.sh OUTDIR}
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
mkdir -p "$out"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/mkseeds.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

${CC:-cc} -c "$here/seed/mini.S" -o "$tmp/mini.o"
${CC:-cc} -DDWARF5 -c "$here/seed/mini.S" -o "$tmp/mini5.o"
ld -static --build-id=sha1 -e _start -o "$tmp/mini" "$tmp/mini.o"
ld -static --build-id=sha1 -e _start -o "$tmp/mini5" "$tmp/mini5.o"
objcopy --compress-debug-sections=zlib-gabi "$tmp/mini" "$tmp/mini-z"
objcopy --compress-debug-sections=zlib-gabi "$tmp/mini5" "$tmp/mini5-z"
# No section headers at all: e_shoff/e_shnum/e_shstrndx zeroed.
cp "$tmp/mini" "$tmp/mini-nosec"
python3 - "$tmp/mini-nosec" <<'EOF'
import struct, sys
p = sys.argv[1]
b = bytearray(open(p, 'rb').read())
struct.pack_into('<Q', b, 0x28, 0)      # e_shoff
struct.pack_into('<HHH', b, 0x3a, 0, 0, 0)  # e_shentsize, e_shnum, e_shstrndx
open(p, 'wb').write(b)
EOF
for f in mini mini-z mini-nosec mini5 mini5-z; do
	mv -f "$tmp/$f" "$out/$f"
done
