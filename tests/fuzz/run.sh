#!/usr/bin/env bash
# tests/fuzz/run.sh MODE [HARNESS...] - run the libFuzzer harnesses.
#
#   check  (make fuzz-check, a step of make check): each harness first runs
#          its regression inputs once (tests/fuzz/regress/<h>/), then fuzzes
#          for a bounded time (FUZZ_TIME seconds, default 8; fuzz_dwarf 12,
#          fuzz_plan 10) from its committed corpus, regressions and seeds,
#          into a scratch corpus thrown away afterwards.
#   long   (make fuzz): the same for FUZZ_TIME seconds each (default 300),
#          keeping what it learns in build/fuzz/work/<h>/ across runs.
#
# Harnesses: build/fuzz/<h>, built by make fuzz-build.  fuzz_walk's
# interface step and fuzz_stack load testdata/bin's go1.23 and go1.26
# censustarget (tests/fuzz/fuzz_gobin.h), else the generated mini.  The seeds of
# fuzz_dwarf and fuzz_plan (both take whole files) are generated
# (build/fuzz/seeds: tests/fuzz/mkseeds.sh) and copied from testdata/bin
# (real Go binaries, 2-5 MB: never committed).
#
# Prints "ok <h>: ..." for a harness that ran clean and "FAIL <h>: ..." with
# the sanitizer's summary and the saved input (build/fuzz/artifacts/) for a
# crash, leak, timeout or out-of-memory; the last line is "fuzz: N passed,
# N failed" (one per harness).  A missing harness binary is a failure.
set -uo pipefail
cd "$(dirname "$0")/../.."

mode=${1:-check}
shift || true
harnesses=${*:-fuzz_dwarf fuzz_expr fuzz_decode fuzz_walk fuzz_plan fuzz_stack fuzz_core}
B=build/fuzz
pass=0
fail=0
total_runs=0
mkdir -p "$B/artifacts" "$B/logs"

case $mode in
check) default_time=8 ;;
long) default_time=300 ;;
*) echo "usage: tests/fuzz/run.sh check|long [harness...]" >&2; exit 2 ;;
esac

# Real Go binaries for fuzz_dwarf and fuzz_plan: a classic and a Swiss one
# in check mode, more release variants and build modes in long mode.
seed_go() {
	local dir=$B/seeds-go-$mode v src
	local list="go1.23/maptarget go1.26-nocompress/maptarget"
	[ "$mode" = long ] && list="$list go1.21/maptarget go1.24-noswiss/maptarget \
go1.26/maptarget go1.26-pie/maptarget go1.26-extld/maptarget go1.27/maptarget \
go1.23-debugfile/maptarget go1.23-debugfile/maptarget.debug demo/demo"
	mkdir -p "$dir"
	for v in $list; do
		src=testdata/bin/$v
		[ -f "$src" ] || continue
		cp -u "$src" "$dir/$(echo "$v" | tr / _)"
	done
	echo "$dir"
}

