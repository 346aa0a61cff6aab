/*
 * txn_producer.c - transactional messages with libferry: each message is
 * stored as a half message, the "local transaction" decides (even bodies
 * commit, odd ones roll back, every third is left UNKNOWN for the broker
 * to check back), and the checker answers check-backs (commit).
 *   ferry_example_txn_producer NAMESRV TOPIC [COUNT]
 * The process waits 15 s at the end so that the broker's check-backs
 * (after transactionTimeOut, every transactionCheckInterval) find it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <ferry/ferry.h>

static ferry_txn_state execute(ferry_producer *p, const ferry_msg *msg,
                               const ferry_send_result *half, void *arg)
{
    int i = *(const int *)arg;
    (void)p;
    (void)msg;
    printf("half %s stored; local transaction %d\n", half->msg_id, i);
    if (i % 3 == 2)
        return FERRY_TXN_UNKNOWN;
    return i % 2 == 0 ? FERRY_TXN_COMMIT : FERRY_TXN_ROLLBACK;
}

/* On the producer's check thread: look the transaction up (here: commit). */
static ferry_txn_state check(ferry_producer *p, const ferry_rmsg *half,
                             void *arg)
{
    (void)p;
    (void)arg;
    printf("check-back for %s (%.*s): commit\n", half->msg_id,
           (int)half->body_len, (const char *)half->body);
    return FERRY_TXN_COMMIT;
}

int main(int argc, char **argv)
{
    ferry_conf conf;
    char err[256], body[64];
    int count = argc > 3 ? atoi(argv[3]) : 6, failed = 0;

    if (argc < 3) {
        fprintf(stderr, "usage: %s NAMESRV TOPIC [COUNT]\n", argv[0]);
        return 2;
    }
    ferry_conf_init(&conf);
    conf.namesrv_addr = argv[1];
    conf.group = "example_txn_producer"; /* check-backs go to this group */
    ferry_producer *p = ferry_producer_new(&conf, err, sizeof err);
    if (!p || ferry_producer_set_txn_checker(p, check, NULL) != 0) {
        fprintf(stderr, "producer: %s\n", err);
        return 1;
    }
    for (int i = 0; i < count; i++) {
        ferry_msg m = {0};
        ferry_send_result r;
        ferry_txn_state st;
        snprintf(body, sizeof body, "order %d", i);
        m.topic = argv[2];
        m.keys = body;
        m.body = body;
        m.body_len = strlen(body);
        int rc = ferry_producer_send_txn(p, &m, execute, &i, &r, &st);
        if (rc != 0) {
            fprintf(stderr, "send: %s (%s)\n", ferry_strerror(rc),
                    ferry_last_remark());
            failed++;
            continue;
        }
        printf("%s ended %s\n", r.msg_id,
               st == FERRY_TXN_COMMIT     ? "COMMIT"
               : st == FERRY_TXN_ROLLBACK ? "ROLLBACK"
                                          : "UNKNOWN");
    }
    sleep(15);
    ferry_producer_free(p);
    return failed ? 1 : 0;
}
