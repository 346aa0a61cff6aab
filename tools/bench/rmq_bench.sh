#!/usr/bin/env bash
# libferry against ferry-broker --standalone: the issue #4 benchmark rows.
#
#   tools/bench/rmq_bench.sh [-r RUNS] [-s SCALE] [--build DIR]
#
# Starts one broker (127.0.0.1, free ports, a temporary data dir, ASYNC_FLUSH)
# and, for each row, RUNS times: a fresh topic (4 queues), ferry-bench in that
# mode, the broker's utime+stime from /proc/PID/stat around it. Prints the
# median of each column (msgs/s, p50/p99 latency of one request in us, broker
# CPU-seconds per million messages). Rows: sync 128 B and 1 KiB with 1, 8
# and 64 in flight; async 128 B (window 64); batch 128 B (32 per batch, 8
# threads); push consume 128 B (of what the batch row stored); and the raw
# loopback TCP reference (request of the same size, 64-byte answer, no
# broker) at 1 and 64 in flight. SCALE multiplies the message counts (1 =
# 10k-200k messages per run).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
RUNS=3
SCALE=1
BUILD=$ROOT/build
while [ $# -gt 0 ]; do
    case "$1" in
        -r) RUNS=$2; shift 2 ;;
        -s) SCALE=$2; shift 2 ;;
        --build) BUILD=$2; shift 2 ;;
        -h|--help) sed -n '2,17p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "unknown option: $1" >&2; exit 2 ;;
    esac
done
BENCH=$BUILD/tools/bench/ferry-bench
BROKER=$BUILD/broker/ferry-broker
[ -x "$BENCH" ] && [ -x "$BROKER" ] ||
    { echo "build ferry-bench and ferry-broker in $BUILD first" >&2; exit 2; }

free_port() {
    python3 -c 'import socket
s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

WORK=$(mktemp -d "${TMPDIR:-/tmp}/ferry-rmq-bench.XXXXXX")
PID=
cleanup() {
    if [ -n "$PID" ] && kill -0 "$PID" 2>/dev/null; then
        kill -TERM "$PID"; wait "$PID" 2>/dev/null || true
    fi
    rm -rf "$WORK"
}
trap cleanup EXIT

ns=$(free_port)
while :; do rp=$(free_port); [ "$rp" -gt 1026 ] && break; done
setpriv --pdeathsig KILL -- "$BROKER" --standalone \
    --storePathRootDir="$WORK/data" \
    --listeners="PLAINTEXT://127.0.0.1:$(free_port)" \
    --listenPort="$rp" --namesrvListenPort="$ns" --logLevel=warn \
    >"$WORK/broker.log" 2>&1 &
PID=$!
for _ in $(seq 150); do
    (exec 3<>"/dev/tcp/127.0.0.1/$rp") 2>/dev/null && break
    sleep 0.1
done
NS=127.0.0.1:$ns

echo "# $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo '?')," \
    "$(nproc) cores, $(uname -r), runs=$RUNS, scale=$SCALE"
printf '%-24s %10s %8s %8s %10s\n' row msgs/s p50_us p99_us cpu_s/M

row=0
# bench NAME MODE SIZE INFLIGHT MESSAGES [extra...]
bench() {
    local name=$1 md=$2 size=$3 k=$4 n=$(( $5 * SCALE )) out i
    shift 5
    out=$WORK/rows.txt
    : >"$out"
    for i in $(seq "$RUNS"); do
        row=$((row + 1))
        local t=bench$row
        if [ "$md" = consume ]; then
            t=$CONSUME_TOPIC
        fi
        timeout 600 "$BENCH" --namesrv "$NS" --topic "$t" --mode "$md" \
            --size "$size" --inflight "$k" --messages "$n" \
            --broker-pid "$PID" --group "g$row" \
            $([ "$md" = consume ] || [ "$md" = raw ] || echo --queues 4) \
            "$@" >>"$out"
    done
    # columns: mode size inflight msgs secs rate p50 p99 cpu
    python3 - "$name" "$out" <<'PY'
import sys, statistics
name, path = sys.argv[1], sys.argv[2]
rows = [l.split() for l in open(path) if l.strip()]
def med(i):
    v = [float(r[i]) for r in rows if r[i] != '-']
    return statistics.median(v) if v else None
def f(x, d=0):
    return '-' if x is None else f"{x:.{d}f}"
print(f"{name:<24} {f(med(5)):>10} {f(med(6)):>8} {f(med(7)):>8} {f(med(8), 2):>10}")
PY
}

bench "sync 128B x1" sync 128 1 10000
bench "sync 128B x8" sync 128 8 40000
bench "sync 128B x64" sync 128 64 80000
bench "sync 1KiB x1" sync 1024 1 10000
bench "sync 1KiB x8" sync 1024 8 40000
bench "sync 1KiB x64" sync 1024 64 80000
bench "async 128B w64" async 128 64 100000
# the batch row's topic is what the consume row reads
bench "batch 128B 32x8" batch 128 8 200000 --batch 32
CONSUME_TOPIC=bench$row
bench "push consume 128B" consume 128 1 200000
bench "raw TCP 128B x1" raw 128 1 20000
bench "raw TCP 128B x64" raw 128 64 100000
