/*
 * test_e2e_stream.c: the stream layer against a real redis-server on a random loopback port
 * (label needs:redis). Each test uses its own hash tag, so keys never collide.
 *
 * Covered: group creation, batch reads, validation dead-letters, msgpack input, the
 * ack-gated commit (a late commit of an entry taken over writes nothing), XAUTOCLAIM takeover,
 * dead-lettering after max_deliveries, own-PEL history after reconnect (no double dispatch),
 * reconnect after CLIENT KILL, command timeouts under CLIENT PAUSE and DEBUG SLEEP, NOGROUP
 * reported and not recreated, the eviction-policy refusal, and a commit refused whole under
 * maxmemory then retried.
 */
#include <event2/event.h>
#include <hiredis/hiredis.h>

#include "../sx_test.h"
#include "rs_test_redis.h"
#include "rs_test_proxy.h"
#include "stepx/stream.h"
#include "stepx/val.h"

static struct event_base *base;
static char logbuf[8192];

static void
log_capture(int level, const char *msg)
{
    size_t n = strlen(logbuf);
    SX_UNUSED(level);
    if (n + strlen(msg) + 2 < sizeof(logbuf))
        snprintf(logbuf + n, sizeof(logbuf) - n, "%s\n", msg);
}

static uint64_t
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
static void
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

static void
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

static void
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

static void
texec_run(rs_event_t *ev, void *ud)
{
    texec_t *t = ud;
    t->last_deliveries = ev->deliveries;
    if (t->mode == EX_HOLD && t->nheld < (int)SX_ARRAY_LEN(t->held))
        t->held[t->nheld++] = ev;
    else
        echo_complete(ev);
}

static void
texec_release(texec_t *t)
{
    for (int i = 0; i < t->nheld; i++)
        echo_complete(t->held[i]);
    t->nheld = 0;
}

static void
texec_committed(const rs_event_t *ev, bool written, void *ud)
{
    texec_t *t = ud;
    SX_UNUSED(ev);
    if (written)
        t->written++;
    else
        t->dups++;
}

static void
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
static char *
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

/* ---- tests ---- */

static void
test_basic_batches_and_usage(void)
{
    rs_conf_t cf;
    texec_t t = {.mode = EX_ECHO};
    rs_stats_t st;
    conf_make(&cf, "b", NULL);
    xadd("b", 150, "acme");
    xadd("b", 150, "beta");
    rs_consumer_t *c = rs_consumer_new(base, &cf, 0, texec_run, texec_committed, &t);
    RUN_UNTIL(t.written == 300, 5000);
    CHECK_INT(t.written, 300);
    CHECK_INT(rs_consumer_state(c), RS_ST_RUNNING);
    CHECK_STR(rs_consumer_name(c), "t-0");
    CHECK_INT(rt_int("XLEN {b}:results"), 300);
    CHECK_INT(pending("b"), 0);
    CHECK_INT(hget("{b}:usage:acme", "m1|requests"), 150);
    CHECK_INT(hget("{b}:usage:beta", "m1|requests"), 150);
    CHECK_INT(hget("{b}:usage:acme", "m1|billed_ms"), 150 * 100);
    CHECK_INT(hget("{b}:usage:acme", "m1|billed_mb_ms"), 150 * 100 * 64);
    CHECK_INT(hget("{b}:usage:acme", "m1|transitions"), 300);
    CHECK_INT(hget("{b}:usage:beta", "m1|SUCCEEDED"), 150);
    char *out = first_field("{b}:results", "output");
    CHECK_STR(out, "{\"i\":0}");
    sx_free(out);
    out = first_field("{b}:results", "status");
    CHECK_STR(out, "SUCCEEDED");
    sx_free(out);
    rs_consumer_stats(c, &st);
    CHECK_INT(st.read, 300);
    CHECK_INT(st.written, 300);
    CHECK_INT(st.inflight, 0);
    rs_consumer_free(c);
    conf_drop(&cf);
}

