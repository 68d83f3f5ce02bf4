/*
 * test_ex_hist.c: whole histories (ids, previousEventIds, types, *EventDetails) checked
 * against the recorded sequences and numbering rules of express.md §4 and the
 * EvaluationFailed rules of variables-jsonata.md §4: Pass, Task retry + catch, Lambda-ARN
 * tasks, Map with MaxConcurrency 1 (success and failure quirks), Parallel, Choice with
 * Assign, and JSONata evaluation failures. Runs on a virtual clock.
 */
#include <string.h>

#include "stepx/exec.h"
#include "stepx/mock.h"
#include "../sx_test.h"

typedef struct hrun {
    ex_status_t st;
    char seq[2048];    /* "id/prev Type," for every event */
    char ev[16][1024]; /* compact JSON of the first 16 events' details members */
    char err[128];
    int n;
} hrun_t;

static mock_cfg_t *mock;

/* Compact JSON of the *EventDetails member of event e ("" when none). */
static void
details_of(sx_arena_t *a, const val_t *e, char *out, size_t cap)
{
    out[0] = '\0';
    for (size_t i = 0; i < val_len(e); i++) {
        const val_member_t *m = val_obj_at(e, i);
        size_t kl = val_len(m->key);
        if (kl > 12 && strcmp(val_str_get(m->key) + kl - 12, "EventDetails") == 0)
            snprintf(out, cap, "%s", val_json_str(a, m->val, NULL));
    }
}

static int
run_hist(const char *def, const char *input, hrun_t *r, bool history)
{
    asl_machine_t *m = NULL;
    char *why = NULL;
    memset(r, 0, sizeof(*r));
    if (asl_machine_compile_text(def, strlen(def), ASL_TYPE_STANDARD, &m, &why) != SX_OK) {
        fprintf(stderr, "  compile: %s", why ? why : "?");
        sx_free(why);
        return SX_ERR;
    }
    sch_t *s = sch_new(SCH_CLOCK_VIRTUAL, 1700000000000);
    ex_engine_t e;
    ex_engine_init(&e, s);
    if (mock != NULL) {
        ex_resource_t res;
        char err[256];
        if (mock_resource_init(&res, mock, "t", "tc", err, sizeof(err)) == SX_OK)
            ex_engine_add_resource(&e, &res);
    }
    ex_engine_add_test_resource(&e);
    ex_opts_t o;
    memset(&o, 0, sizeof(o));
    o.sm_name = "t";
    o.exec_name = "x";
    o.history = history;
    ex_exec_t *ex = ex_exec_new(&e, m, &o);
    const val_t *in = NULL;
    val_json_parse(ex_exec_arena(ex), input, strlen(input), &in, NULL);
    ex_exec_start(ex, in);
    sch_run(s);
    r->st = ex_exec_status(ex);
    snprintf(r->err, sizeof(r->err), "%s", ex_exec_error(ex) ? ex_exec_error(ex) : "");
    const val_t *h = ex_exec_history(ex);
    size_t off = 0;
    for (size_t i = 0; h != NULL && i < val_len(h); i++) {
        const val_t *ev = val_arr_at(h, i);
        off += (size_t)snprintf(r->seq + off, sizeof(r->seq) - off, "%d/%d %s,",
                                (int)val_num_get(val_obj_gets(ev, "id")),
                                (int)val_num_get(val_obj_gets(ev, "previousEventId")),
                                val_str_get(val_obj_gets(ev, "type")));
        if (i < 16)
            details_of(ex_exec_arena(ex), ev, r->ev[i], sizeof(r->ev[i]));
        if (off >= sizeof(r->seq))
            break;
    }
    r->n = h != NULL ? (int)val_len(h) : -1;
    ex_exec_free(ex);
    asl_machine_unref(m);
    sch_free(s);
    return SX_OK;
}

