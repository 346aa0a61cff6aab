# shellcheck shell=bash
# Third-party Kafka clients for the compat tests, fetched with their own
# registries' ordinary tools into a cache OUTSIDE the repository, so that
# reruns (and CI reruns on the same machine) need no network:
#
#   compat_python CLIENT       print a python3 that imports CLIENT
#                              (kafka-python: python3-kafka, confluent:
#                              python3-confluent-kafka, both from Debian)
#   compat_java_prepare        kafka-clients (compat-tests/java/pom.xml) via
#                              Maven into ~/.m2, the programs in
#                              compat-tests/java compiled; sets JAVA_CP
#                              and JAVA_LOG_OPTS
#   compat_kafkajs_prepare     kafkajs@KAFKAJS_VERSION via npm into the
#                              cache; sets NODE_PATH
#   compat_go_prepare          compat-tests/go (rocketmq-client-go v2 from
#                              the Go module proxy, pinned by go.sum) built
#                              into the cache; sets RMQGO to the program
#
# Run as a script, `bash lib/clients.sh fetch` does the Java and KafkaJS
# fetches once (CI calls it before ctest, so no test's time limit has to
# cover a download).
#
# env: FERRY_COMPAT_CACHE (default ~/.cache/ferry-compat), FERRY_PYTHON.

KAFKAJS_VERSION=2.2.4
ALIONS_VERSION=3.12.0
URLLIB_VERSION=2.44.1
FERRY_COMPAT_CACHE=${FERRY_COMPAT_CACHE:-${HOME:-/root}/.cache/ferry-compat}
_clients_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

_clients_fail() {
    if declare -F fail >/dev/null; then
        fail "$@"
    fi
    echo "clients.sh: FAIL: $*" >&2
    exit 1
}

_clients_say() {
    if declare -F say >/dev/null; then
        say "$@"
    else
        echo "clients.sh: $*" >&2
    fi
}

compat_python() {
    local client=$1 mod pkg py
    case $client in
    kafka-python) mod=kafka pkg=python3-kafka ;;
    confluent) mod=confluent_kafka pkg=python3-confluent-kafka ;;
    *) _clients_fail "compat_python: unknown client $client" ;;
    esac
    for py in ${FERRY_PYTHON:-} /usr/bin/python3 python3; do
        if command -v "$py" >/dev/null 2>&1 &&
            "$py" -c "import $mod" >/dev/null 2>&1; then
            command -v "$py"
            return 0
        fi
    done
    _clients_fail "no python3 imports $mod: install Debian's $pkg (.ci/run)"
}

_sha() {
    cat "$@" | sha256sum | cut -c1-16
}

