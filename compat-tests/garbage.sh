#!/usr/bin/env bash
# Garbage on the Kafka port (garbage.py): random bytes, lying and negative
# lengths, truncated headers, unknown api keys, corrupt and lying record
# batches, zstd bombs; each gets an error or a closed connection while a
# well-behaved client keeps working, memory stays bounded and nothing bad
# is appended. The broker must then still stop cleanly on SIGTERM (exit 0).
#
# env: FERRY_BROKER; FERRY_RSS_LIMIT_MIB (default 512; raise it for
# sanitizer builds, whose shadow memory and quarantine count as RSS)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib/broker.sh"

ferry_require zstd
ferry_start --auto.create.topics.enable=true --num.partitions=1
step 300 "garbage.py" python3 "$here/garbage.py" --port "$FERRY_PORT" \
    --pid "$FERRY_PID" --rss-limit-mib "${FERRY_RSS_LIMIT_MIB:-512}"
ferry_alive || fail "broker died"
ferry_stop
say "PASS: garbage handled, broker alive and stopped cleanly"
