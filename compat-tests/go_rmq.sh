#!/usr/bin/env bash
# rocketmq-client-go v2 (Go module proxy; compat-tests/go/rmqgo) through
# ferry-broker --standalone and its embedded name server: sync, async,
# oneway and batch sends of 20 messages each (tags TagA/TagB, keys, a user
# property), then a push consumer subscribed to TagA gets each TagA message
# exactly once with its keys and property, and no TagB message.  The Go
# client does not auto-create topics, so the topic is made first (Kafka).
# env: FERRY_BROKER, FERRY_COMPAT_CACHE
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib/broker.sh"
. "$here/lib/clients.sh"
ferry_require kcat
compat_go_prepare
nsport=$(free_port)
ferry_start --standalone --namesrvListenPort="$nsport" \
    --listenPort="$(free_port)" --auto.create.topics.enable=true \
    --num.partitions=4
echo "seed:seed" | timeout 20 kcat -b "127.0.0.1:$FERRY_PORT" -t GoTopic -P -K: ||
    fail "creating the topic"
sleep 2 # the broker re-registers its topics within a second
step 150 "rocketmq-client-go sends and consumes" "$RMQGO" \
    "127.0.0.1:$nsport" GoTopic 20
ferry_alive || fail "broker died"
ferry_stop
say "PASS: rocketmq-client-go produces and consumes through Ferry"
