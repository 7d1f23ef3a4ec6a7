#!/bin/sh
# Processes at scale (issue 12): the scenario writer builds, in a temp dir under
# /tmp, a complete dump laid out with the 19041 ISF holding KDX_BENCH_PROCESSES
# (10,000) processes of one thread each; then `!process 0 0` walks them all (each
# process's EPROCESS, session, image name and handle table). Printed: the time to
# write the dump, the best of N runs of `!process 0 0`, kdx's peak resident memory,
# and the same for the peer measured in the same run: kdx opening the dump and
# loading the kernel's symbols only (`x nt!PsActiveProcessHead`), so the
# difference is the walk itself (per process). Needs ../shared/testdata.
set -eu
BUILD=${KDX_BUILD:-build}
KDX=${KDX_BIN:-$BUILD/kdx}
PROCESSES=${KDX_BENCH_PROCESSES:-10000}
RUNS=3
ISF=../shared/testdata/isf/ntkrnlmp.pdb/5278AFF86C341677D7D7835C85B7B844-1.json.xz
[ -x "$KDX" ] && [ -f "$BUILD/libkdx.a" ] || { echo "bench_nt: build $KDX first (make)"; exit 1; }
[ -f "$ISF" ] || { echo "bench_nt: needs $ISF; skipped"; exit 0; }
command -v /usr/bin/time >/dev/null || { echo "bench_nt: needs /usr/bin/time; skipped"; exit 0; }

tmp=$(mktemp -d /tmp/kdx-bench-nt.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
. bench/lib.sh
bench_tool kdx-mkscenario
start=$(date +%s.%N)
"$tmp/kdx-mkscenario" "$ISF" "$tmp/big.dmp" "$PROCESSES" 1
end=$(date +%s.%N)
size=$(stat -c %s "$tmp/big.dmp")
printf 'scenario: %s processes, %s MB, written in %.2f s\n' "$PROCESSES" $((size >> 20)) "$(echo "$end - $start" | bc)"

measure() { bench_measure "$tmp/big.dmp" "$1"; }
set -- $(measure "x nt!PsActiveProcessHead")
base_s=$1 base_kb=$2
set -- $(measure "!process 0 0")
walk_s=$1 walk_kb=$2
# /usr/bin/time counts in hundredths: a peer faster than that counts as 0.01 s.
[ "$(echo "$base_s < 0.01" | bc)" = 1 ] && base_s=0.01
listed=$(grep -c '^PROCESS ' "$tmp/out" || true)
printf '!process 0 0: %s processes listed in %.2f s, peak %d MB resident\n' "$listed" "$walk_s" $((walk_kb >> 10))
printf 'peer (open + kernel symbols only): %.2f s, peak %d MB resident\n' "$base_s" $((base_kb >> 10))
printf 'walk alone: %.1f us per process; %.1fx the peer'"'"'s time in total\n' \
    "$(echo "($walk_s - $base_s) * 1000000 / $PROCESSES" | bc -l)" "$(echo "$walk_s / $base_s" | bc -l)"
