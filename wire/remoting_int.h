/*
 * remoting_int.h - helpers shared by the remoting_*.c files: a compact JSON
 * writer (fastjson-compatible output) and arena string copies.  Private to
 * wire/.
 */
#ifndef FERRY_REMOTING_INT_H
#define FERRY_REMOTING_INT_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "remoting.h"
#include "wire_arena.h"

/* A JSON string literal with quotes; escapes '"', '\\' and controls and
 * replaces malformed UTF-8 bytes with \ufffd (always valid JSON). */
void remoting_json_str(buf_writer *w, const uint8_t *p, size_t n);
static inline void remoting_json_view(buf_writer *w, buf_view v)
{
    remoting_json_str(w, v.ptr, v.len);
}
/* Raw text (punctuation, keys known to need no escaping). */
void remoting_json_raw(buf_writer *w, const char *s);
void remoting_json_i64(buf_writer *w, int64_t v);
/* `"key":` */
void remoting_json_key(buf_writer *w, const char *key);

/* Length of the well-formed UTF-8 sequence at p[0..n) (RFC 3629: no
 * overlongs, no surrogates, <= U+10FFFF), or 0 if it is not one. */
size_t remoting_utf8_len(const uint8_t *p, size_t n);

/*
 * JSON command headers (serialize type 0).  Both take a header that
 * remoting_header_decode has zeroed (serialize_type and language_name set)
 * and answer alike: remoting_json_header_decode is the streaming decoder
 * the codec uses (remoting_jheader.c); remoting_json_header_decode_tree is
 * the jansson tree decoder it replaced, kept only as the reference for the
 * differential test, the fuzz target and the benchmark.
 */
int remoting_json_header_decode(const uint8_t *p, size_t len, wire_arena *a,
                                remoting_header *h);
int remoting_json_header_decode_tree(const uint8_t *p, size_t len,
                                     wire_arena *a, remoting_header *h);

/* Copy n bytes into the arena, NUL-terminated; a view of it (ptr NULL and
 * len 0 when out of memory: check with remoting_arena_failed). */
buf_view remoting_arena_copy(wire_arena *a, const void *p, size_t n,
                             int *failed);

/* Parse exactly n bytes as one JSON value (jansson), refusing before the
 * parse nesting deeper than max_depth (BUF_EINVAL) or more than max_values
 * values (BUF_ELIMIT); 0 and *root (caller json_decref's) or an error. */
typedef struct json_t json_t;
int remoting_json_load(const uint8_t *p, size_t n, int max_depth,
                       size_t max_values, json_t **root);

/*
 * Typed reads from a parsed body (remoting_jdecode.c), for the decoders of
 * remoting_client.c and remoting_admin.c.  Absent or null members give the
 * default; a member of the wrong type, a number outside [lo, hi] (numbers
 * may be JSON integers, reals in range, or decimal strings, as fastjson
 * and the Go client write them) or a full arena sets c->err once (the
 * first error wins) and gives the default.  Strings are arena copies.
 */
typedef struct rjd {
    wire_arena *a;
    int err;
} rjd;
void rjd_fail(rjd *c, int err);
buf_view rjd_str_of(rjd *c, json_t *v, const char *dflt);
buf_view rjd_str(rjd *c, json_t *obj, const char *key, const char *dflt);
int64_t rjd_num_of(rjd *c, json_t *v, int64_t dflt, int64_t lo, int64_t hi);
int64_t rjd_num(rjd *c, json_t *obj, const char *key, int64_t dflt,
                int64_t lo, int64_t hi);
int rjd_bool(rjd *c, json_t *obj, const char *key, int dflt);
/* An object/array member (NULL when absent; wrong type is an error). */
json_t *rjd_typed(rjd *c, json_t *obj, const char *key, int is_array);
/* Zeroed arena memory for n items (NULL for n == 0, or on error). */
void *rjd_calloc(rjd *c, size_t n, size_t sz);
/* An array of strings as arena views (NULL, *n 0 when absent or empty). */
buf_view *rjd_strings(rjd *c, json_t *arr, int32_t *n);

#endif /* FERRY_REMOTING_INT_H */
