#!/usr/bin/env python3
"""Seed corpora for fuzz_remoting_frame and fuzz_remoting_message.

Writes a few valid frames/records/bodies (and their obvious breakages)
into wire/fuzz/corpus/<target>/seed-*.  Run from the repository root:
    python3 wire/fuzz/gen_remoting_corpus.py
"""
import os
import struct

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus")


def frame(header, body=b"", stype=0):
    return struct.pack(">ii", 4 + len(header) + len(body),
                       (stype << 24) | len(header)) + header + body


def binary_header(code, lang, ver, opaque, flag, remark, ext):
    out = struct.pack(">hbhii", code, lang, ver, opaque, flag)
    out += struct.pack(">i", len(remark)) + remark
    m = b""
    for k, v in ext:
        m += struct.pack(">h", len(k)) + k + struct.pack(">i", len(v)) + v
    return out + struct.pack(">i", len(m)) + m


def record(topic, body, props, born6=False, store6=False, v2=False):
    sys_flag = (0x10 if born6 else 0) | (0x20 if store6 else 0)
    born = (b"\x20\x01" + b"\0" * 13 + b"\x01" if born6 else b"\x0a\0\0\x05")
    store = (b"\xfe\x80" + b"\0" * 13 + b"\x02" if store6 else b"\x0a\0\0\x07")
    magic = 0xDAA320AB if v2 else 0xDAA320A7
    rest = struct.pack(">IiiiqqiqL", magic, 123, 1, 0, 5, 4096, sys_flag,
                       1700000000000, 0)[:-4]
    rest += born + struct.pack(">i", 50000)
    rest += struct.pack(">q", 1700000000001) + store + struct.pack(">i", 10911)
    rest += struct.pack(">iq", 0, 0)
    rest += struct.pack(">i", len(body)) + body
    rest += (struct.pack(">h", len(topic)) if v2 else bytes([len(topic)]))
    rest += topic + struct.pack(">h", len(props)) + props
    return struct.pack(">i", 4 + len(rest)) + rest


def batch_entry(body, props, flag=0):
    return struct.pack(">iiiii", 22 + len(body) + len(props), 0, 0, flag,
                       len(body)) + body + struct.pack(">h", len(props)) + props


def write(target, name, data):
    d = os.path.join(ROOT, target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, "seed-" + name), "wb") as f:
        f.write(data)


def main():
    js = (b'{"code":10,"extFields":{"a":"PG","b":"T","e":"0","g":"17000000'
          b'00000","i":"TAGS\\u0001x\\u0002"},"flag":0,"language":"JAVA",'
          b'"opaque":1,"serializeTypeCurrentRPC":"JSON","version":401}')
    write("fuzz_remoting_frame", "json-send", frame(js, b"hello"))
    write("fuzz_remoting_frame", "json-ons",
          frame(b'{"code":11,"language":"JAVA","version":121,"opaque":3,'
                b'"flag":0,"remark":null,"extFields":{"queueId":0,'
                b'"unitMode":false,"queueOffset":9007199254740993}}'))
    write("fuzz_remoting_frame", "json-go",
          frame(b'{"code":34,"language":"GO","version":317,"opaque":1,'
                b'"flag":0,"remark":"","extFields":{}}', b'{"clientID":"x"}'))
    write("fuzz_remoting_frame", "json-resp",
          frame(b'{"code":17,"flag":1,"language":"JAVA","opaque":5,'
                b'"remark":"No topic route info","version":479}'))
    write("fuzz_remoting_frame", "bin-send",
          frame(binary_header(10, 9, 317, 0x01020304, 2, b"ok",
                              [(b"topic", b"T"), (b"queueId", b"-1"),
                               (b"n", b"")]), b"body", 1))
    write("fuzz_remoting_frame", "bin-empty",
          frame(binary_header(0, 0, 0, 0, 1, b"", []), b"", 1))
    write("fuzz_remoting_frame", "lying-header-len",
          struct.pack(">ii", 6, 0x100) + b"{}")

    props = b"TAGS\x01TagA\x02KEYS\x01k1 k2\x02UNIQ_KEY\x01C0A80102\x02"
    write("fuzz_remoting_message", "rec-v1",
          record(b"TopicTest", b"hello", props))
    write("fuzz_remoting_message", "rec-v6-v2",
          record(b"%RETRY%" + b"g" * 130, b"x", b"", True, True, True))
    write("fuzz_remoting_message", "rec-pull-body",
          record(b"T", b"a", props) + record(b"T", b"", b"", True, False))
    write("fuzz_remoting_message", "batch",
          batch_entry(b"m1", b"UNIQ_KEY\x01A\x02") + batch_entry(b"", b"")
          + batch_entry(b"m3", b"KEYS\x01k\x02WAIT\x01true\x02", 7))
    write("fuzz_remoting_message", "props",
          b"A\x01B\x02\x02C\x01\x02\x01D\x02E\x01F\x01G")
    write("fuzz_remoting_message", "msgid",
          b"0A00000700002A9F0000000000001234")


if __name__ == "__main__":
    main()
