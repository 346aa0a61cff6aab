/*
 * remoting_headers.c - field tables of the remoting custom headers and the
 * walker that decodes/encodes them (see remoting_headers.h).  Field names
 * are the Java ones; the tables follow the ref (rocketmq-remoting.md §2).
 */
#include "remoting_headers.h"

#include <stdio.h>
#include <string.h>

/* ------------------------------------------------------------------ */
/* walker                                                              */
/* ------------------------------------------------------------------ */

static const char *key_of(const remoting_field *f, int keys)
{
    return keys == REMOTING_HDR_V2 && f->v2_name ? f->v2_name : f->name;
}

/* Java's Boolean.parseBoolean: "true" in any case, anything else false. */
static int java_bool(buf_view v)
{
    static const char t[] = "true";
    if (v.len != 4)
        return 0;
    for (size_t i = 0; i < 4; i++) {
        uint8_t c = v.ptr[i];
        if (c >= 'A' && c <= 'Z')
            c = (uint8_t)(c + 32);
        if (c != (uint8_t)t[i])
            return 0;
    }
    return 1;
}

int remoting_header_fields_decode(const remoting_header *h,
                                  const remoting_header_schema *s, int keys,
                                  void *out, char *errbuf, size_t errlen)
{
    uint8_t *base = out;
    uint32_t present = 0;

    /* every field starts absent: 0, or a null view */
    for (int32_t i = 0; i < s->count; i++) {
        const remoting_field *f = &s->fields[i];
        uint8_t *slot = base + f->offset;
        switch (f->type) {
        case REMOTING_F_STR:
            memset(slot, 0, sizeof(buf_view));
            ((buf_view *)(void *)slot)->is_null = 1;
            break;
        case REMOTING_F_I32:
            memset(slot, 0, sizeof(int32_t));
            break;
        case REMOTING_F_I64:
            memset(slot, 0, sizeof(int64_t));
            break;
        case REMOTING_F_BOOL:
            memset(slot, 0, sizeof(int));
            break;
        }
    }
    for (int32_t i = 0; i < s->count; i++) {
        const remoting_field *f = &s->fields[i];
        uint8_t *slot = base + f->offset;
        buf_view v;
        int rc = 0;

        if (!remoting_ext_find(h, key_of(f, keys), &v)) {
            if (f->required) {
                if (errbuf && errlen)
                    snprintf(errbuf, errlen, "%s.%s missing", s->name, f->name);
                return REMOTING_EMISSING;
            }
            continue;
        }
        switch (f->type) {
        case REMOTING_F_STR:
            memcpy(slot, &v, sizeof(v));
            break;
        case REMOTING_F_I32: {
            int32_t x;
            rc = remoting_parse_i32(v, &x);
            if (!rc)
                memcpy(slot, &x, sizeof(x));
            break;
        }
        case REMOTING_F_I64: {
            int64_t x;
            rc = remoting_parse_i64(v, &x);
            if (!rc)
                memcpy(slot, &x, sizeof(x));
            break;
        }
        case REMOTING_F_BOOL: {
            int x = java_bool(v);
            memcpy(slot, &x, sizeof(x));
            break;
        }
        }
        if (rc) {
            if (errbuf && errlen)
                snprintf(errbuf, errlen, "%s.%s malformed: %.*s", s->name,
                         f->name, (int)(v.len > 40 ? 40 : v.len),
                         (const char *)v.ptr);
            return rc;
        }
        present |= 1u << i;
    }
    memcpy(base, &present, sizeof(present));
    return 0;
}

