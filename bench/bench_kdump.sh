#!/bin/sh
# Kernel dumps at scale (issue 2): the project's dump writer builds, in a temp
# dir under /tmp, (1) a sparse bitmap dump (DumpType 5) whose bitmap spans
# 8 GB of physical memory with KDX_BENCH_BITMAP_MB (512) of it present, and
# (2) a complete dump (DumpType 1) of KDX_BENCH_COMPLETE_MB (1024) of memory.
# For each: time to open and print `vertarget`, kdx's peak resident memory, and
# `s -d` over the whole 64-bit address space (every mapped page: the data
# pages and the kernel structures) for a dword that occurs nowhere, in
# GB/s (10^9 bytes of mapped data per second). Peers in the same run, over the
# same file: `LC_ALL=C grep -c -F` of the pattern's 4 bytes (search) and
# `cat FILE > /dev/null` (raw read). Best of N runs; the files are in the page
# cache (just written), for kdx and the peers alike.
# Targets: open under 50 ms and under 30 MB resident for 8 GB; search >= 1 GB/s.
set -eu
BUILD=${KDX_BUILD:-build}
KDX=${KDX_BIN:-$BUILD/kdx}
SPAN_MB=8192
BITMAP_MB=${KDX_BENCH_BITMAP_MB:-512}
COMPLETE_MB=${KDX_BENCH_COMPLETE_MB:-1024}
OPEN_RUNS=5
SEARCH_RUNS=3
[ -x "$KDX" ] && [ -f "$BUILD/libkdx.a" ] || { echo "bench_kdump: build $KDX first (make)"; exit 1; }

# Disk and memory: the two dumps take BITMAP_MB + COMPLETE_MB of /tmp, and the
# writer holds each dump's pages in memory while it writes them.
avail_mb=$(df -Pk /tmp | awk 'NR == 2 { print int($4 / 1024) }')
mem_mb=$(awk '/^MemAvailable:/ { print int($2 / 1024) }' /proc/meminfo 2>/dev/null || echo 0)
need_mb=$((BITMAP_MB + COMPLETE_MB + 512))
if [ "$avail_mb" -lt "$need_mb" ] || { [ "$mem_mb" -gt 0 ] && [ "$mem_mb" -lt $((COMPLETE_MB * 2)) ]; }; then
    room=$avail_mb
    [ "$mem_mb" -gt 0 ] && [ "$mem_mb" -lt "$room" ] && room=$mem_mb
    [ "$BITMAP_MB" -le $((room / 6)) ] || BITMAP_MB=$((room / 6))
    [ "$COMPLETE_MB" -le $((room / 4)) ] || COMPLETE_MB=$((room / 4))
    [ "$BITMAP_MB" -ge 64 ] || { echo "bench_kdump: only ${avail_mb} MB free in /tmp and ${mem_mb} MB of memory; skipped"; exit 0; }
    echo "bench_kdump: /tmp has ${avail_mb} MB free, ${mem_mb} MB of memory available:" \
         "scaled down to ${BITMAP_MB} MB present in the bitmap dump and a ${COMPLETE_MB} MB complete dump"
fi

