/*
 * jna_rxfn.c: $match $replace $split $contains (string or regex/matcher patterns), $eval,
 * $clone, and the arity ("ar") of every built-in.
 *
 * Regex patterns are driven through the matcher protocol exactly as jsonata-js does: the
 * first match comes from calling the pattern with the string, the following ones from
 * calling the match's next(); next() after an empty match raises D1004. Offsets in matcher
 * objects are UTF-16 units and are mapped back to byte offsets to cut strings.
 */
#include <math.h>

#include "jna_int.h"
#include "jna_lib_int.h"

#define RXF(name)                                                                              \
    int jna_rx_##name(jna_fctx_t *c, const val_t *const *argv, size_t argc, const val_t **out)

static const val_t *
arg(const val_t *const *argv, size_t argc, size_t i)
{
    return i < argc ? argv[i] : NULL;
}

static int
first_match(jna_fctx_t *c, const val_t *pat, const val_t *str, const val_t **m)
{
    return jna_matcher_call(jna_fctx_ev(c), pat, str, m);
}

static int
next_match(jna_fctx_t *c, const val_t *m, const val_t **nx)
{
    const val_t *fn = val_obj_get(m, "next", 4);
    *nx = NULL;
    if (!jna_is_func(fn))
        return SX_OK;
    return jna_matcher_call(jna_fctx_ev(c), fn, NULL, nx);
}

static size_t
moff(const val_t *m, const char *key, const val_t *str)
{
    const val_t *v = val_obj_get(m, key, strlen(key));
    if (!val_is(v, VAL_NUM))
        return 0;
    return jna_byte_of_u16(str->u.str, str->len, v->u.num.d);
}

static const val_t *
mstr(const val_t *m)
{
    const val_t *v = val_obj_get(m, "match", 5);
    return val_is(v, VAL_STR) ? v : NULL;
}

RXF(match)
{
    const val_t *str = arg(argv, argc, 0), *pat = arg(argv, argc, 1), *lim = arg(argv, argc, 2);
    const val_t *m;
    val_arrb_t b;
    double limit = lim ? lim->u.num.d : INFINITY;
    *out = NULL;
    if (str == NULL)
        return SX_OK;
    if (limit < 0)
        return jna_fail_idx(c->arena, c->err, "D3040", c->position, "match", lim, 3, NULL);
    val_arrb_init(&b, c->arena, 4);
    if (limit > 0) {
        if (first_match(c, pat, str, &m) != SX_OK)
            return SX_ERR;
        for (double count = 0; m != NULL && count < limit; count++) {
            val_objb_t o;
            const val_t *st = val_obj_get(m, "start", 5), *gr = val_obj_get(m, "groups", 6);
            val_objb_init(&o, c->arena, 3);
            if (val_obj_get(m, "match", 5))
                val_objb_sets(&o, "match", val_obj_get(m, "match", 5));
            if (st)
                val_objb_sets(&o, "index", st);
            if (gr)
                val_objb_sets(&o, "groups", gr);
            val_arrb_push(&b, val_objb_done(&o));
            if (next_match(c, m, &m) != SX_OK)
                return SX_ERR;
        }
    }
    *out = val_arrb_done(&b, VAL_F_SEQ);
    return SX_OK;
}

RXF(contains)
{
    const val_t *str = arg(argv, argc, 0), *pat = arg(argv, argc, 1), *m;
    *out = NULL;
    if (str == NULL || pat == NULL)
        return SX_OK;
    if (pat->type == VAL_STR) {
        *out = val_bool(pat->len == 0 ||
                        memmem(str->u.str, str->len, pat->u.str, pat->len) != NULL);
        return SX_OK;
    }
    if (first_match(c, pat, str, &m) != SX_OK)
        return SX_ERR;
    *out = val_bool(m != NULL);
    return SX_OK;
}

