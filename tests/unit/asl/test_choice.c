/*
 * test_choice.c: Choice rules (src/asl/asl_choice*.c): compile diagnostics, StringMatches
 * globs, and evaluation semantics (type mismatch, numbers, UTF-16 order, timestamps,
 * IsPresent, missing paths, And/Or/Not short-circuit, $$ and $var operands).
 */
#include <stdbool.h>
#include <string.h>

#include "stepx/asl_choice.h"
#include "stepx/sx.h"
#include "stepx/val.h"
#include "../sx_test.h"

static sx_arena_t *A;

static const val_t *
json(const char *s)
{
    const val_t *v = NULL;
    val_json_err_t e;
    if (val_json_parse(A, s, strlen(s), &v, &e) != SX_OK) {
        fprintf(stderr, "  bad test JSON: %s: %s\n", s, e.msg);
        return val_null();
    }
    return v;
}

/* ---- compile diagnostics ---- */

#define ONE_CONDITION                                                                              \
    "A Choice rule must have exactly one of these fields: And, Or, Not or a comparison "           \
    "operator"

/* Compiles rule text; returns the rc and leaves err/where in the given buffers. */
static int
compile(const char *rule, unsigned flags, const asl_choice_t **out, char *err, char *where)
{
    const asl_choice_t *dummy;
    return asl_choice_compile(A, json(rule), flags, out ? out : &dummy, err, 200, where, 200);
}

static void
expect_error(const char *rule, unsigned flags, const char *want_err, const char *want_where)
{
    char err[200] = "", where[200] = "";
    CHECK_INT(compile(rule, flags, NULL, err, where), SX_ERR);
    CHECK_STR(err, want_err);
    CHECK_STR(where, want_where);
}

static void
test_compile_structure(void)
{
    A = sx_arena_new(0);
    expect_error("[]", 0, "A Choice rule must be an object", "");
    expect_error("{\"And\":[{\"Not\":{\"IsNull\":true}}]}", 0, "These fields are required: [Next]",
                 "");
    expect_error("{\"Next\":1,\"Not\":{}}", 0, "The value for the field 'Next' must be a string",
                 "/Next");
    expect_error("{\"Next\":\"X\"}", 0, ONE_CONDITION, "");
    expect_error("{\"Next\":\"X\",\"Foo\":1}", 0,
                 "The field \"Foo\" is not supported by Step Functions", "/Foo");
    expect_error("{\"Next\":\"X\",\"And\":[]}", 0, "Value cannot be empty", "/And");
    expect_error("{\"Next\":\"X\",\"Or\":{}}", 0, "The value for the field 'Or' must be an array",
                 "/Or");
    expect_error("{\"Next\":\"X\",\"And\":[{\"Not\":{\"Not\":[1]}}]}", 0,
                 "A Choice rule must be an object", "/And/0/Not/Not");
    /* Next / Assign are top-level only */
    expect_error("{\"Next\":\"X\",\"Or\":[{\"Next\":\"Y\",\"Not\":{}}]}", 0,
                 "The field \"Next\" is only supported in top-level Choice rules", "/Or/0/Next");
    expect_error("{\"Next\":\"X\",\"Not\":{\"Assign\":{}}}", 0,
                 "The field \"Assign\" is only supported in top-level Choice rules", "/Not/Assign");
    /* exactly one condition */
    expect_error("{\"Next\":\"X\",\"And\":[],\"Or\":[]}", 0, ONE_CONDITION, "");
    expect_error("{\"Next\":\"X\",\"Variable\":\"$.a\",\"IsNull\":true,\"IsString\":true}", 0,
                 ONE_CONDITION, "");
    expect_error("{\"Next\":\"X\",\"Or\":[{\"Variable\":\"$.a\",\"IsNull\":true,\"Not\":{}}]}", 0,
                 ONE_CONDITION, "/Or/0");
    expect_error(
        "{\"Next\":\"X\",\"Variable\":\"$.a\",\"Not\":{\"Variable\":\"$.a\",\"IsNull\":true}}", 0,
        "The field \"Variable\" is not supported with And, Or or Not", "/Variable");
    expect_error("{\"Next\":\"X\",\"Variable\":\"$.a\"}", 0, ONE_CONDITION, "");
    expect_error("{\"Next\":\"X\",\"IsNull\":true}", 0, "These fields are required: [Variable]",
                 "");
    expect_error("{\"Next\":\"X\",\"Comment\":5,\"IsNull\":true}", 0,
                 "The value for the field 'Comment' must be a string", "/Comment");
    /* JSONPath-only fields in JSONata mode and the reverse */
    expect_error("{\"Next\":\"X\",\"Condition\":true}", 0,
                 "The field \"Condition\" is not supported when the query language is JSONPath",
                 "/Condition");
    expect_error("{\"Next\":\"X\",\"Output\":{}}", 0,
                 "The field \"Output\" is not supported when the query language is JSONPath",
                 "/Output");
    sx_arena_free(A);
}