static void
test_validation_dead_letters(void)
{
    rs_conf_t cf;
    texec_t t = {.mode = EX_ECHO};
    const char *kv[] = {"max_input", "100", NULL};
    char big[200];
    const char mp_ok[] = "\x81\xa1"
                         "a\x01",
               mp_bad[] = "\xc1";
    memset(big, 'x', sizeof(big) - 1);
    big[sizeof(big) - 1] = '\0';
    conf_make(&cf, "v", kv);
    freeReplyObject(rt_cmd("XADD {v}:events * input {}"));
    freeReplyObject(rt_cmd("XADD {v}:events * machine m1 input {} input_msgpack x"));
    freeReplyObject(rt_cmd("XADD {v}:events * machine m1 input \"%s\"", big));
    freeReplyObject(rt_cmd("XADD {v}:events * machine m1 input {bad"));
    freeReplyObject(rt_cmd("XADD {v}:events * machine unknown input {}"));
    freeReplyObject(rt_cmd("XADD {v}:events * machine m1 input_msgpack %b", mp_ok, (size_t)4));
    freeReplyObject(rt_cmd("XADD {v}:events * machine m1 input_msgpack %b", mp_bad, (size_t)1));
    rs_consumer_t *c = rs_consumer_new(base, &cf, 0, texec_run, texec_committed, &t);
    RUN_UNTIL(t.written == 7, 5000);
    CHECK_INT(rt_int("XLEN {v}:results"), 1);
    CHECK_INT(rt_int("XLEN {v}:dead"), 6);
    CHECK_INT(pending("v"), 0);
    char *out = first_field("{v}:results", "output");
    CHECK_STR(out, "{\"a\":1}");
    sx_free(out);
    out = first_field("{v}:dead", "reason");
    CHECK_STR(out, "missing field 'machine'");
    sx_free(out);
    redisReply *r = rt_cmd("XRANGE {v}:dead - +");
    const char *want[] = {"missing field 'machine'",
                          "both 'input' and 'input_msgpack' given",
                          "input is 201 bytes, more than max_input 100",
                          "bad JSON input",
                          "unknown state machine 'unknown'",
                          "malformed msgpack"};
    CHECK(r && r->elements == 6);
    for (size_t i = 0; r && i < r->elements && i < 6; i++) {
        redisReply *fs = r->element[i]->element[1];
        CHECK_STR(fs->element[2]->str, "reason");
        if (strncmp(fs->element[3]->str, want[i], strlen(want[i])) != 0) {
            fprintf(stderr, "  reason %zu: %s\n", i, fs->element[3]->str);
            CHECK(0);
        }
    }
    if (r)
        freeReplyObject(r);
    CHECK_INT(hget("{v}:usage:default", "m1|requests"), 1); /* dead letters bill nothing */
    rs_consumer_free(c);
    conf_drop(&cf);
}

static void
test_takeover_and_gated_commit(void)
{
    rs_conf_t ca, cb;
    texec_t ta = {.mode = EX_HOLD}, tb = {.mode = EX_ECHO};
    const char *kva[] = {"consumer", "ga", NULL};
    const char *kvb[] = {"consumer", "gb", "claim_idle", "200ms", "claim_interval", "50ms", NULL};
    rs_stats_t sa, sb;
    conf_make(&ca, "g", kva);
    conf_make(&cb, "g", kvb);
    xadd("g", 5, "acme");
    rs_consumer_t *a = rs_consumer_new(base, &ca, 0, texec_run, texec_committed, &ta);
    RUN_UNTIL(ta.nheld == 5, 3000);
    CHECK_INT(ta.nheld, 5);
    /* a is "paused" (holds its entries, never refreshes them); b takes them over */
    rs_consumer_t *b = rs_consumer_new(base, &cb, 0, texec_run, texec_committed, &tb);
    RUN_UNTIL(tb.written == 5, 3000);
    CHECK_INT(tb.written, 5);
    CHECK_INT(tb.last_deliveries, 2);
    rs_consumer_stats(b, &sb);
    CHECK_INT(sb.reclaimed, 5);
    /* a wakes up and commits late: the gate writes nothing */
    texec_release(&ta);
    RUN_UNTIL(ta.dups == 5, 3000);
    CHECK_INT(ta.dups, 5);
    CHECK_INT(ta.written, 0);
    rs_consumer_stats(a, &sa);
    CHECK_INT(sa.duplicates, 5);
    CHECK_INT(rt_int("XLEN {g}:results"), 5);
    CHECK_INT(hget("{g}:usage:acme", "m1|requests"), 5);
    CHECK_INT(pending("g"), 0);
    rs_consumer_free(a);
    rs_consumer_free(b);
    conf_drop(&ca);
    conf_drop(&cb);
}

