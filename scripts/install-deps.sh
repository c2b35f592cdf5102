#!/usr/bin/env bash
# Installs what RingIO needs to build when it is missing: liburing-dev (Debian/Ubuntu, via apt-get).
# Uses sudo when not root. Safe to run repeatedly.
set -euo pipefail

need=()
if ! { [ -f /usr/include/liburing.h ] || echo '#include <liburing.h>' | cc -E - >/dev/null 2>&1; }; then
  need+=(liburing-dev)
fi
for pkg in "$@"; do
  command -v "$pkg" >/dev/null 2>&1 || need+=("$pkg")
done
[ ${#need[@]} -eq 0 ] && exit 0

if ! command -v apt-get >/dev/null 2>&1; then
  echo "RingIO needs: ${need[*]}. Install them with your package manager (liburing 2.2 or later)." >&2
  exit 1
fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then SUDO="sudo"; else
    echo "Installing ${need[*]} needs root: run as root or install sudo." >&2
    exit 1
  fi
fi
echo "Installing ${need[*]} with apt-get …" >&2
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq "${need[@]}" >/dev/null
