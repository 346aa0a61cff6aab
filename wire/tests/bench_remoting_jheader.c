/*
 * bench_remoting_jheader.c - micro-benchmark (not a ctest test): decodes a
 * JSON remoting header N times (default: the captured Java SEND_MESSAGE_V2
 * header of wire/testdata, 1,000,000 times) with the jansson tree decoder
 * and with the streaming decoder, resetting the arena after each decode as
 * a connection does after each reply, and prints ns per header.
 *
 *   wire_bench_jheader [iterations] [header-or-frame-file] [tree|stream]
 *
 * (the last argument runs only one decoder, for a profiler)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "remoting.h"
#include "remoting_int.h"

#ifndef WIRE_TESTDATA_DIR
#define WIRE_TESTDATA_DIR "wire/testdata"
#endif

typedef int (*decode_fn)(const uint8_t *, size_t, wire_arena *,
                         remoting_header *);

static double now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static double run(decode_fn fn, const uint8_t *p, size_t n, long iters)
{
    wire_arena a;
    remoting_header h;
    double t0, best = 0;
    volatile int32_t sink = 0;

    wire_arena_init(&a, 0, 0);
    for (int round = 0; round < 3; round++) { /* best of three */
        t0 = now_ns();
        for (long i = 0; i < iters; i++) {
            memset(&h, 0, sizeof(h));
            h.serialize_type = REMOTING_SERIALIZE_JSON;
            h.language_name.is_null = 1;
            if (fn(p, n, &a, &h) != 0) {
                fprintf(stderr, "decode failed\n");
                exit(1);
            }
            sink += h.ext_count;
            wire_arena_reset(&a);
        }
        t0 = (now_ns() - t0) / (double)iters;
        if (round == 0 || t0 < best)
            best = t0;
    }
    wire_arena_release(&a);
    (void)sink;
    return best;
}

int main(int argc, char **argv)
{
    long iters = argc > 1 ? atol(argv[1]) : 1000000;
    const char *path =
        argc > 2 ? argv[2] : WIRE_TESTDATA_DIR "/rmq_java_send_v2_json.bin";
    static uint8_t buf[1 << 20];
    const uint8_t *p = buf;
    size_t n;
    FILE *f = fopen(path, "rb");
    double tree, stream;
    const char *only;

    if (!f || iters <= 0) {
        fprintf(stderr, "usage: %s [iterations] [file]\n", argv[0]);
        return 2;
    }
    n = fread(buf, 1, sizeof(buf), f);
    fclose(f);
    if (n >= 8 && buf[0] != '{') { /* a frame: take its header */
        size_t hl = buf_get_u32be(buf + 4) & 0xffffffu;
        if (hl > n - 8)
            return 2;
        p = buf + 8;
        n = hl;
    }
    only = argc > 3 ? argv[3] : "";
    tree = strcmp(only, "stream") ? run(remoting_json_header_decode_tree, p, n,
                                        iters)
                                  : 0;
    stream = strcmp(only, "tree") ? run(remoting_json_header_decode, p, n, iters)
                                  : 0;
    printf("header %zu bytes, %ld iterations (best of 3)\n", n, iters);
    printf("jansson tree: %8.1f ns/header\n", tree);
    printf("streaming:    %8.1f ns/header  (%.1fx)\n", stream, tree / stream);
    return 0;
}
