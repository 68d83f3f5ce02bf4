/*
 * fuzz_jsonpath.c: libFuzzer target for the JSONPath compiler/evaluator, ResultPath
 * assignment, intrinsic functions and payload templates.
 *
 * The input is compiled as a Path (plain and as a Reference Path), as a `key.$` expression
 * (path or States.* call) and as the value of a one-field template; whatever compiles is
 * evaluated on a fixed document, context object and variable set, and reference paths are
 * also used for jp_assign. Compile errors and evaluation errors are expected; crashes, leaks,
 * sanitizer reports and broken invariants (an indefinite path that does not yield an array,
 * an error without a cause) are not.
 *
 * Build: cmake -S . -B build-fuzz -DSX_FUZZ=ON -DCMAKE_C_COMPILER=clang
 * Run:   build-fuzz/bin/fuzz_jsonpath -max_total_time=60 WORKDIR tests/fuzz/corpus/jsonpath
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "stepx/path.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char DOC[] =
    "{\"store\":{\"book\":[{\"category\":\"reference\",\"author\":\"Nigel Rees\",\"price\":8.95},"
    "{\"category\":\"fiction\",\"author\":\"Evelyn Waugh\",\"price\":12.99,\"isbn\":\"0-1\"}],"
    "\"bicycle\":{\"color\":\"red\",\"price\":19.95}},\"a\":[1,2,3,[4,[5]],{\"b\":null}],"
    "\"s\":\"Hello, World\",\"n\":-1.5,\"t\":true,\"o\":{\"x\":{\"y\":{\"z\":0}}},"
    "\"e\":\"\",\"j\":\"{\\\"k\\\":[1,2]}\",\"k v\":\"sp\",\"u\":\"\\u00e9\\u20ac\"}";
static const char CTX[] = "{\"Execution\":{\"Id\":\"arn:x\",\"Input\":{\"a\":1},\"Name\":\"n-1\"},"
                          "\"State\":{\"Name\":\"S\",\"EnteredTime\":\"2024-01-01T00:00:00.000Z\"},"
                          "\"StateMachine\":{\"Id\":\"arn:sm\",\"Name\":\"sm-a-b\"},"
                          "\"Map\":{\"Item\":{\"Index\":0,\"Value\":{\"v\":[1]}}}}";
static const char VARS[] = "{\"x\":{\"a\":[1,2]},\"n\":5,\"s\":\"a,b\",\"t\":\"{}-{}\"}";

static sx_arena_t *doc_arena;
static const val_t *doc, *ctx, *vars;

static const val_t *
var_get(void *ud, const char *name, size_t len)
{
    (void)ud;
    return val_obj_get(vars, name, len);
}

static void
setup(void)
{
    doc_arena = sx_arena_new(0);
    if (val_json_parse(doc_arena, DOC, sizeof(DOC) - 1, &doc, NULL) != SX_OK ||
        val_json_parse(doc_arena, CTX, sizeof(CTX) - 1, &ctx, NULL) != SX_OK ||
        val_json_parse(doc_arena, VARS, sizeof(VARS) - 1, &vars, NULL) != SX_OK)
        __builtin_trap();
}

static void
try_path(sx_arena_t *a, const jp_env_t *env, const char *s, size_t n)
{
    char err[256];
    const jp_prog_t *p;
    const val_t *out;
    const char *detail = NULL;
    if (jp_compile(a, s, n, 0, &p, err, sizeof(err)) == SX_OK) {
        int rc = jp_eval(p, env, a, &out, &detail);
        if (rc == SX_OK && !jp_is_definite(p) && !val_is(out, VAL_ARR))
            __builtin_trap();
        if (rc == SX_OK)
            (void)val_json_str(a, out, NULL);
        else if (rc != SX_DECLINED || detail == NULL)
            __builtin_trap();
    }
    if (jp_compile(a, s, n, JP_F_REFERENCE | JP_F_NO_CONTEXT | JP_F_NO_VAR, &p, err, sizeof(err)) ==
        SX_OK) {
        if (!jp_is_definite(p))
            __builtin_trap();
        if (jp_assign(p, doc, val_true(), a, &out, &detail) == SX_OK)
            (void)val_json_str(a, out, NULL);
        else if (detail == NULL)
            __builtin_trap();
    }
}

static void
try_expr(sx_arena_t *a, const jp_env_t *env, const char *s, size_t n)
{
    char err[256], where[64];
    const jp_expr_t *e;
    const jp_tmpl_t *t;
    const val_t *out;
    sx_err_t er = {0};
    if (jp_expr_compile(a, s, n, &e, err, sizeof(err)) == SX_OK) {
        if (jp_expr_eval(e, "f.$", env, a, &out, &er) == SX_OK)
            (void)val_json_str(a, out, NULL);
        else if (er.name == NULL || er.cause == NULL)
            __builtin_trap();
    }
    val_objb_t b;
    val_objb_init(&b, a, 2);
    val_objb_sets(&b, "f.$", val_str(a, s, n));
    val_objb_sets(&b, "lit", doc);
    if (jp_tmpl_compile(a, val_objb_done(&b), &t, err, sizeof(err), where, sizeof(where)) ==
        SX_OK) {
        if (jp_tmpl_eval(t, env, a, &out, &er) == SX_OK && !val_is(out, VAL_OBJ))
            __builtin_trap();
    }
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (doc == NULL)
        setup();
    if (size > 4096)
        return 0;
    sx_arena_t *a = sx_arena_new(0);
    jp_env_t env = {.input = doc, .context = ctx, .var = var_get};
    const char *s = (const char *)data;
    try_path(a, &env, s, size);
    try_expr(a, &env, s, size);
    sx_arena_free(a);
    return 0;
}
