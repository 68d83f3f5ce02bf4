/*
 * jna_lib_integer.c: integer pictures (XPath format-integer subset) for $formatInteger,
 * $parseInteger and the integer components of $fromMillis/$toMillis.
 *
 * A picture is "primary[;modifier]" (split at the last ';'; a modifier starting with 'o'
 * asks for ordinals). Primary tokens: a/A letters (bijective base 26), i/I roman, w/W/Ww
 * English words, or a decimal digit pattern: any Unicode decimal digit is a mandatory digit
 * (all from one digit family, else D3131), '#' an optional digit, anything else a grouping
 * separator. Separator positions are counted in digits from the right; one separator
 * character at positions g, 2g, 3g... is "regular" and repeats without end. A primary with
 * no digit at all is an unsupported numbering sequence (D3130 when used).
 * Every quirk of jsonata-js's datetime.js is kept on purpose (irregular separators past the
 * available digits still get inserted at the front; $parseInteger of a regular pattern only
 * removes ','; words are built in title case, then re-cased).
 */
#include <math.h>
#include <stdlib.h>

#include "jna_lib_int.h"

static const uint32_t digit_zeros[] = {
    0x30,   0x0660, 0x06F0, 0x07C0, 0x0966, 0x09E6, 0x0A66, 0x0AE6, 0x0B66, 0x0BE6,
    0x0C66, 0x0CE6, 0x0D66, 0x0DE6, 0x0E50, 0x0ED0, 0x0F20, 0x1040, 0x1090, 0x17E0,
    0x1810, 0x1946, 0x19D0, 0x1A80, 0x1A90, 0x1B50, 0x1BB0, 0x1C40, 0x1C50, 0xA620,
    0xA8D0, 0xA900, 0xA9D0, 0xA9F0, 0xAA50, 0xABF0, 0xFF10,
};

static const char *const few[] = {
    "Zero",    "One",     "Two",       "Three",    "Four",     "Five",    "Six",
    "Seven",   "Eight",   "Nine",      "Ten",      "Eleven",   "Twelve",  "Thirteen",
    "Fourteen", "Fifteen", "Sixteen",  "Seventeen", "Eighteen", "Nineteen",
};
static const char *const ordinals[] = {
    "Zeroth",     "First",       "Second",     "Third",       "Fourth",
    "Fifth",      "Sixth",       "Seventh",    "Eighth",      "Ninth",
    "Tenth",      "Eleventh",    "Twelfth",    "Thirteenth",  "Fourteenth",
    "Fifteenth",  "Sixteenth",   "Seventeenth", "Eighteenth", "Nineteenth",
};
static const char *const decades[] = {"Twenty", "Thirty",  "Forty",  "Fifty",  "Sixty",
                                      "Seventy", "Eighty", "Ninety", "Hundred"};
static const char *const magnitudes[] = {"Thousand", "Million", "Billion", "Trillion"};

/* ---- analysis ---- */

static int
family_of(uint32_t cp)
{
    for (size_t i = 0; i < SX_ARRAY_LEN(digit_zeros); i++)
        if (cp >= digit_zeros[i] && cp <= digit_zeros[i] + 9)
            return (int)i;
    return -1;
}

static int
gcd(int a, int b)
{
    return b == 0 ? a : gcd(b, a % b);
}

/* jsonata's regularRepeat: the interval when all separators are one character at
 * positions exactly {g, 2g, ...}, else 0. */
static int
regular_every(const jna_ipic_t *p)
{
    int g;

    if (p->nseps == 0)
        return 0;
    for (int i = 1; i < p->nseps; i++)
        if (p->seps[i].cp != p->seps[0].cp)
            return 0;
    g = p->seps[0].position;
    for (int i = 1; i < p->nseps; i++)
        g = gcd(g, p->seps[i].position);
    for (int k = 1; k <= p->nseps; k++) {
        bool found = false;
        for (int i = 0; i < p->nseps && !found; i++)
            found = p->seps[i].position == k * g;
        if (!found)
            return 0;
    }
    return g;
}

