/* Unit tests for the value model and JSON text (src/val). */
#include <math.h>
#include <stdlib.h>

#include "../sx_test.h"
#include "stepx/val.h"

static sx_arena_t *A;

static const val_t *
J(const char *s)
{
    const val_t *v = NULL;
    val_json_err_t e;
    if (val_json_parse(A, s, strlen(s), &v, &e) != SX_OK) {
        fprintf(stderr, "  parse failed: %s: %s\n", s, e.msg);
        return NULL;
    }
    return v;
}

static const char *
P(const val_t *v)
{
    return val_json_str(A, v, NULL);
}

static void
test_roundtrip(void)
{
    const char *docs[] = {
        "null", "true", "false", "0", "-0", "0.0", "1.50", "1e5", "-12.5E-3", "123456789012345678901",
        "\"\"", "\"a\\\"b\\\\c\\n\\u0001\"", "[]", "{}", "[1,[2,[3]],{\"a\":{}}]",
        "{\"b\":1,\"a\":2}", "\"h\xc3\xa9llo \xf0\x9f\x98\x80\"",
    };
    for (size_t i = 0; i < SX_ARRAY_LEN(docs); i++)
        CHECK_STR(P(J(docs[i])), docs[i]);
    CHECK_STR(P(J(" { \"a\" : [ 1 , 2 ] } ")), "{\"a\":[1,2]}");
    CHECK_STR(P(J("\"\\/\\u00e9\\ud83d\\ude00\"")), "\"/\xc3\xa9\xf0\x9f\x98\x80\"");
    CHECK_STR(P(J("\"\\ud800x\"")), "\"\xef\xbf\xbdx\"");
    CHECK_STR(P(J("{\"a\":1,\"b\":2,\"a\":3}")), "{\"a\":3,\"b\":2}");
}

static void
test_parse_sized(void)
{
    const char *docs[] = {
        "null", "true", "0", "-0", "1.50", "123456789012345678901", "\"\"",
        "\"a\\\"b\\\\c\\n\\u0001\\u00e9\\/\"", "[]", "{}", " [ 1 , [ 2 ] , { } ] ",
        "{\n  \"b\" : 1 ,\n  \"a\" : [true, false, null]\n}",
    };
    for (size_t i = 0; i < SX_ARRAY_LEN(docs); i++) {
        const val_t *v;
        size_t compact = 0;
        val_json_err_t e;
        CHECK(val_json_parse_sized(A, docs[i], strlen(docs[i]), &v, &compact, &e) == SX_OK);
        CHECK_INT(compact, val_json_len(v));
    }
    /* a repeated key: an upper bound */
    const val_t *v;
    size_t compact = 0;
    const char *dup = "{\"a\":1,\"a\":22}";
    CHECK(val_json_parse_sized(A, dup, strlen(dup), &v, &compact, NULL) == SX_OK);
    CHECK(compact >= val_json_len(v));
}

static void
test_errors(void)
{
    const char *bad[] = {"", "{", "[1,]", "{\"a\"}", "01", "1.", "-", "tru", "\"abc", "[1 2]",
                         "{\"a\":1,}", "\"\x01\"", "\"\xc3\"", "\"\\x\"", "1 2", "\"\xed\xa0\x80\""};
    for (size_t i = 0; i < SX_ARRAY_LEN(bad); i++) {
        const val_t *v;
        val_json_err_t e;
        CHECK(val_json_parse(A, bad[i], strlen(bad[i]), &v, &e) == SX_ERR);
    }
    const val_t *v;
    val_json_err_t e;
    const char *s = "{\n  \"a\": 1,\n  \"b\": x\n}";
    CHECK(val_json_parse(A, s, strlen(s), &v, &e) == SX_ERR);
    CHECK_INT(e.line, 3);
    CHECK_INT(e.col, 8);
    CHECK(strstr(e.msg, "line 3, column 8") != NULL);
}

static void
test_depth(void)
{
    char deep[2 * (VAL_JSON_MAX_DEPTH + 2) + 1];
    size_t n = 0;
    for (int i = 0; i < VAL_JSON_MAX_DEPTH + 1; i++)
        deep[n++] = '[';
    for (int i = 0; i < VAL_JSON_MAX_DEPTH + 1; i++)
        deep[n++] = ']';
    const val_t *v;
    val_json_err_t e;
    CHECK(val_json_parse(A, deep, n, &v, &e) == SX_ERR);
    CHECK(val_json_parse(A, deep + 1, n - 2, &v, &e) == SX_OK);
}

