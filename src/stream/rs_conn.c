/*
 * rs_conn.c: one hiredis 0.14 async connection with its own timeouts and reconnects.
 *
 * hiredis 0.14 async contexts have no connect or command timeouts: a blackholed or paused
 * server would hang every callback forever. So each command goes through a small record
 * (rs_cmd_t) kept in a FIFO of outstanding commands, and a periodic tick (the `tick` event)
 * checks two deadlines:
 *   - the connect attempt (connect_timeout_ms);
 *   - the oldest outstanding command. Redis answers in order, so only the head can be late;
 *     when a command becomes head its deadline is pushed to at least now + its own timeout,
 *     so a command queued behind a long BLOCK read is not blamed for the read's wait.
 * On expiry, or when the server closes the connection, the context is torn down: hiredis runs
 * every pending callback with a NULL reply (the caller treats the command's effect as
 * unknown), and a reconnect is scheduled after min(max, min * 2^failures) ms with +-20 %
 * jitter. A successful connect resets the backoff and calls the `up` callback, after which
 * commands are accepted again; while down, rs_conn_argv answers SX_AGAIN.
 *
 * States:  DOWN --timer--> CONNECTING --connect cb OK--> UP --error/timeout/reset--> DOWN
 * Invariant: c->ac is non-NULL exactly in CONNECTING and UP. A torn-down context may still
 * run callbacks (hiredis defers the free while inside a callback); they carry their own
 * rs_cmd_t and never touch c->ac.
 */
#include <event2/event.h>
#include <hiredis/async.h>
#include <hiredis/hiredis.h>
#include <stdarg.h>
#include <string.h>

#include "rs_int.h"

typedef enum { CONN_DOWN, CONN_CONNECTING, CONN_UP } conn_state_t;

typedef struct rs_cmd {
    rs_conn_t *conn;            /* owner */
    rs_reply_fn fn;             /* user callback */
    void *ud;                   /* user data */
    uint64_t deadline_ns;       /* monotonic */
    uint64_t timeout_ns;        /* own timeout, for re-basing when it becomes head */
    struct rs_cmd *prev, *next; /* outstanding FIFO */
} rs_cmd_t;

struct rs_conn {
    struct event_base *base;   /* borrowed */
    const rs_conf_t *conf;     /* borrowed */
    redisAsyncContext *ac;     /* current context or NULL */
    conn_state_t state;        /* see file comment */
    rs_up_fn up;               /* called on each connection */
    void *ud;                  /* for up */
    struct event *tick;        /* periodic deadline check */
    struct event *retry;       /* reconnect timer */
    rs_cmd_t *head, *tail;     /* outstanding commands, oldest first */
    uint64_t connect_deadline; /* monotonic ns, while CONNECTING */
    uint32_t failures;         /* consecutive failed attempts (backoff exponent) */
    uint64_t connects;         /* successful connections */
    uint64_t timeouts;         /* teardowns caused by a deadline */
};

static void conn_start(rs_conn_t *c);

static uint64_t
ms_to_ns(int64_t ms)
{
    return (uint64_t)ms * 1000000ULL;
}

static void
cmd_unlink(rs_conn_t *c, rs_cmd_t *cmd)
{
    bool was_head = (cmd == c->head);
    if (cmd->prev)
        cmd->prev->next = cmd->next;
    else
        c->head = cmd->next;
    if (cmd->next)
        cmd->next->prev = cmd->prev;
    else
        c->tail = cmd->prev;
    cmd->prev = cmd->next = NULL;
    if (was_head && c->head != NULL) {
        uint64_t floor = sx_mono_ns() + c->head->timeout_ns;
        if (c->head->deadline_ns < floor)
            c->head->deadline_ns = floor;
    }
}

static void
retry_schedule(rs_conn_t *c)
{
    int64_t lo = c->conf->reconnect_min_ms, hi = c->conf->reconnect_max_ms;
    int64_t delay = lo;
    uint32_t r;
    for (uint32_t i = 0; i < c->failures && delay < hi; i++)
        delay *= 2;
    if (delay > hi)
        delay = hi;
    sx_random_bytes(&r, sizeof(r));
    delay = delay * 8 / 10 + (int64_t)(r % (uint32_t)(delay * 4 / 10 + 1));
    if (c->failures < 64)
        c->failures++;
    struct timeval tv = {(time_t)(delay / 1000), (suseconds_t)(delay % 1000) * 1000};
    evtimer_add(c->retry, &tv);
}

/* Forgets the current context and schedules a reconnect. free_ctx: also free it (our own
 * teardown); false when hiredis is already freeing it. */
