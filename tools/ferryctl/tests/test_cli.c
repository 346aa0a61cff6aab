/*
 * test_cli.c - ferryctl's pure parts: option parsing (long, short, =,
 * flags, errors), times (ISO-8601 with zones, epoch ms, garbage), numbers,
 * and table formatting (widths, right-aligned numbers, "-" for NULL).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static const cli_opt opts[] = {
    {"topic", 't', 1, ""},
    {"execute", 0, 0, ""},
    {"to-offset", 0, 1, ""},
    {"json", 0, 0, ""},
};

static void test_parse_long_short_and_positionals(void **state)
{
    char *argv[] = {"g1",        "--topic", "T",
                    "--execute", "-tT2",    "--to-offset=5",
                    "-5",        "--",      "--json"};
    cli_args a;
    char err[128];
    (void)state;
    assert_int_equal(cli_parse(9, argv, opts, 4, &a, err, sizeof err), 0);
    assert_string_equal(a.value[0], "T2"); /* last one wins */
    assert_int_equal(a.count[0], 2);       /* and both are kept */
    assert_string_equal(a.all[0][0], "T");
    assert_string_equal(a.value[1], "");
    assert_string_equal(a.value[2], "5");
    assert_null(a.value[3]);
    assert_int_equal(a.npos, 3);
    assert_string_equal(a.pos[0], "g1");
    assert_string_equal(a.pos[1], "-5");     /* a negative number */
    assert_string_equal(a.pos[2], "--json"); /* after -- */
}

static void test_parse_errors_name_the_option(void **state)
{
    cli_args a;
    char err[128];
    char *unknown[] = {"--nope"};
    char *missing[] = {"--topic"};
    char *flagval[] = {"--execute=yes"};
    char *shortun[] = {"-x"};
    (void)state;
    assert_int_equal(cli_parse(1, unknown, opts, 4, &a, err, sizeof err), -1);
    assert_non_null(strstr(err, "--nope"));
    assert_int_equal(cli_parse(1, missing, opts, 4, &a, err, sizeof err), -1);
    assert_non_null(strstr(err, "needs a value"));
    assert_int_equal(cli_parse(1, flagval, opts, 4, &a, err, sizeof err), -1);
    assert_non_null(strstr(err, "takes no value"));
    assert_int_equal(cli_parse(1, shortun, opts, 4, &a, err, sizeof err), -1);
}

static void test_parse_time(void **state)
{
    int64_t t;
    (void)state;
    assert_int_equal(cli_parse_time("2023-11-14T22:13:20Z", 0, &t), 0);
    assert_int_equal(t, 1700000000000);
    assert_int_equal(cli_parse_time("2023-11-14T22:13:20.123", 0, &t), 0);
    assert_int_equal(t, 1700000000123);
    assert_int_equal(cli_parse_time("2023-11-15T00:13:20+02:00", 0, &t), 0);
    assert_int_equal(t, 1700000000000);
    assert_int_equal(cli_parse_time("2023-11-14", 0, &t), 0);
    assert_int_equal(t, 1699920000000);
    assert_int_equal(cli_parse_time("1700000000000", 0, &t), 0);
    assert_int_equal(t, 1700000000000);
    assert_int_equal(cli_parse_time("now", 42, &t), 0);
    assert_int_equal(t, 42);
    assert_int_equal(cli_parse_time("2023-13-01", 0, &t), -1);
    assert_int_equal(cli_parse_time("2023-11-14T25:00", 0, &t), -1);
    assert_int_equal(cli_parse_time("yesterday", 0, &t), -1);
    assert_int_equal(cli_parse_time("2023-11-14T22:13:20Zjunk", 0, &t), -1);
    assert_int_equal(cli_parse_time("", 0, &t), -1);
    char buf[40];
    cli_format_time(1700000000123, buf, sizeof buf);
    assert_string_equal(buf, "2023-11-14T22:13:20.123Z");
    cli_format_time(0, buf, sizeof buf);
    assert_string_equal(buf, "-");
}

static void test_parse_i64(void **state)
{
    int64_t v;
    (void)state;
    assert_int_equal(cli_parse_i64("12", 0, 100, &v), 0);
    assert_int_equal(v, 12);
    assert_int_equal(cli_parse_i64("101", 0, 100, &v), -1);
    assert_int_equal(cli_parse_i64("1x", 0, 100, &v), -1);
    assert_int_equal(cli_parse_i64(" 1", 0, 100, &v), -1);
    assert_int_equal(cli_parse_i64("99999999999999999999", 0, INT64_MAX, &v),
                     -1);
}

static void test_table_aligns_columns(void **state)
{
    static const char *const h[] = {"TOPIC", "QUEUE", "LAG"};
    cli_table t;
    char *buf = NULL;
    size_t len = 0;
    (void)state;
    assert_int_equal(cli_table_init(&t, 3, h), 0);
    const char *r1[] = {"orders", "0", "12345"};
    const char *r2[] = {"x", "10", NULL};
    assert_int_equal(cli_table_add(&t, r1), 0);
    assert_int_equal(cli_table_add(&t, r2), 0);
    for (int i = 0; i < 40; i++) /* grows past the first allocation */
        assert_int_equal(cli_table_addf(&t, "t%d\t%d\t%d", i, i, i * 2), 0);
    FILE *f = open_memstream(&buf, &len);
    cli_table_print(&t, f);
    fclose(f);
    const char *want = "TOPIC   QUEUE  LAG\n"
                       "orders      0  12345\n"
                       "x          10  -\n";
    assert_true(len > strlen(want));
    assert_memory_equal(buf, want, strlen(want));
    assert_non_null(strstr(buf, "t39        39     78\n"));
    free(buf);
    cli_table_release(&t);
}

static void test_is_text(void **state)
{
    (void)state;
    assert_true(cli_is_text("hello\n", 6));
    assert_true(cli_is_text("h\xc3\xa9", 3));
    assert_false(cli_is_text("a\0b", 3));
    assert_false(cli_is_text("\xff", 1));
    assert_false(cli_is_text("\xc3", 1));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_long_short_and_positionals),
        cmocka_unit_test(test_parse_errors_name_the_option),
        cmocka_unit_test(test_parse_time),
        cmocka_unit_test(test_parse_i64),
        cmocka_unit_test(test_table_aligns_columns),
        cmocka_unit_test(test_is_text),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
