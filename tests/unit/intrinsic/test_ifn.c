/*
 * test_ifn.c: the 18 States.* intrinsic functions: grammar (escapes, nesting, arity),
 * AWS-recorded results (conformance cases of feature "intrinsicfunctions"), the documented
 * quirks, and runtime failures. Java reference values (Random, Base64 MIME, Map.toString)
 * were computed with the JDK.
 */
#include <regex.h>
#include <stdio.h>
#include <string.h>

#include "intrinsic/ifn_int.h"
#include "stepx/path.h"
#include "../jp_fixture.h"
#include "../sx_test.h"

/* Returns the JSON result, "COMPILE: <err>" or "<error name>: <cause>". */
static const char *
call(const char *src, const char *input)
{
    const ifn_call_t *c;
    char err[300];
    if (ifn_compile(A, src, strlen(src), &c, err, sizeof(err)) != SX_OK)
        return sx_arena_printf(A, NULL, "COMPILE: %s", err);
    jp_env_t env = {.input = J(input), .context = CTX, .var = var_get};
    const val_t *out;
    sx_err_t e = {0};
    if (ifn_eval(c, "f.$", &env, A, &out, &e) != SX_OK)
        return sx_arena_printf(A, NULL, "%s: %s", e.name, e.cause);
    return val_json_str(A, out, NULL);
}

static bool
compiles(const char *src)
{
    return strncmp(call(src, "{}"), "COMPILE:", 8) != 0;
}

static bool
fails(const char *src, const char *input)
{
    return strncmp(call(src, input), "States.IntrinsicFailure: ", 25) == 0;
}

#define FI "{\"FunctionInput\":"

static void
test_grammar(void)
{
    CHECK_STR(call("States.Array()", "{}"), "[]");
    CHECK_STR(call("  States.Array( 1 ,'a',  true,false , null,-2.5, 1e2 )  ", "{}"),
              "[1,\"a\",true,false,null,-2.5,1e2]");
    CHECK_STR(call("States.Array($.a[0,1], $.b, $$.Execution.Id, $v)", "{\"a\":[1,2,3],\"b\":4}"),
              "[[1,2],4,\"e1\",{\"k\":1}]");
    CHECK_STR(call("States.Array($.a[?(@ > 1)], $['x,y'])", "{\"a\":[1,2,3],\"x,y\":0}"),
              "[[2,3],0]");
    CHECK_STR(call("States.Array(States.Array(1), States.Array())", "{}"), "[[1],[]]");
    /* escapes: \' \{ \} \\ ; anything else is invalid (AWS) */
    CHECK_STR(call("States.Array('it\\'s', 'a\\{b\\}', 'c\\\\d', 'q\"q', '{}')", "{}"),
              "[\"it's\",\"a{b}\",\"c\\\\d\",\"q\\\"q\",\"{}\"]");
    CHECK(!compiles("States.Array('a\\\"b')"));
    CHECK(!compiles("States.Array('a\\nb')"));
    CHECK(!compiles("States.Array('abc)"));
    /* JSON escapes become real characters before parsing (AWS, recorded) */
    CHECK_STR(call("States.StringSplit('Hello\nWorld', '\n')", "{}"), "[\"Hello\",\"World\"]");
    /* names, arity */
    CHECK(!compiles("States.Nope()"));
    CHECK(!compiles("states.Array()"));
    CHECK(!compiles("States.array()"));
    CHECK(!compiles("States.UUID(1)"));
    CHECK(!compiles("States.MathAdd(1)"));
    CHECK(!compiles("States.MathAdd(1, 2, 3)"));
    CHECK(!compiles("States.Format()"));
    CHECK(!compiles("States.JsonMerge($.a, $.b)"));
    CHECK(compiles("States.MathRandom(1, 2)"));
    CHECK(compiles("States.MathRandom(1, 2, 3)"));
    CHECK(!compiles("States.MathRandom(1)"));
    CHECK(!compiles("States.Array(1"));
    CHECK(!compiles("States.Array(1,)"));
    CHECK(!compiles("States.Array(,1)"));
    CHECK(!compiles("States.Array(1) x"));
    CHECK(!compiles("States.Array(abc)"));
    CHECK(!compiles("States.Array($.a b)"));
    CHECK(!compiles("States.Array($.a[)"));
    CHECK(!compiles("States.Array($['\\")); /* fuzz: trailing backslash in a path */
    CHECK(!compiles("States.Array($['a\\',"));
    CHECK(!compiles("States.Array(01)"));
    CHECK(!compiles("Array()"));
    CHECK(!compiles(""));
}

