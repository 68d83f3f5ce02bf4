/*
 * test_jp_tmpl.c: ResultPath assignment (jp_assign), `key.$` expressions and payload
 * templates: renaming, literal sharing, nested objects/arrays, compile diagnostics with their
 * JSON pointers, runtime not-found texts.
 */
#include <stdio.h>
#include <string.h>

#include "stepx/path.h"
#include "../jp_fixture.h"
#include "../sx_test.h"

static const char *
S(const val_t *v)
{
    return val_json_str(A, v, NULL);
}

/* ---- jp_assign ---- */

static const char *
assign(const char *path, const char *doc, const char *v)
{
    const jp_prog_t *p;
    char err[200];
    const val_t *out;
    const char *detail = NULL;
    if (jp_compile(A, path, strlen(path), JP_F_REFERENCE | JP_F_NO_CONTEXT | JP_F_NO_VAR, &p, err,
                   sizeof(err)) != SX_OK)
        return sx_arena_printf(A, NULL, "COMPILE: %s", err);
    if (jp_assign(p, J(doc), J(v), A, &out, &detail) != SX_OK)
        return sx_arena_printf(A, NULL, "ERR: %s", detail);
    return S(out);
}

static void
test_assign(void)
{
    CHECK_STR(assign("$", "{\"a\":1}", "[2]"), "[2]");
    CHECK_STR(assign("$.x", "{\"a\":1}", "2"), "{\"a\":1,\"x\":2}");
    CHECK_STR(assign("$.a", "{\"a\":1,\"b\":2}", "3"), "{\"a\":3,\"b\":2}");
    CHECK_STR(assign("$.a.b.c", "{\"x\":1}", "true"), "{\"x\":1,\"a\":{\"b\":{\"c\":true}}}");
    CHECK_STR(assign("$.a.b", "{\"a\":{\"c\":1}}", "2"), "{\"a\":{\"c\":1,\"b\":2}}");
    CHECK_STR(assign("$['a b']", "{}", "1"), "{\"a b\":1}");
    CHECK_STR(assign("$.a[1]", "{\"a\":[1,2,3]}", "9"), "{\"a\":[1,9,3]}");
    CHECK_STR(assign("$.a[-1]", "{\"a\":[1,2,3]}", "9"), "{\"a\":[1,2,9]}");
    CHECK_STR(assign("$.a[0].b", "{\"a\":[{}]}", "9"), "{\"a\":[{\"b\":9}]}");
    CHECK_STR(assign("$.a[5]", "{\"a\":[1]}", "9"),
              "ERR: Unable to apply ReferencePath $.a[5] to input {\"a\":[1]}");
    CHECK_STR(assign("$.a[0]", "{}", "9"), "ERR: Unable to apply ReferencePath $.a[0] to input {}");
    CHECK_STR(assign("$.x", "\"foo\"", "1"),
              "ERR: Unable to apply ReferencePath $.x to input \"foo\"");
    CHECK_STR(assign("$.a.b", "{\"a\":5}", "1"),
              "ERR: Unable to apply ReferencePath $.a.b to input {\"a\":5}");
    CHECK_STR(assign("$.a.b", "{\"a\":null}", "1"),
              "ERR: Unable to apply ReferencePath $.a.b to input {\"a\":null}");
    CHECK_STR(assign("$.x", "[1]", "1"), "ERR: Unable to apply ReferencePath $.x to input [1]");
    CHECK_STR(assign("$$.x", "{}", "1"),
              "COMPILE: Invalid JSONPath '$$.x': the context object ($$) is not allowed here");
    CHECK(strncmp(assign("$.a[*]", "{}", "1"), "COMPILE:", 8) == 0);
    CHECK(strncmp(assign("$v", "{}", "1"), "COMPILE:", 8) == 0);
}

