#!/usr/bin/env bash
# A/B comparison of RingIO against fio's io_uring engine on the same workload:
# 4 KiB random buffered reads (page-cached file) through registered buffers (READ_FIXED) and a
# registered file, at queue depth 32 and 1.
#
# Usage: scripts/bench-vs-fio.sh
# Environment (all optional):
#   REPEATS=3            runs per tool and queue depth (interleaved fio / ringio / fio / ...)
#   RUNTIME=5            seconds per run
#   QUEUE_DEPTHS="32 1"  queue depths to compare
#   BENCH_FILE=...       test file (default: ${TMPDIR:-/tmp}/ringio-bench-256m.dat, 256 MiB)
#   SWIFT_BUILD_JOBS=N   passed as -j N to swift build
#   SKIP_BUILD=1         use the already built ringio-iops
#   DIRECT=1             O_DIRECT reads from the disk instead of the page cache (fio --direct=1;
#                        default file ./ringio-direct-bench.dat of 1 GiB, next to the repository,
#                        since /tmp may be tmpfs)
#   FIO_EXTRA="..."      extra fio arguments (e.g. --norandommap)
#
# Prints per-run IOPS, then one summary line per queue depth:
#   qd=32 fio_median_iops=... ringio_median_iops=... ratio_ringio_over_fio=...
# Default total runtime: 2 queue depths x 3 repeats x 2 tools x 5 s = 60 s, plus the build.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
REPEATS="${REPEATS:-3}"
RUNTIME="${RUNTIME:-5}"
QUEUE_DEPTHS="${QUEUE_DEPTHS:-32 1}"
BENCH_FILE="${BENCH_FILE:-${TMPDIR:-/tmp}/ringio-bench-256m.dat}"
FILE_SIZE=$((256 * 1024 * 1024))
DIRECT="${DIRECT:-}"
if [ -n "$DIRECT" ]; then
    FILE_SIZE=$((1024 * 1024 * 1024))
    BENCH_FILE="${BENCH_FILE_DIRECT:-$ROOT/../ringio-direct-bench.dat}"
fi
FIO_EXTRA="${FIO_EXTRA:-}"

log() { printf '** %s\n' "$*" >&2; }
fatal() { printf '** ERROR: %s\n' "$*" >&2; exit 1; }

