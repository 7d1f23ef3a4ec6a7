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
  fuzz_cab*)      [ -d "$td/symstore/basic32.pdb" ] && echo "$td/symstore/basic32.pdb/34060D222DBB44E5AA72243CE8326C2F2" ;;
esac
exit 0
