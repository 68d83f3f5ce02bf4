/*
 * test_e2e_faults.c: the stream layer under faults, against a real redis-server on a random
 * loopback port (label needs:redis): reconnect after CLIENT KILL, command timeouts under
 * CLIENT PAUSE and DEBUG SLEEP, a commit reply lost and an XREADGROUP reply lost (cutting
 * TCP proxy), a partition (stalling proxy), a server that never answers, AUTH, and kill -9 of
 * a worker process holding a batch.
 */
#include "rs_test_redis.h"
#include "rs_test_proxy.h"
#include "rs_test_e2e.h"

static void
test_reconnect_after_client_kill(void)
{
    rs_conf_t cf;
    texec_t t = {.mode = EX_ECHO};
    conf_make(&cf, "k", NULL);
    rs_consumer_t *c = rs_consumer_new(base, &cf, 0, texec_run, texec_committed, &t);
    xadd("k", 10, "acme");
    RUN_UNTIL(t.written == 10, 3000);
    CHECK(rt_int("CLIENT KILL TYPE normal") >= 1);
    RUN_UNTIL(rs_conn_connects(rs_consumer_conn(c)) >= 2, 3000);
    CHECK(rs_conn_connects(rs_consumer_conn(c)) >= 2);
    xadd("k", 10, "acme");
    RUN_UNTIL(t.written == 20, 3000);
    CHECK_INT(t.written, 20);
    CHECK_INT(rt_int("XLEN {k}:results"), 20);
    rs_consumer_free(c);
    conf_drop(&cf);
}

static void
test_timeout_client_pause(void)
{
    rs_conf_t cf;
    texec_t t = {.mode = EX_ECHO};
    const char *kv[] = {"cmd_timeout", "300ms", "connect_timeout", "300ms", NULL};
    conf_make(&cf, "p", kv);
    rs_consumer_t *c = rs_consumer_new(base, &cf, 0, texec_run, texec_committed, &t);
    xadd("p", 5, "acme");
    RUN_UNTIL(t.written == 5, 3000);
    freeReplyObject(rt_cmd("CLIENT PAUSE 1000"));
    RUN_MS(1300);
    CHECK(rs_conn_timeouts(rs_consumer_conn(c)) >= 1);
    xadd("p", 5, "acme");
    RUN_UNTIL(t.written == 10, 5000);
    CHECK_INT(t.written, 10);
    /* DEBUG SLEEP blocks the whole server; sent raw so this thread keeps running the loop */
    uint64_t before = rs_conn_timeouts(rs_consumer_conn(c));
    redisContext *raw = redisConnect("127.0.0.1", rt.port);
    const char cmd[] = "*3\r\n$5\r\nDEBUG\r\n$5\r\nSLEEP\r\n$1\r\n1\r\n";
    CHECK(raw && !raw->err && write(raw->fd, cmd, sizeof(cmd) - 1) == (ssize_t)sizeof(cmd) - 1);
    RUN_MS(1300);
    CHECK(rs_conn_timeouts(rs_consumer_conn(c)) > before);
    redisFree(raw);
    xadd("p", 5, "acme");
    RUN_UNTIL(t.written == 15, 5000);
    CHECK_INT(t.written, 15);
    CHECK_INT(rt_int("XLEN {p}:results"), 15);
    rs_consumer_free(c);
    conf_drop(&cf);
}

