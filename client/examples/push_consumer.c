/*
 * push_consumer.c - consume with a push consumer until COUNT messages
 * arrived (or 60 s passed).
 *   ferry_example_push_consumer NAMESRV TOPIC GROUP [COUNT] [TAGS]
 */
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include <ferry/ferry.h>

static atomic_int received;

static ferry_consume_status on_messages(ferry_push_consumer *c,
                                        ferry_rmsg *const *msgs, int count,
                                        void *arg)
{
    (void)c;
    (void)arg;
    for (int i = 0; i < count; i++)
        printf("%s %s/%d@%lld tags=%s: %.*s\n", msgs[i]->msg_id,
               msgs[i]->broker_name, (int)msgs[i]->queue_id,
               (long long)msgs[i]->queue_offset, msgs[i]->tags,
               (int)msgs[i]->body_len, (const char *)msgs[i]->body);
    atomic_fetch_add(&received, count);
    return FERRY_CONSUME_SUCCESS;
}

int main(int argc, char **argv)
{
    ferry_conf conf;
    char err[256];
    int want = argc > 4 ? atoi(argv[4]) : 10;

    if (argc < 4) {
        fprintf(stderr, "usage: %s NAMESRV TOPIC GROUP [COUNT] [TAGS]\n",
                argv[0]);
        return 2;
    }
    ferry_conf_init(&conf);
    conf.namesrv_addr = argv[1];
    conf.group = argv[3];
    conf.consume_from = FERRY_CONSUME_FROM_FIRST_OFFSET;
    ferry_push_consumer *c = ferry_push_consumer_new(&conf, err, sizeof err);
    if (!c) {
        fprintf(stderr, "consumer: %s\n", err);
        return 1;
    }
    ferry_push_consumer_subscribe(c, argv[2], argc > 5 ? argv[5] : "*");
    ferry_push_consumer_set_callback(c, on_messages, NULL);
    int rc = ferry_push_consumer_start(c);
    if (rc != 0) {
        fprintf(stderr, "start: %s\n", ferry_strerror(rc));
        ferry_push_consumer_free(c);
        return 1;
    }
    for (int i = 0; i < 600 && atomic_load(&received) < want; i++)
        usleep(100000);
    ferry_push_consumer_free(c); /* commits offsets */
    return atomic_load(&received) >= want ? 0 : 1;
}
