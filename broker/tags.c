/*
 * tags.c - the RocketMQ tag hash ("tagsCode") stored in ConsumeQueue
 * entries: Java's String.hashCode() of the tag, computed over UTF-16 code
 * units (s[0]*31^(n-1) + ... + s[n-1], int32 wrapping), sign-extended to
 * int64; 0 for no tag.  RocketMQ clients filter with the same function, so
 * it must match Java exactly, including for non-ASCII tags: UTF-8 input is
 * decoded to code points and supplementary ones are split into surrogate
 * pairs.  Invalid UTF-8 bytes count as U+FFFD, as Java's decoder does.
 */
#include <stddef.h>
#include <stdint.h>

#include "kafka_int.h"

int64_t broker_tag_hash(const uint8_t *s, size_t len)
{
    uint32_t h = 0;
    size_t i = 0;
    while (i < len) {
        uint32_t cp;
        uint8_t c = s[i];
        size_t n;
        if (c < 0x80) {
            cp = c;
            n = 1;
        } else if ((c & 0xe0) == 0xc0) {
            cp = c & 0x1f;
            n = 2;
        } else if ((c & 0xf0) == 0xe0) {
            cp = c & 0x0f;
            n = 3;
        } else if ((c & 0xf8) == 0xf0) {
            cp = c & 0x07;
            n = 4;
        } else {
            cp = 0xfffd;
            n = 1;
        }
        if (n > 1) {
            if (i + n > len) {
                cp = 0xfffd;
                n = 1;
            } else {
                for (size_t k = 1; k < n; k++) {
                    if ((s[i + k] & 0xc0) != 0x80) {
                        cp = 0xfffd;
                        n = 1;
                        break;
                    }
                    cp = (cp << 6) | (s[i + k] & 0x3f);
                }
            }
        }
        i += n;
        if (cp >= 0x10000 && cp <= 0x10ffff) {
            cp -= 0x10000;
            h = h * 31 + (0xd800 + (cp >> 10));
            h = h * 31 + (0xdc00 + (cp & 0x3ff));
        } else {
            h = h * 31 + (cp > 0x10ffff ? 0xfffd : cp);
        }
    }
    return (int64_t)(int32_t)h;
}