static void
test_numbers(void)
{
    struct {
        double d;
        const char *s;
    } cases[] = {
        {1, "1"},           {-1.5, "-1.5"},      {0.1, "0.1"},       {1e21, "1e+21"},
        {1e20, "100000000000000000000"}, {1.5e-7, "1.5e-7"}, {0.000001, "0.000001"},
        {123.456, "123.456"}, {1 / 3.0, "0.3333333333333333"}, {-0.0, "0"},
        {5e-324, "5e-324"},  {1.7976931348623157e308, "1.7976931348623157e+308"},
        {9007199254740993.0, "9007199254740992"}, {22 / 7.0, "3.142857142857143"},
    };
    for (size_t i = 0; i < SX_ARRAY_LEN(cases); i++) {
        char buf[VAL_NUM_BUF];
        val_num_fmt(cases[i].d, buf);
        CHECK_STR(buf, cases[i].s);
    }
    CHECK_STR(P(val_num(A, NAN)), "null");
    const val_t *v = J("1.0");
    CHECK(v->u.num.d == 1.0 && (v->flags & VAL_F_INT));
}

static void
test_objects(void)
{
    val_objb_t b;
    val_objb_init(&b, A, 0);
    char key[16];
    for (int i = 0; i < 100; i++) {
        snprintf(key, sizeof(key), "k%d", i);
        val_objb_sets(&b, key, val_num(A, i));
    }
    val_objb_sets(&b, "k7", val_str(A, "x", 1));
    const val_t *o = val_objb_done(&b);
    CHECK_INT(val_len(o), 100);
    CHECK(val_obj_gets(o, "k99")->u.num.d == 99);
    CHECK_STR(val_str_get(val_obj_gets(o, "k7")), "x");
    CHECK(val_obj_gets(o, "nope") == NULL);
    const val_t *o2 = val_obj_with(A, o, val_strz(A, "new"), val_true());
    CHECK_INT(val_len(o2), 101);
    CHECK_INT(val_len(o), 100);
    CHECK(val_obj_gets(o2, "new") == val_true());
    CHECK(val_obj_gets(o, "new") == NULL);
    const val_t *o3 = val_obj_without(A, o2, "k0", 2);
    CHECK(val_obj_gets(o3, "k0") == NULL && val_obj_gets(o3, "k1") != NULL);
    CHECK_INT(val_len(o3), 100);
    /* Structural sharing: unchanged members are the same pointers. */
    CHECK(val_obj_gets(o2, "k50") == val_obj_gets(o, "k50"));
}

static void
test_equal_clone(void)
{
    const val_t *a = J("{\"x\":[1,2,{\"y\":null}],\"z\":\"s\",\"n\":1.0}");
    const val_t *b = J("{\"n\":1,\"z\":\"s\",\"x\":[1,2,{\"y\":null}]}");
    CHECK(val_equal(a, b));
    CHECK(!val_equal(a, J("{\"n\":1,\"z\":\"s\",\"x\":[1,2,{\"y\":false}]}")));
    sx_arena_t *other = sx_arena_new(0);
    const val_t *c = val_clone(other, a);
    CHECK(val_equal(a, c));
    CHECK_STR(val_json_str(other, c, NULL), P(a));
    sx_arena_free(other);
    CHECK_INT(val_json_len(a), strlen(P(a)));
    CHECK_INT(val_json_len(J("\"a\\u0001\\n\"")), 11);
}

static void
test_u16(void)
{
    /* U+FF61 (BMP, above surrogates) sorts after U+1F600 in UTF-16 order. */
    const char *bmp = "\xef\xbd\xa1", *astral = "\xf0\x9f\x98\x80";
    CHECK(val_str_cmp_u16(astral, 4, bmp, 3) < 0);
    CHECK(val_str_cmp_u16("a", 1, "b", 1) < 0);
    CHECK(val_str_cmp_u16("ab", 2, "a", 1) > 0);
    CHECK(val_str_cmp_u16("", 0, "", 0) == 0);
    CHECK_INT(val_str_u16len(astral, 4), 2);
    CHECK_INT(val_str_u16len("h\xc3\xa9", 3), 2);
}

static void
test_pretty(void)
{
    sx_sbuf_t b = SX_SBUF_INIT;
    val_json_print_pretty(&b, J("{\"a\":[1,2],\"b\":{}}"), 2);
    CHECK_STR(b.p, "{\n  \"a\": [\n    1,\n    2\n  ],\n  \"b\": {}\n}");
    sx_sbuf_fini(&b);
}

static const sx_test_t tests[] = {
    {"roundtrip", test_roundtrip}, {"parse_sized", test_parse_sized}, {"errors", test_errors},
    {"depth", test_depth},
    {"numbers", test_numbers},     {"objects", test_objects}, {"equal_clone", test_equal_clone},
    {"u16", test_u16},             {"pretty", test_pretty},   {NULL, NULL},
};

int
main(int argc, char **argv)
{
    A = sx_arena_new(0);
    int rc = sx_test_main("val", tests, argc, argv);
    sx_arena_free(A);
    return rc;
}
