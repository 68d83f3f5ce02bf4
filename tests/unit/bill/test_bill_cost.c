/*
 * test_bill_cost.c: profiles (one run, static walk, endless loop), the monthly estimate and
 * the cost lints, on the bench workflows (/work/shared/bench/workflows) and small inline
 * definitions, then `stepx cost --json` through the binary (build/bin/stepx).
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "stepx/bill.h"
#include "stepx/exec.h"
#include "../sx_test.h"

#define WF "/work/shared/bench/workflows/"

static asl_machine_t *
compile(const char *text)
{
    asl_machine_t *m = NULL;
    char *why = NULL;
    if (asl_machine_compile_text(text, strlen(text), ASL_TYPE_STANDARD, &m, &why) != SX_OK)
        fprintf(stderr, "  compile: %s\n", why ? why : "?");
    sx_free(why);
    return m;
}

static asl_machine_t *
compile_file(const char *path)
{
    char *text = NULL;
    size_t len;
    if (sx_read_file(path, &text, &len) != SX_OK)
        return NULL;
    asl_machine_t *m = compile(text);
    sx_free(text);
    return m;
}

static const val_t *
input_file(sx_arena_t *a, const char *path)
{
    char *text = NULL;
    size_t len;
    const val_t *v = NULL;
    val_json_err_t je;
    if (sx_read_file(path, &text, &len) == SX_OK)
        (void)val_json_parse(a, text, len, &v, &je);
    sx_free(text);
    return v;
}

static void
test_bench_measured(void)
{
    static const struct {
        const char *name;
        uint64_t transitions, steps, pass, choice;
    } cases[] = {
        {"pass-chain", 10, 0, 10, 0},
        {"choice-loop", 203, 0, 101, 101},
        {"map-fanout", 601, 300, 400, 100},
    };
    for (size_t i = 0; i < SX_ARRAY_LEN(cases); i++) {
        char path[256];
        bill_profile_t p;
        sx_arena_t *a = sx_arena_new(0);
        snprintf(path, sizeof(path), WF "%s.asl.json", cases[i].name);
        asl_machine_t *m = compile_file(path);
        snprintf(path, sizeof(path), WF "%s.input.json", cases[i].name);
        const val_t *in = input_file(a, path);
        CHECK(m != NULL && in != NULL);
        if (m == NULL || in == NULL)
            goto next;
        CHECK(bill_profile_run(m, in, 20000, &p) == SX_OK);
        CHECK(p.measured);
        CHECK_STR(p.run_status, "SUCCEEDED");
        CHECK_INT(p.transitions, cases[i].transitions);
        CHECK_INT(p.steps, cases[i].steps);
        CHECK_INT(p.by_type[ASL_STATE_PASS], cases[i].pass);
        CHECK_INT(p.by_type[ASL_STATE_CHOICE], cases[i].choice);
        bill_profile_fini(&p);
    next:
        asl_machine_unref(m);
        sx_arena_free(a);
    }
}

static void
test_static_and_loop(void)
{
    bill_profile_t p;
    asl_machine_t *m = compile_file(WF "map-fanout.asl.json");
    CHECK(m != NULL);
    if (m != NULL) {
        bill_profile_static(m, &p);
        /* Fanout + one item: Tag, Classify, Even (the first rule), Fan, BranchA, BranchB */
        CHECK_INT(p.transitions, 7);
        CHECK_INT(p.inner, 6);
        CHECK_INT(p.steps, 3); /* one Map item + two branches */
        CHECK(!p.measured);
        bill_profile_fini(&p);
        asl_machine_unref(m);
    }
    m = compile("{\"StartAt\":\"A\",\"States\":{\"A\":{\"Type\":\"Pass\",\"Next\":\"B\"},"
                "\"B\":{\"Type\":\"Pass\",\"Next\":\"A\"}}}");
    CHECK(m != NULL);
    if (m != NULL) {
        CHECK(bill_profile_run(m, val_obj_empty(), 300, &p) == SX_AGAIN);
        bill_profile_fini(&p);
        bill_profile_static(m, &p);
        CHECK_INT(p.transitions, 2); /* the loop once */
        bill_profile_fini(&p);
        asl_machine_unref(m);
    }
    /* a Choice whose Default rejects (Fail): the walk follows the rule to the work */
    m = compile("{\"StartAt\":\"C\",\"States\":{\"C\":{\"Type\":\"Choice\",\"Choices\":"
                "[{\"Variable\":\"$.ok\",\"BooleanEquals\":true,\"Next\":\"W\"}],"
                "\"Default\":\"No\"},\"No\":{\"Type\":\"Fail\"},"
                "\"W\":{\"Type\":\"Pass\",\"Next\":\"X\"},\"X\":{\"Type\":\"Pass\","
                "\"End\":true}}}");
    CHECK(m != NULL);
    if (m != NULL) {
        bill_profile_static(m, &p);
        CHECK_INT(p.transitions, 3); /* C, W, X */
        bill_profile_fini(&p);
        asl_machine_unref(m);
    }
}

