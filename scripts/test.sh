#!/usr/bin/env bash
# Runs RingIO's tests: installs liburing-dev if missing, runs the suite, then (as root, where the
# sysctl is writable) the machine-wide tests that disable io_uring for a moment, on their own.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
swift build --build-tests
swift test --skip SystemWideTests
if [ "$(id -u)" -eq 0 ] && [ -w /proc/sys/kernel/io_uring_disabled ]; then
  RINGIO_SYSTEM_TESTS=1 swift test --skip-build --filter SystemWideTests
else
  echo "Skipping the io_uring-disabled sysctl test (needs root and a writable kernel.io_uring_disabled)."
fi
