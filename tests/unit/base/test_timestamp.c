/*
 * test_timestamp.c: the ASL timestamp profile (src/base/timestamp.c).
 *
 * Accept/reject lists come from the recorded AWS cases (Wait TimestampPath / JSONata
 * Timestamp failures, Choice Timestamp* operators) and the grammar in timestamp.h.
 */
#include <stdint.h>
#include <string.h>

#include "stepx/sx.h"
#include "stepx/timestamp.h"
#include "../sx_test.h"

static int
parse(const char *s, sx_ts_t *t)
{
    return sx_ts_parse(s, strlen(s), t);
}

static void
test_accepts(void)
{
    static const char *ok[] = {
        "2012-10-09T19:00:55Z",      "2016-03-14T01:59:00Z",      "2012-10-09T19:00:55+01:00",
        "2012-10-09T19:00:55-05:30", "2012-10-09T19:00:55.1Z",    "2012-10-09T19:00:55.123456789Z",
        "2000-02-29T00:00:00Z",      "0000-01-01T00:00:00Z",      "9999-12-31T23:59:59.999999999Z",
        "2012-10-09T19:00:55+18:00", "2012-10-09T19:00:55-00:00", "2024-12-31T23:59:59.5+14:00",
    };
    for (size_t i = 0; i < SX_ARRAY_LEN(ok); i++) {
        if (!sx_ts_valid(ok[i], strlen(ok[i])))
            fprintf(stderr, "  should accept: %s\n", ok[i]);
        CHECK(sx_ts_valid(ok[i], strlen(ok[i])));
    }
}

static void
test_rejects(void)
{
    static const char *bad[] = {
        /* recorded AWS rejections */
        "2016-13-05T21:29:29Z",
        "05-12-2016T21:29:29Z",
        "2016-12-05T25:29:29Z",
        "2016-12-05T21:29:29",
        "2023-02-24 12:15:56.832957",
        "2023-02-24",
        "2012-10-09T19:00:55",
        /* profile */
        "",
        " ",
        "HelloWorld",
        "2012-10-09t19:00:55Z",
        "2012-10-09T19:00:55z",
        "2012-10-09 19:00:55Z",
        "2012-10-09T19:00Z",
        "2012-10-09T19:00:60Z",
        "2012-10-09T24:00:00Z",
        "2012-10-09T19:60:00Z",
        "2012-00-09T19:00:55Z",
        "2012-10-00T19:00:55Z",
        "2012-10-32T19:00:55Z",
        "2001-02-29T00:00:00Z",
        "1900-02-29T00:00:00Z",
        "2012-04-31T00:00:00Z",
        "2012-10-09T19:00:55.Z",
        "2012-10-09T19:00:55.1234567890Z",
        "2012-10-09T19:00:55+0100",
        "2012-10-09T19:00:55+01",
        "2012-10-09T19:00:55+19:00",
        "2012-10-09T19:00:55+01:60",
        "2012-10-09T19:00:55Z ",
        " 2012-10-09T19:00:55Z",
        "12012-10-09T19:00:55Z",
        "2012-1-09T19:00:55Z",
        "2012-10-09T19:00:55ZZ",
        "+2012-10-09T19:00:55Z",
        "2012-10-09T19:00:55,5Z",
        "２012-10-09T19:00:55Z",
    };
    for (size_t i = 0; i < SX_ARRAY_LEN(bad); i++) {
        if (sx_ts_valid(bad[i], strlen(bad[i])))
            fprintf(stderr, "  should reject: '%s'\n", bad[i]);
        CHECK(!sx_ts_valid(bad[i], strlen(bad[i])));
    }
    /* not NUL-terminated: the length bounds the parse */
    CHECK(!sx_ts_valid("2012-10-09T19:00:55Z", 19));
    CHECK(sx_ts_valid("2012-10-09T19:00:55Zjunk", 20));
    CHECK(sx_ts_parse(NULL, 0, NULL) == SX_ERR);
}

