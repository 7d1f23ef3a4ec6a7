#!/bin/sh
# Runs every benchmark script bench/*.sh (not part of `make test`). Each prints
# its own figures and the ratio against the peer it measures in the same run.
set -eu
cd "$(dirname "$0")/.."
status=0
for b in bench/bench_*.sh; do
    [ -f "$b" ] || continue
    echo "== $b"
    sh "$b" || { echo "$b failed" >&2; status=1; }
done
exit $status
