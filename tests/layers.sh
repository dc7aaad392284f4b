#!/usr/bin/env bash
# tests/layers.sh - the Makefile's layer table is what the compiler enforces.
#
# For every layer L of LAYERS and every public header H (not *_priv.h) of
# every layer's folder F, '#include "H"' is compiled with L's flags
# (make layer-flags L=L, -fsyntax-only):
#   - F is L or in DEPS_L: it must compile;
#   - otherwise it must fail because H is not found: an upward or sideways
#     include is a compile error, not a convention.
# A compiler run per layer and header would be some 500 runs, so:
#   - each header is compiled alone with its own layer's flags (it is
#     self-contained);
#   - the headers L may include from other folders are compiled together
#     in one file; when that fails, the header named by the error (the
#     line of the file it was included from) is compiled alone, and the
#     rest together again;
#   - the headers L may not include go through one preprocessor run with
#     -MM -MG, which names each header it finds instead of stopping at the
#     first missing one; if it finds any, each is compiled alone.
# The verdict printed for a header compiled alone is that compile's.
# Then, without the compiler:
#   - LAYERS is an order: DEPS_L lists only layers before L;
#   - each quoted include of L's sources resolves, as L's compile would
#     resolve it, to L or DEPS_L (in a .c file the build would stop on it;
#     here it is named), and every folder in DEPS_L is reached by some
#     source of L: the table declares what the code uses, no more;
#   - header names are unique across layers and name no system header (an
#     include of a shadowing header from a layer that may not see it gets
#     the system header instead of an error);
#   - only dwarf/ includes libdwarf's and libelf's headers;
#   - no #include "../..." (a relative path walks around the include path);
#   - a folder's *_priv.h is included only inside that folder;
#   - every folder under src/ is a layer.
# One 'ok NAME' or 'FAIL NAME: why' line per check, then 'N passed, N failed'.
set -uo pipefail
cd "$(dirname "$0")/.."

CC=${CC:-cc}
work=$(mktemp -d "${TMPDIR:-/tmp}/mapdiag-layers.XXXXXX")
trap 'rm -rf "$work"' EXIT
out=$work/results
: >"$out"
ok() { echo "ok $1" >>"$out"; }
fail() { echo "FAIL $1: $2" >>"$out"; }

# The table as the Makefile has it: "layer dir dep..." per line.
if ! make --no-print-directory -s \
	--eval 'md-layer-table: ; @$(foreach l,$(LAYERS),echo "$l $(call layer_dir,$l) $(DEPS_$l)";)' \
	md-layer-table >"$work/table" || ! [ -s "$work/table" ]; then
	echo "FAIL layer-table: make printed no table"
	echo "0 passed, 1 failed"
	exit 1
fi

inc='^[[:space:]]*#[[:space:]]*include[[:space:]]*'
declare -A dir_of deps_of
layers=()
while read -r l d deps; do
	layers+=("$l")
	dir_of[$l]=$d
	deps_of[$l]=" $deps "
	make --no-print-directory -s layer-flags L="$l" >"$work/flags.$l"
done <"$work/table"

# public headers of a layer
headers() {
	local h
	for h in "${dir_of[$1]}"/*.h; do
		[ -e "$h" ] || continue
		case $h in *_priv.h) ;; *) echo "$h" ;; esac
	done
}

# includes H...: a C file that includes each header by its name
includes() {
	local h
	for h in "$@"; do
		printf '#include "%s"\n' "${h##*/}"
	done
}

# compile LAYER SOURCE-TEXT [EXTRA-FLAGS...]: compile the text from stdin
# with the layer's flags; the diagnostics in $err, the status returned.
compile() {
	local l=$1 text=$2 flags
	shift 2
	read -r -a flags <"$WORK/flags.$l"
	err=$(printf '%s' "$text" | $CC "${flags[@]}" -std=gnu11 "$@" -x c - 2>&1)
}

