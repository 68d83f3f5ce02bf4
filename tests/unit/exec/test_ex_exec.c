/*
 * test_ex_exec.c: the executor on a virtual clock: retry delays (BackoffRate,
 * MaxDelaySeconds, FULL jitter bounds), Map MaxConcurrency (inline cap of 40), Parallel abort on
 * failure, the Express limit, event ids in causes, and many executions sharing one machine.
 */
#include <string.h>

#include "stepx/exec.h"
#include "../sx_test.h"

typedef struct run {
    ex_status_t st;
    int64_t ms; /* virtual duration */
    char out[512];
    char err[128];
    char cause[512];
} run_t;

static int
run_def(const char *def, const char *input, asl_type_t type, run_t *r)
{
    asl_machine_t *m = NULL;
    char *why = NULL;
    memset(r, 0, sizeof(*r));
    if (asl_machine_compile_text(def, strlen(def), type, &m, &why) != SX_OK) {
        fprintf(stderr, "  compile: %s", why ? why : "?");
        sx_free(why);
        return SX_ERR;
    }
    sch_t *s = sch_new(SCH_CLOCK_VIRTUAL, 1700000000000);
    ex_engine_t e;
    ex_engine_init(&e, s);
    ex_engine_add_test_resource(&e);
    ex_opts_t o;
    memset(&o, 0, sizeof(o));
    o.type = type;
    o.sm_name = "t";
    o.exec_name = "x";
    ex_exec_t *ex = ex_exec_new(&e, m, &o);
    const val_t *in = NULL;
    val_json_parse(ex_exec_arena(ex), input, strlen(input), &in, NULL);
    ex_exec_start(ex, in);
    sch_run(s);
    r->st = ex_exec_status(ex);
    r->ms = ex_exec_stop_ms(ex) - ex_exec_start_ms(ex);
    if (ex_exec_output(ex) != NULL)
        snprintf(r->out, sizeof(r->out), "%s",
                 val_json_str(ex_exec_arena(ex), ex_exec_output(ex), NULL));
    snprintf(r->err, sizeof(r->err), "%s", ex_exec_error(ex) ? ex_exec_error(ex) : "");
    snprintf(r->cause, sizeof(r->cause), "%s", ex_exec_cause(ex) ? ex_exec_cause(ex) : "");
    ex_exec_free(ex);
    asl_machine_unref(m);
    sch_free(s);
    return SX_OK;
}

static void
test_backoff_and_max_delay(void)
{
    run_t r;
    /* delays 10, 15 (capped from 100), 15 (capped from 1000) => 40 s, then fails */
    const char *def = "{\"StartAt\":\"T\",\"States\":{\"T\":{\"Type\":\"Task\",\"Resource\":"
                      "\"arn:stepx:test:fail:E\",\"Retry\":[{\"ErrorEquals\":[\"E\"],"
                      "\"IntervalSeconds\":10,\"BackoffRate\":10,\"MaxDelaySeconds\":15,"
                      "\"MaxAttempts\":3}],\"End\":true}}}";
    CHECK(run_def(def, "{}", ASL_TYPE_STANDARD, &r) == SX_OK);
    CHECK_INT(r.st, EX_FAILED);
    CHECK_STR(r.err, "E");
    CHECK_STR(r.cause, "stepx test failure #3");
    CHECK_INT(r.ms, 40000);
}

static void
test_full_jitter_bounds(void)
{
    const char *def = "{\"StartAt\":\"T\",\"States\":{\"T\":{\"Type\":\"Task\",\"Resource\":"
                      "\"arn:stepx:test:fail:E:4\",\"Retry\":[{\"ErrorEquals\":[\"E\"],"
                      "\"IntervalSeconds\":2,\"MaxAttempts\":4,\"JitterStrategy\":\"FULL\"}],"
                      "\"End\":true}}}";
    int64_t total = 0;
    for (int i = 0; i < 20; i++) {
        run_t r;
        CHECK(run_def(def, "{}", ASL_TYPE_STANDARD, &r) == SX_OK);
        CHECK_INT(r.st, EX_SUCCEEDED);
        /* without jitter: 2+4+8+16 = 30 s; FULL jitter draws each in [0, d] */
        CHECK(r.ms >= 0 && r.ms <= 30000);
        total += r.ms;
    }
    CHECK(total < 20 * 30000); /* jitter actually shortens some delays */
}

