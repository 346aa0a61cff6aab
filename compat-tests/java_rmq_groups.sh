#!/usr/bin/env bash
# Consumption models with the real RocketMQ Java client through a separate
# ferry-namesrv (java/RmqGroups.java): async and oneway sends, two
# CLUSTERING members getting every message once between them, two
# BROADCASTING members each getting every message, and committed offsets
# surviving a consumer restart.
# env: FERRY_BROKER, FERRY_NAMESRV, FERRY_COMPAT_CACHE
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib/broker.sh"
. "$here/lib/clients.sh"
compat_java_prepare
ns_bin=${FERRY_NAMESRV:?FERRY_NAMESRV must name the ferry-namesrv binary}
nsport=$(free_port)
setpriv --pdeathsig KILL -- "$ns_bin" --listenPort="$nsport" \
    --bindAddress=127.0.0.1 >"$FERRY_WORK/ns.log" 2>&1 &
nspid=$!
trap 'kill -9 $nspid 2>/dev/null || true' EXIT
ferry_start --listenPort="$(free_port)" --namesrvAddr="127.0.0.1:$nsport" \
    --auto.create.topics.enable=true
step 300 "RocketMQ consumption models" java "${JAVA_LOG_OPTS[@]}" \
    -Drocketmq.client.logUseSlf4j=true -cp "$JAVA_CP" \
    RmqGroups "127.0.0.1:$nsport" GroupsTopic 200
ferry_stop
say "PASS: clustering, broadcasting and offset resume with rocketmq-client"
