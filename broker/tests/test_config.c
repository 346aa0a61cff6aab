/*
 * test_config.c - the configuration table: defaults are valid, RocketMQ and
 * Kafka spellings both work, unknown keys and ill-typed values are refused
 * with a message naming the key, files and command lines combine with the
 * command line winning.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "rmq_tls.h"
#include "tls.h"

static void test_defaults_are_the_documented_ones(void **state)
{
    (void)state;
    broker_config c;
    config_defaults(&c);
    assert_string_equal(c.store_dir, "./data");
    assert_string_equal(c.listeners, "PLAINTEXT://0.0.0.0:9092");
    assert_int_equal(c.flush_disk_type, BROKER_FLUSH_ASYNC);
    assert_int_equal(c.file_reserved_hours, 72);
    assert_int_equal(c.num_partitions, 1);
    assert_int_equal(c.auto_create_topics, 1);
    config_release(&c);
}

static void test_unknown_key_is_refused_by_name(void **state)
{
    (void)state;
    broker_config c;
    char err[256];
    config_defaults(&c);
    assert_int_equal(config_set(&c, "flushDiskTyp", "SYNC_FLUSH", err,
                                sizeof err),
                     -1);
    assert_non_null(strstr(err, "flushDiskTyp"));
    config_release(&c);
}

static void test_ill_typed_values_are_refused(void **state)
{
    (void)state;
    broker_config c;
    char err[256];
    config_defaults(&c);
    assert_int_equal(config_set(&c, "num.partitions", "four", err, sizeof err),
                     -1);
    assert_non_null(strstr(err, "num.partitions"));
    assert_int_equal(config_set(&c, "num.partitions", "0", err, sizeof err),
                     -1);
    assert_non_null(strstr(err, "out of range"));
    assert_int_equal(config_set(&c, "flushDiskType", "SOMETIMES", err,
                                sizeof err),
                     -1);
    assert_int_equal(config_set(&c, "auto.create.topics.enable", "maybe",
                                err, sizeof err),
                     -1);
    config_release(&c);
}

static void test_aliases_set_the_same_value(void **state)
{
    (void)state;
    broker_config c;
    char err[256];
    config_defaults(&c);
    assert_int_equal(config_set(&c, "defaultTopicQueueNums", "8", err,
                                sizeof err),
                     0);
    assert_int_equal(c.num_partitions, 8);
    assert_int_equal(config_set(&c, "log.dirs", "/tmp/x", err, sizeof err),
                     0);
    assert_string_equal(c.store_dir, "/tmp/x");
    config_release(&c);
}

static void test_file_then_command_line_overrides(void **state)
{
    (void)state;
    char path[] = "/tmp/ferry-cfg-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    const char *text = "# comment\nnum.partitions = 3\n"
                       "flushDiskType=SYNC_FLUSH\n! other comment\n"
                       "brokerName: b1\n";
    assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
    close(fd);
    broker_config c;
    char err[256];
    int help;
    config_defaults(&c);
    char *argv[] = {"ferry-broker", "--num.partitions=5", "-c", path,
                    "--standalone", NULL};
    assert_int_equal(config_parse_args(&c, 5, argv, &help, err, sizeof err),
                     0);
    assert_int_equal(c.num_partitions, 5);
    assert_int_equal(c.flush_disk_type, BROKER_FLUSH_SYNC);
    assert_string_equal(c.broker_name, "b1");
    assert_int_equal(c.standalone, 1);
    assert_int_equal(help, 0);
    config_release(&c);
    unlink(path);
}

static void test_bad_file_line_names_file_and_line(void **state)
{
    (void)state;
    char path[] = "/tmp/ferry-cfg-XXXXXX";
    int fd = mkstemp(path);
    const char *text = "num.partitions=2\nno.such.key=1\n";
    assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
    close(fd);
    broker_config c;
    char err[512];
    config_defaults(&c);
    assert_int_equal(config_load_file(&c, path, err, sizeof err), -1);
    assert_non_null(strstr(err, ":2:"));
    assert_non_null(strstr(err, "no.such.key"));
    config_release(&c);
    unlink(path);
}

static void test_dynamic_keys_and_text(void **state)
{
    (void)state;
    broker_config cfg;
    config_defaults(&cfg);
    /* names and aliases resolve to the table name */
    assert_string_equal(config_canonical("log.retention.hours"),
                        "fileReservedTime");
    assert_string_equal(config_canonical("num.partitions"), "num.partitions");
    assert_null(config_canonical("no.such.key"));
    /* dynamic by name or alias; static keys and unknown ones are not */
    assert_true(config_is_dynamic("logLevel"));
    assert_true(config_is_dynamic("log.retention.hours"));
    assert_true(config_is_dynamic("autoCreateTopicEnable"));
    assert_false(config_is_dynamic("listeners"));
    assert_false(config_is_dynamic("storePathRootDir"));
    assert_false(config_is_dynamic("no.such.key"));
    /* current values as text, passwords hidden */
    char text[64], err[256];
    assert_int_equal(config_get_text(&cfg, "log.retention.hours", text,
                                     sizeof text), 0);
    assert_string_equal(text, "72");
    assert_int_equal(config_set(&cfg, "ssl.key.password", "s3cret", err,
                                sizeof err), 0);
    assert_int_equal(config_get_text(&cfg, "ssl.key.password", text,
                                     sizeof text), 0);
    assert_string_equal(text, "(hidden)");
    assert_int_equal(config_get_text(&cfg, "nope", text, sizeof text), -1);
    config_release(&cfg);
}

