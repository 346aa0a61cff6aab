#!/usr/bin/env bash
# A broker registers with every name server it is given: two ferry-namesrv
# processes, one ferry-broker (not standalone) with namesrvAddr naming both.
# The RocketMQ Java client sends and consumes through the first
# (java/RmqBasic.java), and the second serves the same routes
# (java/NsRoute.java). Then the first name server is stopped: routes still
# come from the second.
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
cleanup_ns() { for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null || true; done; }
trap 'cleanup_ns' EXIT
for p in "$p1" "$p2"; do
    setpriv --pdeathsig KILL -- "$ns_bin" --listenPort="$p" \
        --bindAddress=127.0.0.1 >"$FERRY_WORK/ns-$p.log" 2>&1 &
    pids+=($!)
done
rport=$(free_port)
ferry_start --listenPort="$rport" --namesrvAddr="127.0.0.1:$p1;127.0.0.1:$p2" \
    --auto.create.topics.enable=true
jopts=("${JAVA_LOG_OPTS[@]}" -Drocketmq.client.logUseSlf4j=true -cp "$JAVA_CP")
step 240 "RocketMQ client through name server 1" \
    java "${jopts[@]}" RmqBasic "127.0.0.1:$p1" MultiNs 40
step 60 "routes from name server 2" \
    java "${jopts[@]}" NsRoute "127.0.0.1:$p2" MultiNs 4 broker-a
kill -TERM "${pids[0]}"
step 60 "routes from name server 2 with 1 stopped" \
    java "${jopts[@]}" NsRoute "127.0.0.1:$p2" MultiNs 4 broker-a
ferry_stop
say "PASS: the broker registers with every name server"