static void
push_piece(jna_fctx_t *c, val_arrb_t *b, const char *s, size_t from, size_t to)
{
    val_arrb_push(b, val_str(c->arena, s + from, to > from ? to - from : 0));
}

static void
split_string(jna_fctx_t *c, val_arrb_t *b, const val_t *str, const val_t *sep, double limit)
{
    const char *s = str->u.str;
    size_t n = str->len, pos = 0;
    if (sep->len == 0) {
        while (pos < n && (double)b->len < limit) {
            size_t k = pos;
            jna_u8_next(s, n, &k);
            push_piece(c, b, s, pos, k);
            pos = k;
        }
        return;
    }
    while ((double)b->len < limit) {
        const char *hit = pos <= n ? memmem(s + pos, n - pos, sep->u.str, sep->len) : NULL;
        if (hit == NULL) {
            push_piece(c, b, s, pos, n);
            return;
        }
        push_piece(c, b, s, pos, (size_t)(hit - s));
        pos = (size_t)(hit - s) + sep->len;
    }
}

RXF(split)
{
    const val_t *str = arg(argv, argc, 0), *sep = arg(argv, argc, 1), *lim = arg(argv, argc, 2);
    val_arrb_t b;
    double limit = lim ? floor(lim->u.num.d) : INFINITY;
    *out = NULL;
    if (str == NULL)
        return SX_OK;
    if (lim && lim->u.num.d < 0)
        return jna_fail_idx(c->arena, c->err, "D3020", c->position, "split", lim, 3, NULL);
    val_arrb_init(&b, c->arena, 4);
    if (limit > 0 && sep != NULL && sep->type == VAL_STR) {
        split_string(c, &b, str, sep, limit);
    } else if (limit > 0 && sep != NULL) {
        const val_t *m;
        size_t start = 0;
        double count = 0;
        if (first_match(c, sep, str, &m) != SX_OK)
            return SX_ERR;
        if (m == NULL) {
            val_arrb_push(&b, str);
        } else {
            for (; m != NULL && count < limit; count++) {
                push_piece(c, &b, str->u.str, start, moff(m, "start", str));
                start = moff(m, "end", str);
                if (next_match(c, m, &m) != SX_OK)
                    return SX_ERR;
            }
            if (count < limit)
                push_piece(c, &b, str->u.str, start, str->len);
        }
    }
    *out = val_arrb_done(&b, 0);
    return SX_OK;
}

