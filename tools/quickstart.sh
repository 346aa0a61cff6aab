#!/usr/bin/env bash
# quickstart.sh - the newcomer's first command: install the build and test
# dependencies (Debian/Ubuntu, via apt-get: tools/install-deps.sh), build
# Ferry into ./build and start a standalone broker with its data in ./data
# (Ctrl-C stops it cleanly).  Extra arguments go to ferry-broker, e.g.
#   ./tools/quickstart.sh --listeners=PLAINTEXT://127.0.0.1:9092
# env (for tests that run the README's commands): FERRY_BUILD_DIR (default
# build; an existing tree is built, not reconfigured), FERRY_DATA_DIR
# (default ./data), FERRY_SKIP_DEPS=1 (no dependency check).
set -euo pipefail
cd "$(dirname "$0")/.."

build=${FERRY_BUILD_DIR:-build}
data=${FERRY_DATA_DIR:-./data}

# Build and test dependencies, installed only when something is missing.
if [ "${FERRY_SKIP_DEPS:-0}" != 1 ] && {
   ! command -v cmake >/dev/null || ! command -v kcat >/dev/null ||
   ! pkg-config --exists libevent libzstd cmocka jansson rdkafka 2>/dev/null ||
   ! command -v mvn >/dev/null || ! command -v node >/dev/null ||
   ! command -v zstd >/dev/null || ! command -v openssl >/dev/null ||
   ! /usr/bin/python3 -c 'import kafka, confluent_kafka' 2>/dev/null; }; then
  ./tools/install-deps.sh
fi

[ -f "$build/CMakeCache.txt" ] ||
  cmake -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo
cmake --build "$build"
echo "quickstart: starting ferry-broker --standalone (data in $data)"
exec "$build/broker/ferry-broker" --standalone --storePathRootDir="$data" "$@"
