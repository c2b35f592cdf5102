#!/usr/bin/env bash
# Checks (or records) the malloc thresholds of the RingIO benchmarks, in the way swift-nio's
# scripts/check_benchmark_thresholds.sh does: `benchmark thresholds check` against the p90 files
# committed under Benchmarks/Thresholds/<swift version>/, and on failure a `thresholds update`
# into a scratch directory plus a diff, so the log shows exactly what moved.
#
# Usage:
#   scripts/check-benchmark-thresholds.sh           # check; exit 0 when equal to the thresholds
#   scripts/check-benchmark-thresholds.sh update    # record new thresholds (commit the result)
#
# Environment:
#   SWIFT_VERSION   threshold set to use (default: major.minor of `swift --version`, e.g. 6.3)
#   METRICS         metrics to run and record (default: mallocCountTotal; timing metrics are too
#                   noisy on shared 2-core machines to gate on)
#
# Only mallocCountTotal is recorded: thresholds files list the metrics that get checked, and a
# `--metric` override runs just those. The allowed deviation (tolerance) for each metric is set in
# Benchmarks/Benchmarks/RingIOBenchmarks/RingIOBenchmarks.swift (`thresholds:`).
set -uo pipefail

log() { printf -- '** %s\n' "$*" >&2; }
error() { printf -- '** ERROR: %s\n' "$*" >&2; }

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PACKAGE="$ROOT/Benchmarks"
mode="${1:-check}"

swift_version="${SWIFT_VERSION:-$(swift --version 2>/dev/null | sed -n 's/.*Swift version \([0-9]*\.[0-9]*\).*/\1/p' | head -n 1)}"
[ -n "$swift_version" ] || { error "could not determine the Swift version; set SWIFT_VERSION"; exit 1; }
thresholds="$PACKAGE/Thresholds/$swift_version"

metric_args=()
for metric in ${METRICS:-mallocCountTotal}; do metric_args+=(--metric "$metric"); done

update() { # directory
    mkdir -p "$1"
    swift package --package-path "$PACKAGE" --allow-writing-to-package-directory \
        --allow-writing-to-directory "$1" \
        benchmark thresholds update --path "$1" "${metric_args[@]}" --no-progress
}

case "$mode" in
update)
    log "recording thresholds into $thresholds"
    update "$thresholds"
    exit $?
    ;;
check) ;;
*)
    error "unknown mode '$mode' (expected: check or update)"
    exit 2
    ;;
esac

if ! ls "$thresholds"/*.p90.json >/dev/null 2>&1; then
    error "no thresholds recorded for Swift $swift_version in $thresholds"
    error "record them with: $0 update"
    exit 1
fi

log "checking benchmarks against $thresholds"
output=$(swift package --package-path "$PACKAGE" benchmark thresholds check --path "$thresholds" \
    "${metric_args[@]}" --no-progress 2>&1)
rc=$?
printf '%s\n' "$output"
if [ "$rc" -eq 0 ]; then
    exit 0
fi

# Non-zero: regression, improvement (also a failure: the thresholds should be tightened), or a
# build/run error. Re-run with update into a scratch directory to tell them apart and show the diff.
if grep -q "is BETTER than" <<< "$output"; then
    log "benchmarks are BETTER than the recorded thresholds; tighten them with: $0 update"
elif grep -q "is WORSE than" <<< "$output"; then
    log "benchmarks REGRESSED against the recorded thresholds"
fi
scratch="$(mktemp -d)"
trap 'rm -rf "$scratch"' EXIT
log "recalculating thresholds into $scratch"
if ! update "$scratch"; then
    error "benchmarks failed to build or run"
    exit 1
fi
echo "=== BEGIN DIFF (recorded -> measured now) ==="
diff -ru "$thresholds" "$scratch"
echo "=== END DIFF ==="
exit 1
