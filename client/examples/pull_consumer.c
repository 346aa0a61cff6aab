/*
 * pull_consumer.c - read every queue of a topic from its committed offset
 * (or the start) to the end, then commit.
 *   ferry_example_pull_consumer NAMESRV TOPIC GROUP
 */
#include <stdio.h>
#include <stdlib.h>

#include <ferry/ferry.h>

int main(int argc, char **argv)
{
    ferry_conf conf;
    char err[256];
    ferry_queue *qs;
    int n, rc;

    if (argc < 4) {
        fprintf(stderr, "usage: %s NAMESRV TOPIC GROUP\n", argv[0]);
        return 2;
    }
    ferry_conf_init(&conf);
    conf.namesrv_addr = argv[1];
    conf.group = argv[3];
    ferry_pull_consumer *c = ferry_pull_consumer_new(&conf, err, sizeof err);
    if (!c) {
        fprintf(stderr, "consumer: %s\n", err);
        return 1;
    }
    if ((rc = ferry_pull_consumer_queues(c, argv[2], &qs, &n)) != 0) {
        fprintf(stderr, "queues: %s\n", ferry_strerror(rc));
        ferry_pull_consumer_free(c);
        return 1;
    }
    for (int i = 0; i < n; i++) {
        int64_t off = 0;
        if (ferry_pull_consumer_committed(c, &qs[i], &off) != 0)
            ferry_pull_consumer_min_offset(c, &qs[i], &off);
        for (;;) {
            ferry_pull_result r;
            if ((rc = ferry_pull(c, &qs[i], off, 32, "*", 0, &r)) != 0) {
                fprintf(stderr, "pull: %s\n", ferry_strerror(rc));
                break;
            }
            for (int k = 0; k < r.msgs.count; k++)
                printf("%s/%d@%lld: %.*s\n", qs[i].broker_name,
                       (int)qs[i].queue_id,
                       (long long)r.msgs.msgs[k]->queue_offset,
                       (int)r.msgs.msgs[k]->body_len,
                       (const char *)r.msgs.msgs[k]->body);
            int more = r.status == FERRY_PULL_FOUND ||
                       r.status == FERRY_PULL_NO_MATCHED_MSG;
            if (r.status != FERRY_PULL_NO_NEW_MSG || more)
                off = r.next_begin_offset;
            ferry_pull_result_release(&r);
            if (!more)
                break;
        }
        ferry_pull_consumer_commit(c, &qs[i], off);
    }
    free(qs);
    ferry_pull_consumer_free(c);
    return 0;
}