static void
test_compile_operands(void)
{
    A = sx_arena_new(0);
    /* operand types are checked before paths are compiled */
    expect_error("{\"Next\":\"X\",\"Variable\":\"$.a\",\"StringEquals\":1}", 0,
                 "The value for the field 'StringEquals' must be a string", "/StringEquals");
    expect_error("{\"Next\":\"X\",\"Variable\":\"$.a\",\"NumericLessThan\":\"1\"}", 0,
                 "The value for the field 'NumericLessThan' must be a number", "/NumericLessThan");
    expect_error("{\"Next\":\"X\",\"Variable\":\"$.a\",\"BooleanEquals\":\"true\"}", 0,
                 "The value for the field 'BooleanEquals' must be a boolean", "/BooleanEquals");
    expect_error("{\"Next\":\"X\",\"Variable\":\"$.a\",\"IsPresent\":1}", 0,
                 "The value for the field 'IsPresent' must be a boolean", "/IsPresent");
    expect_error(
        "{\"Next\":\"X\",\"Variable\":\"$.a\",\"TimestampEquals\":\"2016-13-05T21:29:29Z\"}", 0,
        "String does not match RFC3339 timestamp", "/TimestampEquals");
    expect_error("{\"Next\":\"X\",\"Variable\":\"$.a\",\"TimestampLessThan\":\"2016-12-05\"}", 0,
                 "String does not match RFC3339 timestamp", "/TimestampLessThan");
    expect_error("{\"Next\":\"X\",\"Variable\":\"$.a\",\"StringMatches\":\"ab\\\\\"}", 0,
                 "The value for the field 'StringMatches' must not end with an unescaped '\\'",
                 "/StringMatches");
    expect_error("{\"Next\":\"X\",\"Variable\":\"$.a\",\"StringMatchesPath\":\"$.b\"}", 0,
                 "The field \"StringMatchesPath\" is not supported by Step Functions",
                 "/StringMatchesPath");
    expect_error("{\"Next\":\"X\",\"Variable\":7,\"IsNull\":true}", 0,
                 "The value for the field 'Variable' must be a valid JSONPath", "/Variable");
    expect_error("{\"Next\":\"X\",\"Variable\":\"$.a\",\"NumericEqualsPath\":3}", 0,
                 "The value for the field 'NumericEqualsPath' must be a valid JSONPath",
                 "/NumericEqualsPath");
    sx_arena_free(A);
}

static void
test_compile_paths(void)
{
    A = sx_arena_new(0);
    expect_error("{\"Next\":\"X\",\"Variable\":\"a.b\",\"IsNull\":true}", 0,
                 "The value for the field 'Variable' must be a valid JSONPath", "/Variable");
    expect_error("{\"Next\":\"X\",\"Not\":{\"Variable\":\"$.a\",\"StringEqualsPath\":\"nope\"}}", 0,
                 "The value for the field 'StringEqualsPath' must be a valid JSONPath",
                 "/Not/StringEqualsPath");
    sx_arena_free(A);
}

