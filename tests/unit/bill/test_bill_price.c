/*
 * test_bill_price.c: money arithmetic, billed units and the monthly price list, checked
 * against AWS's published examples (spec/express.md §5) and at every tier boundary.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "stepx/bill.h"
#include "../sx_test.h"

static const char *
usd(int64_t nusd, int decimals)
{
    static char buf[4][40];
    static int i;
    i = (i + 1) % 4;
    return bill_money_fmt(nusd, decimals, buf[i], sizeof(buf[i]));
}

static void
test_money_parse(void)
{
    int64_t v = -1;
    CHECK(bill_money_parse("0.000001", &v) == SX_OK);
    CHECK_INT(v, 1000);
    CHECK(bill_money_parse("0.01642", &v) == SX_OK);
    CHECK_INT(v, 16420000);
    CHECK(bill_money_parse("25", &v) == SX_OK);
    CHECK_INT(v, 25000000000LL);
    CHECK(bill_money_parse("0.000000001", &v) == SX_OK);
    CHECK_INT(v, 1);
    CHECK(bill_money_parse("0.0000000001", &v) == SX_ERR); /* 10 decimals */
    CHECK(bill_money_parse("-1", &v) == SX_ERR);
    CHECK(bill_money_parse("1e-6", &v) == SX_ERR);
    CHECK(bill_money_parse(".5", &v) == SX_ERR);
    CHECK(bill_money_parse("5.", &v) == SX_ERR);
    CHECK(bill_money_parse("", &v) == SX_ERR);
    CHECK(bill_money_parse("9223372037", &v) == SX_ERR); /* > INT64_MAX nUSD */
    CHECK(bill_money_parse("9223372036", &v) == SX_OK);
}

static void
test_money_fmt(void)
{
    CHECK_STR(usd(482969444444LL, 2), "482.97");
    CHECK_STR(usd(4999999, 2), "0.00");
    CHECK_STR(usd(5000000, 2), "0.01"); /* half up */
    CHECK_STR(usd(1000, 6), "0.000001");
    CHECK_STR(usd(1, 9), "0.000000001");
    CHECK_STR(usd(1500000000, 0), "2");
    CHECK_STR(usd(-5000000, 2), "-0.01"); /* away from zero */
    CHECK_STR(usd(-4000000, 2), "0.00");
    CHECK_STR(usd(INT64_MAX, 2), "9223372036.85");
    CHECK_STR(usd(INT64_MIN, 2), "-9223372036.85");
}

static void
test_muldiv(void)
{
    CHECK_INT(bill_muldiv(3, 1, 2), 2);   /* 1.5 -> 2 */
    CHECK_INT(bill_muldiv(5, 1, 4), 1);   /* 1.25 -> 1 */
    CHECK_INT(bill_muldiv(INT64_MAX, INT64_MAX, INT64_MAX), INT64_MAX);
    CHECK_INT(bill_muldiv(INT64_MAX, 2, 1), -1);
    CHECK_INT(bill_muldiv(1, 1, 0), -1);
}

static void
test_duration(void)
{
    CHECK_INT(bill_duration_billed_ms(0), 100);
    CHECK_INT(bill_duration_billed_ms(-5), 100);
    CHECK_INT(bill_duration_billed_ms(1), 100);
    CHECK_INT(bill_duration_billed_ms(100), 100);
    CHECK_INT(bill_duration_billed_ms(101), 200);
    CHECK_INT(bill_duration_billed_ms(10000), 10000);
    CHECK_INT(bill_duration_billed_ms(299999), 300000);
}