static void
test_assign_shares(void)
{
    const jp_prog_t *p;
    char err[100];
    const val_t *root = J("{\"keep\":{\"big\":[1,2,3]},\"a\":{\"b\":1,\"c\":{\"d\":2}}}");
    const val_t *out;
    const char *detail;
    CHECK(jp_compile(A, "$.a.b", 5, JP_F_REFERENCE, &p, err, sizeof(err)) == SX_OK);
    CHECK(jp_assign(p, root, val_true(), A, &out, &detail) == SX_OK);
    CHECK(val_obj_gets(out, "keep") == val_obj_gets(root, "keep"));
    CHECK(val_obj_gets(val_obj_gets(out, "a"), "c") == val_obj_gets(val_obj_gets(root, "a"), "c"));
    CHECK_STR(S(root), "{\"keep\":{\"big\":[1,2,3]},\"a\":{\"b\":1,\"c\":{\"d\":2}}}");
    CHECK_STR(S(out), "{\"keep\":{\"big\":[1,2,3]},\"a\":{\"b\":true,\"c\":{\"d\":2}}}");
    /* a large object keeps working lookups after assignment */
    const val_t *big = J("{\"k0\":0,\"k1\":1,\"k2\":2,\"k3\":3,\"k4\":4,\"k5\":5,\"k6\":6,"
                         "\"k7\":7,\"k8\":8,\"k9\":9,\"k10\":10}");
    CHECK(jp_compile(A, "$.k5", 4, JP_F_REFERENCE, &p, err, sizeof(err)) == SX_OK);
    CHECK(jp_assign(p, big, val_null(), A, &out, &detail) == SX_OK);
    CHECK(val_is(val_obj_gets(out, "k5"), VAL_NULL));
    CHECK(val_num_get(val_obj_gets(out, "k10")) == 10);
    CHECK(jp_compile(A, "$.new", 5, JP_F_REFERENCE, &p, err, sizeof(err)) == SX_OK);
    CHECK(jp_assign(p, big, val_null(), A, &out, &detail) == SX_OK);
    CHECK(val_is(val_obj_gets(out, "new"), VAL_NULL));
    CHECK(val_num_get(val_obj_gets(out, "k9")) == 9);
}

/* ---- templates ---- */

/* Returns the JSON of the evaluated template, "COMPILE: msg @where" or "name: cause". */
static const char *
tmpl_run(const char *tmpl, const char *input)
{
    const jp_tmpl_t *t;
    char err[300], where[100];
    if (jp_tmpl_compile(A, J(tmpl), &t, err, sizeof(err), where, sizeof(where)) != SX_OK)
        return sx_arena_printf(A, NULL, "COMPILE: %s @%s", err, where);
    jp_env_t env = {.input = J(input), .context = CTX, .var = var_get};
    const val_t *out;
    sx_err_t e = {0};
    if (jp_tmpl_eval(t, &env, A, &out, &e) != SX_OK)
        return sx_arena_printf(A, NULL, "%s: %s", e.name, e.cause);
    return S(out);
}

static void
test_tmpl_eval(void)
{
    CHECK_STR(tmpl_run("{\"a\":1}", "{}"), "{\"a\":1}");
    CHECK_STR(tmpl_run("{\"a.$\":\"$.x\",\"b\":\"$.x\"}", "{\"x\":[1]}"),
              "{\"a\":[1],\"b\":\"$.x\"}");
    CHECK_STR(tmpl_run("{\"o\":{\"p.$\":\"$\",\"q\":[1,\"$.x\"]}}", "{\"x\":2}"),
              "{\"o\":{\"p\":{\"x\":2},\"q\":[1,\"$.x\"]}}");
    CHECK_STR(tmpl_run("{\"l\":[{\"v.$\":\"$.x\"},3]}", "{\"x\":2}"), "{\"l\":[{\"v\":2},3]}");
    CHECK_STR(tmpl_run("{\"c.$\":\"$$.Map.Item.Value\",\"i.$\":\"$$.Map.Item.Index\"}", "{}"),
              "{\"c\":\"v\",\"i\":2}");
    CHECK_STR(tmpl_run("{\"v.$\":\"$x.a[0]\",\"w.$\":\"$n\"}", "{}"), "{\"v\":1,\"w\":5}");
    CHECK_STR(tmpl_run("{\"f.$\":\"States.Format('{}-{}', $.a, $n)\"}", "{\"a\":\"z\"}"),
              "{\"f\":\"z-5\"}");
    CHECK_STR(tmpl_run("{\"m.$\":\"$.items[*].v\"}", "{\"items\":[{\"v\":1},{\"v\":2}]}"),
              "{\"m\":[1,2]}");
    CHECK_STR(tmpl_run("{\"m.$\":\"$.items[*].v\"}", "{}"), "{\"m\":[]}");
    CHECK_STR(tmpl_run("{\"a.$\":\"$.n\"}", "{\"n\":null}"), "{\"a\":null}");
    CHECK_STR(tmpl_run("{\"x.$.$\":\"$.n\"}", "{\"n\":1}"), "{\"x.$\":1}");
    CHECK_STR(tmpl_run("{\".$\":\"$.n\"}", "{\"n\":1}"), "{\"\":1}");
    CHECK_STR(tmpl_run("[1,{\"a.$\":\"$.n\"}]", "{\"n\":1}"), "[1,{\"a\":1}]");
    CHECK_STR(tmpl_run("\"$.n\"", "{\"n\":1}"), "\"$.n\"");
    CHECK_STR(tmpl_run("{}", "{\"n\":1}"), "{}");
}