static void
conn_down(rs_conn_t *c, bool free_ctx, const char *why)
{
    redisAsyncContext *ac = c->ac;
    if (ac == NULL)
        return;
    rs_log(RS_LOG_WARN, "redis %s:%d: connection down: %s", c->conf->redis_host,
           (int)c->conf->redis_port, why);
    c->ac = NULL;
    c->state = CONN_DOWN;
    ac->data = NULL;
    retry_schedule(c);
    if (free_ctx)
        redisAsyncFree(ac); /* runs pending callbacks with NULL */
}

static void
on_reply(redisAsyncContext *ac, void *reply, void *privdata)
{
    rs_cmd_t *cmd = privdata;
    rs_conn_t *c = cmd->conn;
    if (reply == NULL && c->ac == ac)
        conn_down(c, false, ac->c.errstr[0] ? ac->c.errstr : "connection lost");
    cmd_unlink(c, cmd);
    if (cmd->fn != NULL)
        cmd->fn(c, reply, cmd->ud);
    sx_free(cmd);
}

static void
on_connect(const redisAsyncContext *ac, int status)
{
    rs_conn_t *c = ac->data;
    if (c == NULL || c->ac != ac)
        return;
    if (status != REDIS_OK) {
        /* hiredis frees the context after this callback */
        conn_down(c, false, ac->c.errstr[0] ? ac->c.errstr : "connect failed");
        return;
    }
    c->state = CONN_UP;
    c->failures = 0;
    c->connects++;
    rs_log(RS_LOG_INFO, "redis %s:%d: connected", c->conf->redis_host, (int)c->conf->redis_port);
    if (c->conf->redis_password != NULL)
        rs_conn_cmd(c, 0, NULL, NULL, "AUTH %s", c->conf->redis_password);
    if (c->up != NULL)
        c->up(c, c->ud);
}

static void
on_disconnect(const redisAsyncContext *ac, int status)
{
    rs_conn_t *c = ac->data;
    SX_UNUSED(status);
    if (c == NULL || c->ac != ac)
        return;
    conn_down(c, false, ac->c.errstr[0] ? ac->c.errstr : "disconnected");
}

static void
conn_start(rs_conn_t *c)
{
    redisAsyncContext *ac = redisAsyncConnect(c->conf->redis_host, (int)c->conf->redis_port);
    if (ac == NULL) {
        rs_log(RS_LOG_ERROR, "redis: cannot allocate a context");
        retry_schedule(c);
        return;
    }
    if (ac->err) {
        rs_log(RS_LOG_WARN, "redis %s:%d: connect: %s", c->conf->redis_host,
               (int)c->conf->redis_port, ac->c.errstr);
        redisAsyncFree(ac);
        retry_schedule(c);
        return;
    }
    ac->data = c;
    c->ac = ac;
    c->state = CONN_CONNECTING;
    c->connect_deadline = sx_mono_ns() + ms_to_ns(c->conf->connect_timeout_ms);
    rs_adapter_attach(ac, c->base);
    redisAsyncSetConnectCallback(ac, on_connect);
    redisAsyncSetDisconnectCallback(ac, on_disconnect);
}

static void
on_retry(evutil_socket_t fd, short what, void *arg)
{
    SX_UNUSED(fd);
    SX_UNUSED(what);
    conn_start(arg);
}

static void
on_tick(evutil_socket_t fd, short what, void *arg)
{
    rs_conn_t *c = arg;
    uint64_t now = sx_mono_ns();
    SX_UNUSED(fd);
    SX_UNUSED(what);
    if (c->state == CONN_CONNECTING && now > c->connect_deadline) {
        c->timeouts++;
        conn_down(c, true, "connect timed out");
    } else if (c->state == CONN_UP && c->head != NULL && now > c->head->deadline_ns) {
        c->timeouts++;
        conn_down(c, true, "command timed out");
    }
}

rs_conn_t *
rs_conn_new(struct event_base *base, const rs_conf_t *conf, rs_up_fn up, void *ud)
{
    rs_conn_t *c = sx_calloc(1, sizeof(*c));
    int64_t tick_ms = conf->cmd_timeout_ms / 10;
    if (conf->connect_timeout_ms / 10 < tick_ms)
        tick_ms = conf->connect_timeout_ms / 10;
    if (tick_ms < 5)
        tick_ms = 5;
    if (tick_ms > 100)
        tick_ms = 100;
    c->base = base;
    c->conf = conf;
    c->up = up;
    c->ud = ud;
    c->tick = event_new(base, -1, EV_PERSIST, on_tick, c);
    c->retry = evtimer_new(base, on_retry, c);
    struct timeval tv = {0, (suseconds_t)tick_ms * 1000};
    event_add(c->tick, &tv);
    conn_start(c);
    return c;
}

