#!/usr/bin/env bash
# Delay levels, delivery times, retry and dead letters with the RocketMQ
# Java client 4.9.8 (java/RmqDelay.java) through ferry-broker --standalone:
#   1. default level table: a level-3 message arrives 10..20 s after its
#      send; __STARTDELIVERTIME / TIMER_DELIVER_MS messages arrive not
#      before their time and at most 3 s late (lateness printed);
#   2. restarted with a 1 s level table: RECONSUME_LATER gives reconsumeTimes
#      0..2 (setMaxReconsumeTimes(2)), then the message is in %DLQ%<group>;
#      re-sent to its topic, the group consumes it.
#
# env: FERRY_BROKER, FERRY_COMPAT_CACHE (lib/clients.sh)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib/broker.sh"
. "$here/lib/clients.sh"
compat_java_prepare
nsport=$(free_port)
rport=$(free_port)
# the client's own log (warnings at shutdown) goes to a file in the work dir
java_run() {
    STEP_ERR=$FERRY_WORK/java-$1.log step 150 "RmqDelay $1 (client log: \
java-$1.log)" java "${JAVA_LOG_OPTS[@]}" \
        -Drocketmq.client.logUseSlf4j=true -cp "$JAVA_CP" RmqDelay "$@"
}
ferry_start --standalone --namesrvListenPort="$nsport" \
    --listenPort="$rport" --auto.create.topics.enable=true
java_run delay "127.0.0.1:$nsport" DelayTopic
ferry_stop
short="1s 1s 1s 1s 1s 1s 1s 1s 1s 1s 1s 1s 1s 1s 1s 1s 1s 1s"
ferry_start --standalone --namesrvListenPort="$nsport" \
    --listenPort="$rport" --auto.create.topics.enable=true \
    "--messageDelayLevel=$short"
java_run retry "127.0.0.1:$nsport" RetryTopic 2
ferry_stop
say "PASS: delay levels, delivery times, retry and DLQ with rocketmq-client"
