#!/bin/sh
# make fuzz-long: runs each libFuzzer target for SECONDS, appends one row per
# run to fuzz/RESULTS.md (date, seconds, runs, coverage, corpus, crashes) and
# merges the inputs that add coverage into fuzz/corpus/NAME (the kept,
# minimized corpus). Crashing inputs stay in BUILD/artifacts/ (the crashes
# column counts crash, leak, timeout and oom artifacts; slow-unit ones are not crashes).
# Usage: scripts/fuzz-long.sh BUILD SECONDS TARGET...
set -e
build="$1"; secs="$2"; shift 2
results=fuzz/RESULTS.md
mkdir -p "$build/artifacts"
for name in "$@"; do
  bin="$build/$name"
  [ -x "$bin" ] || { echo "fuzz-long: $bin is not built" >&2; exit 2; }
  work="$build/corpus/$name"; kept="fuzz/corpus/$name"; log="$build/$name.log"
  mkdir -p "$work" "$kept"
  before=$(ls "$build/artifacts" | grep -Ec "^$name-(crash|leak|timeout|oom)-" || true)
  echo "== $name ($secs s)"
  # A crash ends the run early; the row records it and the script goes on.
  # GNU time records the CPU seconds the run really got: on a shared machine
  # the wall-clock budget and the CPU time differ, and the goal counts CPU.
  /usr/bin/time -f 'cpu %U %S' -o "$log.cpu" \
    "$bin" -max_total_time="$secs" -rss_limit_mb=2048 -timeout=25 -print_final_stats=1 \
    -artifact_prefix="$build/artifacts/$name-" "$work" "$kept" $(scripts/fuzz-seeds.sh "$name") \
    >"$log" 2>&1 || true
  cpu=$(awk '/^cpu/ { printf "%d", $2 + $3 }' "$log.cpu")
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  time=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
  cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1 | cut -d' ' -f2)
  ft=$(grep -o 'ft: [0-9]*' "$log" | tail -1 | cut -d' ' -f2)
  after=$(ls "$build/artifacts" | grep -Ec "^$name-(crash|leak|timeout|oom)-" || true)
  "$bin" -merge=1 "$kept" "$work" >/dev/null 2>&1 || true
  units=$(ls "$kept" | wc -l)
  printf '| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n' "$(date -u +%Y-%m-%d)" "$name" \
    "$secs" "${cpu:-?}" "${runs:-?}" "${time:-?}" "${cov:-?}" "${ft:-?}" "$units" "$((after - before))" >>"$results"
  tail -1 "$results"
done