static void
test_compile_jsonata(void)
{
    const asl_choice_t *r = NULL;
    char err[200], where[200];

    A = sx_arena_new(0);
    CHECK_INT(compile("{\"Condition\":\"{% $x > 1 %}\",\"Next\":\"N\",\"Assign\":{\"a\":1},"
                      "\"Output\":{\"o\":2},\"Comment\":\"c\"}",
                      ASL_CHOICE_F_JSONATA, &r, err, where),
              SX_OK);
    CHECK(r != NULL && r->condition != NULL && val_is(r->condition, VAL_STR));
    CHECK_STR(r ? r->next : NULL, "N");
    CHECK(r != NULL && val_is(r->assign, VAL_OBJ) && val_is(r->output, VAL_OBJ));
    bool m = true;
    sx_err_t e = {0};
    jp_env_t env = {0};
    CHECK_INT(asl_choice_eval(r, &env, A, &m, &e), SX_DECLINED);
    CHECK_INT(compile("{\"Condition\":false,\"Next\":\"N\"}", ASL_CHOICE_F_JSONATA, &r, err, where),
              SX_OK);
    expect_error("{\"Next\":\"N\"}", ASL_CHOICE_F_JSONATA, "These fields are required: [Condition]",
                 "");
    expect_error("{}", ASL_CHOICE_F_JSONATA, "These fields are required: [Condition, Next]", "");
    expect_error("{\"Condition\":true,\"Next\":\"N\",\"Foo\":1}", ASL_CHOICE_F_JSONATA,
                 "The field \"Foo\" is not supported by Step Functions", "/Foo");
    expect_error("{\"Next\":\"N\",\"Condition\":\"$x\"}", ASL_CHOICE_F_JSONATA,
                 "The value for the field 'Condition' must be a boolean or a JSONata expression",
                 "/Condition");
    expect_error("{\"Next\":\"N\",\"Condition\":true,\"Variable\":\"$.a\"}", ASL_CHOICE_F_JSONATA,
                 "The field \"Variable\" is not supported when the query language is JSONata",
                 "/Variable");
    sx_arena_free(A);
}

/* ---- StringMatches ---- */

static bool
glob(const char *pat, const char *s)
{
    const asl_choice_glob_t *g = asl_choice_glob_compile(A, pat, strlen(pat));
    if (g == NULL) {
        fprintf(stderr, "  pattern did not compile: %s\n", pat);
        return false;
    }
    return asl_choice_glob_match(g, s, strlen(s));
}

static void
test_glob(void)
{
    A = sx_arena_new(0);
    CHECK(glob("log-*.txt", "log-2024.txt"));
    CHECK(glob("log-*.txt", "log-.txt"));
    CHECK(!glob("log-*.txt", "log-2024.txt.gz"));
    CHECK(!glob("log-*.txt", "xlog-1.txt"));
    CHECK(glob("*", ""));
    CHECK(glob("*", "anything"));
    CHECK(glob("**", "x"));
    CHECK(glob("", ""));
    CHECK(!glob("", "a"));
    CHECK(glob("abc", "abc"));
    CHECK(!glob("abc", "abcd"));
    CHECK(!glob("abc", "ab"));
    CHECK(glob("*abc", "xxabc"));
    CHECK(!glob("*abc", "xxabcx"));
    CHECK(glob("abc*", "abcxx"));
    CHECK(glob("a*b*c", "abc"));
    CHECK(glob("a*b*c", "aXbYbZc"));
    CHECK(!glob("a*b*c", "aXcYb"));
    CHECK(glob("*a*a*", "aa"));
    CHECK(!glob("*a*a*", "a"));
    CHECK(!glob("ab*ba", "aba")); /* prefix and suffix may not overlap */
    CHECK(glob("ab*ba", "abba"));
    /* escapes: \* literal star, \\ literal backslash, \x = x */
    CHECK(glob("a\\*b", "a*b"));
    CHECK(!glob("a\\*b", "aXb"));
    CHECK(glob("a\\\\*", "a\\bc"));
    CHECK(!glob("a\\\\*", "abc"));
    CHECK(glob("\\a\\b", "ab"));
    CHECK(glob("*\\**", "x*y"));
    CHECK(!glob("*\\**", "xy"));
    CHECK(asl_choice_glob_compile(A, "a\\", 2) == NULL);
    CHECK(asl_choice_glob_compile(A, "\\", 1) == NULL);
    /* UTF-8 is matched by bytes, which is exact for literal parts */
    CHECK(glob("h\xc3\xa9*o", "h\xc3\xa9llo"));
    CHECK(glob("*\xe2\x82\xac", "5 \xe2\x82\xac"));
    sx_arena_free(A);
}