static void
test_pass(void)
{
    hrun_t r;
    const char *def =
        "{\"StartAt\":\"P\",\"States\":{\"P\":{\"Type\":\"Pass\",\"Result\":{\"b\":2},"
        "\"ResultPath\":\"$.r\",\"End\":true}}}";
    CHECK(run_hist(def, "{\"a\":1}", &r, true) == SX_OK);
    CHECK_INT(r.st, EX_SUCCEEDED);
    CHECK_STR(r.seq, "1/0 ExecutionStarted,2/0 PassStateEntered,3/2 PassStateExited,"
                     "4/3 ExecutionSucceeded,");
    CHECK_STR(r.ev[0], "{\"input\":\"{\\\"a\\\":1}\",\"inputDetails\":{\"truncated\":false},"
                       "\"roleArn\":\"arn:aws:iam::123456789012:role/StepxExecutionRole\"}");
    CHECK_STR(r.ev[1], "{\"name\":\"P\",\"input\":\"{\\\"a\\\":1}\","
                       "\"inputDetails\":{\"truncated\":false}}");
    CHECK_STR(r.ev[2], "{\"name\":\"P\",\"output\":\"{\\\"a\\\":1,\\\"r\\\":{\\\"b\\\":2}}\","
                       "\"outputDetails\":{\"truncated\":false}}");
    CHECK_STR(r.ev[3], "{\"output\":\"{\\\"a\\\":1,\\\"r\\\":{\\\"b\\\":2}}\","
                       "\"outputDetails\":{\"truncated\":false}}");
    /* history off: nothing materialised */
    CHECK(run_hist(def, "{}", &r, false) == SX_OK);
    CHECK_INT(r.n, -1);
}

static void
test_task_retry_catch(void)
{
    hrun_t r;
    const char *def =
        "{\"StartAt\":\"T\",\"States\":{\"T\":{\"Type\":\"Task\",\"Resource\":"
        "\"arn:stepx:test:fail:E\",\"Parameters\":{\"k.$\":\"$.a\"},\"TimeoutSeconds\":30,"
        "\"Retry\":[{\"ErrorEquals\":[\"E\"],\"MaxAttempts\":1}],"
        "\"Catch\":[{\"ErrorEquals\":[\"States.ALL\"],\"ResultPath\":\"$.e\",\"Next\":\"N\"}],"
        "\"End\":true},\"N\":{\"Type\":\"Pass\",\"End\":true}}}";
    CHECK(run_hist(def, "{\"a\":1}", &r, true) == SX_OK);
    CHECK_INT(r.st, EX_SUCCEEDED);
    /* express.md §4: per attempt Scheduled, Started, Failed; no Exited between attempts */
    CHECK_STR(r.seq, "1/0 ExecutionStarted,2/0 TaskStateEntered,3/2 TaskScheduled,"
                     "4/3 TaskStarted,5/4 TaskFailed,6/5 TaskScheduled,7/6 TaskStarted,"
                     "8/7 TaskFailed,9/8 TaskStateExited,10/9 PassStateEntered,"
                     "11/10 PassStateExited,12/11 ExecutionSucceeded,");
    CHECK_STR(r.ev[2], "{\"resourceType\":\"test\",\"resource\":\"fail:E\",\"region\":"
                       "\"us-east-1\",\"parameters\":\"{\\\"k\\\":1}\",\"timeoutInSeconds\":30}");
    CHECK_STR(r.ev[3], "{\"resourceType\":\"test\",\"resource\":\"fail:E\"}");
    CHECK_STR(r.ev[4], "{\"resourceType\":\"test\",\"resource\":\"fail:E\",\"error\":\"E\","
                       "\"cause\":\"stepx test failure #0\"}");
    CHECK_STR(r.ev[7], "{\"resourceType\":\"test\",\"resource\":\"fail:E\",\"error\":\"E\","
                       "\"cause\":\"stepx test failure #1\"}");
    CHECK_STR(r.ev[8], "{\"name\":\"T\",\"output\":\"{\\\"a\\\":1,\\\"e\\\":{\\\"Error\\\":"
                       "\\\"E\\\",\\\"Cause\\\":\\\"stepx test failure #1\\\"}}\","
                       "\"outputDetails\":{\"truncated\":false}}");
}

