/*
 * jna_lib_numeric.c: $number $abs $floor $ceil $round $power $sqrt $random $formatBase and
 * the aggregates $sum $max $min $average.
 *
 * Semantics follow jsonata-js functions.js: no coercion beyond $number's, undefined in gives
 * undefined out, errors D3030/D3060/D3061/D3100 with the reference's messages. $number
 * accepts JSON-style decimal text, and (through a quirky, half-anchored regex upstream)
 * 0x/0o/0b literals: a string that matches only that regex but is not a whole literal
 * converts to NaN instead of failing.
 */
#include <ctype.h>
#include <math.h>
#include <stdlib.h>

#include "jna_lib_int.h"

static int
num_out(jna_fctx_t *c, double d, const val_t **out)
{
    *out = val_num(c->arena, d);
    return SX_OK;
}

/* ^-?[0-9]+(\.[0-9]+)?([Ee][-+]?[0-9]+)?$ */
static bool
is_decimal_text(const char *s, size_t n)
{
    size_t i = 0, k;

    if (i < n && s[i] == '-')
        i++;
    for (k = i; i < n && isdigit((unsigned char)s[i]); i++)
        ;
    if (i == k)
        return false;
    if (i < n && s[i] == '.') {
        for (k = ++i; i < n && isdigit((unsigned char)s[i]); i++)
            ;
        if (i == k)
            return false;
    }
    if (i < n && (s[i] == 'e' || s[i] == 'E')) {
        i++;
        if (i < n && (s[i] == '+' || s[i] == '-'))
            i++;
        for (k = i; i < n && isdigit((unsigned char)s[i]); i++)
            ;
        if (i == k)
            return false;
    }
    return i == n;
}

static int
radix_of(char p)
{
    switch (p) {
    case 'x':
    case 'X':
        return 16;
    case 'o':
    case 'O':
        return 8;
    case 'b':
    case 'B':
        return 2;
    default:
        return 0;
    }
}

static int
digit_val(char ch)
{
    if (ch >= '0' && ch <= '9')
        return ch - '0';
    if (ch >= 'a' && ch <= 'z')
        return ch - 'a' + 10;
    if (ch >= 'A' && ch <= 'Z')
        return ch - 'A' + 10;
    return 99;
}

/* Length of a run of radix digits at s. */
static size_t
radix_run(const char *s, size_t n, int radix)
{
    size_t i = 0;

    while (i < n && digit_val(s[i]) < radix)
        i++;
    return i;
}

/* /^(0[xX][0-9A-Fa-f]+)|(0[oO][0-7]+)|(0[bB][0-1]+)$/.test(s): the first alternative is
 * anchored at the start only, the second nowhere, the third at the end only. */
static bool
radix_regex_test(const char *s, size_t n)
{
    if (n > 2 && s[0] == '0' && radix_of(s[1]) == 16 && radix_run(s + 2, n - 2, 16) > 0)
        return true;
    for (size_t i = 0; i + 2 < n; i++) {
        if (s[i] != '0')
            continue;
        int r = radix_of(s[i + 1]);
        size_t run = r == 8 || r == 2 ? radix_run(s + i + 2, n - i - 2, r) : 0;
        if (r == 8 && run > 0)
            return true;
        if (r == 2 && run > 0 && i + 2 + run == n)
            return true;
    }
    return false;
}

static bool
js_space(unsigned char ch)
{
    return ch == ' ' || (ch >= '\t' && ch <= '\r');
}

/* JS Number(s) for a string known to pass radix_regex_test: whitespace trimmed, then a
 * whole 0x/0o/0b literal, else NaN. Values beyond 2^53 round correctly via hex strtod. */
