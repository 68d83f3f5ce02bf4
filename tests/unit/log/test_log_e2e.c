/*
 * test_log_e2e.c: the Redis sink against a real redis-server on a random loopback port
 * (scripts/redis-test.sh start|stop; SKIP when redis-server is missing). Executions run on
 * the engine (virtual clock), their histories go through log_sink_write on an rs_conn_t,
 * and the entries are read back with XRANGE on a separate blocking hiredis client: fields,
 * message = the formatted event, order, levels, MAXLEN ~ trimming, a connection that is
 * down (SX_AGAIN), replies lost to a teardown, and a sink freed with writes in flight.
 * It also measures the cost per logged execution (ALL level, 3-state Pass machine) and
 * prints it (docs/logging.md quotes the figures).
 */
#include <event2/event.h>
#include <hiredis/hiredis.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "stepx/exec.h"
#include "stepx/log.h"
#include "../sx_test.h"

static int port;
static redisContext *cli;
static struct event_base *base;

/* ---- redis-server and the test's own client ---- */

static int
redis_start(void)
{
    char line[32] = "";
    FILE *f = popen("scripts/redis-test.sh start 0 2>/dev/null", "r");
    if (f == NULL)
        return SX_ERR;
    if (fgets(line, sizeof(line), f) == NULL)
        line[0] = '\0';
    if (pclose(f) != 0 || (port = atoi(line)) <= 0)
        return SX_ERR;
    cli = redisConnect("127.0.0.1", port);
    return cli != NULL && cli->err == 0 ? SX_OK : SX_ERR;
}

static void
redis_stop(void)
{
    char cmd[96];
    if (cli != NULL)
        redisFree(cli);
    snprintf(cmd, sizeof(cmd), "scripts/redis-test.sh stop %d", port);
    if (system(cmd) != 0)
        fprintf(stderr, "  redis-test.sh stop failed\n");
}

static long long
xlen(const char *key)
{
    redisReply *r = redisCommand(cli, "XLEN %s", key);
    long long n = r != NULL && r->type == REDIS_REPLY_INTEGER ? r->integer : -1;
    if (r != NULL)
        freeReplyObject(r);
    return n;
}

/* Field `name` of a stream entry reply ([id, [k, v, ...]]), or NULL. */
static const char *
entry_field(const redisReply *e, const char *name)
{
    const redisReply *kv = e->element[1];
    for (size_t i = 0; i + 1 < kv->elements; i += 2)
        if (strcmp(kv->element[i]->str, name) == 0)
            return kv->element[i + 1]->str;
    return NULL;
}

/* ---- loop, connection, executions ---- */

#define RUN_UNTIL(cond, ms)                                                                        \
    do {                                                                                           \
        uint64_t d_ = sx_mono_ns() + (uint64_t)(ms)*1000000u;                                      \
        while (!(cond) && sx_mono_ns() < d_)                                                       \
            event_base_loop(base, EVLOOP_ONCE | EVLOOP_NONBLOCK);                                  \
    } while (0)

static rs_conf_t rsc;
static log_conf_t lc;
static cfg_section_t secs[2] = {{rs_conf_directives, &rsc}, {log_conf_directives, &lc}};

static void
conf_set(const char *k, const char *v)
{
    cfg_err_t err;
    if (cfg_set(secs, 2, "test", k, strlen(k), v, &err) != SX_OK)
        fprintf(stderr, "  conf: %s\n", err.msg);
}

typedef struct done_rec {
    int calls;
    uint32_t written, failed;
} done_rec_t;

static void
on_done(void *ud, uint32_t written, uint32_t failed)
{
    done_rec_t *d = ud;
    d->calls++;
    d->written += written;
    d->failed += failed;
}

typedef struct run {
    asl_machine_t *m;
    sch_t *s;
    ex_engine_t e;
} run_t;