static void
test_nesting(void)
{
    /* 10 nested calls are allowed, 11 are not */
    char src[512] = "";
    for (int k = 0; k < 10; k++)
        strcat(src, "States.Array(");
    strcat(src, "1");
    for (int k = 0; k < 10; k++)
        strcat(src, ")");
    CHECK_STR(call(src, "{}"), "[[[[[[[[[[1]]]]]]]]]]");
    char deeper[600] = "States.Array(";
    strcat(deeper, src);
    strcat(deeper, ")");
    CHECK(!compiles(deeper));
    /* AWS (recorded): nested_calls_2 with a state machine named "a-b-c" */
    CHECK_STR(call("States.ArrayGetItem(States.StringSplit($$.StateMachine.Name, '-'), "
                   "States.MathAdd(States.ArrayLength(States.StringSplit($$.StateMachine.Name, "
                   "'-')), -1))",
                   "{}"),
              "\"c\"");
}

static void
test_format(void)
{
    /* AWS (recorded) */
    CHECK_STR(call("States.Format('Formatting argument {}.', $.FunctionInput)", FI "\"\"}"),
              "\"Formatting argument .\"");
    CHECK_STR(call("States.Format('Formatting argument {}.', $.FunctionInput)", FI "null}"),
              "\"Formatting argument null.\"");
    CHECK_STR(call("States.Format('Formatting argument {}.', $.FunctionInput)", FI "1}"),
              "\"Formatting argument 1.\"");
    CHECK_STR(call("States.Format('Formatting arguments fst={} and snd={}.', $.FunctionInput.fst, "
                   "$.FunctionInput.snd)",
                   FI "{\"fst\":{\"Arg1\":1,\"Arg2\":[]},\"snd\":{\"Arg1\":1,\"Arg2\":[]}}}"),
              "\"Formatting arguments fst={Arg1=1, Arg2=[]} and snd={Arg1=1, Arg2=[]}.\"");
    CHECK_STR(call("States.Format('fst={} and snd={}.', $$.Execution.Id, $$.StateMachine)", "{}"),
              "\"fst=e1 and snd={Id=sm-id, Name=a-b-c}.\"");
    CHECK_STR(call("States.Format('{}', $.s)", "{\"s\":\"{\\\"Arg1\\\": 1}\"}"),
              "\"{\\\"Arg1\\\": 1}\"");
    /* Java Map/List rendering (JDK: {a=1, b=[1, x, null], c=1.5}) */
    CHECK_STR(call("States.Format('{}', $.o)", "{\"o\":{\"a\":1,\"b\":[1,\"x\",null],\"c\":1.5}}"),
              "\"{a=1, b=[1, x, null], c=1.5}\"");
    CHECK_STR(call("States.Format('{}{}{}', true, 1.50, 'x')", "{}"), "\"true1.50x\"");
    CHECK_STR(call("States.Format('Hello {}, welcome to {}!', $name, $place)", "{}"),
              "\"Hello Ann, welcome to Rome!\"");
    CHECK_STR(call("States.Format('no holes')", "{}"), "\"no holes\"");
    CHECK_STR(call("States.Format('\\{\\} {} \\\\ it\\'s { }', 1)", "{}"),
              "\"{} 1 \\\\ it's { }\"");
    CHECK_STR(call("States.Format($.t, $.a)", "{\"t\":\"<{}>\",\"a\":[1]}"), "\"<[1]>\"");
    CHECK_STR(call("States.Format($AnswerTemplate, 7)", "{}"), "\"The answer is 7\"");
    CHECK_STR(call("States.Format('{}', States.MathAdd(1, 2))", "{}"), "\"3\"");
    CHECK_STR(call("States.Format('{} {} {} {}', -12, States.MathAdd(-9, 3), 0, 1.5e3)", "{}"),
              "\"-12 -6 0 1.5e3\"");
    CHECK_STR(call("States.Format('{}', $.n)", "{\"n\":9007199254740993}"), "\"9007199254740993\"");
    CHECK(fails("States.Format('{} {}', 1)", "{}"));
    CHECK(fails("States.Format('{}', 1, 2)", "{}"));
    CHECK(fails("States.Format($.t)", "{\"t\":1}"));
    CHECK(fails("States.Format(1)", "{}"));
}

