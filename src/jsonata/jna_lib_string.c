/*
 * jna_lib_string.c: $string $length $substring $substringBefore $substringAfter $uppercase
 * $lowercase $trim $pad $join.
 *
 * jsonata counts code points ($length, $substring, $pad), so these walk UTF-8 by code
 * point. Case mapping is full Unicode and locale-independent as JS toUpperCase: the simple
 * mappings come from glibc's C.UTF-8 tables (towupper_l on a locale created once), the
 * unconditional multi-character mappings of SpecialCasing.txt (ß -> SS, ligatures, Greek
 * with ypogegrammeni, ...) from a small table here, and lower case handles the final sigma.
 */

#include <locale.h>
#include <math.h>
#include <pthread.h>
#include <wctype.h>

#include "jna_lib_int.h"

static int
str_out(jna_fctx_t *c, sx_sbuf_t *b, const val_t **out)
{
    *out = jna_sbuf_val(c->arena, b);
    sx_sbuf_fini(b);
    return SX_OK;
}

JNA_BI(string)
{
    const val_t *v = argv[0];
    bool pretty = argc > 1 && val_is(argv[1], VAL_BOOL) && val_bool_get(argv[1]);
    sx_sbuf_t b = SX_SBUF_INIT;

    if (v == NULL) {
        *out = NULL;
        return SX_OK;
    }
    if (val_is(v, VAL_ARR) && (v->flags & VAL_F_OUTER) && val_len(v) > 0)
        v = val_arr_at(v, 0);
    if (val_is(v, VAL_STR)) {
        *out = v;
        return SX_OK;
    }
    if (val_is(v, VAL_FUNC)) {
        *out = val_str(c->arena, "", 0);
        return SX_OK;
    }
    if (val_is(v, VAL_NUM) && !isfinite(val_num_get(v)))
        return jna_fctx_fail(c, "D3001", v,
                             "Attempting to invoke string function on Infinity or NaN");
    if (jna_json_stringify(c, &b, v, pretty ? 2 : 0) != SX_OK) {
        sx_sbuf_fini(&b);
        return SX_ERR;
    }
    return str_out(c, &b, out);
}

JNA_BI(length)
{
    SX_UNUSED(argc);
    if (argv[0] == NULL) {
        *out = NULL;
        return SX_OK;
    }
    *out = val_num(c->arena, (double)jna_u8_count(val_str_get(argv[0]), val_len(argv[0])));
    return SX_OK;
}

/* ECMAScript ToIntegerOrInfinity, then slice's clamping to [0, len]. */
static size_t
slice_index(double d, size_t len)
{
    if (isnan(d))
        d = 0;
    d = trunc(d);
    if (d < 0) {
        d += (double)len;
        return d < 0 ? 0 : (size_t)d;
    }
    return d > (double)len ? len : (size_t)d;
}

JNA_BI(substring)
{
    const val_t *s = argv[0];
    double start, len, slen, end;
    size_t from, to, n;
    const char *p;

    if (s == NULL) {
        *out = NULL;
        return SX_OK;
    }
    p = val_str_get(s);
    n = val_len(s);
    slen = (double)jna_u8_count(p, n);
    /* an undefined start is NaN in JS arithmetic: slice(NaN) starts at 0, and with a length
     * the end is NaN too, which gives "" */
    start = argc > 1 && argv[1] ? val_num_get(argv[1]) : NAN;
    if (slen + start < 0)
        start = 0;
    end = slen;
    if (argc > 2 && argv[2] != NULL) {
        len = val_num_get(argv[2]);
        if (len <= 0) {
            *out = val_str(c->arena, "", 0);
            return SX_OK;
        }
        end = start >= 0 ? start + len : slen + start + len;
    }
    from = slice_index(start, (size_t)slen);
    to = slice_index(end, (size_t)slen);
    if (from >= to) {
        *out = val_str(c->arena, "", 0);
        return SX_OK;
    }
    to -= from; /* code points to take */
    from = jna_u8_offset(p, n, from);
    to = jna_u8_offset(p + from, n - from, to);
    *out = val_str(c->arena, p + from, to);
    return SX_OK;
}