/* parseInt of up to `maxd` characters at s (JS: whitespace, sign, digits). */
static bool
parse_int_prefix(const char *s, size_t n, size_t maxd, long *v, size_t *used_digits)
{
    size_t i = 0, end = maxd < n ? maxd : n;
    bool neg = false;
    long r = 0;
    while (i < end && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n'))
        i++;
    if (i < end && (s[i] == '+' || s[i] == '-'))
        neg = s[i++] == '-';
    size_t d0 = i;
    while (i < end && s[i] >= '0' && s[i] <= '9')
        r = r * 10 + (s[i++] - '0');
    if (i == d0)
        return false;
    *v = neg ? -r : r;
    *used_digits = i - d0;
    return true;
}

static void
substitute(sx_sbuf_t *b, const val_t *rep, const val_t *m)
{
    const char *r = rep->u.str;
    size_t n = rep->len, pos = 0;
    const val_t *groups = val_obj_get(m, "groups", 6), *whole = mstr(m);
    size_t ng = val_is(groups, VAL_ARR) ? groups->len : 0;
    while (pos < n) {
        const char *d = memchr(r + pos, '$', n - pos);
        if (d == NULL)
            break;
        size_t idx = (size_t)(d - r);
        sx_sbuf_add(b, r + pos, idx - pos);
        pos = idx + 1;
        char dv = pos < n ? r[pos] : 0;
        if (dv == '$') {
            sx_sbuf_addc(b, '$');
            pos++;
        } else if (dv == '0') {
            if (whole)
                sx_sbuf_add(b, whole->u.str, whole->len);
            pos++;
        } else {
            size_t maxd = ng == 0 ? 1 : (size_t)floor(log10((double)ng)) + 1, used;
            long gi;
            bool ok = parse_int_prefix(r + pos, n - pos, maxd, &gi, &used);
            if (ok && maxd > 1 && gi > (long)ng)
                ok = parse_int_prefix(r + pos, n - pos, maxd - 1, &gi, &used);
            if (ok) {
                if (ng > 0 && gi >= 1 && (size_t)gi <= ng) {
                    const val_t *g = groups->u.items[gi - 1];
                    if (val_is(g, VAL_STR))
                        sx_sbuf_add(b, g->u.str, g->len);
                }
                char tmp[24];
                pos += (size_t)snprintf(tmp, sizeof(tmp), "%ld", gi);
            } else {
                sx_sbuf_addc(b, '$');
            }
        }
    }
    if (pos < n)
        sx_sbuf_add(b, r + pos, n - pos);
}

static int
replace_regex(jna_fctx_t *c, sx_sbuf_t *b, const val_t *str, const val_t *pat,
              const val_t *rep, double limit)
{
    const val_t *m;
    size_t pos = 0;
    if (first_match(c, pat, str, &m) != SX_OK)
        return SX_ERR;
    for (double count = 0; m != NULL && count < limit; count++) {
        size_t st = moff(m, "start", str);
        const val_t *ms = mstr(m);
        if (st > pos)
            sx_sbuf_add(b, str->u.str + pos, st - pos);
        if (rep->type == VAL_STR) {
            substitute(b, rep, m);
        } else {
            const val_t *r;
            if (jna_apply(jna_fctx_ev(c), rep, &m, 1, val_null(), jna_fctx_env(c), &r) != SX_OK)
                return SX_ERR;
            if (!val_is(r, VAL_STR))
                return jna_fail(c->arena, c->err, "D3012", c->position, "replace", r, NULL);
            sx_sbuf_add(b, r->u.str, r->len);
        }
        pos = st + (ms ? ms->len : 0);
        if (next_match(c, m, &m) != SX_OK)
            return SX_ERR;
    }
    if (pos < str->len)
        sx_sbuf_add(b, str->u.str + pos, str->len - pos);
    return SX_OK;
}

RXF(replace)
{
    const val_t *str = arg(argv, argc, 0), *pat = arg(argv, argc, 1);
    const val_t *rep = arg(argv, argc, 2), *lim = arg(argv, argc, 3);
    double limit = lim ? lim->u.num.d : INFINITY;
    sx_sbuf_t b = SX_SBUF_INIT;
    *out = NULL;
    if (str == NULL)
        return SX_OK;
    if (val_is(pat, VAL_STR) && pat->len == 0)
        return jna_fail_idx(c->arena, c->err, "D3010", c->position, "replace", pat, 2, NULL);
    if (limit < 0)
        return jna_fail_idx(c->arena, c->err, "D3011", c->position, "replace", lim, 4, NULL);
    if (limit == 0 || pat == NULL || (rep == NULL && pat->type != VAL_STR)) {
        *out = str;
        return SX_OK;
    }
    if (pat->type == VAL_STR) {
        size_t pos = 0;
        for (double count = 0; count < limit; count++) {
            const char *hit = memmem(str->u.str + pos, str->len - pos, pat->u.str, pat->len);
            if (hit == NULL)
                break;
            sx_sbuf_add(&b, str->u.str + pos, (size_t)(hit - str->u.str) - pos);
            if (rep == NULL) /* JS string concatenation of undefined */
                sx_sbuf_adds(&b, "undefined");
            else if (rep->type == VAL_STR)
                sx_sbuf_add(&b, rep->u.str, rep->len);
            pos = (size_t)(hit - str->u.str) + pat->len;
        }
        sx_sbuf_add(&b, str->u.str + pos, str->len - pos);
    } else if (replace_regex(c, &b, str, pat, rep, limit) != SX_OK) {
        sx_sbuf_fini(&b);
        return SX_ERR;
    }
    *out = val_str(c->arena, b.p ? b.p : "", b.len);
    sx_sbuf_fini(&b);
    return SX_OK;
}

RXF(eval)
{
    const val_t *src = arg(argv, argc, 0), *focus = arg(argv, argc, 1);
    const val_t *input = c->input;
    jna_ev_t *ev = jna_fctx_ev(c);
    jna_node_t *ast;
    jna_error_t inner;
    *out = NULL;
    if (src == NULL || ev == NULL)
        return SX_OK;
    if (focus != NULL) {
        input = focus;
        if (input->type == VAL_ARR && !(input->flags & VAL_F_SEQ))
            input = jna_arr_flag(c->arena, jna_seq1(c->arena, input), VAL_F_OUTER, 0);
    }
    memset(&inner, 0, sizeof(inner));
    if (jna_parse(c->arena, src->u.str, src->len, &ast, &inner, NULL) != SX_OK)
        return jna_fail(c->arena, c->err, "D3120", c->position, "eval",
                        val_strz(c->arena, inner.message ? inner.message : inner.code), NULL);
    jna_error_t *saved = ev->err;
    ev->err = &inner;
    int rc = jna_evaluate(ev, ast, input, jna_fctx_env(c), out);
    ev->err = saved;
    if (rc != SX_OK)
        return jna_fail(c->arena, c->err, "D3121", c->position, "eval",
                        val_strz(c->arena, inner.message ? inner.message : inner.code), NULL);
    return SX_OK;
}

RXF(clone)
{
    SX_UNUSED(argc);
    *out = jna_clone_json(c->arena, argv[0], c->aws);
    return SX_OK;
}

typedef struct arity {
    const char *name;
    int ar;
} arity_t;

static const arity_t arities[] = {
    {"string", 1},       {"length", 1},          {"substring", 3},     {"substringBefore", 2},
    {"substringAfter", 2}, {"uppercase", 1},     {"lowercase", 1},     {"trim", 1},
    {"pad", 3},          {"contains", 2},        {"split", 3},         {"join", 2},
    {"match", 3},        {"replace", 4},         {"eval", 2},          {"base64encode", 1},
    {"base64decode", 1}, {"encodeUrlComponent", 1}, {"encodeUrl", 1},  {"decodeUrlComponent", 1},
    {"decodeUrl", 1},    {"formatNumber", 3},    {"formatBase", 2},    {"formatInteger", 2},
    {"parseInteger", 2}, {"number", 1},          {"abs", 1},           {"floor", 1},
    {"ceil", 1},         {"round", 2},           {"power", 2},         {"sqrt", 1},
    {"random", 0},       {"sum", 1},             {"max", 1},           {"min", 1},
    {"average", 1},      {"boolean", 1},         {"not", 1},           {"exists", 1},
    {"count", 1},        {"append", 2},          {"sort", 2},          {"reverse", 1},
    {"shuffle", 1},      {"distinct", 1},        {"zip", 0},           {"keys", 1},
    {"lookup", 2},       {"spread", 1},          {"merge", 1},         {"each", 2},
    {"sift", 2},         {"error", 1},           {"assert", 2},        {"type", 1},
    {"clone", 1},        {"now", 2},             {"millis", 0},        {"fromMillis", 3},
    {"toMillis", 2},     {"map", 2},             {"filter", 2},        {"single", 2},
    {"reduce", 3},
};

int
jna_builtin_arity(const jna_builtin_t *bi)
{
    for (size_t i = 0; i < SX_ARRAY_LEN(arities); i++)
        if (strcmp(arities[i].name, bi->name) == 0)
            return arities[i].ar;
    return -1;
}
