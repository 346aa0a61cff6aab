/*
 * producer.c - send messages with libferry.
 *   ferry_example_producer NAMESRV TOPIC [COUNT]
 * e.g. ferry_example_producer 127.0.0.1:9876 demo 10
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ferry/ferry.h>

int main(int argc, char **argv)
{
    ferry_conf conf;
    char err[256], body[64];
    int count = argc > 3 ? atoi(argv[3]) : 10, failed = 0;

    if (argc < 3) {
        fprintf(stderr, "usage: %s NAMESRV TOPIC [COUNT]\n", argv[0]);
        return 2;
    }
    ferry_conf_init(&conf);
    conf.namesrv_addr = argv[1];
    conf.group = "example_producer";
    ferry_producer *p = ferry_producer_new(&conf, err, sizeof err);
    if (!p) {
        fprintf(stderr, "producer: %s\n", err);
        return 1;
    }
    for (int i = 0; i < count; i++) {
        ferry_prop props[] = {{"source", "example"}};
        ferry_msg m = {0};
        ferry_send_result r;
        snprintf(body, sizeof body, "hello %d", i);
        m.topic = argv[2];
        m.tags = "TagA";
        m.keys = "example-key";
        m.body = body;
        m.body_len = strlen(body);
        m.props = props;
        m.prop_count = 1;
        int rc = ferry_producer_send(p, &m, &r);
        if (rc != 0) {
            fprintf(stderr, "send: %s (%s)\n", ferry_strerror(rc),
                    ferry_last_remark());
            failed++;
            continue;
        }
        printf("%s queue %s/%d offset %lld offsetMsgId %s\n", r.msg_id,
               r.queue.broker_name, (int)r.queue.queue_id,
               (long long)r.queue_offset, r.offset_msg_id);
    }
    ferry_producer_free(p);
    return failed ? 1 : 0;
}
