/*
 * test_jna_eval.c: the JSONata engine through its public API (jsonata.h): compile once /
 * evaluate many, results as JSON text, error codes, guards (depth and time give U1001),
 * AWS mode, host bindings and the lookup hook, and no mutation of shared inputs by
 * transforms. The conformance corpus itself runs through tests/jsonata/run_suite.py.
 */
#include <stdlib.h>

#include "../sx_test.h"
#include "stepx/jsonata.h"

/* Evaluates src on the JSON input text (NULL = no input); returns the compact JSON of the
 * result, "undefined", or "!CODE" for errors. Arena-owned by a. */
static const char *
run(sx_arena_t *a, const char *src, const char *json, const jna_opts_t *o)
{
    const jna_expr_t *e;
    const val_t *in = NULL, *out;
    jna_error_t err;
    if (json != NULL && val_json_parse(a, json, strlen(json), &in, NULL) != SX_OK)
        return "!JSON";
    if (jna_compile(a, src, strlen(src), &e, &err) != SX_OK ||
        jna_eval(e, in, o, a, &out, &err) != SX_OK)
        return sx_arena_printf(a, NULL, "!%s", err.code);
    if (out == NULL)
        return "undefined";
    return val_json_str(a, out, NULL);
}

static void
test_paths(void)
{
    sx_arena_t *a = sx_arena_new(0);
    const char *doc = "{\"a\":[{\"b\":1,\"c\":[{\"e\":1},{\"e\":2}]},{\"b\":2,\"c\":{\"e\":3}},{\"b\":3}]}";
    CHECK_STR(run(a, "a.b", doc, NULL), "[1,2,3]");
    CHECK_STR(run(a, "a.c[0]", doc, NULL), "[{\"e\":1},{\"e\":3}]");
    CHECK_STR(run(a, "(a.c)[0]", doc, NULL), "{\"e\":1}");
    CHECK_STR(run(a, "a.[b]", doc, NULL), "[[1],[2],[3]]");
    CHECK_STR(run(a, "a[b>1].b[]", doc, NULL), "[2,3]");
    CHECK_STR(run(a, "a[0].b[]", doc, NULL), "[1]");
    CHECK_STR(run(a, "a.c.e.%.%.b", doc, NULL), "[1,1,2]");
    CHECK_STR(run(a, "a#$i[b>1].$i", doc, NULL), "[1,2]");
    CHECK_STR(run(a, "a^(>b).b", doc, NULL), "[3,2,1]");
    CHECK_STR(run(a, "missing", doc, NULL), "undefined");
    CHECK_STR(run(a, "ref[0]", "[{\"ref\":[1,2]},{\"ref\":[3,4]}]", NULL), "1");
    CHECK_STR(run(a, "$[0]", "[{\"ref\":[1,2]},{\"ref\":[3,4]}]", NULL), "{\"ref\":[1,2]}");
    sx_arena_free(a);
}

static void
test_functions(void)
{
    sx_arena_t *a = sx_arena_new(0);
    CHECK_STR(run(a, "$map([1.55,2.55], $round)", NULL, NULL), "[2,2.6]");
    CHECK_STR(run(a, "$substring(?, 0, 5)(\"Hello, World\")", NULL, NULL), "\"Hello\"");
    CHECK_STR(run(a, "($t := $trim ~> $uppercase; $t(\" ab \"))", NULL, NULL), "\"AB\"");
    CHECK_STR(run(a, "$replace(\"John Smith\", /(\\w+)\\s(\\w+)/, \"$2, $1\")", NULL, NULL),
              "\"Smith, John\"");
    CHECK_STR(run(a, "$split(\"a1b2c\", /[0-9]/)", NULL, NULL), "[\"a\",\"b\",\"c\"]");
    CHECK_STR(run(a, "$replace(\"aaa\", /x*/, \"-\")", NULL, NULL), "!D1004");
    CHECK_STR(run(a, "$sort([3,1,2], function($a,$b){$a < $b})", NULL, NULL), "[3,2,1]");
    CHECK_STR(run(a, "$reduce([1,2,3,4], function($a,$b){$a+$b})", NULL, NULL), "10");
    CHECK_STR(run(a, "($f := function($n){$n <= 1 ? $n : $f($n-1)}; $f(100000))", NULL, NULL),
              "1");
    CHECK_STR(run(a, "$uppercase(1)", NULL, NULL), "!T0410");
    CHECK_STR(run(a, "uppercase(\"x\")", NULL, NULL), "!T1005");
    CHECK_STR(run(a, "1 +", NULL, NULL), "!S0207");
    CHECK_STR(run(a, "\"5\" + 1", NULL, NULL), "!T2001");
    CHECK_STR(run(a, "%.a", NULL, NULL), "!S0217");
    sx_arena_free(a);
}

