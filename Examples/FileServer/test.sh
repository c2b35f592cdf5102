#!/usr/bin/env bash
# Builds ringio-fileserver and runs its tests: unit tests of the HTTP logic, then end-to-end tests
# that start the real binary on a loopback port over a temporary directory and check it with curl
# (full files, HEAD, 304, ranges, 416, 404, path traversal, disconnects), for both backends.
# Installs liburing-dev (../../scripts/install-deps.sh) and curl with apt-get when missing.
set -euo pipefail
cd "$(dirname "$0")"

../../scripts/install-deps.sh

if ! command -v curl >/dev/null 2>&1; then
  if ! command -v apt-get >/dev/null 2>&1; then
    echo "The end-to-end tests need curl; install it with your package manager." >&2
    exit 1
  fi
  SUDO=""
  if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1; then SUDO="sudo"; else
      echo "Installing curl needs root: run as root or install sudo." >&2
      exit 1
    fi
  fi
  echo "Installing curl with apt-get …" >&2
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq curl >/dev/null
fi

# Build everything first: the end-to-end tests run the ringio-fileserver binary from .build.
swift build --build-tests
swift test --skip-build