static const char PASS3[] = "{\"StartAt\":\"A\",\"States\":{"
                            "\"A\":{\"Type\":\"Pass\",\"Result\":{\"n\":1},\"Next\":\"B\"},"
                            "\"B\":{\"Type\":\"Pass\",\"ResultPath\":\"$.b\",\"Next\":\"C\"},"
                            "\"C\":{\"Type\":\"Pass\",\"End\":true}}}";
static const char FAIL1[] = "{\"StartAt\":\"F\",\"States\":{\"F\":{\"Type\":\"Fail\","
                            "\"Error\":\"Oops\",\"Cause\":\"bad\"}}}";

static int
run_init(run_t *r, const char *def)
{
    char *why = NULL;
    if (asl_machine_compile_text(def, strlen(def), ASL_TYPE_EXPRESS, &r->m, &why) != SX_OK) {
        fprintf(stderr, "  compile: %s\n", why ? why : "?");
        sx_free(why);
        return SX_ERR;
    }
    r->s = sch_new(SCH_CLOCK_VIRTUAL, 1718040000123);
    ex_engine_init(&r->e, r->s);
    return SX_OK;
}

static void
run_fini(run_t *r)
{
    asl_machine_unref(r->m);
    sch_free(r->s);
}

/* Runs one execution to its end; the caller frees it. */
static ex_exec_t *
run_one(run_t *r, const char *name, const char *input)
{
    ex_opts_t o;
    ex_exec_t *ex;
    const val_t *in = NULL;
    memset(&o, 0, sizeof(o));
    o.type = ASL_TYPE_EXPRESS;
    o.sm_name = name;
    o.history = true;
    ex = ex_exec_new(&r->e, r->m, &o);
    val_json_parse(ex_exec_arena(ex), input, strlen(input), &in, NULL);
    ex_exec_start(ex, in);
    sch_run(r->s);
    return ex;
}

static log_config_t
lcfg(log_level_t level, bool data, const char *group)
{
    log_config_t c;
    log_config_init(&c);
    c.level = level;
    c.include_data = data;
    snprintf(c.group_name, sizeof(c.group_name), "%s", group);
    return c;
}

static rs_conn_t *
conn_up(void)
{
    rs_conn_t *c = rs_conn_new(base, &rsc, NULL, NULL);
    RUN_UNTIL(rs_conn_up(c), 3000);
    CHECK(rs_conn_up(c));
    return c;
}

/* ---- tests ---- */

static void
test_write_read_back(void)
{
    rs_conn_t *c = conn_up();
    log_sink_t *s = log_sink_new(c, &lc, "logt");
    log_config_t cfg = lcfg(LOG_LEVEL_ALL, true, "g1");
    done_rec_t d = {0, 0, 0};
    run_t r;
    log_stats_t st;
    if (run_init(&r, PASS3) != SX_OK)
        goto out;
    ex_exec_t *ex = run_one(&r, "Pass3", "{\"k\":\"v\"}");
    log_exec_t x = {ex_exec_arn(ex), "Pass3", ex_exec_start_ms(ex)};
    const val_t *hist = ex_exec_history(ex);

    CHECK_INT(log_sink_write(s, &cfg, &x, hist, on_done, &d), SX_OK);
    CHECK_INT(log_sink_pending(s), 1);
    RUN_UNTIL(d.calls > 0, 3000);
    CHECK_INT(d.calls, 1);
    CHECK_INT(d.written, 8);
    CHECK_INT(d.failed, 0);
    CHECK_INT(log_sink_pending(s), 0);
    log_sink_stats(s, &st);
    CHECK_INT(st.execs, 1);
    CHECK_INT(st.events, 8);
    CHECK_INT(st.written, 8);
    CHECK_INT(st.failed + st.unsent + st.malformed, 0);

    /* read back: fields, and message = the formatted event, in history order */
    redisReply *rr = redisCommand(cli, "XRANGE {logt}:logs - +");
    CHECK(rr != NULL && rr->type == REDIS_REPLY_ARRAY && rr->elements == 8);
    for (size_t i = 0; rr != NULL && i < rr->elements && i < 8; i++) {
        const redisReply *e = rr->element[i];
        char stream[LOG_NAME_MAX + 1];
        sx_sbuf_t want = SX_SBUF_INIT;
        CHECK_INT(e->element[1]->elements, 10);
        CHECK_STR(entry_field(e, "group"), "g1");
        CHECK_STR(entry_field(e, "stream"), log_stream_name(&x, stream));
        CHECK(strncmp(stream, "states/Pass3/2024-06-10/", 24) == 0);
        CHECK_STR(entry_field(e, "machine"), "Pass3");
        CHECK_STR(entry_field(e, "execution"), ex_exec_arn(ex));
        CHECK_INT(log_event_format(&want, &cfg, &x, val_arr_at(hist, i), 0), SX_OK);
        CHECK_STR(entry_field(e, "message"), want.p);
        CHECK(st.bytes >= want.len);
        sx_sbuf_fini(&want);
    }
    if (rr != NULL)
        freeReplyObject(rr);
    ex_exec_free(ex);
    run_fini(&r);
out:
    log_sink_free(s);
    rs_conn_free(c);
}

