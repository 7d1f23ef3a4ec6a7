#!/bin/sh
# Symbol loading and start-up (issue 15), each kdx figure beside its peer in
# the same run:
#  - `!analyze -v` on the triage dump with the symbol store and the kernel's
#    ISF: symbol index off (every run parses the 6 MB ISF: the peer), cold
#    (the index is written), warm (mapped); mean wall time and peak RSS;
#  - `x nt!*` (39,832 lines) from the ISF against from the warm index, and
#    (CPU) what of it is start-up and loading nt's symbols;
#  - `kdx triage -j 2` with symbols over 20 links to the triage dump;
#  - start-up: `kdx --help` and `~*k` on user/calc.dmp, against the same
#    binary with libcurl, libedit and capstone preloaded (LD_PRELOAD), as it
#    was when it linked them.
# KDX_PEER_BIN=OTHER_KDX (an older build, e.g. main's) adds that binary's CPU
# times for the same cold, warm and triage runs, with its own index directory.
# Warm figures are taken once the index is more than 3 s old (a fresh index
# has its checksum computed on every open: see sym/symcache.c).
set -eu
KDX=${KDX_BIN:-build/kdx}
DATA=${KDX_TESTDATA:-../shared/testdata}
DUMP=$DATA/kernel/triage_x64.dmp
[ -f "$DUMP" ] && [ -d "$DATA/isf" ] || { echo "bench_symindex: $DATA is absent; skipped"; exit 0; }
[ -x /usr/bin/time ] || { echo "bench_symindex: needs GNU time (/usr/bin/time); skipped"; exit 0; }
SYMS="$DATA/symstore;$DATA/isf"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
IDX=$tmp/index

now_us() { echo $(($(date +%s%N) / 1000)); }

# mean_ms N SETUP CMD...: mean wall time in ms of CMD over N runs, SETUP
# (a shell command, ":" for none) run before each outside the timing.
mean_ms() {
    n=$1 setup=$2
    shift 2
    total=0
    i=0
    while [ $i -lt "$n" ]; do
        sh -c "$setup"
        t0=$(now_us)
        "$@" > /dev/null 2>&1 || true
        total=$((total + $(now_us) - t0))
        i=$((i + 1))
    done
    awk "BEGIN { printf \"%.1f\", $total / $n / 1000 }"
}

# peak_mb SETUP INDEX ARGS...: peak resident memory of one run of kdx ARGS
# with KDX_SYMBOL_INDEX=INDEX, in MB.
peak_mb() {
    setup=$1 index=$2
    shift 2
    sh -c "$setup"
    /usr/bin/time -f %M -o "$tmp/rss" env KDX_SYMBOL_INDEX="$index" "$KDX" "$@" > /dev/null 2>&1 || true
    awk "BEGIN { printf \"%.1f\", $(cat "$tmp/rss") / 1024 }"
}

ratio() { awk "BEGIN { printf \"%.1f\", $1 / $2 }"; }
row() { printf '%-52s %10s %10s %24s %7s\n' "$@"; }

analyze() { "$KDX" -z "$DUMP" -y "$SYMS" -c '!analyze -v; q'; }
xall() { "$KDX" -z "$DUMP" -y "$SYMS" -c 'x nt!*; q'; }
off() { KDX_SYMBOL_INDEX=off "$@"; }
on() { KDX_SYMBOL_INDEX=$IDX "$@"; }

echo "bench_symindex: $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
off_ms=$(mean_ms 5 : off analyze)
off_mb=$(peak_mb : off -z "$DUMP" -y "$SYMS" -c '!analyze -v; q')
cold_ms=$(mean_ms 5 "rm -rf '$IDX'" on analyze)
cold_mb=$(peak_mb "rm -rf '$IDX'" "$IDX" -z "$DUMP" -y "$SYMS" -c '!analyze -v; q')
sleep 4
on analyze > /dev/null
warm_ms=$(mean_ms 20 : on analyze)
warm_mb=$(peak_mb : "$IDX" -z "$DUMP" -y "$SYMS" -c '!analyze -v; q')
xoff_ms=$(mean_ms 3 : off xall)
xon_ms=$(mean_ms 10 : on xall)
[ "$(on xall | wc -l)" = "$(off xall | wc -l)" ] || echo "   (x nt!* printed different line counts)"