static void test_listener_parsing(void **state)
{
    (void)state;
    char host[64];
    int port;
    assert_int_equal(config_parse_listener("PLAINTEXT://127.0.0.1:9092", host,
                                           sizeof host, &port),
                     0);
    assert_string_equal(host, "127.0.0.1");
    assert_int_equal(port, 9092);
    assert_int_equal(config_parse_listener("PLAINTEXT://[::1]:0,SSL://x:1",
                                           host, sizeof host, &port),
                     0);
    assert_string_equal(host, "::1");
    assert_int_equal(port, 0);
    assert_int_equal(config_parse_listener("PLAINTEXT://h:99999", host,
                                           sizeof host, &port),
                     -1);
    assert_int_equal(config_parse_listener("nocolon", host, sizeof host,
                                           &port),
                     -1);
}

/* tls.server.mode: by certificate when unset, typos and a mode without a
 * certificate refused; passwords hidden whatever their case. */
static void cb_find_password(void *arg, const char *name, const char *value,
                             int is_default, int type, const char *doc)
{
    (void)is_default;
    (void)type;
    (void)doc;
    if (strcmp(name, "tls.client.keyPassword") == 0)
        snprintf(arg, 64, "%s", value);
}

static void test_rmq_tls_modes(void **state)
{
    (void)state;
    broker_config c;
    char err[256];
    config_defaults(&c);
    assert_int_equal(rmq_tls_init(&c, err, sizeof err), 0);
    assert_int_equal(rmq_tls_mode(), TLS_MODE_DISABLED);
    assert_null(rmq_tls_server_ctx());
    assert_null(rmq_tls_client_ctx());
    assert_int_equal(config_set(&c, "tlsMode", "enforcing", err, sizeof err),
                     0);
    assert_string_equal(c.tls_mode, "enforcing");
    assert_int_equal(rmq_tls_init(&c, err, sizeof err), -1);
    assert_non_null(strstr(err, "ssl.certificate.location"));
    assert_int_equal(config_set(&c, "tls.server.mode", "enforce", err,
                                sizeof err),
                     0);
    assert_int_equal(rmq_tls_init(&c, err, sizeof err), -1);
    assert_non_null(strstr(err, "tls.server.mode"));
    assert_int_equal(config_set(&c, "tls.server.mode", "disabled", err,
                                sizeof err),
                     0);
    assert_int_equal(config_set(&c, "tls.enable", "yes", err, sizeof err),
                     0);
    assert_int_equal(c.tls_enable, 1);
    assert_int_equal(config_set(&c, "tls.client.keyPassword", "s3cret", err,
                                sizeof err),
                     0);
    char shown[64] = "";
    config_foreach(&c, cb_find_password, shown);
    assert_string_equal(shown, "(hidden)");
    rmq_tls_shutdown();
    config_release(&c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_defaults_are_the_documented_ones),
        cmocka_unit_test(test_unknown_key_is_refused_by_name),
        cmocka_unit_test(test_ill_typed_values_are_refused),
        cmocka_unit_test(test_aliases_set_the_same_value),
        cmocka_unit_test(test_file_then_command_line_overrides),
        cmocka_unit_test(test_bad_file_line_names_file_and_line),
        cmocka_unit_test(test_listener_parsing),
        cmocka_unit_test(test_dynamic_keys_and_text),
        cmocka_unit_test(test_rmq_tls_modes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
