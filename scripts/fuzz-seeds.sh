#!/bin/sh
# Prints extra seed directories for a fuzz target: real files from
# ../shared/testdata when present (read only; libFuzzer writes new inputs
# to the first corpus directory, which is under build-fuzz/).
name="$1"
td="${KDX_TESTDATA:-../shared/testdata}"
[ -d "$td" ] || exit 0
case "$name" in
  fuzz_kdump*)    [ -d "$td/kernel" ] && echo "$td/kernel" ;;
  fuzz_minidump*) [ -d "$td/user" ] && echo "$td/user" ;;
  fuzz_pe*)       [ -d "$td/pe" ] && echo "$td/pe" ;;
  fuzz_pdb*)      [ -d "$td/pdb" ] && echo "$td/pdb" ;;
esac
exit 0
