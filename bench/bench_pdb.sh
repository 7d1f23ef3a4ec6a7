#!/bin/sh
# PDB loading: time and peak memory for kdx's PDB reader to open each test
# PDB, build its address index, enumerate every symbol (and find each again by
# name) and read every type with its fields, against llvm-pdbutil dumping the
# same publics, globals, module symbols and types, measured in the same run.
# Times are the mean of RUNS runs of each process.
set -eu
BUILD=${1:-build}
RUNS=${PDB_BENCH_RUNS:-10}
DATA=${KDX_TESTDATA:-../shared/testdata}
[ -d "$DATA" ] || { echo "bench_pdb: $DATA is absent; skipped"; exit 0; }
[ -f "$BUILD/libkdx.a" ] || { echo "bench_pdb: $BUILD/libkdx.a missing (run make)"; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
PKGS="capstone libcurl libedit jansson liblzma libzstd libmspack"
${CC:-cc} -std=c11 -O2 -D_GNU_SOURCE -Isrc -I. bench/pdb_load.c "$BUILD/libkdx.a" \
    $(pkg-config --libs $PKGS) -lm -lpthread -o "$tmp/pdb_load"
files=$(find "$DATA/pdb" "$DATA/symstore" -type f -name '*.pdb' | sort)
# The 6.59 MB basic32.pdb is stored CAB-compressed (basic32.pd_).
cab=$(find "$DATA/symstore" -type f -name 'basic32.pd_' | head -1)
if [ -n "$cab" ] && "$tmp/pdb_load" --expand "$cab" "$tmp/basic32.pdb"; then
    files="$files $tmp/basic32.pdb"
fi
PEER=$(command -v llvm-pdbutil || ls /usr/lib/llvm-*/bin/llvm-pdbutil 2>/dev/null | head -1 || true)
now() { date +%s.%N; }
mean_time() { # mean seconds of RUNS runs of "$@"
    t0=$(now)
    i=0
    while [ $i -lt "$RUNS" ]; do "$@" > /dev/null 2>&1 || true; i=$((i + 1)); done
    t1=$(now)
    echo "($t1 - $t0) / $RUNS" | bc -l
}
peak_mb() {
    /usr/bin/time -f '%M' -o "$tmp/m" "$@" > /dev/null 2>&1 || true
    echo "$(tail -1 "$tmp/m") / 1024" | bc -l
}
printf '%-26s %10s %8s %10s %8s %9s\n' file kdx_ms kdx_MB peer_ms peer_MB peer/kdx
for f in $files; do
    ks=$(mean_time "$tmp/pdb_load" "$f")
    km=$(peak_mb "$tmp/pdb_load" "$f")
    if [ -n "$PEER" ]; then
        ps=$(mean_time "$PEER" dump -publics -globals -symbols -types "$f")
        pm=$(peak_mb "$PEER" dump -publics -globals -symbols -types "$f")
    else
        ps=0 pm=0
    fi
    printf '%-26s %10.1f %8.1f %10.1f %8.1f %8.1fx\n' "$(basename "$f")" \
        "$(echo "$ks * 1000" | bc -l)" "$km" "$(echo "$ps * 1000" | bc -l)" "$pm" \
        "$(echo "$ps / $ks" | bc -l)"
done
[ -n "$PEER" ] || echo "peer: llvm-pdbutil not installed; no ratio"
"$tmp/pdb_load" "$tmp/basic32.pdb" 2>/dev/null | sed 's/^/basic32.pdb: /' || true
