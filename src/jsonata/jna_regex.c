/*
 * jna_regex.c: JavaScript regular expressions on PCRE2, and the matcher protocol.
 *
 * A regex literal is compiled once, at parse time, into the compile arena (PCRE2 allocates
 * through a general context whose malloc is the arena, so freeing the arena frees it).
 * The JS pattern is rewritten first (see the reference §8.4): '.' excludes all JS line
 * terminators, \s \S use JS's Unicode space set, \v and unknown letter escapes are
 * literals, \1..\9 beyond the group count are octal escapes or digits, '{' that does not
 * start a quantifier is literal, [^] matches anything and [] nothing, \uXXXX surrogate pairs
 * are joined (all \u and \x escapes become \x{...}). Options: UTF, ALLOW_EMPTY_CLASS, MATCH_UNSET_BACKREF, DOLLAR_ENDONLY
 * (+CASELESS for i; for m, ^ and $ become lookarounds over all JS line terminators);
 * no UCP, so \d \w \b stay ASCII as in JS. A - next to a class escape inside [...] is a
 * literal -, and \k is a named backreference only when the pattern has named groups.
 *
 * Offsets reported to JSONata ($match index, matcher start/end) are UTF-16 code units, as
 * in jsonata-js. Matching is bounded (match and depth limits) so hostile patterns fail
 * instead of running away.
 */
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include "jna_int.h"

struct jna_regex {
    pcre2_code *code;   /* arena-allocated */
    int ngroups;        /* capture groups */
    const char *source; /* JS pattern text */
};

typedef struct rx_mem {
    pcre2_general_context *g;
    pcre2_match_context *m;
} rx_mem_t;

static void *
arena_malloc(size_t n, void *ud)
{
    return sx_arena_alloc(ud, n);
}

static void
arena_free(void *p, void *ud)
{
    SX_UNUSED(p), SX_UNUSED(ud);
}

static const char js_space[] =
    "\\t\\n\\x0B\\f\\r \\x{a0}\\x{1680}\\x{2000}-\\x{200a}\\x{2028}\\x{2029}\\x{202f}"
    "\\x{205f}\\x{3000}\\x{feff}";

/* Capture groups of the JS pattern; *named set when one of them is named. */
static int
count_groups(const char *p, size_t n, bool *named)
{
    int g = 0;
    *named = false;
    bool cls = false;
    for (size_t i = 0; i < n; i++) {
        if (p[i] == '\\') {
            i++;
        } else if (cls) {
            if (p[i] == ']')
                cls = false;
        } else if (p[i] == '[') {
            cls = true;
        } else if (p[i] == '(') {
            if (i + 1 < n && p[i + 1] == '?') {
                if (i + 2 < n && p[i + 2] == '<' && i + 3 < n && p[i + 3] != '=' &&
                    p[i + 3] != '!') {
                    g++;
                    *named = true;
                }
            } else {
                g++;
            }
        }
    }
    return g;
}

static bool
is_quantifier(const char *p, size_t n, size_t i)
{
    size_t j = i + 1;
    if (j >= n || p[j] < '0' || p[j] > '9')
        return false;
    while (j < n && p[j] >= '0' && p[j] <= '9')
        j++;
    if (j < n && p[j] == ',') {
        j++;
        while (j < n && p[j] >= '0' && p[j] <= '9')
            j++;
    }
    return j < n && p[j] == '}';
}

static int
hexval(const char *s, size_t n, int digits)
{
    int v = 0;
    if ((size_t)digits > n)
        return -1;
    for (int i = 0; i < digits; i++) {
        char c = s[i];
        int d = c >= '0' && c <= '9'   ? c - '0'
                : c >= 'a' && c <= 'f' ? c - 'a' + 10
                : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                       : -1;
        if (d < 0)
            return -1;
        v = v * 16 + d;
    }
    return v;
}

