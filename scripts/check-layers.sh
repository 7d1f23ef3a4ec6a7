#!/bin/sh
# Layering check: a folder of src/ may include headers from its own layer
# and the layers below it, never from a layer above (docs/ARCHITECTURE.md).
# Every `#include "folder/..."` in src/ is checked against the table below;
# a folder missing from the table is an error too, so a new folder gets a
# place in the order when it is added. Exit 0 when clean, 1 otherwise.
#
# The table: one layer per line, lowest first; folders on one line are the
# same layer (they may include each other).
LAYERS='
base
target mm types symprov errors
dump pe pdb isf
sym
unwind expr disasm
nt
analysis
commands
api
cli
'

cd "$(dirname "$0")/.." || exit 2
SRC=${1:-src}

rank_table=$(printf '%s\n' "$LAYERS" | awk 'NF { for (i = 1; i <= NF; i++) print $i, n; n++ }')

# Lines "file:line:#include "dir/..."" for every quoted include of a folder.
grep -rnE '^[[:space:]]*#[[:space:]]*include[[:space:]]+"[A-Za-z0-9_]+/' "$SRC" --include='*.c' --include='*.h' |
awk -v table="$rank_table" -v src="$SRC" '
BEGIN {
    n = split(table, rows, "\n")
    for (i = 1; i <= n; i++) { split(rows[i], f, " "); rank[f[1]] = f[2] }
    bad = 0
}
{
    file = $0; sub(/:.*/, "", file)
    rest = substr($0, length(file) + 2)
    line = rest; sub(/:.*/, "", line)
    inc = rest; sub(/^[^"]*"/, "", inc); sub(/".*/, "", inc)
    to = inc; sub(/\/.*/, "", to)
    from = substr(file, length(src) + 2); sub(/\/.*/, "", from)
    if (!(from in rank)) {
        if (!(from in unknown)) printf "%s: folder src/%s/ has no layer in scripts/check-layers.sh\n", file, from
        unknown[from] = 1; bad = 1; next
    }
    if (!(to in rank)) {
        printf "%s:%s: includes \"%s\" from folder %s/, which has no layer\n", file, line, inc, to
        bad = 1; next
    }
    if (rank[to] > rank[from]) {
        printf "%s:%s: upward include: %s/ (layer %d) includes \"%s\" (%s/, layer %d)\n", file, line, from, rank[from], inc, to, rank[to]
        bad = 1
    }
}
END { exit bad }
'
status=$?
if [ $status -eq 0 ]; then
    echo "check-layers: no upward include in $SRC/"
else
    echo "check-layers: FAILED (order in scripts/check-layers.sh and docs/ARCHITECTURE.md)" >&2
fi
exit $status
