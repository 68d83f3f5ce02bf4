/*
 * test_tk_events.c: events:putEvents through the engine onto a real redis-server (random
 * loopback port, started by the test; SKIP when redis-server is not installed): entries land
 * on per-bus streams, the PutEvents response, per-entry failures -> EventBridge.FailedEntry,
 * parameter errors, and a Redis that went away.
 */
#include "../stream/rs_test_redis.h"
#include "tk_testenv.h"

#define PUT(entries, extra)                                                                        \
    "{\"StartAt\":\"T\",\"States\":{\"T\":{\"Type\":\"Task\",\"Resource\":"                        \
    "\"arn:aws:states:::events:putEvents\",\"Parameters\":{\"Entries\":" entries "}" extra         \
    ",\"End\":true}}}"

static rs_conf_t rconf;
static rs_conn_t *conn;
static te_env_t env;

static bool
conn_up(void *ud)
{
    return rs_conn_up(ud);
}

static bool
conn_down(void *ud)
{
    return !rs_conn_up(ud);
}

static redisReply *
last_entry(const char *stream)
{
    return rt_cmd("XREVRANGE %s + - COUNT 1", stream);
}

/* Field value of an XRANGE entry reply, or NULL. */
static const char *
field(redisReply *r, const char *name)
{
    if (r == NULL || r->type != REDIS_REPLY_ARRAY || r->elements == 0)
        return NULL;
    redisReply *kv = r->element[0]->element[1];
    for (size_t i = 0; i + 1 < kv->elements; i += 2)
        if (strcmp(kv->element[i]->str, name) == 0)
            return kv->element[i + 1]->str;
    return NULL;
}

static void
test_put_two_buses(void)
{
    ex_exec_t *ex = te_run_def(
        &env, "{\"o\":42}", 10000,
        PUT("[{\"Source\":\"my.app\",\"DetailType\":\"Created\",\"Detail\":{\"order.$\":\"$.o\"}},"
            "{\"Source\":\"my.app\",\"DetailType\":\"Audit\",\"Detail\":\"{\\\"k\\\":1}\","
            "\"EventBusName\":\"arn:aws:events:us-east-1:123456789012:event-bus/orders\","
            "\"Resources\":[\"r1\"]}]",
            ""));
    CHECK_STR(ex_status_name(ex_exec_status(ex)), "SUCCEEDED");
    const val_t *o = ex_exec_output(ex);
    CHECK_INT(val_num_get(te_get(o, "FailedEntryCount", NULL)), 0);
    const val_t *ents = te_get(o, "Entries", NULL);
    CHECK(val_is(ents, VAL_ARR) && val_len(ents) == 2);
    const char *id0 = val_str_get(te_get(val_arr_at(ents, 0), "EventId", NULL));
    CHECK(id0 != NULL && strlen(id0) == 36);
    CHECK_INT(rt_int("XLEN stepx:bus:default"), 1);
    CHECK_INT(rt_int("XLEN my:orders"), 1);
    redisReply *r = last_entry("stepx:bus:default");
    CHECK_STR(field(r, "id"), id0);
    CHECK_STR(field(r, "source"), "my.app");
    CHECK_STR(field(r, "detail-type"), "Created");
    const char *ev = field(r, "event");
    CHECK(ev != NULL && strstr(ev, "\"detail\":{\"order\":42}") != NULL);
    CHECK(ev != NULL && strstr(ev, "\"version\":\"0\"") != NULL);
    CHECK(ev != NULL && strstr(ev, "\"region\":\"us-east-1\"") != NULL);
    freeReplyObject(r);
    r = last_entry("my:orders");
    ev = field(r, "event");
    CHECK(ev != NULL && strstr(ev, "\"resources\":[\"r1\"],\"detail\":{\"k\":1}") != NULL);
    freeReplyObject(r);
    ex_exec_free(ex);
}

