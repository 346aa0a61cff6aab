/*
 * test_tags.c - the tag hash must equal Java's String.hashCode(), which is
 * what RocketMQ clients compute when they filter; expected values were
 * computed from the UTF-16 definition of hashCode.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <string.h>

#include "kafka_int.h"

static int64_t h(const char *s)
{
    return broker_tag_hash((const uint8_t *)s, strlen(s));
}

static void test_ascii_tag_matches_java(void **state)
{
    (void)state;
    assert_int_equal(h("TagA"), 2598919);
    assert_int_equal(h(""), 0);
}

static void test_long_tag_wraps_like_int32(void **state)
{
    (void)state;
    assert_int_equal(h("hello world, this is a long tag that overflows"),
                     1617341111);
}

static void test_non_ascii_uses_utf16_units(void **state)
{
    (void)state;
    assert_int_equal(h("\xe6\xa0\x87\xe7\xad\xbe"), 857175);  /* 标签 */
    assert_int_equal(h("\xf0\x9f\x98\x80"), 1772899);          /* U+1F600 */
}

static void test_invalid_utf8_does_not_crash(void **state)
{
    (void)state;
    const uint8_t bad[] = {0xf0, 0x9f, 0xc3, 0xff, 0x80};
    for (size_t n = 0; n <= sizeof bad; n++)
        (void)broker_tag_hash(bad, n);
    /* a lone continuation byte counts as U+FFFD */
    const uint8_t cont[] = {0x80};
    assert_int_equal(broker_tag_hash(cont, 1), 0xfffd);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ascii_tag_matches_java),
        cmocka_unit_test(test_long_tag_wraps_like_int32),
        cmocka_unit_test(test_non_ascii_uses_utf16_units),
        cmocka_unit_test(test_invalid_utf8_does_not_crash),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
