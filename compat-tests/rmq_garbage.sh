#!/usr/bin/env bash
# Garbage on the broker's RocketMQ remoting port (rmq_garbage.py): errors or
# closed connections, never a crash; the broker keeps answering others and
# stops cleanly.
# env: FERRY_BROKER
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib/broker.sh"
rport=$(free_port)
ferry_start --listenPort="$rport" --auto.create.topics.enable=true
step 120 "rmq_garbage.py" python3 "$here/rmq_garbage.py" "$rport"
ferry_alive || fail "broker died"
ferry_stop
say "PASS: remoting garbage handled, broker alive and stopped cleanly"
