/*
 * jna_lib_table.c: the JSONata core function library, one entry per built-in with its
 * jsonata-js signature string (jsonata.js registerFunction calls, 2.x).
 *
 * The evaluator validates and coerces arguments against these signatures before calling
 * (see jna_lib.h). Regex-aware functions ($contains $split $match $replace), the
 * higher-order ones and $sort/$eval/$clone live in the evaluator's jna_lib_hof table.
 * AWS-only entries carry JNA_BI_AWS_ONLY; the plain $random is JNA_BI_NOT_AWS because
 * AWS replaces it with a seedable one.
 */
#include "jna_lib_int.h"

const jna_builtin_t jna_lib_core[] = {
    /* string */
    {"string", "<x-b?:s>", jna_bi_string, 0},
    {"length", "<s-:n>", jna_bi_length, 0},
    {"substring", "<s-nn?:s>", jna_bi_substring, 0},
    {"substringBefore", "<s-s:s>", jna_bi_substring_before, 0},
    {"substringAfter", "<s-s:s>", jna_bi_substring_after, 0},
    {"uppercase", "<s-:s>", jna_bi_uppercase, 0},
    {"lowercase", "<s-:s>", jna_bi_lowercase, 0},
    {"trim", "<s-:s>", jna_bi_trim, 0},
    {"pad", "<s-ns?:s>", jna_bi_pad, 0},
    {"join", "<a<s>s?:s>", jna_bi_join, 0},
    {"base64encode", "<s-:s>", jna_bi_base64encode, 0},
    {"base64decode", "<s-:s>", jna_bi_base64decode, 0},
    {"encodeUrlComponent", "<s-:s>", jna_bi_encode_url_component, 0},
    {"encodeUrl", "<s-:s>", jna_bi_encode_url, 0},
    {"decodeUrlComponent", "<s-:s>", jna_bi_decode_url_component, 0},
    {"decodeUrl", "<s-:s>", jna_bi_decode_url, 0},
    /* numeric */
    {"number", "<(nsb)-:n>", jna_bi_number, 0},
    {"abs", "<n-:n>", jna_bi_abs, 0},
    {"floor", "<n-:n>", jna_bi_floor, 0},
    {"ceil", "<n-:n>", jna_bi_ceil, 0},
    {"round", "<n-n?:n>", jna_bi_round, 0},
    {"power", "<n-n:n>", jna_bi_power, 0},
    {"sqrt", "<n-:n>", jna_bi_sqrt, 0},
    {"random", "<:n>", jna_bi_random, JNA_BI_NOT_AWS},
    {"formatNumber", "<n-so?:s>", jna_bi_format_number, 0},
    {"formatBase", "<n-n?:s>", jna_bi_format_base, 0},
    {"formatInteger", "<n-s:s>", jna_bi_format_integer, 0},
    {"parseInteger", "<s-s:n>", jna_bi_parse_integer, 0},
    /* aggregation */
    {"sum", "<a<n>:n>", jna_bi_sum, 0},
    {"max", "<a<n>:n>", jna_bi_max, 0},
    {"min", "<a<n>:n>", jna_bi_min, 0},
    {"average", "<a<n>:n>", jna_bi_average, 0},
    /* boolean */
    {"boolean", "<x-:b>", jna_bi_boolean, 0},
    {"not", "<x-:b>", jna_bi_not, 0},
    {"exists", "<x:b>", jna_bi_exists, 0},
    /* array */
    {"count", "<a:n>", jna_bi_count, 0},
    {"append", "<xx:a>", jna_bi_append, 0},
    {"reverse", "<a:a>", jna_bi_reverse, 0},
    {"shuffle", "<a:a>", jna_bi_shuffle, 0},
    {"distinct", "<x:x>", jna_bi_distinct, 0},
    {"zip", "<a+>", jna_bi_zip, 0},
    /* object */
    {"keys", "<x-:a<s>>", jna_bi_keys, 0},
    {"lookup", "<x-s:x>", jna_bi_lookup, 0},
    {"spread", "<x-:a<o>>", jna_bi_spread, 0},
    {"merge", "<a<o>:o>", jna_bi_merge, 0},
    {"type", "<x:s>", jna_bi_type, 0},
    {"error", "<s?:x>", jna_bi_error, 0},
    {"assert", "<bs?:x>", jna_bi_assert, 0},
    /* date/time */
    {"now", "<s?s?:s>", jna_bi_now, 0},
    {"millis", "<:n>", jna_bi_millis, 0},
    {"fromMillis", "<n-s?s?:s>", jna_bi_from_millis, 0},
    {"toMillis", "<s-s?:n>", jna_bi_to_millis, 0},
    /* AWS Step Functions additions */
    {"partition", "<an:a>", jna_bi_partition, JNA_BI_AWS_ONLY},
    {"range", "<nnn?:a<n>>", jna_bi_range, JNA_BI_AWS_ONLY},
    {"hash", "<ss?:s>", jna_bi_hash, JNA_BI_AWS_ONLY},
    {"random", "<n?:n>", jna_bi_random_seeded, JNA_BI_AWS_ONLY},
    {"uuid", "<:s>", jna_bi_uuid, JNA_BI_AWS_ONLY},
    {"parse", "<s-:x>", jna_bi_parse, JNA_BI_AWS_ONLY},
    {NULL, NULL, NULL, 0},
};
