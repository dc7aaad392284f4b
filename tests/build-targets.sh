#!/usr/bin/env bash
# tests/build-targets.sh - build the Go test targets of mapdiag, for every Go
# variant and build mode, offline and incrementally.
#
#   testdata/bin/<variant>[-<mode>]/maptarget   from testdata/maps (./cmd/maptarget)
#   testdata/bin/<variant>/writers              from testdata/writers (variants only)
#   testdata/bin/<variant>/watchtarget          from testdata/watchtarget (variants only)
#   testdata/bin/<variant>/inlinetarget         from testdata/inlinetarget (variants only:
#                                               threads parked inside inlined calls)
#   testdata/bin/<variant>/crashtarget          from testdata/crashtarget (variants only: dies of
#                                               concurrent map writes, for post-mortem tests)
#   testdata/bin/<variant>/scantarget           from testdata/maps (./cmd/scantarget, variants only)
#   testdata/bin/<variant>[-<mode>]/censustarget from testdata/maps (./cmd/censustarget: maps on
#                                               goroutine stacks, behind interfaces, in maps);
#                                               every variant, and the CENSUS_MODES of MODE_RELEASES
#   testdata/bin/<release>/corrupt              from testdata/corrupt (go1.23 and go1.26 only:
#                                               maps with corrupted headers, see its main.go)
#   testdata/bin/<release>/cgotarget            from testdata/cgotarget (CGO_RELEASES only, with
#                                               CGO_ENABLED=1: a thread blocked in C two calls
#                                               deep, C thread-locals around the g slot)
#   testdata/bin/demo/demo                      from testdata/demo (go1.26)
#
# Variants: go1.19 go1.21 go1.22 go1.23 go1.24 go1.24-noswiss go1.25
# go1.25-noswiss go1.26 go1.27 go1.27-splitgroup (toolchains in /usr/lib/go-1.NN;
# -noswiss = GOEXPERIMENT=noswissmap, -splitgroup = GOEXPERIMENT=mapsplitgroup).
# Modes, on go1.23 (classic hmap) and go1.26 (Swiss):
#   pie         -buildmode=pie
#   extld       -ldflags=-linkmode=external, CGO_ENABLED=1 (needs gcc)
#   trimpath    -trimpath
#   nocompress  -ldflags=-compressdwarf=false
#   debugfile   DWARF moved to maptarget.debug next to the binary, which gets a
#               .gnu_debuglink to it
#   buildid     -ldflags=-B=gobuildid; DWARF moved to
#               debugroot/.build-id/xx/rest.debug, binary stripped, no debuglink
#   nodwarf     -ldflags=-w
#
# A target is skipped when its outputs exist and are newer than every file of
# its Go module under testdata/, this script, and its toolchain's VERSION file.
# Prints one line per target built; exits non-zero if any build fails.
#
# Arguments, if any, are shell patterns: only the targets whose names match
# one are considered, e.g. 'censustarget-*' or 'go1.26*'. Names: <variant>
# and <release>-<mode> (maptarget), writers-<variant>, watchtarget-<variant>, crashtarget-<variant>,
# scantarget-<variant>, censustarget-<variant>[-<mode>], corrupt-<release>,
# cgotarget-<release>, demo.
#
# Environment: JOBS (parallel toolchain chains, default: number of CPUs),
# FORCE=1 (rebuild everything), GOCACHE (default testdata/bin/.gocache, one
# cache shared by all toolchains: its keys include the toolchain version).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
SCRIPT="$ROOT/tests/build-targets.sh"
TD="$ROOT/testdata"
OUT="$TD/bin"
GOLIB=${GOLIB:-/usr/lib}
JOBS=${JOBS:-$(nproc 2>/dev/null || echo 2)}
FORCE=${FORCE:-0}

VARIANTS="go1.19 go1.21 go1.22 go1.23 go1.24 go1.24-noswiss go1.25 go1.25-noswiss go1.26 go1.27 go1.27-splitgroup"
MODES="pie extld trimpath nocompress debugfile buildid nodwarf"
CENSUS_MODES="pie extld"
MODE_RELEASES="go1.23 go1.26"
CGO_RELEASES="go1.21 go1.23 go1.26 go1.27"
DEMO_RELEASE="go1.26"