static void
test_failed_entries(void)
{
    long long before = rt_int("XLEN stepx:bus:default");
    ex_exec_t *ex =
        te_run_def(&env, "{}", 10000,
                   PUT("[{\"DetailType\":\"X\",\"Detail\":{}},"
                       "{\"Source\":\"s\",\"DetailType\":\"ok\",\"Detail\":{}},"
                       "{\"Source\":\"s\",\"DetailType\":\"bad\",\"Detail\":\"not json\"}]",
                       ""));
    CHECK_STR(ex_exec_error(ex), "EventBridge.FailedEntry");
    const char *cause = ex_exec_cause(ex);
    CHECK(cause != NULL && strstr(cause, "\"ErrorCode\":\"InvalidArgument\"") != NULL);
    CHECK(cause != NULL && strstr(cause, "\"ErrorCode\":\"MalformedDetail\"") != NULL);
    CHECK(cause != NULL && strstr(cause, "\"FailedEntryCount\":2") != NULL);
    CHECK(cause != NULL && strstr(cause, "{\"EventId\":\"") != NULL);
    CHECK_INT(rt_int("XLEN stepx:bus:default") - before, 1);
    ex_exec_free(ex);
    /* caught by name */
    ex = te_run_def(&env, "{}", 10000,
                    PUT("[{\"Source\":\"s\",\"DetailType\":\"bad\",\"Detail\":[1]}]",
                        ",\"Catch\":[{\"ErrorEquals\":[\"EventBridge.FailedEntry\"],"
                        "\"Next\":\"C\"}],\"End\":true},\"C\":{\"Type\":\"Pass\""));
    CHECK_STR(ex_status_name(ex_exec_status(ex)), "SUCCEEDED");
    ex_exec_free(ex);
    ex = te_run_def(&env, "{}", 10000, PUT("[]", ""));
    CHECK_STR(ex_exec_error(ex), "States.Runtime");
    ex_exec_free(ex);
}

static void
test_redis_gone(void)
{
    kill(rt.pid, SIGKILL);
    waitpid(rt.pid, NULL, 0);
    rt.pid = 0;
    CHECK_INT(tk_loop_run(env.base, env.sch, conn_down, conn, 5000, 5), SX_OK);
    ex_exec_t *ex = te_run_def(&env, "{}", 10000,
                               PUT("[{\"Source\":\"s\",\"DetailType\":\"d\",\"Detail\":{}}]", ""));
    CHECK_STR(ex_exec_error(ex), "EventBridge.FailedEntry");
    CHECK(ex_exec_cause(ex) != NULL &&
          strstr(ex_exec_cause(ex), "\"ErrorCode\":\"InternalFailure\"") != NULL);
    ex_exec_free(ex);
    tk_stats_t st;
    tk_resource_stats(&env.res[0], &st);
    CHECK_INT(st.inflight, 0);
}

static const sx_test_t tests[] = {{"put_two_buses", test_put_two_buses},
                                  {"failed_entries", test_failed_entries},
                                  {"redis_gone", test_redis_gone},
                                  {NULL, NULL}};

int
main(int argc, char **argv)
{
    cfg_err_t err;
    cfg_section_t sec = {rs_conf_directives, &rconf};
    char port[16];
    if (!rt_have_redis()) {
        printf("SKIP: redis-server is not installed (apt-get install redis-server)\n");
        return 0;
    }
    if (rt_redis_start() != 0) {
        fprintf(stderr, "cannot start redis-server\n");
        return 1;
    }
    cfg_defaults_apply(&sec, 1, &err);
    snprintf(port, sizeof(port), "%d", rt.port);
    cfg_set(&sec, 1, "test", "redis_port", 10, port, &err);
    cfg_set(&sec, 1, "test", "reconnect_min", 13, "1s", &err);
    te_init(&env);
    conn = rs_conn_new(env.base, &rconf, NULL, NULL);
    int rc = 1;
    if (tk_loop_run(env.base, env.sch, conn_up, conn, 5000, 5) != SX_OK) {
        fprintf(stderr, "cannot connect to redis-server\n");
        goto out;
    }
    env.cfg.redis = conn;
    sx_free(env.cfg.event_buses);
    env.cfg.event_buses = sx_strdup("orders=my:orders");
    te_add(&env, tk_events_new);
    rc = sx_test_main("task_events", tests, argc, argv);
out:
    /* resources first (the connection outlives them), the event_base last */
    for (int i = 0; i < env.nres; i++)
        tk_resource_free(&env.res[i]);
    env.nres = 0;
    rs_conn_free(conn);
    te_fini(&env);
    cfg_sections_fini(&sec, 1);
    rt_redis_stop();
    return rc;
}