/* ---- evaluation ---- */

static const val_t *
var_lookup(void *ud, const char *name, size_t len)
{
    const val_t *vars = ud;
    return val_obj_get(vars, name, len);
}

/* Evaluates rule text on input text; returns 1 match, 0 no match, -1 error (cause in *cause). */
static int
eval_on(const char *rule, const char *input, const char **cause)
{
    const asl_choice_t *r = NULL;
    char err[200], where[200];
    jp_env_t env = {
        .input = json(input),
        .context = json("{\"Execution\":{\"Name\":\"ex1\",\"Input\":{\"n\":5}}}"),
        .var = var_lookup,
        .ud = (void *)json("{\"limit\":10,\"name\":\"bob\",\"flag\":true}"),
    };
    sx_err_t e = {0};
    bool m = false;

    if (compile(rule, 0, &r, err, where) != SX_OK) {
        fprintf(stderr, "  compile failed: %s at %s: %s\n", err, where, rule);
        return -2;
    }
    int rc = asl_choice_eval(r, &env, A, &m, &e);
    if (rc != SX_OK) {
        if (cause != NULL)
            *cause = e.cause;
        CHECK(e.name == ASL_E_RUNTIME);
        return -1;
    }
    return m ? 1 : 0;
}

#define RULE(op, operand) "{\"Next\":\"N\",\"Variable\":\"$.v\",\"" op "\":" operand "}"
#define EV(op, operand, input) eval_on(RULE(op, operand), input, NULL)

static void
test_eval_types(void)
{
    A = sx_arena_new(0);
    /* type mismatch is false, no coercion */
    CHECK_INT(EV("NumericEquals", "1", "{\"v\":\"1\"}"), 0);
    CHECK_INT(EV("NumericEquals", "1", "{\"v\":true}"), 0);
    CHECK_INT(EV("NumericEquals", "0", "{\"v\":null}"), 0);
    CHECK_INT(EV("StringEquals", "\"1\"", "{\"v\":1}"), 0);
    CHECK_INT(EV("BooleanEquals", "false", "{\"v\":0}"), 0);
    CHECK_INT(EV("BooleanEquals", "false", "{\"v\":\"\"}"), 0);
    CHECK_INT(EV("BooleanEquals", "false", "{\"v\":false}"), 1);
    CHECK_INT(EV("TimestampEquals", "\"2012-10-09T19:00:55Z\"", "{\"v\":0}"), 0);
    /* Is* */
    CHECK_INT(EV("IsNull", "true", "{\"v\":null}"), 1);
    CHECK_INT(EV("IsNull", "false", "{\"v\":null}"), 0);
    CHECK_INT(EV("IsNull", "true", "{\"v\":\"\"}"), 0);
    CHECK_INT(EV("IsNumeric", "true", "{\"v\":0.0}"), 1);
    CHECK_INT(EV("IsNumeric", "true", "{\"v\":\"1\"}"), 0);
    CHECK_INT(EV("IsString", "true", "{\"v\":\"\"}"), 1);
    CHECK_INT(EV("IsString", "false", "{\"v\":[]}"), 1);
    CHECK_INT(EV("IsBoolean", "true", "{\"v\":false}"), 1);
    CHECK_INT(EV("IsBoolean", "true", "{\"v\":0}"), 0);
    CHECK_INT(EV("IsTimestamp", "true", "{\"v\":\"2012-10-09T19:00:55Z\"}"), 1);
    CHECK_INT(EV("IsTimestamp", "true", "{\"v\":\"2012-10-09T19:00:55\"}"), 0);
    CHECK_INT(EV("IsTimestamp", "false", "{\"v\":\"2023-02-24\"}"), 1);
    CHECK_INT(EV("IsTimestamp", "true", "{\"v\":1349809255}"), 0);
    sx_arena_free(A);
}