tmp=$(mktemp -d /tmp/kdx-bench-kdump.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
trap 'rm -rf "$tmp"; exit 130' HUP INT PIPE TERM
${CC:-cc} -O2 -std=c11 -Wall -Wextra -Werror -Wshadow -D_GNU_SOURCE -Isrc -I. bench/gen_bigdump.c "$BUILD/libkdx.a" \
    $(pkg-config --libs capstone libcurl libedit jansson liblzma libzstd libmspack) -lm -lpthread \
    -o "$tmp/gen_bigdump"
GEN=$tmp/gen_bigdump
PATTERN='0`deadbeef'                         # the backtick keeps it from sign extension
BYTES=$(printf '\357\276\255\336')         # the same dword, little endian
RANGE='0 L?ffffffffffffffff'                  # the whole 64-bit address space

best() { # best() N CMD... : best of N runs of CMD as "seconds maxrss_kb"
    n=$1
    shift
    i=0
    while [ $i -lt "$n" ]; do
        "$GEN" run "$tmp/t" "$@" > "$tmp/out" 2>&1 || { cat "$tmp/out" >&2; return 1; }
        cat "$tmp/t"
        i=$((i + 1))
    done | sort -n | head -1
}
calc() { awk "BEGIN { printf \"$1\", $2 }"; }
row() { printf '%-38s %12s %10s %22s %7s\n' "$@"; }

measure() { # measure NAME FILE DATA_MB
    name=$1 file=$2 data_mb=$3 target_open=$4 target_rss=$5
    size=$(stat -c %s "$file")
    alloc=$(du -k "$file" | cut -f1)
    echo "-- $name: $(calc '%.2f' "$size / 1e9") GB file ($(calc '%.2f' "$alloc / 1e6") GB on disk)"
    "$KDX" -z "$file" -c "vertarget; q" | sed -n 's/^Windows/   Windows/p'
    set -- $(best $SEARCH_RUNS cat "$file")
    cat_s=$1
    # grep exits 1 when it finds nothing: through sh, which costs about a millisecond.
    set -- $(best $SEARCH_RUNS sh -c 'LC_ALL=C grep -c -F "$1" "$2" || true' sh "$BYTES" "$file")
    grep_s=$1
    [ "$(LC_ALL=C grep -c -F "$BYTES" "$file" || true)" = 0 ] || echo "   (the pattern occurs in the file: grep stops early)"
    set -- $(best $OPEN_RUNS "$KDX" -z "$file" -c "vertarget; q")
    open_s=$1 open_kb=$2
    set -- $(best $SEARCH_RUNS "$KDX" -z "$file" -c "s -d $RANGE $PATTERN; q")
    search_s=$1 search_kb=$2
    "$KDX" -z "$file" -c "s -d $RANGE $PATTERN; q" > "$tmp/hits"
    hits=$(grep -vc '^0: kd>' "$tmp/hits" || true)
    [ "$hits" = 0 ] || { echo "   kdx printed $hits lines for an absent pattern:"; head -3 "$tmp/hits"; }
    # Search time without the open, over the mapped data (data_mb, plus the
    # few pages of kernel structures, not counted).
    scan_s=$(calc '%.6f' "$search_s - $open_s")
    data_b=$((data_mb * 1048576))
    kdx_gbs=$(calc '%.2f' "$data_b / $scan_s / 1e9")
    grep_gbs=$(calc '%.2f' "$size / $grep_s / 1e9")
    cat_gbs=$(calc '%.2f' "$size / $cat_s / 1e9")
    row "figure" "kdx" "target" "peer" "ratio"
    row "open + vertarget (ms)" "$(calc '%.1f' "$open_s * 1000")" "$target_open" "-" "-"
    row "peak resident, open (MB)" "$(calc '%.1f' "$open_kb / 1024")" "$target_rss" "-" "-"
    row "s -d, $data_mb MB mapped (GB/s)" "$kdx_gbs" ">= 1" "grep -F $grep_gbs" "$(calc '%.2f' "$kdx_gbs / $grep_gbs")"
    row "s -d vs raw read (GB/s)" "$kdx_gbs" "-" "cat $cat_gbs" "$(calc '%.2f' "$kdx_gbs / $cat_gbs")"
    row "peak resident, s -d (MB)" "$(calc '%.1f' "$search_kb / 1024")" "-" "-" "-"
    echo "   (s -d: $(calc '%.3f' "$search_s") s in all; resident memory during the search is the"
    echo "    dump's pages mapped from the page cache, file-backed and reclaimable)"
}

t0=$(date +%s)
echo "writing a bitmap dump: 8 GB of physical memory, $BITMAP_MB MB present"
"$GEN" bitmap "$tmp/bitmap.dmp" "$SPAN_MB" "$BITMAP_MB"
measure "bitmap dump (DumpType 5), 8 GB physical, $BITMAP_MB MB present" "$tmp/bitmap.dmp" "$BITMAP_MB" "< 50" "< 30"
rm -f "$tmp/bitmap.dmp"
echo "writing a complete dump: $COMPLETE_MB MB"
"$GEN" complete "$tmp/complete.dmp" "$COMPLETE_MB"
measure "complete dump (DumpType 1), $COMPLETE_MB MB" "$tmp/complete.dmp" "$COMPLETE_MB" "< 50" "< 30"
rm -f "$tmp/complete.dmp"
echo "bench_kdump: $(($(date +%s) - t0)) s on $(nproc) cores"
