#!/usr/bin/env bash
# Ferry's admin codes as RocketMQ's own Java code reads them
# (java/RmqAdminCodes.java: MQClientAPIImpl, what mqadmin calls): topic
# stats, consume stats, consumer connections, subscription groups, reset
# (refused while live), runtime info, group and topic deletion.
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
step 240 "RmqAdminCodes.java" java "${JAVA_LOG_OPTS[@]}" \
    -Drocketmq.client.logUseSlf4j=true -cp "$JAVA_CP" \
    RmqAdminCodes "127.0.0.1:$nsport" AdminTopic AdminGroup
ferry_alive || fail "broker died during the test"
ferry_stop
say "PASS: RocketMQ's Java admin calls read Ferry's admin codes"
