#!/usr/bin/env bash
# Load test: ringio-fileserver with the RingIO backend against the NIOFileSystem backend, same
# binary, same files, same wrk settings, interleaved (A B A B …) so drift on a shared machine hits
# both alike; prints medians and the RingIO ÷ NIO ratios as a Markdown table.
#
#   scripts/load.sh                      # 4 KiB, 64 KiB, 1 MiB; 3 repeats of 10 s; wrk -t2 -c32
#   REPEATS=5 DURATION=20s CONNECTIONS=64 scripts/load.sh
#   VARIANTS="ringio:call ringio:request ringio:server nio" DURATION=5s scripts/load.sh
#   VARIANTS="ringio ringio@2 nginx:1 nginx:2 nio" DURATION=5s scripts/load.sh
#
#   VARIANTS="ringio+mw:server ringio+mw:request nio+mw" DURATION=5s scripts/load.sh
#
# Each variant is a backend with optional "+mw" (Hummingbird's FileMiddleware instead of the
# example's responder: on RingFileProvider for ringio, on its stock LocalFileSystem for nio),
# ":affinity" (RingIO only) and "@N" (RingIO on a
# RingExecutorGroup of N loops, `--loops N`), or nginx:W (nginx with W worker processes and
# `sendfile on`, the anchor a static file server is judged by). All servers run for the whole
# script; only the one under test gets traffic. Loopback only (127.0.0.1).
set -euo pipefail
cd "$(dirname "$0")/.."

REPEATS=${REPEATS:-3}
DURATION=${DURATION:-10s}
THREADS=${THREADS:-2}
CONNECTIONS=${CONNECTIONS:-32}
WARMUP=${WARMUP:-2s}
VARIANTS=${VARIANTS:-"ringio nio"}
SIZES=${SIZES:-"4k:4096 64k:65536 1m:1048576"}

../../scripts/install-deps.sh wrk
if [[ " $VARIANTS " == *" nginx"* ]]; then ../../scripts/install-deps.sh nginx; fi

swift build -c release --product ringio-fileserver >&2
BIN="$(swift build -c release --show-bin-path)/ringio-fileserver"

WORK=$(mktemp -d)
PIDS=()
cleanup() {
  for pid in "${PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  rm -rf "$WORK"
}
trap cleanup EXIT

mkdir -p "$WORK/root"
for entry in $SIZES; do
  head -c "${entry#*:}" /dev/urandom > "$WORK/root/${entry%%:*}.bin"
done

# Starts one server per variant on a free port; remembers its URL.
declare -A URLS
for variant in $VARIANTS; do
  if [[ $variant == nginx:* ]]; then
    port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
    mkdir -p "$WORK/$variant"
    cat > "$WORK/$variant/nginx.conf" <<CONF
