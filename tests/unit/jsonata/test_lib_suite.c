/* test_lib_suite.c: the JSONata suite's direct-call cases of the function library
 * (generated into test_lib_suite_cases.h by gen_lib_suite.py), one test per function. */
#include "test_lib.h"
#include "test_lib_suite_cases.h"

#define SUITE_TEST(fname)                                                                      \
    static void test_##fname(void)                                                             \
    {                                                                                          \
        int ran = 0;                                                                           \
        CHECK_INT(tl_run_suite(suite_cases, SX_ARRAY_LEN(suite_cases), "function-" #fname "/", \
                               &ran),                                                          \
                  0);                                                                          \
        CHECK(ran > 0);                                                                        \
    }

SUITE_TEST(string)
SUITE_TEST(length)
SUITE_TEST(substring)
SUITE_TEST(substringBefore)
SUITE_TEST(substringAfter)
SUITE_TEST(uppercase)
SUITE_TEST(trim)
SUITE_TEST(pad)
SUITE_TEST(join)
SUITE_TEST(encodeUrl)
SUITE_TEST(encodeUrlComponent)
SUITE_TEST(decodeUrl)
SUITE_TEST(decodeUrlComponent)
SUITE_TEST(number)
SUITE_TEST(abs)
SUITE_TEST(floor)
SUITE_TEST(ceil)
SUITE_TEST(round)
SUITE_TEST(power)
SUITE_TEST(sqrt)
SUITE_TEST(formatBase)
SUITE_TEST(formatNumber)
SUITE_TEST(formatInteger)
SUITE_TEST(parseInteger)
SUITE_TEST(sum)
SUITE_TEST(max)
SUITE_TEST(average)
SUITE_TEST(boolean)
SUITE_TEST(exists)
SUITE_TEST(count)
SUITE_TEST(append)
SUITE_TEST(reverse)
SUITE_TEST(distinct)
SUITE_TEST(zip)
SUITE_TEST(keys)
SUITE_TEST(spread)
SUITE_TEST(merge)
SUITE_TEST(assert)
SUITE_TEST(fromMillis)
SUITE_TEST(tomillis)

static void
test_encoding(void)
{
    int ran = 0;
    CHECK_INT(tl_run_suite(suite_cases, SX_ARRAY_LEN(suite_cases), "encoding/", &ran), 0);
    CHECK(ran > 0);
}

#define T(fname) {#fname, test_##fname}
static const sx_test_t tests[] = {
    T(string), T(length), T(substring), T(substringBefore), T(substringAfter), T(uppercase),
    T(trim), T(pad), T(join), T(encodeUrl), T(encodeUrlComponent), T(decodeUrl),
    T(decodeUrlComponent), T(encoding), T(number), T(abs), T(floor), T(ceil), T(round),
    T(power), T(sqrt), T(formatBase), T(formatNumber), T(formatInteger), T(parseInteger),
    T(sum), T(max), T(average), T(boolean), T(exists), T(count), T(append), T(reverse),
    T(distinct), T(zip), T(keys), T(spread), T(merge), T(assert), T(fromMillis), T(tomillis),
    {NULL, NULL},
};

int
main(int argc, char **argv)
{
    int rc = sx_test_main("jsonata_lib_suite", tests, argc, argv);
    sx_arena_free(tl_arena);
    return rc;
}