static void
test_tmpl_errors(void)
{
    /* AWS (recorded) */
    CHECK_STR(tmpl_run("{\"value.$\":\"$.no_such_jsonpath\"}", "{\"a\":1}"),
              "States.Runtime: The JSONPath '$.no_such_jsonpath' specified for the field "
              "'value.$' could not be found in the input '{\"a\":1}'");
    CHECK_STR(tmpl_run("{\"o\":{\"c.$\":\"$$.Nope\"}}", "{\"a\":1}"),
              sx_arena_printf(A, NULL,
                              "States.Runtime: The JSONPath '$$.Nope' specified for the field "
                              "'c.$' could not be found in the input '%s'",
                              S(CTX)));
    CHECK_STR(tmpl_run("{\"v.$\":\"$x.zz\"}", "{\"a\":1}"),
              "States.Runtime: The JSONPath '$x.zz' specified for the field 'v.$' could not be "
              "found in the input '{\"a\":[1,2]}'");
    CHECK_STR(tmpl_run("{\"v.$\":\"$unset\"}", "{\"a\":1}"),
              "States.Runtime: The JSONPath '$unset' specified for the field 'v.$' could not "
              "be found in the input '{\"a\":1}'");
    CHECK_STR(tmpl_run("{\"v.$\":\"States.Format('{}', $.missing)\"}", "{}"),
              "States.Runtime: The JSONPath '$.missing' specified for the field 'v.$' could not "
              "be found in the input '{}'");
    CHECK_STR(tmpl_run("{\"v.$\":\"States.ArrayLength($.a)\"}", "{\"a\":1}"),
              "States.IntrinsicFailure: Invalid arguments in States.ArrayLength: argument 1 "
              "must be an array, but was number");
    /* compile-time diagnostics */
    CHECK_STR(tmpl_run("{\"x.$\":\"foo\"}", "{}"),
              "COMPILE: The value for the field 'x.$' must be a valid JSONPath or a valid "
              "intrinsic function call @/x.$");
    CHECK_STR(tmpl_run("{\"a\":{\"b\":[0,{\"c/d.$\":1}]}}", "{}"),
              "COMPILE: The value for the field 'c/d.$' must be a valid JSONPath or a valid "
              "intrinsic function call @/a/b/1/c~1d.$");
    CHECK_STR(tmpl_run("{\"x.$\":\"States.Nope()\"}", "{}"),
              "COMPILE: The value for the field 'x.$' must be a valid JSONPath or a valid "
              "intrinsic function call @/x.$");
    CHECK_STR(tmpl_run("{\"x.$\":\"States.Format('a\\\\\\\"b')\"}", "{}"),
              "COMPILE: The value for the field 'x.$' must be a valid JSONPath or a valid "
              "intrinsic function call @/x.$");
    CHECK_STR(tmpl_run("{\"x.$\":\"$.a[\"}", "{}"),
              "COMPILE: The value for the field 'x.$' must be a valid JSONPath or a valid "
              "intrinsic function call @/x.$");
    CHECK_STR(tmpl_run("{\"a\":1,\"a.$\":\"$\"}", "{}"),
              "COMPILE: The field 'a' is defined more than once @/a.$");
}