static void
test_json(void)
{
    /* AWS (recorded) */
    CHECK_STR(call("States.StringToJson($.FunctionInput)", FI "\" \"}"), "null");
    CHECK_STR(call("States.StringToJson($.FunctionInput)", FI "\"\"}"), "null");
    CHECK_STR(call("States.StringToJson($.FunctionInput)", FI "\"null\"}"), "null");
    CHECK_STR(call("States.StringToJson($.FunctionInput)", FI "\"-0\"}"), "0");
    CHECK_STR(call("States.StringToJson($.FunctionInput)", FI "\"1\"}"), "1");
    CHECK_STR(call("States.StringToJson($.FunctionInput)", FI "\"true\"}"), "true");
    CHECK_STR(
        call("States.StringToJson($.FunctionInput)", FI "\"{\\\"Arg1\\\": 1, \\\"Arg2\\\": []}\"}"),
        "{\"Arg1\":1,\"Arg2\":[]}");
    CHECK_STR(call("States.StringToJson($.FunctionInput)", FI "\"[-0, {\\\"a\\\": -0.0}]\"}"),
              "[0,{\"a\":-0.0}]");
    CHECK_STR(call("States.StringToJson('{\"constant_in_literal\": \"false\"}')", "{}"),
              "{\"constant_in_literal\":\"false\"}");
    CHECK(fails("States.StringToJson($.FunctionInput)", FI "\"{bad\"}"));
    CHECK(fails("States.StringToJson($.FunctionInput)", FI "1}"));
    CHECK_STR(call("States.JsonToString($.FunctionInput)", FI "0}"), "\"0\"");
    CHECK_STR(call("States.JsonToString($.FunctionInput)", FI "\"HelloWorld\"}"),
              "\"\\\"HelloWorld\\\"\"");
    CHECK_STR(call("States.JsonToString($.FunctionInput)", FI "{\"Arg1\": 1, \"Arg2\": []}}"),
              "\"{\\\"Arg1\\\":1,\\\"Arg2\\\":[]}\"");
    /* JsonMerge (recorded): shallow, second wins; deep = true is rejected */
    CHECK_STR(call("States.JsonMerge($.a, $.b, false)",
                   "{\"a\":{\"a\":{\"a1\":1,\"a2\":2},\"b\":2,\"d\":3},\"b\":{\"a\":{\"a3\":1,"
                   "\"a4\":2},\"c\":3,\"d\":4}}"),
              "{\"a\":{\"a3\":1,\"a4\":2},\"b\":2,\"d\":4,\"c\":3}");
    CHECK_STR(call("States.JsonMerge(States.StringToJson('{\"x\": 1}'), $.o, false)",
                   "{\"o\":{\"y\":2}}"),
              "{\"x\":1,\"y\":2}");
    CHECK(fails("States.JsonMerge($.a, $.a, true)", "{\"a\":{}}"));
    CHECK(fails("States.JsonMerge($.a, 1, false)", "{\"a\":{}}"));
    CHECK(fails("States.JsonMerge($.a, $.a, 'false')", "{\"a\":{}}"));
}

