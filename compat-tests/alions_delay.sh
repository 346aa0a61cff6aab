#!/usr/bin/env bash
# ali-ons (npm, the Aliyun RocketMQ client for Node) and delays
# (alions/delay_retry.js): setStartDeliverTime (__STARTDELIVERTIME) is
# honoured to within 3 s, and a message whose handler throws comes back
# through CONSUMER_SEND_MSG_BACK with reconsumeTimes 1 (a 1 s level table
# keeps it short).
# env: FERRY_BROKER, FERRY_COMPAT_CACHE
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib/broker.sh"
. "$here/lib/clients.sh"
ferry_require kcat
compat_alions_prepare
nsport=$(free_port)
ferry_start --standalone --namesrvListenPort="$nsport" \
    --listenPort="$(free_port)" --auto.create.topics.enable=true \
    --num.partitions=4 \
    "--messageDelayLevel=1s 1s 1s 1s 1s 1s 1s 1s 1s 1s 1s 1s 1s 1s 1s 1s 1s 1s"
# ali-ons does not auto-create topics: make it through the Kafka face
echo "seed:seed" | timeout 20 kcat -b "127.0.0.1:$FERRY_PORT" -t AliDelay -P -K: ||
    fail "creating the topic"
sleep 2 # the broker re-registers its topics within a second
step 120 "ali-ons delay and retry" node "$here/alions/delay_retry.js" \
    "127.0.0.1:$nsport" AliDelay
ferry_stop
say "PASS: ali-ons delivery time and retry through Ferry"
