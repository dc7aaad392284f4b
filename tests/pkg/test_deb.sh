#!/usr/bin/env bash
# tests/pkg/test_deb.sh - the Debian package, built as CI builds it.
#
# The checkout's files (tracked and untracked, not ignored: what a clean
# checkout of this tree holds) are copied to a temporary directory, where
# `dpkg-buildpackage -us -uc -b` builds the .deb (the project compiled once,
# no Go, no network, no tests).  Then: the checkout is untouched; the .deb's
# metadata (dpkg-deb -I: name, version = mapdiag --version, architecture,
# the shared libraries it depends on); its contents extracted into a
# scratch root (dpkg-deb -x): the binary runs, the man page renders, the
# completions are the tree's and the installed bash completion works with
# the installed binary; nothing outside /usr.
# One 'ok NAME' or 'FAIL NAME: why' line per check, then 'N passed, N failed'.
set -uo pipefail
cd "$(dirname "$0")/../.."

pass=0
failn=0
ok() { echo "ok $1"; pass=$((pass + 1)); }
fail() { echo "FAIL $1: $2"; failn=$((failn + 1)); }
check() { local name=$1; shift; if "$@"; then ok "$name"; else fail "$name" "$*"; fi; }
finish() { echo "$pass passed, $failn failed"; [ "$failn" -eq 0 ]; exit; }
work=$(mktemp -d "${TMPDIR:-/tmp}/mapdiag-deb.XXXXXX")
trap 'rm -rf "$work"' EXIT

for t in dpkg-buildpackage dpkg-deb dh; do
	command -v "$t" >/dev/null || { fail "tool-$t" "$t not installed (scripts/setup.sh installs dpkg-dev and debhelper)"; finish; }
done

before=$(git status --porcelain=v1 --untracked-files=all 2>/dev/null)
src=$work/mapdiag
mkdir -p "$src"
git ls-files -z -c -o --exclude-standard | xargs -0 -r sh -c 'for f; do [ -e "$f" ] && printf "%s\0" "$f"; done' _ |
	tar -c --null -T - -f - | tar -x -C "$src" -f -
[ -f "$src/debian/control" ] && [ ! -e "$src/build" ] && [ ! -e "$src/mapdiag" ] &&
	ok source-copied || fail source-copied "no debian/control in the copy, or build outputs copied"

t0=$(date +%s)
if (cd "$src" && nice -n 10 dpkg-buildpackage -us -uc -b -j2) >"$work/build.log" 2>&1; then
	ok dpkg-buildpackage
else
	fail dpkg-buildpackage "$(tail -n 15 "$work/build.log")"
	mkdir -p tests/out && cp "$work/build.log" tests/out/pkg-deb-build.log
	finish
fi
echo "dpkg-buildpackage took $(($(date +%s) - t0)) s"
# debian/rules overrides dh_auto_test with nothing, which dh skips
! grep -qE '^ +dh_auto_test' "$work/build.log" &&
	! grep -qE '(make|tests/run\.sh).* (check|test|unit|hooks)( |$)' "$work/build.log" &&
	ok no-tests-in-build || fail no-tests-in-build "the build ran tests (see dh_auto_test)"
check checkout-untouched test "$(git status --porcelain=v1 --untracked-files=all 2>/dev/null)" = "$before"

ver=$(./mapdiag --version 2>/dev/null | awk '{ print $2 }')
[ -n "$ver" ] || ver=$(sed -n 's/^VERSION *:= *//p' Makefile)
deb=$(ls "$work"/mapdiag_*_amd64.deb 2>/dev/null | head -n 1)
[ -n "$deb" ] && ok deb-built || { fail deb-built "no mapdiag_*_amd64.deb in $work"; finish; }
check deb-name test "$(basename "$deb")" = "mapdiag_${ver}_amd64.deb"

dpkg-deb -I "$deb" >"$work/info"
field() { dpkg-deb -f "$deb" "$1"; }
check deb-package test "$(field Package)" = mapdiag
check deb-version test "$(field Version)" = "$ver"
check deb-architecture test "$(field Architecture)" = amd64
grep -q 'Description: diagnose the maps of a live Go process' "$work/info" &&
	ok deb-description || fail deb-description "$(grep Description "$work/info")"

root=$work/root
dpkg-deb -x "$deb" "$root"
want="usr/bin/mapdiag
usr/share/bash-completion/completions/mapdiag
usr/share/doc/mapdiag/README.md.gz
usr/share/doc/mapdiag/changelog.gz
usr/share/doc/mapdiag/copyright
usr/share/man/man1/mapdiag.1.gz
usr/share/zsh/vendor-completions/_mapdiag"
deps=$(field Depends)
missing=""
# every library the binary needs, by its package (libunwind is linked
# with --as-needed and unused: see README, "Libraries")
for so in $(readelf -d "$root/usr/bin/mapdiag" | sed -n 's/.*NEEDED.*\[\(.*\)\]/\1/p'); do
	pkg=$(dpkg -S "*/$so" 2>/dev/null | head -n 1 | cut -d: -f1)
	grep -q "${pkg:-?}" <<<"$deps" || missing+=" $so (${pkg:-no package})"
done
[ -z "$missing" ] && ok deb-depends || fail deb-depends "Depends: $deps lacks$missing"
check deb-files diff <(echo "$want") <(cd "$root" && find . -type f -printf '%P\n' | sort)
check deb-only-usr test "$(cd "$root" && ls -A)" = usr
check deb-binary-mode test "$(stat -c %a "$root/usr/bin/mapdiag")" = 755
check deb-binary-version test "$("$root/usr/bin/mapdiag" --version)" = "mapdiag $ver"
"$root/usr/bin/mapdiag" attach --help | grep -q '^usage: mapdiag attach' && ok deb-binary-help ||
	fail deb-binary-help "attach --help"
"$root/usr/bin/mapdiag" __complete pids >/dev/null && ok deb-binary-helper || fail deb-binary-helper "__complete pids"
if LC_ALL=C.UTF-8 MANWIDTH=80 man --warnings -l "$root/usr/share/man/man1/mapdiag.1.gz" >"$work/man.txt" 2>"$work/man.err" &&
	! [ -s "$work/man.err" ] && grep -q 'EXIT STATUS' "$work/man.txt"; then
	ok deb-man-page
else
	fail deb-man-page "$(head -c 300 "$work/man.err")"
fi
check deb-bash-completion cmp "$root/usr/share/bash-completion/completions/mapdiag" completion/mapdiag.bash
check deb-zsh-completion cmp "$root/usr/share/zsh/vendor-completions/_mapdiag" completion/_mapdiag
got=$(bash -c 'source "$1"; COMP_WORDS=("$2" at); COMP_CWORD=1; _mapdiag; echo "${COMPREPLY[*]}"' _ \
	"$root/usr/share/bash-completion/completions/mapdiag" "$root/usr/bin/mapdiag")
check deb-bash-completion-runs test "$got" = attach

finish