# one_line may|cannot LAYER H: compile '#include "H"' alone and print the
# verdict.
one_line() {
	local what=$1 l=$2 h=$3 base=${3##*/} found
	local name="$l $what include $h"
	if [ "$what" = may ]; then
		if compile "$l" "$(includes "$h")" -fsyntax-only; then
			echo "ok $name"
		else
			echo "FAIL $name: $(grep -m1 -E 'error|warning' <<<"$err")"
		fi
	elif compile "$l" "$(includes "$h")" -fsyntax-only -H; then
		found=$(grep -m1 '^\. ' <<<"$err" | cut -c3-)
		if [ "$found" = "$h" ]; then
			echo "FAIL $name: it compiles"
		else
			# a same-named header elsewhere (the system's): $h is out of
			# reach; the unique-name check reports the name
			echo "ok $name (\"$base\" is $found)"
		fi
	elif grep -q "fatal error: $base: No such file" <<<"$err"; then
		echo "ok $name"
	else
		echo "FAIL $name: fails for another reason: $(grep -m1 error <<<"$err")"
	fi
}
export -f includes compile one_line
export CC WORK=$work

# Per layer: the combined runs now, the one-line compiles queued in $jobs.
jobs=$work/jobs
: >"$jobs"
for l in "${layers[@]}"; do
	may=() cannot=()
	for f in "${layers[@]}"; do
		if [ "$f" = "$l" ]; then
			continue
		elif [[ ${deps_of[$l]} == *" $f "* ]]; then
			mapfile -t -O "${#may[@]}" may < <(headers "$f")
		else
			mapfile -t -O "${#cannot[@]}" cannot < <(headers "$f")
		fi
	done

	# own headers, each alone: self-contained
	for h in $(headers "$l"); do
		echo "may $l $h" >>"$jobs"
	done

	# all allowed headers in one file; when it fails, the header the
	# error comes from (the line of <stdin> it was included from) is
	# compiled alone, and the others together again
	while [ "${#may[@]}" -gt 0 ]; do
		if compile "$l" "$(includes "${may[@]}")" -fsyntax-only; then
			for h in "${may[@]}"; do
				ok "$l may include $h"
			done
			break
		fi
		at=$(grep -m1 -oE '<stdin>:[0-9]+' <<<"$err" | cut -d: -f2)
		if [ -z "$at" ] || [ "$at" -lt 1 ] || [ "$at" -gt "${#may[@]}" ]; then
			for h in "${may[@]}"; do
				echo "may $l $h" >>"$jobs"
			done
			break
		fi
		echo "may $l ${may[at - 1]}" >>"$jobs"
		may=("${may[@]:0:at-1}" "${may[@]:at}")
	done

	# -MM lists the headers found outside the system directories, and
	# missing ones (-MG) by their bare name: any path means one was found
	if compile "$l" "$(includes "${cannot[@]}")" -MM -MG &&
		! tr ' \\' '\n\n' <<<"$err" | grep -q /; then
		for h in "${cannot[@]}"; do
			ok "$l cannot include $h"
		done
	else
		for h in "${cannot[@]}"; do
			echo "cannot $l $h" >>"$jobs"
		done
	fi
done
xargs -P "$(nproc)" -L 1 bash -c 'one_line "$@"' _ <"$jobs" >>"$out"

# The table is a layering: a layer depends only on layers before it.
declare -A pos
i=0
for l in "${layers[@]}"; do
	pos[$l]=$i
	i=$((i + 1))
done
for l in "${layers[@]}"; do
	late=""
	for f in ${deps_of[$l]}; do
		if [ -z "${pos[$f]:-}" ]; then
			late+=" $f (no such layer)"
		elif [ "${pos[$f]}" -ge "${pos[$l]}" ]; then
			late+=" $f"
		fi
	done
	if [ -z "$late" ]; then
		ok "order DEPS_$l"
	else
		fail "order DEPS_$l" "lists layers that are not below $l in LAYERS:$late"
	fi
done

# The sources, read without the compiler: each quoted include of a file
# of layer L is resolved as L's compile would (the file's folder, then L's
# include path).  A name that only a layer outside L's reach has is an
# upward or sideways include (in a .c file the build stops on it too;
# here it is named).  The folders reached, through headers too, are the
# ones L needs: a folder in DEPS_L that L never reaches is a declared
# dependency that is not one.
declare -A layer_of owner_of incs_of
srcs=()
for l in "${layers[@]}"; do
	for p in "${dir_of[$l]}"/*.[ch]; do
		[ -e "$p" ] || continue
		layer_of[$p]=$l
		srcs+=("$p")
		case $p in *.h) owner_of[${p##*/}]+="${p%/*} " ;; esac
	done