static void
test_commit_reply_lost(void)
{
    rs_conf_t cf;
    texec_t t = {.mode = EX_HOLD};
    rp_proxy_t px;
    char port[16];
    rp_start(&px, base, rt.port);
    snprintf(port, sizeof(port), "%d", px.port);
    conf_make(&cf, "c", (const char *[]){"redis_port", port, NULL});
    xadd("c", 5, "acme");
    rs_consumer_t *c = rs_consumer_new(base, &cf, 0, texec_run, texec_committed, &t);
    RUN_UNTIL(t.nheld == 5, 3000);
    /* Redis runs the commit, its answer is lost: the consumer must resend, and the resend
     * must write nothing */
    rp_cut_reply(&px, "EVALSHA", "11111");
    texec_release(&t);
    RUN_UNTIL(t.dups + t.written == 5, 3000);
    CHECK_INT(px.cuts, 1);
    CHECK_INT(t.dups, 5);
    CHECK_INT(t.written, 0);
    CHECK(rs_conn_connects(rs_consumer_conn(c)) >= 2);
    CHECK_INT(rt_int("XLEN {c}:results"), 5);
    CHECK_INT(hget("{c}:usage:acme", "m1|requests"), 5);
    CHECK_INT(pending("c"), 0);
    rs_consumer_free(c);
    rp_stop(&px);
    conf_drop(&cf);
}

static void
test_read_reply_lost(void)
{
    rs_conf_t cf;
    texec_t t = {.mode = EX_ECHO};
    rp_proxy_t px;
    char port[16];
    rs_stats_t st;
    rp_start(&px, base, rt.port);
    snprintf(port, sizeof(port), "%d", px.port);
    conf_make(&cf, "r", (const char *[]){"redis_port", port, "consumer", "r", NULL});
    /* armed before the first read: the first reply that carries entries is lost, while
     * nothing else (no commit) is outstanding; the entries stay in r-0's PEL */
    rp_cut_reply(&px, "XREADGROUP", "input");
    rs_consumer_t *c = rs_consumer_new(base, &cf, 0, texec_run, texec_committed, &t);
    RUN_UNTIL(rs_consumer_state(c) == RS_ST_RUNNING, 3000);
    RUN_MS(100);
    xadd("r", 4, "acme");
    RUN_UNTIL(t.written == 4, 5000);
    CHECK_INT(px.cuts, 1);
    CHECK_INT(t.written, 4);
    CHECK_INT(t.dups, 0);
    rs_consumer_stats(c, &st);
    CHECK_INT(st.dispatched, 4);
    CHECK_INT(rt_int("XLEN {r}:results"), 4);
    CHECK_INT(pending("r"), 0);
    rs_consumer_free(c);
    rp_stop(&px);
    conf_drop(&cf);
}

static void
test_partition(void)
{
    rs_conf_t cf;
    texec_t t = {.mode = EX_ECHO};
    rp_proxy_t px;
    char port[16];
    rs_stats_t st;
    rp_start(&px, base, rt.port);
    snprintf(port, sizeof(port), "%d", px.port);
    conf_make(&cf, "q",
              (const char *[]){"redis_port", port, "cmd_timeout", "300ms", "connect_timeout",
                               "300ms", "max_inflight", "64", "read_count", "16", NULL});
    rs_consumer_t *c = rs_consumer_new(base, &cf, 0, texec_run, texec_committed, &t);
    xadd("q", 50, "acme");
    RUN_UNTIL(t.written == 50, 3000);
    rp_stall(&px, 1);
    xadd("q", 200, "acme");
    RUN_MS(1500);
    rs_consumer_stats(c, &st);
    CHECK(rs_conn_timeouts(rs_consumer_conn(c)) >= 1);
    CHECK(st.inflight <= 64); /* bounded while Redis is unreachable */
    rp_stall(&px, 0);
    RUN_UNTIL(t.written + t.dups >= 250 && pending("q") == 0, 8000);
    CHECK_INT(rt_int("XLEN {q}:results"), 250);
    CHECK_INT(hget("{q}:usage:acme", "m1|requests"), 250);
    CHECK_INT(pending("q"), 0);
    rs_consumer_free(c);
    rp_stop(&px);
    conf_drop(&cf);
}

/* A server that accepts and never answers: every command must time out, and the connection
 * be rebuilt with backoff, forever, without blocking the loop. */