/* Translates the escape at p[i] == '\\'; returns the index of its last character. */
static size_t
tr_escape(sx_sbuf_t *b, const char *p, size_t n, size_t i, bool cls, int ngroups, bool named)
{
    char c = i + 1 < n ? p[i + 1] : '\\';
    if (i + 1 >= n) {
        sx_sbuf_adds(b, "\\\\");
        return i;
    }
    switch (c) {
    case 'd': case 'D': case 'w': case 'W': case 'n': case 'r': case 't': case 'f':
        sx_sbuf_addc(b, '\\');
        sx_sbuf_addc(b, c);
        return i + 1;
    case 'b': case 'B':
        if (cls && c == 'b')
            sx_sbuf_adds(b, "\\x08");
        else {
            sx_sbuf_addc(b, '\\');
            sx_sbuf_addc(b, c);
        }
        return i + 1;
    case 's':
        sx_sbuf_adds(b, cls ? "" : "[");
        sx_sbuf_adds(b, js_space);
        sx_sbuf_adds(b, cls ? "" : "]");
        return i + 1;
    case 'S':
        if (cls) {
            sx_sbuf_adds(b, "\\S");
        } else {
            sx_sbuf_adds(b, "[^");
            sx_sbuf_adds(b, js_space);
            sx_sbuf_adds(b, "]");
        }
        return i + 1;
    case 'v':
        sx_sbuf_adds(b, "\\x0B");
        return i + 1;
    case 'c':
        if (i + 2 < n && ((p[i + 2] >= 'a' && p[i + 2] <= 'z') || (p[i + 2] >= 'A' && p[i + 2] <= 'Z'))) {
            sx_sbuf_addf(b, "\\x{%x}", p[i + 2] % 32);
            return i + 2;
        }
        sx_sbuf_adds(b, "\\\\c");
        return i + 1;
    case 'u': {
        int hi = hexval(p + i + 2, n - i - 2, 4);
        if (hi < 0) {
            sx_sbuf_addc(b, 'u');
            return i + 1;
        }
        if (hi >= 0xd800 && hi <= 0xdbff && i + 11 < n + 0 && p[i + 6] == '\\' && p[i + 7] == 'u') {
            int lo = hexval(p + i + 8, n - i - 8, 4);
            if (lo >= 0xdc00 && lo <= 0xdfff) {
                sx_sbuf_addf(b, "\\x{%x}", 0x10000 + ((hi - 0xd800) << 10) + (lo - 0xdc00));
                return i + 11;
            }
        }
        if (hi >= 0xd800 && hi <= 0xdfff)
            sx_sbuf_adds(b, cls ? "" : "(?!)");
        else
            sx_sbuf_addf(b, "\\x{%x}", hi);
        return i + 5;
    }
    case 'x': {
        int v = hexval(p + i + 2, n - i - 2, 2);
        if (v < 0) {
            sx_sbuf_addc(b, 'x');
            return i + 1;
        }
        sx_sbuf_addf(b, "\\x{%x}", v);
        return i + 3;
    }
    case '0': case '1': case '2': case '3': case '4': case '5': case '6': case '7': case '8':
    case '9': {
        size_t j = i + 1;
        int num = 0;
        while (j < n && p[j] >= '0' && p[j] <= '9' && num < 1000)
            num = num * 10 + (p[j++] - '0');
        if (!cls && c != '0' && num <= ngroups) {
            sx_sbuf_addf(b, "(?:\\%d)", num);
            return j - 1;
        }
        if (c >= '8') {
            sx_sbuf_addc(b, c);
            return i + 1;
        }
        /* octal escape: up to 3 octal digits, value <= 0377 */
        j = i + 1;
        int v = 0;
        while (j < n && j < i + 4 && p[j] >= '0' && p[j] <= '7' && v * 8 + (p[j] - '0') <= 0377)
            v = v * 8 + (p[j++] - '0');
        sx_sbuf_addf(b, "\\x{%x}", v);
        return j - 1;
    }
    case 'k': /* a backreference only when the pattern has named groups, else a 'k' */
        if (!cls && named && i + 2 < n && p[i + 2] == '<') {
            sx_sbuf_adds(b, "\\k");
            return i + 1;
        }
        sx_sbuf_addc(b, 'k');
        return i + 1;
    default:
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (unsigned char)c >= 0x80) {
            sx_sbuf_addc(b, c);
        } else {
            sx_sbuf_addc(b, '\\');
            sx_sbuf_addc(b, c);
        }
        return i + 1;
    }
}

