/*
 * test_ex_limit.c: States.DataLimitExceeded (262,144 bytes, asl.md §9) at every place the
 * engine checks it: execution input, state input (Map iteration / Parallel branch), task
 * input, task result (catchable), Map/Parallel result, state output (Pass Parameters,
 * ResultPath growth, JSONata Output, Choice Output, catcher output), plus values just under
 * the limit, and a JSONata result that shares one subtree many times (bounded cost).
 */
#include <stdlib.h>
#include <string.h>

#include "stepx/exec.h"
#include "../sx_test.h"

typedef struct lrun {
    ex_status_t st;
    char err[128];
    char cause[512];
    size_t out_len;
} lrun_t;

static int
run_lim(const char *def, const char *input, lrun_t *r)
{
    asl_machine_t *m = NULL;
    char *why = NULL;
    memset(r, 0, sizeof(*r));
    if (asl_machine_compile_text(def, strlen(def), ASL_TYPE_EXPRESS, &m, &why) != SX_OK) {
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
    o.type = ASL_TYPE_EXPRESS;
    ex_exec_t *ex = ex_exec_new(&e, m, &o);
    const val_t *in = NULL;
    if (val_json_parse(ex_exec_arena(ex), input, strlen(input), &in, NULL) != SX_OK)
        fprintf(stderr, "  bad input\n");
    ex_exec_start(ex, in);
    sch_run(s);
    r->st = ex_exec_status(ex);
    snprintf(r->err, sizeof(r->err), "%s", ex_exec_error(ex) ? ex_exec_error(ex) : "");
    snprintf(r->cause, sizeof(r->cause), "%s", ex_exec_cause(ex) ? ex_exec_cause(ex) : "");
    if (ex_exec_output(ex) != NULL)
        r->out_len = val_json_len(ex_exec_output(ex));
    ex_exec_free(ex);
    asl_machine_unref(m);
    sch_free(s);
    return SX_OK;
}

/* {"s":"xxx...x"} with n x's (heap). */
static char *
big_input(size_t n)
{
    char *p = malloc(n + 16);
    memcpy(p, "{\"s\":\"", 6);
    memset(p + 6, 'x', n);
    memcpy(p + 6 + n, "\"}", 3);
    return p;
}

static void
check_limit(const lrun_t *r, const char *who)
{
    char want[256];
    snprintf(want, sizeof(want),
             "The state/task '%s' returned a result with a size exceeding the maximum number "
             "of bytes service limit.",
             who);
    CHECK_INT(r->st, EX_FAILED);
    CHECK_STR(r->err, "States.DataLimitExceeded");
    CHECK_STR(r->cause, want);
}

static void
test_execution_input(void)
{
    lrun_t r;
    char *in = big_input(262144);
    CHECK(run_lim("{\"StartAt\":\"P\",\"States\":{\"P\":{\"Type\":\"Pass\",\"End\":true}}}", in,
                  &r) == SX_OK);
    check_limit(&r, "input");
    free(in);
}

static void
test_pass_output(void)
{
    lrun_t r;
    char *in = big_input(140000);
    /* Parameters doubling the input: the Pass state's own overflow is not catchable */
    CHECK(run_lim("{\"StartAt\":\"P\",\"States\":{\"P\":{\"Type\":\"Pass\",\"Parameters\":"
                  "{\"a.$\":\"$.s\",\"b.$\":\"$.s\"},\"End\":true}}}",
                  in, &r) == SX_OK);
    check_limit(&r, "P");
    /* ResultPath growth: input + a copy */
    CHECK(run_lim("{\"StartAt\":\"A\",\"States\":{\"A\":{\"Type\":\"Pass\",\"Next\":\"P\"},"
                  "\"P\":{\"Type\":\"Pass\",\"Parameters\":{\"c.$\":\"$.s\"},"
                  "\"ResultPath\":\"$.copy\",\"End\":true}}}",
                  in, &r) == SX_OK);
    check_limit(&r, "P");
    /* the same with ResultPath null stays under the limit */
    CHECK(run_lim("{\"StartAt\":\"P\",\"States\":{\"P\":{\"Type\":\"Pass\",\"Parameters\":"
                  "{\"c.$\":\"$.s\"},\"ResultPath\":null,\"End\":true}}}",
                  in, &r) == SX_OK);
    CHECK_INT(r.st, EX_SUCCEEDED);
    CHECK_INT(r.out_len, 140000 + 8);
    free(in);
}

static void
test_near_limit_chain(void)
{
    lrun_t r;
    /* 262,144 bytes exactly: {"s":"..."} is n + 8 bytes; twenty states keep it */
    char *in = big_input(262144 - 8);
    char def[4096];
    size_t off;
    off = (size_t)snprintf(def, sizeof(def), "{\"StartAt\":\"S0\",\"States\":{");
    for (int i = 0; i < 20; i++) {
        char next[32];
        if (i < 19)
            snprintf(next, sizeof(next), "\"Next\":\"S%d\"", i + 1);
        else
            snprintf(next, sizeof(next), "\"End\":true");
        off += (size_t)snprintf(def + off, sizeof(def) - off,
                                "%s\"S%d\":{\"Type\":\"Pass\",\"InputPath\":\"$\",%s}",
                                i ? "," : "", i, next);
    }
    snprintf(def + off, sizeof(def) - off, "}}");
    CHECK(run_lim(def, in, &r) == SX_OK);
    CHECK_INT(r.st, EX_SUCCEEDED);
    CHECK_INT(r.out_len, 262144);
    free(in);
    in = big_input(262144 - 7);
    CHECK(run_lim(def, in, &r) == SX_OK);
    check_limit(&r, "input");
    free(in);
}

static void
test_task_input_and_result(void)
{
    lrun_t r;
    char *in = big_input(140000);
    /* task input over the limit: not caught even by States.ALL */
    CHECK(run_lim("{\"StartAt\":\"T\",\"States\":{\"T\":{\"Type\":\"Task\",\"Resource\":"
                  "\"arn:stepx:test:echo\",\"Parameters\":{\"a.$\":\"$.s\",\"b.$\":\"$.s\"},"
                  "\"Catch\":[{\"ErrorEquals\":[\"States.ALL\"],\"Next\":\"C\"}],\"End\":true},"
                  "\"C\":{\"Type\":\"Succeed\"}}}",
                  in, &r) == SX_OK);
    check_limit(&r, "T");
    free(in);
    /* task result over the limit: caught */
    CHECK(run_lim("{\"StartAt\":\"T\",\"States\":{\"T\":{\"Type\":\"Task\",\"Resource\":"
                  "\"arn:stepx:test:big:300000\",\"Catch\":[{\"ErrorEquals\":[\"States.ALL\"],"
                  "\"ResultPath\":\"$.e\",\"Next\":\"C\"}],\"End\":true},"
                  "\"C\":{\"Type\":\"Succeed\"}}}",
                  "{}", &r) == SX_OK);
    CHECK_INT(r.st, EX_SUCCEEDED);
    /* the task's output (input + result) over the limit: the state fails */
    in = big_input(140000);
    CHECK(run_lim("{\"StartAt\":\"T\",\"States\":{\"T\":{\"Type\":\"Task\",\"Resource\":"
                  "\"arn:stepx:test:echo\",\"ResultPath\":\"$.r\",\"End\":true}}}",
                  in, &r) == SX_OK);
    check_limit(&r, "T");
    free(in);
}

static void
test_map_and_parallel(void)
{
    lrun_t r;
    char *in = big_input(100000);
    /* Map result: three iterations each returning the 100 KB input */
    CHECK(run_lim("{\"StartAt\":\"M\",\"States\":{\"M\":{\"Type\":\"Map\",\"ItemsPath\":"
                  "\"$.items\",\"ItemSelector\":{\"s.$\":\"$.s\"},\"ItemProcessor\":{\"StartAt\":"
                  "\"I\",\"States\":{\"I\":{\"Type\":\"Pass\",\"End\":true}}},"
                  "\"ResultPath\":null,\"End\":true}}}",
                  "{\"items\":[1,2,3]}", &r) == SX_OK);
    CHECK_INT(r.st, EX_FAILED); /* $.s missing: States.Runtime, not a size problem */
    CHECK_STR(r.err, "States.Runtime");
    char input[100064];
    snprintf(input, sizeof(input), "{\"items\":[1,2,3],%s", in + 1);
    CHECK(run_lim("{\"StartAt\":\"M\",\"States\":{\"M\":{\"Type\":\"Map\",\"ItemsPath\":"
                  "\"$.items\",\"ItemSelector\":{\"s.$\":\"$.s\"},\"ItemProcessor\":{\"StartAt\":"
                  "\"I\",\"States\":{\"I\":{\"Type\":\"Pass\",\"End\":true}}},"
                  "\"ResultPath\":null,\"End\":true}}}",
                  input, &r) == SX_OK);
    check_limit(&r, "M");
    /* Map iteration input over the limit: the inner state fails */
    CHECK(run_lim("{\"StartAt\":\"M\",\"States\":{\"M\":{\"Type\":\"Map\",\"ItemsPath\":"
                  "\"$.items\",\"ItemSelector\":{\"a.$\":\"$.s\",\"b.$\":\"$.s\",\"c.$\":\"$.s\"},"
                  "\"ItemProcessor\":{\"StartAt\":\"I\",\"States\":{\"I\":{\"Type\":\"Pass\","
                  "\"End\":true}}},\"End\":true}}}",
                  input, &r) == SX_OK);
    check_limit(&r, "I");
    /* Parallel: three branches passing the input through */
    CHECK(run_lim("{\"StartAt\":\"P\",\"States\":{\"P\":{\"Type\":\"Parallel\",\"Branches\":["
                  "{\"StartAt\":\"A\",\"States\":{\"A\":{\"Type\":\"Pass\",\"End\":true}}},"
                  "{\"StartAt\":\"B\",\"States\":{\"B\":{\"Type\":\"Pass\",\"End\":true}}},"
                  "{\"StartAt\":\"C\",\"States\":{\"C\":{\"Type\":\"Pass\",\"End\":true}}}],"
                  "\"ResultSelector\":{\"n\":1},\"End\":true}}}",
                  in, &r) == SX_OK);
    check_limit(&r, "P");
    free(in);
}

static void
test_jsonata(void)
{
    lrun_t r;
    char *in = big_input(140000);
    CHECK(run_lim("{\"QueryLanguage\":\"JSONata\",\"StartAt\":\"P\",\"States\":{\"P\":{\"Type\":"
                  "\"Pass\",\"Output\":\"{% $states.input.s & $states.input.s %}\",\"End\":true}}}",
                  in, &r) == SX_OK);
    check_limit(&r, "P");
    CHECK(run_lim("{\"QueryLanguage\":\"JSONata\",\"StartAt\":\"C\",\"States\":{\"C\":{\"Type\":"
                  "\"Choice\",\"Choices\":[{\"Condition\":\"{% true %}\",\"Output\":"
                  "\"{% [$states.input, $states.input] %}\",\"Next\":\"D\"}]},"
                  "\"D\":{\"Type\":\"Succeed\"}}}",
                  in, &r) == SX_OK);
    check_limit(&r, "C");
    free(in);
    /* one 1 KB subtree shared 100,000 times: fails without printing 100 MB */
    in = big_input(1000);
    CHECK(run_lim("{\"QueryLanguage\":\"JSONata\",\"StartAt\":\"P\",\"States\":{\"P\":{\"Type\":"
                  "\"Pass\",\"Output\":\"{% [1..100000].($states.input) %}\",\"End\":true}}}",
                  in, &r) == SX_OK);
    check_limit(&r, "P");
    free(in);
}

static void
test_catcher_output(void)
{
    lrun_t r;
    char *in = big_input(140000);
    /* a branch fails with the 140 KB string as its cause; the catcher merges the error output
     * into the 140 KB input: the Parallel state's output is over the limit */
    const char *def = "{\"StartAt\":\"P\",\"States\":{\"P\":{\"Type\":\"Parallel\",\"Branches\":["
                      "{\"StartAt\":\"F\",\"States\":{\"F\":{\"Type\":\"Fail\",\"Error\":\"E\","
                      "\"CausePath\":\"$.s\"}}}],\"Catch\":[{\"ErrorEquals\":[\"E\"],"
                      "\"ResultPath\":\"$.err\",\"Next\":\"D\"}],\"End\":true},"
                      "\"D\":{\"Type\":\"Succeed\"}}}";
    CHECK(run_lim(def, in, &r) == SX_OK);
    check_limit(&r, "P");
    free(in);
    in = big_input(100000);
    CHECK(run_lim(def, in, &r) == SX_OK);
    CHECK_INT(r.st, EX_SUCCEEDED);
    free(in);
}

static const sx_test_t tests[] = {
    {"execution_input", test_execution_input},
    {"pass_output", test_pass_output},
    {"near_limit_chain", test_near_limit_chain},
    {"task_input_and_result", test_task_input_and_result},
    {"map_and_parallel", test_map_and_parallel},
    {"jsonata", test_jsonata},
    {"catcher_output", test_catcher_output},
    {NULL, NULL},
};

int
main(int argc, char **argv)
{
    return sx_test_main("exec_limit", tests, argc, argv);
}