static void
test_tmpl_sharing(void)
{
    const jp_tmpl_t *t;
    char err[200], where[50];
    const val_t *tmpl = J("{\"lit\":{\"deep\":[1,2,{\"x\":\"$.y\"}]},\"d.$\":\"$.k\"}");
    CHECK(jp_tmpl_compile(A, tmpl, &t, err, sizeof(err), where, sizeof(where)) == SX_OK);
    const val_t *input = J("{\"k\":{\"big\":true}}");
    jp_env_t env = {.input = input};
    const val_t *out;
    sx_err_t e = {0};
    CHECK(jp_tmpl_eval(t, &env, A, &out, &e) == SX_OK);
    CHECK(val_obj_gets(out, "lit") == val_obj_gets(tmpl, "lit"));
    CHECK(val_obj_gets(out, "d") == val_obj_gets(input, "k"));
    /* an all-literal template is returned as is */
    const val_t *lit = J("{\"a\":[1,{\"b\":\"$.c\"}]}");
    CHECK(jp_tmpl_compile(A, lit, &t, err, sizeof(err), where, sizeof(where)) == SX_OK);
    CHECK(jp_tmpl_eval(t, &env, A, &out, &e) == SX_OK);
    CHECK(out == lit);
}

static void
test_tmpl_large(void)
{
    /* more than VAL_OBJ_INDEX_MIN members: the output shares a precomputed index */
    sx_sbuf_t b = SX_SBUF_INIT;
    sx_sbuf_adds(&b, "{");
    for (int k = 0; k < 40; k++)
        sx_sbuf_addf(&b, "%s\"k%d%s\":%s", k ? "," : "", k, k % 2 ? ".$" : "",
                     k % 2 ? "\"$.v\"" : "0");
    sx_sbuf_adds(&b, "}");
    const jp_tmpl_t *t;
    char err[200], where[50];
    CHECK(jp_tmpl_compile(A, J(b.p), &t, err, sizeof(err), where, sizeof(where)) == SX_OK);
    sx_sbuf_fini(&b);
    jp_env_t env = {.input = J("{\"v\":\"x\"}")};
    const val_t *out;
    sx_err_t e = {0};
    CHECK(jp_tmpl_eval(t, &env, A, &out, &e) == SX_OK);
    CHECK_INT(val_len(out), 40);
    for (int k = 0; k < 40; k++) {
        char key[8];
        snprintf(key, sizeof(key), "k%d", k);
        const val_t *v = val_obj_gets(out, key);
        CHECK(v != NULL && (k % 2 ? val_is(v, VAL_STR) : val_is(v, VAL_NUM)));
    }
    CHECK(val_obj_gets(out, "k1.$") == NULL);
    CHECK(val_obj_gets(out, "nope") == NULL);
}

static void
test_expr(void)
{
    const jp_expr_t *e;
    char err[300];
    CHECK(jp_expr_compile(A, "$.a", 3, &e, err, sizeof(err)) == SX_OK);
    CHECK(!jp_expr_is_intrinsic(e));
    CHECK_STR(jp_expr_src(e), "$.a");
    CHECK(jp_expr_compile(A, "States.UUID()", 13, &e, err, sizeof(err)) == SX_OK);
    CHECK(jp_expr_is_intrinsic(e));
    CHECK(jp_expr_compile(A, "foo", 3, &e, err, sizeof(err)) == SX_ERR);
    CHECK(jp_expr_compile(A, "", 0, &e, err, sizeof(err)) == SX_ERR);

    CHECK(jp_expr_compile(A, "$.Error", 7, &e, err, sizeof(err)) == SX_OK);
    jp_env_t env = {.input = J("{\"x\":1}")};
    const val_t *out;
    sx_err_t er = {0};
    CHECK(jp_expr_eval(e, "ErrorPath", &env, A, &out, &er) == SX_ERR);
    CHECK_STR(er.name, "States.Runtime");
    CHECK_STR(er.cause, "The JSONPath '$.Error' specified for the field 'ErrorPath' could not be "
                        "found in the input '{\"x\":1}'");
}

static const sx_test_t tests[] = {
    {"assign", test_assign},
    {"assign_shares", test_assign_shares},
    {"tmpl_eval", test_tmpl_eval},
    {"tmpl_errors", test_tmpl_errors},
    {"tmpl_sharing", test_tmpl_sharing},
    {"tmpl_large", test_tmpl_large},
    {"expr", test_expr},
    {NULL, NULL},
};

int
main(int argc, char **argv)
{
    A = sx_arena_new(0);
    VARS = J("{\"x\":{\"a\":[1,2]},\"n\":5}");
    CTX = J("{\"Execution\":{\"Id\":\"e1\"},\"Map\":{\"Item\":{\"Index\":2,\"Value\":\"v\"}}}");
    int rc = sx_test_main("path_tmpl", tests, argc, argv);
    sx_arena_free(A);
    return rc;
}
