/*
 * testkit.c - helpers shared by the libferry tests (see testkit.h).
 */
#include "testkit.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

const char *testkit_namesrv;

int64_t testkit_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void testkit_conf(ferry_conf *c, const char *group)
{
    ferry_conf_init(c);
    c->namesrv_addr = testkit_namesrv;
    c->group = group;
}

ferry_admin *testkit_admin_new(void)
{
    ferry_conf c;
    char err[256];
    testkit_conf(&c, "admin");
    ferry_admin *a = ferry_admin_new(&c, err, sizeof err);
    assert_non_null(a);
    return a;
}

void testkit_create_topic(const char *topic, int queues)
{
    ferry_admin *a = testkit_admin_new();
    int rc = ferry_admin_create_topic(a, NULL, NULL, topic, queues, queues);
    if (rc)
        fprintf(stderr, "create %s: %s %s\n", topic, ferry_strerror(rc),
                ferry_last_remark());
    assert_int_equal(rc, 0);
    /* the route shows up once the broker re-registered (immediate in
     * standalone mode, but do not count on it) */
    ferry_route *r = NULL;
    for (int i = 0; i < 50; i++) {
        if (ferry_admin_route(a, topic, &r) == 0 && r->queue_count > 0 &&
            r->queues[0].write_queues == queues)
            break;
        ferry_route_free(r);
        r = NULL;
        usleep(100000);
    }
    assert_non_null(r);
    ferry_route_free(r);
    ferry_admin_free(a);
}

ferry_msg testkit_text_msg(const char *topic, const char *tags,
                           const char *keys, const char *body)
{
    ferry_msg m;
    memset(&m, 0, sizeof m);
    m.topic = topic;
    m.tags = tags;
    m.keys = keys;
    m.body = body;
    m.body_len = strlen(body);
    return m;
}
