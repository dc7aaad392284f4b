#!/usr/bin/env bash
# scripts/demo.sh - `make demo`: build the bundled demo service, start it,
# let mapdiag look at its maps, stop it.
set -euo pipefail
cd "$(dirname "$0")/.."
GO=/usr/lib/go-1.26/bin/go
out=testdata/bin/demo
mkdir -p "$out"
if [ ! -x "$out/demo" ] || [ -n "$(find testdata/demo -newer "$out/demo" -print -quit)" ]; then
	(cd testdata/demo && GOTOOLCHAIN=local GOPROXY=off GOFLAGS=-mod=mod "$GO" build -o "../../$out/demo" .)
fi
fifo=$(mktemp -u)
mkfifo "$fifo"
"$out/demo" >"$fifo" &
pid=$!
cleanup() {
	kill "$pid" 2>/dev/null || true
	wait "$pid" 2>/dev/null || true
	rm -f "$fifo"
}
trap cleanup EXIT
read -r ready _ <"$fifo"
[ "$ready" = READY ] || { echo "demo: the demo service did not start" >&2; exit 1; }
vars="main.sessions main.routes main.stale main.stats.counters"
echo "\$ ./mapdiag attach $pid $vars"
rc=0
./mapdiag attach "$pid" $vars || rc=$?
echo "(exit code $rc: 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN)"
exit 0