static void
on_mute_accept(struct evconnlistener *l, evutil_socket_t fd, struct sockaddr *sa, int len,
               void *arg)
{
    int *fds = arg;
    SX_UNUSED(l);
    SX_UNUSED(sa);
    SX_UNUSED(len);
    for (int i = 0; i < 64; i++)
        if (fds[i] < 0) {
            fds[i] = fd;
            return;
        }
    close(fd);
}

static void
test_mute_server_timeouts(void)
{
    rs_conf_t cf;
    texec_t t = {.mode = EX_ECHO};
    struct sockaddr_in a;
    socklen_t alen = sizeof(a);
    int fds[64];
    char port[16];
    for (int i = 0; i < 64; i++)
        fds[i] = -1;
    memset(&a, 0, sizeof(a));
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    struct evconnlistener *l = evconnlistener_new_bind(
        base, on_mute_accept, fds, LEV_OPT_CLOSE_ON_FREE, 16, (struct sockaddr *)&a, sizeof(a));
    getsockname(evconnlistener_get_fd(l), (struct sockaddr *)&a, &alen);
    snprintf(port, sizeof(port), "%d", ntohs(a.sin_port));
    conf_make(&cf, "m", (const char *[]){"redis_port", port, "cmd_timeout", "100ms", NULL});
    rs_consumer_t *c = rs_consumer_new(base, &cf, 0, texec_run, texec_committed, &t);
    uint64_t t0 = now_ms();
    RUN_MS(1200);
    uint64_t took = now_ms() - t0;
    rs_conn_t *conn = rs_consumer_conn(c);
    CHECK(rs_conn_timeouts(conn) >= 2);
    CHECK(rs_conn_connects(conn) >= 2);
    /* backoff: 20 ms doubling to 300 ms plus 100 ms per timeout bounds the attempts */
    CHECK(rs_conn_connects(conn) <= 10);
    CHECK(took < 3000); /* the loop never blocked (generous for loaded machines) */
    CHECK_INT(rs_consumer_state(c), RS_ST_STARTING);
    rs_consumer_free(c);
    evconnlistener_free(l);
    for (int i = 0; i < 64; i++)
        if (fds[i] >= 0)
            close(fds[i]);
    conf_drop(&cf);
}

static void
test_auth(void)
{
    rs_conf_t good, bad;
    texec_t tg = {.mode = EX_ECHO}, tb = {.mode = EX_ECHO};
    freeReplyObject(rt_cmd("CONFIG SET requirepass s3cret"));
    conf_make(&good, "a", (const char *[]){"redis_password", "s3cret", NULL});
    conf_make(&bad, "a", (const char *[]){"consumer", "nopw", NULL});
    rs_consumer_t *g = rs_consumer_new(base, &good, 0, texec_run, texec_committed, &tg);
    rs_consumer_t *b = rs_consumer_new(base, &bad, 0, texec_run, texec_committed, &tb);
    RUN_UNTIL(rs_consumer_state(g) == RS_ST_RUNNING && rs_consumer_state(b) == RS_ST_FATAL, 3000);
    CHECK_INT(rs_consumer_state(g), RS_ST_RUNNING);
    CHECK_INT(rs_consumer_state(b), RS_ST_FATAL);
    CHECK(rs_consumer_error(b) != NULL && strstr(rs_consumer_error(b), "NOAUTH") != NULL);
    xadd("a", 3, "acme");
    RUN_UNTIL(tg.written == 3, 3000);
    CHECK_INT(tg.written, 3);
    freeReplyObject(rt_cmd("CONFIG SET requirepass %s", ""));
    rs_consumer_free(g);
    rs_consumer_free(b);
    conf_drop(&good);
    conf_drop(&bad);
}

/* kill -9 of a worker process holding a batch: another worker takes over, one result and
 * one bill per event. */