static void
test_task_timeout_uncaught(void)
{
    hrun_t r;
    const char *def = "{\"StartAt\":\"T\",\"States\":{\"T\":{\"Type\":\"Task\",\"Resource\":"
                      "\"arn:stepx:test:sleep:5000\",\"TimeoutSeconds\":1,\"End\":true}}}";
    CHECK(run_hist(def, "{}", &r, true) == SX_OK);
    CHECK_INT(r.st, EX_FAILED);
    CHECK_STR(r.seq, "1/0 ExecutionStarted,2/0 TaskStateEntered,3/2 TaskScheduled,"
                     "4/3 TaskStarted,5/4 TaskTimedOut,6/5 ExecutionFailed,");
    /* States.Timeout without cause, ExecutionFailed {error} only */
    CHECK_STR(r.ev[4], "{\"resourceType\":\"test\",\"resource\":\"sleep:5000\","
                       "\"error\":\"States.Timeout\"}");
    CHECK_STR(r.ev[5], "{\"error\":\"States.Timeout\"}");
}

static void
test_lambda_arn(void)
{
    hrun_t r;
    const char *cfg = "{\"StateMachines\":{\"t\":{\"TestCases\":{\"tc\":{\"L\":\"ok\"}}}},"
                      "\"MockedResponses\":{\"ok\":{\"0\":{\"Return\":{\"r\":1}}}}}";
    char err[256];
    CHECK(mock_cfg_parse(cfg, strlen(cfg), &mock, err, sizeof(err)) == SX_OK);
    const char *def = "{\"StartAt\":\"L\",\"States\":{\"L\":{\"Type\":\"Task\",\"Resource\":"
                      "\"arn:aws:lambda:us-east-1:123456789012:function:f\",\"End\":true}}}";
    CHECK(run_hist(def, "{\"a\":1}", &r, true) == SX_OK);
    mock_cfg_free(mock);
    mock = NULL;
    CHECK_INT(r.st, EX_SUCCEEDED);
    CHECK_STR(r.seq, "1/0 ExecutionStarted,2/0 TaskStateEntered,3/2 LambdaFunctionScheduled,"
                     "4/3 LambdaFunctionStarted,5/4 LambdaFunctionSucceeded,"
                     "6/5 TaskStateExited,7/6 ExecutionSucceeded,");
    CHECK_STR(r.ev[2], "{\"resource\":\"arn:aws:lambda:us-east-1:123456789012:function:f\","
                       "\"input\":\"{\\\"a\\\":1}\",\"inputDetails\":{\"truncated\":false}}");
    CHECK_STR(r.ev[3], "");
    CHECK_STR(r.ev[4], "{\"output\":\"{\\\"r\\\":1}\",\"outputDetails\":{\"truncated\":false}}");
}

static void
test_map_sequential(void)
{
    hrun_t r;
    const char *def = "{\"StartAt\":\"M\",\"States\":{\"M\":{\"Type\":\"Map\",\"MaxConcurrency\":1,"
                      "\"ItemProcessor\":{\"StartAt\":\"I\",\"States\":{\"I\":{\"Type\":\"Pass\","
                      "\"End\":true}}},\"End\":true}}}";
    CHECK(run_hist(def, "[1,2,3]", &r, true) == SX_OK);
    CHECK_INT(r.st, EX_SUCCEEDED);
    /* express.md §4: MapIterationStarted(i+1) and MapStateSucceeded point at the last inner
     * event, MapStateExited at the last MapIterationSucceeded */
    CHECK_STR(r.seq, "1/0 ExecutionStarted,2/0 MapStateEntered,3/2 MapStateStarted,"
                     "4/3 MapIterationStarted,5/4 PassStateEntered,6/5 PassStateExited,"
                     "7/6 MapIterationSucceeded,8/6 MapIterationStarted,9/8 PassStateEntered,"
                     "10/9 PassStateExited,11/10 MapIterationSucceeded,12/10 MapIterationStarted,"
                     "13/12 PassStateEntered,14/13 PassStateExited,15/14 MapIterationSucceeded,"
                     "16/14 MapStateSucceeded,17/15 MapStateExited,18/17 ExecutionSucceeded,");
    CHECK_STR(r.ev[2], "{\"length\":3}");
    CHECK_STR(r.ev[3], "{\"name\":\"M\",\"index\":0}");
    CHECK_STR(r.ev[10], "{\"name\":\"M\",\"index\":1}");
    CHECK_STR(r.ev[15], "");
}

