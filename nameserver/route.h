/*
 * route.h - the name server's route table (RocketMQ NameServer semantics,
 * ref rocketmq-remoting.md §2.2 and §6): which brokers are alive, which
 * cluster and broker name they belong to, and which topics have queues on
 * which broker.  Pure data: no sockets, no clock (callers pass now_ms), no
 * locking (the name server's event loop owns it).  Route bodies are
 * produced as strict, compact JSON (§6.1, §7.5).
 *
 * Tables, as in the Java name server:
 *   brokers:  broker name -> { cluster, { broker id -> "ip:port" } }
 *   clusters: cluster -> { broker names }
 *   topics:   topic -> { broker name -> queue data }
 *   live:     broker address -> { last update, timeout, data version,
 *                                 connection id, HA address }
 * A live entry expires when last update + timeout < now, or at once when
 * its connection closes; removing the last address of a broker name drops
 * its queue data from every topic (and topics left with none).
 */
#ifndef FERRY_ROUTE_H
#define FERRY_ROUTE_H

#include <stddef.h>
#include <stdint.h>

typedef struct route_table route_table;

typedef struct route_data_version {
    int64_t timestamp;
    int64_t counter;
    int64_t state_version;
} route_data_version;

typedef struct route_queue_data {
    const char *topic;
    int32_t read_queues;
    int32_t write_queues;
    int32_t perm;
    int32_t topic_sys_flag;
} route_queue_data;

typedef struct route_register {
    const char *cluster;
    const char *broker_name;
    const char *broker_addr; /* "ip:port" */
    const char *ha_addr;     /* may be NULL */
    int64_t broker_id;       /* 0 = master */
    int64_t timeout_ms;      /* 0 = the table's default (120 s) */
    route_data_version version;
    const route_queue_data *topics; /* the broker's topic configs */
    int n_topics;
    uint64_t conn_id; /* the connection it came on (0 = none) */
} route_register;

route_table *route_new(int64_t default_timeout_ms);
void route_free(route_table *rt);

/* REGISTER_BROKER.  Topic queue data is rewritten for a master when its
 * data version changed (or on first registration).  *master_addr (may be
 * NULL) gets the master's address for a slave, "" otherwise (pointer into
 * the table, valid until the next change).  0 or -1 (out of memory /
 * invalid argument). */
int route_register_broker(route_table *rt, const route_register *reg,
                          int64_t now_ms, const char **master_addr);
/* UNREGISTER_BROKER.  Returns 1 if something was removed. */
int route_unregister_broker(route_table *rt, const char *cluster,
                            const char *broker_name, const char *broker_addr,
                            int64_t broker_id);
/* Refreshes liveness (BROKER_HEARTBEAT / QUERY_DATA_VERSION).  Returns 1
 * if the address is known.  *version (may be NULL) gets its stored data
 * version. */
int route_touch(route_table *rt, const char *broker_addr, int64_t now_ms,
                route_data_version *version);
/* Drops brokers whose last update + timeout < now.  Returns how many. */
int route_expire(route_table *rt, int64_t now_ms);
/* Drops every broker registered over a connection that closed. */
int route_connection_closed(route_table *rt, uint64_t conn_id);

/* GET_ROUTEINFO_BY_TOPIC body (malloc'd JSON; free()), or NULL when the
 * topic has no queue data on a live broker (TOPIC_NOT_EXIST). */
char *route_topic_route_json(route_table *rt, const char *topic);
/* GET_BROKER_CLUSTER_INFO body. */
char *route_cluster_info_json(route_table *rt);
/* GET_ALL_TOPIC_LIST_FROM_NAMESERVER body ({"topicList":[...]}); cluster
 * may be NULL (all clusters) or a cluster name (GET_TOPICS_BY_CLUSTER). */
char *route_topic_list_json(route_table *rt, const char *cluster);
/* DELETE_TOPIC_IN_NAMESRV; cluster may be NULL.  Returns 1 if removed. */
int route_delete_topic(route_table *rt, const char *topic,
                       const char *cluster);

/* KV config (PUT/GET/DELETE_KV_CONFIG, GET_KVLIST_BY_NAMESPACE). */
int route_kv_put(route_table *rt, const char *ns, const char *key,
                 const char *value);
const char *route_kv_get(route_table *rt, const char *ns, const char *key);
int route_kv_delete(route_table *rt, const char *ns, const char *key);
char *route_kv_list_json(route_table *rt, const char *ns);

/* Figures for logs and tests. */
int route_live_broker_count(route_table *rt);
int route_topic_count(route_table *rt);

#endif /* FERRY_ROUTE_H */
