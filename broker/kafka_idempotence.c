/*
 * kafka_idempotence.c - idempotent producers: InitProducerId and the
 * per-partition sequence checks of Produce (ref kafka-protocol.md §5).
 *
 * Producer ids come from config/producer_ids, which holds the first id of
 * the next unallocated block; a block of PID_BLOCK ids is reserved (file
 * rewritten and fsynced) before any id of it is handed out, so ids are
 * never reused across restarts or crashes.
 *
 * State per (queue, producer id): epoch and the last 5 batches (first and
 * last sequence, base offset), as Kafka keeps (NUM_BATCHES_TO_RETAIN = 5).
 * Checks on append, in Kafka's order:
 *   1. same epoch and (first, last) sequence equal to a cached batch: a
 *      retried duplicate - not appended, answered with the original offset;
 *   2. lower epoch: INVALID_PRODUCER_EPOCH;
 *   3. higher epoch (a bump): first sequence must be 0;
 *   4. same epoch: first sequence must follow the last (wrapping at
 *      INT32_MAX), else OUT_OF_ORDER_SEQUENCE_NUMBER;
 *   5. unknown producer id: any sequence is accepted (KIP-360).
 *
 * Restarts: the state is rebuilt at start from the newest batches of every
 * queue (the last IDEMP_SCAN_RECORDS records, read back through the
 * ConsumeQueue); those are the only batches a producer can still be
 * retrying, and a producer older than that is "unknown" (rule 5), so no
 * acknowledged batch can be appended twice after a restart.
 * @locality: event loop thread.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kafka_int.h"
#include "log.h"

#define PID_BLOCK          1000
#define IDEMP_RING         5
#define IDEMP_SCAN_RECORDS 64

typedef struct idemp_batch {
    int32_t first_seq;
    int32_t last_seq;
    int64_t base_offset;
} idemp_batch;

typedef struct idemp_state {
    struct idemp_state *next; /* hash chain */
    const store_queue *q;
    int64_t pid;
    int16_t epoch;
    idemp_batch ring[IDEMP_RING];
    int n, head; /* head = newest */
} idemp_state;

typedef struct idemp {
    idemp_state **buckets;
    size_t nbuckets, count;
    char *pid_path;
    int64_t next_pid, block_end;
} idemp;

static idemp *ID;

static size_t idemp_hash(const store_queue *q, int64_t pid)
{
    uint64_t h = (uint64_t)(uintptr_t)q * 0x9E3779B97F4A7C15ull ^
                 (uint64_t)pid * 0xC2B2AE3D27D4EB4Full;
    return (size_t)(h ^ (h >> 29));
}

static idemp_state *idemp_get(const store_queue *q, int64_t pid, int create)
{
    size_t b = idemp_hash(q, pid) & (ID->nbuckets - 1);
    for (idemp_state *s = ID->buckets[b]; s; s = s->next)
        if (s->q == q && s->pid == pid)
            return s;
    if (!create)
        return NULL;
    idemp_state *s = calloc(1, sizeof *s);
    if (!s)
        return NULL;
    s->q = q;
    s->pid = pid;
    s->next = ID->buckets[b];
    ID->buckets[b] = s;
    ID->count++;
    return s;
}

static void idemp_push(idemp_state *s, int16_t epoch, int32_t first,
                       int32_t last, int64_t base)
{
    if (epoch != s->epoch) {
        s->n = 0; /* a new epoch starts a new sequence space */
        s->epoch = epoch;
    }
    s->head = (s->head + 1) % IDEMP_RING;
    s->ring[s->head].first_seq = first;
    s->ring[s->head].last_seq = last;
    s->ring[s->head].base_offset = base;
    if (s->n < IDEMP_RING)
        s->n++;
}

static int32_t seq_add(int32_t seq, int32_t delta)
{
    int64_t v = (int64_t)seq + delta;
    return (int32_t)(v > INT32_MAX ? v - INT32_MAX - 1 : v);
}