static void
test_levels(void)
{
    rs_conn_t *c = conn_up();
    log_sink_t *s;
    done_rec_t d = {0, 0, 0};
    run_t r;
    conf_set("log_stream", "lv");
    s = log_sink_new(c, &lc, "logt");
    if (run_init(&r, FAIL1) != SX_OK)
        goto out;
    ex_exec_t *ex = run_one(&r, "F1", "{}");
    log_exec_t x = {ex_exec_arn(ex), "F1", ex_exec_start_ms(ex)};
    const val_t *hist = ex_exec_history(ex);
    log_config_t all = lcfg(LOG_LEVEL_ALL, false, ""), err = lcfg(LOG_LEVEL_ERROR, false, "");
    log_config_t fatal = lcfg(LOG_LEVEL_FATAL, false, ""), off = lcfg(LOG_LEVEL_OFF, true, "");

    /* ExecutionStarted, FailStateEntered, ExecutionFailed */
    CHECK_INT(val_len(hist), 3);
    CHECK_INT(log_sink_write(s, &off, &x, hist, on_done, &d), SX_DECLINED);
    CHECK_INT(log_sink_write(s, &fatal, &x, hist, on_done, &d), SX_OK);
    CHECK_INT(log_sink_write(s, &err, &x, hist, on_done, &d), SX_OK);
    CHECK_INT(log_sink_write(s, &all, &x, hist, on_done, &d), SX_OK);
    CHECK_INT(log_sink_pending(s), 3);
    RUN_UNTIL(d.calls == 3, 3000);
    CHECK_INT(d.calls, 3);
    CHECK_INT(d.written, 1 + 2 + 3);
    CHECK_INT(xlen("{logt}:lv"), 6);

    redisReply *rr = redisCommand(cli, "XRANGE {logt}:lv - +");
    static const char *const types[] = {"ExecutionFailed",  "FailStateEntered", "ExecutionFailed",
                                        "ExecutionStarted", "FailStateEntered", "ExecutionFailed"};
    for (size_t i = 0; rr != NULL && i < rr->elements && i < 6; i++) {
        const char *msg = entry_field(rr->element[i], "message");
        char want[64];
        snprintf(want, sizeof(want), "\"type\":\"%s\"", types[i]);
        CHECK(msg != NULL && strstr(msg, want) != NULL);
        /* default group name; includeExecutionData false strips the input */
        CHECK_STR(entry_field(rr->element[i], "group"), "/aws/vendedlogs/states/F1-Logs");
        CHECK(msg != NULL && strstr(msg, "\"input\"") == NULL);
    }
    /* the failure's details survive stripping */
    CHECK(rr != NULL && rr->elements == 6 &&
          strstr(entry_field(rr->element[0], "message"),
                 "\"details\":{\"error\":\"Oops\",\"cause\":\"bad\"}") != NULL);
    if (rr != NULL)
        freeReplyObject(rr);
    ex_exec_free(ex);
    run_fini(&r);
out:
    conf_set("log_stream", "logs");
    log_sink_free(s);
    rs_conn_free(c);
}

