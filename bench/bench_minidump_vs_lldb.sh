#!/bin/sh
# User minidumps, kdx against lldb-14 (Debian's lldb reads Windows minidumps)
# on the same files in the same run: wall time and peak memory to open each
# dump and print every thread's stack.
#   kdx:  kdx -z DUMP -c "~* k; q"
#   lldb: lldb -c DUMP -b -o "thread backtrace all"
# Each dump is run REPEAT times per tool (the files are small); times are the
# total over the repeats (GNU time's own start-up included for both tools),
# memory the largest peak RSS seen (GNU time's %M).
set -eu
REPEAT=${MD_BENCH_REPEAT:-10}
KDX=${KDX_BIN:-build/kdx}
DATA=${KDX_TESTDATA:-../shared/testdata}
[ -d "$DATA/user" ] || { echo "bench_minidump_vs_lldb: $DATA/user is absent; skipped"; exit 0; }
[ -x /usr/bin/time ] || { echo "bench_minidump_vs_lldb: needs GNU time (/usr/bin/time); skipped"; exit 0; }
LLDB=$(command -v lldb-14 || command -v lldb || ls /usr/lib/llvm-*/bin/lldb 2>/dev/null | head -1 || true)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

now() { date +%s.%N; }

# Runs "$@" REPEAT times; prints "SECONDS PEAK_KB": the wall time of all the
# runs (measured around them, so it has nanosecond resolution) and the
# largest peak RSS GNU time saw.
measure() {
    peak=0
    i=0
    t0=$(now)
    while [ $i -lt "$REPEAT" ]; do
        /usr/bin/time -f "%M" -o "$tmp/t" "$@" > "$tmp/out" 2>&1 || true
        m=$(tail -n 1 "$tmp/t")
        [ "$m" -gt "$peak" ] && peak=$m
        i=$((i + 1))
    done
    t1=$(now)
    echo "$(echo "$t1 - $t0" | bc -l) $peak"
}

# The dumps both tools can open (the deliberately broken ones are left out).
dumps=$(find "$DATA/user" -name '*.dmp' ! -name 'invalid-*' ! -name 'trunc_*' | sort)
printf '%-28s %12s %10s %12s %10s %8s\n' dump "kdx s" "kdx KB" "lldb s" "lldb KB" "ratio"
kdx_sum=0
lldb_sum=0
for d in $dumps; do
    set -- $(measure "$KDX" -z "$d" -c "~* k; q")
    kt=$1 km=$2
    threads=$(grep -c 'Id: ' "$tmp/out" || true)
    if grep -q "Syntax error in 'k'" "$tmp/out"; then
        echo "warning: this kdx build has no k command; its figures leave out stack walking" >&2
    fi
    kdx_sum=$(echo "$kdx_sum + $kt" | bc -l)
    if [ -n "$LLDB" ]; then
        set -- $(measure "$LLDB" -c "$d" -b -o "thread backtrace all")
        lt=$1 lm=$2
        lldb_sum=$(echo "$lldb_sum + $lt" | bc -l)
        ratio=$(echo "if ($kt > 0) $lt / $kt else 0" | bc -l)
        printf '%-28s %12.3f %10d %12.3f %10d %7.1fx  (%d threads)\n' "$(basename "$d")" "$kt" "$km" "$lt" "$lm" "$ratio" "$threads"
    else
        printf '%-28s %12.3f %10d %12s %10s %8s  (%d threads)\n' "$(basename "$d")" "$kt" "$km" - - - "$threads"
    fi
done
printf 'kdx total: %.3f s for %d runs per dump\n' "$kdx_sum" "$REPEAT"
if [ -z "$LLDB" ]; then
    echo "peer: lldb not installed (scripts/setup-deps.sh bench installs it); no ratio"
    exit 0
fi
echo "(lldb-14 on Debian prints Python 'embedded_interpreter' tracebacks at start-up; they"
echo " go to its output and are part of its measured time, as a user of that package sees it)"
printf 'lldb total: %.3f s; lldb/kdx time ratio: %.1fx\n' "$lldb_sum" "$(echo "$lldb_sum / $kdx_sum" | bc -l)"