static void
test_eval_compare(void)
{
    A = sx_arena_new(0);
    /* numbers: 1 == 1.0, doubles */
    CHECK_INT(EV("NumericEquals", "1", "{\"v\":1.0}"), 1);
    CHECK_INT(EV("NumericEquals", "0.0", "{\"v\":0}"), 1);
    CHECK_INT(EV("NumericEquals", "1", "{\"v\":1.1}"), 0);
    CHECK_INT(EV("NumericLessThan", "1", "{\"v\":0.5}"), 1);
    CHECK_INT(EV("NumericLessThan", "1", "{\"v\":1}"), 0);
    CHECK_INT(EV("NumericLessThanEquals", "1", "{\"v\":1}"), 1);
    CHECK_INT(EV("NumericGreaterThan", "-1e3", "{\"v\":-999}"), 1);
    CHECK_INT(EV("NumericGreaterThanEquals", "2", "{\"v\":1.9999}"), 0);
    /* strings: bytes for equality, UTF-16 code units for order */
    CHECK_INT(EV("StringEquals", "\"\\t\\r\\n\"", "{\"v\":\"\\t\\n\"}"), 0);
    CHECK_INT(EV("StringEquals", "\"Hello\"", "{\"v\":\"Hello\"}"), 1);
    CHECK_INT(EV("StringEquals", "\"a\\u0000b\"", "{\"v\":\"a\\u0000c\"}"), 0);
    CHECK_INT(EV("StringLessThan", "\"AB\"", "{\"v\":\"A\"}"), 1);
    CHECK_INT(EV("StringGreaterThan", "\"A \"", "{\"v\":\"A\"}"), 0);
    CHECK_INT(EV("StringGreaterThanEquals", "\"\"", "{\"v\":\"\"}"), 1);
    CHECK_INT(EV("StringLessThanEquals", "\"a\"", "{\"v\":\"B\"}"), 1);
    /* U+FF61 (one unit 0xFF61) sorts after U+1F600 (surrogates 0xD83D..) in UTF-16,
     * before it in code points / UTF-8 bytes */
    CHECK_INT(EV("StringGreaterThan", "\"\\ud83d\\ude00\"", "{\"v\":\"\\uff61\"}"), 1);
    CHECK_INT(EV("StringMatches", "\"log-*.txt\"", "{\"v\":\"log-1.txt\"}"), 1);
    CHECK_INT(EV("StringMatches", "\"log-*.txt\"", "{\"v\":5}"), 0);
    /* timestamps compare as instants */
    CHECK_INT(
        EV("TimestampEquals", "\"2012-10-09T19:00:55Z\"", "{\"v\":\"2012-10-09T20:00:55+01:00\"}"),
        1);
    CHECK_INT(
        EV("TimestampLessThan", "\"2012-10-09T19:00:55Z\"", "{\"v\":\"2012-10-09T19:00:54.999Z\"}"),
        1);
    CHECK_INT(EV("TimestampGreaterThanEquals", "\"2012-10-09T19:00:55Z\"",
                 "{\"v\":\"2012-10-09T19:00:55.000Z\"}"),
              1);
    CHECK_INT(
        EV("TimestampEquals", "\"2012-10-09T19:00:55Z\"", "{\"v\":\"2023-02-24 12:15:56.832957\"}"),
        0);
    /* timestamp strings are strings too */
    CHECK_INT(EV("StringEquals", "\"2012-10-09T19:00:55Z\"", "{\"v\":\"2012-10-09T19:00:55Z\"}"),
              1);
    sx_arena_free(A);
}