static void
test_map_failure(void)
{
    hrun_t r;
    const char *def = "{\"StartAt\":\"M\",\"States\":{\"M\":{\"Type\":\"Map\",\"MaxConcurrency\":1,"
                      "\"ItemProcessor\":{\"StartAt\":\"I\",\"States\":{\"I\":{\"Type\":\"Task\","
                      "\"Resource\":\"arn:stepx:test:fail:E:1\",\"End\":true}}},\"End\":true}}}";
    CHECK(run_hist(def, "[1,2]", &r, true) == SX_OK);
    CHECK_INT(r.st, EX_FAILED);
    /* MapIterationFailed and MapStateFailed both point at the failing inner event */
    CHECK_STR(r.seq, "1/0 ExecutionStarted,2/0 MapStateEntered,3/2 MapStateStarted,"
                     "4/3 MapIterationStarted,5/4 TaskStateEntered,6/5 TaskScheduled,"
                     "7/6 TaskStarted,8/7 TaskFailed,9/8 MapIterationFailed,10/8 MapStateFailed,"
                     "11/10 ExecutionFailed,");
    CHECK_STR(r.ev[8], "{\"name\":\"M\",\"index\":0}");
    CHECK_STR(r.ev[10], "{\"error\":\"E\",\"cause\":\"stepx test failure #0\"}");
    /* with a Retry the Map repeats from MapStateStarted; MapStateFailed appears once */
    def = "{\"StartAt\":\"M\",\"States\":{\"M\":{\"Type\":\"Map\",\"MaxConcurrency\":1,"
          "\"Retry\":[{\"ErrorEquals\":[\"E\"],\"MaxAttempts\":1}],"
          "\"Catch\":[{\"ErrorEquals\":[\"E\"],\"Next\":\"N\"}],"
          "\"ItemProcessor\":{\"StartAt\":\"I\",\"States\":{\"I\":{\"Type\":\"Fail\","
          "\"Error\":\"E\"}}},\"End\":true},\"N\":{\"Type\":\"Succeed\"}}}";
    CHECK(run_hist(def, "[1]", &r, true) == SX_OK);
    CHECK_INT(r.st, EX_SUCCEEDED);
    CHECK_STR(r.seq, "1/0 ExecutionStarted,2/0 MapStateEntered,3/2 MapStateStarted,"
                     "4/3 MapIterationStarted,5/4 FailStateEntered,6/5 MapIterationFailed,"
                     "7/5 MapStateStarted,8/7 MapIterationStarted,9/8 FailStateEntered,"
                     "10/9 MapIterationFailed,11/9 MapStateFailed,12/11 MapStateExited,"
                     "13/12 SucceedStateEntered,14/13 SucceedStateExited,"
                     "15/14 ExecutionSucceeded,");
}