static double
radix_number(const char *s, size_t n)
{
    sx_sbuf_t hex = SX_SBUF_INIT;
    size_t run;
    int radix, bits, acc = 0, nacc = 0;
    double v;

    while (n > 0 && js_space((unsigned char)s[0]))
        s++, n--;
    while (n > 0 && js_space((unsigned char)s[n - 1]))
        n--;
    if (n < 3 || s[0] != '0' || (radix = radix_of(s[1])) == 0)
        return NAN;
    run = radix_run(s + 2, n - 2, radix);
    if (run == 0 || run != n - 2)
        return NAN;
    bits = radix == 16 ? 4 : radix == 8 ? 3 : 1;
    /* rebuild the value as hex digits, most significant first */
    size_t total = run * (size_t)bits, lead = total % 4 ? 4 - total % 4 : 0;
    sx_sbuf_adds(&hex, "0x");
    nacc = (int)lead;
    for (size_t i = 0; i < run; i++) {
        int d = digit_val(s[2 + i]);
        for (int k = bits - 1; k >= 0; k--) {
            acc = (acc << 1) | ((d >> k) & 1);
            if (++nacc == 4) {
                sx_sbuf_addc(&hex, "0123456789abcdef"[acc]);
                acc = nacc = 0;
            }
        }
    }
    v = strtod(hex.p, NULL);
    sx_sbuf_fini(&hex);
    return v;
}

JNA_BI(number)
{
    const val_t *v = argv[0];

    SX_UNUSED(argc);
    if (v == NULL) {
        *out = NULL;
        return SX_OK;
    }
    if (val_is(v, VAL_NUM)) {
        *out = v;
        return SX_OK;
    }
    if (val_is(v, VAL_BOOL))
        return num_out(c, val_bool_get(v) ? 1 : 0, out);
    if (val_is(v, VAL_STR)) {
        const char *s = val_str_get(v);
        size_t n = val_len(v);
        if (is_decimal_text(s, n)) {
            double d = strtod(s, NULL);
            if (isfinite(d))
                return num_out(c, d, out);
        } else if (radix_regex_test(s, n)) {
            return num_out(c, radix_number(s, n), out);
        }
    }
    return jna_fctx_fail(c, "D3030", v, "Unable to cast value to a number: %s",
                         jna_json_text(c, v));
}

JNA_BI(abs)
{
    SX_UNUSED(argc);
    if (argv[0] == NULL) {
        *out = NULL;
        return SX_OK;
    }
    return num_out(c, fabs(val_num_get(argv[0])), out);
}

JNA_BI(floor)
{
    SX_UNUSED(argc);
    if (argv[0] == NULL) {
        *out = NULL;
        return SX_OK;
    }
    return num_out(c, floor(val_num_get(argv[0])), out);
}

JNA_BI(ceil)
{
    SX_UNUSED(argc);
    if (argv[0] == NULL) {
        *out = NULL;
        return SX_OK;
    }
    return num_out(c, ceil(val_num_get(argv[0])), out);
}

JNA_BI(round)
{
    const val_t *p = argc > 1 ? argv[1] : NULL;

    if (argv[0] == NULL) {
        *out = NULL;
        return SX_OK;
    }
    return num_out(c, jna_num_round(val_num_get(argv[0]), p ? val_num_get(p) : 0), out);
}

JNA_BI(power)
{
    double b, e, r;

    if (argv[0] == NULL) {
        *out = NULL;
        return SX_OK;
    }
    b = val_num_get(argv[0]);
    e = argc > 1 && argv[1] ? val_num_get(argv[1]) : NAN;
    r = jna_js_pow(b, e); /* V8's fdlibm pow; (+-1)**(+-Infinity) is NaN */
    if (!isfinite(r))
        return jna_fctx_fail(c, "D3061", argv[0],
                             "The power function has resulted in a value that cannot be "
                             "represented as a JSON number: base=%s, exponent=%s",
                             jna_json_text(c, argv[0]), jna_json_text(c, argc > 1 ? argv[1] : NULL));
    return num_out(c, r, out);
}

JNA_BI(sqrt)
{
    double d;

    SX_UNUSED(argc);
    if (argv[0] == NULL) {
        *out = NULL;
        return SX_OK;
    }
    d = val_num_get(argv[0]);
    if (d < 0)
        return jna_fctx_fail(c, "D3060", argv[0],
                             "The sqrt function cannot be applied to a negative number: %s",
                             jna_json_text(c, argv[0]));
    return num_out(c, sqrt(d), out);
}

JNA_BI(random)
{
    uint64_t r;

    SX_UNUSED(argv), SX_UNUSED(argc);
    sx_random_bytes(&r, sizeof(r));
    return num_out(c, (double)(r >> 11) * 0x1p-53, out);
}

/* Integer digits of an integral double in `radix` (2..36), as V8's DoubleToRadixCString:
 * digits below the double's precision come out as '0', the rest exactly via fmod. */
