#!/bin/sh
# make test-browser: kdx triage --html over ../shared/testdata, rendered by
# Debian's chromium headless. The rendered DOM's bucket table must equal the
# JSON summary of the same run (scripts/check-report.py), and the screenshot
# must not be blank.
#   scripts/test-browser.sh BUILD [PYTHON]
set -eu
build="$1"
py="${2:-/usr/bin/python3}"
td="${KDX_TESTDATA:-../shared/testdata}"
if [ ! -d "$td/kernel" ]; then
  echo "test-browser: SKIP: needs $td (../shared/testdata), which is not present"
  exit 0
fi
browser=$(command -v chromium || command -v chromium-browser || true)
if [ -z "$browser" ]; then
  echo "test-browser: FAIL: chromium is not installed (scripts/setup-deps.sh browser)" >&2
  exit 1
fi
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
status=0
"$build/kdx" triage --json --html "$out/report.html" -y "$td/symstore;$td/isf" "$td" > "$out/triage.jsonl" || status=$?
# 3: some dumps of the corpus are broken on purpose; anything else is a failure.
if [ "$status" -ne 0 ] && [ "$status" -ne 3 ]; then
  echo "test-browser: FAIL: kdx triage exited with $status" >&2
  exit 1
fi
flags="--headless=new --no-sandbox --disable-gpu --no-first-run --user-data-dir=$out/profile"
# Both runs are offline: the page must need nothing from a network.
timeout 120 "$browser" $flags --dump-dom "file://$out/report.html" > "$out/dom.html" 2>"$out/chromium.log"
timeout 120 "$browser" $flags --window-size=1200,1400 --screenshot="$out/report.png" \
  "file://$out/report.html" >>"$out/chromium.log" 2>&1
"$py" scripts/check-report.py "$out/triage.jsonl" "$out/dom.html" "$out/report.png"