/* AWS's worked example: 50 KB definition, 400 map steps x 32 KB -> 62.85 MB -> 64 MB. */
static void
test_memory_aws_example(void)
{
    int64_t b = bill_memory_estimate_bytes(50000, 32000, 400);
    CHECK_INT(b, 62850000);
    CHECK_INT(bill_memory_billed_mb(b), 64);
    /* the chunk boundary: 64 MB exactly stays 64, one byte more is 128 */
    CHECK_INT(bill_memory_billed_mb(64000000), 64);
    CHECK_INT(bill_memory_billed_mb(64000001), 128);
    CHECK_INT(bill_memory_billed_mb(0), 64);
    CHECK_INT(bill_memory_estimate_bytes(1000, 256000, 0), 50001000);
    /* 450 steps of 32 KB push it over: 50.05 + 14.4 = 64.45 MB -> 128 */
    CHECK_INT(bill_memory_billed_mb(bill_memory_estimate_bytes(50000, 32000, 450)), 128);
    CHECK_INT(bill_memory_estimate_bytes(1, UINT64_MAX, UINT64_MAX), INT64_MAX);
    CHECK_INT(bill_memory_billed_from_mb(1), 64);
    CHECK_INT(bill_memory_billed_from_mb(64), 64);
    CHECK_INT(bill_memory_billed_from_mb(65), 128);
}

static void
test_pricing_default(void)
{
    bill_pricing_t p;
    bill_pricing_default(&p);
    CHECK_INT(p.request_nusd, 1000);
    CHECK_INT(p.tier_gbh[0], 1000);
    CHECK_INT(p.tier_gbh[1], 4000);
    CHECK_INT(p.tier_nusd_gbh[0], 60000000);
    CHECK_INT(p.tier_nusd_gbh[1], 30000000);
    CHECK_INT(p.tier_nusd_gbh[2], 16420000);
    CHECK_INT(p.std_nusd_per_1000, 25000000);
    CHECK_INT(p.std_free_transitions, 4000);
}

/* AWS's example: 100M executions x 10 s x 64 MB = 62,500,000 GB-s = 17,361.11 GB-h ->
 * $60 + $120 + 12,361.11 x $0.01642 = $202.97; duration $382.97 + requests $100 = $482.97. */
static void
test_express_aws_example(void)
{
    bill_pricing_t p;
    bill_express_cost_t c;
    bill_pricing_default(&p);
    int64_t mbms = 100000000LL * 10000 * 64;
    CHECK_INT(mbms / BILL_MBMS_PER_GBS, 62500000);
    CHECK(bill_express_month(&p, 100000000, mbms, &c) == SX_OK);
    CHECK_STR(usd(c.requests_nusd, 2), "100.00");
    CHECK_STR(usd(c.tier_nusd[0], 2), "60.00");
    CHECK_STR(usd(c.tier_nusd[1], 2), "120.00");
    CHECK_STR(usd(c.tier_nusd[2], 2), "202.97");
    CHECK_STR(usd(c.duration_nusd, 2), "382.97");
    CHECK_STR(usd(c.total_nusd, 2), "482.97");
    /* exact: 12,361.111... GB-h x 16,420,000 nUSD = 202,969,444,444.4 -> ...444 */
    CHECK_INT(c.tier_nusd[2], 202969444444LL);
    CHECK_INT(c.total_nusd, 482969444444LL);
    CHECK_INT(c.tier_mbms[0] + c.tier_mbms[1] + c.tier_mbms[2], mbms);
}

