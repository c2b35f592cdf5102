#!/usr/bin/env bash
# IOPS of 4 KiB random READ_FIXED (page cache, QD32) with and without a registered file, in one
# run: interleaved A/B repeats of Benchmarks' ringio-iops, medians and the ratio.
# Environment: REPEATS (5), RUNTIME seconds (3), QD (32), BENCH_FILE, SKIP_BUILD=1.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
REPEATS="${REPEATS:-5}"; RUNTIME="${RUNTIME:-3}"; QD="${QD:-32}"
BENCH_FILE="${BENCH_FILE:-${TMPDIR:-/tmp}/ringio-bench-256m.dat}"
"$ROOT/scripts/install-deps.sh"
if [ -z "${SKIP_BUILD:-}" ]; then
  swift build -c release --package-path "$ROOT/Benchmarks" --product ringio-iops >&2
fi
BIN="$ROOT/Benchmarks/.build/release/ringio-iops"
"$BIN" --file "$BENCH_FILE" --prepare --qd 1 --seconds 0.5 >/dev/null
registered=(); unregistered=()
for run in $(seq 1 "$REPEATS"); do
  r=$("$BIN" --file "$BENCH_FILE" --qd "$QD" --seconds "$RUNTIME" | sed -n 's/^iops=\([0-9]*\).*/\1/p')
  u=$("$BIN" --file "$BENCH_FILE" --qd "$QD" --seconds "$RUNTIME" --no-registered-files | sed -n 's/^iops=\([0-9]*\).*/\1/p')
  echo "run=$run registered_iops=$r unregistered_iops=$u" >&2
  registered+=("$r"); unregistered+=("$u")
done
python3 - "${registered[*]}" "${unregistered[*]}" <<'PY'
import statistics, sys
r = [int(x) for x in sys.argv[1].split()]
u = [int(x) for x in sys.argv[2].split()]
mr, mu = statistics.median(r), statistics.median(u)
print(f"qd={__import__('os').environ.get('QD', '32')} registered_median_iops={int(mr)} unregistered_median_iops={int(mu)} ratio_registered_over_unregistered={mr / mu:.3f}")
PY
