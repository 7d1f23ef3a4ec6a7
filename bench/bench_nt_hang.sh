#!/bin/sh
# Hang triage at scale (issue 12, second half): the scenario writer builds, in a temp
# dir under /tmp, two complete dumps laid out with the 19041 ISF: KDX_BENCH_PROCESSES
# (10,000) processes of one thread each, and KDX_BENCH_THREADS (100,000) threads spread
# over KDX_BENCH_PROCESSES / 10 processes. `!process 0 0` walks the first; `!stacks`
# walks every thread of the second and unwinds its stack; `!analyze -hang` reads every
# thread's waits. Printed: best of N runs, kdx's peak resident memory, and the peer
# measured in the same run: kdx opening the same dump and loading the kernel's symbols
# only (`x nt!PsActiveProcessHead`), so the difference is the walk itself.
# Needs ../shared/testdata. Small check: KDX_BENCH_PROCESSES=200 KDX_BENCH_THREADS=2000.
set -eu
BUILD=${KDX_BUILD:-build}
KDX=${KDX_BIN:-$BUILD/kdx}
PROCESSES=${KDX_BENCH_PROCESSES:-10000}
THREADS=${KDX_BENCH_THREADS:-100000}
RUNS=${KDX_BENCH_RUNS:-3}
ISF=../shared/testdata/isf/ntkrnlmp.pdb/5278AFF86C341677D7D7835C85B7B844-1.json.xz
[ -x "$KDX" ] && [ -f "$BUILD/libkdx.a" ] || { echo "bench_nt_hang: build $KDX first (make)"; exit 1; }
[ -f "$ISF" ] || { echo "bench_nt_hang: needs $ISF; skipped"; exit 0; }
command -v /usr/bin/time >/dev/null || { echo "bench_nt_hang: needs /usr/bin/time; skipped"; exit 0; }

tmp=$(mktemp -d /tmp/kdx-bench-nt-hang.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
. bench/lib.sh
bench_tool kdx-mkscenario

# make NAME PROCESSES THREADS_PER_PROCESS
make_dump() {
    start=$(date +%s.%N)
    "$tmp/kdx-mkscenario" "$ISF" "$tmp/$1.dmp" "$2" "$3"
    end=$(date +%s.%N)
    printf 'scenario %s: %s processes x %s threads, %s MB, written in %.2f s\n' "$1" "$2" "$3" \
        $(($(stat -c %s "$tmp/$1.dmp") >> 20)) "$(echo "$end - $start" | bc)"
}

# measure DUMP COMMAND
measure() { bench_measure "$tmp/$1.dmp" "$2"; }

report() { # LABEL SECONDS KB PEER_SECONDS PEER_KB COUNT UNIT
    # /usr/bin/time counts in hundredths: a peer under 0.01 s gives no ratio
    ratio=$(if [ "$(echo "$4 > 0" | bc)" = 1 ]; then echo "$2 / $4" | bc -l; else echo 0; fi)
    printf '%s: %.2f s, peak %d MB resident; peer %.2f s, %d MB; %.1f us per %s; %s the peer\n' "$1" "$2" \
        $(($3 >> 10)) "$4" $(($5 >> 10)) "$(echo "($2 - $4) * 1000000 / $6" | bc -l)" "$7" \
        "$(if [ "$ratio" = 0 ]; then echo "(too fast to compare with)"; else printf '%.1fx' "$ratio"; fi)"
}

make_dump procs "$PROCESSES" 1
per=10
tprocs=$((THREADS / per))
[ "$tprocs" -ge 1 ] || tprocs=1
make_dump threads "$tprocs" "$per"

set -- $(measure procs "x nt!PsActiveProcessHead")
peer_s=$1 peer_kb=$2
set -- $(measure procs "!process 0 0")
listed=$(grep -c '^PROCESS ' "$tmp/out" || true)
report "!process 0 0 ($listed processes)" "$1" "$2" "$peer_s" "$peer_kb" "$PROCESSES" process

set -- $(measure threads "x nt!PsActiveProcessHead")
peer_s=$1 peer_kb=$2
set -- $(measure threads "!stacks")
processed=$(sed -n 's/^Threads Processed: //p' "$tmp/out")
report "!stacks ($processed threads)" "$1" "$2" "$peer_s" "$peer_kb" "$processed" thread
set -- $(measure threads "!analyze -hang")
report "!analyze -hang ($processed threads)" "$1" "$2" "$peer_s" "$peer_kb" "$processed" thread
