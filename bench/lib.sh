# Shared by the scenario benchmarks (sourced after BUILD, KDX, RUNS, ISF and
# tmp are set): building a scenario writer and measuring a command best of N.

# bench_tool NAME: tools/NAME.c linked against the built library, as $tmp/NAME.
bench_tool() {
    ${CC:-cc} -std=c11 -D_GNU_SOURCE -Isrc -O2 -o "$tmp/$1" "tools/$1.c" "$BUILD/libkdx.a" \
        $(pkg-config --libs capstone libcurl libedit jansson liblzma libzstd libmspack) -lm -lpthread -ldl
}

# bench_measure DUMP COMMAND: prints "seconds peak_kb", the best time of RUNS
# runs and the highest peak; the last run's output stays in $tmp/out.
bench_measure() {
    best=""
    peak=0
    i=0
    while [ "$i" -lt "$RUNS" ]; do
        /usr/bin/time -f "%e %M" -o "$tmp/t" "$KDX" -z "$1" -y "$(dirname "$(dirname "$ISF")")" \
            -c "$2" >"$tmp/out" 2>&1
        read -r s kb <"$tmp/t"
        if [ -z "$best" ] || [ "$(echo "$s < $best" | bc)" = 1 ]; then best=$s; fi
        [ "$kb" -gt "$peak" ] && peak=$kb
        i=$((i + 1))
    done
    echo "$best $peak"
}
