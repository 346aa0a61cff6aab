#!/usr/bin/env bash
# The admin round trip through the Java AdminClient (java/AdminRoundTrip.java):
# describeCluster, createTopics with configs, describeConfigs,
# createPartitions, list/describe groups with lag, deleteConsumerGroups,
# deleteTopics.
#
# env: FERRY_BROKER, FERRY_COMPAT_CACHE (lib/clients.sh)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib/broker.sh"
. "$here/lib/clients.sh"

compat_java_prepare
ferry_start
step 150 "AdminRoundTrip.java" java "${JAVA_LOG_OPTS[@]}" -cp "$JAVA_CP" \
    AdminRoundTrip "127.0.0.1:$FERRY_PORT" "java-admin-$$"
ferry_alive || fail "broker died during the test"
ferry_stop
say "PASS: Java AdminClient round trip"