static void
test_parallel(void)
{
    hrun_t r;
    const char *def =
        "{\"StartAt\":\"P\",\"States\":{\"P\":{\"Type\":\"Parallel\",\"Branches\":["
        "{\"StartAt\":\"A\",\"States\":{\"A\":{\"Type\":\"Pass\",\"End\":true}}},"
        "{\"StartAt\":\"B\",\"States\":{\"B\":{\"Type\":\"Pass\",\"Result\":2,\"End\":true}}}],"
        "\"End\":true}}}";
    CHECK(run_hist(def, "{}", &r, true) == SX_OK);
    CHECK_INT(r.st, EX_SUCCEEDED);
    /* each branch's first event points at ParallelStateStarted */
    CHECK_STR(r.seq, "1/0 ExecutionStarted,2/0 ParallelStateEntered,3/2 ParallelStateStarted,"
                     "4/3 PassStateEntered,5/4 PassStateExited,6/3 PassStateEntered,"
                     "7/6 PassStateExited,8/7 ParallelStateSucceeded,9/8 ParallelStateExited,"
                     "10/9 ExecutionSucceeded,");
    CHECK_STR(r.ev[2], "");
    CHECK_STR(r.ev[8], "{\"name\":\"P\",\"output\":\"[{},2]\",\"outputDetails\":"
                       "{\"truncated\":false}}");
    /* a failing branch, caught: ParallelStateFailed, then Exited with the catcher output */
    def = "{\"StartAt\":\"P\",\"States\":{\"P\":{\"Type\":\"Parallel\",\"Branches\":["
          "{\"StartAt\":\"A\",\"States\":{\"A\":{\"Type\":\"Fail\",\"Error\":\"X\","
          "\"Cause\":\"c\"}}}],\"Catch\":[{\"ErrorEquals\":[\"X\"],\"Next\":\"N\"}],"
          "\"End\":true},\"N\":{\"Type\":\"Pass\",\"End\":true}}}";
    CHECK(run_hist(def, "{}", &r, true) == SX_OK);
    CHECK_INT(r.st, EX_SUCCEEDED);
    CHECK_STR(r.seq, "1/0 ExecutionStarted,2/0 ParallelStateEntered,3/2 ParallelStateStarted,"
                     "4/3 FailStateEntered,5/4 ParallelStateFailed,6/5 ParallelStateExited,"
                     "7/6 PassStateEntered,8/7 PassStateExited,9/8 ExecutionSucceeded,");
    CHECK_STR(r.ev[3], "{\"name\":\"A\",\"input\":\"{}\",\"inputDetails\":{\"truncated\":false}}");
    CHECK_STR(r.ev[5], "{\"name\":\"P\",\"output\":\"{\\\"Error\\\":\\\"X\\\",\\\"Cause\\\":"
                       "\\\"c\\\"}\",\"outputDetails\":{\"truncated\":false}}");
}

static void
test_choice_assign(void)
{
    hrun_t r;
    const char *def = "{\"StartAt\":\"C\",\"States\":{\"C\":{\"Type\":\"Choice\",\"Choices\":["
                      "{\"Variable\":\"$.a\",\"NumericEquals\":1,\"Assign\":{\"x.$\":\"$.a\","
                      "\"s\":\"v\"},\"Next\":\"D\"}]},\"D\":{\"Type\":\"Succeed\"}}}";
    CHECK(run_hist(def, "{\"a\":1}", &r, true) == SX_OK);
    CHECK_INT(r.st, EX_SUCCEEDED);
    CHECK_STR(r.seq, "1/0 ExecutionStarted,2/0 ChoiceStateEntered,3/2 ChoiceStateExited,"
                     "4/3 SucceedStateEntered,5/4 SucceedStateExited,6/5 ExecutionSucceeded,");
    CHECK_STR(r.ev[2], "{\"name\":\"C\",\"output\":\"{\\\"a\\\":1}\",\"outputDetails\":"
                       "{\"truncated\":false},\"assignedVariables\":{\"x\":\"1\",\"s\":"
                       "\"\\\"v\\\"\"},\"assignedVariablesDetails\":{\"truncated\":false}}");
    CHECK_STR(r.ev[4], "{\"name\":\"D\",\"output\":\"{\\\"a\\\":1}\",\"outputDetails\":"
                       "{\"truncated\":false}}");
}

