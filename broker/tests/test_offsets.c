/*
 * test_offsets.c - the shared offset store: commits survive a reopen, the
 * newest commit wins, deletes survive a reopen, and a torn or damaged tail
 * of the log loses only the records after the damage.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "offsets.h"

static char dir[64];

static int setup(void **state)
{
    (void)state;
    snprintf(dir, sizeof dir, "/tmp/ferry-offsets-XXXXXX");
    return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    return system(cmd) == 0 ? 0 : -1;
}

static offset_store *open_store(void)
{
    char err[256];
    offset_store *os = offsets_open(dir, 1, err, sizeof err);
    assert_non_null(os);
    return os;
}

static int64_t get(offset_store *os, const char *g, const char *t, int q)
{
    const offset_entry *e = offsets_get(os, g, strlen(g), t, strlen(t), q);
    return e ? e->offset : -1;
}

static void commit(offset_store *os, const char *g, const char *t, int q,
                   int64_t off, const char *meta)
{
    assert_int_equal(offsets_commit(os, g, strlen(g), t, strlen(t), q, off,
                                    -1, meta, strlen(meta), 1000),
                     0);
}

static void test_commits_survive_reopen_and_newest_wins(void **state)
{
    (void)state;
    offset_store *os = open_store();
    commit(os, "g1", "t", 0, 5, "m1");
    commit(os, "g1", "t", 0, 9, "m2");
    commit(os, "g1", "t", 1, 3, "");
    commit(os, "g2", "t", 0, 7, "");
    assert_int_equal(offsets_sync(os), 0);
    offsets_close(os);
    os = open_store();
    assert_int_equal(get(os, "g1", "t", 0), 9);
    assert_string_equal(
        offsets_get(os, "g1", 2, "t", 1, 0)->metadata, "m2");
    assert_int_equal(get(os, "g1", "t", 1), 3);
    assert_int_equal(get(os, "g2", "t", 0), 7);
    assert_int_equal(get(os, "g3", "t", 0), -1);
    offsets_close(os);
}

static void test_deletes_survive_reopen(void **state)
{
    (void)state;
    offset_store *os = open_store();
    commit(os, "ga", "t1", 0, 1, "");
    commit(os, "gb", "t1", 0, 2, "");
    commit(os, "gb", "t2", 0, 3, "");
    offsets_sync(os);
    assert_int_equal(offsets_delete_group(os, "ga", 2), 1);
    assert_int_equal(offsets_delete_topic(os, "t1", 2), 1);
    offsets_close(os);
    os = open_store();
    assert_false(offsets_group_exists(os, "ga", 2));
    assert_int_equal(get(os, "gb", "t1", 0), -1);
    assert_int_equal(get(os, "gb", "t2", 0), 3);
    offsets_close(os);
}

static void test_damaged_tail_keeps_earlier_commits(void **state)
{
    (void)state;
    offset_store *os = open_store();
    commit(os, "g", "t", 0, 100, "");
    offsets_sync(os);
    commit(os, "g", "t", 1, 200, "");
    offsets_sync(os);
    offsets_close(os);
    char path[128];
    snprintf(path, sizeof path, "%s/config/offsets.log", dir);
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    /* flip the last byte: the second record fails its CRC */
    int fd = open(path, O_RDWR);
    assert_true(fd >= 0);
    unsigned char c;
    assert_int_equal(pread(fd, &c, 1, st.st_size - 1), 1);
    c ^= 0xff;
    assert_int_equal(pwrite(fd, &c, 1, st.st_size - 1), 1);
    close(fd);
    os = open_store();
    assert_int_equal(get(os, "g", "t", 0), 100);
    assert_int_equal(get(os, "g", "t", 1), -1);
    offsets_close(os);
    /* truncated in the middle of a record: same */
    os = open_store();
    commit(os, "g", "t", 2, 300, "meta");
    offsets_sync(os);
    offsets_close(os);
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(truncate(path, st.st_size - 3), 0);
    os = open_store();
    assert_int_equal(get(os, "g", "t", 0), 100);
    assert_int_equal(get(os, "g", "t", 2), -1);
    offsets_close(os);
}

static void test_rejects_bad_names(void **state)
{
    (void)state;
    offset_store *os = open_store();
    assert_int_equal(offsets_commit(os, "", 0, "t", 1, 0, 1, -1, "", 0, 0),
                     -1);
    assert_int_equal(
        offsets_commit(os, "a\0b", 3, "t", 1, 0, 1, -1, "", 0, 0), -1);
    offsets_close(os);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(
            test_commits_survive_reopen_and_newest_wins, setup, teardown),
        cmocka_unit_test_setup_teardown(test_deletes_survive_reopen, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(
            test_damaged_tail_keeps_earlier_commits, setup, teardown),
        cmocka_unit_test_setup_teardown(test_rejects_bad_names, setup,
                                        teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