int kafka_idempotence_check(const store_queue *q, int64_t pid, int16_t epoch,
                            int32_t first_seq, int32_t last_offset_delta,
                            int64_t *dup_base_offset)
{
    *dup_base_offset = -1;
    if (pid < 0)
        return 0;
    idemp_state *s = idemp_get(q, pid, 0);
    if (!s || s->n == 0) {
        if (s && epoch < s->epoch)
            return KAFKA_ERR_INVALID_PRODUCER_EPOCH;
        return 0;
    }
    int32_t last_seq = seq_add(first_seq, last_offset_delta);
    if (epoch == s->epoch) {
        for (int i = 0; i < s->n; i++) {
            const idemp_batch *bt =
                &s->ring[(s->head - i + IDEMP_RING) % IDEMP_RING];
            if (bt->first_seq == first_seq && bt->last_seq == last_seq) {
                *dup_base_offset = bt->base_offset;
                return 0;
            }
        }
    }
    if (epoch < s->epoch)
        return KAFKA_ERR_INVALID_PRODUCER_EPOCH;
    if (epoch > s->epoch)
        return first_seq == 0 ? 0 : KAFKA_ERR_OUT_OF_ORDER_SEQUENCE_NUMBER;
    int32_t expect = seq_add(s->ring[s->head].last_seq, 1);
    return first_seq == expect ? 0 : KAFKA_ERR_OUT_OF_ORDER_SEQUENCE_NUMBER;
}

void kafka_idempotence_record(const store_queue *q, int64_t pid,
                              int16_t epoch, int32_t first_seq,
                              int32_t last_offset_delta, int64_t base_offset)
{
    if (pid < 0)
        return;
    idemp_state *s = idemp_get(q, pid, 1);
    if (!s)
        return;
    idemp_push(s, epoch, first_seq, seq_add(first_seq, last_offset_delta),
               base_offset);
}

/* ---- producer id allocation ---- */

static int pid_reserve_block(void)
{
    char tmp[4096], text[64];
    snprintf(tmp, sizeof tmp, "%s.tmp", ID->pid_path);
    int64_t end = ID->next_pid + PID_BLOCK;
    int n = snprintf(text, sizeof text, "%" PRId64 "\n", end);
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0)
        return -1;
    int ok = write(fd, text, (size_t)n) == n && fsync(fd) == 0;
    close(fd);
    if (!ok || rename(tmp, ID->pid_path) != 0)
        return -1;
    ID->block_end = end;
    return 0;
}

static int64_t pid_allocate(void)
{
    if (ID->next_pid >= ID->block_end && pid_reserve_block() != 0) {
        log_error("kafka", NULL, "cannot reserve producer ids in %s: %s",
                  ID->pid_path, strerror(errno));
        return -1;
    }
    return ID->next_pid++;
}

/* ---- rebuild at start ---- */

static void idemp_scan_queue(broker *b, store_queue *q)
{
    int64_t min = store_queue_min_offset(q);
    int64_t off = store_queue_max_offset(q);
    struct {
        int64_t pid, base;
        int16_t epoch;
        int32_t seq, delta;
    } found[IDEMP_SCAN_RECORDS];
    int n = 0;
    while (off > min && n < IDEMP_SCAN_RECORDS) {
        store_cq_entry e;
        if (store_queue_read(q, off - 1, &e, 1) != 1)
            break;
        store_record rec;
        if (store_read_record(b->st, e.commitlog_pos, &rec) != 0)
            break;
        int64_t next = rec.queue_offset;
        if (rec.kind == STORE_KIND_BATCH) {
            kafka_batch_header h;
            if (kafka_batch_header_parse(rec.body, rec.body_len, &h) == 0 &&
                h.producer_id >= 0) {
                found[n].pid = h.producer_id;
                found[n].epoch = h.producer_epoch;
                found[n].seq = h.base_sequence;
                found[n].delta = h.last_offset_delta;
                found[n].base = rec.queue_offset;
                n++;
                if (h.producer_id >= ID->next_pid)
                    ID->next_pid = h.producer_id + 1;
            }
        }
        store_record_release(b->st, &rec);
        if (next >= off)
            next = off - 1;
        off = next;
    }
    for (int i = n - 1; i >= 0; i--) /* oldest first */
        kafka_idempotence_record(q, found[i].pid, found[i].epoch,
                                 found[i].seq, found[i].delta, found[i].base);
}

