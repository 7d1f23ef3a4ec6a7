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
${CC:-cc} -std=c11 -D_GNU_SOURCE -Isrc -O2 -o "$tmp/mkscenario" tools/kdx-mkscenario.c "$BUILD/libkdx.a" \
    $(pkg-config --libs capstone libcurl libedit jansson liblzma libzstd libmspack) -lm -lpthread
start=$(date +%s.%N)
"$tmp/mkscenario" "$ISF" "$tmp/big.dmp" "$PROCESSES" 1
end=$(date +%s.%N)
size=$(stat -c %s "$tmp/big.dmp")
printf 'scenario: %s processes, %s MB, written in %.2f s\n' "$PROCESSES" $((size >> 20)) "$(echo "$end - $start" | bc)"

# best of RUNS: prints "seconds peak_kb"
measure() {
    best=""
    peak=0
    i=0
    while [ $i -lt $RUNS ]; do
        /usr/bin/time -f "%e %M" -o "$tmp/t" "$KDX" -z "$tmp/big.dmp" -y "$(dirname "$(dirname "$ISF")")" -c "$1" >"$tmp/out" 2>&1
        read -r s kb <"$tmp/t"
        if [ -z "$best" ] || [ "$(echo "$s < $best" | bc)" = 1 ]; then best=$s; fi
        [ "$kb" -gt "$peak" ] && peak=$kb
        i=$((i + 1))
    done
    echo "$best $peak"
}
set -- $(measure "x nt!PsActiveProcessHead")
base_s=$1 base_kb=$2
set -- $(measure "!process 0 0")
walk_s=$1 walk_kb=$2
listed=$(grep -c '^PROCESS ' "$tmp/out" || true)
printf '!process 0 0: %s processes listed in %.2f s, peak %d MB resident\n' "$listed" "$walk_s" $((walk_kb >> 10))
printf 'peer (open + kernel symbols only): %.2f s, peak %d MB resident\n' "$base_s" $((base_kb >> 10))
printf 'walk alone: %.1f us per process; %.1fx the peer'"'"'s time in total\n' \
    "$(echo "($walk_s - $base_s) * 1000000 / $PROCESSES" | bc -l)" "$(echo "$walk_s / $base_s" | bc -l)"