static void
test_arrays(void)
{
    CHECK_STR(call("States.Array('a', 'b', 'c')", "{}"), "[\"a\",\"b\",\"c\"]");
    /* ArrayPartition (recorded) */
    CHECK_STR(call("States.ArrayPartition($.a, 1)", "{\"a\":[]}"), "[]");
    CHECK_STR(call("States.ArrayPartition($.a, 4)", "{\"a\":[0,1]}"), "[[0,1]]");
    CHECK_STR(call("States.ArrayPartition($.a, 1)", "{\"a\":[0,1,2]}"), "[[0],[1],[2]]");
    CHECK_STR(call("States.ArrayPartition($.a, 2)", "{\"a\":[0,1,2]}"), "[[0,1],[2]]");
    CHECK_STR(call("States.ArrayPartition($.a, 3)", "{\"a\":[0,1,2,3]}"), "[[0,1,2],[3]]");
    CHECK(fails("States.ArrayPartition($.a, 0)", "{\"a\":[1]}"));
    CHECK(fails("States.ArrayPartition($.a, 1.5)", "{\"a\":[1]}"));
    CHECK(fails("States.ArrayPartition($.a, 1)", "{\"a\":{}}"));
    /* ArrayContains (recorded) */
    CHECK_STR(call("States.ArrayContains($.a, $.b)", "{\"a\":[],\"b\":null}"), "false");
    CHECK_STR(call("States.ArrayContains($.a, $.b)", "{\"a\":[[1,2,3],2],\"b\":null}"), "false");
    CHECK_STR(call("States.ArrayContains($.a, $.b)", "{\"a\":[[1,2,3],2],\"b\":[1,2,3]}"), "true");
    CHECK_STR(call("States.ArrayContains($.a, $.b)", "{\"a\":[{\"1\":2,\"2\":[]}],\"b\":[]}"),
              "false");
    CHECK_STR(call("States.ArrayContains($.a, $.b)",
                   "{\"a\":[{\"1\":2,\"2\":[]}],\"b\":{\"2\":[],\"1\":2}}"),
              "true");
    CHECK_STR(call("States.ArrayContains($.a, false)", "{\"a\":[true,false]}"), "true");
    CHECK_STR(call("States.ArrayContains($.a, 5)", "{\"a\":[1,5.0]}"), "true");
    /* ArrayRange (recorded + limits) */
    CHECK_STR(call("States.ArrayRange(0, 10, 3)", "{}"), "[0,3,6,9]");
    CHECK_STR(call("States.ArrayRange(1, 9, 9)", "{}"), "[1]");
    CHECK_STR(call("States.ArrayRange(1, 10, 2)", "{}"), "[1,3,5,7,9]");
    CHECK_STR(call("States.ArrayRange(0, 3, 1)", "{}"), "[0,1,2,3]");
    CHECK_STR(call("States.ArrayRange(5, 1, -2)", "{}"), "[5,3,1]");
    CHECK_STR(call("States.ArrayRange(5, 1, 1)", "{}"), "[]");
    CHECK(!fails("States.ArrayRange(1, 1000, 1)", "{}"));
    CHECK(fails("States.ArrayRange(0, 1000, 1)", "{}"));
    CHECK(fails("States.ArrayRange(0, 10, 0)", "{}"));
    CHECK(fails("States.ArrayRange(0, 10.5, 1)", "{}"));
    CHECK(fails("States.ArrayRange('0', 10, 1)", "{}"));
    /* ArrayGetItem / ArrayLength / ArrayUnique */
    CHECK_STR(call("States.ArrayGetItem($.a, 2)", "{\"a\":[1,2,{\"x\":3}]}"), "{\"x\":3}");
    CHECK(fails("States.ArrayGetItem($.a, 3)", "{\"a\":[1,2,3]}"));
    CHECK(fails("States.ArrayGetItem($.a, -1)", "{\"a\":[1,2,3]}"));
    CHECK_STR(call("States.ArrayLength($.FunctionInput)", FI
                   "[null,null,true,true,false,false,1,1,1.1,0,0,\"HelloWorld\",\"HelloWorld\","
                   "[],[],[null],[null],{\"a\":1,\"b\":2},{\"a\":1,\"b\":2},{\"a\":1,\"b\":1}]}"),
              "20");
    CHECK_STR(call("States.ArrayUnique($.a)",
                   "{\"a\":[1,1,\"a\",\"a\",[1],[1],{\"a\":1,\"b\":2},{\"b\":2,\"a\":1},1.0,null,"
                   "null,true]}"),
              "[1,\"a\",[1],{\"a\":1,\"b\":2},null,true]");
    CHECK_STR(call("States.ArrayUnique($.a)", "{\"a\":[]}"), "[]");
    CHECK_STR(call("States.ArrayUnique($.a)",
                   "{\"a\":[-0,0,{\"x\":[1,{\"y\":2}]},{\"x\":[1,{\"y\":2.0}]}]}"),
              "[-0,{\"x\":[1,{\"y\":2}]}]");
    /* hashed, not quadratic: 60,000 items with 30,000 distinct values */
    sx_sbuf_t b = SX_SBUF_INIT;
    sx_sbuf_adds(&b, "{\"a\":[");
    for (int k = 0; k < 60000; k++)
        sx_sbuf_addf(&b, "%s%d", k ? "," : "", k % 30000);
    sx_sbuf_adds(&b, "]}");
    CHECK_STR(call("States.ArrayLength(States.ArrayUnique($.a))", b.p), "30000");
    sx_sbuf_fini(&b);
    CHECK(fails("States.ArrayLength('x')", "{}"));
}

