/* test_lib_format.c: picture-string and number-text functions, including regressions found by
 * differential testing against jsonata 2.2.2. */
#include "test_lib.h"

static const tl_case_t numfmt_cases[] = {
    {"formatNumber", {"12345.6", "\"#,###.00\""}, "\"12,345.60\""},
    {"formatNumber", {"1234.5678", "\"00.000e0\""}, "\"12.346e2\""},
    {"formatNumber", {"-34.555", "\"#0.00;(#0.00)\""}, "\"(34.56)\""},
    {"formatNumber", {"0.14", "\"###pm\"", "{\"per-mille\":\"pm\"}"}, "\"140pm\""},
    {"formatNumber", {"2.5", "\"0\""}, "\"2\""},
    {"formatNumber", {"0", "\"#.##\""}, "\".0\""},
    {"formatNumber", {"1234.5", "\"#.###,0\"", "{\"decimal-separator\":\",\",\"grouping-separator\":\".\"}"},
     "\"1.234,5\""},
    {"formatNumber", {"1e6", "\"#,##0.00 items\""}, "\"1,000,000.00 items\""},
    /* no active character: empty prefix/suffix, so an 'e' is an (invalid) exponent */
    {"formatNumber", {"5", "\"e\""}, "!D3093"},
    {"formatNumber", {"5", "\"e\\u2030\""}, "!D3093"},
    {"formatNumber", {"5", "\"%\\u2030\""}, "!D3086"},
    {"formatNumber", {"20", "\"#;#;#\""}, "!D3080"},
    {"formatInteger", {"2789", "\"w\""}, "\"two thousand, seven hundred and eighty-nine\""},
    {"formatInteger", {"1001", "\"w\""}, "\"one thousand and one\""},
    {"formatInteger", {"21", "\"w;o\""}, "\"twenty-first\""},
    {"formatInteger", {"120", "\"Ww;o\""}, "\"One Hundred and Twentieth\""},
    {"formatInteger", {"1e15", "\"w\""}, "\"one thousand trillion\""},
    {"formatInteger", {"-5", "\"w\""}, "\"-five\""},
    {"formatInteger", {"1999", "\"I\""}, "\"MCMXCIX\""},
    {"formatInteger", {"28", "\"A\""}, "\"AB\""},
    {"formatInteger", {"1234567", "\"#,##,##0\""}, "\"12,34,567\""},
    {"formatInteger", {"123", "\"0000\""}, "\"0123\""},
    {"formatInteger", {"112", "\"1;o\""}, "\"112th\""},
    {"formatInteger", {"5", "\"#\""}, "!D3130"},
    /* irregular separators past the digits: JS substr() drops characters */
    {"formatInteger", {"111", "\"#,##,##0\""}, "\",,11\""},
    {"formatInteger", {"1000", "\"#,##,##0\""}, "\",0\""},
    {"parseInteger", {"\"twelve thousand, four hundred and seventy-six\"", "\"w\""}, "12476"},
    {"parseInteger", {"\"12,345,678\"", "\"#,##0\""}, "12345678"},
    {"parseInteger", {"\"21st\"", "\"1;o\""}, "21"},
    {"formatBase", {"255", "16"}, "\"ff\""},
    {"formatBase", {"2.5"}, "\"2\""},
    {"formatBase", {"-255", "2"}, "\"-11111111\""},
    {"formatBase", {"10", "37"}, "!D3100"},
    /* beyond 2^53: low digits are zeros as in V8 */
    {"formatBase", {"1e20", "16"}, "\"56bc75e2d63100000\""},
    {"round", {"2.5"}, "2"},
    {"round", {"3.5"}, "4"},
    {"round", {"-2.5"}, "-2"},
    {"round", {"1.005", "2"}, "1"},
    {"round", {"4.525", "2"}, "4.52"},
    {"round", {"123.456", "-1"}, "120"},
    {"round", {"125", "-1"}, "120"},
    {"string", {"0.30000000000000004"}, "\"0.3\""},
    {"string", {"123456789012345678"}, "\"123456789012345680\""},
    {"string", {"1e21"}, "\"1e+21\""},
    {"string", {"[1,{\"b\":[]}]", "true"}, "\"[\\n  1,\\n  {\\n    \\\"b\\\": []\\n  }\\n]\""},
    {"number", {"\"0x1F\""}, "31"},
    {"number", {"\"0b101\""}, "5"},
    {"number", {"\"0o17\""}, "15"},
    {"number", {"\"1e400\""}, "!D3030"},
    {"number", {"\"+1\""}, "!D3030"},
};

static void
test_cases(void)
{
    RUN_CASES(numfmt_cases);
}

static void
test_prec_helpers(void)
{
    char digits[24];
    int e;

    /* toPrecision ties go away from zero on the exact binary value */
    jna_num_digits_prec(0.5, 1, digits, &e);
    CHECK_STR(digits, "5");
    jna_num_digits_prec(123456789012344.5, 15, digits, &e);
    CHECK_STR(digits, "123456789012345");
    CHECK_INT(e, 14);
    CHECK(jna_num_prec15(1.0000000000000002) == 1);
    CHECK(jna_num_round(2.675, 2) == 2.68); /* decimal text 2.675: half to even -> 2.68 */
}

static const sx_test_t tests[] = {
    {"cases", test_cases},
    {"prec_helpers", test_prec_helpers},
    {NULL, NULL},
};

int
main(int argc, char **argv)
{
    int rc = sx_test_main("jsonata_lib_format", tests, argc, argv);
    sx_arena_free(tl_arena);
    return rc;
}