static void
test_map_max_concurrency(void)
{
    run_t r;
    const char *fmt =
        "{\"StartAt\":\"M\",\"States\":{\"M\":{\"Type\":\"Map\",\"MaxConcurrency\":%d,"
        "\"ItemProcessor\":{\"StartAt\":\"T\",\"States\":{\"T\":{\"Type\":\"Task\","
        "\"Resource\":\"arn:stepx:test:sleep:1000\",\"End\":true}}},\"End\":true}}}";
    char def[512];
    snprintf(def, sizeof(def), fmt, 2);
    CHECK(run_def(def, "[1,2,3,4,5]", ASL_TYPE_STANDARD, &r) == SX_OK);
    CHECK_INT(r.st, EX_SUCCEEDED);
    CHECK_STR(r.out, "[1,2,3,4,5]");
    CHECK_INT(r.ms, 3000); /* ceil(5/2) rounds of 1 s */
    snprintf(def, sizeof(def), fmt, 0);
    CHECK(run_def(def, "[1,2,3,4,5]", ASL_TYPE_STANDARD, &r) == SX_OK);
    CHECK_INT(r.ms, 1000); /* unbounded: all at once */
    snprintf(def, sizeof(def), fmt, 1);
    CHECK(run_def(def, "[1,2,3]", ASL_TYPE_STANDARD, &r) == SX_OK);
    CHECK_INT(r.ms, 3000);
    /* inline Map: at most 40 in flight, also for MaxConcurrency 0 or above 40 */
    char items[512];
    size_t off = 0;
    for (int i = 0; i < 100; i++)
        off += (size_t)snprintf(items + off, sizeof(items) - off, "%s%d", i ? "," : "[", i % 10);
    snprintf(items + off, sizeof(items) - off, "]");
    snprintf(def, sizeof(def), fmt, 0);
    CHECK(run_def(def, items, ASL_TYPE_STANDARD, &r) == SX_OK);
    CHECK_INT(r.st, EX_SUCCEEDED);
    CHECK_INT(r.ms, 3000); /* ceil(100/40) rounds */
    snprintf(def, sizeof(def), fmt, 100);
    CHECK(run_def(def, items, ASL_TYPE_STANDARD, &r) == SX_OK);
    CHECK_INT(r.ms, 3000);
    snprintf(def, sizeof(def), fmt, 25);
    CHECK(run_def(def, items, ASL_TYPE_STANDARD, &r) == SX_OK);
    CHECK_INT(r.ms, 4000);
}

static void
test_parallel_abort(void)
{
    run_t r;
    const char *def =
        "{\"StartAt\":\"P\",\"States\":{\"P\":{\"Type\":\"Parallel\",\"End\":true,"
        "\"Branches\":[{\"StartAt\":\"S\",\"States\":{\"S\":{\"Type\":\"Task\","
        "\"Resource\":\"arn:stepx:test:sleep:100000\",\"End\":true}}},"
        "{\"StartAt\":\"W\",\"States\":{\"W\":{\"Type\":\"Wait\",\"Seconds\":2,"
        "\"Next\":\"F\"},\"F\":{\"Type\":\"Fail\",\"Error\":\"X\",\"Cause\":\"y\"}}}]}}}";
    CHECK(run_def(def, "{}", ASL_TYPE_STANDARD, &r) == SX_OK);
    CHECK_INT(r.st, EX_FAILED);
    CHECK_STR(r.err, "X");
    CHECK_STR(r.cause, "y");
    CHECK_INT(r.ms, 2000); /* the sleeping branch was aborted, not awaited */
}

