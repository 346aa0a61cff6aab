#!/usr/bin/env python3
"""Garbage on the Kafka port: each bad input on its own connection must get
an error (the exact Kafka code where the protocol defines one) or a closed
connection, never a success and never a hang; meanwhile a well-behaved
client (ApiVersions + Metadata on a long-lived connection) keeps working,
nothing bad is appended (ListOffsets before/after), memory stays bounded
(VmHWM of the broker below --rss-limit-mib, also through a zstd bomb) and
the broker process is alive at the end.

usage: garbage.py --port PORT --pid BROKER_PID [--rss-limit-mib 512]

Needs the `zstd` command (for the zstd bomb). Encodings follow
shared/ref/kafka-protocol.md: frames and headers §1, record batch v2 §4.1,
records §4.2, error codes §8.
"""
import argparse
import os
import random
import socket
import struct
import subprocess
import sys
import threading
import time

CLIENT_ID = b"ferry-garbage"
TOPIC = "garbage-%d" % os.getpid()
IO_TIMEOUT = 10.0      # any single answer from the broker
CLOSE_TIMEOUT = 5.0    # the broker must drop a hopeless connection this fast

# error codes (ref §8)
NONE = 0
CORRUPT_MESSAGE = 2
UNKNOWN_TOPIC_OR_PARTITION = 3
INVALID_REQUIRED_ACKS = 21
UNSUPPORTED_COMPRESSION_TYPE = 76
ERR_NAMES = {0: "NONE", 2: "CORRUPT_MESSAGE", 3: "UNKNOWN_TOPIC_OR_PARTITION",
             10: "MESSAGE_TOO_LARGE", 21: "INVALID_REQUIRED_ACKS",
             42: "INVALID_REQUEST", 76: "UNSUPPORTED_COMPRESSION_TYPE",
             87: "INVALID_RECORD", -1: "UNKNOWN_SERVER_ERROR"}


def ename(code):
    return "%d %s" % (code, ERR_NAMES.get(code, "?"))


class Fail(Exception):
    pass


class Closed(Exception):
    pass


# ---- encoding -------------------------------------------------------------

def i8(v): return struct.pack(">b", v)
def i16(v): return struct.pack(">h", v)
def i32(v): return struct.pack(">i", v)
def i64(v): return struct.pack(">q", v)
def u32(v): return struct.pack(">I", v)


def kstr(s):
    if s is None:
        return i16(-1)
    b = s.encode() if isinstance(s, str) else s
    return i16(len(b)) + b


def kbytes(b):
    return i32(-1) if b is None else i32(len(b)) + b


def karray(items):
    return i32(len(items)) + b"".join(items)


def varint(v):
    """zigzag varint (records, ref §4.2)"""
    z = (v << 1) ^ (v >> 63)
    out = bytearray()
    while True:
        b = z & 0x7F
        z >>= 7
        if z:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)


def _crc32c_table():
    t = []
    for n in range(256):
        c = n
        for _ in range(8):
            c = (c >> 1) ^ 0x82F63B78 if c & 1 else c >> 1
        t.append(c)
    return t


_CRC_T = _crc32c_table()


def crc32c(data):
    c = 0xFFFFFFFF
    t = _CRC_T
    for b in data:
        c = t[(c ^ b) & 0xFF] ^ (c >> 8)
    return c ^ 0xFFFFFFFF


def record(offset_delta, key, value):
    body = (i8(0) + varint(0) + varint(offset_delta)
            + (varint(-1) if key is None else varint(len(key)) + key)
            + varint(len(value)) + value + varint(0))
    return varint(len(body)) + body


def plain_records(n, tag=b"ok"):
    return b"".join(record(i, b"k%d" % i, tag + b"-%d" % i) for i in range(n))


def batch(records, count, attributes=0, last_offset_delta=None,
          crc_xor=0):
    """Record batch v2 (ref §4.1); `records` is the (maybe compressed)
    section after recordsCount; `count` is written as given."""
    ts = int(time.time() * 1000)
    lod = count - 1 if last_offset_delta is None else last_offset_delta
    after_crc = (i16(attributes) + i32(lod) + i64(ts) + i64(ts) + i64(-1)
                 + i16(-1) + i32(-1) + i32(count) + records)
    inner = i32(-1) + i8(2) + u32(crc32c(after_crc) ^ crc_xor) + after_crc
    return i64(0) + i32(len(inner)) + inner


