#!/bin/sh
# The functions include/kdx.h declares, as the linker version script of
# libkdx.so (`map`) or one name a line (`list`, for tests). Declarations are
# the lines that start in column 0 with a return type; comments and the
# example in the header's prologue start with a blank or '/'.
set -e
mode="$1"
header="${2:-include/kdx.h}"
names=$(grep -E '^[a-z]' "$header" | grep -oE '\bkdx_[a-z0-9_]+\(' | tr -d '(' | sort -u)
case "$mode" in
  list) printf '%s\n' $names ;;
  map)
    echo "KDX_1 {"
    echo "  global:"
    for n in $names; do echo "    $n;"; done
    echo "  local: *;"
    echo "};"
    ;;
  *) echo "usage: $0 map|list [HEADER]" >&2; exit 2 ;;
esac
