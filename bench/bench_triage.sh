#!/bin/sh
# Triage throughput: `kdx triage` over a directory of N links to the test
# corpus's dumps, in dumps per second, against the peer Debian ships that reads
# the same files: lldb-14 opening each user minidump and printing every
# thread's backtrace (`lldb -c DUMP -b -o "bt all"`), on a sample of them.
set -eu
N=${TRIAGE_N:-2000}
PEER_N=${TRIAGE_PEER_N:-40}
KDX=${KDX_BIN:-build/kdx}
DATA=${KDX_TESTDATA:-../shared/testdata}
[ -d "$DATA" ] || { echo "bench_triage: $DATA is absent; skipped"; exit 0; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
set -- $(find "$DATA/user" "$DATA/kernel" -name '*.dmp' | sort)
i=0
while [ $i -lt "$N" ]; do
    for f in "$@"; do
        [ $i -lt "$N" ] || break
        ln -s "$(readlink -f "$f")" "$tmp/d$i.dmp"
        i=$((i + 1))
    done
done
now() { date +%s.%N; }
t0=$(now)
"$KDX" triage --json "$tmp" > "$tmp.out"
t1=$(now)
lines=$(grep -c '"schema"' "$tmp.out" || true)
kdx_rate=$(echo "$lines / ($t1 - $t0)" | bc -l)
printf 'kdx triage: %d dumps in %.2f s = %.1f dumps/s\n' "$lines" "$(echo "$t1 - $t0" | bc -l)" "$kdx_rate"
LLDB=$(command -v lldb-14 || command -v lldb || ls /usr/lib/llvm-*/bin/lldb 2>/dev/null | head -1 || true)
if [ -z "$LLDB" ]; then
    echo "peer: lldb not installed (scripts/setup-deps.sh bench installs it); no ratio"
    exit 0
fi
# The peer runs as many dumps at once as kdx does (all cores), through xargs.
find "$DATA/user" -name '*.dmp' | sort > "$tmp.list"
: > "$tmp.peer"
while [ "$(wc -l < "$tmp.peer")" -lt "$PEER_N" ]; do cat "$tmp.list" >> "$tmp.peer"; done
head -n "$PEER_N" "$tmp.peer" > "$tmp.list"
t0=$(now)
xargs -P "$(nproc)" -I{} sh -c '"$0" -c "$1" -b -o "bt all" >/dev/null 2>&1 || true' "$LLDB" {} < "$tmp.list"
t1=$(now)
n=$PEER_N
peer_rate=$(echo "$n / ($t1 - $t0)" | bc -l)
printf 'lldb -c DUMP -b -o "bt all": %d dumps in %.2f s = %.1f dumps/s (all cores)\n' "$n" "$(echo "$t1 - $t0" | bc -l)" "$peer_rate"
printf 'ratio kdx/lldb: %.1fx\n' "$(echo "$kdx_rate / $peer_rate" | bc -l)"
rm -f "$tmp.out" "$tmp.list" "$tmp.peer"
