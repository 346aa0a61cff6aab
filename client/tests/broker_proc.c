/*
 * broker_proc.c - see broker_proc.h.
 */
#include "broker_proc.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static int bind_port(int port)
{
    struct sockaddr_in sa;
    socklen_t sl = sizeof sa;
    int fd = socket(AF_INET, SOCK_STREAM, 0), one = 1;

    if (fd < 0)
        return -1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    memset(&sa, 0, sizeof sa);
    sa.sin_family = AF_INET;
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    sa.sin_port = htons((uint16_t)port);
    if (bind(fd, (struct sockaddr *)&sa, sizeof sa) != 0 ||
        getsockname(fd, (struct sockaddr *)&sa, &sl) != 0) {
        close(fd);
        return -1;
    }
    close(fd);
    return ntohs(sa.sin_port);
}

int free_port(void)
{
    return bind_port(0);
}

/* A port p with p - 2 free too (the broker's old "VIP" port). */
int free_port_pair(void)
{
    for (int i = 0; i < 50; i++) {
        int p = free_port();
        if (p > 1026 && bind_port(p - 2) == p - 2)
            return p;
    }
    return -1;
}

int port_open(int port)
{
    struct sockaddr_in sa;
    int fd = socket(AF_INET, SOCK_STREAM, 0), ok;

    if (fd < 0)
        return 0;
    memset(&sa, 0, sizeof sa);
    sa.sin_family = AF_INET;
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    sa.sin_port = htons((uint16_t)port);
    ok = connect(fd, (struct sockaddr *)&sa, sizeof sa) == 0;
    close(fd);
    return ok;
}

static int spawn(broker_proc *b, const char *binary);

const char *const *broker_proc_extra_args;

int broker_proc_start(broker_proc *b, const char *binary)
{
    const char *tmp = getenv("TMPDIR");

    memset(b, 0, sizeof(*b));
    snprintf(b->dir, sizeof b->dir, "%s/ferry-client-test.XXXXXX",
             tmp ? tmp : "/tmp");
    if (!mkdtemp(b->dir))
        return -1;
    b->kafka_port = free_port();
    b->rmq_port = free_port_pair();
    b->ns_port = free_port();
    if (b->kafka_port < 0 || b->rmq_port < 0 || b->ns_port < 0)
        return -1;
    snprintf(b->namesrv, sizeof b->namesrv, "127.0.0.1:%d", b->ns_port);
    snprintf(b->addr, sizeof b->addr, "127.0.0.1:%d", b->rmq_port);
    return spawn(b, binary);
}

static int spawn(broker_proc *b, const char *binary)
{
    char a_store[320], a_listeners[128], a_listen[64], a_ns[64], logp[300];

    snprintf(a_store, sizeof a_store, "--storePathRootDir=%s/data", b->dir);
    snprintf(a_listeners, sizeof a_listeners,
             "--listeners=PLAINTEXT://127.0.0.1:%d", b->kafka_port);
    snprintf(a_listen, sizeof a_listen, "--listenPort=%d", b->rmq_port);
    snprintf(a_ns, sizeof a_ns, "--namesrvListenPort=%d", b->ns_port);
    snprintf(logp, sizeof logp, "%s/broker.log", b->dir);
    b->starts++;
    b->pid = fork();
    if (b->pid < 0)
        return -1;
    if (b->pid == 0) {
        int fd = open(logp, O_WRONLY | O_CREAT | O_APPEND, 0644);
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (fd >= 0) {
            dup2(fd, 1);
            dup2(fd, 2);
            close(fd);
        }
        const char *argv[64] = {binary,
                                "--standalone",
                                a_store,
                                a_listeners,
                                a_listen,
                                a_ns,
                                "--mappedFileSizeCommitLog=4194304",
                                "--logLevel=info",
                                "--auto.create.topics.enable=true"};
        int argc = 9;
        for (int i = 0;
             broker_proc_extra_args && broker_proc_extra_args[i] && argc < 63;
             i++)
            argv[argc++] = broker_proc_extra_args[i];
        argv[argc] = NULL;
        execv(binary, (char *const *)argv);
        _exit(127);
    }
    for (int i = 0; i < 150; i++) { /* 15 s */
        int st;
        if (waitpid(b->pid, &st, WNOHANG) == b->pid) {
            b->pid = 0;
            broker_proc_log_tail(b);
            return -1;
        }
        if (port_open(b->ns_port) && port_open(b->rmq_port))
            return 0;
        usleep(100000);
    }
    broker_proc_log_tail(b);
    broker_proc_stop(b);
    return -1;
}

void broker_proc_log_tail(const broker_proc *b)
{
    char cmd[400];
    snprintf(cmd, sizeof cmd, "tail -n 40 '%s/broker.log' >&2", b->dir);
    if (system(cmd) != 0)
        fprintf(stderr, "(no broker log)\n");
}

/* SIGTERM, wait (SIGKILL after 20 s); 0 when it exited 0. */
static int terminate(broker_proc *b)
{
    int st = 0, rc = -1;

    if (b->pid > 0) {
        kill(b->pid, SIGTERM);
        for (int i = 0; i < 200; i++) { /* 20 s */
            if (waitpid(b->pid, &st, WNOHANG) == b->pid) {
                rc = WIFEXITED(st) && WEXITSTATUS(st) == 0 ? 0 : -1;
                b->pid = 0;
                break;
            }
            usleep(100000);
        }
        if (b->pid > 0) {
            kill(b->pid, SIGKILL);
            waitpid(b->pid, &st, 0);
            b->pid = 0;
        }
    }
    return rc;
}

int broker_proc_restart(broker_proc *b, const char *binary)
{
    if (terminate(b) != 0)
        return -1;
    return spawn(b, binary);
}

int broker_proc_stop(broker_proc *b)
{
    char cmd[400];
    int rc = terminate(b);

    if (rc != 0)
        broker_proc_log_tail(b);
    if (b->dir[0] && strstr(b->dir, "ferry-client-test.")) {
        snprintf(cmd, sizeof cmd, "rm -rf '%s'", b->dir);
        if (system(cmd) != 0)
            rc = -1;
    }
    return rc;
}

pid_t proc_spawn(char *const argv[], const char *log_path)
{
    pid_t pid = fork();
    if (pid != 0)
        return pid;
    int fd = open(log_path, O_WRONLY | O_CREAT | O_APPEND, 0644);
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (fd >= 0) {
        dup2(fd, 1);
        dup2(fd, 2);
        close(fd);
    }
    execv(argv[0], argv);
    _exit(127);
}

int proc_end(pid_t pid, int sig)
{
    int st = 0;
    if (pid <= 0)
        return -1;
    kill(pid, sig);
    for (int i = 0; i < 200; i++) {
        if (waitpid(pid, &st, WNOHANG) == pid)
            return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
        usleep(100000);
    }
    kill(pid, SIGKILL);
    waitpid(pid, &st, 0);
    return -1;
}