static void
test_worker_killed(void)
{
    rs_conf_t cf;
    texec_t t = {.mode = EX_ECHO};
    pid_t pid;
    conf_make(&cf, "w", (const char *[]){"claim_idle", "200ms", "claim_interval", "50ms", NULL});
    freeReplyObject(rt_cmd("XGROUP CREATE {w}:events stepxd 0 MKSTREAM"));
    xadd("w", 20, "acme");
    pid = fork();
    if (pid == 0) {
        rs_conf_t ccf;
        texec_t ct = {.mode = EX_HOLD};
        base = event_base_new(); /* the parent's loop is not ours */
        rt.sync = NULL;
        conf_make(&ccf, "w", (const char *[]){"consumer", "doomed", NULL});
        rs_consumer_new(base, &ccf, 0, texec_run, texec_committed, &ct);
        for (;;)
            event_base_loop(base, EVLOOP_ONCE);
    }
    /* wait until the child holds all 20 (its PEL), then kill it */
    uint64_t d = now_ms() + 3000;
    while (pending("w") < 20 && now_ms() < d)
        rt_sleep_ms(10);
    CHECK_INT(pending("w"), 20);
    kill(pid, SIGKILL);
    waitpid(pid, NULL, 0);
    rs_consumer_t *c = rs_consumer_new(base, &cf, 0, texec_run, texec_committed, &t);
    RUN_UNTIL(t.written == 20, 5000);
    CHECK_INT(t.written, 20);
    CHECK_INT(rt_int("XLEN {w}:results"), 20);
    CHECK_INT(hget("{w}:usage:acme", "m1|requests"), 20);
    CHECK_INT(pending("w"), 0);
    rs_consumer_free(c);
    conf_drop(&cf);
}

static int
cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Three consumers whose connections are all killed 30 times while 3000 events flow (2, 10
 * or 100 ms after each burst): each event still ends with exactly one result and one bill. */
static void
test_churn_exactly_once(void)
{
    enum { N = 3000, W = 3 };
    rs_conf_t cf[W];
    texec_t t[W];
    rs_consumer_t *c[W];
    char name[8];
    for (int i = 0; i < W; i++) {
        snprintf(name, sizeof(name), "c%d", i);
        conf_make(&cf[i], "z",
                  (const char *[]){"consumer", name, "claim_idle", "300ms", "claim_interval",
                                   "100ms", "read_count", "64", NULL});
        memset(&t[i], 0, sizeof(t[i]));
        c[i] = rs_consumer_new(base, &cf[i], 0, texec_run, texec_committed, &t[i]);
    }
    RUN_UNTIL(rs_consumer_state(c[0]) == RS_ST_RUNNING && rs_consumer_state(c[2]) == RS_ST_RUNNING,
              3000);
    for (int round = 0; round < 30; round++) {
        xadd("z", N / 30, round % 2 ? "acme" : "beta");
        RUN_MS(round % 3 == 0 ? 2 : round % 3 == 1 ? 10 : 100); /* kill mid-flight, or not */
        freeReplyObject(rt_cmd("CLIENT KILL TYPE normal"));
    }
    RUN_UNTIL(rt_int("XLEN {z}:results") >= N && pending("z") == 0, 15000);
    CHECK_INT(pending("z"), 0);
    CHECK_INT(rt_int("XLEN {z}:results"), N);
    CHECK_INT(hget("{z}:usage:acme", "m1|requests") + hget("{z}:usage:beta", "m1|requests"), N);
    /* every event id appears once among the results */
    redisReply *r = rt_cmd("XRANGE {z}:results - +");
    CHECK(r && r->type == REDIS_REPLY_ARRAY && r->elements == N);
    if (r && r->type == REDIS_REPLY_ARRAY && r->elements == N) {
        char **ids = sx_malloc(N * sizeof(*ids));
        size_t dup = 0;
        for (size_t i = 0; i < N; i++)
            ids[i] = r->element[i]->element[1]->element[1]->str; /* fields: id <id> ... */
        qsort(ids, N, sizeof(*ids), cmp_str);
        for (size_t i = 1; i < N; i++)
            dup += strcmp(ids[i - 1], ids[i]) == 0;
        CHECK_INT(dup, 0);
        sx_free(ids);
    }
    if (r)
        freeReplyObject(r);
    uint64_t connects = 0, dups = 0;
    for (int i = 0; i < W; i++) {
        rs_stats_t st;
        rs_consumer_stats(c[i], &st);
        connects += rs_conn_connects(rs_consumer_conn(c[i]));
        dups += st.duplicates;
        rs_consumer_free(c[i]);
        conf_drop(&cf[i]);
    }
    CHECK(connects >= 3 * 15); /* the churn really happened */
    if (getenv("SX_DEBUG"))
        fprintf(stderr, "connects %llu duplicates %llu\n", (unsigned long long)connects,
                (unsigned long long)dups);
}