static int
analyse_decimal(jna_fctx_t *c, const char *s, size_t n, jna_ipic_t *p)
{
    size_t ncp = jna_u8_count(s, n), i = 0, k = 0;
    uint32_t *cps = sx_arena_alloc(c->arena, (ncp + 1) * sizeof(*cps));
    int fam = -1, pos = 0;

    while (i < n)
        cps[k++] = jna_u8_next(s, n, &i);
    p->seps = sx_arena_alloc(c->arena, (ncp + 1) * sizeof(*p->seps));
    for (size_t j = ncp; j > 0; j--) { /* right to left */
        uint32_t cp = cps[j - 1];
        int f = family_of(cp);
        if (f >= 0) {
            p->mandatory++;
            pos++;
            if (fam < 0)
                fam = f;
            else if (f != fam)
                return jna_fctx_fail(c, "D3131", NULL,
                                     "In a decimal digit pattern, all digits must be from the "
                                     "same decimal group");
        } else if (cp == '#') {
            pos++;
            p->optional++;
        } else {
            p->seps[p->nseps++] = (jna_ipic_sep_t){pos, cp};
        }
    }
    if (p->mandatory == 0) {
        p->kind = JNA_IPIC_SEQUENCE;
        return SX_OK;
    }
    p->kind = JNA_IPIC_DECIMAL;
    p->zero = digit_zeros[fam];
    p->every = regular_every(p);
    p->regular = p->every > 0;
    return SX_OK;
}

int
jna_ipic_parse(jna_fctx_t *c, const char *pic, size_t n, jna_ipic_t *out)
{
    size_t plen = n;

    memset(out, 0, sizeof(*out));
    for (size_t i = n; i > 0; i--) {
        if (pic[i - 1] == ';') {
            plen = i - 1;
            out->ordinal = i < n && pic[i] == 'o';
            break;
        }
    }
    out->token = sx_arena_strndup(c->arena, pic, plen);
    out->cas = JNA_CASE_LOWER;
    if (plen == 1 && (pic[0] == 'A' || pic[0] == 'a')) {
        out->kind = JNA_IPIC_LETTERS;
        out->cas = pic[0] == 'A' ? JNA_CASE_UPPER : JNA_CASE_LOWER;
    } else if (plen == 1 && (pic[0] == 'I' || pic[0] == 'i')) {
        out->kind = JNA_IPIC_ROMAN;
        out->cas = pic[0] == 'I' ? JNA_CASE_UPPER : JNA_CASE_LOWER;
    } else if (plen == 1 && (pic[0] == 'W' || pic[0] == 'w')) {
        out->kind = JNA_IPIC_WORDS;
        out->cas = pic[0] == 'W' ? JNA_CASE_UPPER : JNA_CASE_LOWER;
    } else if (plen == 2 && pic[0] == 'W' && pic[1] == 'w') {
        out->kind = JNA_IPIC_WORDS;
        out->cas = JNA_CASE_TITLE;
    } else {
        return analyse_decimal(c, pic, plen, out);
    }
    return SX_OK;
}

/* ---- formatting ---- */

static void
words_lookup(sx_sbuf_t *b, double num, bool prev, bool ord)
{
    if (num <= 19) {
        sx_sbuf_adds(b, prev ? " and " : "");
        sx_sbuf_adds(b, ord ? ordinals[(int)num] : few[(int)num]);
    } else if (num < 100) {
        int tens = (int)(num / 10), rem = (int)fmod(num, 10);
        sx_sbuf_adds(b, prev ? " and " : "");
        sx_sbuf_adds(b, decades[tens - 2]);
        if (rem > 0) {
            sx_sbuf_addc(b, '-');
            words_lookup(b, rem, false, ord);
        } else if (ord) {
            b->len--; /* "Twenty" -> "Twentieth" */
            sx_sbuf_adds(b, "ieth");
        }
    } else if (num < 1000) {
        int hundreds = (int)(num / 100), rem = (int)fmod(num, 100);
        sx_sbuf_adds(b, prev ? ", " : "");
        sx_sbuf_adds(b, few[hundreds]);
        sx_sbuf_adds(b, " Hundred");
        if (rem > 0)
            words_lookup(b, rem, true, ord);
        else if (ord)
            sx_sbuf_adds(b, "th");
    } else {
        int mag = (int)floor(log10(num) / 3);
        if (mag > (int)SX_ARRAY_LEN(magnitudes))
            mag = (int)SX_ARRAY_LEN(magnitudes);
        double factor = jna_js_pow(10, mag * 3), mant = floor(num / factor), rem = num - mant * factor;
        sx_sbuf_adds(b, prev ? ", " : "");
        words_lookup(b, mant, false, false);
        sx_sbuf_addc(b, ' ');
        sx_sbuf_adds(b, magnitudes[mag - 1]);
        if (rem > 0)
            words_lookup(b, rem, true, ord);
        else if (ord)
            sx_sbuf_adds(b, "th");
    }
}

