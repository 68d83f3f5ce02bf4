/* test_lib_aws.c: the AWS Step Functions additions to the JSONata library. */
#include "test_lib.h"

static void
test_partition(void)
{
    CALLA("[[0]]", "partition", "[0]", "1");
    CALLA("[[0,1,2,3]]", "partition", "[0,1,2,3]", "5");
    CALLA("[[1,2],[3,4],[5]]", "partition", "[1,2,3,4,5]", "2");
    CALLA("[]", "partition", "[]", "2");
    CALLA("!T0410", "partition", "[1]", "0");
    CALLA("!T0410", "partition", "[1]", "1.5");
    CHECK_STR(tl_call("partition", "[1]", "1", (const char *)NULL), "!nofn");
}

static void
test_range(void)
{
    CALLA("[0,3,6,9]", "range", "0", "10", "3");
    CALLA("[1,3,5,7,9]", "range", "1", "9", "2");
    CALLA("1", "range", "1", "9", "9");
    CALLA("[]", "range", "1", "9", "0");
    CALLA("[5,4,3]", "range", "5", "3", "-1");
    CALLA("[]", "range", "5", "3", "1");
    CALLA("!D2014", "range", "0", "1e9", "1");
}

static void
test_hash(void)
{
    CALLA("\"aaff4a450a104cd177d28d18d74485e8cae074b7\"", "hash", "\"input data\"", "\"SHA-1\"");
    CALLA("\"d41d8cd98f00b204e9800998ecf8427e\"", "hash", "\"\"", "\"MD5\"");
    CALLA("\"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\"", "hash", "\"\"",
          "\"SHA-256\"");
    CALLA("\"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\"", "hash", "\"\"");
    CALLA("!T0410", "hash", "\"x\"", "\"sha-1\"");
    CALLA("undefined", "hash", "@U", "\"MD5\"");
}

static void
test_random_uuid(void)
{
    const char *a = tl_call_aws("random", "42", (const char *)NULL);
    const char *b = tl_call_aws("random", "42", (const char *)NULL);
    const char *r = tl_call_aws("random", (const char *)NULL);
    double d = atof(r);

    CHECK_STR(a, b);
    CHECK(strcmp(a, tl_call_aws("random", "43", (const char *)NULL)) != 0);
    CHECK(atof(a) >= 0 && atof(a) < 1);
    CHECK(d >= 0 && d < 1);
    d = atof(tl_call("random", (const char *)NULL));
    CHECK(d >= 0 && d < 1);
    r = tl_call_aws("uuid", (const char *)NULL);
    CHECK(strlen(r) == 38 && r[15] == '4' && r[9] == '-');
}

static void
test_parse(void)
{
    CALLA("1.1", "parse", "\"1.1\"");
    CALLA("true", "parse", "\"true\"");
    CALLA("\"x\"", "parse", "\"\\\"x\\\"\"");
    CALLA("0", "parse", "\"-0\"");
    CALLA("1", "parse", "\"1.0\"");
    CALLA("{\"a\":[1,2,{\"b\":null}]}", "parse", "\"{\\\"a\\\":[1,2,{\\\"b\\\":null}]}\"");
    CALLA("!D3120", "parse", "\"{bad\"");
}

static const sx_test_t tests[] = {
    {"partition", test_partition}, {"range", test_range},
    {"hash", test_hash},           {"random_uuid", test_random_uuid},
    {"parse", test_parse},         {NULL, NULL},
};

int
main(int argc, char **argv)
{
    int rc = sx_test_main("jsonata_lib_aws", tests, argc, argv);
    sx_arena_free(tl_arena);
    return rc;
}
