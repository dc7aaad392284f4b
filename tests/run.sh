#!/usr/bin/env bash
# tests/run.sh - every test mapdiag has, in one run; called by `make check`.
#
#   0. the shape of the source: the Makefile's layer table holds
#      (tests/layers.sh) and no function of the pause path is longer than
#      80 lines (tests/funclen.py);
#   1. unit tests (C, synthetic buffers), built normally and run under
#      ASan+UBSan;
#   2. the dwarf/ unit test on real Go binaries of every variant;
#   3. integration tests: attach to real Go processes of every variant and
#      build mode, compare with their own reports, errors, liveness; watch
#      them without stopping; scan every map of their globals; every path
#      scan prints through attach and watch (test_paths.py); safety
#      (corrupt maps, races, signals, permissions, read-only: test_safety.py);
#      the command line's conventions (test_cli.py); the output for people and
#      monitoring systems, in a pty at 80 and 200 columns (test_output.py);
#      the README's examples, regenerated and compared (test_readme.py);
#      every JSON object against doc/json-schema.json, and the doc against
#      it (test_json_schema.py); Go releases outside the tested ones: the
#      warning and the refusals (test_releases.py);
#   4. the same integration tests on two variants with an ASan+UBSan build
#      of mapdiag, and one attach under valgrind memcheck;
#   5. the libFuzzer harnesses of tests/fuzz/, each for a bounded time;
#   6. what is installed (tests/pkg/): the man page and the completions
#      against --help and a live target, make install, and the .deb built
#      from a copy of the tree with dpkg-buildpackage and extracted.
# Each part prints 'N passed, N failed'; the last line is the total.
set -uo pipefail
cd "$(dirname "$0")/.."

total_pass=0
total_fail=0
mkdir -p tests/out
# mapdiag keeps decompressed DWARF in a cache (dwarf/md_dwsrc.c): one of
# our own per run, so runs neither depend on nor fill the user's
export MAPDIAG_CACHE_DIR
MAPDIAG_CACHE_DIR=$(mktemp -d "${TMPDIR:-/tmp}/mapdiag-cache.XXXXXX")
trap 'rm -rf "$MAPDIAG_CACHE_DIR"' EXIT

# run NAME CMD...: run a part, echo its output, add its counts.
run() {
	local name=$1; shift
	local log=tests/out/$name.log
	echo "== $name"
	"$@" >"$log" 2>&1
	local rc=$?
	grep -v '^ok ' "$log"
	local line p f
	line=$(grep -E '^([a-z_-]+: )?[0-9]+ passed, [0-9]+ failed' "$log" | tail -n 1)
	if [ -z "$line" ]; then
		echo "FAIL $name: no result line (exit $rc)"
		total_fail=$((total_fail + 1))
		return
	fi
	p=$(grep -oE '[0-9]+ passed' <<<"$line" | grep -oE '[0-9]+')
	f=$(grep -oE '[0-9]+ failed' <<<"$line" | grep -oE '[0-9]+')
	total_pass=$((total_pass + p))
	total_fail=$((total_fail + f))
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		echo "FAIL $name: exit $rc with no failed test"
		total_fail=$((total_fail + 1))
	fi
}

# 0. the source's shape
run layers bash tests/layers.sh
run funclen python3 tests/funclen.py

# 1. unit tests, plain and sanitized
for t in build/tests/test_*; do
	[ -x "$t" ] || continue
	n=$(basename "$t")
	[ "$n" = test_dwarf ] && continue
	run "unit-$n" "$t"
done
make --no-print-directory -s san >tests/out/san-build.log 2>&1 ||
	{ cat tests/out/san-build.log; echo "FAIL sanitizer build"; total_fail=$((total_fail + 1)); }
for t in build/san/tests/test_*; do
	[ -x "$t" ] || continue
	n=$(basename "$t")
	[ "$n" = test_dwarf ] && continue
	run "unit-san-$n" "$t"
done

# 2. dwarf/ on real binaries
if [ -x build/tests/test_dwarf ]; then
	run unit-test_dwarf build/tests/test_dwarf testdata/bin
	[ -x build/san/tests/test_dwarf ] && run unit-san-test_dwarf build/san/tests/test_dwarf testdata/bin