for h in $harnesses; do
	bin=$B/$h
	log=$B/logs/$h-$mode.log
	if [ ! -x "$bin" ]; then
		echo "FAIL $h: $bin not built (make fuzz-build; needs clang with libFuzzer)"
		fail=$((fail + 1))
		continue
	fi
	t=${FUZZ_TIME:-$default_time}
	if [ -z "${FUZZ_TIME:-}" ] && [ "$mode" = check ]; then
		[ "$h" = fuzz_dwarf ] && t=12
		[ "$h" = fuzz_plan ] && t=10
	fi
	opts=(-rss_limit_mb=2048 -malloc_limit_mb=1024 -timeout=20 -print_final_stats=1)
	dirs=(tests/fuzz/corpus/$h tests/fuzz/regress/$h)
	if [ "$h" = fuzz_dwarf ] || [ "$h" = fuzz_plan ]; then
		gd=$(seed_go)
		dirs+=("$B/seeds" "$gd")
		# the largest seed must not be cut short; len_control would
		# truncate mutations of multi-MB seeds
		max=$(find "${dirs[@]}" -type f -printf '%s\n' 2>/dev/null | sort -n | tail -n 1)
		max=$(( ${max:-0} > 65536 ? max : 65536 ))
		opts+=(-max_len="$max" -len_control=0 -timeout=60)
		[ -n "$(ls -A "$gd")" ] || echo "note $h: no testdata/bin binaries (bash tests/build-targets.sh): generated seeds only"
	fi
	if [ "$h" = fuzz_walk ] || [ "$h" = fuzz_stack ]; then
		# their real Go binaries (fuzz_gobin.h): the inputs mean less with mini
		[ -f testdata/bin/go1.23/censustarget ] || [ -n "${FUZZ_GOBIN:-}" ] ||
			echo "note $h: no testdata/bin/go1.23/censustarget (make targets): seeds/mini's DWARF only"
	fi
	mkdir -p "${dirs[@]}"

	# 1. every regression input, once
	mapfile -t reg < <(find "tests/fuzz/regress/$h" -type f | sort)
	if [ "${#reg[@]}" -gt 0 ]; then
		if ! "$bin" "${opts[@]}" "${reg[@]}" >"$log" 2>&1; then
			echo "FAIL $h: a regression input fails again"
			grep -E 'ERROR|SUMMARY|FUZZ_CHECK|runtime error|^Running:' "$log" | tail -n 6
			fail=$((fail + 1))
			continue
		fi
	fi

	# 2. fuzz for t seconds
	if [ "$mode" = long ]; then
		work=$B/work/$h
		mkdir -p "$work"
	else
		work=$(mktemp -d "${TMPDIR:-/tmp}/fuzz-$h.XXXXXX")
	fi
	art=$B/artifacts/$h-
	start=$(date +%s)
	"$bin" "${opts[@]}" -max_total_time="$t" -artifact_prefix="$art" \
		"$work" "${dirs[@]}" >"$log" 2>&1
	rc=$?
	secs=$(( $(date +%s) - start ))
	if [ "$mode" = long ]; then
		# mutated multi-MB Go binaries: cheap to find again from the seeds,
		# dear to keep (hundreds of MB after a few minutes)
		case $h in fuzz_dwarf | fuzz_plan) find "$work" -type f -size +1M -delete ;; esac
	else
		rm -rf "$work"
	fi
	runs=$(grep -oE '^Done [0-9]+ runs' "$log" | grep -oE '[0-9]+' | tail -n 1)
	[ -n "$runs" ] || runs=$(grep -oE 'stat::number_of_executed_units: *[0-9]+' "$log" | grep -oE '[0-9]+$' | tail -n 1)
	runs=${runs:-0}
	total_runs=$((total_runs + runs))
	if [ "$rc" -eq 0 ] && grep -q '^Done ' "$log"; then
		cov=$(grep -oE 'cov: [0-9]+ ft: [0-9]+ corp: [0-9]+' "$log" | tail -n 1)
		echo "ok $h: $runs runs in ${secs}s ($cov)"
		pass=$((pass + 1))
	else
		saved=$(grep -oE "Test unit written to [^ ]+" "$log" | tail -n 1 | sed 's/Test unit written to //')
		echo "FAIL $h: exit $rc after $runs runs in ${secs}s; input saved as ${saved:-?} (log $log)"
		grep -E 'ERROR: |SUMMARY: |FUZZ_CHECK|runtime error|ALARM|out-of-memory' "$log" | head -n 6
		echo "  reproduce: $bin $saved; minimize: $bin -minimize_crash=1 -max_total_time=60 $saved;"
		echo "  then add the minimized input to tests/fuzz/regress/$h/"
		fail=$((fail + 1))
	fi
done

echo "fuzz: $total_runs executions"
echo "fuzz: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
