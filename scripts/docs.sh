#!/usr/bin/env bash
# Builds RingIO's DocC documentation (Sources/RingIO/RingIO.docc and every doc comment) with
# swift-docc-plugin; any warning (an unresolved link, an undocumented parameter) fails it.
# Output: $1, default .build/docs (open RingIO.doccarchive with `docc preview`, or serve it).
set -euo pipefail
cd "$(dirname "$0")/.."
output="${1:-.build/docs}"
mkdir -p "$output"
swift package --allow-writing-to-directory "$output" \
  generate-documentation --target RingIO --output-path "$output" --warnings-as-errors