static void
test_express_limit(void)
{
    run_t r;
    const char *def = "{\"StartAt\":\"W\",\"States\":{\"W\":{\"Type\":\"Wait\",\"Seconds\":600,"
                      "\"End\":true}}}";
    CHECK(run_def(def, "{}", ASL_TYPE_EXPRESS, &r) == SX_OK);
    CHECK_INT(r.st, EX_TIMED_OUT);
    CHECK_INT(r.ms, 300000);
    CHECK(run_def(def, "{}", ASL_TYPE_STANDARD, &r) == SX_OK);
    CHECK_INT(r.st, EX_SUCCEEDED);
    CHECK_INT(r.ms, 600000);
}

static void
test_event_ids_in_cause(void)
{
    run_t r;
    /* ExecutionStarted 1, P Entered 2 Exited 3, T Entered 4 Scheduled 5 Started 6 Failed 7
     * (caught) Exited 8, B Entered 9 -> the bad OutputPath cause quotes #9 */
    const char *def = "{\"StartAt\":\"P\",\"States\":{\"P\":{\"Type\":\"Pass\",\"Next\":\"T\"},"
                      "\"T\":{\"Type\":\"Task\",\"Resource\":\"arn:stepx:test:fail:E\","
                      "\"Catch\":[{\"ErrorEquals\":[\"E\"],\"Next\":\"B\"}],\"End\":true},"
                      "\"B\":{\"Type\":\"Pass\",\"OutputPath\":\"$.nope\",\"End\":true}}}";
    CHECK(run_def(def, "{}", ASL_TYPE_STANDARD, &r) == SX_OK);
    CHECK_INT(r.st, EX_FAILED);
    CHECK_STR(r.err, "States.Runtime");
    CHECK_STR(r.cause, "An error occurred while executing the state 'B' (entered at the event "
                       "id #9). Invalid path '$.nope' : No results for path: $['nope']");
}

static int done_count;

static void
count_done(ex_exec_t *ex, void *ud)
{
    (void)ud;
    if (ex_exec_status(ex) == EX_SUCCEEDED)
        done_count++;
    ex_exec_free(ex);
}

static void
test_many_share_machine(void)
{
    const char *def = "{\"StartAt\":\"A\",\"States\":{\"A\":{\"Type\":\"Wait\",\"Seconds\":5,"
                      "\"Next\":\"B\"},\"B\":{\"Type\":\"Pass\",\"Result\":1,\"End\":true}}}";
    asl_machine_t *m;
    char *why = NULL;
    CHECK(asl_machine_compile_text(def, strlen(def), ASL_TYPE_EXPRESS, &m, &why) == SX_OK);
    sch_t *s = sch_new(SCH_CLOCK_VIRTUAL, 0);
    ex_engine_t e;
    ex_engine_init(&e, s);
    e.on_done = count_done;
    ex_opts_t o;
    memset(&o, 0, sizeof(o));
    done_count = 0;
    for (int i = 0; i < 1000; i++)
        ex_exec_start(ex_exec_new(&e, m, &o), val_obj_empty());
    asl_machine_unref(m); /* executions hold their own references */
    CHECK(!sch_idle(s));
    sch_run(s);
    CHECK_INT(done_count, 1000);
    CHECK_INT(e.transitions, 2000);
    sch_free(s);
}

static char cap_cause[256];

static void
cap_done(ex_exec_t *ex, void *ud)
{
    (void)ud;
    const char *err = ex_exec_error(ex), *cause = ex_exec_cause(ex);
    snprintf(cap_cause, sizeof(cap_cause), "%s %s: %s", ex_status_name(ex_exec_status(ex)),
             err ? err : "-", cause ? cause : "-");
    ex_exec_free(ex);
}