mkdir "$tmp/dumps"
i=0
while [ $i -lt 20 ]; do ln -s "$(readlink -f "$DUMP")" "$tmp/dumps/d$i.dmp"; i=$((i + 1)); done
tri_off=$(mean_ms 3 : off "$KDX" triage -j 2 -y "$SYMS" "$tmp/dumps")
tri_on=$(mean_ms 5 : on "$KDX" triage -j 2 -y "$SYMS" "$tmp/dumps")

libs=""
for l in libcurl.so.4 libedit.so.2 libcapstone.so.4; do
    p=$(ldconfig -p | awk -v l="$l" '$1 == l { print $NF; exit }')
    [ -n "$p" ] && libs="$libs${libs:+:}$p"
done
help_ms=$(mean_ms 50 : "$KDX" --help)
help_pre=$(LD_PRELOAD=$libs mean_ms 50 : "$KDX" --help)
calc_ms=$(mean_ms 50 : "$KDX" -z "$DATA/user/calc.dmp" -c '~*k; q')
calc_pre=$(LD_PRELOAD=$libs mean_ms 50 : "$KDX" -z "$DATA/user/calc.dmp" -c '~*k; q')
help_mb=$(peak_mb : off --help)
help_pre_mb=$(LD_PRELOAD=$libs peak_mb : off --help)

row "figure" "kdx" "target" "peer (same run)" "ratio"
row "!analyze -v, ISF + store, warm index (ms)" "$warm_ms" "<= 25" "index off $off_ms" "$(ratio "$off_ms" "$warm_ms")"
row "  peak resident (MB)" "$warm_mb" "<= 20" "index off $off_mb" "$(ratio "$off_mb" "$warm_mb")"
row "  cold: index written (ms)" "$cold_ms" "<= 120" "index off $off_ms" "$(ratio "$off_ms" "$cold_ms")"
row "  cold: peak resident (MB)" "$cold_mb" "-" "index off $off_mb" "-"
row "x nt!* from the warm index (ms)" "$xon_ms" ">= 20x" "from the ISF $xoff_ms" "$(ratio "$xoff_ms" "$xon_ms")"
row "kdx triage -j 2, symbols, warm (dumps/s)" "$(awk "BEGIN { printf \"%.0f\", 20000 / $tri_on }")" ">= 300" \
    "index off $(awk "BEGIN { printf \"%.1f\", 20000 / $tri_off }")" "$(ratio "$tri_off" "$tri_on")"
row "kdx --help (ms)" "$help_ms" "<= 2" "libraries linked $help_pre" "$(ratio "$help_pre" "$help_ms")"
row "  peak resident (MB)" "$help_mb" "-" "libraries linked $help_pre_mb" "-"
row "kdx -z user/calc.dmp -c '~*k; q' (ms)" "$calc_ms" "<= 3" "libraries linked $calc_pre" "$(ratio "$calc_pre" "$calc_ms")"