def request(api_key, version, corr, body):
    hdr = i16(api_key) + i16(version) + i32(corr) + kstr(CLIENT_ID)
    return i32(len(hdr) + len(body)) + hdr + body


def produce_body(version, topic, partition, records, acks=1):
    b = b""
    if version >= 3:
        b += kstr(None)  # transactional_id
    b += i16(acks) + i32(10000)
    b += karray([kstr(topic) + karray([i32(partition) + kbytes(records)])])
    return b


# ---- decoding -------------------------------------------------------------

class Reader:
    def __init__(self, data):
        self.d = data
        self.p = 0

    def take(self, n):
        if n < 0 or self.p + n > len(self.d):
            raise Fail("response truncated at byte %d (want %d more of %d)"
                       % (self.p, n, len(self.d)))
        v = self.d[self.p:self.p + n]
        self.p += n
        return v

    def i8(self): return struct.unpack(">b", self.take(1))[0]
    def i16(self): return struct.unpack(">h", self.take(2))[0]
    def i32(self): return struct.unpack(">i", self.take(4))[0]
    def i64(self): return struct.unpack(">q", self.take(8))[0]

    def str(self):
        n = self.i16()
        return None if n < 0 else self.take(n).decode("utf-8", "replace")

    def array(self, fn):
        n = self.i32()
        if n < 0:
            return None
        if n > 100000:
            raise Fail("array count %d in response" % n)
        return [fn() for _ in range(n)]


def parse_produce(version, payload):
    r = Reader(payload)

    def part():
        p = {"index": r.i32(), "error": r.i16(), "base_offset": r.i64()}
        if version >= 2:
            r.i64()
        if version >= 5:
            p["log_start_offset"] = r.i64()
        return p

    topics = r.array(lambda: (r.str(), r.array(part)))
    if len(topics) != 1 or len(topics[0][1]) != 1:
        raise Fail("Produce response: %r, want one topic, one partition"
                   % (topics,))
    return topics[0][1][0]


# ---- connections ----------------------------------------------------------

class Conn:
    def __init__(self, port, name):
        self.name = name
        self.s = socket.create_connection(("127.0.0.1", port), timeout=5)
        self.s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.buf = b""

    def send(self, data):
        try:
            self.s.sendall(data)
        except (BrokenPipeError, ConnectionResetError):
            raise Closed()

    def _fill(self, deadline):
        left = deadline - time.monotonic()
        if left <= 0:
            raise socket.timeout()
        self.s.settimeout(left)
        try:
            d = self.s.recv(65536)
        except ConnectionResetError:
            raise Closed()
        if not d:
            raise Closed()
        self.buf += d

    def recv_frame(self, timeout=IO_TIMEOUT):
        """-> (correlation_id, payload); raises Closed or socket.timeout"""
        deadline = time.monotonic() + timeout
        while len(self.buf) < 4:
            self._fill(deadline)
        n = struct.unpack(">i", self.buf[:4])[0]
        if n < 4 or n > 64 << 20:
            raise Fail("%s: response frame size %d" % (self.name, n))
        while len(self.buf) < 4 + n:
            self._fill(deadline)
        frame, self.buf = self.buf[4:4 + n], self.buf[4 + n:]
        return struct.unpack(">i", frame[:4])[0], frame[4:]

    def call(self, api_key, version, corr, body, timeout=IO_TIMEOUT):
        self.send(request(api_key, version, corr, body))
        try:
            got, payload = self.recv_frame(timeout)
        except socket.timeout:
            raise Fail("%s: no answer to api %d v%d within %.0f s"
                       % (self.name, api_key, version, timeout))
        except Closed:
            raise Fail("%s: connection closed instead of answering api %d v%d"
                       % (self.name, api_key, version))
        if got != corr:
            raise Fail("%s: correlation id %d, want %d" % (self.name, got, corr))
        return payload

    def wait_closed(self, timeout=CLOSE_TIMEOUT):
        """True if the broker closes within timeout (bytes it sends first
        are kept in self.buf)."""
        deadline = time.monotonic() + timeout
        try:
            while True:
                self._fill(deadline)
        except Closed:
            return True
        except socket.timeout:
            return False

    def close(self):
        try:
            self.s.close()
        except OSError:
            pass


# ---- the checks -------------------------------------------------------------