fi

# 3. integration
run integration python3 tests/integration/test_attach.py
# writers parked mid-write (issue 17): attributed, never called stale
run integration-parked python3 tests/integration/test_parked.py
run integration-watch python3 tests/integration/test_watch.py
run integration-scan python3 tests/integration/test_scan.py
run integration-paths python3 tests/integration/test_paths.py
run integration-census python3 tests/integration/test_census.py
# core files (issue 18): gcore'd and kernel cores read back equal to the
# live process
run integration-core python3 tests/integration/test_core.py
# inlined frames (issue 17): --threads frames equal gdb's bt, inlined
# calls included, on every variant
run integration-inline python3 tests/integration/test_inline.py
run integration-ps python3 tests/integration/test_ps.py
# threads in C code (issue 17): C frames through .eh_frame equal to gdb's,
# the g of a thread in C through the PT_TLS-placed slot (cgotarget)
run integration-cframes python3 tests/integration/test_cframes.py
# robustness (issue 7): corrupt target memory, races with the target,
# signals and SIGKILL, permissions, read-only under strace
run integration-safety python3 tests/integration/test_safety.py
run promcheck-selftest python3 tests/integration/promcheck.py --self-test
# command-line conventions (issue 16): durations, help, did-you-mean,
# SIGPIPE, NO_COLOR/TERM=dumb, exit code = status word = stderr's cause
run integration-cli python3 tests/integration/test_cli.py go1.26
# what people and monitoring systems read (issue 16): the status line and
# its perfdata, short output, -v/--explain, lines that fit 80 and 200
# columns in a pty, --warn-bytes; the README's examples are real output
run integration-output python3 tests/integration/test_output.py
run integration-readme python3 tests/integration/test_readme.py
# JSON that can be relied on (issue 16): every object attach, scan, watch,
# ps and the fatal errors print, against doc/json-schema.json; the doc
# against the schema; status = exit_code = exit status
run integration-json python3 tests/integration/test_json_schema.py go1.26 go1.23
run integration-releases python3 tests/integration/test_releases.py

# 4. sanitizers and valgrind on real attaches
MAPDIAG=build/san/mapdiag run integration-asan python3 tests/integration/test_attach.py go1.23 go1.26
MAPDIAG=build/san/mapdiag PARKED_SAMPLES=15 run integration-parked-asan python3 tests/integration/test_parked.py go1.23 go1.26
MAPDIAG=build/san/mapdiag run integration-scan-asan python3 tests/integration/test_scan.py go1.26
MAPDIAG=build/san/mapdiag run integration-paths-asan python3 tests/integration/test_paths.py go1.26
MAPDIAG=build/san/mapdiag run integration-output-asan python3 tests/integration/test_output.py go1.26
MAPDIAG=build/san/mapdiag run integration-cframes-asan python3 tests/integration/test_cframes.py go1.26
MAPDIAG=build/san/mapdiag run integration-inline-asan python3 tests/integration/test_inline.py go1.23 go1.26
MAPDIAG=build/san/mapdiag CENSUS_KILLS=5 run integration-census-asan python3 tests/integration/test_census.py go1.26 go1.23
MAPDIAG=build/san/mapdiag run integration-core-asan python3 tests/integration/test_core.py go1.23 go1.26
MAPDIAG_WRAP="valgrind -q --error-exitcode=99 --leak-check=full --show-leak-kinds=definite,possible --errors-for-leak-kinds=definite,possible" \
	run integration-valgrind python3 tests/integration/test_attach.py go1.25-noswiss go1.27

# 5. libFuzzer harnesses (tests/fuzz/): regression inputs, then a bounded
#    run of each (about 45 s in all); a missing clang/libFuzzer fails here
run fuzz make --no-print-directory -s fuzz-check

# 6. installable (issue 16): man page, completions, make install; the .deb
#    (compiles the project once more, out of tree)
run pkg-docs bash tests/pkg/test_docs.sh
run pkg-completion bash tests/pkg/test_completion.sh
run pkg-deb bash tests/pkg/test_deb.sh

echo
echo "$total_pass passed, $total_fail failed"
[ "$total_fail" -eq 0 ]
