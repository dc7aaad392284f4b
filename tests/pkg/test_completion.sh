#!/usr/bin/env bash
# tests/pkg/test_completion.sh - the shell completions against a live target.
#
# bash: completion/mapdiag.bash is sourced into a real bash, COMP_WORDS and
# COMP_CWORD set as readline would, _mapdiag called, COMPREPLY read; against
# testdata/bin/go1.26/maptarget: commands, options and their values, the
# target's pid (and not a non-Go process), its main. variables of map type
# or that lead to one (and not one that does not), option values skipped
# when looking for the pid.  The hidden helper (`mapdiag __complete`) makes
# no ptrace call (strace).  zsh: syntax (zsh -n) and #compdef registration
# through compinit; skipped, with a line saying so, without zsh.
# One 'ok NAME' or 'FAIL NAME: why' line per check, then 'N passed, N failed'.
set -uo pipefail
cd "$(dirname "$0")/../.."

MAPDIAG=${MAPDIAG:-./mapdiag}
TARGET=${TARGET:-testdata/bin/go1.26/maptarget}
pass=0
failn=0
ok() { echo "ok $1"; pass=$((pass + 1)); }
fail() { echo "FAIL $1: $2"; failn=$((failn + 1)); }
work=$(mktemp -d "${TMPDIR:-/tmp}/mapdiag-compl.XXXXXX")
tpid=
cleanup() {
	[ -n "$tpid" ] && kill "$tpid" 2>/dev/null && wait "$tpid" 2>/dev/null
	rm -rf "$work"
}
trap cleanup EXIT

# complete WORD...: the completions of the last word, one per line
complete_words() {
	bash -c 'source completion/mapdiag.bash
		COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); COMP_LINE="$*"; COMP_POINT=${#COMP_LINE}
		_mapdiag; printf "%s\n" "${COMPREPLY[@]}"' _ "$@" | sed '/^$/d' | sort
}
# expect NAME WANT WORD...: the completions are exactly WANT (space separated)
expect() {
	local name=$1 want got
	want=$(tr ' ' '\n' <<<"$2" | sed '/^$/d' | sort)
	shift 2
	got=$(complete_words "$@")
	[ "$got" = "$want" ] && ok "$name" || fail "$name" "$* -> [$(echo $got)], want [$(echo $want)]"
}
# expect_has NAME 'W1 W2' '!W3' WORD...: includes W1, W2; not W3
expect_has() {
	local name=$1 words=$2 got w bad=""
	shift 2
	got=$(complete_words "$@")
	for w in $words; do
		if [[ $w == !* ]]; then
			grep -qxF -- "${w#!}" <<<"$got" && bad+=" has ${w#!}"
		else
			grep -qxF -- "$w" <<<"$got" || bad+=" lacks $w"
		fi
	done
	[ -z "$bad" ] && ok "$name" || fail "$name" "$* ->$bad (got: $(echo $got | head -c 300))"
}

md=$MAPDIAG
# ---- commands and options (no target needed)
expect bash-commands "attach scan watch ps" "$md" ""
expect bash-ps-options "--json" "$md" ps --j
expect bash-command-prefix "attach" "$md" at
expect bash-top-options "--version" "$md" --v
expect bash-attach-options "--no-threads --no-stop --no-color" "$md" attach --no-
expect bash-scan-options "--globals-only" "$md" scan --gl
expect bash-watch-options "--interval" "$md" watch --int
expect bash-option-values "severity" "$md" scan --sort s
expect bash-option-values-eq "--color=auto --color=always --color=never" "$md" attach --color=
expect bash-option-values-split "always" "$md" watch --color = al
expect bash-option-file "Makefile" "$md" scan --prom Makef
expect bash-option-no-values "" "$md" watch --interval ""

# ---- a live target
"$TARGET" >"$work/ready" 2>"$work/target.err" &
tpid=$!
for _ in $(seq 1 100); do
	grep -q '^READY' "$work/ready" && break
	sleep 0.1
done
if ! grep -q '^READY' "$work/ready"; then
	fail target-ready "$TARGET did not print READY: $(head -c 300 "$work/target.err")"
	echo "$pass passed, $failn failed"
	exit 1
fi
t0=$(date +%s%N)
expect_has bash-pids "$tpid !$$ !$BASHPID" "$md" attach ""
expect_has bash-pids-after-options "$tpid" "$md" watch --interval 10ms --json ""
expect_has bash-vars-main "main.idle main.growingIdle main.holder main.arr main.pmap main.ptrToHolder main.shards main.named !main.arrSizes" \
	"$md" attach "$tpid" main.
expect bash-vars-prefix "main.growingIdle" "$md" attach "$tpid" main.gr
expect bash-vars-second "main.holder" "$md" attach --json "$tpid" main.idle main.ho
expect bash-vars-watch "main.padded main.pmap main.ptrToHolder" "$md" watch --interval 10ms "$tpid" main.p
expect bash-vars-package-path "example.com/acme/store.Sessions" "$md" attach "$tpid" example.com/
expect bash-vars-address "" "$md" attach "$tpid" 0xc0
expect bash-scan-one-operand "" "$md" scan "$tpid" main.
expect_has bash-ps-pids-each-operand "$tpid" "$md" ps "$tpid" ""
t1=$(date +%s%N)
echo "bash completions against the target: $(((t1 - t0) / 1000000)) ms"

# ---- the hidden helper
"$md" __complete pids >"$work/pids"
grep -qP "^$tpid\tmaptarget\$" "$work/pids" && ok helper-pids || fail helper-pids "$tpid not listed: $(head -c 200 "$work/pids")"
grep -q "^$$	" "$work/pids" && fail helper-pids-go-only "bash ($$) listed" || ok helper-pids-go-only
out=$("$md" __complete vars $$ main. 2>&1); rc=$?
[ $rc -eq 0 ] && [ -z "$out" ] && ok helper-vars-not-go || fail helper-vars-not-go "exit $rc, output '$out'"
"$md" __complete bogus >/dev/null 2>&1; rc=$?
[ $rc -eq 3 ] && ok helper-bad-usage || fail helper-bad-usage "exit $rc, want 3"
if command -v strace >/dev/null; then
	strace -f -qq -e trace=ptrace,process_vm_readv,process_vm_writev -o "$work/strace" \
		"$md" __complete vars "$tpid" main. >/dev/null 2>&1
	if [ -s "$work/strace" ] && grep -qE 'ptrace|process_vm' "$work/strace"; then
		fail helper-no-ptrace "$(head -n 3 "$work/strace")"
	else
		ok helper-no-ptrace
	fi
	grep -q '^State:.*(sleeping\|running)' "/proc/$tpid/status" && ok target-still-running ||
		fail target-still-running "$(grep State "/proc/$tpid/status")"
else
	echo "skip helper-no-ptrace: strace not installed"
fi

# ---- zsh
if command -v zsh >/dev/null; then
	zsh -n completion/_mapdiag 2>"$work/zsh.err" && ok zsh-syntax || fail zsh-syntax "$(cat "$work/zsh.err")"
	got=$(zsh -f -c 'fpath=(completion $fpath); autoload -U compinit; compinit -u -D; print -r -- $_comps[mapdiag]' 2>&1)
	[ "$got" = _mapdiag ] && ok zsh-compdef || fail zsh-compdef "compinit registered '$got' for mapdiag"
else
	echo "skip zsh: zsh is not installed (scripts/setup.sh installs it)"
fi

echo "$pass passed, $failn failed"
[ "$failn" -eq 0 ]
