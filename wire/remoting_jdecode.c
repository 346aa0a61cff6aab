/*
 * remoting_jdecode.c - the reading side of the remoting JSON bodies that
 * the client-side and admin decoders share: typed member access on a
 * jansson tree with Java's defaults, every string copied into the
 * caller's arena, the first error remembered (see remoting_int.h).
 * Pure; thread-safe.
 */
#include <jansson.h>
#include <stdint.h>
#include <string.h>

#include "remoting.h"
#include "remoting_int.h"

void rjd_fail(rjd *c, int err)
{
    if (!c->err)
        c->err = err;
}

buf_view rjd_str_of(rjd *c, json_t *v, const char *dflt)
{
    buf_view out = {NULL, 0, 1};
    int failed = 0;

    if (!v || json_is_null(v)) {
        if (dflt)
            out = remoting_arena_copy(c->a, dflt, strlen(dflt), &failed);
    } else if (json_is_string(v)) {
        out = remoting_arena_copy(c->a, json_string_value(v),
                                  json_string_length(v), &failed);
    } else {
        rjd_fail(c, BUF_EINVAL);
    }
    if (failed)
        rjd_fail(c, BUF_ENOMEM);
    return out;
}

buf_view rjd_str(rjd *c, json_t *obj, const char *key, const char *dflt)
{
    return rjd_str_of(c, json_object_get(obj, key), dflt);
}

int64_t rjd_num_of(rjd *c, json_t *v, int64_t dflt, int64_t lo, int64_t hi)
{
    int64_t x = dflt;

    if (!v || json_is_null(v))
        return dflt;
    if (json_is_integer(v)) {
        x = json_integer_value(v);
    } else if (json_is_real(v)) {
        double d = json_real_value(v);
        if (!(d >= -9.2e18 && d <= 9.2e18)) {
            rjd_fail(c, BUF_EINVAL);
            return dflt;
        }
        x = (int64_t)d;
    } else if (json_is_string(v)) {
        buf_view s = {(const uint8_t *)json_string_value(v),
                      json_string_length(v), 0};
        if (remoting_parse_i64(s, &x) != 0) {
            rjd_fail(c, BUF_EINVAL);
            return dflt;
        }
    } else {
        rjd_fail(c, BUF_EINVAL);
        return dflt;
    }
    if (x < lo || x > hi) {
        rjd_fail(c, BUF_EINVAL);
        return dflt;
    }
    return x;
}

int64_t rjd_num(rjd *c, json_t *obj, const char *key, int64_t dflt,
                int64_t lo, int64_t hi)
{
    return rjd_num_of(c, json_object_get(obj, key), dflt, lo, hi);
}

int rjd_bool(rjd *c, json_t *obj, const char *key, int dflt)
{
    json_t *v = json_object_get(obj, key);
    if (!v || json_is_null(v))
        return dflt;
    if (json_is_boolean(v))
        return json_is_true(v);
    rjd_fail(c, BUF_EINVAL);
    return dflt;
}

json_t *rjd_typed(rjd *c, json_t *obj, const char *key, int is_array)
{
    json_t *v = json_object_get(obj, key);
    if (!v || json_is_null(v))
        return NULL;
    if (is_array ? !json_is_array(v) : !json_is_object(v)) {
        rjd_fail(c, BUF_EINVAL);
        return NULL;
    }
    return v;
}

void *rjd_calloc(rjd *c, size_t n, size_t sz)
{
    void *p;
    if (n == 0 || n > INT32_MAX)
        return NULL;
    p = wire_arena_calloc(c->a, n, sz);
    if (!p)
        rjd_fail(c, BUF_ENOMEM);
    return p;
}

buf_view *rjd_strings(rjd *c, json_t *arr, int32_t *n)
{
    buf_view *out;
    json_t *v;
    size_t i;

    *n = 0;
    if (!arr || json_array_size(arr) == 0)
        return NULL;
    out = rjd_calloc(c, json_array_size(arr), sizeof(*out));
    if (!out)
        return NULL;
    json_array_foreach(arr, i, v)
    {
        if (!json_is_string(v)) {
            rjd_fail(c, BUF_EINVAL);
            return NULL;
        }
        out[i] = rjd_str_of(c, v, NULL);
    }
    *n = (int32_t)json_array_size(arr);
    return out;
}