static void
test_encoding(void)
{
    /* AWS (recorded) */
    CHECK_STR(call("States.Base64Encode($.s)", "{\"s\":\"Data to encode\"}"),
              "\"RGF0YSB0byBlbmNvZGU=\"");
    CHECK_STR(call("States.Base64Encode($.s)", "{\"s\":\"\"}"), "\"\"");
    CHECK_STR(call("States.Base64Decode($.s)", "{\"s\":\"RGF0YSB0byBlbmNvZGU=\"}"),
              "\"Data to encode\"");
    CHECK_STR(call("States.Base64Decode($.s)", "{\"s\":\"\"}"), "\"\"");
    /* Java MIME encoder: 76-character lines joined by CRLF */
    char hundred[101];
    memset(hundred, 'a', 100);
    hundred[100] = '\0';
    CHECK_STR(call("States.Base64Encode($.s)", sx_arena_printf(A, NULL, "{\"s\":\"%s\"}", hundred)),
              "\"YWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFh\\r\\n"
              "YWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYQ==\"");
    CHECK_STR(call("States.Base64Encode('é')", "{}"), "\"w6k=\"");
    CHECK_STR(call("States.Base64Encode('ab')", "{}"), "\"YWI=\"");
    /* Java MIME decoder skips characters outside the alphabet; bad UTF-8 becomes U+FFFD */
    CHECK_STR(call("States.Base64Decode($.s)", "{\"s\":\"RGF0YSB0b#yBlbmNvZGU=\\r\\n\"}"),
              "\"Data to encode\"");
    CHECK_STR(call("States.Base64Decode('/w==')", "{}"), "\"\xEF\xBF\xBD\"");
    CHECK_STR(call("States.Base64Decode('YWI')", "{}"), "\"ab\"");
    CHECK(fails("States.Base64Decode('Y')", "{}"));
    CHECK(fails("States.Base64Encode(1)", "{}"));
    /* 10,000-character limit */
    sx_sbuf_t b = SX_SBUF_INIT;
    sx_sbuf_adds(&b, "{\"s\":\"");
    for (int k = 0; k < 10001; k++)
        sx_sbuf_addc(&b, 'a');
    sx_sbuf_adds(&b, "\"}");
    CHECK(fails("States.Base64Encode($.s)", b.p));
    CHECK(fails("States.Hash($.s, 'MD5')", b.p));
    b.p[b.len - 3] = '"', b.p[b.len - 2] = '}', b.p[--b.len] = '\0';
    CHECK(!fails("States.Base64Encode($.s)", b.p));
    sx_sbuf_fini(&b);
}