static void
test_jsonata_evaluation_failed(void)
{
    hrun_t r;
    /* input-side field: EvaluationFailed right after Entered, no TaskScheduled */
    const char *def = "{\"QueryLanguage\":\"JSONata\",\"StartAt\":\"T\",\"States\":{\"T\":"
                      "{\"Type\":\"Task\",\"Resource\":\"arn:stepx:test:echo\",\"Arguments\":"
                      "{\"v\":\"{% $nosuch %}\"},\"End\":true}}}";
    CHECK(run_hist(def, "{}", &r, true) == SX_OK);
    CHECK_INT(r.st, EX_FAILED);
    CHECK_STR(r.err, "States.QueryEvaluationError");
    CHECK_STR(r.seq, "1/0 ExecutionStarted,2/0 TaskStateEntered,3/2 EvaluationFailed,"
                     "4/3 ExecutionFailed,");
    const char *cause = "An error occurred while executing the state 'T' (entered at the event "
                        "id #2). The JSONata expression '$nosuch' specified for the field "
                        "'Arguments/v' returned nothing (undefined).";
    char want[1024];
    snprintf(want, sizeof(want),
             "{\"error\":\"States.QueryEvaluationError\",\"cause\":\"%s\",\"location\":"
             "\"Arguments/v\",\"state\":\"T\"}",
             cause);
    CHECK_STR(r.ev[2], want);
    /* Map Items: EvaluationFailed, then MapStateFailed, no MapStateStarted */
    def = "{\"QueryLanguage\":\"JSONata\",\"StartAt\":\"M\",\"States\":{\"M\":{\"Type\":\"Map\","
          "\"Items\":\"{% 5 %}\",\"ItemProcessor\":{\"StartAt\":\"I\",\"States\":{\"I\":"
          "{\"Type\":\"Pass\",\"End\":true}}},\"End\":true}}}";
    CHECK(run_hist(def, "{}", &r, true) == SX_OK);
    CHECK_INT(r.st, EX_FAILED);
    CHECK_STR(r.seq, "1/0 ExecutionStarted,2/0 MapStateEntered,3/2 EvaluationFailed,"
                     "4/3 MapStateFailed,5/4 ExecutionFailed,");
    CHECK(strstr(r.ev[2], "\"location\":\"Items\"") != NULL);
    /* output-side field of a Task: after TaskSucceeded, no Exited */
    def = "{\"QueryLanguage\":\"JSONata\",\"StartAt\":\"T\",\"States\":{\"T\":"
          "{\"Type\":\"Task\",\"Resource\":\"arn:stepx:test:echo\",\"Output\":\"{% $x.y() %}\","
          "\"End\":true}}}";
    CHECK(run_hist(def, "{}", &r, true) == SX_OK);
    CHECK_INT(r.st, EX_FAILED);
    CHECK_STR(r.seq, "1/0 ExecutionStarted,2/0 TaskStateEntered,3/2 TaskScheduled,"
                     "4/3 TaskStarted,5/4 TaskSucceeded,6/5 EvaluationFailed,"
                     "7/6 ExecutionFailed,");
}

