#!/usr/bin/env bash
# tests/pkg/test_docs.sh - what `make install` ships agrees with the binary.
#
#   - doc/mapdiag.1 renders without a warning (groff -man -ww, man --warnings);
#   - every command `mapdiag --help` lists has a section in the man page, and
#     every long option any --help prints (mapdiag's and each command's)
#     appears in the man page: the page cannot drift from the option tables;
#   - the bash completion's command and option lists equal what --help says
#     (nothing missing, nothing stale); the zsh completion names every option;
#   - the man page, debian/changelog and `mapdiag --version` agree;
#   - make install / make uninstall with PREFIX and DESTDIR.
# One 'ok NAME' or 'FAIL NAME: why' line per check, then 'N passed, N failed'.
set -uo pipefail
cd "$(dirname "$0")/../.."

MAPDIAG=${MAPDIAG:-./mapdiag}
pass=0
failn=0
ok() { echo "ok $1"; pass=$((pass + 1)); }
fail() { echo "FAIL $1: $2"; failn=$((failn + 1)); }
check() { local name=$1; shift; if "$@"; then ok "$name"; else fail "$name" "$*"; fi; }
work=$(mktemp -d "${TMPDIR:-/tmp}/mapdiag-docs.XXXXXX")
trap 'rm -rf "$work"' EXIT
man_page=doc/mapdiag.1

# ---- the man page renders cleanly
if groff -man -ww -z "$man_page" >"$work/groff.err" 2>&1 && ! [ -s "$work/groff.err" ]; then
	ok man-groff-warnings
else
	fail man-groff-warnings "$(head -c 500 "$work/groff.err")"
fi
if command -v man >/dev/null; then
	if LC_ALL=C.UTF-8 MANWIDTH=80 man --warnings -l "$man_page" >"$work/man.txt" 2>"$work/man.err" &&
		! [ -s "$work/man.err" ] && [ -s "$work/man.txt" ]; then
		ok man-warnings
	else
		fail man-warnings "$(head -c 500 "$work/man.err")"
	fi
else
	echo "skip man-warnings: man not installed"
fi
# plain text to search: wide, so nothing wraps mid-name
MANWIDTH=250 man -l "$man_page" 2>/dev/null | col -b >"$work/man.txt" ||
	groff -man -Tutf8 -rLL=250n "$man_page" 2>/dev/null | col -b >"$work/man.txt"
for sec in NAME SYNOPSIS DESCRIPTION COMMANDS "EXIT STATUS" "JSON OUTPUT" \
	"PROMETHEUS OUTPUT" ENVIRONMENT FILES EXAMPLES; do
	check "man-section-${sec// /-}" grep -q "^$sec\$" "$work/man.txt"
done
for v in MAPDIAG_CACHE_DIR XDG_CACHE_HOME NO_COLOR; do
	check "man-env-$v" grep -qw "$v" "$work/man.txt"
done

# ---- commands and options, from the binary itself
"$MAPDIAG" --help >"$work/help" 2>&1 || fail top-help "mapdiag --help failed"
# the lines "  NAME ..." under "commands:" up to the blank line
cmds=$(awk '/^commands:/ { on = 1; next } on && /^$/ { exit } on && /^  [a-z]/ { print $1 }' "$work/help")
[ -n "$cmds" ] && ok help-lists-commands || fail help-lists-commands "no commands in mapdiag --help"
check hidden-helper-not-in-help bash -c '! grep -q __complete "$1"' _ "$work/help"
longopts() { grep -oE -- '(^|[^a-z-])--[a-z][a-z-]*' "$1" | sed 's/^[^-]*//' | sort -u; }
has_word() { grep -qE -- "(^|[^a-zA-Z0-9-])$2([^a-zA-Z0-9-]|\$)" "$1"; }
missing=""
for o in $(longopts "$work/help"); do
	has_word "$work/man.txt" "$o" || missing+=" $o"
done
[ -z "$missing" ] && ok man-top-options || fail man-top-options "not in $man_page:$missing"