static void
test_hash(void)
{
    const char *in = "{\"d\":\"input data\"}";
    /* AWS (recorded) */
    CHECK_STR(call("States.Hash($.d, 'MD5')", in), "\"812f45842bc6d66ee14572ce20db8e86\"");
    CHECK_STR(call("States.Hash($.d, 'SHA-1')", in),
              "\"aaff4a450a104cd177d28d18d74485e8cae074b7\"");
    CHECK_STR(call("States.Hash($.d, 'SHA-384')", in),
              "\"d28a7d5cf25a74f11a50a18452b75e04bb3d70c9dd0510d6123aa008c756511b87525bdc835ebb"
              "27e1fb9e9374a15562\"");
    CHECK_STR(call("States.Hash($.d, 'SHA-256')", in),
              "\"b4a697a057313163aee33cd8d40c66e9f0f177e00cac2de32475ffff6169c3e3\"");
    CHECK_STR(call("States.Hash($.d, 'SHA-512')", in),
              "\"6ce4adb348546d4f449c4d25aad9a7c9cb711d9e91982d3f0b29ca2f3f47d4ce2deba23bf2954f0"
              "f1d593fc50283731a533d30d425402d4f91316d871303aac4\"");
    CHECK(fails("States.Hash($.d, 'sha-1')", in));
    CHECK(fails("States.Hash($.d, 'SHA1')", in));
    CHECK(fails("States.Hash($.d, 1)", in));
}

static void
test_math(void)
{
    static const struct {
        const char *a, *b, *want;
    } add[] = {
        /* AWS (recorded) */
        {"-9", "3", "-6"},
        {"-1.5", "0", "-1"},
        {"-1.51", "0", "-2"},
        {"0.5", "0", "1"},
        {"2.5", "0", "3"},
        {"3.5", "0", "4"},
        {"-0.5", "0.5", "1"},
        {"-2.5", "0", "-2"},
        {"-3.5", "0", "-3"},
        {"-1.49", "-1.5", "-2"},
        {"-1.5", "-1.51", "-3"},
        {"1.49", "-1.49", "0"},
        {"1.51", "0", "2"},
        {"-1.49", "0", "-1"},
        /* intrinsics.md */
        {"4.5", "-4.5", "1"},
        {"-6.5", "0", "-6"},
        {"0.49999999999999994", "0", "0"},
    };
    for (size_t k = 0; k < SX_ARRAY_LEN(add); k++) {
        const char *in = sx_arena_printf(A, NULL, "{\"a\":%s,\"b\":%s}", add[k].a, add[k].b);
        CHECK_STR(call("States.MathAdd($.a, $.b)", in), add[k].want);
    }
    CHECK_STR(call("States.MathAdd($.Iterations, -1)", "{\"Iterations\":3}"), "2");
    CHECK(fails("States.MathAdd('1', 2)", "{}"));
    CHECK(fails("States.MathAdd(null, 2)", "{}"));

    /* MathRandom: java.util.Random(seed).nextInt(end - start + 1) + start (JDK values) */
    CHECK_STR(call("States.MathRandom(0, 9, 42)", "{}"), "0");
    CHECK_STR(call("States.MathRandom(0, 99, 42)", "{}"), "30");
    CHECK_STR(call("States.MathRandom(9999, 99999, 7)", "{}"), "96801");
    CHECK_STR(call("States.MathRandom(-5, 5, 123)", "{}"), "5");
    CHECK_STR(call("States.MathRandom(0, 15, 0)", "{}"), "11");
    CHECK_STR(call("States.MathRandom(3, 3)", "{}"), "3");
    for (int k = 0; k < 200; k++) {
        const val_t *v = J(call("States.MathRandom(-99999, -9999)", "{}"));
        CHECK(val_is(v, VAL_NUM) && val_num_get(v) >= -99999 && val_num_get(v) <= -9999 &&
              (v->flags & VAL_F_INT));
    }
    CHECK(fails("States.MathRandom(5, 1)", "{}"));
    CHECK(fails("States.MathRandom('a', 1)", "{}"));
}

