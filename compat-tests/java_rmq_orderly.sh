#!/usr/bin/env bash
# MessageListenerOrderly keeps per-queue order across a consumer restart
# (java/RmqOrderly.java), through queue locks (LOCK_BATCH_MQ) on
# ferry-broker --standalone.
# env: FERRY_BROKER, FERRY_COMPAT_CACHE
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib/broker.sh"
. "$here/lib/clients.sh"
compat_java_prepare
nsport=$(free_port)
ferry_start --standalone --namesrvListenPort="$nsport" \
    --listenPort="$(free_port)" --auto.create.topics.enable=true
step 240 "orderly consumption across a restart" java "${JAVA_LOG_OPTS[@]}" \
    -Drocketmq.client.logUseSlf4j=true -cp "$JAVA_CP" \
    RmqOrderly "127.0.0.1:$nsport" OrderTopic
ferry_stop
say "PASS: orderly consumption keeps per-queue order across a restart"