static void
test_dead_letter_after_deliveries(void)
{
    rs_conf_t cf;
    texec_t t = {.mode = EX_ECHO};
    const char *kv[] = {"max_deliveries", "2",    "claim_idle", "100ms",
                        "claim_interval", "50ms", NULL};
    conf_make(&cf, "d", kv);
    freeReplyObject(rt_cmd("XGROUP CREATE {d}:events stepxd 0 MKSTREAM"));
    xadd("d", 2, "acme");
    redisReply *r = rt_cmd("XREADGROUP GROUP stepxd ghost COUNT 2 STREAMS {d}:events >");
    CHECK(r && r->type == REDIS_REPLY_ARRAY);
    char id0[64] = "";
    if (r && r->type == REDIS_REPLY_ARRAY)
        snprintf(id0, sizeof(id0), "%s", r->element[0]->element[1]->element[0]->element[0]->str);
    if (r)
        freeReplyObject(r);
    /* the first entry is delivered once more (2), so the takeover makes 3 > max 2 */
    freeReplyObject(rt_cmd("XCLAIM {d}:events stepxd ghost2 0 %s", id0));
    rs_consumer_t *c = rs_consumer_new(base, &cf, 0, texec_run, texec_committed, &t);
    RUN_UNTIL(t.written == 2, 3000);
    CHECK_INT(rt_int("XLEN {d}:dead"), 1);
    CHECK_INT(rt_int("XLEN {d}:results"), 1);
    char *why = first_field("{d}:dead", "reason");
    CHECK_STR(why, "delivered 3 times, more than max_deliveries 2");
    sx_free(why);
    why = first_field("{d}:dead", "id");
    CHECK_STR(why, id0);
    sx_free(why);
    CHECK_INT(pending("d"), 0);
    rs_consumer_free(c);
    conf_drop(&cf);
}

static void
test_history_after_reconnect(void)
{
    rs_conf_t cf;
    texec_t t = {.mode = EX_ECHO};
    rs_stats_t st;
    conf_make(&cf, "h", (const char *[]){"consumer", "h", NULL});
    freeReplyObject(rt_cmd("XGROUP CREATE {h}:events stepxd 0 MKSTREAM"));
    xadd("h", 3, "acme");
    /* delivered to h-0 before it starts: found in its own PEL, not as new entries */
    freeReplyObject(rt_cmd("XREADGROUP GROUP stepxd h-0 COUNT 10 STREAMS {h}:events >"));
    rs_consumer_t *c = rs_consumer_new(base, &cf, 0, texec_run, texec_committed, &t);
    RUN_UNTIL(t.written == 3, 3000);
    CHECK_INT(t.written, 3);
    CHECK_INT(t.last_deliveries, 0); /* history: count unknown */
    t.mode = EX_HOLD;
    xadd("h", 2, "acme");
    RUN_UNTIL(t.nheld == 2, 3000);
    rs_conn_reset(rs_consumer_conn(c), "test");
    RUN_UNTIL(rs_conn_connects(rs_consumer_conn(c)) == 2, 3000);
    RUN_MS(300);
    rs_consumer_stats(c, &st);
    CHECK_INT(st.dispatched, 5); /* the held entries came back in history, not run twice */
    texec_release(&t);
    RUN_UNTIL(t.written == 5, 3000);
    CHECK_INT(t.written, 5);
    CHECK_INT(rt_int("XLEN {h}:results"), 5);
    rs_consumer_free(c);
    conf_drop(&cf);
}

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
test_nogroup_not_recreated(void)
{
    rs_conf_t cf;
    texec_t t = {.mode = EX_ECHO};
    rs_stats_t st;
    conf_make(&cf, "n", NULL);
    rs_consumer_t *c = rs_consumer_new(base, &cf, 0, texec_run, texec_committed, &t);
    xadd("n", 1, "acme");
    RUN_UNTIL(t.written == 1, 3000);
    logbuf[0] = '\0';
    CHECK_INT(rt_int("XGROUP DESTROY {n}:events stepxd"), 1);
    RUN_MS(600);
    rs_consumer_stats(c, &st);
    CHECK(st.nogroup >= 1);
    CHECK(rs_consumer_error(c) != NULL && strncmp(rs_consumer_error(c), "NOGROUP", 7) == 0);
    CHECK(strstr(logbuf, "not recreating") != NULL);
    redisReply *r = rt_cmd("XINFO GROUPS {n}:events");
    CHECK(r && r->type == REDIS_REPLY_ARRAY && r->elements == 0);
    if (r)
        freeReplyObject(r);
    freeReplyObject(rt_cmd("XGROUP CREATE {n}:events stepxd $"));
    xadd("n", 1, "acme");
    RUN_UNTIL(t.written == 2, 3000);
    CHECK_INT(t.written, 2);
    rs_consumer_free(c);
    conf_drop(&cf);
}

