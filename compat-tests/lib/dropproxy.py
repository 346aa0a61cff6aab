#!/usr/bin/env python3
"""dropproxy: a fault-injecting TCP proxy for the Kafka protocol.

    dropproxy.py LISTEN_PORT TARGET_HOST:TARGET_PORT [--every K]
                 [--min-gap SECS] [--max-faults M] [--lifetime SECS]

Accepts on 127.0.0.1:LISTEN_PORT and forwards each connection to the
target. It reads the request frames (size, api_key, api_version,
correlation_id) to know which response answers which request. A Produce
response is withheld when at least K Produce responses (counted over all
connections) went through since the last fault and at least --min-gap
seconds passed (so a dropped response can time out on its own before the
next fault closes its connection). The faults alternate between

  drop   the response and every later response on that connection are
         discarded while the connection stays open (as when the network
         stalls: TCP never delivers a later response without an earlier
         one), so the client's requests time out and it reconnects;
  close  both sides are closed right after the broker answered, so the
         client sees a broken connection with the request in flight.

Either way the broker has stored the batch and the client does not know:
it must retry, and an idempotent producer's retry must not be stored
twice. After M faults the proxy only forwards. Each fault is logged on
stderr as a line starting with "dropproxy: fault". The proxy exits by
itself after --lifetime seconds (default 300), so it never outlives a
test.
"""

import argparse
import os
import socket
import struct
import sys
import threading
import time

PRODUCE = 0


class State:
    def __init__(self, every, max_faults, min_gap):
        self.lock = threading.Lock()
        self.every = every
        self.max_faults = max_faults
        self.min_gap = min_gap
        self.last_fault = -1e9
        self.produce_responses = 0
        self.since_fault = 0
        self.faults = 0

    def next_fault(self):
        """Called for every Produce response: None or 'drop' / 'close'."""
        with self.lock:
            self.produce_responses += 1
            self.since_fault += 1
            if self.faults >= self.max_faults:
                return None
            if self.since_fault < self.every:
                return None
            if time.monotonic() - self.last_fault < self.min_gap:
                return None
            self.faults += 1
            self.since_fault = 0
            self.last_fault = time.monotonic()
            return "drop" if self.faults % 2 == 1 else "close"


def log(msg):
    sys.stderr.write("dropproxy: %s\n" % msg)
    sys.stderr.flush()


class Link:
    """One client connection and its broker connection."""

    def __init__(self, num, client, server, state):
        self.num = num
        self.client = client
        self.server = server
        self.state = state
        self.pending = {}  # correlation id -> (api_key, api_version)
        self.lock = threading.Lock()
        self.closed = False
        self.stalled = False

    def close(self):
        with self.lock:
            if self.closed:
                return
            self.closed = True
        for s in (self.client, self.server):
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            s.close()

    @staticmethod
    def frames(sock):
        """Yield whole frames (with their 4-byte size) read from sock."""
        buf = b""
        while True:
            try:
                data = sock.recv(65536)
            except OSError:
                return
            if not data:
                return
            buf += data
            while len(buf) >= 4:
                (size,) = struct.unpack(">i", buf[:4])
                if size < 0 or len(buf) < 4 + size:
                    break
                yield buf[: 4 + size]
                buf = buf[4 + size :]

    def requests(self):
        for frame in self.frames(self.client):
            if len(frame) >= 12:
                api_key, api_version, corr = struct.unpack(">hhi", frame[4:12])
                if not (api_key == PRODUCE and self.produce_acks0(frame)):
                    with self.lock:
                        self.pending[corr] = (api_key, api_version)
            try:
                self.server.sendall(frame)
            except OSError:
                break
        self.close()

    @staticmethod
    def produce_acks0(frame):
        """True for a Produce request with acks=0 (it gets no response)."""
        try:
            off = 12
            (cid_len,) = struct.unpack(">h", frame[off : off + 2])
            off += 2 + max(cid_len, 0)
            (api_version,) = struct.unpack(">h", frame[6:8])
            if api_version >= 9:
                # flexible header: tagged fields after client id
                n, off = uvarint(frame, off)
                for _ in range(n):
                    _, off = uvarint(frame, off)
                    size, off = uvarint(frame, off)
                    off += size
                # transactional_id: compact nullable string
                n, off = uvarint(frame, off)
                off += max(n - 1, 0)
            elif api_version >= 3:
                (tid_len,) = struct.unpack(">h", frame[off : off + 2])
                off += 2 + max(tid_len, 0)
            (acks,) = struct.unpack(">h", frame[off : off + 2])
            return acks == 0
        except (struct.error, IndexError):
            return False

    def responses(self):
        for frame in self.frames(self.server):
            if self.stalled:
                continue
            fault = None
            if len(frame) >= 8:
                (corr,) = struct.unpack(">i", frame[4:8])
                with self.lock:
                    api = self.pending.pop(corr, None)
                if api is not None and api[0] == PRODUCE:
                    fault = self.state.next_fault()
                if fault:
                    log(
                        "fault %d: %s Produce v%d response, correlation id "
                        "%d, connection %d"
                        % (self.state.faults, fault, api[1], corr, self.num)
                    )
            if fault == "drop":
                self.stalled = True
                continue
            if fault == "close":
                break
            try:
                self.client.sendall(frame)
            except OSError:
                break
        self.close()


def uvarint(buf, off):
    shift = 0
    val = 0
    while True:
        b = buf[off]
        off += 1
        val |= (b & 0x7F) << shift
        if not b & 0x80:
            return val, off
        shift += 7


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("listen_port", type=int)
    ap.add_argument("target")
    ap.add_argument("--every", type=int, default=5)
    ap.add_argument("--min-gap", type=float, default=0.0)
    ap.add_argument("--max-faults", type=int, default=6)
    ap.add_argument("--lifetime", type=float, default=300)
    args = ap.parse_args()
    host, port = args.target.rsplit(":", 1)
    state = State(max(args.every, 1), args.max_faults, args.min_gap)

    lsock = socket.socket()
    lsock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    lsock.bind(("127.0.0.1", args.listen_port))
    lsock.listen(64)
    lsock.settimeout(0.5)
    log("listening on 127.0.0.1:%d -> %s" % (args.listen_port, args.target))

    deadline = time.monotonic() + args.lifetime
    num = 0
    while time.monotonic() < deadline:
        try:
            client, _ = lsock.accept()
        except socket.timeout:
            continue
        num += 1
        try:
            server = socket.create_connection((host, int(port)), timeout=5)
            server.settimeout(None)
        except OSError as e:
            log("connection %d: cannot reach %s: %s" % (num, args.target, e))
            client.close()
            continue
        for s in (client, server):
            s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        link = Link(num, client, server, state)
        threading.Thread(target=link.requests, daemon=True).start()
        threading.Thread(target=link.responses, daemon=True).start()
    log(
        "lifetime over: %d Produce responses, %d faults"
        % (state.produce_responses, state.faults)
    )
    os._exit(0)


if __name__ == "__main__":
    main()
