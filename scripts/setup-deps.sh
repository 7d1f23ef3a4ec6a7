#!/bin/sh
# Installs the Debian packages kdx needs, only those that are missing.
# Usage: scripts/setup-deps.sh [build|test|browser|fuzz|bench]...  (default: build)
set -e
groups="${*:-build}"
pkgs=""
for g in $groups; do
  case "$g" in
    build) pkgs="$pkgs gcc make pkg-config libcapstone-dev libcurl4-openssl-dev libmspack-dev libedit-dev libjansson-dev liblzma-dev libzstd-dev libxxhash-dev zlib1g-dev mingw-w64-common" ;;
    test)  pkgs="$pkgs python3 python3-venv python3-distributed xz-utils" ;;
    fuzz)  pkgs="$pkgs clang libclang-rt-14-dev" ;;
    browser) pkgs="$pkgs chromium python3" ;;
    bench) pkgs="$pkgs llvm lldb python3 valgrind bc" ;;
    *) echo "setup-deps: unknown group '$g'" >&2; exit 2 ;;
  esac
done
missing=""
for p in $pkgs; do
  if ! dpkg-query -W -f '${Status}' "$p" 2>/dev/null | grep -q "ok installed"; then
    missing="$missing $p"
  fi
done
[ -z "$missing" ] && exit 0
echo "setup-deps: installing:$missing"
if [ "$(id -u)" -eq 0 ]; then SUDO=""; else SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq || true
$SUDO apt-get install -y -qq $missing