/* \d \D \w \W \s \S at p[i]: a class escape, which cannot end a range in JS (a '-' next
 * to one is a literal '-' there, an error in PCRE2). */
static bool
class_escape_at(const char *p, size_t n, size_t i)
{
    return i + 1 < n && p[i] == '\\' && strchr("dDwWsS", p[i + 1]) != NULL && p[i + 1] != 0;
}

/* Multiline '^' and '$' see all JS line terminators (PCRE2_MULTILINE knows only \n). */
static const char js_bol[] = "(?:^|(?<=[\\n\\r\\x{2028}\\x{2029}]))";
static const char js_eol[] = "(?=[\\n\\r\\x{2028}\\x{2029}]|\\z)";

static void
translate(sx_sbuf_t *b, const char *p, size_t n, bool multiline)
{
    bool named;
    int ngroups = count_groups(p, n, &named);
    bool cls = false, after_cls_escape = false;
    for (size_t i = 0; i < n; i++) {
        char c = p[i];
        bool was_cls_escape = after_cls_escape;
        after_cls_escape = false;
        if (c == '\\') {
            after_cls_escape = cls && class_escape_at(p, n, i);
            i = tr_escape(b, p, n, i, cls, ngroups, named);
        } else if (cls) {
            if (c == ']')
                cls = false;
            if (c == '[')
                sx_sbuf_adds(b, "\\[");
            else if (c == '-' && i + 1 < n && p[i + 1] != ']' &&
                     (was_cls_escape || class_escape_at(p, n, i + 1)))
                sx_sbuf_adds(b, "\\-");
            else
                sx_sbuf_addc(b, c);
        } else if (c == '[') {
            if (i + 2 < n + 1 && i + 1 < n && p[i + 1] == ']') {
                sx_sbuf_adds(b, "(?!)");
                i++;
            } else if (i + 2 < n && p[i + 1] == '^' && p[i + 2] == ']') {
                sx_sbuf_adds(b, "[\\s\\S]");
                i += 2;
            } else {
                cls = true;
                sx_sbuf_addc(b, '[');
                if (i + 1 < n && p[i + 1] == '^') {
                    sx_sbuf_addc(b, '^');
                    i++;
                }
                if (i + 1 < n && p[i + 1] == ']') {
                    sx_sbuf_adds(b, "\\]");
                    i++;
                    cls = true;
                }
            }
        } else if (c == '.') {
            sx_sbuf_adds(b, "[^\\n\\r\\x{2028}\\x{2029}]");
        } else if (multiline && c == '^') {
            sx_sbuf_adds(b, js_bol);
        } else if (multiline && c == '$') {
            sx_sbuf_adds(b, js_eol);
        } else if (c == '{' && !is_quantifier(p, n, i)) {
            sx_sbuf_adds(b, "\\{");
        } else if (c == '}') {
            bool q = false;
            for (size_t k = i; k > 0; k--) {
                if (p[k - 1] == '{') {
                    q = is_quantifier(p, n, k - 1);
                    break;
                }
                if (!((p[k - 1] >= '0' && p[k - 1] <= '9') || p[k - 1] == ','))
                    break;
            }
            sx_sbuf_adds(b, q ? "}" : "\\}");
        } else {
            sx_sbuf_addc(b, c);
        }
    }
}

