#!/usr/bin/env bash
# Tag-filtered consumption (issue #5): one topic, N messages spread over T
# tags, a push consumer subscribed to one tag.
#
#   tools/bench/rmq_tags_bench.sh [-r RUNS] [-n MESSAGES] [--build DIR]
#
# Starts one broker (127.0.0.1, free ports, a temporary data dir) and, for
# each row, RUNS times: a fresh topic (4 queues) filled by ferry-bench --mode
# tags (SEND_BATCH 32 x 4 threads, message i tagged tag<i mod T>), then a
# push consumer of a new group reading "tag0" from the first offset until it
# has all ceil(N/T) of them.  Only the consume phase is timed.  Rows: no
# tag and "*" (the untagged reference, same run), then T = 1, 10, 100.
# Prints the median of: delivered msgs/s, ConsumeQueue entries walked per
# second (scanned/s = N / time), delivered and scanned counts, the broker's
# CPU-seconds per million delivered and per million scanned.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
RUNS=3
N=200000
BUILD=$ROOT/build
while [ $# -gt 0 ]; do
    case "$1" in
        -r) RUNS=$2; shift 2 ;;
        -n) N=$2; shift 2 ;;
        --build) BUILD=$2; shift 2 ;;
        -h|--help) sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
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

WORK=$(mktemp -d "${TMPDIR:-/tmp}/ferry-tags-bench.XXXXXX")
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
    "$(nproc) cores, $(uname -r), runs=$RUNS, messages=$N"
printf '%-14s %10s %11s %9s %9s %11s %11s\n' row msgs/s scanned/s \
    delivered scanned cpu_s/M_del cpu_s/M_scan

row=0
for T in 0 1 10 100; do
    out=$WORK/rows.txt
    : >"$out"
    for i in $(seq "$RUNS"); do
        row=$((row + 1))
        timeout 600 "$BENCH" --namesrv "$NS" --topic "tags$row" --mode tags \
            --tags "$T" --messages "$N" --inflight 4 --batch 32 --queues 4 \
            --broker-pid "$PID" --group "g$row" >>"$out"
    done
    name="untagged *"
    [ "$T" -gt 0 ] && name="$T tag(s), 1"
    python3 - "$name" "$out" <<'PY'
import sys, statistics
name, path = sys.argv[1], sys.argv[2]
rows = []
for l in open(path):
    f = l.split()
    if not f:
        continue
    kv = dict(x.split('=', 1) for x in f[9:] if '=' in x)
    rows.append((f, kv))
def med(vals):
    v = [float(x) for x in vals if x not in ('-', '')]
    return statistics.median(v) if v else None
def fmt(x, d=0):
    return '-' if x is None else f"{x:.{d}f}"
rate = med(r[0][5] for r in rows)
cpu = med(r[0][8] for r in rows)
sps = med(r[1]['scanned_per_s'] for r in rows)
dl = med(r[1]['delivered'] for r in rows)
sc = med(r[1]['scanned'] for r in rows)
cs = med(r[1]['cpu_s_per_M_scanned'] for r in rows)
bad = sum(1 for r in rows if r[0][9] != 'errors=0')
print(f"{name:<14} {fmt(rate):>10} {fmt(sps):>11} {fmt(dl):>9} {fmt(sc):>9} "
      f"{fmt(cpu, 2):>11} {fmt(cs, 2):>11}" + (f"  ({bad} runs failed)" if bad else ""))
PY
done