static void
recase_ascii(char *s, size_t n, jna_ipic_case_t cas)
{
    for (size_t i = 0; i < n; i++) {
        if (cas == JNA_CASE_UPPER && s[i] >= 'a' && s[i] <= 'z')
            s[i] = (char)(s[i] - 32);
        else if (cas == JNA_CASE_LOWER && s[i] >= 'A' && s[i] <= 'Z')
            s[i] = (char)(s[i] + 32);
    }
}

static void
letters_format(sx_sbuf_t *b, double v, char a)
{
    char tmp[1100]; /* 26^218 > DBL_MAX */
    size_t k = sizeof(tmp);

    while (v > 0 && k > 0) {
        tmp[--k] = (char)(a + (int)fmod(v - 1, 26));
        v = floor((v - 1) / 26);
    }
    sx_sbuf_add(b, tmp + k, sizeof(tmp) - k);
}

static const struct {
    int value;
    const char *text;
} roman[] = {{1000, "m"}, {900, "cm"}, {500, "d"}, {400, "cd"}, {100, "c"}, {90, "xc"}, {50, "l"},
             {40, "xl"},  {10, "x"},   {9, "ix"},   {5, "v"},   {4, "iv"},   {1, "i"}};

#define ROMAN_MAX 1e7 /* jsonata-js recurses once per numeral: far beyond this it overflows */

static int
roman_format(jna_fctx_t *c, sx_sbuf_t *b, double v, bool upper)
{
    size_t start = b->len;

    if (v > ROMAN_MAX)
        return jna_fctx_fail(c, "D3130", NULL, "Number out of range for roman numerals");
    for (size_t i = 0; i < SX_ARRAY_LEN(roman); i++) {
        while (v >= roman[i].value) {
            sx_sbuf_adds(b, roman[i].text);
            v -= roman[i].value;
        }
    }
    if (upper)
        recase_ascii(b->p ? b->p + start : NULL, b->len - start, JNA_CASE_UPPER);
    return SX_OK;
}

/* Inserts the separators into the digit code points (jsonata's substr-based insertion). */
static void
decimal_group(sx_sbuf_t *b, const uint32_t *cps, size_t n, const jna_ipic_t *p)
{
    /* mark[i] = separators to put before code point i (i == n: at the end) */
    size_t total = n;
    uint32_t *outcp;
    size_t k = 0;

    if (p->regular) {
        size_t groups = n > 0 ? (n - 1) / (size_t)p->every : 0;
        outcp = sx_malloc((n + groups + 1) * sizeof(*outcp));
        for (size_t i = 0; i < n; i++) {
            size_t right = n - i; /* digits from here to the end */
            if (i > 0 && right % (size_t)p->every == 0 && right / (size_t)p->every <= groups)
                outcp[k++] = p->seps[0].cp;
            outcp[k++] = cps[i];
        }
    } else {
        /* leftmost separator (largest position) first, each at length - position */
        outcp = sx_malloc((n + (size_t)p->nseps + 1) * sizeof(*outcp));
        memcpy(outcp, cps, n * sizeof(*outcp));
        total = n;
        for (int s = p->nseps - 1; s >= 0; s--) {
            long pos = (long)total - p->seps[s].position;
            if (pos < 0) {
                /* JS: substr(0, pos) is "" and substr(pos) keeps the last -pos characters,
                 * so the characters before those are lost */
                size_t keep = (size_t)(-pos) < total ? (size_t)(-pos) : total;
                memmove(outcp, outcp + (total - keep), keep * sizeof(*outcp));
                total = keep;
                pos = 0;
            }
            memmove(outcp + pos + 1, outcp + pos, (total - (size_t)pos) * sizeof(*outcp));
            outcp[pos] = p->seps[s].cp;
            total++;
        }
        k = total;
    }
    for (size_t i = 0; i < k; i++)
        jna_u8_put(b, outcp[i]);
    sx_free(outcp);
}

