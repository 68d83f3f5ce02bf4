/*
 * jna_lib_jsnum.c: JavaScript number-to-text rules the function library needs beyond
 * Number.prototype.toString (which is val_num_fmt).
 *
 * ECMAScript's toPrecision and toFixed round the *exact* binary value, ties away from zero
 * (toFixed: "the larger n"). glibc's printf is exact too but rounds ties to even, so we ask
 * printf for many more digits than needed and round those ourselves. Printing 40 extra
 * digits is exact enough unless the digits after the cut are "5000...": then the value may
 * be an exact tie or just above/below one, and we print the full exact expansion (a double
 * has at most 767 significant decimal digits, 1074 after the point) to decide.
 *
 * jsonata's $round shifts the decimal point on the shortest decimal text (so 1.005 rounds as
 * the decimal 1.005, not as its binary value), rounds half to even, and shifts back.
 */
#include <math.h>
#include <stdlib.h>

#include "jna_lib_int.h"

#define EXTRA_DIGITS 40
#define EXACT_BUF 1200

bool
jna_num_is_int(double d)
{
    return isfinite(d) && floor(d) == d;
}

/* Rounds the digit string d[0..len) at position `keep` half away from zero, based on the
 * digits after it. Returns 1 when the carry ran out of the front (all nines). */
static int
digits_round(char *d, int keep)
{
    if (d[keep] < '5')
        return 0;
    for (int i = keep - 1; i >= 0; i--) {
        if (d[i] != '9') {
            d[i]++;
            return 0;
        }
        d[i] = '0';
    }
    return 1;
}

/* True when the digits from `from` are '5' followed only by zeros (a possible tie). */
static bool
tail_is_half(const char *d, int from)
{
    if (d[from] != '5')
        return false;
    for (const char *p = d + from + 1; *p != '\0'; p++)
        if (*p != '0')
            return false;
    return true;
}

/* Collects the significand digits of a "%.Ne" text into out (no point), returns the
 * exponent. */
static int
sci_split(const char *txt, char *out)
{
    int k = 0;
    const char *p = txt;

    for (; *p != 'e'; p++)
        if (*p != '.')
            out[k++] = *p;
    out[k] = '\0';
    return atoi(p + 1);
}

void
jna_num_digits_prec(double d, int ndig, char *digits, int *exp10)
{
    char txt[EXACT_BUF], all[EXACT_BUF];
    int e;

    d = fabs(d);
    snprintf(txt, sizeof(txt), "%.*e", ndig - 1 + EXTRA_DIGITS, d);
    e = sci_split(txt, all);
    if (tail_is_half(all, ndig)) {
        snprintf(txt, sizeof(txt), "%.*e", 800, d);
        e = sci_split(txt, all);
    }
    if (digits_round(all, ndig)) {
        all[0] = '1';
        for (int i = 1; i < ndig; i++)
            all[i] = '0';
        e++;
    }
    memcpy(digits, all, (size_t)ndig);
    digits[ndig] = '\0';
    *exp10 = e;
}

double
jna_num_prec15(double d)
{
    char digits[20], txt[48];
    int e;

    if (d == 0 || !isfinite(d))
        return d;
    jna_num_digits_prec(d, 15, digits, &e);
    snprintf(txt, sizeof(txt), "%s%c.%se%d", d < 0 ? "-" : "", digits[0], digits + 1, e);
    return strtod(txt, NULL);
}

double
jna_num_str_round(double d, bool aws)
{
    return aws || !jna_num_is_int(d) ? jna_num_prec15(d) : d;
}

void
jna_num_fixed(sx_sbuf_t *b, double d, int frac)
{
    char txt[EXACT_BUF + 400];
    char *point;
    int ipart, keep;
    size_t len;

    if (d < 0) {
        sx_sbuf_addc(b, '-');
        d = -d;
    }
    snprintf(txt, sizeof(txt), "%.*f", frac + EXTRA_DIGITS, d);
    point = strchr(txt, '.');
    ipart = (int)(point - txt);
    memmove(point, point + 1, strlen(point)); /* digits only now */
    keep = ipart + frac;
    if (tail_is_half(txt, keep)) {
        snprintf(txt, sizeof(txt), "%.*f", 1100, d);
        point = strchr(txt, '.');
        memmove(point, point + 1, strlen(point));
    }
    if (digits_round(txt, keep)) {
        sx_sbuf_addc(b, '1');
    }
    txt[keep] = '\0';
    len = (size_t)ipart;
    sx_sbuf_add(b, txt, len);
    if (frac > 0) {
        sx_sbuf_addc(b, '.');
        sx_sbuf_add(b, txt + ipart, (size_t)frac);
    }
}

/* Parses a whole string as JS Number() would for the texts $round builds (a JS number
 * text with an appended exponent); anything else is NaN. */
static double
parse_whole(const char *s)
{
    char *end;
    double v = strtod(s, &end);

    if (end == s || *end != '\0')
        return NAN;
    return v;
}

/* Returns JS Number(String(x) with its decimal exponent increased by `shift`). */
static double
shift_decimal(double x, double shift)
{
    char num[VAL_NUM_BUF], txt[VAL_NUM_BUF + 48], sh[VAL_NUM_BUF];
    char *e;
    double exp = shift;

    val_num_fmt(x, num);
    e = strchr(num, 'e');
    if (e != NULL) {
        *e = '\0';
        exp = atof(e + 1) + shift;
    }
    val_num_fmt(exp, sh);
    snprintf(txt, sizeof(txt), "%se%s", num, sh);
    return parse_whole(txt);
}

double
jna_num_round(double x, double precision)
{
    bool shifted = precision != 0 && !isnan(precision);
    double r, diff;

    if (shifted)
        x = shift_decimal(x, precision);
    if (!isfinite(x)) {
        r = x;
    } else {
        r = floor(x);
        if (x - r >= 0.5)
            r += 1;
    }
    diff = r - x;
    if (fabs(diff) == 0.5 && fabs(fmod(r, 2)) == 1)
        r -= 1;
    if (shifted)
        r = shift_decimal(r, -precision);
    if (r == 0)
        r = 0; /* -0 -> 0 */
    return r;
}