/* AWS's example as a workload: 100M executions of 10 s at 64 MB, 3 transitions each. */
static void
test_estimate(void)
{
    bill_pricing_t pr;
    bill_estimate_t e;
    bill_pricing_default(&pr);
    CHECK(bill_estimate_month(&pr, 100000000, 10000, 64, 3, &e) == SX_OK);
    CHECK_INT(e.express.total_nusd, 482969444444LL);
    CHECK_INT(e.transitions, 300000000);
    CHECK_INT(e.std_billable, 300000000 - 4000);
    CHECK_INT(e.std_nusd, 7499900 * 1000000LL); /* $7,499.90 */
    CHECK(bill_estimate_month(&pr, INT64_MAX / 2, 300000, 128, 1, &e) == SX_ERR);
}

static const bill_lint_t *
lint(const bill_lints_t *l, const char *code, const char *state)
{
    for (size_t i = 0; i < l->n; i++)
        if (strcmp(l->v[i].code, code) == 0 &&
            (state == NULL ? l->v[i].state == NULL
                           : l->v[i].state && strcmp(l->v[i].state, state) == 0))
            return &l->v[i];
    return NULL;
}

static void
test_lints(void)
{
    bill_pricing_t pr;
    bill_estimate_t e;
    bill_profile_t p;
    bill_lints_t l;
    const bill_lint_t *x;
    bill_pricing_default(&pr);
    asl_machine_t *m =
        compile("{\"StartAt\":\"W\",\"States\":{"
                "\"W\":{\"Type\":\"Wait\",\"Seconds\":60,\"Next\":\"P\"},"
                "\"P\":{\"Type\":\"Pass\",\"Next\":\"C\"},"
                "\"C\":{\"Type\":\"Choice\",\"Choices\":[{\"Variable\":\"$.x\","
                "\"IsPresent\":true,\"Next\":\"Long\"}],\"Default\":\"T\"},"
                "\"T\":{\"Type\":\"Task\",\"Resource\":\"arn:aws:lambda:us-east-1:1:function:f\","
                "\"End\":true},"
                "\"Long\":{\"Type\":\"Wait\",\"Seconds\":600,\"End\":true}}}");
    CHECK(m != NULL);
    if (m == NULL)
        return;
    memset(&l, 0, sizeof(l));
    if (bill_profile_run(m, val_obj_empty(), 20000, &p) != SX_OK) {
        CHECK(!"bill_profile_run failed");
        asl_machine_unref(m);
        return;
    }
    CHECK_STR(p.run_status, "SUCCEEDED"); /* the Lambda Task echoed its input */
    CHECK_INT(p.transitions, 4);          /* W, P, C, T */
    CHECK_INT(p.run_ms, 60000);           /* virtual clock */
    CHECK(bill_estimate_month(&pr, 2592000, 60100, 64, p.transitions, &e) == SX_OK);
    bill_lints_find(m, &p, &e, &pr, 60100, &l);
    x = lint(&l, "pass-choice-chain", "P");
    CHECK(x != NULL && strstr(x->msg, "2 Pass/Choice states in a row (P, C)") != NULL);
    /* 2 of 4 transitions x 2,592,000 executions x $0.000025 = $129.60 */
    CHECK(x != NULL && strstr(x->msg, "$129.60 a month") != NULL);
    x = lint(&l, "wait-duration", "W");
    /* duration: 2,592,000 x 60.1 s x 1/16 GB = 9,736,200 GB-s = 2704.5 GB-h -> $60 + $51.135
     * = $111.135; the wait's 60 of 60.1 s -> $110.95 */
    CHECK(x != NULL && strstr(x->msg, "about $110.95 of the $111.14 a month") != NULL);
    /* never entered in this run, but any input that reaches it fails under Express */
    x = lint(&l, "wait-express-limit", "Long");
    CHECK(x != NULL && strstr(x->msg, "600 s") != NULL);
    CHECK(lint(&l, "duration-express-limit", NULL) == NULL);
    bill_lints_fini(&l);
    bill_profile_fini(&p);
    /* statically every Wait is considered, and 600 s is over Express's limit */
    bill_profile_static(m, &p);
    bill_lints_find(m, &p, &e, &pr, 400000, &l);
    x = lint(&l, "wait-express-limit", "Long");
    CHECK(x != NULL && strstr(x->msg, "600 s") != NULL);
    CHECK(lint(&l, "duration-express-limit", NULL) != NULL);
    bill_lints_fini(&l);
    bill_profile_fini(&p);
    asl_machine_unref(m);
}