int kafka_idempotence_init(broker *b, char *err, size_t errlen)
{
    ID = calloc(1, sizeof *ID);
    if (!ID)
        return -1;
    ID->nbuckets = 4096;
    ID->buckets = calloc(ID->nbuckets, sizeof *ID->buckets);
    size_t dl = strlen(b->cfg->store_dir);
    ID->pid_path = malloc(dl + 32);
    if (!ID->buckets || !ID->pid_path) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    snprintf(ID->pid_path, dl + 32, "%s/config/producer_ids",
             b->cfg->store_dir);
    FILE *f = fopen(ID->pid_path, "r");
    if (f) {
        long long v = 0;
        if (fscanf(f, "%lld", &v) == 1 && v > 0)
            ID->next_pid = v;
        fclose(f);
    }
    ID->block_end = ID->next_pid; /* reserve before first use */
    for (int i = 0; i < topics_count(b->topics); i++) {
        topic *t = topics_at(b->topics, i);
        for (int32_t qid = 0; qid < t->queues; qid++) {
            store_queue *q = topics_queue(b->topics, t, qid);
            if (q && store_queue_max_offset(q) > 0)
                idemp_scan_queue(b, q);
        }
    }
    if (ID->next_pid > ID->block_end)
        ID->block_end = ID->next_pid;
    log_info("kafka", NULL,
             "idempotence: %zu producer states rebuilt, next producer id "
             "%" PRId64,
             ID->count, ID->next_pid);
    return 0;
}

void kafka_idempotence_shutdown(void)
{
    if (!ID)
        return;
    for (size_t i = 0; i < ID->nbuckets; i++) {
        idemp_state *s = ID->buckets[i];
        while (s) {
            idemp_state *next = s->next;
            free(s);
            s = next;
        }
    }
    free(ID->buckets);
    free(ID->pid_path);
    free(ID);
    ID = NULL;
}

/* Highest epoch this broker has seen for pid on any queue (-1 if none). */
static int16_t idemp_known_epoch(int64_t pid)
{
    int16_t best = -1;
    for (size_t i = 0; i < ID->nbuckets; i++)
        for (idemp_state *s = ID->buckets[i]; s; s = s->next)
            if (s->pid == pid && s->epoch > best)
                best = s->epoch;
    return best;
}

int kafka_handle_init_producer_id(kreq *r)
{
    const kafka_init_producer_id_req *req = r->req;
    kafka_init_producer_id_resp resp;
    kafka_init_defaults(&kafka_init_producer_id_resp_schema, &resp);
    if (!req->transactional_id.is_null) {
        /* transactions are not implemented yet: say so, don't pretend */
        log_warn("kafka", r->conn->peer,
                 "InitProducerId for transactional.id '%.*s': transactions "
                 "are not supported yet",
                 (int)req->transactional_id.len,
                 (const char *)req->transactional_id.ptr);
        resp.error_code = KAFKA_ERR_TRANSACTIONAL_ID_AUTHORIZATION_FAILED;
    } else if (r->hdr.api_version >= 3 && req->producer_id >= 0) {
        /* KIP-360 epoch bump for a producer we issued */
        if (req->producer_id >= ID->next_pid) {
            resp.error_code = KAFKA_ERR_INVALID_PRODUCER_ID_MAPPING;
        } else {
            int16_t known = idemp_known_epoch(req->producer_id);
            if (known > req->producer_epoch)
                resp.error_code = r->hdr.api_version >= 4
                                      ? KAFKA_ERR_PRODUCER_FENCED
                                      : KAFKA_ERR_INVALID_PRODUCER_EPOCH;
            else if (req->producer_epoch >= INT16_MAX - 1) {
                resp.producer_id = pid_allocate();
                resp.producer_epoch = 0;
            } else {
                resp.producer_id = req->producer_id;
                resp.producer_epoch = (int16_t)(req->producer_epoch + 1);
            }
        }
    } else {
        resp.producer_id = pid_allocate();
        resp.producer_epoch = 0;
        if (resp.producer_id < 0)
            resp.error_code = KAFKA_ERR_COORDINATOR_NOT_AVAILABLE;
    }
    if (resp.error_code)
        resp.producer_id = -1;
    return kreq_respond(r, &kafka_init_producer_id_resp_schema, &resp) == 0
               ? KH_DONE
               : KH_CLOSE;
}