static void
decimal_format(sx_sbuf_t *b, double v, const jna_ipic_t *p)
{
    size_t start = b->len;
    char num[VAL_NUM_BUF];
    size_t len = val_num_fmt(v, num), n = 0;
    int pad = p->mandatory - (int)len;
    uint32_t *cps = sx_malloc(((size_t)(pad > 0 ? pad : 0) + len + 1) * sizeof(*cps));

    for (int i = 0; i < pad; i++)
        cps[n++] = '0';
    for (size_t i = 0; i < len; i++)
        cps[n++] = (uint32_t)(unsigned char)num[i];
    if (p->zero != 0x30)
        for (size_t i = 0; i < n; i++)
            cps[i] = cps[i] + p->zero - 0x30;
    decimal_group(b, cps, n, p);
    if (p->ordinal) {
        uint32_t last = n > 0 ? cps[n - 1] : 0;
        const char *suffix = last == '1' ? "st" : last == '2' ? "nd" : last == '3' ? "rd" : "th";
        /* the reference looks at the formatted text, separators included */
        if (b->len - start > 1 && b->p[b->len - 2] == '1')
            suffix = "th";
        sx_sbuf_adds(b, suffix);
    }
    sx_free(cps);
}

int
jna_ipic_format(jna_fctx_t *c, sx_sbuf_t *b, double v, const jna_ipic_t *p)
{
    bool negative = v < 0;
    size_t start;

    if (p->kind == JNA_IPIC_SEQUENCE)
        return jna_fctx_fail(c, "D3130", NULL,
                             "Formatting or parsing an integer as a sequence starting with %s "
                             "is not supported by this implementation",
                             jna_json_text(c, val_strz(c->arena, p->token)));
    if (negative)
        sx_sbuf_addc(b, '-');
    v = fabs(v);
    start = b->len;
    switch (p->kind) {
    case JNA_IPIC_LETTERS:
        letters_format(b, v, p->cas == JNA_CASE_UPPER ? 'A' : 'a');
        break;
    case JNA_IPIC_ROMAN:
        return roman_format(c, b, v, p->cas == JNA_CASE_UPPER);
    case JNA_IPIC_WORDS:
        /* jsonata-js recurses without end on Infinity (and NaN): a stack overflow there */
        if (!isfinite(v))
            return jna_fctx_fail(c, "D3130", NULL, "Number out of range for words");
        words_lookup(b, v, false, p->ordinal);
        if (p->cas != JNA_CASE_TITLE)
            recase_ascii(b->p + start, b->len - start, p->cas);
        break;
    default:
        decimal_format(b, v, p);
        break;
    }
    return SX_OK;
}

JNA_BI(format_integer)
{
    jna_ipic_t pic;
    sx_sbuf_t b = SX_SBUF_INIT;
    const val_t *p = argc > 1 ? argv[1] : NULL;

    if (argv[0] == NULL) {
        *out = NULL;
        return SX_OK;
    }
    if (p == NULL)
        return jna_fctx_fail(c, "T0410", NULL,
                             "Argument 2 of function formatInteger does not match function "
                             "signature");
    if (jna_ipic_parse(c, val_str_get(p), val_len(p), &pic) != SX_OK)
        return SX_ERR;
    if (jna_ipic_format(c, &b, floor(val_num_get(argv[0])), &pic) != SX_OK) {
        sx_sbuf_fini(&b);
        return SX_ERR;
    }
    *out = jna_sbuf_val(c->arena, &b);
    sx_sbuf_fini(&b);
    return SX_OK;
}

/* ---- parsing ---- */

/* The keys of jsonata's wordValues table, in its insertion order, with their values. */
typedef struct word_val {
    char word[16];
    double value;
} word_val_t;

