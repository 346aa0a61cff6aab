#!/usr/bin/env bash
# install-deps.sh - installs, with apt-get (Debian 12 / Ubuntu), everything
# Ferry needs to build and to run its whole test suite: compilers and
# libraries, plus the third-party clients the compat tests drive (kcat,
# librdkafka, kafka-python, confluent-kafka, a JDK with Maven for the Java
# client, Node.js for KafkaJS and ali-ons, Go for rocketmq-client-go,
# openssl for test certificates, promtool (Debian's prometheus) for the
# metrics page, groff for the man pages).
# The one list, used by tools/quickstart.sh and .ci/run.
# Runs apt-get through sudo when not root.
set -euo pipefail

packages=(
    build-essential cmake ninja-build pkg-config clang
    libevent-dev libssl-dev libzstd-dev liblz4-dev libsnappy-dev
    zlib1g-dev libjansson-dev libcmocka-dev
    librdkafka-dev kcat zstd python3 util-linux procps
    python3-kafka python3-confluent-kafka openjdk-17-jdk-headless maven
    openssl nodejs curl prometheus groff-base
)
# npm: Debian's package, unless a node install already brings its own
# (NodeSource's nodejs includes npm and conflicts with Debian's npm)
command -v npm >/dev/null 2>&1 || packages+=(npm)
# go: Debian's (1.19 is enough for compat-tests/go), unless one is installed
command -v go >/dev/null 2>&1 || packages+=(golang-go)

sudo=""
if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null 2>&1 || {
        echo "install-deps: not root and no sudo; install: ${packages[*]}" >&2
        exit 1
    }
    sudo=sudo
fi
export DEBIAN_FRONTEND=noninteractive
for i in 1 2 3; do
    $sudo apt-get update -q && break
    [ "$i" -lt 3 ] || exit 1
    sleep 10
done
$sudo apt-get install -y -q --no-install-recommends "${packages[@]}"
