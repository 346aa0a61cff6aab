#!/usr/bin/env bash
# The real RocketMQ Java client against ferry-broker --standalone
# (java/RmqBasic.java): sync sends, a tag-filtered push consumer in
# CLUSTERING mode that must get exactly the matching messages once, and a
# lite pull consumer that reads everything.
#
# env: FERRY_BROKER, FERRY_COMPAT_CACHE (lib/clients.sh)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib/broker.sh"
. "$here/lib/clients.sh"
compat_java_prepare
nsport=$(free_port)
ferry_start --standalone --namesrvListenPort="$nsport" \
    --listenPort="$(free_port)" --auto.create.topics.enable=true
step 240 "RocketMQ Java client" java "${JAVA_LOG_OPTS[@]}" \
    -Drocketmq.client.logUseSlf4j=true -cp "$JAVA_CP" \
    RmqBasic "127.0.0.1:$nsport" RmqTopic 200
ferry_stop
say "PASS: rocketmq-client sends and consumes through ferry-broker"