bash_list() { # the words of a variable of completion/mapdiag.bash
	bash -c 'source completion/mapdiag.bash; printf "%s\n" ${!1}' _ "$1" | sort -u
}
check bash-commands-match-help diff <(echo "$cmds" | sort -u) <(bash_list _mapdiag_commands)
for c in $cmds; do
	"$MAPDIAG" "$c" --help >"$work/help.$c" 2>&1 || { fail "help-$c" "mapdiag $c --help failed"; continue; }
	check "man-has-command-$c" grep -qE "^   mapdiag $c( |\$)" "$work/man.txt"
	missing=""
	for o in $(longopts "$work/help.$c"); do
		has_word "$work/man.txt" "$o" || missing+=" $o"
	done
	[ -z "$missing" ] && ok "man-options-$c" || fail "man-options-$c" "not in $man_page:$missing"
	# the bash completion offers exactly the options --help documents
	if diff <({ longopts "$work/help.$c"; echo --help; } | sort -u) <(bash_list "_mapdiag_opts_${c//[^a-z]/_}") >"$work/diff.$c"; then
		ok "bash-options-$c"
	else
		fail "bash-options-$c" "completion/mapdiag.bash differs from --help (< help, > completion): $(grep '^[<>]' "$work/diff.$c" | tr '\n' ' ')"
	fi
	missing=""
	for o in $(longopts "$work/help.$c"); do
		grep -qE -- "[')*]$o[=\\[]" completion/_mapdiag || missing+=" $o"
	done
	grep -qE "^ *'$c:" completion/_mapdiag || missing+=" (command $c)"
	[ -z "$missing" ] && ok "zsh-options-$c" || fail "zsh-options-$c" "not in completion/_mapdiag:$missing"
done

# ---- one version everywhere
ver=$("$MAPDIAG" --version | awk '{ print $2 }')
check man-version bash -c 'grep -q "^\.TH MAPDIAG 1 .*\"mapdiag $1\"" "$2"' _ "$ver" "$man_page"
if command -v dpkg-parsechangelog >/dev/null; then
	check debian-changelog-version test "$(dpkg-parsechangelog -S Version)" = "$ver"
fi

# ---- make install / uninstall
dest=$work/dest
if make --no-print-directory -s install DESTDIR="$dest" PREFIX=/opt/md >"$work/install.log" 2>&1; then
	ok make-install
else
	fail make-install "$(tail -n 5 "$work/install.log")"
fi
want="opt/md/bin/mapdiag 755
opt/md/share/bash-completion/completions/mapdiag 644
opt/md/share/man/man1/mapdiag.1 644
opt/md/share/zsh/vendor-completions/_mapdiag 644"
check make-install-files diff <(echo "$want") <(cd "$dest" && find . -type f -printf '%P %m\n' | sort)
check installed-binary-runs bash -c '"$1" --version | grep -q "^mapdiag "' _ "$dest/opt/md/bin/mapdiag"
make --no-print-directory -s install DESTDIR="$dest" PREFIX=/usr BINDIR=/sbin MANDIR=/usr/man \
	BASHCOMPDIR=/bc ZSHCOMPDIR=/zc >/dev/null 2>&1
check make-install-dirs test -x "$dest/sbin/mapdiag" -a -f "$dest/usr/man/man1/mapdiag.1" -a \
	-f "$dest/bc/mapdiag" -a -f "$dest/zc/_mapdiag"
make --no-print-directory -s uninstall DESTDIR="$dest" PREFIX=/opt/md >/dev/null 2>&1
make --no-print-directory -s uninstall DESTDIR="$dest" PREFIX=/usr BINDIR=/sbin MANDIR=/usr/man \
	BASHCOMPDIR=/bc ZSHCOMPDIR=/zc >/dev/null 2>&1
check make-uninstall test -z "$(find "$dest" -type f)"

echo "$pass passed, $failn failed"
[ "$failn" -eq 0 ]