static void
test_express_tier_boundaries(void)
{
    bill_pricing_t p;
    bill_express_cost_t c;
    bill_pricing_default(&p);
    int64_t t1 = 1000 * BILL_MBMS_PER_GBH, t2 = 5000 * BILL_MBMS_PER_GBH;
    /* exactly the first tier: all at $0.06 */
    CHECK(bill_express_month(&p, 0, t1, &c) == SX_OK);
    CHECK_INT(c.duration_nusd, 60 * BILL_NUSD_PER_USD);
    CHECK_INT(c.tier_mbms[1], 0);
    /* one GB-hour more: $0.03 for it */
    CHECK(bill_express_month(&p, 0, t1 + BILL_MBMS_PER_GBH, &c) == SX_OK);
    CHECK_INT(c.duration_nusd, 60030000000LL);
    CHECK_INT(c.tier_mbms[1], BILL_MBMS_PER_GBH);
    /* end of tier two: $60 + $120 */
    CHECK(bill_express_month(&p, 0, t2, &c) == SX_OK);
    CHECK_INT(c.duration_nusd, 180 * BILL_NUSD_PER_USD);
    CHECK_INT(c.tier_mbms[2], 0);
    CHECK(bill_express_month(&p, 0, t2 + BILL_MBMS_PER_GBH, &c) == SX_OK);
    CHECK_INT(c.duration_nusd, 180016420000LL);
    /* one MB-ms in tier 3 costs 16,420,000 / 3,686,400,000 nUSD = 0.0045 -> 0 */
    CHECK(bill_express_month(&p, 0, t2 + 1, &c) == SX_OK);
    CHECK_INT(c.tier_mbms[2], 1);
    CHECK_INT(c.tier_nusd[2], 0);
    /* one 64 MB x 100 ms execution: $0.000001 + 6400 MB-ms x $0.06 / GB-h */
    CHECK(bill_express_month(&p, 1, 6400, &c) == SX_OK);
    CHECK_INT(c.requests_nusd, 1000);
    CHECK_INT(c.duration_nusd, 104); /* 104.1666 nUSD */
    CHECK_INT(c.total_nusd, 1104);
    /* overflow is an error, not a wrong number */
    CHECK(bill_express_month(&p, INT64_MAX, 0, &c) == SX_ERR);
    CHECK_INT(c.total_nusd, 0);
}

static void
test_standard(void)
{
    bill_pricing_t p;
    int64_t billable = -1;
    bill_pricing_default(&p);
    CHECK_INT(bill_standard_month(&p, 4000, &billable), 0);
    CHECK_INT(billable, 0);
    CHECK_INT(bill_standard_month(&p, 4001, &billable), 25000);
    CHECK_INT(billable, 1);
    CHECK_INT(bill_standard_month(&p, 1004000, NULL), 25 * BILL_NUSD_PER_USD);
    CHECK_INT(bill_standard_month(&p, 0, NULL), 0);
}

static void
test_pricing_conf(void)
{
    bill_pricing_t p;
    cfg_err_t err;
    const char *text = "# eu\nexpress_tier1_price 0.0625\nstandard_free_transitions 0\n"
                       "express_request_price \"0.0000011\"\n";
    CHECK(bill_pricing_load_text(&p, "t.conf", text, &err) == SX_OK);
    CHECK_INT(p.tier_nusd_gbh[0], 62500000);
    CHECK_INT(p.tier_nusd_gbh[1], 30000000); /* default kept */
    CHECK_INT(p.std_free_transitions, 0);
    CHECK_INT(p.request_nusd, 1100);
    CHECK(bill_pricing_load_text(&p, "t.conf", "express_tier3_price 1e-3\n", &err) == SX_ERR);
    CHECK(strstr(err.msg, "t.conf:1") != NULL);
    CHECK(bill_pricing_load_text(&p, "t.conf", "express_tier9_price 1\n", &err) == SX_ERR);
    CHECK(bill_pricing_load_text(&p, "t.conf", "express_tier1_gbh -1\n", &err) == SX_ERR);
    /* the shipped conf/pricing.conf is the built-in default, every line */
    bill_pricing_t d, f;
    bill_pricing_default(&d);
    CHECK(bill_pricing_load(&f, "conf/pricing.conf", &err) == SX_OK);
    CHECK(memcmp(&d, &f, sizeof(d)) == 0);
}

static const sx_test_t tests[] = {
    {"money_parse", test_money_parse},
    {"money_fmt", test_money_fmt},
    {"muldiv", test_muldiv},
    {"duration", test_duration},
    {"memory_aws_example", test_memory_aws_example},
    {"pricing_default", test_pricing_default},
    {"express_aws_example", test_express_aws_example},
    {"express_tier_boundaries", test_express_tier_boundaries},
    {"standard", test_standard},
    {"pricing_conf", test_pricing_conf},
    {NULL, NULL},
};

int
main(int argc, char **argv)
{
    return sx_test_main("bill_price", tests, argc, argv);
}
