/*
 * val_json.c: JSON text <-> values.
 *
 * The parser is a recursive descent over the input bytes that builds values straight into
 * the caller's arena (no intermediate tree), validates UTF-8, decodes escapes (surrogate
 * pairs joined; a lone surrogate becomes U+FFFD, as Jackson does), keeps a number's text
 * when printing its double would not reproduce it, and stops at VAL_JSON_MAX_DEPTH nesting.
 * Errors report the byte offset and the line and column computed from it.
 *
 * The printer writes compact JSON as AWS does: no spaces, strings escaped as
 * JSON.stringify escapes them (", \, control characters; nothing else), numbers by their
 * source text or as JavaScript prints a double.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "stepx/val.h"

typedef struct parser {
    sx_arena_t *a;
    const char *s;   /* input */
    size_t n;        /* input length */
    size_t i;        /* cursor */
    int depth;       /* current nesting */
    size_t clen;     /* bytes of the compact text of what was parsed (upper bound) */
    val_json_err_t *err;
    sx_sbuf_t tmp;   /* scratch for strings with escapes */
} parser_t;

static int
fail(parser_t *p, size_t at, const char *fmt, const char *what)
{
    if (p->err == NULL)
        return SX_ERR;
    int line = 1, col = 1;
    for (size_t k = 0; k < at && k < p->n; k++) {
        if (p->s[k] == '\n') {
            line++;
            col = 1;
        } else {
            col++;
        }
    }
    p->err->offset = at;
    p->err->line = line;
    p->err->col = col;
    char detail[96];
    snprintf(detail, sizeof(detail), fmt, what);
    snprintf(p->err->msg, sizeof(p->err->msg), "%s at line %d, column %d", detail, line, col);
    return SX_ERR;
}

static int
fail_char(parser_t *p, const char *expected)
{
    char what[64];
    if (p->i >= p->n) {
        snprintf(what, sizeof(what), "end of input (expected %s)", expected);
        return fail(p, p->i, "Unexpected %s", what);
    }
    unsigned char c = (unsigned char)p->s[p->i];
    if (c >= 0x20 && c < 0x7f)
        snprintf(what, sizeof(what), "character '%c' (expected %s)", c, expected);
    else
        snprintf(what, sizeof(what), "byte 0x%02x (expected %s)", c, expected);
    return fail(p, p->i, "Unexpected %s", what);
}

static inline void
skip_ws(parser_t *p)
{
    while (p->i < p->n) {
        char c = p->s[p->i];
        if (c != ' ' && c != '\n' && c != '\r' && c != '\t')
            break;
        p->i++;
    }
}

static int parse_value(parser_t *p, const val_t **out);
static size_t quoted_len(const char *s, size_t n);

/* Byte classes for the string scanners: 0 = plain (copied as is), 1 = '"', 2 = '\\',
 * 3 = control character, 4 = first byte of a multi-byte UTF-8 sequence (or invalid). */
static const unsigned char str_class[256] = {
    3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3,
    0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4,
    4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4,
    4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4,
    4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4,
};

/* Returns a string value for arena bytes s[0..n) (NUL-terminated). Keys get their hash tag
 * (val.h) so that lookups skip memcmp; member values do not need one. */
static inline const val_t *
str_value(sx_arena_t *a, const char *s, size_t n, bool key)
{
    if (key)
        return val_str_nocopy(a, s, n);
    val_t *v = sx_arena_alloc(a, sizeof(val_t));
    v->type = VAL_STR;
    v->flags = 0;
    v->_pad = 0;
    v->len = (uint32_t)n;
    v->u.str = s;
    return v;
}

