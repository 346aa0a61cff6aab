#!/usr/bin/env bash
# Produce / group-consume / commit-and-resume with a client we did not
# write, against a fresh broker (topic auto-created with 3 partitions):
#   resume.sh kafka-python M   Debian python3-kafka        (resume.py)
#   resume.sh confluent M      Debian python3-confluent-kafka (resume.py)
#   resume.sh java M           kafka-clients from Maven Central (java/Resume.java)
#   resume.sh kafkajs M        KafkaJS from npm (kafkajs/resume.js)
# Each program produces M messages; consumer A in group G processes M/2,
# commits and stops; consumer B in G must get exactly the rest.
#
# env: FERRY_BROKER; FERRY_PYTHON (default /usr/bin/python3, the Debian
# interpreter that sees python3-kafka); FERRY_COMPAT_CACHE (see lib/clients.sh)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib/broker.sh"
. "$here/lib/clients.sh"

client=${1:?usage: resume.sh kafka-python|confluent|java|kafkajs M}
m=${2:-2000}
case $client in
kafka-python | confluent)
    py=$(compat_python "$client")
    cmd=("$py" "$here/resume.py" "$client")
    ;;
java)
    compat_java_prepare # sets JAVA_CP
    cmd=(java "${JAVA_LOG_OPTS[@]}" -cp "$JAVA_CP" Resume)
    ;;
kafkajs)
    compat_kafkajs_prepare # sets NODE_PATH
    cmd=(node "$here/kafkajs/resume.js")
    ;;
*) fail "unknown client $client" ;;
esac

ferry_start --num.partitions=3
topic=resume-$client-$$
step 150 "$client resume" "${cmd[@]}" "127.0.0.1:$FERRY_PORT" "$topic" \
    "$topic-g" "$m"
ferry_alive || fail "broker died during the test"
ferry_stop
say "PASS: $client produce / group consume / commit and resume"