int remoting_header_fields_encode(remoting_header *h, wire_arena *a,
                                  const remoting_header_schema *s, int keys,
                                  const void *in)
{
    const uint8_t *base = in;
    uint32_t present;

    memcpy(&present, base, sizeof(present));
    for (int32_t i = 0; i < s->count; i++) {
        const remoting_field *f = &s->fields[i];
        const uint8_t *slot = base + f->offset;
        const char *key = key_of(f, keys);
        int rc = 0;

        if (!(present & (1u << i)) && !f->required)
            continue;
        switch (f->type) {
        case REMOTING_F_STR: {
            buf_view v;
            memcpy(&v, slot, sizeof(v));
            rc = remoting_ext_add(h, a, key, v);
            break;
        }
        case REMOTING_F_I32: {
            int32_t x;
            memcpy(&x, slot, sizeof(x));
            rc = remoting_ext_add_i64(h, a, key, x);
            break;
        }
        case REMOTING_F_I64: {
            int64_t x;
            memcpy(&x, slot, sizeof(x));
            rc = remoting_ext_add_i64(h, a, key, x);
            break;
        }
        case REMOTING_F_BOOL: {
            int x;
            memcpy(&x, slot, sizeof(x));
            rc = remoting_ext_add_str(h, a, key, x ? "true" : "false");
            break;
        }
        }
        if (rc)
            return rc;
    }
    return 0;
}

/* ------------------------------------------------------------------ */
/* tables                                                              */
/* ------------------------------------------------------------------ */