/* Byte offset of the first occurrence of needle in hay, or -1. */
static long
find(const val_t *hay, const val_t *needle)
{
    const char *h = val_str_get(hay), *nd = val_str_get(needle);
    size_t hn = val_len(hay), nn = val_len(needle);

    if (nn == 0)
        return 0;
    for (size_t i = 0; i + nn <= hn; i++)
        if (h[i] == nd[0] && memcmp(h + i, nd, nn) == 0)
            return (long)i;
    return -1;
}

JNA_BI(substring_before)
{
    long pos;

    if (argv[0] == NULL || argc < 2 || argv[1] == NULL) {
        *out = argv[0];
        return SX_OK;
    }
    pos = find(argv[0], argv[1]);
    *out = pos < 0 ? argv[0] : val_str(c->arena, val_str_get(argv[0]), (size_t)pos);
    return SX_OK;
}

JNA_BI(substring_after)
{
    long pos;
    size_t skip;

    if (argv[0] == NULL || argc < 2 || argv[1] == NULL) {
        *out = argv[0];
        return SX_OK;
    }
    pos = find(argv[0], argv[1]);
    if (pos < 0) {
        *out = argv[0];
        return SX_OK;
    }
    skip = (size_t)pos + val_len(argv[1]);
    *out = val_str(c->arena, val_str_get(argv[0]) + skip, val_len(argv[0]) - skip);
    return SX_OK;
}

/* ---- case mapping ---- */

static locale_t case_locale;
static pthread_once_t case_once = PTHREAD_ONCE_INIT;

static void
case_locale_init(void)
{
    case_locale = newlocale(LC_CTYPE_MASK, "C.UTF-8", (locale_t)0);
}

/* Unconditional multi-character upper-case mappings (SpecialCasing.txt). */
typedef struct special {
    uint32_t cp;     /* source */
    uint32_t to[3];  /* replacement, 0-terminated when shorter */
} special_t;

static const special_t upper_special[] = {
    {0x00DF, {0x53, 0x53, 0}},        {0x0149, {0x2BC, 0x4E, 0}},
    {0x01F0, {0x4A, 0x30C, 0}},       {0x0390, {0x399, 0x308, 0x301}},
    {0x03B0, {0x3A5, 0x308, 0x301}},  {0x0587, {0x535, 0x552, 0}},
    {0x1E96, {0x48, 0x331, 0}},       {0x1E97, {0x54, 0x308, 0}},
    {0x1E98, {0x57, 0x30A, 0}},       {0x1E99, {0x59, 0x30A, 0}},
    {0x1E9A, {0x41, 0x2BE, 0}},       {0x1F50, {0x3A5, 0x313, 0}},
    {0x1F52, {0x3A5, 0x313, 0x300}},  {0x1F54, {0x3A5, 0x313, 0x301}},
    {0x1F56, {0x3A5, 0x313, 0x342}},  {0x1FB2, {0x1FBA, 0x399, 0}},
    {0x1FB3, {0x391, 0x399, 0}},      {0x1FB4, {0x386, 0x399, 0}},
    {0x1FB6, {0x391, 0x342, 0}},      {0x1FB7, {0x391, 0x342, 0x399}},
    {0x1FBC, {0x391, 0x399, 0}},      {0x1FC2, {0x1FCA, 0x399, 0}},
    {0x1FC3, {0x397, 0x399, 0}},      {0x1FC4, {0x389, 0x399, 0}},
    {0x1FC6, {0x397, 0x342, 0}},      {0x1FC7, {0x397, 0x342, 0x399}},
    {0x1FCC, {0x397, 0x399, 0}},      {0x1FD2, {0x399, 0x308, 0x300}},
    {0x1FD3, {0x399, 0x308, 0x301}},  {0x1FD6, {0x399, 0x342, 0}},
    {0x1FD7, {0x399, 0x308, 0x342}},  {0x1FE2, {0x3A5, 0x308, 0x300}},
    {0x1FE3, {0x3A5, 0x308, 0x301}},  {0x1FE4, {0x3A1, 0x313, 0}},
    {0x1FE6, {0x3A5, 0x342, 0}},      {0x1FE7, {0x3A5, 0x308, 0x342}},
    {0x1FF2, {0x1FFA, 0x399, 0}},     {0x1FF3, {0x3A9, 0x399, 0}},
    {0x1FF4, {0x38F, 0x399, 0}},      {0x1FF6, {0x3A9, 0x342, 0}},
    {0x1FF7, {0x3A9, 0x342, 0x399}},  {0x1FFC, {0x3A9, 0x399, 0}},
    {0xFB00, {0x46, 0x46, 0}},        {0xFB01, {0x46, 0x49, 0}},
    {0xFB02, {0x46, 0x4C, 0}},        {0xFB03, {0x46, 0x46, 0x49}},
    {0xFB04, {0x46, 0x46, 0x4C}},     {0xFB05, {0x53, 0x54, 0}},
    {0xFB06, {0x53, 0x54, 0}},        {0xFB13, {0x544, 0x546, 0}},
    {0xFB14, {0x544, 0x535, 0}},      {0xFB15, {0x544, 0x53B, 0}},
    {0xFB16, {0x54E, 0x546, 0}},      {0xFB17, {0x544, 0x53D, 0}},
};

