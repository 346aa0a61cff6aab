#!/usr/bin/env bash
# Two brokers (separate ports and data directories) registered with two
# name servers (java/TwoBrokers.java): a topic spread over both takes sends
# on both; after one broker is killed (kill -9), the name servers drop it
# at once (its connections close) and the producer carries on, every send
# landing on the survivor.
# env: FERRY_BROKER, FERRY_NAMESRV, FERRY_COMPAT_CACHE
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib/broker.sh"
. "$here/lib/clients.sh"
compat_java_prepare
ns_bin=${FERRY_NAMESRV:?FERRY_NAMESRV must name the ferry-namesrv binary}
p1=$(free_port)
p2=$(free_port)
pids=()
trap 'for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null || true; done' EXIT
for p in "$p1" "$p2"; do
    setpriv --pdeathsig KILL -- "$ns_bin" --listenPort="$p" \
        --bindAddress=127.0.0.1 --brokerTimeoutMillis=10000 \
        >"$FERRY_WORK/ns-$p.log" 2>&1 &
    pids+=($!)
done
nsaddr="127.0.0.1:$p1;127.0.0.1:$p2"
# broker-a through the harness
ferry_start --brokerName=broker-a --listenPort="$(free_port)" \
    --namesrvAddr="$nsaddr" --auto.create.topics.enable=true
# broker-b by hand: its own ports and data directory
kb=$(free_port)
rb=$(free_port)
mkdir -p "$FERRY_WORK/data-b"
setpriv --pdeathsig KILL -- "$FERRY_BROKER" --brokerName=broker-b \
    --storePathRootDir="$FERRY_WORK/data-b" \
    --listeners="PLAINTEXT://127.0.0.1:$kb" --listenPort="$rb" \
    --mappedFileSizeCommitLog=4194304 --namesrvAddr="$nsaddr" \
    --auto.create.topics.enable=true >"$FERRY_WORK/broker-b.log" 2>&1 &
bpid=$!
pids+=("$bpid")
for _ in $(seq 100); do
    python3 -c "import socket; socket.create_connection(('127.0.0.1',$rb),1)" \
        2>/dev/null && break
    sleep 0.1
done
sleep 2 # both brokers register within a second
jopts=("${JAVA_LOG_OPTS[@]}" -Drocketmq.client.logUseSlf4j=true -cp "$JAVA_CP")
step 240 "a topic spread over both brokers" \
    java "${jopts[@]}" TwoBrokers "$nsaddr" Spread spread
kill -9 "$bpid"
sleep 1
step 240 "producer carries on with broker-b killed" \
    java "${jopts[@]}" TwoBrokers "127.0.0.1:$p2" Spread survive broker-a
ferry_stop
say "PASS: two brokers, two name servers, one broker lost"
