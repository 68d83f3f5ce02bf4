/* Unit tests for the msgpack codec (src/val/val_msgpack.c). */
#include "../sx_test.h"
#include "stepx/val.h"

static sx_arena_t *A;

static const val_t *
J(const char *s)
{
    const val_t *v = NULL;
    val_json_err_t e;
    CHECK(val_json_parse(A, s, strlen(s), &v, &e) == SX_OK);
    return v;
}

static void
test_roundtrip(void)
{
    const char *docs[] = {
        "null", "true", "false", "0", "-1", "127", "128", "-32", "-33", "65536", "-2147483649",
        "1.5", "-0.25", "1e300", "\"\"", "\"h\xc3\xa9llo\"", "[]", "{}",
        "{\"a\":[1,2,{\"b\":null}],\"c\":\"x\"}", "9007199254740993",
    };
    for (size_t i = 0; i < SX_ARRAY_LEN(docs); i++) {
        const val_t *v = J(docs[i]), *w;
        sx_sbuf_t b = SX_SBUF_INIT;
        val_json_err_t e;
        val_msgpack_encode(&b, v);
        CHECK(val_msgpack_decode(A, b.p, b.len, &w, &e) == SX_OK);
        CHECK(val_equal(v, w));
        sx_sbuf_fini(&b);
    }
    /* A long string and a 40-level nesting (msgpack-c's own unpacker stops at 32). */
    char deep[200];
    size_t n = 0;
    for (int i = 0; i < 40; i++)
        deep[n++] = '[';
    for (int i = 0; i < 40; i++)
        deep[n++] = ']';
    deep[n] = '\0';
    const val_t *v = J(deep), *w;
    sx_sbuf_t b = SX_SBUF_INIT;
    val_json_err_t e;
    val_msgpack_encode(&b, v);
    CHECK(val_msgpack_decode(A, b.p, b.len, &w, &e) == SX_OK);
    CHECK(val_equal(v, w));
    sx_sbuf_fini(&b);
}

static void
test_errors(void)
{
    const val_t *v;
    val_json_err_t e;
    /* truncated str8, array claiming 2^32-1 items, int map key, ext, trailing byte */
    const char *bad[] = {("\xd9\x05" "ab"), "\xdd\xff\xff\xff\xff", "\x81\x01\x02", "\xd4\x01\x02",
                         "\xc0\xc0", ""};
    size_t lens[] = {4, 5, 3, 3, 2, 0};
    for (size_t i = 0; i < SX_ARRAY_LEN(bad); i++)
        CHECK(val_msgpack_decode(A, bad[i], lens[i], &v, &e) == SX_ERR);
    CHECK(strstr(e.msg, "Truncated") != NULL);
    /* invalid UTF-8 in a str and in a bin */
    CHECK(val_msgpack_decode(A, "\xa2\xc3\x28", 3, &v, &e) == SX_ERR);
    CHECK(strstr(e.msg, "UTF-8") != NULL);
    CHECK(val_msgpack_decode(A, "\xc4\x01\xff", 3, &v, &e) == SX_ERR);
    CHECK(val_msgpack_decode(A, "\xa2\xc3\xa9", 3, &v, &e) == SX_OK);
    /* uint64 max keeps its digits */
    CHECK(val_msgpack_decode(A, "\xcf\xff\xff\xff\xff\xff\xff\xff\xff", 9, &v, &e) == SX_OK);
    CHECK_STR(val_json_str(A, v, NULL), "18446744073709551615");
}

static const sx_test_t tests[] = {
    {"roundtrip", test_roundtrip},
    {"errors", test_errors},
    {NULL, NULL},
};

int
main(int argc, char **argv)
{
    A = sx_arena_new(0);
    int rc = sx_test_main("msgpack", tests, argc, argv);
    sx_arena_free(A);
    return rc;
}
