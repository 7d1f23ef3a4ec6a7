#!/bin/sh
# make demo: kdx on a sample dump written by the project's own dump writer,
# then on the shared real triage dump when it is present.
kdx="${1:-build/kdx}"
td="${KDX_TESTDATA:-../shared/testdata}"
if [ -f "$td/kernel/triage_x64.dmp" ]; then
  echo "== $td/kernel/triage_x64.dmp"
  "$kdx" -z "$td/kernel/triage_x64.dmp" -c "vertarget; .bugcheck; r; q"
else
  echo "(../shared/testdata not present: skipping the real triage dump)"
fi