static bool
upper_multi(sx_sbuf_t *b, uint32_t cp)
{
    if (cp >= 0x1F80 && cp <= 0x1FAF) { /* Greek with ypogegrammeni: base capital + IOTA */
        uint32_t base;
        if (cp < 0x1F90)
            base = 0x1F08 + (cp - 0x1F80) % 8;
        else if (cp < 0x1FA0)
            base = 0x1F28 + (cp - 0x1F90) % 8;
        else
            base = 0x1F68 + (cp - 0x1FA0) % 8;
        jna_u8_put(b, base);
        jna_u8_put(b, 0x399);
        return true;
    }
    for (size_t i = 0; i < SX_ARRAY_LEN(upper_special); i++) {
        if (upper_special[i].cp != cp)
            continue;
        for (int k = 0; k < 3 && upper_special[i].to[k] != 0; k++)
            jna_u8_put(b, upper_special[i].to[k]);
        return true;
    }
    return false;
}

static bool
is_cased_letter(uint32_t cp)
{
    return cp < 0x110000 && iswalpha_l((wint_t)cp, case_locale);
}

/* Final sigma: preceded by a letter and not followed by one. */
static bool
final_sigma(const char *s, size_t n, size_t before, size_t after)
{
    size_t i = 0, j = after;
    uint32_t prev = 0;
    bool has_prev = false;

    while (i < before) {
        prev = jna_u8_next(s, n, &i);
        has_prev = true;
    }
    if (!has_prev || !is_cased_letter(prev))
        return false;
    if (j >= n)
        return true;
    return !is_cased_letter(jna_u8_next(s, n, &j));
}

static int
case_map(jna_fctx_t *c, const val_t *v, bool upper, const val_t **out)
{
    const char *s;
    size_t n, i = 0;
    sx_sbuf_t b = SX_SBUF_INIT;

    if (v == NULL) {
        *out = NULL;
        return SX_OK;
    }
    pthread_once(&case_once, case_locale_init);
    s = val_str_get(v);
    n = val_len(v);
    sx_sbuf_reserve(&b, n + 1);
    while (i < n) {
        size_t at = i;
        uint32_t cp = jna_u8_next(s, n, &i);
        if (cp < 0x80) {
            sx_sbuf_addc(&b, (char)(upper ? (cp >= 'a' && cp <= 'z' ? cp - 32 : cp)
                                          : (cp >= 'A' && cp <= 'Z' ? cp + 32 : cp)));
        } else if (cp >= JNA_U8_BAD || case_locale == (locale_t)0) {
            jna_u8_put(&b, cp);
        } else if (upper) {
            if (!upper_multi(&b, cp))
                jna_u8_put(&b, (uint32_t)towupper_l((wint_t)cp, case_locale));
        } else if (cp == 0x130) { /* İ -> i + combining dot above */
            jna_u8_put(&b, 'i');
            jna_u8_put(&b, 0x307);
        } else if (cp == 0x3A3) {
            jna_u8_put(&b, final_sigma(s, n, at, i) ? 0x3C2 : 0x3C3);
        } else {
            jna_u8_put(&b, (uint32_t)towlower_l((wint_t)cp, case_locale));
        }
    }
    return str_out(c, &b, out);
}