static void
test_guards(void)
{
    sx_arena_t *a = sx_arena_new(0);
    jna_opts_t depth = {.depth_limit = 300};
    jna_opts_t time = {.time_limit_ms = 200, .depth_limit = 500};
    CHECK_STR(run(a, "($f := function($n){$n = 0 ? 0 : 1 + $f($n - 1)}; $f(1000))", NULL, &depth),
              "!U1001");
    CHECK_STR(run(a, "($inf := function(){$inf()}; $inf())", NULL, &time), "!U1001");
    /* hostile nesting must fail cleanly, not overflow the stack */
    char *deep = malloc(200001);
    memset(deep, '(', 100000);
    memset(deep + 100000, ')', 100000);
    deep[200000] = 0;
    CHECK_STR(run(a, deep, NULL, NULL), "!U1001");
    memset(deep, '[', 100000);
    deep[100000] = 0;
    CHECK_STR(run(a, deep, NULL, NULL), "!U1001");
    free(deep);
    /* numeric widths and runaway growth give U1002, not an allocator abort */
    CHECK_STR(run(a, "$fromMillis(0, '[Y0001,18446744073709551615]')", NULL, NULL), "!U1002");
    CHECK_STR(run(a, "$fromMillis(0, '[D,99999999999-]')", NULL, NULL), "!U1002");
    CHECK_STR(run(a, "$pad('x', 1e12)", NULL, NULL), "!U1002");
    CHECK_STR(run(a, "$formatInteger(100/0, 'w;o')", NULL, NULL), "!D3130"); /* fuzz: recursed */
    CHECK_STR(run(a, "$formatInteger(0/0, 'w')", NULL, NULL), "!D3130");
    CHECK_STR(run(a, "$formatInteger(1e300, 'w') ~> $contains('trillion')", NULL, NULL), "true");
    CHECK_STR(run(a, "$length($pad('x', -1000))", NULL, NULL), "1000");
    jna_opts_t mem = {.mem_limit = 1 << 20};
    CHECK_STR(run(a, "($f := function($s, $n){$n = 0 ? $s : $f($s & $s, $n - 1)}; "
                     "$length($f('ab', 40)))",
                  NULL, &mem),
              "!U1002");
    CHECK_STR(run(a, "$count([1..100000].($ * 2))", NULL, NULL), "100000");
    sx_arena_free(a);
}

static const val_t *
host_lookup(void *ud, const char *name, size_t len)
{
    if (len == 6 && memcmp(name, "states", 6) == 0)
        return ud;
    return NULL;
}

static void
test_host(void)
{
    sx_arena_t *a = sx_arena_new(0);
    const val_t *states, *bind;
    val_json_parse(a, "{\"input\":{\"x\":[1,2,3]}}", 24, &states, NULL);
    val_json_parse(a, "{\"k\":5}", 7, &bind, NULL);
    jna_opts_t o = {.lookup = host_lookup, .ud = (void *)(uintptr_t)states, .bindings = bind};
    CHECK_STR(run(a, "$sum($states.input.x) + $k", NULL, &o), "11");
    jna_opts_t aws = {.aws = true};
    CHECK_STR(run(a, "$eval(\"1\")", NULL, &aws), "!T1006");
    CHECK_STR(run(a, "$eval(\"1\")", NULL, NULL), "1");
    sx_arena_free(a);
}

static void
test_shared(void)
{
    /* one compiled expression, evaluated repeatedly in fresh arenas; a transform must not
     * change the (shared) input */
    sx_arena_t *ca = sx_arena_new(0);
    const jna_expr_t *e;
    const val_t *in, *out;
    jna_error_t err;
    const char *src = "$ ~> |a|{\"x\": 2}, [\"y\"]|";
    CHECK(jna_compile(ca, src, strlen(src), &e, &err) == SX_OK);
    CHECK(val_json_parse(ca, "{\"a\":{\"x\":1,\"y\":1}}", 19, &in, NULL) == SX_OK);
    for (int i = 0; i < 100; i++) {
        sx_arena_t *a = sx_arena_new(0);
        CHECK(jna_eval(e, in, NULL, a, &out, &err) == SX_OK);
        if (i == 0)
            CHECK_STR(val_json_str(a, out, NULL), "{\"a\":{\"x\":2}}");
        sx_arena_free(a);
    }
    CHECK_STR(val_json_str(ca, in, NULL), "{\"a\":{\"x\":1,\"y\":1}}");
    CHECK_STR(jna_src(e), src);
    sx_arena_free(ca);
}

static const sx_test_t tests[] = {
    {"paths", test_paths},   {"functions", test_functions}, {"guards", test_guards},
    {"host", test_host},     {"shared", test_shared},       {NULL, NULL},
};

int
main(int argc, char **argv)
{
    return sx_test_main("jsonata", tests, argc, argv);
}
