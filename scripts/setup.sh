#!/usr/bin/env bash
# scripts/setup.sh - install what mapdiag builds and tests with, idempotently.
#
# Debian 12 (bookworm) packages for the build; Go 1.19 (golang-1.19-go, Debian
# 12's own Go, in bookworm main) and Go toolchains 1.21..1.27 from
# bookworm-backports, trixie and trixie-backports, installed side by side
# under /usr/lib/go-1.NN.  The extra suites are pinned low (100 / 50) so that
# nothing already installed is ever upgraded from them: only the packages we
# name, and what they alone need, come from there.
#
# Does nothing (and needs no root) when everything is already present.
set -euo pipefail

GO_VERSIONS="19 21 22 23 24 25 26 27"
DEB_PKGS="gcc make pkg-config libelf-dev libdwarf-dev libunwind-dev zlib1g-dev libdeflate-dev \
binutils python3 procps strace gdb util-linux valgrind clang libclang-rt-14-dev \
universal-ctags \
dpkg-dev debhelper fakeroot groff-base man-db bash-completion zsh delve"

missing=()
for p in $DEB_PKGS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
for v in $GO_VERSIONS; do
	[ -x "/usr/lib/go-1.$v/bin/go" ] || missing+=("golang-1.$v-go")
done
if [ "${#missing[@]}" -eq 0 ]; then
	exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
	SUDO=sudo
else
	SUDO=
fi

echo "setup: installing ${missing[*]}" >&2

src=/etc/apt/sources.list.d/mapdiag-go.sources
pin=/etc/apt/preferences.d/mapdiag-go
if [ ! -f "$src" ]; then
	$SUDO tee "$src" >/dev/null <<'EOS'
Types: deb
URIs: http://deb.debian.org/debian
Suites: bookworm-backports trixie trixie-backports
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOS
fi
if [ ! -f "$pin" ]; then
	$SUDO tee "$pin" >/dev/null <<'EOS'
# mapdiag: Go toolchains only. Never upgrade anything from these suites.
Package: *
Pin: release n=bookworm-backports
Pin-Priority: 100

Package: *
Pin: release n=trixie
Pin-Priority: 50

Package: *
Pin: release n=trixie-backports
Pin-Priority: 50
EOS
fi
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "setup: done" >&2
