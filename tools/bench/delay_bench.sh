#!/usr/bin/env bash
# Delayed delivery throughput of ferry-broker, driven by kcat.
#
#   tools/bench/delay_bench.sh [-n MESSAGES] [-r RUNS] [--broker PATH]
#
# Each run starts a fresh broker (temporary data dir, free 127.0.0.1 ports,
# messageDelayLevel "1s 15s") and:
#   schedule: kcat produces MESSAGES 100-byte records with header DELAY=2
#             (15 s) to a new one-partition topic; rate = MESSAGES / time of
#             the produce (kcat -P until it exits, all acknowledged);
#   deliver:  the partition's end offset is polled every 50 ms (kcat -Q);
#             rate = MESSAGES / (time the end offset reaches MESSAGES - time
#             it first moved). All records are parked before the first is
#             due, so this is the service's own pace.
#   reference: the same records without the header (a plain batch produce)
#             into another topic of the same broker.
# Prints each run and the median of each column.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
MSGS=100000
RUNS=3
BROKER=""
while [ $# -gt 0 ]; do
    case $1 in
    -n) MSGS=$2; shift 2 ;;
    -r) RUNS=$2; shift 2 ;;
    --broker) BROKER=$2; shift 2 ;;
    *) echo "usage: $0 [-n MESSAGES] [-r RUNS] [--broker PATH]" >&2; exit 2 ;;
    esac
done
if [ -z "$BROKER" ]; then
    cmake -S "$ROOT" -B "$ROOT/build-bench" -G Ninja -DFERRY_TESTS=OFF \
        -DCMAKE_BUILD_TYPE=Release >/dev/null
    cmake --build "$ROOT/build-bench" --target ferry-broker >/dev/null
    BROKER=$ROOT/build-bench/broker/ferry-broker
fi
command -v kcat >/dev/null || { echo "kcat missing" >&2; exit 1; }
work=$(mktemp -d /tmp/ferry-delay-bench.XXXXXX)
pid=
cleanup() {
    [ -z "$pid" ] || kill "$pid" 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT
free_port() {
    python3 -c 'import socket
s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
now_ms() { date +%s%3N; }
end_offset() { # topic
    kcat -Q -b "$bs" -t "$1:0:-1" 2>/dev/null | awk '{print $NF}'
}
python3 -c "
import sys
for i in range($MSGS):
    print(('m%d-' % i).ljust(100, 'x'))" >"$work/in.txt"
printf '%-6s %14s %14s %14s\n' run scheduled/s delivered/s plain-produce/s
res=()
for run in $(seq 1 "$RUNS"); do
    kp=$(free_port)
    rm -rf "$work/data"
    "$BROKER" --storePathRootDir="$work/data" \
        --listeners="PLAINTEXT://127.0.0.1:$kp" --listenPort="$(free_port)" \
        --messageDelayLevel="1s 15s" --logLevel=warn \
        >"$work/broker.log" 2>&1 &
    pid=$!
    bs=127.0.0.1:$kp
    for _ in $(seq 100); do
        (exec 3<>"/dev/tcp/127.0.0.1/$kp") 2>/dev/null && break
        sleep 0.1
    done
    t0=$(now_ms)
    kcat -P -b "$bs" -t delayed -p 0 -H DELAY=2 -X linger.ms=5 <"$work/in.txt"
    t1=$(now_ms)
    first=0
    while :; do
        off=$(end_offset delayed)
        off=${off:-0}
        if [ "$first" = 0 ] && [ "$off" -gt 0 ]; then first=$(now_ms); fi
        [ "$off" -lt "$MSGS" ] || break
        [ $(($(now_ms) - t1)) -lt 120000 ] || { echo "delivery stalled at $off" >&2; exit 1; }
        sleep 0.05
    done
    t2=$(now_ms)
    kcat -P -b "$bs" -t plain -p 0 -X linger.ms=5 <"$work/in.txt"
    t3=$(now_ms)
    kill "$pid"; wait "$pid" || true; pid=
    sch=$((MSGS * 1000 / (t1 - t0)))
    dspan=$((t2 - first)); [ "$dspan" -gt 0 ] || dspan=1
    del=$((MSGS * 1000 / dspan))
    pl=$((MSGS * 1000 / (t3 - t2)))
    printf '%-6s %14d %14d %14d\n' "$run" "$sch" "$del" "$pl"
    res+=("$sch $del $pl")
done
printf '%s\n' "${res[@]}" | python3 -c "
import sys, statistics
rows = [list(map(int, l.split())) for l in sys.stdin if l.strip()]
med = [int(statistics.median(c)) for c in zip(*rows)]
print('%-6s %14d %14d %14d' % ('median', *med))"
