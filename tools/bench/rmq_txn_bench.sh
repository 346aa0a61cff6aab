#!/usr/bin/env bash
# Transactions (half + commit) per second through the RocketMQ Java client
# (compat-tests/java/TxnBench.java, rocketmq-client 4.9.8), next to plain
# sync sends by the same client in the same run as the reference.
#
#   tools/bench/rmq_txn_bench.sh [-n MESSAGES] [-t THREADS] [-s SIZE] [-r RUNS]
#                                [--broker PATH]
#
# Each run starts ferry-broker --standalone (ASYNC_FLUSH) with a fresh data
# dir, sends MESSAGES plain to one topic, then MESSAGES in transactions to
# another, and reports both rates (sends returned; committed messages all
# visible in the topic's max offsets) and the broker's CPU seconds per
# 100,000 messages of each phase (utime+stime from /proc/PID/stat).
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
N=20000 THREADS=8 SIZE=100 RUNS=3
FERRY_BROKER=${FERRY_BROKER:-$ROOT/build/broker/ferry-broker}
while [ $# -gt 0 ]; do
    case $1 in
    -n) N=$2; shift 2 ;;
    -t) THREADS=$2; shift 2 ;;
    -s) SIZE=$2; shift 2 ;;
    -r) RUNS=$2; shift 2 ;;
    --broker) FERRY_BROKER=$2; shift 2 ;;
    *) echo "usage: $0 [-n N] [-t THREADS] [-s SIZE] [-r RUNS] [--broker PATH]" >&2; exit 2 ;;
    esac
done
export FERRY_BROKER
. "$ROOT/compat-tests/lib/broker.sh"
. "$ROOT/compat-tests/lib/clients.sh"
compat_java_prepare
cpu() { awk '{print $14 + $15}' "/proc/$FERRY_PID/stat"; }
tck=$(getconf CLK_TCK)
say "commit $(git -C "$ROOT" rev-parse --short HEAD), $(nproc) cpus, N=$N threads=$THREADS size=$SIZE runs=$RUNS"
for r in $(seq "$RUNS"); do
    nsport=$(free_port)
    ferry_start --standalone --namesrvListenPort="$nsport" \
        --listenPort="$(free_port)" --auto.create.topics.enable=true \
        --logLevel=warn
    for mode in plain txn; do
        c0=$(cpu)
        line=$(timeout 300 java "${JAVA_LOG_OPTS[@]}" \
            -Drocketmq.client.logUseSlf4j=true -cp "$JAVA_CP" TxnBench \
            "$mode" "127.0.0.1:$nsport" "Bench_${mode}_$r" "$N" "$THREADS" \
            "$SIZE" 2>>"$FERRY_WORK/java.log" | grep '^mode=') || fail "TxnBench $mode"
        c1=$(cpu)
        echo "run=$r $line broker_cpu_s_per_100k=$(echo "($c1 - $c0) / $tck * 100000 / $N" | bc -l | xargs printf '%.2f')"
    done
    ferry_stop
done