mkdir -p "$OUT"
export GOCACHE=${GOCACHE:-$OUT/.gocache}
# Offline, reproducible, independent of the caller's Go settings.
export GOTOOLCHAIN=local GOPROXY=off GOFLAGS=-mod=mod GOWORK=off GO111MODULE=on \
	GOENV=off GOSUMDB=off
unset GOROOT GOPATH GOOS GOARCH GOEXPERIMENT GOBIN CGO_ENABLED CC CGO_CFLAGS CGO_LDFLAGS 2>/dev/null || true

TMPROOT="$OUT/.tmp"
mkdir -p "$TMPROOT"
STATUS=$(mktemp -d "${TMPDIR:-/tmp}/build-targets.XXXXXX")
trap 'rm -rf "$STATUS"' EXIT

die() { echo "build-targets: $*" >&2; exit 1; }

for tool in objcopy readelf; do
	command -v "$tool" >/dev/null || die "$tool not found (binutils)"
done

# up_to_date OUTPUT... -- SOURCE_DIR VERSION_FILE
up_to_date() {
	local outs=() f
	while [ "$1" != "--" ]; do outs+=("$1"); shift; done
	shift
	local srcdir=$1 verfile=$2
	[ "$FORCE" = 1 ] && return 1
	for f in "${outs[@]}"; do
		[ -e "$f" ] || return 1
		[ "$SCRIPT" -nt "$f" ] && return 1
		[ "$verfile" -nt "$f" ] && return 1
		[ -n "$(find "$srcdir" -type f -newer "$f" -print -quit)" ] && return 1
	done
	return 0
}

# toolchain_of VARIANT -> /usr/lib/go-1.NN
toolchain_of() {
	local rel=${1%%-*}
	echo "$GOLIB/go-${rel#go}"
}