# CPU time (perf's task-clock, every thread and child), which other jobs on
# a shared machine disturb far less than wall time: printed when perf works.
cpu_ms() {
    n=$1 setup=$2
    shift 2
    perf stat -r "$n" --pre "$setup" -x, -e task-clock "$@" 2>&1 > /dev/null | awk -F, 'END { printf "%.1f", $1 }'
}
if command -v perf > /dev/null 2>&1 && perf stat -e task-clock true > /dev/null 2>&1; then
    echo "CPU time (perf task-clock, ms; load $(cut -d' ' -f1-3 /proc/loadavg)):"
    c_off=$(cpu_ms 5 true env KDX_SYMBOL_INDEX=off "$KDX" -z "$DUMP" -y "$SYMS" -c '!analyze -v; q')
    c_cold=$(cpu_ms 5 "rm -rf $IDX" env KDX_SYMBOL_INDEX="$IDX" "$KDX" -z "$DUMP" -y "$SYMS" -c '!analyze -v; q')
    sleep 4
    env KDX_SYMBOL_INDEX="$IDX" "$KDX" -z "$DUMP" -y "$SYMS" -c 'q' > /dev/null 2>&1
    c_warm=$(cpu_ms 20 true env KDX_SYMBOL_INDEX="$IDX" "$KDX" -z "$DUMP" -y "$SYMS" -c '!analyze -v; q')
    c_xoff=$(cpu_ms 3 true env KDX_SYMBOL_INDEX=off "$KDX" -z "$DUMP" -y "$SYMS" -c 'x nt!*; q')
    c_xon=$(cpu_ms 20 true env KDX_SYMBOL_INDEX="$IDX" "$KDX" -z "$DUMP" -y "$SYMS" -c 'x nt!*; q')
    # what x nt!* costs before it lists: start-up with the dump open (q), and
    # the same with nt's symbols loaded from the index (one symbol listed)
    c_q=$(cpu_ms 20 true env KDX_SYMBOL_INDEX="$IDX" "$KDX" -z "$DUMP" -y "$SYMS" -c 'q')
    c_x1=$(cpu_ms 20 true env KDX_SYMBOL_INDEX="$IDX" "$KDX" -z "$DUMP" -y "$SYMS" -c 'x nt!KeBugCheck; q')
    c_tri=$(cpu_ms 3 true env KDX_SYMBOL_INDEX="$IDX" "$KDX" triage -j 2 -y "$SYMS" "$tmp/dumps")
    c_calc=$(cpu_ms 20 true "$KDX" -z "$DATA/user/calc.dmp" -c '~*k; q')
    row "!analyze -v: index off / cold / warm (CPU ms)" "$c_warm" "-" "off $c_off, cold $c_cold" "$(ratio "$c_off" "$c_warm")"
    row "x nt!*: ISF / warm index (CPU ms)" "$c_xon" ">= 20x" "from the ISF $c_xoff" "$(ratio "$c_xoff" "$c_xon")"
    row "  of which start-up, dump open (q)" "$c_q" "-" "-" "-"
    row "  of which that and nt's symbols (one line)" "$c_x1" "-" "-" "-"
    row "triage -j 2, 20 dumps, warm (CPU ms per dump)" "$(awk "BEGIN { printf \"%.1f\", $c_tri / 20 }")" "-" "-" "-"
    row "~*k on user/calc.dmp (CPU ms)" "$c_calc" "-" "-" "-"
    if [ -n "${KDX_PEER_BIN:-}" ]; then
        P=$KDX_PEER_BIN PIDX=$tmp/peer-index
        p_cold=$(cpu_ms 5 "rm -rf $PIDX" env KDX_SYMBOL_INDEX="$PIDX" "$P" -z "$DUMP" -y "$SYMS" -c '!analyze -v; q')
        c_cold2=$(cpu_ms 5 "rm -rf $IDX" env KDX_SYMBOL_INDEX="$IDX" "$KDX" -z "$DUMP" -y "$SYMS" -c '!analyze -v; q')
        sleep 4
        env KDX_SYMBOL_INDEX="$PIDX" "$P" -z "$DUMP" -y "$SYMS" -c '!analyze -v; q' > /dev/null 2>&1
        env KDX_SYMBOL_INDEX="$IDX" "$KDX" -z "$DUMP" -y "$SYMS" -c '!analyze -v; q' > /dev/null 2>&1
        p_warm=$(cpu_ms 20 true env KDX_SYMBOL_INDEX="$PIDX" "$P" -z "$DUMP" -y "$SYMS" -c '!analyze -v; q')
        p_tri=$(cpu_ms 3 true env KDX_SYMBOL_INDEX="$PIDX" "$P" triage -j 2 -y "$SYMS" "$tmp/dumps")
        c_tri2=$(cpu_ms 3 true env KDX_SYMBOL_INDEX="$IDX" "$KDX" triage -j 2 -y "$SYMS" "$tmp/dumps")
        p_tri_ms=$(mean_ms 5 : env KDX_SYMBOL_INDEX="$PIDX" "$P" triage -j 2 -y "$SYMS" "$tmp/dumps")
        c_tri_ms=$(mean_ms 5 : on "$KDX" triage -j 2 -y "$SYMS" "$tmp/dumps")
        echo "Against $P (load $(cut -d' ' -f1-3 /proc/loadavg)):"
        row "!analyze -v cold (CPU ms)" "$c_cold2" "<= 120" "peer $p_cold" "$(ratio "$p_cold" "$c_cold2")"
        row "!analyze -v warm (CPU ms)" "$c_warm" "-" "peer $p_warm" "$(ratio "$p_warm" "$c_warm")"
        row "triage -j 2, 20 dumps (CPU ms)" "$c_tri2" "-" "peer $p_tri" "$(ratio "$p_tri" "$c_tri2")"
        row "triage -j 2, 20 dumps (dumps/s, wall)" "$(awk "BEGIN { printf \"%.0f\", 20000 / $c_tri_ms }")" ">= 300" \
            "peer $(awk "BEGIN { printf \"%.0f\", 20000 / $p_tri_ms }")" "$(ratio "$p_tri_ms" "$c_tri_ms")"
    fi
fi