done
while IFS= read -r line; do
	p=${line%%:*}
	n=${line#*\"}
	incs_of[$p]+="${n%\"} "
done < <(grep -HoE "$inc"'"[^"]+"' "${srcs[@]}")

for l in "${layers[@]}"; do
	dirs=("${dir_of[$l]}")
	for f in ${deps_of[$l]}; do
		dirs+=("${dir_of[$f]:-}")
	done
	unset seen
	declare -A seen=()
	queue=()
	for p in "${dir_of[$l]}"/*.[ch]; do
		[ -e "$p" ] && queue+=("$p") && seen[$p]=1
	done
	used=" " bad=""
	while [ "${#queue[@]}" -gt 0 ]; do
		p=${queue[0]}
		queue=("${queue[@]:1}")
		for n in ${incs_of[$p]:-}; do
			r=""
			for d in "${p%/*}" "${dirs[@]}"; do
				[ -e "$d/$n" ] && { r=$d/$n; break; }
			done
			if [ -z "$r" ]; then
				[ -n "${owner_of[$n]:-}" ] &&
					bad+=" $p: \"$n\" is in ${owner_of[$n]% };"
				continue
			fi
			[ -n "${layer_of[$r]:-}" ] && used+="${layer_of[$r]} "
			if [ -z "${seen[$r]:-}" ]; then
				seen[$r]=1
				queue+=("$r")
			fi
		done
	done
	if [ -z "$bad" ]; then
		ok "sources $l include only from $l and DEPS_$l"
	else
		fail "sources $l include only from $l and DEPS_$l" "${bad# }"
	fi
	unneeded=""
	for f in ${deps_of[$l]}; do
		[[ $used == *" $f "* ]] || unneeded+=" $f"
	done
	if [ -z "$unneeded" ]; then
		ok "needed DEPS_$l"
	else
		fail "needed DEPS_$l" "no source of $l reaches a header of:$unneeded"
	fi
done

# Header names: unique across layers, and no system header's.
all=()
for l in "${layers[@]}"; do
	for h in "${dir_of[$l]}"/*.h; do
		[ -e "$h" ] && all+=("$h")
	done
done
# __has_include(<H>) asks the compiler whether H is a system header, for
# all names in one run
text=""
for h in "${all[@]}"; do
	text+="#if __has_include(<${h##*/}>)"$'\n'"system ${h##*/}"$'\n'"#endif"$'\n'
done
system=$(printf '%s' "$text" | $CC -std=gnu11 -E -P -x c - | sed -n 's/^system //p')
declare -A count
for h in "${all[@]}"; do
	count[${h##*/}]=$((${count[${h##*/}]:-0} + 1))
done
for h in "${all[@]}"; do
	base=${h##*/}
	if [ "${count[$base]}" -gt 1 ]; then
		fail "unique-name $h" "$((count[$base] - 1)) other layer header(s) named $base"
	elif grep -qx "$base" <<<"$system"; then
		sys=$(printf '#include <%s>\n' "$base" |
			$CC -std=gnu11 -fsyntax-only -H -x c - 2>&1 | grep -m1 '^\. ' | cut -c3-)
		fail "unique-name $h" "shadows the system <$base> ($sys): a layer that may not see ${h%/*} gets that header instead of an error"
	else
		ok "unique-name $h"
	fi
done

# grep_check NAME WHY PATTERN PATH...: no line of the C sources under the
# paths matches the extended regex.
grep_check() {
	local name=$1 why=$2 pat=$3 hits
	shift 3
	hits=$(grep -rnE --include='*.[ch]' "$pat" "$@")
	if [ -z "$hits" ]; then
		ok "$name"
	else
		fail "$name" "$why: $(tr '\n' ' ' <<<"$hits")"
	fi
}
grep_check libdwarf-only-in-dwarf "included outside dwarf/" \
	"$inc"'[<"]([^">]*/)?(libdwarf|dwarf|libelf|gelf)\.h[">]' src cmd
grep_check no-relative-include "a relative include" \
	"$inc"'"\.\./' src cmd dwarf tests/unit tests/fuzz

for p in $(find src dwarf cmd -name '*_priv.h' | sort); do
	d=${p%/*}
	hits=$(grep -rlE --include='*.[ch]' "$inc[<\"]${p##*/}[\">]" src dwarf cmd | grep -v "^$d/")
	if [ -z "$hits" ]; then
		ok "private $p"
	else
		fail "private $p" "included outside $d/: $(tr '\n' ' ' <<<"$hits")"
	fi
done

for d in src/*/; do
	d=${d%/}
	found=0
	for l in "${layers[@]}"; do
		[ "${dir_of[$l]}" = "$d" ] && found=1
	done
	if [ $found -eq 1 ]; then
		ok "is-layer $d"
	else
		fail "is-layer $d" "not in the Makefile's LAYERS (built with no layer's flags)"
	fi
done

cat "$out"
pass=$(grep -c '^ok ' "$out")
nfail=$(grep -c '^FAIL ' "$out")
echo "$pass passed, $nfail failed"
[ "$nfail" -eq 0 ]
