/*
 * rs_test_e2e.h: shared pieces of the stream e2e tests: a loop runner, config builder, test
 * executors (echo: complete at once, validating JSON / msgpack; hold: keep events until
 * released) and Redis inspection helpers. Include after rs_test_redis.h.
 */
#ifndef RS_TEST_E2E_H
#define RS_TEST_E2E_H

#include <event2/event.h>
#include <hiredis/hiredis.h>

#include "../sx_test.h"
#include "stepx/stream.h"
#include "stepx/val.h"

static struct event_base *base;
static char logbuf[8192];

static inline void
log_capture(int level, const char *msg)
{
    size_t n = strlen(logbuf);
    SX_UNUSED(level);
    if (n + strlen(msg) + 2 < sizeof(logbuf))
        snprintf(logbuf + n, sizeof(logbuf) - n, "%s\n", msg);
}

static inline uint64_t
now_ms(void)
{
    return sx_mono_ns() / 1000000;
}

#define RUN_UNTIL(cond, ms)                                                                        \
    do {                                                                                           \
        uint64_t d_ = now_ms() + (ms);                                                             \
        while (!(cond) && now_ms() < d_)                                                           \
            event_base_loop(base, EVLOOP_ONCE);                                                    \
    } while (0)
#define RUN_MS(ms) RUN_UNTIL(0, ms)

/* ---- configuration ---- */

static const char *const base_kv[] = {"consumer",
                                      "t",
                                      "read_block",
                                      "100ms",
                                      "claim_interval",
                                      "1h",
                                      "reconnect_min",
                                      "20ms",
                                      "reconnect_max",
                                      "300ms",
                                      NULL};

/* Fills cf with defaults, the base settings, tag and then kv pairs (NULL-terminated). */
static inline void
conf_make(rs_conf_t *cf, const char *tag, const char *const *kv)
{
    cfg_err_t err;
    cfg_section_t sec = {rs_conf_directives, cf};
    char port[16];
    memset(cf, 0, sizeof(*cf));
    CHECK_INT(cfg_defaults_apply(&sec, 1, &err), SX_OK);
    snprintf(port, sizeof(port), "%d", rt.port);
    CHECK_INT(cfg_set(&sec, 1, "test", "redis_port", 10, port, &err), SX_OK);
    CHECK_INT(cfg_set(&sec, 1, "test", "redis_tag", 9, tag, &err), SX_OK);
    for (const char *const *p = base_kv; *p; p += 2)
        CHECK_INT(cfg_set(&sec, 1, "test", p[0], strlen(p[0]), p[1], &err), SX_OK);
    for (const char *const *p = kv; p && *p; p += 2)
        if (cfg_set(&sec, 1, "test", p[0], strlen(p[0]), p[1], &err) != SX_OK) {
            fprintf(stderr, "conf: %s\n", err.msg);
            CHECK(0);
        }
}

static inline void
conf_drop(rs_conf_t *cf)
{
    cfg_section_t sec = {rs_conf_directives, cf};
    cfg_sections_fini(&sec, 1);
}

/* ---- test executors ---- */

enum { EX_ECHO, EX_HOLD };

typedef struct texec {
    int mode;              /* EX_ECHO completes at once, EX_HOLD keeps events */
    rs_event_t *held[512]; /* EX_HOLD */
    int nheld;
    int written, dups; /* committed callback counts */
    uint32_t last_deliveries;
} texec_t;

