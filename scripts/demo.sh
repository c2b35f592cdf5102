#!/usr/bin/env bash
# Builds and runs the demo (installs liburing-dev if missing). Extra arguments go to ringio-demo.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
swift run -c release ringio-demo "$@"