/* Runs `stepx cost ARGS` and returns its stdout (heap) or NULL. */
static char *
stepx_cost(const char *args, int *status)
{
    char exe[PATH_MAX], cmd[PATH_MAX + 512];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
    if (n <= 0)
        return NULL;
    exe[n] = '\0';
    *strrchr(exe, '/') = '\0';
    snprintf(cmd, sizeof(cmd), "%s/../bin/stepx cost %s", exe, args);
    FILE *f = popen(cmd, "r");
    if (f == NULL)
        return NULL;
    sx_sbuf_t b = SX_SBUF_INIT;
    char buf[4096];
    size_t got;
    while ((got = fread(buf, 1, sizeof(buf), f)) > 0)
        sx_sbuf_add(&b, buf, got);
    *status = pclose(f);
    return b.p;
}

static void
check_json(const char *args, const char *basis, double transitions, double express,
           double standard, const char *cheaper)
{
    int st = -1;
    char *out = stepx_cost(args, &st);
    sx_arena_t *a = sx_arena_new(0);
    const val_t *v = NULL;
    val_json_err_t je;
    CHECK(out != NULL && st == 0);
    if (out == NULL || val_json_parse(a, out, strlen(out), &v, &je) != SX_OK) {
        CHECK(!"stepx cost --json printed no JSON");
        goto out;
    }
    CHECK_STR(val_str_get(val_obj_gets(v, "basis")), basis);
    CHECK(val_num_get(val_obj_gets(v, "transitions_per_execution")) == transitions);
    CHECK(val_num_get(val_obj_gets(val_obj_gets(v, "express"), "total_usd")) == express);
    CHECK(val_num_get(val_obj_gets(val_obj_gets(v, "standard"), "total_usd")) == standard);
    CHECK_STR(val_str_get(val_obj_gets(v, "cheaper")), cheaper);
out:
    sx_free(out);
    sx_arena_free(a);
}

/* Checked figures at 10 executions/s (25,920,000 a month) of 250 ms (billed 300 ms, 64 MB):
 * Express = $25.92 requests + 486,000 GB-s (135 GB-h x $0.06 = $8.10) = $34.02;
 * Standard = (transitions x 25,920,000 - 4,000) x $0.000025. */
static void
test_cli(void)
{
    check_json(WF "pass-chain.asl.json --input " WF "pass-chain.input.json --rate 10/s "
                  "--duration-ms 250 --json",
               "measured", 10, 34.02, 6479.9, "EXPRESS");
    check_json(WF "choice-loop.asl.json --input " WF "choice-loop.input.json --rate 600/m "
                  "--duration-ms 250 --json",
               "measured", 203, 34.02, 131543.9, "EXPRESS");
    check_json(WF "map-fanout.asl.json --input " WF "map-fanout.input.json --rate 10/s "
                  "--duration-ms 250 --json",
               "measured", 601, 34.02, 389447.9, "EXPRESS");
    /* without its input the Map fails: static estimate, 7 transitions */
    check_json(WF "map-fanout.asl.json --rate 10/s --duration-ms 250 --json", "static", 7,
               34.02, 4535.9, "EXPRESS");
    /* 1 execution a minute of 4 minutes at 1 GB: 43,200 x 240 s = 10,368,000 GB-s =
     * 2,880 GB-h -> $60 + 1,880 x $0.03 = $116.40 + $0.0432 requests; Standard: 432,000 -
     * 4,000 free = 428,000 x $0.000025 = $10.70 */
    check_json(WF "pass-chain.asl.json --input " WF "pass-chain.input.json --rate 1/m "
                  "--duration-ms 240000 --memory-mb 1000 --json",
               "measured", 10, 116.4432, 10.7, "STANDARD");
    int st = -1;
    char *out = stepx_cost(WF "pass-chain.asl.json --rate fast --duration-ms 1 2>/dev/null", &st);
    CHECK(out == NULL && WIFEXITED(st) && WEXITSTATUS(st) == 2);
    sx_free(out);
    out = stepx_cost(WF "pass-chain.asl.json --rate 10/s --duration-ms 250", &st);
    CHECK(out != NULL && strstr(out, "cheaper      Express, by $6445.88 a month") != NULL);
    sx_free(out);
}

static const sx_test_t tests[] = {
    {"bench_measured", test_bench_measured},
    {"static_and_loop", test_static_and_loop},
    {"estimate", test_estimate},
    {"lints", test_lints},
    {"cli", test_cli},
    {NULL, NULL},
};

int
main(int argc, char **argv)
{
    return sx_test_main("bill_cost", tests, argc, argv);
}