int
jna_regex_compile(sx_arena_t *a, const char *pat, size_t n, const char *flags, jna_regex_t **out,
                  jna_error_t *err, int position)
{
    sx_sbuf_t b = SX_SBUF_INIT;
    int ec;
    PCRE2_SIZE eo;
    uint32_t opts = PCRE2_UTF | PCRE2_ALLOW_EMPTY_CLASS |
                    PCRE2_MATCH_UNSET_BACKREF | PCRE2_DOLLAR_ENDONLY;
    if (strchr(flags, 'i'))
        opts |= PCRE2_CASELESS;
    translate(&b, pat, n, strchr(flags, 'm') != NULL);
    pcre2_general_context *g = pcre2_general_context_create(arena_malloc, arena_free, a);
    pcre2_compile_context *cc = pcre2_compile_context_create(g);
    pcre2_code *code = pcre2_compile((PCRE2_SPTR)(b.p ? b.p : ""), b.len, opts, &ec, &eo, cc);
    sx_sbuf_fini(&b);
    if (code == NULL) {
        PCRE2_UCHAR msg[160];
        pcre2_get_error_message(ec, msg, sizeof(msg));
        jna_fail(a, err, "S0303", position, NULL, NULL, NULL);
        err->message = sx_arena_printf(a, NULL, "Invalid regular expression: /%.*s/: %s",
                                       (int)n, pat, (const char *)msg);
        return SX_ERR;
    }
    jna_regex_t *re = sx_arena_alloc(a, sizeof(*re));
    uint32_t cap = 0;
    pcre2_pattern_info(code, PCRE2_INFO_CAPTURECOUNT, &cap);
    re->code = code;
    re->ngroups = (int)cap;
    re->source = sx_arena_strndup(a, pat, n);
    *out = re;
    return SX_OK;
}

int
jna_regex_ngroups(const jna_regex_t *re)
{
    return re->ngroups;
}

const char *
jna_regex_source(const jna_regex_t *re)
{
    return re->source;
}

static rx_mem_t *
rx_mem(jna_ev_t *ev)
{
    if (ev->gctx == NULL) {
        rx_mem_t *m = sx_arena_alloc(ev->a, sizeof(*m));
        m->g = pcre2_general_context_create(arena_malloc, arena_free, ev->a);
        m->m = pcre2_match_context_create(m->g);
        pcre2_set_match_limit(m->m, 5000000);
        pcre2_set_depth_limit(m->m, 100000);
        ev->gctx = m;
    }
    return ev->gctx;
}

int
jna_regex_exec(jna_ev_t *ev, const jna_regex_t *re, const char *s, size_t n, size_t from,
               long *ov)
{
    rx_mem_t *m = rx_mem(ev);
    pcre2_match_data *md = pcre2_match_data_create_from_pattern(re->code, m->g);
    int rc = pcre2_match(re->code, (PCRE2_SPTR)s, n, from, 0, md, m->m);
    if (rc == PCRE2_ERROR_NOMATCH || rc == PCRE2_ERROR_BADOFFSET || (rc < 0 && rc > -70))
        return 0; /* no match, or invalid UTF-8 subject (lone surrogates) */
    if (rc < 0) {
        jna_fail(ev->a, ev->err, "U1001", -1, NULL, NULL, NULL);
        ev->err->message = "Regular expression evaluation exceeded its resource limits";
        return SX_ERR;
    }
    PCRE2_SIZE *o = pcre2_get_ovector_pointer(md);
    for (int i = 0; i <= re->ngroups; i++) {
        bool set = i < rc && o[2 * i] != PCRE2_UNSET;
        ov[2 * i] = set ? (long)o[2 * i] : -1;
        ov[2 * i + 1] = set ? (long)o[2 * i + 1] : -1;
    }
    return 1;
}

size_t
jna_u16_of_byte(const char *s, size_t b)
{
    return val_str_u16len(s, b);
}

size_t
jna_byte_of_u16(const char *s, size_t n, double u16)
{
    size_t i = 0, u = 0;
    if (u16 <= 0)
        return 0;
    while (i < n && (double)u < u16) {
        unsigned char c = (unsigned char)s[i];
        size_t len = c < 0x80 ? 1 : c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : c >= 0xc0 ? 2 : 1;
        u += len == 4 ? 2 : 1;
        i += len;
    }
    return i > n ? n : i;
}