/* Length of a valid UTF-8 sequence starting at s[0..n), or 0. */
static size_t
utf8_valid(const unsigned char *s, size_t n)
{
    unsigned c = s[0];
    if (c < 0x80)
        return 1;
    size_t need;
    uint32_t cp;
    if (c >= 0xc2 && c <= 0xdf) {
        need = 1;
        cp = c & 0x1f;
    } else if (c >= 0xe0 && c <= 0xef) {
        need = 2;
        cp = c & 0x0f;
    } else if (c >= 0xf0 && c <= 0xf4) {
        need = 3;
        cp = c & 0x07;
    } else {
        return 0;
    }
    if (need >= n)
        return 0;
    for (size_t k = 1; k <= need; k++) {
        if ((s[k] & 0xc0) != 0x80)
            return 0;
        cp = (cp << 6) | (s[k] & 0x3f);
    }
    if ((need == 2 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) ||
        (need == 3 && (cp < 0x10000 || cp > 0x10ffff)))
        return 0;
    return need + 1;
}

bool
val_utf8_valid(const char *s, size_t n, size_t *bad_at)
{
    const unsigned char *u = (const unsigned char *)s;
    size_t i = 0;
    while (i < n) {
        if (u[i] < 0x80) {
            i++;
            continue;
        }
        size_t k = utf8_valid(u + i, n - i);
        if (k == 0) {
            if (bad_at != NULL)
                *bad_at = i;
            return false;
        }
        i += k;
    }
    return true;
}

