#!/bin/sh
# Unwinder throughput on a 10,000-frame synthetic x64 stack against reading
# the return-address chain alone, and disassembly of the largest .pdata
# function of Wdf01000.sys (when ../shared/testdata is present).
set -eu
BUILD=${1:-build}
DATA=${KDX_TESTDATA:-../shared/testdata}
[ -f "$BUILD/libkdx.a" ] || { echo "bench_unwind: $BUILD/libkdx.a missing (run make)"; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
PKGS="capstone libcurl libedit jansson liblzma libzstd libmspack"
${CC:-cc} -std=c11 -O2 -D_GNU_SOURCE -Isrc -I. bench/unwind_bench.c "$BUILD/libkdx.a" \
    $(pkg-config --libs $PKGS) -lm -lpthread -o "$tmp/unwind_bench"
img=$(find "$DATA/symstore" -type f -name 'Wdf01000.sys' 2>/dev/null | head -1 || true)
"$tmp/unwind_bench" $img
