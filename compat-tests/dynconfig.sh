#!/usr/bin/env bash
# Broker settings changed at run time (java/DynConfig.java): the Java
# AdminClient's incrementalAlterConfigs and RocketMQ's
# updateBrokerConfig/getBrokerConfig change dynamic keys, which take effect
# (auto-created topics get the new num.partitions), refuse static keys and
# bad values by name, and survive a restart; DELETE reverts.
# env: FERRY_BROKER, FERRY_COMPAT_CACHE (lib/clients.sh)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib/broker.sh"
. "$here/lib/clients.sh"

compat_java_prepare
rport=$(free_port)
ferry_start --listenPort="$rport" --auto.create.topics.enable=true
step 120 "DynConfig change" java "${JAVA_LOG_OPTS[@]}" -cp "$JAVA_CP" \
    DynConfig change "127.0.0.1:$FERRY_PORT" "127.0.0.1:$rport"
grep -q "num.partitions set to 3 at run time" "$FERRY_LOG" ||
    fail "the change is not in the broker log"
ferry_stop
ferry_start --listenPort="$rport" --auto.create.topics.enable=true
grep -q "num.partitions=3 (set at run time earlier" "$FERRY_LOG" ||
    fail "the restart does not say it applied the override"
step 120 "DynConfig after-restart" java "${JAVA_LOG_OPTS[@]}" -cp "$JAVA_CP" \
    DynConfig after-restart "127.0.0.1:$FERRY_PORT" "127.0.0.1:$rport"
ferry_stop
say "PASS: run-time broker config through Kafka and RocketMQ admin calls"
