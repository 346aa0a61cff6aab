#!/usr/bin/env bash
# The admin round trip through librdkafka's admin API (rdk_admin_roundtrip.c):
# create with configs, DescribeConfigs, CreatePartitions, list/describe
# groups with lag, DeleteGroups, DeleteTopics.
#
# env: FERRY_BROKER, FERRY_COMPAT_BIN
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib/broker.sh"

bin=${FERRY_COMPAT_BIN:-}/rdk_admin_roundtrip
ferry_require "$bin"
ferry_start
step 150 "rdk_admin_roundtrip" "$bin" "127.0.0.1:$FERRY_PORT" "admin-rt-$$"
ferry_alive || fail "broker died during the test"
ferry_stop
say "PASS: librdkafka admin round trip"