# compat_java_prepare: sets JAVA_CP (compiled programs + kafka-clients jars)
compat_java_prepare() {
    local t
    for t in java javac mvn; do
        command -v "$t" >/dev/null 2>&1 ||
            _clients_fail "$t missing: install openjdk-17-jdk-headless and maven (.ci/run)"
    done
    local jdir=$_clients_dir/java
    local key cpfile classes
    key=$(_sha "$jdir/pom.xml")
    cpfile=$FERRY_COMPAT_CACHE/java/classpath-$key.txt
    mkdir -p "$FERRY_COMPAT_CACHE/java"
    local ok=0
    if [ -s "$cpfile" ]; then
        ok=1
        local jar jars
        # no newline at the end of the file: read then returns 1
        IFS=: read -r -a jars <"$cpfile" || true
        for jar in "${jars[@]}"; do
            [ -f "$jar" ] || ok=0
        done
    fi
    if [ "$ok" -eq 0 ]; then
        _clients_say "resolving kafka-clients with Maven (cached in ~/.m2)"
        local tmp=$cpfile.$$
        timeout --kill-after=10 600 mvn -B -q -f "$jdir/pom.xml" \
            dependency:build-classpath -Dmdep.outputFile="$tmp" \
            >"$FERRY_COMPAT_CACHE/java/mvn.log" 2>&1 || {
            tail -n 40 "$FERRY_COMPAT_CACHE/java/mvn.log" >&2
            rm -f "$tmp"
            _clients_fail "mvn dependency:build-classpath failed"
        }
        mv "$tmp" "$cpfile"
    fi
    # compiled classes, cached by the hash of the sources and the classpath
    key=$(_sha "$cpfile" "$jdir"/*.java)
    classes=$FERRY_COMPAT_CACHE/java/classes-$key
    if [ ! -f "$classes/.done" ]; then
        _clients_say "compiling compat-tests/java/*.java"
        rm -rf "$classes.$$"
        mkdir -p "$classes.$$"
        timeout --kill-after=10 300 javac -Xlint:deprecation,unchecked \
            -cp "$(cat "$cpfile")" -d "$classes.$$" "$jdir"/*.java ||
            _clients_fail "javac failed"
        touch "$classes.$$/.done"
        rm -rf "$classes"
        mv "$classes.$$" "$classes"
    fi
    JAVA_CP=$classes:$(cat "$cpfile")
    export JAVA_CP
    # slf4j-simple: warnings and errors only (INFO dumps every config)
    JAVA_LOG_OPTS=(-Dorg.slf4j.simpleLogger.defaultLogLevel=warn
        -Dorg.slf4j.simpleLogger.showDateTime=true)
}

# compat_kafkajs_prepare: sets NODE_PATH to a node_modules with kafkajs
compat_kafkajs_prepare() {
    local t
    for t in node npm; do
        command -v "$t" >/dev/null 2>&1 ||
            _clients_fail "$t missing: install nodejs and npm (.ci/run)"
    done
    local dir=$FERRY_COMPAT_CACHE/npm-kafkajs-$KAFKAJS_VERSION
    local pj=$dir/node_modules/kafkajs/package.json
    if ! [ -f "$pj" ] || ! grep -q "\"version\": \"$KAFKAJS_VERSION\"" "$pj"; then
        _clients_say "installing kafkajs@$KAFKAJS_VERSION with npm into $dir"
        mkdir -p "$dir"
        timeout --kill-after=10 300 npm install --no-audit --no-fund \
            --no-save --prefix "$dir" "kafkajs@$KAFKAJS_VERSION" \
            >"$dir/npm.log" 2>&1 || {
            tail -n 40 "$dir/npm.log" >&2
            _clients_fail "npm install kafkajs@$KAFKAJS_VERSION failed"
        }
    fi
    NODE_PATH=$dir/node_modules
    export NODE_PATH
}

# ali-ons (RocketMQ client for Node, with urllib, which its constructor
# insists on) into the cache; sets NODE_PATH.
compat_alions_prepare() {
    local t
    for t in node npm; do
        command -v "$t" >/dev/null 2>&1 ||
            _clients_fail "$t missing: install nodejs and npm (.ci/run)"
    done
    local dir=$FERRY_COMPAT_CACHE/npm-ali-ons-$ALIONS_VERSION
    local pj=$dir/node_modules/ali-ons/package.json
    if ! [ -f "$pj" ] || ! grep -q "\"version\": \"$ALIONS_VERSION\"" "$pj"; then
        _clients_say "installing ali-ons@$ALIONS_VERSION with npm into $dir"
        mkdir -p "$dir"
        timeout --kill-after=10 300 npm install --no-audit --no-fund \
            --no-save --prefix "$dir" "ali-ons@$ALIONS_VERSION" \
            "urllib@$URLLIB_VERSION" >"$dir/npm.log" 2>&1 || {
            tail -n 40 "$dir/npm.log" >&2
            _clients_fail "npm install ali-ons@$ALIONS_VERSION failed"
        }
    fi
    NODE_PATH=$dir/node_modules
    export NODE_PATH
}

# The Go RocketMQ client program (compat-tests/go/rmqgo), built with the
# machine's go into the cache, keyed by the hash of its sources; modules
# come from the Go module proxy into go's own module cache.  Sets RMQGO.
compat_go_prepare() {
    command -v go >/dev/null 2>&1 ||
        _clients_fail "go missing: install golang-go (tools/install-deps.sh)"
    local src=$_clients_dir/go key
    key=$(cat "$src/go.mod" "$src/go.sum" "$src/rmqgo/main.go" | _sha)
    RMQGO=$FERRY_COMPAT_CACHE/go/rmqgo-$key
    if ! [ -x "$RMQGO" ]; then
        _clients_say "building the rocketmq-client-go program into $RMQGO"
        mkdir -p "$FERRY_COMPAT_CACHE/go"
        (cd "$src" && GOTOOLCHAIN=local timeout --kill-after=10 600 \
            go build -o "$RMQGO.tmp" ./rmqgo) \
            >"$FERRY_COMPAT_CACHE/go/build.log" 2>&1 || {
            tail -n 40 "$FERRY_COMPAT_CACHE/go/build.log" >&2
            _clients_fail "go build of compat-tests/go/rmqgo failed"
        }
        mv "$RMQGO.tmp" "$RMQGO"
    fi
    export RMQGO
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
    set -euo pipefail
    case ${1:-} in
    fetch)
        compat_java_prepare
        compat_kafkajs_prepare
        compat_alions_prepare
        compat_go_prepare
        _clients_say "Java classpath, KafkaJS, ali-ons and the Go program ready in $FERRY_COMPAT_CACHE"
        ;;
    *)
        echo "usage: bash lib/clients.sh fetch" >&2
        exit 2
        ;;
    esac
fi