void
rs_conn_free(rs_conn_t *c)
{
    if (c == NULL)
        return;
    c->up = NULL;
    if (c->ac != NULL) {
        redisAsyncContext *ac = c->ac;
        c->ac = NULL;
        ac->data = NULL;
        redisAsyncFree(ac);
    }
    event_free(c->tick);
    event_free(c->retry);
    sx_free(c);
}

/* A command record for fn/ud with its deadline; linked by cmd_link once hiredis took it. */
static rs_cmd_t *
cmd_new(rs_conn_t *c, int64_t timeout_ms, rs_reply_fn fn, void *ud)
{
    rs_cmd_t *cmd = sx_calloc(1, sizeof(*cmd));
    cmd->conn = c;
    cmd->fn = fn;
    cmd->ud = ud;
    cmd->timeout_ns = ms_to_ns(timeout_ms > 0 ? timeout_ms : c->conf->cmd_timeout_ms);
    cmd->deadline_ns = sx_mono_ns() + cmd->timeout_ns;
    return cmd;
}

/* Appends cmd to the outstanding FIFO when hiredis accepted it (rc), else frees it. */
static int
cmd_link(rs_conn_t *c, rs_cmd_t *cmd, int rc)
{
    if (rc != REDIS_OK) {
        sx_free(cmd);
        return SX_AGAIN;
    }
    cmd->prev = c->tail;
    if (c->tail)
        c->tail->next = cmd;
    else
        c->head = cmd;
    c->tail = cmd;
    return SX_OK;
}

int
rs_conn_argv(rs_conn_t *c, int64_t timeout_ms, rs_reply_fn fn, void *ud, int argc,
             const char **argv, const size_t *lens)
{
    rs_cmd_t *cmd;
    if (c->state != CONN_UP)
        return SX_AGAIN;
    cmd = cmd_new(c, timeout_ms, fn, ud);
    return cmd_link(c, cmd, redisAsyncCommandArgv(c->ac, on_reply, cmd, argc, argv, lens));
}

int
rs_conn_formatted(rs_conn_t *c, int64_t timeout_ms, rs_reply_fn fn, void *ud, const char *resp,
                  size_t len)
{
    rs_cmd_t *cmd;
    if (c->state != CONN_UP)
        return SX_AGAIN;
    cmd = cmd_new(c, timeout_ms, fn, ud);
    return cmd_link(c, cmd, redisAsyncFormattedCommand(c->ac, on_reply, cmd, resp, len));
}

int
rs_conn_cmd(rs_conn_t *c, int64_t timeout_ms, rs_reply_fn fn, void *ud, const char *fmt, ...)
{
    rs_cmd_t *cmd;
    va_list ap;
    int rc;
    if (c->state != CONN_UP)
        return SX_AGAIN;
    cmd = cmd_new(c, timeout_ms, fn, ud);
    va_start(ap, fmt);
    rc = redisvAsyncCommand(c->ac, on_reply, cmd, fmt, ap);
    va_end(ap);
    return cmd_link(c, cmd, rc);
}

/* ---- RESP building ---- */

/* Writes v in decimal at p; returns the length (at most 20). */
size_t
rs_u64_fmt(uint64_t v, char *p)
{
    char tmp[24];
    size_t n = 0, i;
    do {
        tmp[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v != 0);
    for (i = 0; i < n; i++)
        p[i] = tmp[n - 1 - i];
    return n;
}

void
rs_resp_head(sx_sbuf_t *b, size_t argc)
{
    char num[24];
    sx_sbuf_addc(b, '*');
    sx_sbuf_add(b, num, rs_u64_fmt(argc, num));
    sx_sbuf_add(b, "\r\n", 2);
}

void
rs_resp_arg(sx_sbuf_t *b, const char *p, size_t n)
{
    char num[24];
    size_t k = rs_u64_fmt(n, num);
    sx_sbuf_reserve(b, n + k + 5);
    b->p[b->len++] = '$';
    memcpy(b->p + b->len, num, k);
    b->len += k;
    b->p[b->len++] = '\r';
    b->p[b->len++] = '\n';
    memcpy(b->p + b->len, p, n);
    b->len += n;
    b->p[b->len++] = '\r';
    b->p[b->len++] = '\n';
    b->p[b->len] = '\0';
}

bool
rs_conn_up(const rs_conn_t *c)
{
    return c->state == CONN_UP;
}

void
rs_conn_reset(rs_conn_t *c, const char *why)
{
    conn_down(c, true, why);
}

uint64_t
rs_conn_connects(const rs_conn_t *c)
{
    return c->connects;
}

uint64_t
rs_conn_timeouts(const rs_conn_t *c)
{
    return c->timeouts;
}