#define STR  REMOTING_F_STR
#define I32  REMOTING_F_I32
#define I64  REMOTING_F_I64
#define BOOL REMOTING_F_BOOL
#define REQ  1
#define OPT  0
#define SCHEMA(cname, jname)                                                   \
    const remoting_header_schema cname##_schema = {                            \
        jname, cname##_fields,                                                 \
        (int32_t)(sizeof(cname##_fields) / sizeof(cname##_fields[0]))}

#define F(m) offsetof(remoting_send_request, m)
static const remoting_field remoting_send_request_fields[] = {
    /* name                   v2   type  req  where */
    {"producerGroup", "a", STR, REQ, F(producer_group)},
    {"topic", "b", STR, REQ, F(topic)},
    {"defaultTopic", "c", STR, REQ, F(default_topic)},
    {"defaultTopicQueueNums", "d", I32, REQ, F(default_topic_queue_nums)},
    {"queueId", "e", I32, REQ, F(queue_id)},
    {"sysFlag", "f", I32, REQ, F(sys_flag)},
    {"bornTimestamp", "g", I64, REQ, F(born_timestamp)},
    {"flag", "h", I32, REQ, F(flag)},
    {"properties", "i", STR, OPT, F(properties)},
    {"reconsumeTimes", "j", I32, OPT, F(reconsume_times)},
    {"unitMode", "k", BOOL, OPT, F(unit_mode)},
    {"maxReconsumeTimes", "l", I32, OPT, F(max_reconsume_times)},
    {"batch", "m", BOOL, OPT, F(batch)},
    {"bname", "n", STR, OPT, F(bname)},
};
#undef F
SCHEMA(remoting_send_request, "SendMessageRequestHeader");

#define F(m) offsetof(remoting_send_response, m)
static const remoting_field remoting_send_response_fields[] = {
    {"msgId", NULL, STR, REQ, F(msg_id)},
    {"queueId", NULL, I32, REQ, F(queue_id)},
    {"queueOffset", NULL, I64, REQ, F(queue_offset)},
    {"transactionId", NULL, STR, OPT, F(transaction_id)},
    {"batchUniqId", NULL, STR, OPT, F(batch_uniq_id)},
};
#undef F
SCHEMA(remoting_send_response, "SendMessageResponseHeader");

#define F(m) offsetof(remoting_pull_request, m)
static const remoting_field remoting_pull_request_fields[] = {
    {"consumerGroup", NULL, STR, REQ, F(consumer_group)},
    {"topic", NULL, STR, REQ, F(topic)},
    {"queueId", NULL, I32, REQ, F(queue_id)},
    {"queueOffset", NULL, I64, REQ, F(queue_offset)},
    {"maxMsgNums", NULL, I32, REQ, F(max_msg_nums)},
    {"sysFlag", NULL, I32, REQ, F(sys_flag)},
    {"commitOffset", NULL, I64, REQ, F(commit_offset)},
    {"suspendTimeoutMillis", NULL, I64, REQ, F(suspend_timeout_millis)},
    {"subscription", NULL, STR, OPT, F(subscription)},
    {"subVersion", NULL, I64, REQ, F(sub_version)},
    {"expressionType", NULL, STR, OPT, F(expression_type)},
    {"maxMsgBytes", NULL, I32, OPT, F(max_msg_bytes)},
};
#undef F
SCHEMA(remoting_pull_request, "PullMessageRequestHeader");

#define F(m) offsetof(remoting_pull_response, m)
static const remoting_field remoting_pull_response_fields[] = {
    {"suggestWhichBrokerId", NULL, I64, REQ, F(suggest_which_broker_id)},
    {"nextBeginOffset", NULL, I64, REQ, F(next_begin_offset)},
    {"minOffset", NULL, I64, REQ, F(min_offset)},
    {"maxOffset", NULL, I64, REQ, F(max_offset)},
    {"offsetDelta", NULL, I64, OPT, F(offset_delta)},
    {"topicSysFlag", NULL, I32, OPT, F(topic_sys_flag)},
    {"groupSysFlag", NULL, I32, OPT, F(group_sys_flag)},
    {"forbiddenType", NULL, I32, OPT, F(forbidden_type)},
};
#undef F
SCHEMA(remoting_pull_response, "PullMessageResponseHeader");

#define F(m) offsetof(remoting_query_consumer_offset_request, m)
static const remoting_field remoting_query_consumer_offset_request_fields[] = {
    {"consumerGroup", NULL, STR, REQ, F(consumer_group)},
    {"topic", NULL, STR, REQ, F(topic)},
    {"queueId", NULL, I32, REQ, F(queue_id)},
    {"setZeroIfNotFound", NULL, BOOL, OPT, F(set_zero_if_not_found)},
};
#undef F
SCHEMA(remoting_query_consumer_offset_request,
       "QueryConsumerOffsetRequestHeader");

#define F(m) offsetof(remoting_update_consumer_offset_request, m)
static const remoting_field remoting_update_consumer_offset_request_fields[] = {
    {"consumerGroup", NULL, STR, REQ, F(consumer_group)},
    {"topic", NULL, STR, REQ, F(topic)},
    {"queueId", NULL, I32, REQ, F(queue_id)},
    {"commitOffset", NULL, I64, REQ, F(commit_offset)},
};
#undef F
SCHEMA(remoting_update_consumer_offset_request,
       "UpdateConsumerOffsetRequestHeader");

#define F(m) offsetof(remoting_queue_request, m)
static const remoting_field remoting_queue_request_fields[] = {
    {"topic", NULL, STR, REQ, F(topic)},
    {"queueId", NULL, I32, REQ, F(queue_id)},
    {"committed", NULL, BOOL, OPT, F(committed)},
};
#undef F
SCHEMA(remoting_queue_request, "GetMaxOffsetRequestHeader");

#define F(m) offsetof(remoting_search_offset_request, m)
static const remoting_field remoting_search_offset_request_fields[] = {
    {"topic", NULL, STR, REQ, F(topic)},
    {"queueId", NULL, I32, REQ, F(queue_id)},
    {"timestamp", NULL, I64, REQ, F(timestamp)},
    {"boundaryType", NULL, STR, OPT, F(boundary_type)},
};
#undef F
SCHEMA(remoting_search_offset_request, "SearchOffsetRequestHeader");

#define F(m) offsetof(remoting_offset_response, m)
static const remoting_field remoting_offset_response_fields[] = {
    {"offset", NULL, I64, REQ, F(offset)},
};
#undef F
SCHEMA(remoting_offset_response, "OffsetResponseHeader");

#define F(m) offsetof(remoting_timestamp_response, m)
static const remoting_field remoting_timestamp_response_fields[] = {
    {"timestamp", NULL, I64, REQ, F(timestamp)},
};
#undef F
SCHEMA(remoting_timestamp_response, "GetEarliestMsgStoretimeResponseHeader");

#define F(m) offsetof(remoting_send_back_request, m)
static const remoting_field remoting_send_back_request_fields[] = {
    {"offset", NULL, I64, REQ, F(offset)},
    {"group", NULL, STR, REQ, F(group)},
    {"delayLevel", NULL, I32, REQ, F(delay_level)},
    {"originMsgId", NULL, STR, OPT, F(origin_msg_id)},
    {"originTopic", NULL, STR, OPT, F(origin_topic)},
    {"unitMode", NULL, BOOL, OPT, F(unit_mode)},
    {"maxReconsumeTimes", NULL, I32, OPT, F(max_reconsume_times)},
};
#undef F
SCHEMA(remoting_send_back_request, "ConsumerSendMsgBackRequestHeader");

#define F(m) offsetof(remoting_end_transaction_request, m)
static const remoting_field remoting_end_transaction_request_fields[] = {
    {"producerGroup", NULL, STR, REQ, F(producer_group)},
    {"tranStateTableOffset", NULL, I64, REQ, F(tran_state_table_offset)},
    {"commitLogOffset", NULL, I64, REQ, F(commit_log_offset)},
    {"commitOrRollback", NULL, I32, REQ, F(commit_or_rollback)},
    {"fromTransactionCheck", NULL, BOOL, OPT, F(from_transaction_check)},
    {"msgId", NULL, STR, REQ, F(msg_id)},
    {"transactionId", NULL, STR, OPT, F(transaction_id)},
    {"topic", NULL, STR, OPT, F(topic)},
};
#undef F
SCHEMA(remoting_end_transaction_request, "EndTransactionRequestHeader");

#define F(m) offsetof(remoting_check_transaction_request, m)
static const remoting_field remoting_check_transaction_request_fields[] = {
    {"tranStateTableOffset", NULL, I64, REQ, F(tran_state_table_offset)},
    {"commitLogOffset", NULL, I64, REQ, F(commit_log_offset)},
    {"msgId", NULL, STR, OPT, F(msg_id)},
    {"transactionId", NULL, STR, OPT, F(transaction_id)},
    {"offsetMsgId", NULL, STR, OPT, F(offset_msg_id)},
    {"topic", NULL, STR, OPT, F(topic)},
};
#undef F
SCHEMA(remoting_check_transaction_request,
       "CheckTransactionStateRequestHeader");

#define F(m) offsetof(remoting_consumer_group_request, m)
static const remoting_field remoting_consumer_group_request_fields[] = {
    {"consumerGroup", NULL, STR, REQ, F(consumer_group)},
};
#undef F
SCHEMA(remoting_consumer_group_request, "GetConsumerListByGroupRequestHeader");

#define F(m) offsetof(remoting_unregister_client_request, m)
static const remoting_field remoting_unregister_client_request_fields[] = {
    {"clientID", NULL, STR, REQ, F(client_id)},
    {"producerGroup", NULL, STR, OPT, F(producer_group)},
    {"consumerGroup", NULL, STR, OPT, F(consumer_group)},
};
#undef F
SCHEMA(remoting_unregister_client_request, "UnregisterClientRequestHeader");

#define F(m) offsetof(remoting_view_message_request, m)
static const remoting_field remoting_view_message_request_fields[] = {
    {"offset", NULL, I64, REQ, F(offset)},
    {"topic", NULL, STR, OPT, F(topic)},
};
#undef F
SCHEMA(remoting_view_message_request, "ViewMessageRequestHeader");

#define F(m) offsetof(remoting_query_message_request, m)
static const remoting_field remoting_query_message_request_fields[] = {
    {"topic", NULL, STR, REQ, F(topic)},
    {"key", NULL, STR, REQ, F(key)},
    {"maxNum", NULL, I32, REQ, F(max_num)},
    {"beginTimestamp", NULL, I64, REQ, F(begin_timestamp)},
    {"endTimestamp", NULL, I64, REQ, F(end_timestamp)},
};
#undef F
SCHEMA(remoting_query_message_request, "QueryMessageRequestHeader");

#define F(m) offsetof(remoting_query_message_response, m)
static const remoting_field remoting_query_message_response_fields[] = {
    {"indexLastUpdateTimestamp", NULL, I64, REQ,
     F(index_last_update_timestamp)},
    {"indexLastUpdatePhyoffset", NULL, I64, REQ,
     F(index_last_update_phyoffset)},
};
#undef F
SCHEMA(remoting_query_message_response, "QueryMessageResponseHeader");

#define F(m) offsetof(remoting_get_route_request, m)
static const remoting_field remoting_get_route_request_fields[] = {
    {"topic", NULL, STR, REQ, F(topic)},
    {"acceptStandardJsonOnly", NULL, BOOL, OPT, F(accept_standard_json_only)},
};
#undef F
SCHEMA(remoting_get_route_request, "GetRouteInfoRequestHeader");

#define F(m) offsetof(remoting_register_broker_request, m)
static const remoting_field remoting_register_broker_request_fields[] = {
    {"brokerName", NULL, STR, REQ, F(broker_name)},
    {"brokerAddr", NULL, STR, REQ, F(broker_addr)},
    {"clusterName", NULL, STR, REQ, F(cluster_name)},
    {"haServerAddr", NULL, STR, REQ, F(ha_server_addr)},
    {"brokerId", NULL, I64, REQ, F(broker_id)},
    {"heartbeatTimeoutMillis", NULL, I64, OPT, F(heartbeat_timeout_millis)},
    {"enableActingMaster", NULL, BOOL, OPT, F(enable_acting_master)},
    {"compressed", NULL, BOOL, OPT, F(compressed)},
    {"bodyCrc32", NULL, I32, OPT, F(body_crc32)},
};
#undef F
SCHEMA(remoting_register_broker_request, "RegisterBrokerRequestHeader");

#define F(m) offsetof(remoting_unregister_broker_request, m)
static const remoting_field remoting_unregister_broker_request_fields[] = {
    {"brokerName", NULL, STR, REQ, F(broker_name)},
    {"brokerAddr", NULL, STR, REQ, F(broker_addr)},
    {"clusterName", NULL, STR, REQ, F(cluster_name)},
    {"brokerId", NULL, I64, REQ, F(broker_id)},
};
#undef F
SCHEMA(remoting_unregister_broker_request, "UnRegisterBrokerRequestHeader");

#define F(m) offsetof(remoting_register_broker_response, m)
static const remoting_field remoting_register_broker_response_fields[] = {
    {"haServerAddr", NULL, STR, OPT, F(ha_server_addr)},
    {"masterAddr", NULL, STR, OPT, F(master_addr)},
};
#undef F
SCHEMA(remoting_register_broker_response, "RegisterBrokerResponseHeader");

#define F(m) offsetof(remoting_create_topic_request, m)
static const remoting_field remoting_create_topic_request_fields[] = {
    {"topic", NULL, STR, REQ, F(topic)},
    {"defaultTopic", NULL, STR, REQ, F(default_topic)},
    {"readQueueNums", NULL, I32, REQ, F(read_queue_nums)},
    {"writeQueueNums", NULL, I32, REQ, F(write_queue_nums)},
    {"perm", NULL, I32, REQ, F(perm)},
    {"topicFilterType", NULL, STR, REQ, F(topic_filter_type)},
    {"topicSysFlag", NULL, I32, OPT, F(topic_sys_flag)},
    {"order", NULL, BOOL, REQ, F(order)},
    {"attributes", NULL, STR, OPT, F(attributes)},
    {"force", NULL, BOOL, OPT, F(force)},
};
#undef F
SCHEMA(remoting_create_topic_request, "CreateTopicRequestHeader");

#define F(m) offsetof(remoting_delete_topic_request, m)
static const remoting_field remoting_delete_topic_request_fields[] = {
    {"topic", NULL, STR, REQ, F(topic)},
    {"clusterName", NULL, STR, OPT, F(cluster_name)},
};
#undef F
SCHEMA(remoting_delete_topic_request, "DeleteTopicRequestHeader");