user $(id -un);
worker_processes ${variant#*:};
daemon off;
error_log $WORK/$variant/error.log warn;
pid $WORK/$variant/nginx.pid;
events { worker_connections 1024; }
http {
  access_log off;
  sendfile on;
  tcp_nopush on;
  client_body_temp_path $WORK/$variant;
  proxy_temp_path $WORK/$variant;
  fastcgi_temp_path $WORK/$variant;
  uwsgi_temp_path $WORK/$variant;
  scgi_temp_path $WORK/$variant;
  server { listen 127.0.0.1:$port; root $WORK/root; }
}
CONF
    nginx -c "$WORK/$variant/nginx.conf" -p "$WORK/$variant" > "$WORK/$variant.out" 2> "$WORK/$variant.err" &
    PIDS+=($!)
    for _ in $(seq 100); do
      curl -sf -o /dev/null "http://127.0.0.1:$port/4k.bin" 2>/dev/null && break
      sleep 0.1
    done
    URLS[$variant]="http://127.0.0.1:$port"
    echo "$variant: ${URLS[$variant]}" >&2
    continue
  fi
  name=${variant%@*}
  base=${name%%:*}
  backend=${base%%+*}
  args=(--root "$WORK/root" --host 127.0.0.1 --port 0 --backend "$backend" --log-level warning)
  [[ $base == *+mw ]] && args+=(--responder file-middleware)
  [[ $name == *:* ]] && args+=(--affinity "${name#*:}")
  [[ $variant == *@* ]] && args+=(--loops "${variant#*@}")
  "$BIN" "${args[@]}" > "$WORK/$variant.out" 2> "$WORK/$variant.err" &
  PIDS+=($!)
  for _ in $(seq 100); do
    grep -q "listening on" "$WORK/$variant.out" 2>/dev/null && break
    sleep 0.1
  done
  URLS[$variant]=$(grep -o 'http://127.0.0.1:[0-9]*' "$WORK/$variant.out" | head -1)
  [ -n "${URLS[$variant]}" ] || { echo "server $variant did not start: $(cat "$WORK/$variant.err")" >&2; exit 1; }
  echo "$variant: ${URLS[$variant]}" >&2
done

# wrk's units to plain numbers: latency → ms, transfer → MiB/s.
to_ms() { awk -v v="$1" 'BEGIN { n = v + 0; if (v ~ /us$/) n /= 1000; else if (v ~ /ms$/) n += 0; else if (v ~ /s$/) n *= 1000; printf "%.3f", n }'; }
to_mib() { awk -v v="$1" 'BEGIN { n = v + 0; if (v ~ /GB$/) n *= 1024; else if (v ~ /KB$/) n /= 1024; else if (v ~ /B$/ && v !~ /MB$/) n /= 1048576; printf "%.2f", n }'; }

RESULTS="$WORK/results.tsv"   # size variant rep rps mib p50 p99
: > "$RESULTS"
for entry in $SIZES; do
  size=${entry%%:*}
  for variant in $VARIANTS; do   # warm the page cache and both servers
    wrk -t"$THREADS" -c"$CONNECTIONS" -d"$WARMUP" "${URLS[$variant]}/$size.bin" > /dev/null
  done
  for rep in $(seq "$REPEATS"); do
    for variant in $VARIANTS; do
      out=$(wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency "${URLS[$variant]}/$size.bin")
      if grep -q "Non-2xx" <<< "$out"; then echo "$variant $size: error responses:"$'\n'"$out" >&2; exit 1; fi
      rps=$(awk '/^Requests\/sec:/ { print $2 }' <<< "$out")
      mib=$(to_mib "$(awk '/^Transfer\/sec:/ { print $2 }' <<< "$out")")
      p50=$(to_ms "$(awk '$1 == "50%" { print $2 }' <<< "$out")")
      p99=$(to_ms "$(awk '$1 == "99%" { print $2 }' <<< "$out")")
      printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$size" "$variant" "$rep" "$rps" "$mib" "$p50" "$p99" >> "$RESULTS"
      printf '%-5s %-16s run %s: %10.1f req/s %9.2f MiB/s  p50 %7.3f ms  p99 %7.3f ms\n' \
        "$size" "$variant" "$rep" "$rps" "$mib" "$p50" "$p99" >&2
    done
  done
done

# Medians per size and variant; ratios against the last variant (nio by default).
median() { sort -g | awk '{ a[NR] = $1 } END { if (NR % 2) print a[(NR + 1) / 2]; else print (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }
reference=${VARIANTS##* }
echo
echo "wrk -t$THREADS -c$CONNECTIONS -d$DURATION, medians of $REPEATS interleaved runs; ratio = variant ÷ $reference"
echo "(req/s of the medians, and the median of the per-round ratios of runs made back to back)"
echo
echo "| file | variant | req/s | MiB/s | p50 ms | p99 ms | req/s ratio | paired ratio |"
echo "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |"
for entry in $SIZES; do
  size=${entry%%:*}
  ref=$(awk -F'\t' -v s="$size" -v v="$reference" '$1 == s && $2 == v { print $4 }' "$RESULTS" | median)
  for variant in $VARIANTS; do
    col() { awk -F'\t' -v s="$size" -v v="$variant" -v c="$1" '$1 == s && $2 == v { print $c }' "$RESULTS" | median; }
    rps=$(col 4); mib=$(col 5); p50=$(col 6); p99=$(col 7)
    ratio=$(awk -v a="$rps" -v b="$ref" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }')
    paired=$(awk -F'\t' -v s="$size" -v v="$variant" -v r="$reference" '
      $1 == s && $2 == v { mine[$3] = $4 } $1 == s && $2 == r { theirs[$3] = $4 }
      END { for (k in mine) if (theirs[k] > 0) print mine[k] / theirs[k] }' "$RESULTS" | median)
    printf '| %s | %s | %.0f | %.1f | %.3f | %.3f | %s | %.2f |\n' "$size" "$variant" "$rps" "$mib" "$p50" "$p99" "$ratio" "$paired"
  done
done