static void
test_values(void)
{
    sx_ts_t t;

    CHECK_INT(parse("1970-01-01T00:00:00Z", &t), SX_OK);
    CHECK_INT(t.sec, 0);
    CHECK_INT(t.nsec, 0);
    CHECK_INT(parse("2012-10-09T19:00:55Z", &t), SX_OK);
    CHECK_INT(t.sec, 1349809255);
    CHECK_INT(parse("2012-10-09T20:00:55+01:00", &t), SX_OK);
    CHECK_INT(t.sec, 1349809255);
    CHECK_INT(parse("2012-10-09T13:30:55-05:30", &t), SX_OK);
    CHECK_INT(t.sec, 1349809255);
    CHECK_INT(parse("1969-12-31T23:59:59.5Z", &t), SX_OK);
    CHECK_INT(t.sec, -1);
    CHECK_INT(t.nsec, 500000000);
    CHECK_INT(sx_ts_epoch_ms(&t), -500);
    CHECK_INT(parse("2016-03-14T01:59:00.123456789Z", &t), SX_OK);
    CHECK_INT(t.sec, 1457920740);
    CHECK_INT(t.nsec, 123456789);
    CHECK_INT(sx_ts_epoch_ms(&t), 1457920740123LL);
    CHECK_INT(parse("2000-02-29T12:00:00Z", &t), SX_OK);
    CHECK_INT(t.sec, 951825600);
    CHECK_INT(parse("0000-01-01T00:00:00Z", &t), SX_OK);
    CHECK_INT(t.sec, -62167219200LL);
    CHECK_INT(parse("9999-12-31T23:59:59Z", &t), SX_OK);
    CHECK_INT(t.sec, 253402300799LL);
    /* a failed parse leaves *out alone */
    t.sec = 42;
    CHECK_INT(parse("2016-13-05T21:29:29Z", &t), SX_ERR);
    CHECK_INT(t.sec, 42);
}

static void
test_cmp_and_ns(void)
{
    sx_ts_t a, b;
    int64_t ns = 0;

    CHECK_INT(parse("2012-10-09T19:00:55Z", &a), SX_OK);
    CHECK_INT(parse("2012-10-09T19:00:56Z", &b), SX_OK);
    CHECK(sx_ts_cmp(&a, &b) < 0);
    CHECK(sx_ts_cmp(&b, &a) > 0);
    CHECK_INT(parse("2012-10-09T19:00:55.000000001Z", &b), SX_OK);
    CHECK(sx_ts_cmp(&a, &b) < 0);
    CHECK_INT(parse("2012-10-09T21:00:55.0+02:00", &b), SX_OK);
    CHECK_INT(sx_ts_cmp(&a, &b), 0);

    CHECK_INT(sx_ts_epoch_ns(&a, &ns), SX_OK);
    CHECK_INT(ns, 1349809255000000000LL);
    CHECK_INT(parse("1677-09-21T00:12:44Z", &b), SX_OK);
    CHECK_INT(sx_ts_epoch_ns(&b, &ns), SX_OK);
    CHECK_INT(ns, -9223372036000000000LL);
    CHECK_INT(parse("1677-09-21T00:12:43Z", &b), SX_OK);
    CHECK_INT(sx_ts_epoch_ns(&b, &ns), SX_ERR);
    CHECK_INT(parse("2262-04-11T23:47:15Z", &b), SX_OK);
    CHECK_INT(sx_ts_epoch_ns(&b, &ns), SX_OK);
    CHECK_INT(parse("2262-04-11T23:47:16Z", &b), SX_OK);
    CHECK_INT(sx_ts_epoch_ns(&b, &ns), SX_ERR);
    CHECK_INT(parse("9999-12-31T23:59:59Z", &b), SX_OK);
    CHECK_INT(sx_ts_epoch_ns(&b, &ns), SX_ERR);
}

/* Every day of 1900..2100 against a running day counter: days_from_civil has no gaps. */
static void
test_calendar_walk(void)
{
    char buf[32];
    int64_t expect = -25567; /* 1900-01-01 */
    static const int dim[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int bad = 0;

    for (int y = 1900; y <= 2100; y++) {
        for (int m = 1; m <= 12; m++) {
            int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
            int last = dim[m - 1] + (m == 2 && leap);
            for (int d = 1; d <= last + 1; d++) {
                sx_ts_t t;
                snprintf(buf, sizeof buf, "%04d-%02d-%02dT00:00:00Z", y, m, d);
                int rc = sx_ts_parse(buf, strlen(buf), &t);
                if (d == last + 1) {
                    bad += rc != SX_ERR;
                    continue;
                }
                bad += rc != SX_OK || t.sec != expect * 86400;
                expect++;
            }
        }
    }
    CHECK_INT(bad, 0);
}

static const sx_test_t tests[] = {
    {"accepts", test_accepts},
    {"rejects", test_rejects},
    {"values", test_values},
    {"cmp_and_ns", test_cmp_and_ns},
    {"calendar_walk", test_calendar_walk},
    {NULL, NULL},
};

int
main(int argc, char **argv)
{
    return sx_test_main("timestamp", tests, argc, argv);
}