static void
test_maxlen(void)
{
    rs_conn_t *c = conn_up();
    log_sink_t *s;
    done_rec_t d = {0, 0, 0};
    log_config_t cfg = lcfg(LOG_LEVEL_ALL, true, "g");
    run_t r;
    conf_set("log_stream", "trim");
    conf_set("log_maxlen", "10");
    s = log_sink_new(c, &lc, "logt");
    if (run_init(&r, PASS3) != SX_OK)
        goto out;
    for (int i = 0; i < 100; i++) {
        ex_exec_t *ex = run_one(&r, "T", "{}");
        log_exec_t x = {ex_exec_arn(ex), "T", ex_exec_start_ms(ex)};
        CHECK_INT(log_sink_write(s, &cfg, &x, ex_exec_history(ex), on_done, &d), SX_OK);
        ex_exec_free(ex);
    }
    RUN_UNTIL(d.calls == 100, 5000);
    CHECK_INT(d.written, 800);
    /* MAXLEN ~ trims whole radix-tree nodes (100 entries by default): far below 800 */
    long long n = xlen("{logt}:trim");
    CHECK(n >= 10 && n <= 10 + 100);
    run_fini(&r);
out:
    conf_set("log_stream", "logs");
    conf_set("log_maxlen", "1000000");
    log_sink_free(s);
    rs_conn_free(c);
}

static void
test_connection_down_and_lost(void)
{
    rs_conn_t *c = conn_up();
    log_sink_t *s;
    done_rec_t d = {0, 0, 0};
    log_config_t cfg = lcfg(LOG_LEVEL_ALL, true, "g");
    log_stats_t st;
    run_t r;
    conf_set("log_stream", "down");
    s = log_sink_new(c, &lc, "logt");
    if (run_init(&r, PASS3) != SX_OK)
        goto out;
    ex_exec_t *ex = run_one(&r, "D", "{}");
    log_exec_t x = {ex_exec_arn(ex), "D", ex_exec_start_ms(ex)};
    const val_t *hist = ex_exec_history(ex);

    /* sent, then the connection is torn down before any reply: all 8 lost, done once */
    CHECK_INT(log_sink_write(s, &cfg, &x, hist, on_done, &d), SX_OK);
    rs_conn_reset(c, "test");
    CHECK_INT(d.calls, 1);
    CHECK_INT(d.written, 0);
    CHECK_INT(d.failed, 8);
    /* down: nothing sent, SX_AGAIN, done not called */
    CHECK_INT(log_sink_write(s, &cfg, &x, hist, on_done, &d), SX_AGAIN);
    CHECK_INT(d.calls, 1);
    log_sink_stats(s, &st);
    CHECK_INT(st.failed, 8);
    CHECK_INT(st.unsent, 8);
    CHECK_INT(st.execs, 1);
    /* reconnects by itself; writes work again */
    RUN_UNTIL(rs_conn_up(c), 3000);
    CHECK_INT(log_sink_write(s, &cfg, &x, hist, on_done, &d), SX_OK);
    RUN_UNTIL(d.calls == 2, 3000);
    CHECK_INT(d.written, 8);
    CHECK_INT(xlen("{logt}:down"), 8);
    /* a history with nothing to log */
    CHECK_INT(log_sink_write(s, &cfg, &x, val_arr_empty(), on_done, &d), SX_DECLINED);
    CHECK_INT(log_sink_write(s, &cfg, &x, val_obj_empty(), on_done, &d), SX_DECLINED);
    ex_exec_free(ex);
    run_fini(&r);
out:
    conf_set("log_stream", "logs");
    log_sink_free(s);
    rs_conn_free(c);
}