static size_t
word_table(word_val_t *t)
{
    size_t n = 0;

    for (int i = 0; i < 20; i++) {
        snprintf(t[n].word, sizeof(t[n].word), "%s", few[i]);
        t[n++].value = i;
    }
    for (int i = 0; i < 20; i++) {
        snprintf(t[n].word, sizeof(t[n].word), "%s", ordinals[i]);
        t[n++].value = i;
    }
    for (int i = 0; i < 9; i++) {
        size_t l = strlen(decades[i]);
        snprintf(t[n].word, sizeof(t[n].word), "%s", decades[i]);
        t[n++].value = (i + 2) * 10;
        snprintf(t[n].word, sizeof(t[n].word), "%.*sieth", (int)(l - 1), decades[i]);
        t[n++].value = (i + 2) * 10;
    }
    snprintf(t[n].word, sizeof(t[n].word), "hundredth");
    t[n++].value = 100;
    for (int i = 0; i < 4; i++) {
        snprintf(t[n].word, sizeof(t[n].word), "%s", magnitudes[i]);
        t[n++].value = jna_js_pow(10, (i + 1) * 3);
        snprintf(t[n].word, sizeof(t[n].word), "%sth", magnitudes[i]);
        t[n++].value = jna_js_pow(10, (i + 1) * 3);
    }
    for (size_t i = 0; i < n; i++)
        recase_ascii(t[i].word, strlen(t[i].word), JNA_CASE_LOWER);
    return n;
}

#define WORD_TABLE_MAX 80

static double
word_value(const word_val_t *t, size_t nt, const char *w, size_t n, bool *found)
{
    for (size_t i = 0; i < nt; i++) {
        if (strlen(t[i].word) == n && memcmp(t[i].word, w, n) == 0) {
            *found = true;
            return t[i].value;
        }
    }
    *found = false;
    return NAN;
}

static bool
js_ws(char ch)
{
    return ch == ' ' || (ch >= '\t' && ch <= '\r');
}

/* Length of the separator (/,\s|\sand\s|[\s\\-]/) at s[i], or 0. */
static size_t
word_sep(const char *s, size_t n, size_t i)
{
    if (s[i] == ',' && i + 1 < n && js_ws(s[i + 1]))
        return 2;
    if (js_ws(s[i]) && i + 4 < n && memcmp(s + i + 1, "and", 3) == 0 && js_ws(s[i + 4]))
        return 5;
    if (js_ws(s[i]) || s[i] == '\\' || s[i] == '-')
        return 1;
    return 0;
}

static double
words_parse(const char *s, size_t n)
{
    word_val_t table[WORD_TABLE_MAX];
    size_t nt = word_table(table), start = 0, i = 0;
    double segs[64];
    int nsegs = 1;
    char *low = sx_strndup(s, n);

    recase_ascii(low, n, JNA_CASE_LOWER);
    segs[0] = 0;
    for (;;) {
        size_t sep = i < n ? word_sep(low, n, i) : 0;
        if (i < n && sep == 0) {
            i++;
            continue;
        }
        bool found;
        double v = word_value(table, nt, low + start, i - start, &found);
        if (!found || v >= 100) {
            segs[nsegs - 1] *= v; /* undefined * x is NaN */
        } else {
            double top = segs[--nsegs];
            if (top >= 1000 && nsegs < 63) {
                segs[nsegs++] = top;
                top = 0;
            }
            segs[nsegs++] = top + v;
        }
        if (i >= n)
            break;
        i += sep;
        start = i;
    }
    sx_free(low);
    double total = 0;
    for (int k = 0; k < nsegs; k++)
        total += segs[k];
    return total;
}

static double
roman_value(char ch)
{
    switch (ch) {
    case 'M':
        return 1000;
    case 'D':
        return 500;
    case 'C':
        return 100;
    case 'L':
        return 50;
    case 'X':
        return 10;
    case 'V':
        return 5;
    case 'I':
        return 1;
    default:
        return NAN;
    }
}

static double
roman_parse(const char *s, size_t n, bool upper)
{
    double dec = 0, max = 1;

    for (size_t i = n; i > 0; i--) {
        char ch = s[i - 1];
        if (!upper && ch >= 'a' && ch <= 'z')
            ch = (char)(ch - 32);
        double v = roman_value(ch);
        if (isnan(v))
            return NAN;
        if (v < max) {
            dec -= v;
        } else {
            max = v;
            dec += v;
        }
    }
    return dec;
}

/* JS parseInt(s, 10). */
static double
js_parse_int(const char *s, size_t n)
{
    size_t i = 0, start;
    bool neg = false;
    char *tmp;
    double v;

    while (i < n && js_ws(s[i]))
        i++;
    if (i < n && (s[i] == '+' || s[i] == '-'))
        neg = s[i++] == '-';
    start = i;
    while (i < n && s[i] >= '0' && s[i] <= '9')
        i++;
    if (i == start)
        return NAN;
    tmp = sx_strndup(s + start, i - start);
    v = strtod(tmp, NULL);
    sx_free(tmp);
    return neg ? -v : v;
}