# build_one NAME: build testdata/bin/NAME into a temporary directory, then
# move it into place (a failed or interrupted build leaves no new binary).
# NAME writers-<variant> is testdata/bin/<variant>/writers, moved in alone;
# likewise watchtarget-<variant>, inlinetarget-<variant>, scantarget-<variant>,
# censustarget-<variant>[-<mode>] and corrupt-<release>.
build_one() {
	local name=$1 rel mode goroot srcdir pkg exe dir=$1
	local envs=(CGO_ENABLED=0) flags=() ldflags=()
	if [ "$name" = demo ]; then
		rel=$DEMO_RELEASE mode= srcdir="$TD/demo" pkg=. exe=demo
	elif [[ "$name" == writers-* || "$name" == watchtarget-* || "$name" == inlinetarget-* ||
		"$name" == corrupt-* || "$name" == cgotarget-* || "$name" == crashtarget-* ]]; then
		exe=${name%%-*} dir=${name#*-}
		rel=${dir%%-*} mode=${dir#"$rel"} mode=${mode#-}
		srcdir="$TD/$exe" pkg=.
		# cgo: the C part is the point (internal or external linking
		# is the go command's choice, as for users' cgo builds)
		[ "$exe" = cgotarget ] && envs=(CGO_ENABLED=1)
	elif [[ "$name" == scantarget-* || "$name" == censustarget-* ]]; then
		exe=${name%%-*} dir=${name#*-}
		rel=${dir%%-*} mode=${dir#"$rel"} mode=${mode#-}
		srcdir="$TD/maps" pkg=./cmd/$exe
	else
		rel=${name%%-*} mode=${name#"$rel"} mode=${mode#-}
		srcdir="$TD/maps" pkg=./cmd/maptarget exe=maptarget
	fi
	goroot=$(toolchain_of "$rel")
	[ -x "$goroot/bin/go" ] || { echo "build-targets: $name: no toolchain at $goroot" >&2; return 1; }

	local dest="$OUT/$dir" outs=()
	outs=("$dest/$exe")
	case "$mode" in
	"") ;;
	noswiss) envs+=(GOEXPERIMENT=noswissmap) ;;
	splitgroup) envs+=(GOEXPERIMENT=mapsplitgroup) ;;
	pie) flags+=(-buildmode=pie) ;;
	extld) envs=(CGO_ENABLED=1) ldflags+=(-linkmode=external) ;;
	trimpath) flags+=(-trimpath) ;;
	nocompress) ldflags+=(-compressdwarf=false) ;;
	debugfile) outs+=("$dest/$exe.debug") ;;
	buildid) ldflags+=(-B=gobuildid) outs+=("$dest/debugroot") ;;
	nodwarf) ldflags+=(-w) ;;
	*) echo "build-targets: $name: unknown mode $mode" >&2; return 1 ;;
	esac
	if up_to_date "${outs[@]}" -- "$srcdir" "$goroot/VERSION"; then
		return 0
	fi
	if [ ${#ldflags[@]} -gt 0 ]; then
		flags+=("-ldflags=${ldflags[*]}")
	fi

	local t0=$SECONDS tmp log
	tmp=$(mktemp -d "$TMPROOT/$name.XXXXXX")
	log="$tmp.log"
	if ! (cd "$srcdir" && env "${envs[@]}" PATH="$goroot/bin:$PATH" \
		"$goroot/bin/go" build ${flags[@]+"${flags[@]}"} -o "$tmp/$exe" "$pkg") >"$log" 2>&1; then
		echo "build-targets: $name: go build failed:" >&2
		sed 's/^/  /' "$log" >&2
		rm -rf "$tmp" "$log"
		return 1
	fi
	if ! post_process "$name" "$mode" "$tmp" "$exe" >>"$log" 2>&1; then
		echo "build-targets: $name: post-processing failed:" >&2
		sed 's/^/  /' "$log" >&2
		rm -rf "$tmp" "$log"
		return 1
	fi
	rm -f "$log"
	chmod 755 "$tmp"
	if [ "$exe" != maptarget ]; then
		mkdir -p "$dest" && mv -f "$tmp/$exe" "$dest/$exe" && rmdir "$tmp" || return 1
	else
		# Keep the other targets' binaries that share the directory.
		local other
		for other in writers watchtarget inlinetarget scantarget censustarget corrupt cgotarget \
			crashtarget; do
			[ ! -e "$dest/$other" ] || mv "$dest/$other" "$tmp/" || return 1
		done
		rm -rf "$dest"
		mv "$tmp" "$dest" || return 1
	fi
	: >"$STATUS/built.$name"
	echo "built $name ($(head -n1 "$goroot/VERSION")${mode:+, $mode}) in $((SECONDS - t0))s"
}

# readelf output is captured before it is searched: an early-exiting grep -q
# or awk on a pipe can SIGPIPE readelf, and pipefail would then fail a check
# that actually passed.

# has_section FILE NAME
has_section() {
	local s
	s=$(readelf -SW "$1") || return 1
	awk -v n="$2" '{ sub(/^ *\[ *[0-9]+\] */, "") } $1 == n { found = 1 } END { exit !found }' <<<"$s"
}

# build_id FILE: the GNU build id, hex
build_id() {
	local s
	s=$(readelf -n "$1") || return 1
	awk '/Build ID:/ { print $3; exit }' <<<"$s"
}

# has_dwarf FILE: .debug_info present with contents, and readable by readelf.
has_dwarf() {
	local s
	s=$(readelf -SW "$1") || return 1
	grep -q ' \.debug_info  *PROGBITS' <<<"$s" || return 1
	# Read the start of .debug_info (Go writes zlib SHF_COMPRESSED sections).
	# No early-exiting reader on the pipe: with pipefail a SIGPIPE'd readelf or
	# head would fail the check at random.
	local head
	head=$(readelf --debug-dump=info "$1" 2>&1 | head -n 60) || true
	grep -q 'DW_TAG_compile_unit' <<<"$head"
}

post_process() {
	local name=$1 mode=$2 dir=$3 exe=$4
	local bin="$dir/$exe"
	case "$mode" in
	debugfile)
		(cd "$dir" &&
			objcopy --only-keep-debug "$exe" "$exe.debug" &&
			objcopy --strip-debug --add-gnu-debuglink="$exe.debug" "$exe") || return 1
		has_dwarf "$bin.debug" || { echo "$name: $exe.debug has no readable DWARF"; return 1; }
		! has_section "$bin" .debug_info || { echo "$name: still has .debug_info"; return 1; }
		has_section "$bin" .gnu_debuglink || { echo "$name: no .gnu_debuglink"; return 1; }
		;;
	buildid)
		local id
		id=$(build_id "$bin") || return 1
		[ -n "$id" ] && [ ${#id} -gt 2 ] || { echo "$name: no GNU build id note"; return 1; }
		local dbg="$dir/debugroot/.build-id/${id:0:2}/${id:2}.debug"
		mkdir -p "${dbg%/*}" || return 1
		objcopy --only-keep-debug "$bin" "$dbg" || return 1
		objcopy --strip-debug "$bin" || return 1
		has_dwarf "$dbg" || { echo "$name: $dbg has no readable DWARF"; return 1; }
		! has_section "$bin" .debug_info && ! has_section "$bin" .gnu_debuglink ||
			{ echo "$name: debug info or debuglink left in the binary"; return 1; }
		[ "$(build_id "$bin")" = "$id" ] ||
			{ echo "$name: build id changed by objcopy"; return 1; }
		;;
	nodwarf)
		! has_section "$bin" .debug_info || { echo "$name: -w left .debug_info"; return 1; }
		;;
	nocompress)
		local secs
		secs=$(readelf -SW "$bin") || return 1
		awk '{ sub(/^ *\[ *[0-9]+\] */, "") } $1 == ".debug_info" { f = $(NF-3) } END { exit (f ~ /C/) }' <<<"$secs" ||
			{ echo "$name: .debug_info is still compressed"; return 1; }
		has_dwarf "$bin" || { echo "$name: no readable DWARF"; return 1; }
		;;
	*)
		has_dwarf "$bin" || { echo "$name: no readable DWARF"; return 1; }
		;;
	esac
}

