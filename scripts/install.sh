#!/bin/sh
# make install: copies a built tree into PREFIX (DESTDIR for packagers).
#   scripts/install.sh BUILD PREFIX
# bin/kdx, lib/libkdx.so.N with its libkdx.so link, lib/libkdx.a,
# include/kdx.h, lib/pkgconfig/kdx.pc, share/man/man1/kdx.1 and
# share/bash-completion/completions/kdx.
set -eu
build="$1"
prefix="$2"
root="${DESTDIR:-}$prefix"
sover=$(sed -n 's/^#define KDX_SOVERSION \([0-9]*\)$/\1/p' include/kdx.h)
version=$(sed -n 's/^#define KDX_VERSION_STRING "\(.*\)"$/\1/p' include/kdx.h)
for f in "$build/kdx" "$build/libkdx.a" "$build/libkdx.so.$sover"; do
  [ -f "$f" ] || { echo "install: $f is not built (run make first)" >&2; exit 1; }
done
install -d "$root/bin" "$root/lib/pkgconfig" "$root/include" "$root/share/man/man1" \
  "$root/share/bash-completion/completions"
install -m 755 "$build/kdx" "$root/bin/kdx"
install -m 755 "$build/libkdx.so.$sover" "$root/lib/libkdx.so.$sover"
ln -sf "libkdx.so.$sover" "$root/lib/libkdx.so"
install -m 644 "$build/libkdx.a" "$root/lib/libkdx.a"
install -m 644 include/kdx.h "$root/include/kdx.h"
sed -e "s|@PREFIX@|$prefix|" -e "s|@VERSION@|$version|" dist/kdx.pc.in > "$root/lib/pkgconfig/kdx.pc"
install -m 644 dist/kdx.1 "$root/share/man/man1/kdx.1"
install -m 644 dist/kdx.bash-completion "$root/share/bash-completion/completions/kdx"
echo "installed kdx $version into $root"