as_root() {
    if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

# 1. fio
if ! command -v fio >/dev/null 2>&1; then
    log "installing fio"
    as_root apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq fio >/dev/null
fi
command -v python3 >/dev/null 2>&1 || fatal "python3 is needed to parse fio's JSON output"
log "$(fio --version)"

# 2. Test file: create if missing or of another size, then read it once into the page cache.
current_size=$(stat -c %s "$BENCH_FILE" 2>/dev/null || echo 0)
if [ "$current_size" != "$FILE_SIZE" ]; then
    log "creating $BENCH_FILE ($((FILE_SIZE >> 20)) MiB)"
    tmp="$BENCH_FILE.tmp.$$"
    head -c "$FILE_SIZE" /dev/urandom > "$tmp"
    mv -f "$tmp" "$BENCH_FILE"
fi
[ -n "$DIRECT" ] || cat "$BENCH_FILE" > /dev/null

# 3. Build ringio-iops (release).
build_args=(-c release --package-path "$ROOT/Benchmarks" --product ringio-iops)
if [ -n "${SWIFT_BUILD_JOBS:-}" ]; then build_args+=(-j "$SWIFT_BUILD_JOBS"); fi
if [ -z "${SKIP_BUILD:-}" ]; then
    log "swift build ${build_args[*]}"
    swift build "${build_args[@]}" >&2
fi
if [ -z "${SKIP_BUILD:-}" ]; then
    swift build -c release --package-path "$ROOT/Benchmarks" --product bare-uring >&2
fi
RINGIO_IOPS="$(swift build -c release --package-path "$ROOT/Benchmarks" --show-bin-path)/ringio-iops"
BARE_URING="$(dirname "$RINGIO_IOPS")/bare-uring"
[ -x "$RINGIO_IOPS" ] || fatal "ringio-iops not found at $RINGIO_IOPS"

run_fio() { # qd -> prints IOPS
    local qd="$1" out
    # shellcheck disable=SC2086
    out=$(fio --name=r --filename="$BENCH_FILE" --rw=randread --bs=4k --ioengine=io_uring \
        --fixedbufs=1 --registerfiles=1 --iodepth="$qd" --invalidate=0 --time_based \
        --runtime="$RUNTIME" --direct="${DIRECT:-0}" --output-format=json $FIO_EXTRA) || fatal "fio failed"
    # fio may print warnings before the JSON document: parse from the first '{'.
    python3 -c '
import json, sys
text = sys.stdin.read()
doc = json.loads(text[text.index("{"):])
print(round(sum(job["read"]["iops"] for job in doc["jobs"])))
' <<< "$out"
}

run_ringio() { # qd -> prints IOPS
    local qd="$1" out
    out=$("$RINGIO_IOPS" --file "$BENCH_FILE" --qd "$qd" --seconds "$RUNTIME" ${DIRECT:+--direct}) || fatal "ringio-iops failed"
    sed -n 's/^iops=\([0-9]*\) .*/\1/p' <<< "$out"
}

run_bare() { # qd -> prints IOPS (the plain C liburing loop: the floor for any runtime)
    local qd="$1" out
    out=$("$BARE_URING" --file "$BENCH_FILE" --qd "$qd" --seconds "$RUNTIME" ${DIRECT:+--direct}) || fatal "bare-uring failed"
    sed -n 's/^iops=\([0-9]*\) .*/\1/p' <<< "$out"
}

summary=()
for qd in $QUEUE_DEPTHS; do
    fio_results=()
    ringio_results=()
    bare_results=()
    for ((run = 1; run <= REPEATS; run++)); do
        # Alternate which tool goes first so drift (thermal, page cache, neighbours) hits both.
        if ((run % 2 == 1)); then order="fio ringio bare"; else order="bare ringio fio"; fi
        for tool in $order; do
            if [ "$tool" = fio ]; then
                iops=$(run_fio "$qd"); fio_results+=("$iops")
            elif [ "$tool" = bare ]; then
                iops=$(run_bare "$qd"); bare_results+=("$iops")
            else
                iops=$(run_ringio "$qd"); ringio_results+=("$iops")
            fi
            printf 'qd=%s run=%d tool=%s iops=%s\n' "$qd" "$run" "$tool" "$iops"
        done
    done
    line=$(python3 - "$qd" "${fio_results[*]}" "${ringio_results[*]}" "${bare_results[*]}" <<'PY'
import statistics, sys
qd = sys.argv[1]
fio = [float(x) for x in sys.argv[2].split()]
ringio = [float(x) for x in sys.argv[3].split()]
bare = [float(x) for x in sys.argv[4].split()]
f, r, b = statistics.median(fio), statistics.median(ringio), statistics.median(bare)
print(f"qd={qd} fio_median_iops={f:.0f} ringio_median_iops={r:.0f} bare_median_iops={b:.0f}"
      f" ratio_ringio_over_fio={r / f:.3f} ratio_ringio_over_bare={r / b:.3f}"
      f" fio_runs={','.join(f'{x:.0f}' for x in fio)} ringio_runs={','.join(f'{x:.0f}' for x in ringio)}"
      f" bare_runs={','.join(f'{x:.0f}' for x in bare)}")
PY
)
    summary+=("$line")
done

echo
if [ -n "$DIRECT" ]; then workload="O_DIRECT from disk"; else workload="page cache"; fi
echo "== RingIO vs fio (4 KiB randread, $workload, fixed buffers, ${RUNTIME}s x ${REPEATS} each, medians) =="
printf '%s\n' "${summary[@]}"
