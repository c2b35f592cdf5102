#!/usr/bin/env bash
# Runs RingIO's tests: installs liburing-dev if missing; the whole suite on each backend, and once
# in the public-API build. With RINGIO_MACHINE_WIDE_TESTS=1 (which .ci/run sets), as root where
# the sysctl is writable, also the machine-wide tests that disable io_uring for a moment
# (kernel.io_uring_disabled, restored afterwards), on their own, and the suite with io_uring
# disabled (as on a host without it): every io_uring user on the machine sees it fail meanwhile,
# so it runs only when asked.
#
# Swift Testing only: `--disable-xctest` keeps XCTest's "Executed 0 tests" out of the log.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
swift build --build-tests
swift() { if [ "$1" = test ]; then shift; command swift test --disable-xctest "$@"; else command swift "$@"; fi; }
if [ "${RINGIO_MACHINE_WIDE_TESTS:-0}" != 1 ]; then
  echo "Skipping the tests that disable io_uring machine-wide for a moment (set RINGIO_MACHINE_WIDE_TESTS=1, as root, to run them)."
elif [ "$(id -u)" -eq 0 ] && [ -w /proc/sys/kernel/io_uring_disabled ]; then
  RINGIO_SYSTEM_TESTS=1 swift test --skip-build --filter SystemWideTests
  # The suite as a host without io_uring runs it: the tests pick the thread-pool backend
  # themselves and skip only what needs io_uring. The setting is restored however this ends.
  previous="$(cat /proc/sys/kernel/io_uring_disabled)"
  trap 'echo "$previous" > /proc/sys/kernel/io_uring_disabled' EXIT
  echo 2 > /proc/sys/kernel/io_uring_disabled
  swift test --skip-build --skip SystemWideTests
  echo "$previous" > /proc/sys/kernel/io_uring_disabled
  trap - EXIT
else
  echo "Skipping the tests that disable io_uring machine-wide (they need root and a writable kernel.io_uring_disabled)."
fi
# The same behavioural tests on the fallbacks: the thread-pool backend (io_uring blocked) and
# unregistered buffers with plain READ/WRITE (RLIMIT_MEMLOCK too small).
RINGIO_TEST_BACKEND=threadpool swift test --skip-build --skip SystemWideTests
RINGIO_TEST_BACKEND=unregistered swift test --skip-build --skip SystemWideTests
swift test --skip-build --skip SystemWideTests
# The whole suite once more in the public-API build (trait PublicConcurrencyOnly: no private
# Swift runtime entry points), in a scratch folder of its own so the default build stays cached.
swift build --build-tests --traits PublicConcurrencyOnly --scratch-path .build-public-api
swift test --skip-build --traits PublicConcurrencyOnly --scratch-path .build-public-api --skip SystemWideTests
