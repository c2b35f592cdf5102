#!/usr/bin/env bash
# Builds ringio-fileserver and runs its tests: unit tests of the HTTP logic, then end-to-end tests
# that start the real binary on a loopback port over a temporary directory and check it with curl
# (full files, HEAD, 304, ranges, 416, 404, path traversal, disconnects), for both backends.
# Installs liburing-dev and curl with apt-get when missing (../../scripts/install-deps.sh).
set -euo pipefail
cd "$(dirname "$0")"

../../scripts/install-deps.sh curl

# Build everything first: the end-to-end tests run the ringio-fileserver binary from .build.
swift build --build-tests
swift test --skip-build
