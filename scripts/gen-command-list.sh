#!/bin/sh
# Prints the README's command table from kdx's own command registry (.help),
# so the list cannot drift from what the binary accepts.
kdx="${1:-build/kdx}"
"$kdx" -c ".help; q" | sed '1d;$d' | awk '{ name = $1; $1 = ""; sub(/^ +/, "");
    gsub(/\|/, "\\|", name); gsub(/\|/, "\\|"); printf "| `%s` | %s |\n", name, $0 }'