static void
test_free_with_pending(void)
{
    rs_conn_t *c = conn_up();
    log_sink_t *s;
    done_rec_t d = {0, 0, 0};
    log_config_t cfg = lcfg(LOG_LEVEL_ALL, true, "g");
    run_t r;
    conf_set("log_stream", "pend");
    s = log_sink_new(c, &lc, "logt");
    if (run_init(&r, PASS3) != SX_OK) {
        log_sink_free(s);
        goto out;
    }
    ex_exec_t *ex = run_one(&r, "P", "{}");
    log_exec_t x = {ex_exec_arn(ex), "P", ex_exec_start_ms(ex)};
    CHECK_INT(log_sink_write(s, &cfg, &x, ex_exec_history(ex), on_done, &d), SX_OK);
    CHECK_INT(log_sink_write(s, &cfg, &x, ex_exec_history(ex), on_done, &d), SX_OK);
    ex_exec_free(ex); /* messages were copied into the command buffer */
    log_sink_free(s); /* two writes in flight: freed by the last reply (ASan checks) */
    RUN_UNTIL(xlen("{logt}:pend") == 16, 3000);
    RUN_UNTIL(0, 50);
    CHECK_INT(xlen("{logt}:pend"), 16);
    CHECK_INT(d.calls, 0);
    run_fini(&r);
out:
    conf_set("log_stream", "logs");
    rs_conn_free(c);
}

static void
test_free_conn_first(void)
{
    /* connection freed before the sink: pending callbacks run with NULL, then free is plain */
    rs_conn_t *c = conn_up();
    log_sink_t *s = log_sink_new(c, &lc, "logt");
    done_rec_t d = {0, 0, 0};
    log_config_t cfg = lcfg(LOG_LEVEL_FATAL, true, "g");
    run_t r;
    if (run_init(&r, FAIL1) != SX_OK)
        goto out;
    ex_exec_t *ex = run_one(&r, "Q", "{}");
    log_exec_t x = {ex_exec_arn(ex), "Q", ex_exec_start_ms(ex)};
    CHECK_INT(log_sink_write(s, &cfg, &x, ex_exec_history(ex), on_done, &d), SX_OK);
    rs_conn_free(c);
    c = NULL;
    CHECK_INT(d.calls, 1);
    CHECK_INT(d.failed, 1);
    CHECK_INT(log_sink_pending(s), 0);
    ex_exec_free(ex);
    run_fini(&r);
out:
    log_sink_free(s);
    if (c != NULL)
        rs_conn_free(c);
}

static uint64_t
cpu_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* redis-server's CPU time so far (INFO cpu: used_cpu_sys + used_cpu_user), in us. */
static double
redis_cpu_us(void)
{
    redisReply *r = redisCommand(cli, "INFO cpu");
    double sys = 0, user = 0;
    const char *p;
    if (r != NULL && r->type == REDIS_REPLY_STRING) {
        if ((p = strstr(r->str, "used_cpu_sys:")) != NULL)
            sys = atof(p + 13);
        if ((p = strstr(r->str, "used_cpu_user:")) != NULL)
            user = atof(p + 14);
    }
    if (r != NULL)
        freeReplyObject(r);
    return (sys + user) * 1e6;
}