static void
test_eval_paths(void)
{
    const char *cause = NULL;

    A = sx_arena_new(0);
    /* ...Path operands; a mismatched operand type is false */
    CHECK_INT(eval_on(RULE("NumericLessThanPath", "\"$.lim\""), "{\"v\":1,\"lim\":2}", NULL), 1);
    CHECK_INT(eval_on(RULE("NumericLessThanPath", "\"$.lim\""), "{\"v\":1,\"lim\":\"2\"}", NULL),
              0);
    CHECK_INT(eval_on(RULE("NumericEqualsPath", "\"$.w\""), "{\"v\":1,\"w\":1.0}", NULL), 1);
    CHECK_INT(eval_on(RULE("StringEqualsPath", "\"$.w\""), "{\"v\":\"x\",\"w\":\"x\"}", NULL), 1);
    CHECK_INT(eval_on(RULE("BooleanEqualsPath", "\"$.w\""), "{\"v\":true,\"w\":true}", NULL), 1);
    CHECK_INT(eval_on(RULE("BooleanEqualsPath", "\"$.w\""), "{\"v\":true,\"w\":1}", NULL), 0);
    CHECK_INT(eval_on(RULE("TimestampLessThanPath", "\"$.w\""),
                      "{\"v\":\"2012-10-09T19:00:55Z\",\"w\":\"2012-10-09T19:00:56Z\"}", NULL),
              1);
    CHECK_INT(eval_on(RULE("TimestampLessThanPath", "\"$.w\""),
                      "{\"v\":\"2012-10-09T19:00:55Z\",\"w\":\"soon\"}", NULL),
              0);
    /* $$ and $var roots */
    CHECK_INT(eval_on(RULE("NumericLessThanPath", "\"$limit\""), "{\"v\":3}", NULL), 1);
    CHECK_INT(
        eval_on("{\"Next\":\"N\",\"Variable\":\"$name\",\"StringEquals\":\"bob\"}", "{}", NULL), 1);
    CHECK_INT(eval_on("{\"Next\":\"N\",\"Variable\":\"$$.Execution.Input.n\","
                      "\"NumericLessThanEquals\":5}",
                      "{}", NULL),
              1);
    /* IsPresent never fails; other operators on a missing path do */
    CHECK_INT(EV("IsPresent", "true", "{}"), 0);
    CHECK_INT(EV("IsPresent", "false", "{}"), 1);
    CHECK_INT(EV("IsPresent", "true", "{\"v\":null}"), 1);
    CHECK_INT(EV("IsPresent", "false", "{\"v\":null}"), 0);
    CHECK_INT(eval_on(RULE("IsPresent", "true"), "{\"a\":1}", NULL), 0);
    /* an indefinite path is present when it matches at least one node */
    const char *indef = "{\"Next\":\"N\",\"Variable\":\"$.a[*]\",\"IsPresent\":true}";
    CHECK_INT(eval_on(indef, "{\"a\":[]}", NULL), 0);
    CHECK_INT(eval_on(indef, "{\"a\":[0]}", NULL), 1);
    CHECK_INT(eval_on(indef, "{}", NULL), 0);
    CHECK_INT(eval_on(RULE("NumericEquals", "1"), "{}", &cause), -1);
    CHECK_STR(cause, "Invalid path '$.v': The choice state's condition path references an "
                     "invalid value.");
    CHECK_INT(eval_on(RULE("IsNull", "true"), "{}", &cause), -1);
    CHECK_INT(eval_on(RULE("StringEqualsPath", "\"$.nope\""), "{\"v\":\"x\"}", &cause), -1);
    CHECK_STR(cause, "Invalid path '$.nope': The choice state's condition path references an "
                     "invalid value.");
    sx_arena_free(A);
}

