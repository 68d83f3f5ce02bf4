/*
 * rs_test_redis.h: a real redis-server for the stream tests (never a mock).
 *
 * rt_redis_start() picks a free loopback port (bind to port 0, read it back, close), starts
 * `redis-server --port P --bind 127.0.0.1 --save '' --appendonly no --dir <tmpdir>` as a
 * child process and waits until it answers PING. rt_redis_stop() kills it and removes the
 * directory. When redis-server is not installed the tests print SKIP and pass.
 * rt_cmd() runs one command on a blocking hiredis connection to it (the test's own client,
 * separate from the connections under test).
 */
#ifndef RS_TEST_REDIS_H
#define RS_TEST_REDIS_H

#include <arpa/inet.h>
#include <hiredis/hiredis.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

typedef struct rt_redis {
    pid_t pid;          /* redis-server child */
    int port;           /* loopback port */
    char dir[64];       /* data directory */
    redisContext *sync; /* the test's own client */
} rt_redis_t;

static rt_redis_t rt;

static inline int
rt_free_port(void)
{
    struct sockaddr_in a;
    socklen_t len = sizeof(a);
    int fd = socket(AF_INET, SOCK_STREAM, 0), port = -1;
    memset(&a, 0, sizeof(a));
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (fd >= 0 && bind(fd, (struct sockaddr *)&a, sizeof(a)) == 0 &&
        getsockname(fd, (struct sockaddr *)&a, &len) == 0)
        port = ntohs(a.sin_port);
    if (fd >= 0)
        close(fd);
    return port;
}

static inline int
rt_have_redis(void)
{
    return system("command -v redis-server >/dev/null 2>&1") == 0;
}

static inline void
rt_sleep_ms(int ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

/* Returns 0 when the server answers, -1 otherwise. */
static inline int
rt_redis_start(void)
{
    char port[16], logf[96];
    strcpy(rt.dir, "/tmp/sx-redis-XXXXXX");
    if (mkdtemp(rt.dir) == NULL)
        return -1;
    rt.port = rt_free_port();
    snprintf(port, sizeof(port), "%d", rt.port);
    snprintf(logf, sizeof(logf), "%s/redis.log", rt.dir);
    rt.pid = fork();
    if (rt.pid == 0) {
        execlp("redis-server", "redis-server", "--port", port, "--bind", "127.0.0.1", "--save", "",
               "--appendonly", "no", "--dir", rt.dir, "--loglevel", "warning", "--logfile", logf,
               "--enable-debug-command", "local", (char *)NULL);
        _exit(127);
    }
    for (int i = 0; i < 500; i++) {
        struct timeval tv = {1, 0};
        redisContext *c = redisConnectWithTimeout("127.0.0.1", rt.port, tv);
        if (c != NULL && !c->err) {
            redisReply *r = redisCommand(c, "PING");
            if (r != NULL) {
                freeReplyObject(r);
                rt.sync = c;
                return 0;
            }
        }
        if (c != NULL)
            redisFree(c);
        rt_sleep_ms(10);
    }
    return -1;
}

static inline void
rt_redis_stop(void)
{
    char cmd[128];
    if (rt.sync != NULL)
        redisFree(rt.sync);
    rt.sync = NULL;
    if (rt.pid > 0) {
        kill(rt.pid, SIGKILL);
        waitpid(rt.pid, NULL, 0);
    }
    rt.pid = 0;
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", rt.dir);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", rt.dir);
}

/* Runs a command on the test's client; the caller frees the reply (NULL on I/O error). */
static redisReply *
rt_cmd(const char *fmt, ...)
{
    va_list ap;
    redisReply *r;
    va_start(ap, fmt);
    r = redisvCommand(rt.sync, fmt, ap);
    va_end(ap);
    return r;
}

/* Runs a command that answers an integer; returns it, or -1. */
static long long
rt_int(const char *fmt, ...)
{
    va_list ap;
    redisReply *r;
    long long v = -1;
    va_start(ap, fmt);
    r = redisvCommand(rt.sync, fmt, ap);
    va_end(ap);
    if (r != NULL && r->type == REDIS_REPLY_INTEGER)
        v = r->integer;
    if (r != NULL)
        freeReplyObject(r);
    return v;
}

#endif