static void
put_utf8(sx_sbuf_t *b, uint32_t cp)
{
    char o[4];
    size_t n;
    if (cp < 0x80) {
        o[0] = (char)cp;
        n = 1;
    } else if (cp < 0x800) {
        o[0] = (char)(0xc0 | (cp >> 6));
        o[1] = (char)(0x80 | (cp & 0x3f));
        n = 2;
    } else if (cp < 0x10000) {
        o[0] = (char)(0xe0 | (cp >> 12));
        o[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
        o[2] = (char)(0x80 | (cp & 0x3f));
        n = 3;
    } else {
        o[0] = (char)(0xf0 | (cp >> 18));
        o[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
        o[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
        o[3] = (char)(0x80 | (cp & 0x3f));
        n = 4;
    }
    sx_sbuf_add(b, o, n);
}

static int
hex4(parser_t *p, size_t at, uint32_t *out)
{
    if (at + 4 > p->n)
        return fail(p, at, "Invalid %s escape", "\\u");
    uint32_t v = 0;
    for (int k = 0; k < 4; k++) {
        char c = p->s[at + (size_t)k];
        v <<= 4;
        if (c >= '0' && c <= '9')
            v |= (uint32_t)(c - '0');
        else if (c >= 'a' && c <= 'f')
            v |= (uint32_t)(c - 'a' + 10);
        else if (c >= 'A' && c <= 'F')
            v |= (uint32_t)(c - 'A' + 10);
        else
            return fail(p, at, "Invalid %s escape", "\\u");
    }
    *out = v;
    return SX_OK;
}

/* Parses a string at p->i (on the opening quote) into *out (a val string). */
static int
parse_string_raw(parser_t *p, const char **out, size_t *outlen)
{
    size_t start = ++p->i;
    const unsigned char *s = (const unsigned char *)p->s;
    /* Fast path: no escapes. */
    size_t i = start;
    while (i < p->n) {
        unsigned cls = str_class[s[i]];
        if (SX_LIKELY(cls == 0)) {
            i++;
            continue;
        }
        if (cls == 1) {
            *out = sx_arena_strndup(p->a, p->s + start, i - start);
            *outlen = i - start;
            p->i = i + 1;
            p->clen += i - start + 2; /* nothing in it needs an escape */
            return SX_OK;
        }
        if (cls == 2)
            break;
        if (cls == 3)
            return fail(p, i, "Unescaped control character in %s", "string");
        size_t k = utf8_valid(s + i, p->n - i);
        if (k == 0)
            return fail(p, i, "Invalid UTF-8 in %s", "string");
        i += k;
    }
    if (i >= p->n)
        return fail(p, start - 1, "Unterminated %s", "string");
    /* Slow path with escapes. */
    sx_sbuf_reset(&p->tmp);
    sx_sbuf_add(&p->tmp, p->s + start, i - start);
    while (i < p->n) {
        unsigned c = s[i];
        if (c == '"') {
            *out = sx_arena_strndup(p->a, p->tmp.p, p->tmp.len);
            *outlen = p->tmp.len;
            p->i = i + 1;
            p->clen += quoted_len(p->tmp.p, p->tmp.len);
            return SX_OK;
        }
        if (c < 0x20)
            return fail(p, i, "Unescaped control character in %s", "string");
        if (c == '\\') {
            if (i + 1 >= p->n)
                break;
            char e = p->s[i + 1];
            char lit = 0;
            switch (e) {
            case '"': lit = '"'; break;
            case '\\': lit = '\\'; break;
            case '/': lit = '/'; break;
            case 'b': lit = '\b'; break;
            case 'f': lit = '\f'; break;
            case 'n': lit = '\n'; break;
            case 'r': lit = '\r'; break;
            case 't': lit = '\t'; break;
            case 'u': {
                uint32_t cp, lo;
                if (hex4(p, i + 2, &cp) != SX_OK)
                    return SX_ERR;
                i += 6;
                if (cp >= 0xd800 && cp <= 0xdbff && i + 1 < p->n && p->s[i] == '\\' &&
                    p->s[i + 1] == 'u' && hex4(p, i + 2, &lo) == SX_OK && lo >= 0xdc00 &&
                    lo <= 0xdfff) {
                    cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
                    i += 6;
                } else if (cp >= 0xd800 && cp <= 0xdfff) {
                    cp = 0xfffd;
                }
                put_utf8(&p->tmp, cp);
                continue;
            }
            default:
                return fail(p, i, "Invalid escape in %s", "string");
            }
            sx_sbuf_addc(&p->tmp, lit);
            i += 2;
            continue;
        }
        size_t k = c < 0x80 ? 1 : utf8_valid(s + i, p->n - i);
        if (k == 0)
            return fail(p, i, "Invalid UTF-8 in %s", "string");
        sx_sbuf_add(&p->tmp, p->s + i, k);
        i += k;
    }
    return fail(p, start - 1, "Unterminated %s", "string");
}

/* Converts valid JSON number text with at most 15 significant digits and a decimal exponent
 * within +-22 exactly: both the digits and 10^|e| are exact doubles, so one correctly
 * rounded multiply or divide gives the correctly rounded result (Clinger). Returns false
 * when the text is outside that range (the caller uses strtod). */
static bool
fast_decimal(const char *s, size_t n, double *out)
{
    static const double pow10[] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                   1e8,  1e9,  1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
                                   1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};
    size_t i = 0;
    bool neg = s[0] == '-';
    int64_t m = 0;
    int nd = 0, frac = 0, e = 0;
    if (neg)
        i++;
    for (; i < n && s[i] >= '0' && s[i] <= '9'; i++) {
        if (m == 0 && s[i] == '0')
            continue;
        if (++nd > 15)
            return false;
        m = m * 10 + (s[i] - '0');
    }
    if (i < n && s[i] == '.') {
        for (i++; i < n && s[i] >= '0' && s[i] <= '9'; i++) {
            frac++;
            if (m == 0 && s[i] == '0')
                continue;
            if (++nd > 15)
                return false;
            m = m * 10 + (s[i] - '0');
        }
    }
    if (i < n && (s[i] == 'e' || s[i] == 'E')) {
        bool eneg = false;
        i++;
        if (s[i] == '+' || s[i] == '-')
            eneg = s[i++] == '-';
        for (; i < n; i++) {
            if (e > 1000)
                return false;
            e = e * 10 + (s[i] - '0');
        }
        if (eneg)
            e = -e;
    }
    int p = e - frac;
    if (p < -22 || p > 22)
        return false;
    double d = (double)m;
    d = p < 0 ? d / pow10[-p] : d * pow10[p];
    *out = neg ? -d : d;
    return true;
}

static int
parse_number(parser_t *p, const val_t **out)
{
    const char *s = p->s;
    size_t start = p->i, i = p->i;
    bool simple = true; /* -?digits, at most 15 digits: prints back identically */
    if (i < p->n && s[i] == '-')
        i++;
    if (i >= p->n || s[i] < '0' || s[i] > '9')
        return fail_char(p, "a value");
    if (s[i] == '0') {
        i++;
    } else {
        while (i < p->n && s[i] >= '0' && s[i] <= '9')
            i++;
    }
    size_t digits = i - start - (s[start] == '-');
    if (digits > 15)
        simple = false;
    if (i < p->n && s[i] == '.') {
        simple = false;
        i++;
        if (i >= p->n || s[i] < '0' || s[i] > '9') {
            p->i = i;
            return fail_char(p, "a digit");
        }
        while (i < p->n && s[i] >= '0' && s[i] <= '9')
            i++;
    }
    if (i < p->n && (s[i] == 'e' || s[i] == 'E')) {
        simple = false;
        i++;
        if (i < p->n && (s[i] == '+' || s[i] == '-'))
            i++;
        if (i >= p->n || s[i] < '0' || s[i] > '9') {
            p->i = i;
            return fail_char(p, "a digit");
        }
        while (i < p->n && s[i] >= '0' && s[i] <= '9')
            i++;
    }
    size_t len = i - start;
    double d;
    if (simple) {
        int64_t v = 0;
        for (size_t k = start + (s[start] == '-'); k < i; k++)
            v = v * 10 + (s[k] - '0');
        d = s[start] == '-' ? -(double)v : (double)v;
        if (s[start] == '-' && v == 0)
            simple = false; /* "-0" keeps its text */
    } else if (fast_decimal(s + start, len, &d)) {
        /* exact: Clinger's fast path */
    } else {
        char buf[64];
        if (len < sizeof(buf)) {
            memcpy(buf, s + start, len);
            buf[len] = '\0';
            d = strtod(buf, NULL);
        } else {
            char *tmp = sx_strndup(s + start, len);
            d = strtod(tmp, NULL);
            sx_free(tmp);
        }
    }
    p->i = i;
    p->clen += len; /* prints as its text (or as the same digits) */
    *out = simple ? val_num(p->a, d) : val_num_raw(p->a, d, s + start, len);
    return SX_OK;
}

/* Consumes c when it is the next byte. */
static inline bool
eat(parser_t *p, char c)
{
    if (p->i < p->n && p->s[p->i] == c) {
        p->i++;
        return true;
    }
    return false;
}

static int
expect_word(parser_t *p, const char *w, const val_t *v, const val_t **out)
{
    size_t n = strlen(w);
    if (p->i + n > p->n || memcmp(p->s + p->i, w, n) != 0)
        return fail_char(p, "a value");
    p->i += n;
    p->clen += n;
    *out = v;
    return SX_OK;
}

static int
parse_array(parser_t *p, const val_t **out)
{
    val_arrb_t b;
    p->i++;
    skip_ws(p);
    if (eat(p, ']')) {
        p->clen += 2;
        *out = val_arr_empty();
        return SX_OK;
    }
    p->clen += 1; /* '[' */
    val_arrb_init(&b, p->a, 4);
    for (;;) {
        const val_t *v;
        if (parse_value(p, &v) != SX_OK)
            return SX_ERR;
        val_arrb_push(&b, v);
        p->clen += 1; /* ',' or ']' */
        skip_ws(p);
        if (eat(p, ','))
            continue;
        if (eat(p, ']'))
            break;
        return fail_char(p, "',' or ']'");
    }
    *out = val_arrb_done(&b, 0);
    return SX_OK;
}

static int
parse_object(parser_t *p, const val_t **out)
{
    val_objb_t b;
    p->i++;
    skip_ws(p);
    if (eat(p, '}')) {
        p->clen += 2;
        *out = val_obj_empty();
        return SX_OK;
    }
    p->clen += 1; /* '{' */
    val_objb_init(&b, p->a, 4);
    for (;;) {
        const char *k;
        size_t klen;
        const val_t *v;
        skip_ws(p);
        if (p->i >= p->n || p->s[p->i] != '"')
            return fail_char(p, "a string key");
        if (parse_string_raw(p, &k, &klen) != SX_OK)
            return SX_ERR;
        skip_ws(p);
        if (!eat(p, ':'))
            return fail_char(p, "':'");
        if (parse_value(p, &v) != SX_OK)
            return SX_ERR;
        val_objb_set(&b, str_value(p->a, k, klen, true), v);
        p->clen += 2; /* ':' and ',' or '}' (a repeated key makes this an upper bound) */
        skip_ws(p);
        if (eat(p, ','))
            continue;
        if (eat(p, '}'))
            break;
        return fail_char(p, "',' or '}'");
    }
    *out = val_objb_done(&b);
    return SX_OK;
}

static int
parse_value(parser_t *p, const val_t **out)
{
    skip_ws(p);
    if (p->i >= p->n)
        return fail_char(p, "a value");
    switch (p->s[p->i]) {
    case '{':
    case '[': {
        if (++p->depth > VAL_JSON_MAX_DEPTH)
            return fail(p, p->i, "Nesting deeper than %s levels", "512");
        int rc = p->s[p->i] == '{' ? parse_object(p, out) : parse_array(p, out);
        p->depth--;
        return rc;
    }
    case '"': {
        const char *s;
        size_t n;
        if (parse_string_raw(p, &s, &n) != SX_OK)
            return SX_ERR;
        *out = str_value(p->a, s, n, false);
        return SX_OK;
    }
    case 't':
        return expect_word(p, "true", val_true(), out);
    case 'f':
        return expect_word(p, "false", val_false(), out);
    case 'n':
        return expect_word(p, "null", val_null(), out);
    default:
        return parse_number(p, out);
    }
}

int
val_json_parse(sx_arena_t *a, const char *s, size_t n, const val_t **out, val_json_err_t *err)
{
    return val_json_parse_sized(a, s, n, out, NULL, err);
}

int
val_json_parse_sized(sx_arena_t *a, const char *s, size_t n, const val_t **out, size_t *compact,
                     val_json_err_t *err)
{
    parser_t p = {.a = a, .s = s, .n = n, .i = 0, .depth = 0, .clen = 0, .err = err,
                  .tmp = SX_SBUF_INIT};
    /* A UTF-8 byte order mark is tolerated, as Jackson does. */
    if (n >= 3 && memcmp(s, "\xef\xbb\xbf", 3) == 0)
        p.i = 3;
    int rc = parse_value(&p, out);
    if (rc == SX_OK) {
        skip_ws(&p);
        if (p.i < p.n)
            rc = fail_char(&p, "end of input");
    }
    sx_sbuf_fini(&p.tmp);
    if (compact != NULL)
        *compact = p.clen;
    return rc;
}

/* ---- printing ---- */

size_t
val_num_fmt(double d, char *buf)
{
    if (isnan(d))
        return (size_t)snprintf(buf, VAL_NUM_BUF, "NaN");
    if (isinf(d))
        return (size_t)snprintf(buf, VAL_NUM_BUF, d < 0 ? "-Infinity" : "Infinity");
    if (d == 0)
        return (size_t)snprintf(buf, VAL_NUM_BUF, "0");
    if (d == floor(d) && fabs(d) <= 9007199254740992.0) {
        /* Integers: plain digits, no stdio. */
        char tmp[24];
        int k = 0;
        uint64_t u = (uint64_t)fabs(d);
        do {
            tmp[k++] = (char)('0' + u % 10);
            u /= 10;
        } while (u);
        size_t n = 0;
        if (d < 0)
            buf[n++] = '-';
        while (k)
            buf[n++] = tmp[--k];
        buf[n] = '\0';
        return n;
    }
    /* Shortest digits that round-trip, then laid out as ECMAScript Number::toString. */
    char e[40];
    int prec;
    for (prec = 1; prec <= 17; prec++) {
        snprintf(e, sizeof(e), "%.*e", prec - 1, d);
        if (strtod(e, NULL) == d)
            break;
    }
    /* e = "-d.ddde+XX": collect digits and exponent. */
    char digits[24];
    int nd = 0, exp10;
    const char *q = e;
    bool neg = *q == '-';
    if (neg)
        q++;
    for (; *q && *q != 'e'; q++)
        if (*q >= '0' && *q <= '9')
            digits[nd++] = *q;
    exp10 = atoi(q + 1);
    while (nd > 1 && digits[nd - 1] == '0')
        nd--;
    int n = exp10 + 1; /* position of the decimal point relative to the digits */
    char *o = buf;
    if (neg)
        *o++ = '-';
    if (nd <= n && n <= 21) {
        memcpy(o, digits, (size_t)nd);
        o += nd;
        for (int k = nd; k < n; k++)
            *o++ = '0';
    } else if (0 < n && n <= 21) {
        memcpy(o, digits, (size_t)n);
        o += n;
        *o++ = '.';
        memcpy(o, digits + n, (size_t)(nd - n));
        o += nd - n;
    } else if (-6 < n && n <= 0) {
        *o++ = '0';
        *o++ = '.';
        for (int k = 0; k < -n; k++)
            *o++ = '0';
        memcpy(o, digits, (size_t)nd);
        o += nd;
    } else {
        *o++ = digits[0];
        if (nd > 1) {
            *o++ = '.';
            memcpy(o, digits + 1, (size_t)(nd - 1));
            o += nd - 1;
        }
        o += snprintf(o, 8, "e%c%d", n - 1 >= 0 ? '+' : '-', abs(n - 1));
    }
    *o = '\0';
    return (size_t)(o - buf);
}

void
val_num_print(sx_sbuf_t *b, const val_t *v)
{
    if (v->u.num.raw != NULL) {
        sx_sbuf_adds(b, v->u.num.raw);
        return;
    }
    char buf[VAL_NUM_BUF];
    size_t n = val_num_fmt(v->u.num.d, buf);
    if (!isfinite(v->u.num.d))
        sx_sbuf_adds(b, "null"); /* JSON has no NaN/Infinity: JSON.stringify prints null */
    else
        sx_sbuf_add(b, buf, n);
}

static const char hexdig[] = "0123456789abcdef";

void
val_json_quote(sx_sbuf_t *b, const char *s, size_t n)
{
    sx_sbuf_reserve(b, n + 2);
    sx_sbuf_addc(b, '"');
    size_t run = 0;
    const unsigned char *u = (const unsigned char *)s;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = u[i];
        if (SX_LIKELY((str_class[c] & 3) == 0))
            continue;
        sx_sbuf_add(b, s + run, i - run);
        run = i + 1;
        char esc[7] = {'\\', 0, 0, 0, 0, 0, 0};
        switch (c) {
        case '"': esc[1] = '"'; break;
        case '\\': esc[1] = '\\'; break;
        case '\b': esc[1] = 'b'; break;
        case '\f': esc[1] = 'f'; break;
        case '\n': esc[1] = 'n'; break;
        case '\r': esc[1] = 'r'; break;
        case '\t': esc[1] = 't'; break;
        default:
            esc[1] = 'u';
            esc[2] = '0';
            esc[3] = '0';
            esc[4] = hexdig[c >> 4];
            esc[5] = hexdig[c & 15];
            sx_sbuf_add(b, esc, 6);
            continue;
        }
        sx_sbuf_add(b, esc, 2);
    }
    sx_sbuf_add(b, s + run, n - run);
    sx_sbuf_addc(b, '"');
}

static void
newline(sx_sbuf_t *b, int indent, int level)
{
    sx_sbuf_addc(b, '\n');
    for (int k = 0; k < indent * level; k++)
        sx_sbuf_addc(b, ' ');
}

static void
print_rec(sx_sbuf_t *b, const val_t *v, int indent, int level)
{
    switch (v->type) {
    case VAL_NULL:
        sx_sbuf_add(b, "null", 4);
        return;
    case VAL_BOOL:
        if (v->flags & VAL_F_TRUE)
            sx_sbuf_add(b, "true", 4);
        else
            sx_sbuf_add(b, "false", 5);
        return;
    case VAL_NUM:
        val_num_print(b, v);
        return;
    case VAL_STR:
        val_json_quote(b, v->u.str, v->len);
        return;
    case VAL_ARR:
        sx_sbuf_addc(b, '[');
        for (uint32_t i = 0; i < v->len; i++) {
            if (i)
                sx_sbuf_addc(b, ',');
            if (indent)
                newline(b, indent, level + 1);
            const val_t *it = v->u.items[i];
            if (it == NULL || it->type == VAL_FUNC)
                sx_sbuf_add(b, "null", 4);
            else
                print_rec(b, it, indent, level + 1);
        }
        if (indent && v->len)
            newline(b, indent, level);
        sx_sbuf_addc(b, ']');
        return;
    case VAL_OBJ: {
        sx_sbuf_addc(b, '{');
        bool first = true;
        for (uint32_t i = 0; i < v->len; i++) {
            const val_member_t *m = &v->u.obj.m[i];
            if (m->val == NULL || m->val->type == VAL_FUNC)
                continue;
            if (!first)
                sx_sbuf_addc(b, ',');
            first = false;
            if (indent)
                newline(b, indent, level + 1);
            val_json_quote(b, m->key->u.str, m->key->len);
            sx_sbuf_addc(b, ':');
            if (indent)
                sx_sbuf_addc(b, ' ');
            print_rec(b, m->val, indent, level + 1);
        }
        if (indent && !first)
            newline(b, indent, level);
        sx_sbuf_addc(b, '}');
        return;
    }
    default:
        sx_sbuf_add(b, "\"\"", 2);
        return;
    }
}

void
val_json_print(sx_sbuf_t *b, const val_t *v)
{
    print_rec(b, v, 0, 0);
}

void
val_json_print_pretty(sx_sbuf_t *b, const val_t *v, int indent)
{
    print_rec(b, v, indent, 0);
}

const char *
val_json_str(sx_arena_t *a, const val_t *v, size_t *len)
{
    sx_sbuf_t b = SX_SBUF_INIT;
    print_rec(&b, v, 0, 0);
    const char *s = sx_arena_strndup(a, b.p ? b.p : "", b.len);
    if (len)
        *len = b.len;
    sx_sbuf_fini(&b);
    return s;
}

static size_t
quoted_len(const char *s, size_t n)
{
    size_t len = n + 2;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '"' || c == '\\' || c == '\b' || c == '\f' || c == '\n' || c == '\r' ||
            c == '\t')
            len += 1;
        else if (c < 0x20)
            len += 5;
    }
    return len;
}

