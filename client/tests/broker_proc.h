/*
 * broker_proc.h - run a real ferry-broker --standalone for the client
 * tests: loopback, free ports, a temporary store directory, bounded waits,
 * SIGKILL if the test process dies (PR_SET_PDEATHSIG), always stopped.
 */
#ifndef FERRY_CLIENT_TEST_BROKER_PROC_H
#define FERRY_CLIENT_TEST_BROKER_PROC_H

#include <sys/types.h>

typedef struct broker_proc {
    pid_t pid;
    int kafka_port, rmq_port, ns_port;
    char dir[256];
    char namesrv[64]; /* "127.0.0.1:port" */
    char addr[64];    /* the broker's remoting address */
    int starts;
} broker_proc;

/* More broker arguments for the next starts ("--key=value" strings, NULL
 * terminated, or NULL): short delay levels or check intervals. */
extern const char *const *broker_proc_extra_args;

/* 0 when it accepts on both the name-server and remoting ports. */
int broker_proc_start(broker_proc *b, const char *binary);
/* Stop cleanly and start again: same ports, same data. */
int broker_proc_restart(broker_proc *b, const char *binary);
/* SIGTERM, wait (SIGKILL after 20 s), remove the directory. 0 when it
 * exited 0. */
int broker_proc_stop(broker_proc *b);
/* Print the tail of the broker log (on failure). */
void broker_proc_log_tail(const broker_proc *b);

/* Helpers for tests that run more processes. */
int free_port(void);
int free_port_pair(void); /* p with p - 2 free too (broker VIP port) */
int port_open(int port);
/* fork + exec argv[0] with output appended to log_path, killed with the
 * test (PR_SET_PDEATHSIG). */
pid_t proc_spawn(char *const argv[], const char *log_path);
/* Send sig, wait up to 20 s (then SIGKILL); exit status, 128 + signal, or
 * -1. */
int proc_end(pid_t pid, int sig);

#endif
