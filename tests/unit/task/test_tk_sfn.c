/*
 * test_tk_sfn.c: states:startExecution through the engine: a parent execution starts a
 * nested Express execution through a test sfn_start callback (what stepxd provides: lookup
 * by ARN or name, ex_exec_new on the same engine, ex_exec_start), gets StartExecution's
 * response at once, and the child runs to completion on the same loop. Parameter errors and
 * an unknown machine.
 */
#include "tk_testenv.h"

typedef struct kids {
    asl_machine_t *child; /* the only machine the lookup knows, "Child" */
    te_env_t *env;        /* engine to run on */
    ex_exec_t *xs[16];    /* started children */
    int n;                /* how many */
} kids_t;

static int
test_sfn_start(void *ud, const char *machine, const char *name, const val_t *input, sx_arena_t *a,
               const char **exec_arn, int64_t *start_ms, sx_err_t *err)
{
    kids_t *k = ud;
    const char *colon = strrchr(machine, ':');
    const char *sm = colon != NULL ? colon + 1 : machine;
    if (strcmp(sm, "Child") != 0 || k->n == 16)
        return sx_err_set(err, a, "StepFunctions.StateMachineDoesNotExistException",
                          "State Machine Does Not Exist: '%s'", machine);
    ex_opts_t o;
    memset(&o, 0, sizeof(o));
    o.type = ASL_TYPE_EXPRESS;
    o.sm_name = "Child";
    o.exec_name = name;
    ex_exec_t *ex = ex_exec_new(&k->env->eng, k->child, &o);
    ex_exec_start(ex, val_clone(ex_exec_arena(ex), input));
    k->xs[k->n++] = ex;
    const char *arn = ex_exec_arn(ex);
    *exec_arn = sx_arena_strndup(a, arn, strlen(arn));
    *start_ms = ex_exec_start_ms(ex);
    return SX_OK;
}

#define PARENT(params)                                                                             \
    "{\"StartAt\":\"T\",\"States\":{\"T\":{\"Type\":\"Task\",\"Resource\":"                        \
    "\"arn:aws:states:::states:startExecution\",\"Parameters\":" params ",\"End\":true}}}"

static void
test_nested(void)
{
    te_env_t e;
    kids_t k;
    memset(&k, 0, sizeof(k));
    te_init(&e);
    k.env = &e;
    k.child = te_compile("{\"StartAt\":\"W\",\"States\":{\"W\":{\"Type\":\"Wait\",\"Seconds\":1,"
                         "\"Next\":\"P\"},\"P\":{\"Type\":\"Pass\",\"Parameters\":{\"got.$\":"
                         "\"$.v\"},\"End\":true}}}");
    e.cfg.sfn_start = test_sfn_start;
    e.cfg.sfn_ud = &k;
    te_add(&e, tk_sfn_new);
    int64_t t0 = sx_wall_ms();
    ex_exec_t *ex = te_run_def(&e, "{\"v\":7}", 10000,
                               PARENT("{\"StateMachineArn\":\"arn:aws:states:us-east-1:"
                                      "123456789012:stateMachine:Child\",\"Name\":\"kid-1\","
                                      "\"Input\":{\"v.$\":\"$.v\"}}"));
    /* the parent does not wait for the child (asynchronous form) */
    CHECK_STR(ex_status_name(ex_exec_status(ex)), "SUCCEEDED");
    CHECK_INT(k.n, 1);
    CHECK(k.n == 1 && ex_exec_status(k.xs[0]) == EX_RUNNING);
    const val_t *o = ex_exec_output(ex);
    const char *arn = val_str_get(te_get(o, "ExecutionArn", NULL));
    CHECK(arn != NULL && strstr(arn, ":express:Child:kid-1") != NULL);
    double sd = val_num_get(te_get(o, "StartDate", NULL));
    CHECK(sd >= (double)t0 && sd <= (double)sx_wall_ms());
    CHECK_INT(te_run(&e, k.xs, k.n, 5000), SX_OK);
    CHECK_STR(te_out(k.xs[0]), "{\"got\":7}");
    ex_exec_free(ex);

    /* Input given as JSON text */
    ex = te_run_def(&e, "{}", 10000,
                    PARENT("{\"StateMachineArn\":\"Child\",\"Input\":\"{\\\"v\\\":[1]}\"}"));
    CHECK_STR(ex_status_name(ex_exec_status(ex)), "SUCCEEDED");
    CHECK_INT(te_run(&e, k.xs, k.n, 5000), SX_OK);
    CHECK_STR(te_out(k.xs[1]), "{\"got\":[1]}");
    ex_exec_free(ex);

    ex = te_run_def(&e, "{}", 10000, PARENT("{\"StateMachineArn\":\"Nope\"}"));
    CHECK_STR(ex_exec_error(ex), "StepFunctions.StateMachineDoesNotExistException");
    CHECK_STR(ex_exec_cause(ex), "State Machine Does Not Exist: 'Nope'");
    ex_exec_free(ex);
    ex = te_run_def(&e, "{}", 10000,
                    PARENT("{\"StateMachineArn\":\"Child\",\"Input\":\"{not json\"}"));
    CHECK_STR(ex_exec_error(ex), "StepFunctions.InvalidExecutionInputException");
    CHECK(ex_exec_cause(ex) != NULL &&
          strstr(ex_exec_cause(ex), "(Service: AWSStepFunctions; Status Code: 400; Error Code: "
                                    "InvalidExecutionInput; Request ID: ") != NULL);
    ex_exec_free(ex);
    ex = te_run_def(&e, "{}", 10000, PARENT("{\"Input\":{}}"));
    CHECK_STR(ex_exec_error(ex), "States.Runtime");
    ex_exec_free(ex);
    CHECK_INT(k.n, 2);
    for (int i = 0; i < k.n; i++)
        ex_exec_free(k.xs[i]);
    asl_machine_unref(k.child);
    tk_stats_t st;
    tk_resource_stats(&e.res[0], &st);
    CHECK_INT(st.started, 5);
    CHECK_INT(st.succeeded, 2);
    CHECK_INT(st.failed, 3);
    CHECK_INT(st.inflight, 0);
    te_fini(&e);
}

static void
test_not_configured(void)
{
    te_env_t e;
    te_init(&e);
    te_add(&e, tk_sfn_new);
    ex_exec_t *ex = te_run_def(&e, "{}", 10000, PARENT("{\"StateMachineArn\":\"Child\"}"));
    CHECK_STR(ex_exec_error(ex), "States.TaskFailed");
    ex_exec_free(ex);
    te_fini(&e);
}

static const sx_test_t tests[] = {
    {"nested", test_nested}, {"not_configured", test_not_configured}, {NULL, NULL}};

int
main(int argc, char **argv)
{
    return sx_test_main("task_sfn", tests, argc, argv);
}