JNA_BI(uppercase)
{
    SX_UNUSED(argc);
    return case_map(c, argv[0], true, out);
}

JNA_BI(lowercase)
{
    SX_UNUSED(argc);
    return case_map(c, argv[0], false, out);
}

JNA_BI(trim)
{
    const char *s;
    size_t n;
    sx_sbuf_t b = SX_SBUF_INIT;

    SX_UNUSED(argc);
    if (argv[0] == NULL) {
        *out = NULL;
        return SX_OK;
    }
    s = val_str_get(argv[0]);
    n = val_len(argv[0]);
    for (size_t i = 0; i < n;) {
        if (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r') {
            while (i < n && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r'))
                i++;
            sx_sbuf_addc(&b, ' ');
        } else {
            sx_sbuf_addc(&b, s[i++]);
        }
    }
    size_t from = 0, len = b.len;
    if (len > 0 && b.p[0] == ' ')
        from = 1, len--;
    if (len > 0 && b.p[from + len - 1] == ' ')
        len--;
    *out = val_str(c->arena, b.p ? b.p + from : "", len);
    sx_sbuf_fini(&b);
    return SX_OK;
}

JNA_BI(pad)
{
    const val_t *s = argv[0], *ch = argc > 2 ? argv[2] : NULL;
    const char *pc = " ";
    size_t pn = 1, slen;
    double width, padlen;
    sx_sbuf_t b = SX_SBUF_INIT, padding = SX_SBUF_INIT;

    if (s == NULL) {
        *out = NULL;
        return SX_OK;
    }
    if (ch != NULL && val_len(ch) > 0)
        pc = val_str_get(ch), pn = val_len(ch);
    width = argc > 1 && argv[1] ? trunc(val_num_get(argv[1])) : 0;
    if (isnan(width))
        width = 0;
    slen = jna_u8_count(val_str_get(s), val_len(s));
    padlen = fabs(width) - (double)slen;
    if (!(padlen > 0)) {
        *out = s;
        return SX_OK;
    }
    if (fabs(width) > JNA_WIDTH_MAX)
        return jna_fctx_fail(c, "U1002", NULL, "Result too large: $pad's width is limited to %.0f",
                             JNA_WIDTH_MAX);
    for (size_t k = 0, j = 0; k < (size_t)padlen; k++) { /* cycle the pad char's code points */
        size_t at = j;
        jna_u8_next(pc, pn, &j);
        sx_sbuf_add(&padding, pc + at, j - at);
        if (j >= pn)
            j = 0;
    }
    if (width > 0) {
        sx_sbuf_add(&b, val_str_get(s), val_len(s));
        sx_sbuf_add(&b, padding.p, padding.len);
    } else {
        sx_sbuf_add(&b, padding.p, padding.len);
        sx_sbuf_add(&b, val_str_get(s), val_len(s));
    }
    sx_sbuf_fini(&padding);
    return str_out(c, &b, out);
}

JNA_BI(join)
{
    const val_t *a = argv[0], *sep = argc > 1 ? argv[1] : NULL;
    sx_sbuf_t b = SX_SBUF_INIT;

    if (a == NULL) {
        *out = NULL;
        return SX_OK;
    }
    for (size_t i = 0; i < val_len(a); i++) {
        const val_t *it = val_arr_at(a, i);
        if (!val_is(it, VAL_STR)) {
            sx_sbuf_fini(&b);
            return jna_fctx_fail(c, "T0412", it,
                                 "Argument 1 of function join must be an array of strings");
        }
        if (i > 0 && sep != NULL)
            sx_sbuf_add(&b, val_str_get(sep), val_len(sep));
        sx_sbuf_add(&b, val_str_get(it), val_len(it));
    }
    return str_out(c, &b, out);
}