/* Cost per logged execution, ALL level with data, 3-state Pass machine (8 events). */
static void
test_cost(void)
{
    enum { N = 3000 };
    rs_conn_t *c = conn_up();
    log_sink_t *s;
    done_rec_t d = {0, 0, 0};
    log_config_t cfg = lcfg(LOG_LEVEL_ALL, true, "g");
    run_t r;
    sx_sbuf_t b = SX_SBUF_INIT;
    uint64_t t0, t_run = 0, t_fmt = 0, t_send = 0, t_all, c_all;
    double redis_us;
    conf_set("log_stream", "cost");
    s = log_sink_new(c, &lc, "logt");
    if (run_init(&r, PASS3) != SX_OK)
        goto out;
    redis_us = redis_cpu_us();
    t_all = sx_mono_ns();
    c_all = cpu_ns();
    for (int i = 0; i < N; i++) {
        t0 = cpu_ns();
        ex_exec_t *ex = run_one(&r, "Cost", "{\"order\":42,\"items\":[\"a\",\"b\"]}");
        log_exec_t x = {ex_exec_arn(ex), "Cost", ex_exec_start_ms(ex)};
        const val_t *hist = ex_exec_history(ex);
        uint64_t t1 = cpu_ns();
        for (uint32_t k = 0; k < val_len(hist); k++) {
            sx_sbuf_reset(&b);
            log_event_format(&b, &cfg, &x, val_arr_at(hist, k), 0);
        }
        uint64_t t2 = cpu_ns();
        log_sink_write(s, &cfg, &x, hist, on_done, &d);
        uint64_t t3 = cpu_ns();
        t_run += t1 - t0;
        t_fmt += t2 - t1;
        t_send += t3 - t2;
        ex_exec_free(ex);
        if (i % 64 == 63) /* let the loop write and read replies, as a worker would */
            event_base_loop(base, EVLOOP_ONCE | EVLOOP_NONBLOCK);
    }
    RUN_UNTIL(d.calls == N, 10000);
    t_all = sx_mono_ns() - t_all;
    c_all = cpu_ns() - c_all;
    redis_us = redis_cpu_us() - redis_us;
    CHECK_INT(d.written, 8 * N);
    CHECK_INT(xlen("{logt}:cost"), 8 * N);
    /* CPU time of this thread (robust to a loaded machine); the last figure adds the
     * event loop's writes and reply reads */
    printf("cost per execution (3-state Pass, ALL, data, %d runs, thread CPU): engine %.1f us, "
           "format 8 events %.1f us, log_sink_write (format + 8 XADDs queued) %.1f us; "
           "whole loop incl. socket I/O and replies %.1f us CPU, %.1f us wall per execution; "
           "redis-server %.1f us CPU per execution\n",
           N, t_run / 1e3 / N, t_fmt / 1e3 / N, t_send / 1e3 / N, c_all / 1e3 / N, t_all / 1e3 / N,
           redis_us / N);
    run_fini(&r);
out:
    sx_sbuf_fini(&b);
    conf_set("log_stream", "logs");
    log_sink_free(s);
    rs_conn_free(c);
}

static const sx_test_t tests[] = {
    {"write_read_back", test_write_read_back},
    {"levels", test_levels},
    {"maxlen", test_maxlen},
    {"connection_down_and_lost", test_connection_down_and_lost},
    {"free_with_pending", test_free_with_pending},
    {"free_conn_first", test_free_conn_first},
    {"cost", test_cost},
    {NULL, NULL},
};

int
main(int argc, char **argv)
{
    cfg_err_t err;
    int rc;
    if (system("command -v redis-server >/dev/null 2>&1") != 0) {
        printf("log_e2e: SKIP (redis-server not installed)\n");
        return 0;
    }
    if (redis_start() != SX_OK) {
        fprintf(stderr, "log_e2e: redis-server did not start\n");
        return 1;
    }
    rs_log_set(NULL, RS_LOG_ERROR);
    base = event_base_new();
    memset(&rsc, 0, sizeof(rsc));
    memset(&lc, 0, sizeof(lc));
    cfg_defaults_apply(secs, 2, &err);
    char p[16];
    snprintf(p, sizeof(p), "%d", port);
    conf_set("redis_port", p);
    conf_set("reconnect_min", "10ms");
    conf_set("reconnect_max", "50ms");
    rc = sx_test_main("log_e2e", tests, argc, argv);
    cfg_sections_fini(secs, 2);
    event_base_free(base);
    redis_stop();
    return rc;
}