/* Builds {match, start, end, groups, next}. */
static const val_t *
matcher_obj(jna_ev_t *ev, const jna_fn_t *rf, const char *s, size_t n, const long *ov, int ng)
{
    val_objb_t b;
    val_arrb_t g;
    jna_fn_t *nx = sx_arena_calloc(ev->a, sizeof(*nx));
    val_objb_init(&b, ev->a, 5);
    val_objb_sets(&b, "match", val_str(ev->a, s + ov[0], (size_t)(ov[1] - ov[0])));
    val_objb_sets(&b, "start", val_num(ev->a, (double)jna_u16_of_byte(s, (size_t)ov[0])));
    val_objb_sets(&b, "end", val_num(ev->a, (double)jna_u16_of_byte(s, (size_t)ov[1])));
    val_arrb_init(&g, ev->a, (size_t)ng);
    for (int i = 1; i <= ng; i++)
        val_arrb_push(&g, ov[2 * i] < 0 ? val_null()
                                        : val_str(ev->a, s + ov[2 * i],
                                                  (size_t)(ov[2 * i + 1] - ov[2 * i])));
    val_objb_sets(&b, "groups", val_arrb_done(&g, 0));
    nx->kind = JF_MATCH_NEXT;
    nx->renode = rf->renode;
    nx->str = s;
    nx->slen = n;
    nx->last = (size_t)ov[1];
    val_objb_sets(&b, "next", val_func(ev->a, nx, jna_k_closure));
    return val_objb_done(&b);
}

int
jna_regex_call(jna_ev_t *ev, const jna_fn_t *f, const val_t *const *args, size_t argc,
               const val_t **out)
{
    const jna_regex_t *re = f->renode->re;
    long *ov = sx_arena_alloc(ev->a, (size_t)(re->ngroups + 1) * 2 * sizeof(long));
    *out = NULL;
    if (argc < 1 || !val_is(args[0], VAL_STR))
        return SX_OK;
    const char *s = args[0]->u.str;
    size_t n = args[0]->len, from = 0;
    if (argc > 1 && val_is(args[1], VAL_NUM))
        from = jna_byte_of_u16(s, n, args[1]->u.num.d);
    int rc = jna_regex_exec(ev, re, s, n, from, ov);
    if (rc < 0)
        return SX_ERR;
    if (rc > 0)
        *out = matcher_obj(ev, f, s, n, ov, re->ngroups);
    return SX_OK;
}

int
jna_regex_next(jna_ev_t *ev, const jna_fn_t *f, const val_t **out)
{
    const jna_regex_t *re = f->renode->re;
    long *ov = sx_arena_alloc(ev->a, (size_t)(re->ngroups + 1) * 2 * sizeof(long));
    *out = NULL;
    if (f->last >= f->slen)
        return SX_OK;
    int rc = jna_regex_exec(ev, re, f->str, f->slen, f->last, ov);
    if (rc < 0)
        return SX_ERR;
    if (rc == 0)
        return SX_OK;
    if (ov[0] == ov[1])
        return jna_fail(ev->a, ev->err, "D1004", f->renode->position, NULL,
                        val_strz(ev->a, re->source), NULL);
    *out = matcher_obj(ev, f, f->str, f->slen, ov, re->ngroups);
    return SX_OK;
}

int
jna_matcher_call(jna_ev_t *ev, const val_t *matcher, const val_t *str, const val_t **out)
{
    const val_t *r;
    if (jna_apply(ev, matcher, &str, str ? 1 : 0, val_null(), ev->root, &r) != SX_OK)
        return SX_ERR;
    if (r != NULL) {
        const val_t *st = val_obj_get(r, "start", 5), *gr = val_obj_get(r, "groups", 6);
        const val_t *nx = val_obj_get(r, "next", 4);
        if (!(val_is(st, VAL_NUM) || val_is(gr, VAL_ARR) || jna_is_func(nx)))
            return jna_fail(ev->a, ev->err, "T1010", -1, NULL, NULL, NULL);
    }
    *out = r;
    return SX_OK;
}