static void
test_eviction_policy_refused(void)
{
    rs_conf_t cf;
    texec_t t = {.mode = EX_ECHO};
    conf_make(&cf, "e", NULL);
    freeReplyObject(rt_cmd("CONFIG SET maxmemory-policy allkeys-lru"));
    rs_consumer_t *c = rs_consumer_new(base, &cf, 0, texec_run, texec_committed, &t);
    RUN_UNTIL(rs_consumer_state(c) == RS_ST_FATAL, 3000);
    CHECK_INT(rs_consumer_state(c), RS_ST_FATAL);
    CHECK(rs_consumer_error(c) != NULL && strstr(rs_consumer_error(c), "allkeys-lru") != NULL);
    CHECK_INT(rt_int("EXISTS {e}:events"), 0); /* refused before creating anything */
    freeReplyObject(rt_cmd("CONFIG SET maxmemory-policy noeviction"));
    rs_consumer_free(c);
    conf_drop(&cf);
}

static void
test_commit_refused_under_maxmemory(void)
{
    rs_conf_t cf;
    texec_t t = {.mode = EX_HOLD};
    rs_stats_t st;
    conf_make(&cf, "o", NULL);
    xadd("o", 3, "acme");
    rs_consumer_t *c = rs_consumer_new(base, &cf, 0, texec_run, texec_committed, &t);
    RUN_UNTIL(t.nheld == 3, 3000);
    freeReplyObject(rt_cmd("CONFIG SET maxmemory 1"));
    texec_release(&t);
    RUN_MS(400);
    rs_consumer_stats(c, &st);
    CHECK(st.commit_errors >= 1);
    CHECK_INT(rt_int("EXISTS {o}:results"), 0); /* nothing half-applied */
    CHECK_INT(pending("o"), 3);
    freeReplyObject(rt_cmd("CONFIG SET maxmemory 0"));
    RUN_UNTIL(t.written == 3, 3000);
    CHECK_INT(t.written, 3);
    CHECK_INT(rt_int("XLEN {o}:results"), 3);
    CHECK_INT(pending("o"), 0);
    rs_consumer_free(c);
    conf_drop(&cf);
}