static void
test_aborted(void)
{
    hrun_t r;
    /* a failing branch aborts its siblings: a Wait, a Map's running iterations (inner
     * events first, then MapIterationAborted), then the Map itself; ParallelStateFailed
     * still points at the failing inner event */
    const char *def =
        "{\"StartAt\":\"P\",\"States\":{\"P\":{\"Type\":\"Parallel\",\"Branches\":["
        "{\"StartAt\":\"W0\",\"States\":{\"W0\":{\"Type\":\"Wait\",\"Seconds\":1,\"Next\":\"F\"},"
        "\"F\":{\"Type\":\"Fail\",\"Error\":\"Boom\",\"Cause\":\"b\"}}},"
        "{\"StartAt\":\"W\",\"States\":{\"W\":{\"Type\":\"Wait\",\"Seconds\":10,\"End\":true}}},"
        "{\"StartAt\":\"M\",\"States\":{\"M\":{\"Type\":\"Map\",\"ItemsPath\":\"$.items\","
        "\"ItemProcessor\":{\"StartAt\":\"T\",\"States\":{\"T\":{\"Type\":\"Wait\","
        "\"Seconds\":30,\"End\":true}}},\"End\":true}}}],\"End\":true}}}";
    CHECK(run_hist(def, "{\"items\":[1,2]}", &r, true) == SX_OK);
    CHECK_INT(r.st, EX_FAILED);
    CHECK_STR(r.seq, "1/0 ExecutionStarted,2/0 ParallelStateEntered,3/2 ParallelStateStarted,"
                     "4/3 WaitStateEntered,5/3 WaitStateEntered,6/3 MapStateEntered,"
                     "7/6 MapStateStarted,8/7 MapIterationStarted,9/8 MapIterationStarted,"
                     "10/8 WaitStateEntered,11/9 WaitStateEntered,12/4 WaitStateExited,"
                     "13/12 FailStateEntered,14/5 WaitStateAborted,15/10 WaitStateAborted,"
                     "16/15 MapIterationAborted,17/11 WaitStateAborted,"
                     "18/17 MapIterationAborted,19/18 MapStateAborted,"
                     "20/13 ParallelStateFailed,21/20 ExecutionFailed,");
    CHECK_STR(r.ev[13], "");
    CHECK_STR(r.ev[15], "{\"name\":\"M\",\"index\":0}");
    /* tasks in flight or waiting to retry: TaskStateAborted; the execution timeout aborts
     * the Wait it interrupts */
    def = "{\"StartAt\":\"P\",\"TimeoutSeconds\":30,\"States\":{\"P\":{\"Type\":\"Parallel\","
          "\"Branches\":["
          "{\"StartAt\":\"F\",\"States\":{\"F\":{\"Type\":\"Task\",\"Resource\":"
          "\"arn:stepx:test:sleep:10\",\"Next\":\"G\"},\"G\":{\"Type\":\"Fail\","
          "\"Error\":\"Boom\"}}},"
          "{\"StartAt\":\"T\",\"States\":{\"T\":{\"Type\":\"Task\",\"Resource\":"
          "\"arn:stepx:test:sleep:5000\",\"End\":true}}},"
          "{\"StartAt\":\"R\",\"States\":{\"R\":{\"Type\":\"Task\",\"Resource\":"
          "\"arn:stepx:test:fail:Flaky\",\"Retry\":[{\"ErrorEquals\":[\"Flaky\"],"
          "\"IntervalSeconds\":60}],\"End\":true}}}],"
          "\"Catch\":[{\"ErrorEquals\":[\"Boom\"],\"ResultPath\":null,\"Next\":\"W\"}],"
          "\"Next\":\"W\"},\"W\":{\"Type\":\"Wait\",\"Seconds\":100,\"End\":true}}}";
    CHECK(run_hist(def, "{}", &r, true) == SX_OK);
    CHECK_INT(r.st, EX_TIMED_OUT);
    CHECK(strstr(r.seq, "TaskFailed,") != NULL); /* R's first attempt */
    CHECK(strstr(r.seq, "FailStateEntered,") != NULL);
    CHECK(strstr(r.seq, "TaskStateAborted,") != NULL);
    const char *tail = strstr(r.seq, "ParallelStateFailed,");
    CHECK(tail != NULL);
    int aborted = 0;
    for (const char *p = r.seq; (p = strstr(p, "TaskStateAborted")) != NULL && p < tail; p++)
        aborted++;
    CHECK_INT(aborted, 2); /* T in flight, R in its retry delay */
    CHECK(tail != NULL && strstr(tail, "ParallelStateExited,") != NULL &&
          strstr(tail, "WaitStateEntered,") != NULL);
    size_t n = strlen(r.seq);
    const char *end = "WaitStateAborted,";
    CHECK(n > 60 && strstr(r.seq + n - 60, end) != NULL &&
          strstr(r.seq + n - 60, "ExecutionTimedOut,") != NULL);
}

static const sx_test_t tests[] = {
    {"pass", test_pass},
    {"task_retry_catch", test_task_retry_catch},
    {"task_timeout_uncaught", test_task_timeout_uncaught},
    {"lambda_arn", test_lambda_arn},
    {"map_sequential", test_map_sequential},
    {"map_failure", test_map_failure},
    {"parallel", test_parallel},
    {"choice_assign", test_choice_assign},
    {"jsonata_evaluation_failed", test_jsonata_evaluation_failed},
    {"aborted", test_aborted},
    {NULL, NULL},
};

int
main(int argc, char **argv)
{
    return sx_test_main("exec_hist", tests, argc, argv);
}
