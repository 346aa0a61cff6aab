#!/usr/bin/env bash
# kcat and the DELAY header: a record produced with header DELAY=2 (level 2
# = 5 s, default messageDelayLevel) is not visible to a Kafka consumer
# before 5 s after the produce started, and is within 15 s; a record
# produced after it without the header is visible at once (offset 0 of the
# partition goes to the plain record, the delayed one takes the next offset
# when it is delivered). A consumer that stays attached timestamps every
# record it receives, so the bound is checked without racing the clock.
#
# Then rdk_delay_mixed (librdkafka, idempotent): one batch mixing DELAY=1
# and plain records is split: plain ones get offsets at once, in order, the
# delayed ones after them when due; the producer's next batch is accepted.
#
# env: FERRY_BROKER, FERRY_COMPAT_BIN (directory of the compat helpers)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib/broker.sh"
ferry_require kcat
mixed=${FERRY_COMPAT_BIN:-}/rdk_delay_mixed
[ -x "$mixed" ] || fail "rdk_delay_mixed missing: '$mixed' (needs librdkafka-dev)"
# the delay service belongs to the RocketMQ face: give it a port
ferry_start --listenPort="$(free_port)" --auto.create.topics.enable=true
bs=127.0.0.1:$FERRY_PORT
topic=kdelay-$$
now_ms() { date +%s%3N; }

echo delayed >"$FERRY_WORK/d.txt"
echo plain >"$FERRY_WORK/p.txt"
t0=$(now_ms)
STEP_IN=$FERRY_WORK/d.txt step 20 "kcat -P DELAY=2" kcat -P -b "$bs" \
    -t "$topic" -p 0 -H DELAY=2 -k kd
STEP_IN=$FERRY_WORK/p.txt step 20 "kcat -P plain" kcat -P -b "$bs" \
    -t "$topic" -p 0 -k kp
recv=$FERRY_WORK/recv.txt
# receive for 12 s, stamping each record with the local receive time
(timeout 12 kcat -C -u -b "$bs" -t "$topic" -p 0 -o beginning \
    -f '%o %k %s %h\n' 2>/dev/null || true) | while IFS= read -r line; do
    printf '%s %s\n' "$(now_ms)" "$line"
done >"$recv"
cat "$recv" >&2
python3 - "$recv" "$t0" <<'PY'
import sys
lines = [l.split(' ', 4) for l in open(sys.argv[1]).read().splitlines()]
t0 = int(sys.argv[2])
got = {l[3]: (int(l[0]), int(l[1]), l[4] if len(l) > 4 else '') for l in lines}
bad = []
if 'plain' not in got or got['plain'][0] - t0 > 4000:
    bad.append('plain record not visible at once: %r' % (got.get('plain'),))
if 'delayed' not in got:
    bad.append('delayed record never visible')
else:
    t, off, hdrs = got['delayed']
    print('delayed record visible %d ms after the produce started, offset %d'
          % (t - t0, off))
    if t - t0 < 5000:
        bad.append('delayed record visible after %d ms (< 5000)' % (t - t0))
    if t - t0 > 15000:
        bad.append('delayed record visible after %d ms (> 15000)' % (t - t0))
    if 'DELAY=' in hdrs:
        bad.append('DELAY header still on the delivered record: ' + hdrs)
    if 'plain' in got and off <= got['plain'][1]:
        bad.append('delayed record offset %d not after the plain one' % off)
if len(lines) != 2:
    bad.append('%d records received, want 2' % len(lines))
for b in bad:
    print('FAIL: ' + b)
sys.exit(1 if bad else 0)
PY
step 60 "rdk_delay_mixed" "$mixed" "$bs" "mixed-$$"
ferry_stop
say "PASS: a DELAY=2 record is invisible to Kafka consumers for 5 s;" \
    "mixed batches are split"