static inline void
echo_complete(rs_event_t *ev)
{
    sx_arena_t *a = sx_arena_new(0);
    sx_sbuf_t json = SX_SBUF_INIT;
    const val_t *v;
    val_json_err_t jerr;
    char msg[256];
    rs_outcome_t out = {0};
    if (ev->input_msgpack) {
        if (rs_msgpack_to_json(ev->input, ev->input_len, &json, msg, sizeof(msg)) != SX_OK) {
            rs_event_reject(ev, msg);
            goto out;
        }
    } else {
        sx_sbuf_add(&json, ev->input, ev->input_len);
    }
    if (val_json_parse(a, json.p, json.len, &v, &jerr) != SX_OK) {
        snprintf(msg, sizeof(msg), "bad JSON input: %s", jerr.msg);
        rs_event_reject(ev, msg);
        goto out;
    }
    if (strcmp(ev->machine, "unknown") == 0) {
        rs_event_reject(ev, "unknown state machine 'unknown'");
        goto out;
    }
    if (strcmp(ev->machine, "failing") == 0) {
        out.status = RS_FAILED;
        out.error = "States.TaskFailed";
        out.cause = "boom";
        out.start_ms = sx_wall_ms();
        out.stop_ms = out.start_ms + 250;
        out.memory_mb = 100;
        out.transitions = 3;
        rs_event_complete(ev, &out);
        goto out;
    }
    out.status = RS_SUCCEEDED;
    out.output = json.p;
    out.output_len = json.len;
    out.start_ms = sx_wall_ms();
    out.stop_ms = out.start_ms + 1;
    out.memory_mb = 10;
    out.transitions = 2;
    rs_event_complete(ev, &out);
out:
    sx_sbuf_fini(&json);
    sx_arena_free(a);
}

static inline void
texec_run(rs_event_t *ev, void *ud)
{
    texec_t *t = ud;
    t->last_deliveries = ev->deliveries;
    if (t->mode == EX_HOLD && t->nheld < (int)SX_ARRAY_LEN(t->held))
        t->held[t->nheld++] = ev;
    else
        echo_complete(ev);
}

static inline void
texec_release(texec_t *t)
{
    for (int i = 0; i < t->nheld; i++)
        echo_complete(t->held[i]);
    t->nheld = 0;
}

static inline void
texec_committed(const rs_event_t *ev, bool written, void *ud)
{
    texec_t *t = ud;
    SX_UNUSED(ev);
    if (written)
        t->written++;
    else
        t->dups++;
}

static inline void
xadd(const char *tag, int n, const char *tenant)
{
    for (int i = 0; i < n; i++) {
        redisReply *r =
            rt_cmd("XADD {%s}:events * machine m1 tenant %s input {\"i\":%d}", tag, tenant, i);
        CHECK(r != NULL && r->type == REDIS_REPLY_STRING);
        if (r)
            freeReplyObject(r);
    }
}

static long long
pending(const char *tag)
{
    redisReply *r = rt_cmd("XPENDING {%s}:events stepxd", tag);
    long long n = -1;
    if (r && r->type == REDIS_REPLY_ARRAY && r->elements >= 1)
        n = r->element[0]->integer;
    if (r)
        freeReplyObject(r);
    return n;
}

static long long
hget(const char *key, const char *field)
{
    redisReply *r = rt_cmd("HGET %s %s", key, field);
    long long v = -1;
    if (r && r->type == REDIS_REPLY_STRING)
        v = atoll(r->str);
    if (r)
        freeReplyObject(r);
    return v;
}

/* Returns field `f` of the first entry of stream key as a heap string (or NULL). */
static inline char *
first_field(const char *key, const char *f)
{
    redisReply *r = rt_cmd("XRANGE %s - + COUNT 1", key);
    char *out = NULL;
    if (r && r->type == REDIS_REPLY_ARRAY && r->elements == 1) {
        redisReply *fs = r->element[0]->element[1];
        for (size_t i = 0; i + 1 < fs->elements; i += 2)
            if (strcmp(fs->element[i]->str, f) == 0)
                out = sx_strdup(fs->element[i + 1]->str);
    }
    if (r)
        freeReplyObject(r);
    return out;
}

/* Starts redis-server, runs the group, stops it. */
static inline int
rt_e2e_main(const char *group, const sx_test_t *tests, int argc, char **argv)
{
    int rc;
    if (!rt_have_redis()) {
        printf("SKIP: redis-server is not installed (apt-get install redis-server)\n");
        printf("%s: 0 passed, 0 failed\n", group);
        return 0;
    }
    signal(SIGPIPE, SIG_IGN);
    if (rt_redis_start() != 0) {
        fprintf(stderr, "cannot start redis-server\n");
        rt_redis_stop();
        return 1;
    }
    rs_log_set(log_capture, RS_LOG_INFO);
    base = event_base_new();
    rc = sx_test_main(group, tests, argc, argv);
    event_base_free(base);
    rt_redis_stop();
    return rc;
}

#endif