class Run:
    def __init__(self, args):
        self.port = args.port
        self.pid = args.pid
        self.rss_limit = args.rss_limit_mib
        self.corr = 1000
        self.passed = 0
        self.failed = 0
        self.hw = 0           # records appended to TOPIC/0 by valid produces
        self.good = None

    def next_corr(self):
        self.corr += 1
        return self.corr

    def broker_alive(self):
        try:
            with open("/proc/%d/status" % self.pid) as f:
                for line in f:
                    if line.startswith("State:"):
                        return "Z" not in line and "X" not in line
        except OSError:
            return False
        return False

    def mem_kib(self):
        out = {}
        try:
            with open("/proc/%d/status" % self.pid) as f:
                for line in f:
                    k, _, v = line.partition(":")
                    if k in ("VmRSS", "VmHWM"):
                        out[k] = int(v.split()[0])
        except OSError:
            pass
        return out

    # well-behaved client ----------------------------------------------------
    def good_check(self, where):
        if self.good is None:
            self.good = Conn(self.port, "good client")
        c = self.good
        corr = self.next_corr()
        r = Reader(c.call(18, 0, corr, b""))
        err = r.i16()
        keys = {k: (lo, hi) for k, lo, hi in
                r.array(lambda: (r.i16(), r.i16(), r.i16()))}
        if err != NONE:
            raise Fail("good client (%s): ApiVersions error %s"
                       % (where, ename(err)))
        for k in (0, 1, 2, 3, 18):
            if k not in keys:
                raise Fail("good client (%s): ApiVersions lacks key %d"
                           % (where, k))
        corr = self.next_corr()
        r = Reader(c.call(3, 1, corr, karray([kstr(TOPIC)])))
        brokers = r.array(lambda: (r.i32(), r.str(), r.i32(), r.str()))
        r.i32()  # controller
        topics = r.array(lambda: (r.i16(), r.str(), r.i8(), r.array(
            lambda: (r.i16(), r.i32(), r.i32(), r.array(r.i32),
                     r.array(r.i32)))))
        if not any(port == self.port for _, _, port, _ in brokers):
            raise Fail("good client (%s): Metadata brokers %r lack port %d"
                       % (where, brokers, self.port))
        if len(topics) != 1 or topics[0][0] != NONE:
            raise Fail("good client (%s): Metadata topics %r"
                       % (where, topics))

    def create_topic(self):
        """Metadata v4 with allow_auto_topic_creation until TOPIC is up."""
        c = Conn(self.port, "setup")
        deadline = time.monotonic() + 15
        last = None
        while time.monotonic() < deadline:
            corr = self.next_corr()
            r = Reader(c.call(3, 4, corr, karray([kstr(TOPIC)]) + i8(1)))
            r.i32()
            r.array(lambda: (r.i32(), r.str(), r.i32(), r.str()))
            r.str()
            r.i32()
            topics = r.array(lambda: (r.i16(), r.str(), r.i8(), r.array(
                lambda: (r.i16(), r.i32(), r.i32(), r.array(r.i32),
                         r.array(r.i32)))))
            last = topics
            if (len(topics) == 1 and topics[0][0] == NONE and topics[0][3]
                    and topics[0][3][0][2] >= 0):
                c.close()
                return
            time.sleep(0.2)
        c.close()
        raise Fail("auto-create of %s via Metadata v4 failed: %r"
                   % (TOPIC, last))

    def list_offset_latest(self):
        c = Conn(self.port, "ListOffsets")
        try:
            corr = self.next_corr()
            body = i32(-1) + karray([kstr(TOPIC) + karray([i32(0) + i64(-1)])])
            r = Reader(c.call(2, 1, corr, body))
            topics = r.array(lambda: (r.str(), r.array(
                lambda: (r.i32(), r.i16(), r.i64(), r.i64()))))
            p = topics[0][1][0]
            if p[1] != NONE:
                raise Fail("ListOffsets latest: error %s" % ename(p[1]))
            return p[3]
        finally:
            c.close()

    # one case -----------------------------------------------------------------
    def case(self, name, fn):
        before = self.mem_kib()
        try:
            outcome = fn()
            if not self.broker_alive():
                raise Fail("broker process %d is gone" % self.pid)
            self.good_check("after " + name)
            after = self.mem_kib()
            hwm = after.get("VmHWM", 0) // 1024
            if hwm > self.rss_limit:
                raise Fail("broker peak RSS %d MiB > %d MiB (before: %d MiB)"
                           % (hwm, self.rss_limit,
                              before.get("VmHWM", 0) // 1024))
            print("ok   %-34s %s [rss %d MiB, peak %d MiB]"
                  % (name, outcome, after.get("VmRSS", 0) // 1024, hwm),
                  flush=True)
            self.passed += 1
        except (Fail, OSError, Closed) as e:
            print("FAIL %-34s %s: %s" % (name, type(e).__name__, e),
                  flush=True)
            self.failed += 1
            if not self.broker_alive():
                print("FAIL broker process %d died during %r; stopping"
                      % (self.pid, name), flush=True)
                return False
            # a dead good connection would fail every later case too
            if self.good is not None:
                self.good.close()
                self.good = None
        return True

    def expect_close(self, data, shut_wr=False, allow_frames=False):
        """Send data; the broker must close within CLOSE_TIMEOUT."""
        c = Conn(self.port, "bad")
        try:
            try:
                c.send(data)
            except Closed:
                return "closed while sending"
            if shut_wr:
                try:
                    c.s.shutdown(socket.SHUT_WR)
                except OSError:
                    return "closed while sending"
            if not c.wait_closed():
                raise Fail("connection still open %.0f s after the bad input"
                           % CLOSE_TIMEOUT)
            if c.buf and not allow_frames:
                raise Fail("broker sent %d bytes before closing: %r"
                           % (len(c.buf), c.buf[:32]))
            return "closed" + (" after %d bytes of answer" % len(c.buf)
                               if c.buf else "")
        finally:
            c.close()

    def produce_expect(self, version, records, want, partition=0, acks=1,
                       during=None):
        """Produce on a fresh connection. want: "nonzero" (any error code
        or a closed connection), or a set of acceptable error codes that
        may include CLOSE_OK. `during` runs while the request is out."""
        c = Conn(self.port, "bad produce")
        corr = self.next_corr()
        try:
            try:
                c.send(request(0, version, corr, produce_body(
                    version, TOPIC, partition, records, acks)))
            except Closed:
                return "closed while sending"
            if during:
                during()
            try:
                got, payload = c.recv_frame(30)
            except Closed:
                if want == "nonzero" or CLOSE_OK in want:
                    return "connection closed"
                raise Fail("connection closed, want error %s"
                           % fmt_want(want))
            except socket.timeout:
                raise Fail("no answer and no close within 30 s")
            if got != corr:
                raise Fail("correlation id %d, want %d" % (got, corr))
            p = parse_produce(version, payload)
            err = p["error"]
            if want == "nonzero":
                if err == NONE:
                    raise Fail("broker accepted it: error 0, base_offset %d"
                               % p["base_offset"])
            elif err not in want:
                raise Fail("partition error %s, want %s"
                           % (ename(err), fmt_want(want)))
            return "error %s" % ename(err)
        finally:
            c.close()

    def produce_ok(self, version, n):
        c = Conn(self.port, "valid produce")
        try:
            corr = self.next_corr()
            p = parse_produce(version, c.call(0, version, corr, produce_body(
                version, TOPIC, 0, batch(plain_records(n), n))))
            if p["error"] != NONE:
                raise Fail("valid Produce v%d: error %s"
                           % (version, ename(p["error"])))
            if p["base_offset"] != self.hw:
                raise Fail("valid Produce v%d: base_offset %d, want %d"
                           % (version, p["base_offset"], self.hw))
            self.hw += n
            return "error 0, base_offset %d" % p["base_offset"]
        finally:
            c.close()


CLOSE_OK = "close"


def fmt_want(want):
    codes = sorted(w for w in want if w != CLOSE_OK)
    s = " or ".join(ename(w) for w in codes)
    return s + (" or a closed connection" if CLOSE_OK in want else "")


def zstd_frame(prefix, zeros, declare_size):
    """zstd-compress prefix + `zeros` zero bytes with the zstd CLI (streamed,
    so this process never holds the plain text)."""
    cmd = ["zstd", "-q", "-c", "-1"]
    if declare_size:
        cmd.append("--stream-size=%d" % (len(prefix) + zeros))
    p = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE)

    def feed():
        p.stdin.write(prefix)
        chunk = bytes(1 << 20)
        left = zeros
        while left > 0:
            n = min(left, len(chunk))
            p.stdin.write(chunk[:n])
            left -= n
        p.stdin.close()

    t = threading.Thread(target=feed)
    t.start()
    out = p.stdout.read()
    t.join()
    if p.wait() != 0:
        raise Fail("zstd CLI failed")
    return out


def zstd_small(data):
    return subprocess.run(["zstd", "-q", "-c", "-3"], input=data,
                          stdout=subprocess.PIPE, check=True).stdout


def bomb_batch(declare_size):
    """One valid record whose value is 1.1 GiB of zeros, zstd-compressed."""
    value_len = 1100 << 20
    body_head = i8(0) + varint(0) + varint(0) + varint(-1) + varint(value_len)
    body_len = len(body_head) + value_len + 1   # + header count varint(0)
    prefix = varint(body_len) + body_head
    # the trailing header-count byte (0x00) is one more zero byte
    comp = zstd_frame(prefix, value_len + 1, declare_size)
    return batch(comp, 1, attributes=4), len(comp)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--pid", type=int, required=True)
    ap.add_argument("--rss-limit-mib", type=int, default=512)
    args = ap.parse_args()
    run = Run(args)
    rnd = random.Random(20240601)

    print("garbage: broker pid %d on 127.0.0.1:%d, topic %s"
          % (args.pid, args.port, TOPIC), flush=True)
    run.create_topic()
    run.good_check("start")

    cases = []

    def add(name, fn):
        cases.append((name, fn))

    # controls: valid batches are accepted at the expected offsets
    add("valid Produce v7", lambda: run.produce_ok(7, 3))
    add("valid Produce v3", lambda: run.produce_ok(3, 2))

    # framing
    add("random bytes (1 MiB, then EOF)", lambda: run.expect_close(
        rnd.randbytes(1 << 20), shut_wr=True, allow_frames=True))

    def random_frames():
        data = b"".join(i32(n) + rnd.randbytes(n)
                        for n in (rnd.randrange(0, 300) for _ in range(200)))
        return run.expect_close(data, shut_wr=True, allow_frames=True)
    add("200 random-body frames, then EOF", random_frames)
    add("2 GiB-1 length prefix", lambda: run.expect_close(
        i32(0x7FFFFFFF) + b"\x00\x03\x00\x01" + bytes(64)))
    add("2 GiB length prefix (0x80000000)", lambda: run.expect_close(
        u32(0x80000000) + bytes(64)))
    add("negative length prefix (-16)", lambda: run.expect_close(
        i32(-16) + bytes(64)))
    add("truncated header (5 of 8+ bytes)", lambda: run.expect_close(
        i32(5) + i16(18) + i16(0) + b"\x00"))
    add("client_id longer than frame", lambda: run.expect_close(
        i32(10) + i16(3) + i16(1) + i32(7) + i16(500)))
    add("frame cut short, then EOF", lambda: run.expect_close(
        request(18, 0, 5, b"")[:9], shut_wr=True))

    def unknown_key(key):
        def f():
            c = Conn(run.port, "unknown api")
            try:
                c.send(request(key, 0, 4242, b"\x00" * 16))
                try:
                    got, _ = c.recv_frame(CLOSE_TIMEOUT)
                except Closed:
                    return "closed"
                except socket.timeout:
                    raise Fail("no answer and no close within %.0f s"
                               % CLOSE_TIMEOUT)
                if got != 4242:
                    raise Fail("answered with correlation id %d" % got)
                return "answered (correlation id kept)"
            finally:
                c.close()
        return f
    add("unknown api key 9999", unknown_key(9999))
    add("negative api key -3", unknown_key(-3))

    def held_partial_frames():
        """Many connections each stuck inside a frame must not stall
        anyone else."""
        held = []
        try:
            for i in range(64):
                c = Conn(run.port, "partial %d" % i)
                c.send(request(3, 1, 9000 + i, karray([kstr(TOPIC)]))[:7])
                held.append(c)
            run.good_check("with 64 partial frames held open")
            return "good client served while 64 are stuck mid-frame"
        finally:
            for c in held:
                c.close()
    add("64 connections stuck mid-frame", held_partial_frames)

    def pipelined_then_garbage():
        """Valid requests pipelined before garbage are answered in order
        (or the connection closes); never answered out of order."""
        c = Conn(run.port, "pipelined")
        try:
            data = b"".join(request(18, 0, 7000 + i, b"") for i in range(5))
            c.send(data + i32(-1))
            got = []
            try:
                while len(got) < 5:
                    corr, _ = c.recv_frame(IO_TIMEOUT)
                    got.append(corr)
            except Closed:
                pass
            except socket.timeout:
                raise Fail("answered %r, then neither more nor a close"
                           % got)
            if got != list(range(7000, 7000 + len(got))):
                raise Fail("answers out of order: %r" % got)
            if not c.wait_closed():
                raise Fail("still open after the negative length")
            return "%d answers in order, then closed" % len(got)
        finally:
            c.close()
    add("5 pipelined requests, then garbage", pipelined_then_garbage)

    # Produce semantics with exact codes (ref §3 Produce, §4.1, §8)
    def good_batch(n=3):
        return batch(plain_records(n), n)
    crc_bad = batch(plain_records(3), 3, crc_xor=1)
    add("batch with wrong CRC", lambda: run.produce_expect(
        7, crc_bad, {CORRUPT_MESSAGE, CLOSE_OK}))
    add("record count 1000 > bytes (3)", lambda: run.produce_expect(
        7, batch(plain_records(3), 1000), "nonzero"))
    add("record count 2^31-1", lambda: run.produce_expect(
        7, batch(plain_records(3), 0x7FFFFFFF), "nonzero"))
    add("record count -1", lambda: run.produce_expect(
        7, batch(plain_records(3), -1, last_offset_delta=2), "nonzero"))
    add("record count 1 < records (3)", lambda: run.produce_expect(
        7, batch(plain_records(3), 1, last_offset_delta=2), "nonzero"))

    def lying_record_len():
        rec = varint(1000) + record(0, b"k", b"v")[1:]
        return run.produce_expect(7, batch(rec, 1), "nonzero")
    add("record length past batch end", lying_record_len)
    add("batchLength past records field", lambda: run.produce_expect(
        7, (lambda b: b[:8] + i32(len(b) - 12 + 100) + b[12:])(good_batch()),
        "nonzero"))
    add("truncated batch (half)", lambda: run.produce_expect(
        7, (lambda b: b[:len(b) // 2])(good_batch()), "nonzero"))
    add("acks=2", lambda: run.produce_expect(
        7, good_batch(), {INVALID_REQUIRED_ACKS, CLOSE_OK}, acks=2))
    add("unknown partition 99", lambda: run.produce_expect(
        7, good_batch(), {UNKNOWN_TOPIC_OR_PARTITION}, partition=99))
    zsmall = zstd_small(plain_records(3))
    add("zstd batch in Produce v3", lambda: run.produce_expect(
        3, batch(zsmall, 3, attributes=4),
        {UNSUPPORTED_COMPRESSION_TYPE, CLOSE_OK}))
    add("zstd attribute, garbage payload", lambda: run.produce_expect(
        7, batch(rnd.randbytes(200), 3, attributes=4), "nonzero"))
    add("unknown codec 7", lambda: run.produce_expect(
        7, batch(plain_records(3), 3, attributes=7), "nonzero"))

    for declared in (True, False):
        def bomb(declared=declared):
            b, clen = bomb_batch(declared)

            def meanwhile():
                run.good_check("during zstd bomb")
            out = run.produce_expect(7, b, "nonzero", during=meanwhile)
            return "%s (%d compressed bytes -> 1.1 GiB)" % (out, clen)
        add("zstd bomb, content size %s" % ("declared" if declared
                                            else "unknown"), bomb)

    # nothing bad was appended; valid traffic still lands where expected
    def nothing_appended():
        latest = run.list_offset_latest()
        if latest != run.hw:
            raise Fail("ListOffsets latest %d, want %d (valid records only)"
                       % (latest, run.hw))
        return "latest offset %d" % latest
    add("log holds only valid batches", nothing_appended)
    add("valid Produce v7 at the end", lambda: run.produce_ok(7, 5))

    def fresh_client():
        run.good.close()
        run.good = None
        run.good_check("new connection")
        return "ApiVersions + Metadata ok"
    add("new client at the end", fresh_client)

    for name, fn in cases:
        if not run.case(name, fn):
            break
    if not run.broker_alive():
        print("FAIL broker process %d is not alive at the end" % args.pid)
        run.failed += 1
    print("garbage: %d passed, %d failed" % (run.passed, run.failed))
    sys.exit(1 if run.failed else 0)


if __name__ == "__main__":
    try:
        main()
    except Fail as e:
        print("FAIL setup: %s" % e)
        print("garbage: 0 passed, 1 failed")
        sys.exit(1)
