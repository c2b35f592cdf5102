#!/usr/bin/env bash
# Runs RingIO's tests: installs liburing-dev if missing; as root (where the sysctl is writable) runs
# the machine-wide tests that disable io_uring for a moment, on their own, and the suite with
# io_uring disabled (as on a host without it); then the whole suite on each backend, and once in
# the public-API build.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
swift build --build-tests
if [ "$(id -u)" -eq 0 ] && [ -w /proc/sys/kernel/io_uring_disabled ]; then
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
  echo "Skipping the io_uring-disabled sysctl test (needs root and a writable kernel.io_uring_disabled)."
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
