#!/usr/bin/env bash
# ali-ons (npm, the Aliyun RocketMQ client for Node) produces 20 messages
# and a push consumer with a tag filter gets every one exactly once,
# through ferry-broker --standalone and its embedded name server
# (alions/produce_consume.js). ali-ons does not auto-create topics, so the
# topic is made first (through the Kafka face).
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
    --num.partitions=4
echo "seed:seed" | timeout 20 kcat -b "127.0.0.1:$FERRY_PORT" -t AliTopic -P -K: ||
    fail "creating the topic"
sleep 2 # the broker re-registers its topics within a second
step 180 "ali-ons produce and consume" node "$here/alions/produce_consume.js" \
    "127.0.0.1:$nsport" AliTopic 20
ferry_stop
say "PASS: ali-ons produces and consumes through Ferry"