static void
test_failed_status_and_noscript(void)
{
    rs_conf_t cf;
    texec_t t = {.mode = EX_ECHO};
    conf_make(&cf, "f", NULL);
    rs_consumer_t *c = rs_consumer_new(base, &cf, 0, texec_run, texec_committed, &t);
    RUN_UNTIL(rs_consumer_state(c) == RS_ST_RUNNING, 3000);
    RUN_MS(200); /* let the SCRIPT LOAD of the connection go out first */
    freeReplyObject(rt_cmd("CONFIG RESETSTAT"));
    freeReplyObject(rt_cmd("SCRIPT FLUSH")); /* as after a Redis restart: EVALSHA -> NOSCRIPT */
    freeReplyObject(rt_cmd("XADD {f}:events * machine failing tenant acme input {}"));
    RUN_UNTIL(t.written == 1, 3000);
    CHECK_INT(t.written, 1);
    redisReply *r = rt_cmd("INFO commandstats");
    if (getenv("SX_DEBUG") && r)
        fprintf(stderr, "%s\n", r->str);
    CHECK(r && r->type == REDIS_REPLY_STRING && strstr(r->str, "cmdstat_eval:calls=1,") != NULL);
    if (r)
        freeReplyObject(r);
    char *v = first_field("{f}:results", "status");
    CHECK_STR(v, "FAILED");
    sx_free(v);
    v = first_field("{f}:results", "error");
    CHECK_STR(v, "States.TaskFailed");
    sx_free(v);
    v = first_field("{f}:results", "cause");
    CHECK_STR(v, "boom");
    sx_free(v);
    v = first_field("{f}:results", "output");
    CHECK(v == NULL);
    sx_free(v);
    v = first_field("{f}:results", "billed_ms");
    CHECK_STR(v, "300");
    sx_free(v);
    CHECK_INT(hget("{f}:usage:acme", "failing|FAILED"), 1);
    CHECK_INT(hget("{f}:usage:acme", "failing|billed_mb_ms"), 300 * 128);
    CHECK_INT(hget("{f}:usage:acme", "failing|transitions"), 3);
    /* the next commit finds the script cached again: EVALSHA, no second EVAL */
    freeReplyObject(rt_cmd("XADD {f}:events * machine failing tenant acme input {}"));
    RUN_UNTIL(t.written == 2, 3000);
    r = rt_cmd("INFO commandstats");
    CHECK(r && r->type == REDIS_REPLY_STRING && strstr(r->str, "cmdstat_eval:calls=1,") != NULL);
    if (r)
        freeReplyObject(r);
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
    rs_consumer_t *c = rs_consumer_new(base, &cf, 0, texec_run, texec_committed, &t);
    RUN_UNTIL(rs_consumer_state(c) == RS_ST_RUNNING, 3000);
    RUN_MS(100);
    /* the entries are delivered to r-0 (now in its PEL) but the reply never arrives */
    rp_cut_reply(&px, "XREADGROUP", "input");
    xadd("r", 4, "acme");
    RUN_UNTIL(t.written == 4, 5000);
    CHECK_INT(px.cuts, 1);
    CHECK_INT(t.written, 4);
    CHECK_INT(t.last_deliveries, 0); /* came back through the history read */
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
    CHECK(took < 1500); /* the loop never blocked */
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

static const sx_test_t tests[] = {
    {"partition", test_partition},
    {"mute_server_timeouts", test_mute_server_timeouts},
    {"auth", test_auth},
    {"worker_killed", test_worker_killed},
    {"commit_reply_lost", test_commit_reply_lost},
    {"read_reply_lost", test_read_reply_lost},
    {"failed_status_and_noscript", test_failed_status_and_noscript},
    {"basic_batches_and_usage", test_basic_batches_and_usage},
    {"validation_dead_letters", test_validation_dead_letters},
    {"takeover_and_gated_commit", test_takeover_and_gated_commit},
    {"dead_letter_after_deliveries", test_dead_letter_after_deliveries},
    {"history_after_reconnect", test_history_after_reconnect},
    {"reconnect_after_client_kill", test_reconnect_after_client_kill},
    {"timeout_client_pause", test_timeout_client_pause},
    {"nogroup_not_recreated", test_nogroup_not_recreated},
    {"eviction_policy_refused", test_eviction_policy_refused},
    {"commit_refused_under_maxmemory", test_commit_refused_under_maxmemory},
    {NULL, NULL}};

int
main(int argc, char **argv)
{
    int rc;
    if (!rt_have_redis()) {
        printf("SKIP: redis-server is not installed (apt-get install redis-server)\n");
        printf("stream_e2e: 0 passed, 0 failed\n");
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
    rc = sx_test_main("stream_e2e", tests, argc, argv);
    event_base_free(base);
    rt_redis_stop();
    return rc;
}
