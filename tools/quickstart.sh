#!/usr/bin/env bash
# quickstart.sh - the newcomer's first command: install the build
# dependencies (Debian/Ubuntu, via apt-get), build Ferry into ./build and
# start a standalone broker with its data in ./data (Ctrl-C stops it
# cleanly).  Extra arguments go to ferry-broker, e.g.
#   ./tools/quickstart.sh --listeners=PLAINTEXT://127.0.0.1:9092
set -euo pipefail
cd "$(dirname "$0")/.."

deps=(build-essential cmake ninja-build pkg-config libevent-dev libssl-dev
      libzstd-dev libcmocka-dev librdkafka-dev libjansson-dev liblz4-dev
      libsnappy-dev zlib1g-dev kcat)
missing=()
for p in "${deps[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" ||
    missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  sudo=""
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  echo "quickstart: installing ${missing[*]}"
  $sudo apt-get update
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y --no-install-recommends "${missing[@]}"
fi

cmake -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo
cmake --build build
echo "quickstart: starting ferry-broker --standalone (data in ./data)"
exec ./build/broker/ferry-broker --standalone --storePathRootDir=./data "$@"