static void
test_strings(void)
{
    /* StringSplit (recorded) */
    CHECK_STR(call("States.StringSplit($.s, $.d)", "{\"s\":\", , ,\",\"d\":\",\"}"),
              "[\" \",\" \"]");
    CHECK_STR(call("States.StringSplit($.s, $.d)", "{\"s\":\",,,,\",\"d\":\",\"}"), "[]");
    CHECK_STR(call("States.StringSplit($$.Execution.Input.FunctionInput, ',')", "{}"),
              "[\"Value1\",\"Value2\",\"Value3\\nValue4\",\"Value5\",\"Value6\\n\",\"\\ntrue\","
              "\"1\",\"'HelloWorld'\\nNull\",\"None\",\"\\n   \\n\"]");
    CHECK_STR(call("States.StringSplit('This.is+a,test=string', '.+,=')", "{}"),
              "[\"This\",\"is\",\"a\",\"test\",\"string\"]");
    CHECK_STR(call("States.StringSplit('a€b€€c', '€')", "{}"), "[\"a\",\"b\",\"c\"]");
    CHECK_STR(call("States.StringSplit('abc', '')", "{}"), "[\"abc\"]");
    CHECK_STR(call("States.StringSplit('x😀y€z~w', '€😀~')", "{}"), "[\"x\",\"y\",\"z\",\"w\"]");
    CHECK_STR(call("States.StringSplit('', ',')", "{}"), "[]");
    CHECK(fails("States.StringSplit(1, ',')", "{}"));
    /* UUID */
    const val_t *u = J(call("States.UUID()", "{}"));
    regex_t re;
    CHECK(regcomp(&re, "^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$",
                  REG_EXTENDED) == 0);
    CHECK(val_is(u, VAL_STR) && regexec(&re, val_str_get(u), 0, NULL, 0) == 0);
    regfree(&re);
    CHECK(strcmp(call("States.UUID()", "{}"), call("States.UUID()", "{}")) != 0);
}

static void
test_runtime_paths(void)
{
    CHECK_STR(call("States.Array($.nope)", "{\"a\":1}"),
              "States.Runtime: The JSONPath '$.nope' specified for the field 'f.$' could not be "
              "found in the input '{\"a\":1}'");
    CHECK_STR(call("States.Array($.nope[*])", "{\"a\":1}"), "[[]]");
    CHECK(strncmp(call("States.Array($nope)", "{}"), "States.Runtime:", 15) == 0);
    CHECK_STR(call("States.MathAdd($x, 1)", "{}"), "42");
}

static const sx_test_t tests[] = {
    {"grammar", test_grammar},
    {"nesting", test_nesting},
    {"format", test_format},
    {"json", test_json},
    {"arrays", test_arrays},
    {"encoding", test_encoding},
    {"hash", test_hash},
    {"math", test_math},
    {"strings", test_strings},
    {"runtime_paths", test_runtime_paths},
    {NULL, NULL},
};

int
main(int argc, char **argv)
{
    A = sx_arena_new(0);
    VARS = J("{\"v\":{\"k\":1},\"name\":\"Ann\",\"place\":\"Rome\",\"x\":41,"
             "\"AnswerTemplate\":\"The answer is {}\"}");
    CTX = J("{\"Execution\":{\"Id\":\"e1\",\"Input\":{\"FunctionInput\":\"Value1,Value2,Value3\\n"
            "Value4,Value5,Value6\\n,,,\\ntrue,1,'HelloWorld'\\nNull,None,\\n   \\n\"}},"
            "\"StateMachine\":{\"Id\":\"sm-id\",\"Name\":\"a-b-c\"}}");
    int rc = sx_test_main("intrinsic", tests, argc, argv);
    sx_arena_free(A);
    return rc;
}