static void
test_transition_cap(void)
{
    /* an endless Pass loop and an endless retry both stop at ex_opts.max_transitions */
    const char *defs[] = {
        "{\"StartAt\":\"A\",\"States\":{\"A\":{\"Type\":\"Pass\",\"Next\":\"B\"},"
        "\"B\":{\"Type\":\"Pass\",\"Next\":\"A\"}}}",
        "{\"StartAt\":\"T\",\"States\":{\"T\":{\"Type\":\"Task\",\"Resource\":"
        "\"arn:stepx:test:fail:E\",\"Retry\":[{\"ErrorEquals\":[\"E\"],\"MaxAttempts\":"
        "99999999,\"BackoffRate\":1}],\"End\":true}}}",
    };
    for (int i = 0; i < 2; i++) {
        asl_machine_t *m;
        char *why = NULL;
        CHECK(asl_machine_compile_text(defs[i], strlen(defs[i]), ASL_TYPE_STANDARD, &m, &why) ==
              SX_OK);
        sch_t *s = sch_new(SCH_CLOCK_VIRTUAL, 0);
        ex_engine_t e;
        ex_engine_init(&e, s);
        ex_engine_add_test_resource(&e);
        e.on_done = cap_done;
        cap_cause[0] = '\0';
        ex_opts_t o;
        memset(&o, 0, sizeof(o));
        o.max_transitions = 100;
        ex_exec_t *ex = ex_exec_new(&e, m, &o);
        ex_exec_start(ex, val_obj_empty());
        sch_run_bounded(s, 100000);
        CHECK(sch_idle(s));
        CHECK_INT(e.transitions, 101);
        CHECK_STR(cap_cause, "FAILED States.Runtime: The execution exceeded its limit of 100 "
                             "state transitions.");
        asl_machine_unref(m);
        sch_free(s);
    }
}

static void
test_stop_with_queued_flows(void)
{
    /* branches that never park stay on the run queue; stopping the execution (as a timeout
     * does) and freeing it in on_done must not let them run on freed memory (ASan) */
    const char *def = "{\"StartAt\":\"P\",\"States\":{\"P\":{\"Type\":\"Parallel\","
                      "\"Branches\":[{\"StartAt\":\"A\",\"States\":{\"A\":{\"Type\":\"Pass\","
                      "\"Next\":\"B\"},\"B\":{\"Type\":\"Pass\",\"Next\":\"A\"}}},"
                      "{\"StartAt\":\"C\",\"States\":{\"C\":{\"Type\":\"Pass\",\"Next\":\"D\"},"
                      "\"D\":{\"Type\":\"Pass\",\"Next\":\"C\"}}}],\"End\":true}}}";
    asl_machine_t *m;
    char *why = NULL;
    CHECK(asl_machine_compile_text(def, strlen(def), ASL_TYPE_STANDARD, &m, &why) == SX_OK);
    sch_t *s = sch_new(SCH_CLOCK_VIRTUAL, 0);
    ex_engine_t e;
    ex_engine_init(&e, s);
    e.on_done = cap_done;
    cap_cause[0] = '\0';
    ex_opts_t o;
    memset(&o, 0, sizeof(o));
    ex_exec_t *ex = ex_exec_new(&e, m, &o);
    ex_exec_start(ex, val_obj_empty());
    for (int i = 0; i < 5; i++)
        sch_run_once(s);
    CHECK(!sch_idle(s)); /* both branches queued */
    ex_exec_stop(ex);
    CHECK_STR(cap_cause, ""); /* on_done not yet: it runs after the queued flows */
    sch_run_bounded(s, 1000);
    CHECK(sch_idle(s));
    CHECK_STR(cap_cause, "ABORTED -: -");
    asl_machine_unref(m);
    sch_free(s);
}

static const sx_test_t tests[] = {
    {"stop_with_queued_flows", test_stop_with_queued_flows},
    {"transition_cap", test_transition_cap},
    {"backoff_and_max_delay", test_backoff_and_max_delay},
    {"full_jitter_bounds", test_full_jitter_bounds},
    {"map_max_concurrency", test_map_max_concurrency},
    {"parallel_abort", test_parallel_abort},
    {"express_limit", test_express_limit},
    {"event_ids_in_cause", test_event_ids_in_cause},
    {"many_share_machine", test_many_share_machine},
    {NULL, NULL},
};

int
main(int argc, char **argv)
{
    return sx_test_main("exec", tests, argc, argv);
}
