#!/bin/sh
# ISF load: time and peak memory for kdx to load the kernel's Volatility
# symbol table (6 MB of JSON, xz-compressed) into its indexes and types,
# against Python's json.load of the same file through lzma, in the same run.
set -eu
BUILD=${KDX_BUILD:-build}
DATA=${KDX_TESTDATA:-../shared/testdata}
ISF="$DATA/isf/ntkrnlmp.pdb/5278AFF86C341677D7D7835C85B7B844-1.json.xz"
[ -f "$ISF" ] || { echo "bench_isf: $ISF is absent; skipped"; exit 0; }
[ -x /usr/bin/time ] || { echo "bench_isf: /usr/bin/time is not installed; skipped"; exit 0; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
${CC:-cc} -O2 -Isrc -I. bench/isf_load.c "$BUILD/libkdx.a" \
    $(pkg-config --libs capstone libcurl libedit jansson liblzma libzstd libmspack) -lm -lpthread \
    -o "$tmp/isf_load"
best() { # runs "$@" 3 times, prints the best "seconds kilobytes"
    for _ in 1 2 3; do
        /usr/bin/time -f '%e %M' -o "$tmp/t" "$@" > /dev/null
        cat "$tmp/t"
    done | sort -n | head -1
}
set -- $(best "$tmp/isf_load" "$ISF")
kt=$1 km=$2
printf 'kdx ISF load: %.2f s, peak %d MB\n' "$kt" $((km / 1024))
command -v python3 > /dev/null || { echo "peer: python3 is not installed; no ratio"; exit 0; }
set -- $(best python3 -c 'import json, lzma, sys; json.load(lzma.open(sys.argv[1]))' "$ISF")
pt=$1 pm=$2
printf 'python3 json.load(lzma.open(...)): %.2f s, peak %d MB\n' "$pt" $((pm / 1024))
printf 'ratio python/kdx: time %.1fx, memory %.1fx\n' "$(echo "$pt / $kt" | bc -l)" "$(echo "$pm / $km" | bc -l)"