# One chain per toolchain run in sequence (they share compile results: the
# link-only modes cost a link each); chains run in parallel, longest first.
# A variant's writers, watchtarget, scantarget and censustarget (and on
# MODE_RELEASES the corrupt target) follow its maptarget, in the same chain;
# censustarget-<release>-<mode> follows <release>-<mode>, whose directory
# it shares.
chains=()
for rel in $MODE_RELEASES; do
	c="$rel writers-$rel watchtarget-$rel inlinetarget-$rel scantarget-$rel censustarget-$rel"
	c="$c crashtarget-$rel corrupt-$rel"
	for m in $MODES; do c="$c $rel-$m"; done
	for m in $CENSUS_MODES; do c="$c censustarget-$rel-$m"; done
	[ "$rel" = "$DEMO_RELEASE" ] && c="$c demo"
	[[ " $CGO_RELEASES " == *" $rel "* ]] && c="$c cgotarget-$rel"
	chains+=("$c")
done
[[ " $MODE_RELEASES " == *" $DEMO_RELEASE "* ]] || chains+=("demo")
for v in $VARIANTS; do
	c="$v writers-$v watchtarget-$v inlinetarget-$v scantarget-$v censustarget-$v"
	c="$c crashtarget-$v"
	[[ " $CGO_RELEASES " == *" $v "* ]] && c="$c cgotarget-$v"
	[[ " $MODE_RELEASES " == *" $v "* ]] || chains+=("$c")
done

# selected NAME [PATTERN...]: true without patterns, or if NAME matches one.
selected() {
	[ $# -gt 1 ] || return 0
	local n=$1 pat
	shift
	for pat in "$@"; do
		# shellcheck disable=SC2053 # a pattern, on purpose
		[[ "$n" == $pat ]] && return 0
	done
	return 1
}
PATTERNS=("$@")

run_chain() {
	local n
	for n in $1; do
		selected "$n" ${PATTERNS[@]+"${PATTERNS[@]}"} || continue
		if ! build_one "$n"; then
			: >"$STATUS/fail.$n"
		fi
	done
}

t_start=$SECONDS
running=0
for c in "${chains[@]}"; do
	if [ "$running" -ge "$JOBS" ]; then
		wait -n || true
		running=$((running - 1))
	fi
	run_chain "$c" &
	running=$((running + 1))
done
wait

failed=$(cd "$STATUS" && ls fail.* 2>/dev/null | sed 's/^fail\.//' | tr '\n' ' ' || true)
rmdir "$TMPROOT" 2>/dev/null || true
if [ -n "$failed" ]; then
	echo "build-targets: FAILED: $failed" >&2
	exit 1
fi
nbuilt=$(find "$STATUS" -name 'built.*' | wc -l)
if [ "$nbuilt" -gt 0 ]; then
	echo "build-targets: $nbuilt built in $((SECONDS - t_start))s"
fi
