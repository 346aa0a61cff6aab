#!/usr/bin/env bash
# librdkafka consumer groups (rdk_groups.c) against a fresh broker:
#   rdk_groups.sh move N   three members, one leaves mid-way, N messages
#                          processed exactly once across the group; then
#                          the committed offsets survive a broker restart
#   rdk_groups.sh static   a static member restarts without a rebalance
#
# env: FERRY_BROKER, FERRY_COMPAT_BIN (directory of the compat helpers)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib/broker.sh"

mode=${1:?usage: rdk_groups.sh move N | static}
bin=${FERRY_COMPAT_BIN:-}/rdk_groups
ferry_require "$bin"
ferry_start --num.partitions=6
bs=127.0.0.1:$FERRY_PORT
case $mode in
move)
    step 150 "rdk_groups move" "$bin" "$bs" move "groups-$$" "${2:-6000}"
    # committed offsets are kept in the broker: they survive a restart
    ferry_stop
    ferry_start --num.partitions=6
    step 90 "rdk_groups check-committed after a restart" \
        "$bin" "$bs" check-committed "groups-$$"
    ;;
static)
    step 120 "rdk_groups static" "$bin" "$bs" static "static-$$"
    ;;
*) fail "unknown mode $mode" ;;
esac
ferry_alive || fail "broker died during the test"
ferry_stop
say "PASS: rdk_groups $mode"
