/* test_lib_array.c: $count $append $reverse $shuffle $distinct $zip, object and boolean
 * functions of the JSONata library. */
#include "test_lib.h"

static void
test_count(void)
{
    CALLN("0", "count", "@U");
    CALLN("0", "count", "[]");
    CALLN("3", "count", "[1,2,3]");
    CALLN("1", "count", "\"x\"");
}

static void
test_append(void)
{
    CALLN("[1,2,3,4]", "append", "[1,2]", "[3,4]");
    CALLN("[1,2]", "append", "1", "2");
    CALLN("1", "append", "1", "@U");
    CALLN("[2,3,4]", "append", "@U", "[2,3,4]");
    CALLN("[1]", "append", "[]", "1");
    CALLN("undefined", "append", "@U", "@U");
}

static void
test_reverse_shuffle(void)
{
    const char *r;

    CALLN("[5,4,3,2,1]", "reverse", "[1,2,3,4,5]");
    CALLN("[1]", "reverse", "[1]");
    CALLN("undefined", "reverse", "@U");
    r = tl_call("shuffle", "[1,2,3,4,5,6,7,8]", (const char *)NULL);
    CHECK(strlen(r) == strlen("[1,2,3,4,5,6,7,8]"));
    for (int d = 1; d <= 8; d++)
        CHECK(strchr(r, '0' + d) != NULL);
    CALLN("[1]", "shuffle", "[1]");
}

static void
test_distinct(void)
{
    CALLN("[1,2,3,4]", "distinct", "[1,2,3,4]");
    CALLN("[1,2,3]", "distinct", "[1,2,1,3,2]");
    CALLN("[{\"a\":1},{\"b\":1}]", "distinct", "[{\"a\":1},{\"b\":1},{\"a\":1.0}]");
    CALLN("null", "distinct", "null");
    CALLN("\"x\"", "distinct", "\"x\"");
    CALLN("[[1],[2]]", "distinct", "[[1],[2],[1]]");
}

static void
test_zip(void)
{
    CALLN("[[1,4,7],[2,5,8],[3,6,9]]", "zip", "[1,2,3]", "[4,5,6]", "[7,8,9]");
    CALLN("[[1,4,7],[2,5,8]]", "zip", "[1,2,3]", "[4,5]", "[7,8,9]");
    CALLN("[[1],[2],[3]]", "zip", "[1,2,3]");
    CALLN("[[1,2]]", "zip", "1", "2");
    CALLN("[]", "zip", "[1,2,3]", "[4,5,6]", "@U");
}

static void
test_keys_lookup(void)
{
    CALLN("[\"2\",\"10\",\"b\",\"a\"]", "keys", "{\"b\":1,\"a\":2,\"10\":3,\"2\":4}");
    CALLN("\"foo\"", "keys", "{\"foo\":{}}");
    CALLN("undefined", "keys", "\"foo\"");
    CALLN("undefined", "keys", "[\"foo\",\"bar\"]");
    CALLN("[\"a\",\"b\",\"c\"]", "keys", "[{\"a\":1,\"b\":2},{\"b\":3,\"c\":4}]");
    CALLN("undefined", "keys", "{}");
    CALLN("1", "lookup", "{\"a\":1}", "\"a\"");
    CALLN("undefined", "lookup", "{\"a\":1}", "\"b\"");
    CALLN("[1,2,3]", "lookup", "[{\"a\":1},{\"a\":[2,3]},{\"b\":4}]", "\"a\"");
    CALLN("null", "lookup", "{\"gust\":null}", "\"gust\"");
    CALLN("undefined", "lookup", "\"x\"", "\"a\"");
}

static void
test_spread_merge(void)
{
    CALLN("[{\"a\":1},{\"b\":2}]", "spread", "{\"a\":1,\"b\":2}");
    CALLN("{\"a\":1}", "spread", "{\"a\":1}");
    CALLN("[{\"a\":1}]", "spread", "[{\"a\":1}]");
    CALLN("[{\"a\":1},{\"b\":2},\"x\"]", "spread", "[{\"a\":1},[{\"b\":2}],\"x\"]");
    CALLN("\"Hello World\"", "spread", "\"Hello World\"");
    CALLN("undefined", "spread", "[]");
    CALLN("{\"a\":1}", "merge", "{\"a\":1}");
    CALLN("{\"a\":3,\"b\":2}", "merge", "[{\"a\":1},{\"b\":2},{\"a\":3}]");
    CALLN("{}", "merge", "[]");
    CALLN("undefined", "merge", "@U");
}

static void
test_type_error_assert(void)
{
    CALLN("\"null\"", "type", "null");
    CALLN("\"number\"", "type", "1");
    CALLN("\"string\"", "type", "\"\"");
    CALLN("\"boolean\"", "type", "false");
    CALLN("\"array\"", "type", "[]");
    CALLN("\"object\"", "type", "{}");
    CALLN("undefined", "type", "@U");
    CALLN("!D3137", "error", "\"Too Expensive\"");
    CHECK_STR(tl_last_msg, "Too Expensive");
    CALLN("!D3137", "error", "@U");
    CHECK_STR(tl_last_msg, "$error() function evaluated");
    CALLN("undefined", "assert", "true");
    CALLN("!D3141", "assert", "false", "\"msg\"");
    CHECK_STR(tl_last_msg, "msg");
    CALLN("!D3141", "assert", "false");
    CHECK_STR(tl_last_msg, "$assert() statement failed");
}

static void
test_boolean(void)
{
    CALLN("undefined", "boolean", "@U");
    CALLN("false", "boolean", "null");
    CALLN("true", "boolean", "\"false\"");
    CALLN("false", "boolean", "\"\"");
    CALLN("false", "boolean", "0");
    CALLN("true", "boolean", "-0.5");
    CALLN("false", "boolean", "[]");
    CALLN("false", "boolean", "[[0]]");
    CALLN("false", "boolean", "[0,false,\"\"]");
    CALLN("true", "boolean", "[0,false,\"\",1]");
    CALLN("false", "boolean", "{}");
    CALLN("true", "boolean", "{\"a\":0}");
    CALLN("true", "not", "0");
    CALLN("undefined", "not", "@U");
    CALLN("true", "exists", "null");
    CALLN("false", "exists", "@U");
}

static const sx_test_t tests[] = {
    {"count", test_count},
    {"append", test_append},
    {"reverse_shuffle", test_reverse_shuffle},
    {"distinct", test_distinct},
    {"zip", test_zip},
    {"keys_lookup", test_keys_lookup},
    {"spread_merge", test_spread_merge},
    {"type_error_assert", test_type_error_assert},
    {"boolean", test_boolean},
    {NULL, NULL},
};

int
main(int argc, char **argv)
{
    int rc = sx_test_main("jsonata_lib_array", tests, argc, argv);
    sx_arena_free(tl_arena);
    return rc;
}