/* ---- the event adapter (rs_adapter.c): writes that wait, and writes done in one turn ---- */

typedef struct replies {
    int n;          /* replies seen */
    long long v[8]; /* integer replies, or the string length, in order */
} replies_t;

static void
on_reply(rs_conn_t *c, redisReply *r, void *ud)
{
    replies_t *rp = ud;
    SX_UNUSED(c);
    if (rp->n < 8)
        rp->v[rp->n] = r == NULL                        ? -1
                       : r->type == REDIS_REPLY_INTEGER ? r->integer
                       : r->type == REDIS_REPLY_STATUS  ? (long long)r->len
                                                        : -2;
    rp->n++;
}

static void
test_adapter_big_and_many(void)
{
    rs_conf_t cf;
    replies_t rp = {0};
    conf_make(&cf, "k", NULL);
    rs_conn_t *conn = rs_conn_new(base, &cf, NULL, NULL);
    RUN_UNTIL(rs_conn_up(conn), 3000);
    CHECK(rs_conn_up(conn));
    /* 16 MiB: far beyond a socket buffer, so the write must wait for writability */
    size_t big = (size_t)16 << 20;
    char *val = sx_malloc(big);
    memset(val, 'v', big);
    const char *set[] = {"SET", "{k}:big", val};
    const size_t setl[] = {3, 7, big};
    const char *len[] = {"STRLEN", "{k}:big"};
    const char *incr[] = {"INCR", "{k}:n"};
    CHECK(rs_conn_argv(conn, 10000, on_reply, &rp, 3, set, setl) == SX_OK);
    CHECK(rs_conn_argv(conn, 10000, on_reply, &rp, 2, len, NULL) == SX_OK);
    /* commands queued in one turn: all answered, in order */
    for (int i = 0; i < 4; i++)
        CHECK(rs_conn_argv(conn, 10000, on_reply, &rp, 2, incr, NULL) == SX_OK);
    RUN_UNTIL(rp.n == 6, 10000);
    CHECK_INT(rp.n, 6);
    CHECK_INT(rp.v[0], 2); /* +OK */
    CHECK_INT(rp.v[1], (long long)big);
    for (int i = 0; i < 4; i++)
        CHECK_INT(rp.v[2 + i], i + 1);
    sx_free(val);
    rs_conn_free(conn);
    conf_drop(&cf);
}

static const sx_test_t tests[] = {{"churn_exactly_once", test_churn_exactly_once},
                                  {"reconnect_after_client_kill", test_reconnect_after_client_kill},
                                  {"timeout_client_pause", test_timeout_client_pause},
                                  {"commit_reply_lost", test_commit_reply_lost},
                                  {"read_reply_lost", test_read_reply_lost},
                                  {"partition", test_partition},
                                  {"mute_server_timeouts", test_mute_server_timeouts},
                                  {"auth", test_auth},
                                  {"worker_killed", test_worker_killed},
                                  {"adapter_big_and_many", test_adapter_big_and_many},
                                  {NULL, NULL}};

int
main(int argc, char **argv)
{
    return rt_e2e_main("stream_faults", tests, argc, argv);
}