static void
test_eval_bool_ops(void)
{
    A = sx_arena_new(0);
    const char *and_rule =
        "{\"Next\":\"N\",\"And\":[{\"Variable\":\"$.a\",\"NumericGreaterThan\":1},"
        "{\"Variable\":\"$.b\",\"StringEquals\":\"x\"}]}";
    CHECK_INT(eval_on(and_rule, "{\"a\":2,\"b\":\"x\"}", NULL), 1);
    CHECK_INT(eval_on(and_rule, "{\"a\":2,\"b\":\"y\"}", NULL), 0);
    /* short-circuit: the second test (missing $.b) is never evaluated */
    CHECK_INT(eval_on(and_rule, "{\"a\":0}", NULL), 0);
    CHECK_INT(eval_on(and_rule, "{\"a\":2}", NULL), -1);
    const char *or_rule = "{\"Next\":\"N\",\"Or\":[{\"Variable\":\"$.a\",\"IsPresent\":false},"
                          "{\"Variable\":\"$.a\",\"NumericEquals\":42}]}";
    CHECK_INT(eval_on(or_rule, "{}", NULL), 1);
    CHECK_INT(eval_on(or_rule, "{\"a\":42}", NULL), 1);
    CHECK_INT(eval_on(or_rule, "{\"a\":41}", NULL), 0);
    const char *not_rule = "{\"Next\":\"N\",\"Not\":{\"Variable\":\"$.a\",\"IsNull\":true}}";
    CHECK_INT(eval_on(not_rule, "{\"a\":1}", NULL), 1);
    CHECK_INT(eval_on(not_rule, "{\"a\":null}", NULL), 0);
    const char *nested = "{\"Next\":\"N\",\"Comment\":\"c\",\"And\":[{\"Comment\":\"x\","
                         "\"Not\":{\"Or\":[{\"Variable\":\"$.s\",\"StringMatches\":\"a*\"},"
                         "{\"Variable\":\"$.s\",\"StringMatches\":\"*z\"}]}}]}";
    CHECK_INT(eval_on(nested, "{\"s\":\"mid\"}", NULL), 1);
    CHECK_INT(eval_on(nested, "{\"s\":\"abc\"}", NULL), 0);
    CHECK_INT(eval_on(nested, "{\"s\":\"xyz\"}", NULL), 0);
    sx_arena_free(A);
}

static void
test_select(void)
{
    const asl_choice_t *r[3];
    char err[200], where[200];
    jp_env_t env = {0};
    sx_err_t e = {0};
    int idx = 99;

    A = sx_arena_new(0);
    CHECK_INT(compile("{\"Variable\":\"$.x\",\"IsPresent\":false,\"Assign\":{\"s\":\"U\"},"
                      "\"Next\":\"F\"}",
                      0, &r[0], err, where),
              SX_OK);
    CHECK_INT(
        compile("{\"Variable\":\"$.x\",\"NumericEquals\":42,\"Next\":\"G\"}", 0, &r[1], err, where),
        SX_OK);
    CHECK_INT(compile("{\"Variable\":\"$.x\",\"NumericGreaterThan\":0,\"Next\":\"H\"}", 0, &r[2],
                      err, where),
              SX_OK);
    CHECK_STR(r[0]->next, "F");
    CHECK(val_is(r[0]->assign, VAL_OBJ));
    CHECK(r[1]->assign == NULL && r[1]->output == NULL && r[1]->condition == NULL);
    env.input = json("{\"x\":42}");
    CHECK_INT(asl_choice_select(r, 3, &env, A, &idx, &e), SX_OK);
    CHECK_INT(idx, 1);
    env.input = json("{\"x\":-1}");
    CHECK_INT(asl_choice_select(r, 3, &env, A, &idx, &e), SX_OK);
    CHECK_INT(idx, -1);
    env.input = json("{}");
    CHECK_INT(asl_choice_select(r, 3, &env, A, &idx, &e), SX_OK);
    CHECK_INT(idx, 0);
    env.input = json("{\"x\":\"42\"}");
    CHECK_INT(asl_choice_select(r, 3, &env, A, &idx, &e), SX_OK);
    CHECK_INT(idx, -1);
    sx_arena_free(A);
}

static const sx_test_t tests[] = {
    {"compile_structure", test_compile_structure},
    {"compile_operands", test_compile_operands},
    {"compile_paths", test_compile_paths},
    {"compile_jsonata", test_compile_jsonata},
    {"glob", test_glob},
    {"eval_types", test_eval_types},
    {"eval_compare", test_eval_compare},
    {"eval_paths", test_eval_paths},
    {"eval_bool_ops", test_eval_bool_ops},
    {"select", test_select},
    {NULL, NULL},
};

int
main(int argc, char **argv)
{
    return sx_test_main("choice", tests, argc, argv);
}