static void
radix_digits(sx_sbuf_t *b, double v, int radix)
{
    char tmp[1100];
    size_t k = sizeof(tmp);
    int e;

    if (v < 0) {
        sx_sbuf_addc(b, '-');
        v = -v;
    }
    for (;;) { /* while Double(v / radix).Exponent() > 0, i.e. v / radix >= 2^53 */
        double q = v / radix;
        frexp(q, &e);
        if (e - 53 <= 0 || k == 1)
            break;
        v = q;
        tmp[--k] = '0';
    }
    do {
        double r = fmod(v, radix);
        tmp[--k] = "0123456789abcdefghijklmnopqrstuvwxyz"[(int)r];
        v = (v - r) / radix;
    } while (v > 0 && k > 0);
    sx_sbuf_add(b, tmp + k, sizeof(tmp) - k);
}

JNA_BI(format_base)
{
    sx_sbuf_t b = SX_SBUF_INIT;
    double v, radix = 10;
    char buf[VAL_NUM_BUF];

    if (argv[0] == NULL) {
        *out = NULL;
        return SX_OK;
    }
    v = jna_num_round(val_num_get(argv[0]), 0);
    if (argc > 1 && argv[1] != NULL)
        radix = jna_num_round(val_num_get(argv[1]), 0);
    if (!(radix >= 2 && radix <= 36)) {
        const val_t *rv = val_num(c->arena, radix);
        return jna_fctx_fail(c, "D3100", rv,
                             "The radix of the formatBase function must be between 2 and 36.  "
                             "It was given %s",
                             jna_json_text(c, rv));
    }
    if (radix == 10 || !isfinite(v)) {
        val_num_fmt(v, buf);
        *out = val_strz(c->arena, buf);
        return SX_OK;
    }
    radix_digits(&b, v, (int)radix);
    *out = jna_sbuf_val(c->arena, &b);
    sx_sbuf_fini(&b);
    return SX_OK;
}

/* ---- aggregation: the evaluator guarantees an array of numbers (a<n>) ---- */

static int
agg_check(jna_fctx_t *c, const val_t *a, const char *fname)
{
    for (size_t i = 0; i < val_len(a); i++)
        if (!val_is(val_arr_at(a, i), VAL_NUM))
            return jna_fctx_fail(c, "T0412", val_arr_at(a, i),
                                 "Argument 1 of function %s must be an array of numbers", fname);
    return SX_OK;
}

JNA_BI(sum)
{
    double t = 0;

    SX_UNUSED(argc);
    if (argv[0] == NULL) {
        *out = NULL;
        return SX_OK;
    }
    if (agg_check(c, argv[0], "sum") != SX_OK)
        return SX_ERR;
    for (size_t i = 0; i < val_len(argv[0]); i++)
        t += val_num_get(val_arr_at(argv[0], i));
    return num_out(c, t, out);
}

static int
extreme(jna_fctx_t *c, const val_t *a, bool want_max, const char *fname, const val_t **out)
{
    double m;

    if (a == NULL || val_len(a) == 0) {
        *out = NULL;
        return SX_OK;
    }
    if (agg_check(c, a, fname) != SX_OK)
        return SX_ERR;
    m = val_num_get(val_arr_at(a, 0));
    for (size_t i = 1; i < val_len(a); i++) {
        double d = val_num_get(val_arr_at(a, i));
        if (isnan(d) || isnan(m))
            m = NAN;
        else if (want_max ? d > m : d < m)
            m = d;
    }
    return num_out(c, m, out);
}

JNA_BI(max)
{
    SX_UNUSED(argc);
    return extreme(c, argv[0], true, "max", out);
}

JNA_BI(min)
{
    SX_UNUSED(argc);
    return extreme(c, argv[0], false, "min", out);
}

JNA_BI(average)
{
    double t = 0;

    SX_UNUSED(argc);
    if (argv[0] == NULL || val_len(argv[0]) == 0) {
        *out = NULL;
        return SX_OK;
    }
    if (agg_check(c, argv[0], "average") != SX_OK)
        return SX_ERR;
    for (size_t i = 0; i < val_len(argv[0]); i++)
        t += val_num_get(val_arr_at(argv[0], i));
    return num_out(c, t / (double)val_len(argv[0]), out);
}
