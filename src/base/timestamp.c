/*
 * timestamp.c: parse and compare ASL (RFC3339-profile) timestamps.
 *
 * Design: one left-to-right scan over fixed-width fields; no allocation, no locale, no libc
 * time functions (timegm depends on TZ handling and is not reentrant everywhere). The date is
 * turned into a day number with Howard Hinnant's days_from_civil, so every year 0000..9999
 * maps exactly. The grammar and its sources are documented in include/stepx/timestamp.h.
 */
#include "stepx/timestamp.h"

#include "stepx/sx.h"

#define TS_MAX_OFFSET_S (18 * 3600) /* java.time ZoneOffset range */

/* Reads exactly `width` ASCII digits at s[*i]; advances *i. Returns -1 if one is not a digit
 * or the text ends. */
static int
read_digits(const char *s, size_t n, size_t *i, int width)
{
    int v = 0;

    if (n - *i < (size_t)width)
        return -1;
    for (int k = 0; k < width; k++) {
        unsigned char c = (unsigned char)s[*i + (size_t)k];
        if (c < '0' || c > '9')
            return -1;
        v = v * 10 + (c - '0');
    }
    *i += (size_t)width;
    return v;
}

static bool
expect_char(const char *s, size_t n, size_t *i, char c)
{
    if (*i >= n || s[*i] != c)
        return false;
    (*i)++;
    return true;
}

static bool
is_leap(int y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int
days_in_month(int y, int m)
{
    static const int dim[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return m == 2 && is_leap(y) ? 29 : dim[m - 1];
}

/* Days since 1970-01-01 of the proleptic Gregorian date y-m-d (Hinnant's days_from_civil). */
static int64_t
days_from_civil(int64_t y, int m, int d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;                                  /* [0, 399] */
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1; /* [0, 365] */
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;          /* [0, 146096] */
    return era * 146097 + doe - 719468;
}

/* Parses YYYY-MM-DD into days since the epoch. */
static int
parse_date(const char *s, size_t n, size_t *i, int64_t *days)
{
    int y = read_digits(s, n, i, 4);
    if (y < 0 || !expect_char(s, n, i, '-'))
        return SX_ERR;
    int m = read_digits(s, n, i, 2);
    if (m < 1 || m > 12 || !expect_char(s, n, i, '-'))
        return SX_ERR;
    int d = read_digits(s, n, i, 2);
    if (d < 1 || d > days_in_month(y, m))
        return SX_ERR;
    *days = days_from_civil(y, m, d);
    return SX_OK;
}

/* Parses hh:mm:ss[.f{1,9}] into seconds of the day and nanoseconds. */
static int
parse_time(const char *s, size_t n, size_t *i, int32_t *secs, int32_t *nsec)
{
    int hh = read_digits(s, n, i, 2);
    if (hh < 0 || hh > 23 || !expect_char(s, n, i, ':'))
        return SX_ERR;
    int mm = read_digits(s, n, i, 2);
    if (mm < 0 || mm > 59 || !expect_char(s, n, i, ':'))
        return SX_ERR;
    int ss = read_digits(s, n, i, 2);
    if (ss < 0 || ss > 59)
        return SX_ERR;
    *secs = hh * 3600 + mm * 60 + ss;
    *nsec = 0;
    if (*i < n && s[*i] == '.') {
        int digits = 0;
        int32_t f = 0;
        (*i)++;
        while (*i < n && s[*i] >= '0' && s[*i] <= '9') {
            if (++digits > 9)
                return SX_ERR;
            f = f * 10 + (s[*i] - '0');
            (*i)++;
        }
        if (digits == 0)
            return SX_ERR;
        for (int k = digits; k < 9; k++)
            f *= 10;
        *nsec = f;
    }
    return SX_OK;
}

/* Parses Z or +-hh:mm into the offset east of UTC in seconds. */
static int
parse_zone(const char *s, size_t n, size_t *i, int32_t *off)
{
    if (*i >= n)
        return SX_ERR;
    char c = s[*i];
    if (c == 'Z') {
        (*i)++;
        *off = 0;
        return SX_OK;
    }
    if (c != '+' && c != '-')
        return SX_ERR;
    (*i)++;
    int hh = read_digits(s, n, i, 2);
    if (hh < 0 || !expect_char(s, n, i, ':'))
        return SX_ERR;
    int mm = read_digits(s, n, i, 2);
    if (mm < 0 || mm > 59)
        return SX_ERR;
    int32_t v = hh * 3600 + mm * 60;
    if (v > TS_MAX_OFFSET_S)
        return SX_ERR;
    *off = c == '-' ? -v : v;
    return SX_OK;
}

int
sx_ts_parse(const char *s, size_t n, sx_ts_t *out)
{
    size_t i = 0;
    int64_t days;
    int32_t secs, nsec, off;

    if (s == NULL)
        return SX_ERR;
    if (parse_date(s, n, &i, &days) != SX_OK || !expect_char(s, n, &i, 'T'))
        return SX_ERR;
    if (parse_time(s, n, &i, &secs, &nsec) != SX_OK)
        return SX_ERR;
    if (parse_zone(s, n, &i, &off) != SX_OK || i != n)
        return SX_ERR;
    if (out != NULL) {
        out->sec = days * 86400 + secs - off;
        out->nsec = nsec;
    }
    return SX_OK;
}

bool
sx_ts_valid(const char *s, size_t n)
{
    return sx_ts_parse(s, n, NULL) == SX_OK;
}

int
sx_ts_cmp(const sx_ts_t *a, const sx_ts_t *b)
{
    if (a->sec != b->sec)
        return a->sec < b->sec ? -1 : 1;
    if (a->nsec != b->nsec)
        return a->nsec < b->nsec ? -1 : 1;
    return 0;
}

int64_t
sx_ts_epoch_ms(const sx_ts_t *t)
{
    return t->sec * 1000 + t->nsec / 1000000;
}

int
sx_ts_epoch_ns(const sx_ts_t *t, int64_t *ns)
{
    const int64_t max_sec = INT64_MAX / 1000000000;

    /* sec in [-max_sec, max_sec - 1] keeps sec * 1e9 + nsec inside int64 */
    if (t->sec >= max_sec || t->sec < -max_sec)
        return SX_ERR;
    *ns = t->sec * 1000000000 + t->nsec;
    return SX_OK;
}