static double
decimal_parse(const jna_ipic_t *p, const char *s, size_t n)
{
    sx_sbuf_t b = SX_SBUF_INIT;
    size_t i = 0, cps = jna_u8_count(s, n), k = 0;
    double v;

    if (p->ordinal)
        cps = cps >= 2 ? cps - 2 : 0;
    while (i < n && k < cps) {
        size_t at = i;
        uint32_t cp = jna_u8_next(s, n, &i);
        bool sep = false;
        k++;
        if (p->regular)
            sep = cp == ',';
        else
            for (int j = 0; j < p->nseps && !sep; j++)
                sep = cp == p->seps[j].cp;
        if (sep)
            continue;
        if (p->zero != 0x30 && cp < JNA_U8_BAD)
            jna_u8_put(&b, cp - p->zero + 0x30);
        else
            sx_sbuf_add(&b, s + at, i - at);
    }
    v = js_parse_int(b.p ? b.p : "", b.len);
    sx_sbuf_fini(&b);
    return v;
}

double
jna_ipic_value(const jna_ipic_t *p, const char *s, size_t n)
{
    double dec = 0;

    switch (p->kind) {
    case JNA_IPIC_LETTERS: {
        char a = p->cas == JNA_CASE_UPPER ? 'A' : 'a';
        for (size_t i = 0; i < n; i++)
            dec += ((unsigned char)s[n - i - 1] - a + 1) * jna_js_pow(26, (double)i);
        return dec;
    }
    case JNA_IPIC_ROMAN:
        return roman_parse(s, n, p->cas == JNA_CASE_UPPER);
    case JNA_IPIC_WORDS:
        return words_parse(s, n);
    case JNA_IPIC_DECIMAL:
        return decimal_parse(p, s, n);
    default:
        return NAN;
    }
}

void
jna_ipic_regex(sx_sbuf_t *b, const jna_ipic_t *p)
{
    switch (p->kind) {
    case JNA_IPIC_LETTERS:
        sx_sbuf_adds(b, p->cas == JNA_CASE_UPPER ? "[A-Z]+" : "[a-z]+");
        break;
    case JNA_IPIC_ROMAN:
        sx_sbuf_adds(b, p->cas == JNA_CASE_UPPER ? "[MDCLXVI]+" : "[mdclxvi]+");
        break;
    case JNA_IPIC_WORDS: {
        word_val_t table[WORD_TABLE_MAX];
        size_t nt = word_table(table);
        sx_sbuf_adds(b, "(?:");
        for (size_t i = 0; i < nt; i++) {
            bool dup = false;
            for (size_t j = 0; j < i && !dup; j++)
                dup = strcmp(table[i].word, table[j].word) == 0;
            if (!dup) {
                sx_sbuf_adds(b, table[i].word);
                sx_sbuf_addc(b, '|');
            }
        }
        sx_sbuf_adds(b, "and|[\\-, ])+");
        break;
    }
    default:
        if (p->fixed_width > 0)
            sx_sbuf_addf(b, "[0-9]{%d}", p->fixed_width);
        else
            sx_sbuf_adds(b, "[0-9]+");
        if (p->ordinal)
            sx_sbuf_adds(b, "(?:th|st|nd|rd)");
        break;
    }
}

JNA_BI(parse_integer)
{
    jna_ipic_t pic;
    const val_t *p = argc > 1 ? argv[1] : NULL;

    if (argv[0] == NULL) {
        *out = NULL;
        return SX_OK;
    }
    if (p == NULL)
        return jna_fctx_fail(c, "T0410", NULL,
                             "Argument 2 of function parseInteger does not match function "
                             "signature");
    if (jna_ipic_parse(c, val_str_get(p), val_len(p), &pic) != SX_OK)
        return SX_ERR;
    if (pic.kind == JNA_IPIC_SEQUENCE)
        return jna_fctx_fail(c, "D3130", NULL,
                             "Formatting or parsing an integer as a sequence starting with %s "
                             "is not supported by this implementation",
                             jna_json_text(c, val_strz(c->arena, pic.token)));
    *out = val_num(c->arena, jna_ipic_value(&pic, val_str_get(argv[0]), val_len(argv[0])));
    return SX_OK;
}
