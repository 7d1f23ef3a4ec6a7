#!/bin/sh
# make demo: kdx on a sample dump written by the project's own dump writer
# (modelled on the KERNEL_APC_PENDING_DURING_EXIT crash of the reference
# article), then on the shared real triage dump when it is present.
set -e
kdx="${1:-build/kdx}"
build="$(dirname "$kdx")"
td="${KDX_TESTDATA:-../shared/testdata}"
pkgs="capstone libcurl libedit jansson liblzma libzstd libmspack"

# The sample writer is a small program over libkdx.
${CC:-cc} -std=c11 -D_GNU_SOURCE -Isrc -O1 -o "$build/kdx-mksample" tools/kdx-mksample.c \
  "$build/libkdx.a" $(pkg-config --libs $pkgs) -lm -lpthread
sample="$build/sample_apc_exit.dmp"
"$build/kdx-mksample" complete "$sample"

echo "== $sample (synthetic complete dump written by kdx's dump writer)"
"$kdx" -z "$sample" -c "vertarget; .bugcheck; !analyze -v; lm; r; dq fffff880\`05078b08 l8; ||; q"

if [ -f "$td/kernel/triage_x64.dmp" ]; then
  echo
  echo "== $td/kernel/triage_x64.dmp (real Windows 10 triage dump)"
  "$kdx" -z "$td/kernel/triage_x64.dmp" -c "vertarget; .bugcheck; lm m amdppm; r; dq @rsp l4; q"
  echo
  echo "== the same dump with the shared symbol store and the kernel's Volatility ISF table"
  "$kdx" -z "$td/kernel/triage_x64.dmp" -y "$td/symstore;$td/isf" \
    -c "!analyze -v; .cxr ffff850429891720; kn; q"
else
  echo "(../shared/testdata not present: skipping the real triage dump)"
fi
