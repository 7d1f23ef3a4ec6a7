#!/bin/sh
# The pool at scale (issue 13): the scenario writer builds, in a temp dir under
# /tmp, a complete dump laid out with the 19041 ISF in which leaky.sys holds
# KDX_BENCH_ALLOCS (1,000,000) large "Leak" allocations (entries of
# nt!PoolBigPageTable; their pages are not in the dump, as in a kernel dump
# that left them out) besides the scenario's other tags. Then `!poolused /t5 2`
# (tag table + owner scan of every loaded image) and `!poolfind Leak` (the
# whole large-allocation table) run; printed: the best of N runs of each,
# kdx's peak resident memory, and the same for the peer measured in the same
# run: kdx opening the dump and loading the kernel's symbols only
# (`x nt!PoolBigPageTable`), so the difference is the command itself.
# Then the segment heap: a second dump holds KDX_BENCH_SMALL (200,000) small
# "Leak" allocations (half in VS, half in LFH subsegments, each after a block
# of another tag, their pages in the dump) and `!poolfind Leak` walks every
# heap, segment, subsegment and block (nt/segheap.c).
# Needs ../shared/testdata.
set -eu
BUILD=${KDX_BUILD:-build}
KDX=${KDX_BIN:-$BUILD/kdx}
ALLOCS=${KDX_BENCH_ALLOCS:-1000000}
SMALL=${KDX_BENCH_SMALL:-200000}
RUNS=3
ISF=../shared/testdata/isf/ntkrnlmp.pdb/5278AFF86C341677D7D7835C85B7B844-1.json.xz
[ -x "$KDX" ] && [ -f "$BUILD/libkdx.a" ] || { echo "bench_pool: build $KDX first (make)"; exit 1; }
[ -f "$ISF" ] || { echo "bench_pool: needs $ISF; skipped"; exit 0; }
command -v /usr/bin/time >/dev/null || { echo "bench_pool: needs /usr/bin/time; skipped"; exit 0; }

tmp=$(mktemp -d /tmp/kdx-bench-pool.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
. bench/lib.sh
bench_tool kdx-mkleak
start=$(date +%s.%N)
"$tmp/kdx-mkleak" "$ISF" "$tmp/pool.dmp" "$ALLOCS" n
end=$(date +%s.%N)
size=$(stat -c %s "$tmp/pool.dmp")
printf 'scenario: %s large allocations, %s MB, written in %.2f s\n' "$ALLOCS" $((size >> 20)) "$(echo "$end - $start" | bc)"

measure() { bench_measure "$tmp/pool.dmp" "$1"; }
set -- $(measure "x nt!PoolBigPageTable")
base_s=$1 base_kb=$2
set -- $(measure "!poolused /t5 2")
used_s=$1 used_kb=$2
first=$(grep -m1 '^Leak ' "$tmp/out" | awk '{print $2}')
set -- $(measure "!poolfind Leak")
find_s=$1 find_kb=$2
found=$(grep -c ': tag Leak, ' "$tmp/out" || true)
# /usr/bin/time counts in hundredths: a peer faster than that counts as 0.01 s.
[ "$(echo "$base_s < 0.01" | bc)" = 1 ] && base_s=0.01
printf 'peer (open + kernel symbols only): %.2f s, peak %d MB resident\n' "$base_s" $((base_kb >> 10))
printf '!poolused /t5 2: Leak first with %s allocations, %.2f s, peak %d MB resident (%.1fx the peer)\n' \
    "$first" "$used_s" $((used_kb >> 10)) "$(echo "$used_s / $base_s" | bc -l)"
printf '!poolfind Leak: %s allocations found, %.2f s, peak %d MB resident (%.1fx the peer); %.2f us per table entry\n' \
    "$found" "$find_s" $((find_kb >> 10)) "$(echo "$find_s / $base_s" | bc -l)" \
    "$(echo "($find_s - $base_s) * 1000000 / $ALLOCS" | bc -l)"

# The segment heap's small allocations.
start=$(date +%s.%N)
"$tmp/kdx-mkleak" "$ISF" "$tmp/small.dmp" 1 s "$SMALL"
end=$(date +%s.%N)
size=$(stat -c %s "$tmp/small.dmp")
printf 'scenario: %s small allocations in a segment heap, %s MB, written in %.2f s\n' "$SMALL" $((size >> 20)) \
    "$(echo "$end - $start" | bc)"
set -- $(bench_measure "$tmp/small.dmp" "x nt!ExPoolState")
sbase_s=$1
[ "$(echo "$sbase_s < 0.01" | bc)" = 1 ] && sbase_s=0.01
set -- $(bench_measure "$tmp/small.dmp" "!poolfind Leak")
sfind_s=$1 sfind_kb=$2
sfound=$(grep -c '(Allocated) Leak' "$tmp/out" || true)
blocks=$(grep -o '[0-9]* blocks)' "$tmp/out" | awk '{print $1}')
printf '!poolfind Leak (segment heap): %s allocations found of %s blocks walked, %.2f s, peak %d MB resident (%.1fx the peer); %.2f us per block\n' \
    "$sfound" "$blocks" "$sfind_s" $((sfind_kb >> 10)) "$(echo "$sfind_s / $sbase_s" | bc -l)" \
    "$(echo "($sfind_s - $sbase_s) * 1000000 / $blocks" | bc -l)"
