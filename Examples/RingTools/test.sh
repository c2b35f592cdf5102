#!/usr/bin/env bash
# Builds ringcp and ringsum and runs their tests, which run the built tools and compare them with
# cmp(1) and coreutils' sha256sum(1). Tests that need root (mounting a tmpfs, switching to nobody)
# or O_DIRECT skip themselves, with the reason, where those are not available.
set -euo pipefail
cd "$(dirname "$0")"
../../scripts/install-deps.sh
swift build
swift test