size_t
val_json_len(const val_t *v)
{
    switch (v->type) {
    case VAL_NULL:
    case VAL_BOOL:
        return v->flags & VAL_F_TRUE ? 4 : (v->type == VAL_NULL ? 4 : 5);
    case VAL_NUM: {
        if (v->u.num.raw)
            return strlen(v->u.num.raw);
        char buf[VAL_NUM_BUF];
        return isfinite(v->u.num.d) ? val_num_fmt(v->u.num.d, buf) : 4;
    }
    case VAL_STR:
        return quoted_len(v->u.str, v->len);
    case VAL_ARR: {
        size_t len = 2 + (v->len ? v->len - 1 : 0);
        for (uint32_t i = 0; i < v->len; i++) {
            const val_t *it = v->u.items[i];
            len += (it == NULL || it->type == VAL_FUNC) ? 4 : val_json_len(it);
        }
        return len;
    }
    case VAL_OBJ: {
        size_t len = 2, count = 0;
        for (uint32_t i = 0; i < v->len; i++) {
            const val_member_t *m = &v->u.obj.m[i];
            if (m->val == NULL || m->val->type == VAL_FUNC)
                continue;
            len += quoted_len(m->key->u.str, m->key->len) + 1 + val_json_len(m->val);
            count++;
        }
        return len + (count ? count - 1 : 0);
    }
    default:
        return 2;
    }
}
