/*
 * jna_lib_format.c: $formatNumber(number, picture[, options]), the XPath F&O 3.1
 * format-number subset as jsonata-js implements it.
 *
 * The picture and the decimal-format properties are handled as arrays of code points
 * (ustr_t, arena-allocated) because jsonata-js works character by character: splitting
 * into prefix / active part / suffix, validation (D3080-D3093, the last failing check wins),
 * analysis (grouping positions, minimum/maximum digits, exponent) and the string surgery of
 * the formatting steps. Quirks of the reference are kept: the fractional grouping scan
 * continues with indexes from the integer part, a picture without a decimal separator
 * takes its suffix as fractional part, separators at positions beyond the digits follow JS
 * slice() with negative indexes. Rounding is $round's (half to even) and digits come from
 * toFixed (jna_num_fixed).
 */
#include <math.h>

#include "jna_lib_int.h"

typedef struct ustr {
    uint32_t *p; /* code points (arena) */
    size_t n;    /* used */
    size_t cap;  /* allocated */
} ustr_t;

typedef struct fmt_props {
    ustr_t dec, grp, exp, minus, pct, permille, zero, digit, patsep;
    uint32_t family[10]; /* the ten digits from zero-digit */
} fmt_props_t;

typedef struct fmt_pic {
    ustr_t sub, prefix, suffix, active, mantissa, integer, fraction;
    bool has_exp;       /* exponent part present */
    ustr_t exponent;    /* exponent part */
    int int_pos[64];    /* integer grouping positions, picture order */
    int nint;
    int frac_pos[64];   /* fractional grouping positions */
    int nfrac;
    int regular;        /* regular integer grouping interval or 0 */
    int min_int, scaling, min_frac, max_frac, min_exp;
} fmt_pic_t;

/* ---- code point strings ---- */

static void
u_reserve(sx_arena_t *a, ustr_t *s, size_t extra)
{
    if (s->n + extra <= s->cap)
        return;
    size_t cap = (s->n + extra) * 2 + 8;
    uint32_t *p = sx_arena_alloc(a, cap * sizeof(*p));
    if (s->n > 0)
        memcpy(p, s->p, s->n * sizeof(*p));
    s->p = p;
    s->cap = cap;
}

static ustr_t
u_from(sx_arena_t *a, const char *s, size_t n)
{
    ustr_t u = {NULL, 0, 0};
    size_t i = 0;

    u_reserve(a, &u, n + 1);
    while (i < n)
        u.p[u.n++] = jna_u8_next(s, n, &i);
    return u;
}

static ustr_t
u_sub(const ustr_t *s, size_t from, size_t to)
{
    ustr_t u;

    if (from > to) { /* JS substring swaps */
        size_t t = from;
        from = to, to = t;
    }
    if (to > s->n)
        to = s->n;
    if (from > to)
        from = to;
    u.p = s->p + from;
    u.n = to - from;
    u.cap = 0; /* a view: copy before growing */
    return u;
}

static long
u_index(const ustr_t *h, const ustr_t *nd, size_t from)
{
    if (nd->n == 0)
        return from <= h->n ? (long)from : (long)h->n;
    for (size_t i = from; i + nd->n <= h->n; i++)
        if (memcmp(h->p + i, nd->p, nd->n * sizeof(uint32_t)) == 0)
            return (long)i;
    return -1;
}

static long
u_last_index(const ustr_t *h, const ustr_t *nd)
{
    if (nd->n > h->n)
        return -1;
    for (size_t i = h->n - nd->n + 1; i > 0; i--)
        if (memcmp(h->p + i - 1, nd->p, nd->n * sizeof(uint32_t)) == 0)
            return (long)(i - 1);
    return -1;
}

static bool
u_is(const ustr_t *prop, uint32_t ch)
{
    return prop->n == 1 && prop->p[0] == ch;
}

/* Inserts ins at position at (clamped) into s (s must be arena-owned, not a view). */
static void
u_insert(sx_arena_t *a, ustr_t *s, size_t at, const ustr_t *ins)
{
    ustr_t copy = *s;

    if (s->cap == 0) { /* detach a view */
        s->p = NULL, s->n = 0, s->cap = 0;
        u_reserve(a, s, copy.n + ins->n + 8);
        if (copy.n > 0)
            memcpy(s->p, copy.p, copy.n * sizeof(uint32_t));
        s->n = copy.n;
    }
    u_reserve(a, s, ins->n);
    if (at > s->n)
        at = s->n;
    if (ins->n == 0)
        return;
    memmove(s->p + at + ins->n, s->p + at, (s->n - at) * sizeof(uint32_t));
    memcpy(s->p + at, ins->p, ins->n * sizeof(uint32_t));
    s->n += ins->n;
}

static void
u_append(sx_arena_t *a, ustr_t *s, const ustr_t *t)
{
    u_insert(a, s, s->n, t);
}

/* JS slice index: negative counts from the end. */
static size_t
js_slice_at(long k, size_t n)
{
    if (k < 0) {
        k += (long)n;
        return k < 0 ? 0 : (size_t)k;
    }
    return (size_t)k > n ? n : (size_t)k;
}

static void
u_put(sx_sbuf_t *b, const ustr_t *s)
{
    for (size_t i = 0; i < s->n; i++)
        jna_u8_put(b, s->p[i]);
}

/* ---- properties ---- */

static bool
is_family(const fmt_props_t *pr, uint32_t ch)
{
    return pr->zero.n > 0 && ch >= pr->family[0] && ch <= pr->family[9];
}

static bool
is_active(const fmt_props_t *pr, uint32_t ch)
{
    return is_family(pr, ch) || u_is(&pr->dec, ch) || u_is(&pr->exp, ch) ||
           u_is(&pr->grp, ch) || u_is(&pr->digit, ch) || u_is(&pr->patsep, ch);
}

static void
props_init(sx_arena_t *a, fmt_props_t *pr, const val_t *opts)
{
    static const struct {
        const char *name, *def;
        size_t off;
    } tab[] = {
        {"decimal-separator", ".", offsetof(fmt_props_t, dec)},
        {"grouping-separator", ",", offsetof(fmt_props_t, grp)},
        {"exponent-separator", "e", offsetof(fmt_props_t, exp)},
        {"minus-sign", "-", offsetof(fmt_props_t, minus)},
        {"percent", "%", offsetof(fmt_props_t, pct)},
        {"per-mille", "\xe2\x80\xb0", offsetof(fmt_props_t, permille)},
        {"zero-digit", "0", offsetof(fmt_props_t, zero)},
        {"digit", "#", offsetof(fmt_props_t, digit)},
        {"pattern-separator", ";", offsetof(fmt_props_t, patsep)},
    };

    for (size_t i = 0; i < SX_ARRAY_LEN(tab); i++) {
        const val_t *v = val_obj_gets(opts, tab[i].name);
        ustr_t *dst = (ustr_t *)((char *)pr + tab[i].off);
        if (val_is(v, VAL_STR))
            *dst = u_from(a, val_str_get(v), val_len(v));
        else
            *dst = u_from(a, tab[i].def, strlen(tab[i].def));
    }
    for (int k = 0; k < 10; k++)
        pr->family[k] = (pr->zero.n > 0 ? pr->zero.p[0] : '0') + (uint32_t)k;
}

/* ---- picture analysis ---- */

static void
split_parts(const fmt_props_t *pr, fmt_pic_t *pic)
{
    const ustr_t *s = &pic->sub;
    size_t n = s->n, pre = 0, suf_start = n; /* no active char: empty prefix and suffix */
    long epos;

    for (size_t i = 0; i < n; i++)
        if (is_active(pr, s->p[i]) && !u_is(&pr->exp, s->p[i])) {
            pre = i;
            break;
        }
    pic->prefix = u_sub(s, 0, pre);
    for (size_t i = n; i > 0; i--)
        if (is_active(pr, s->p[i - 1]) && !u_is(&pr->exp, s->p[i - 1])) {
            suf_start = i;
            break;
        }
    pic->suffix = u_sub(s, suf_start, n);
    pic->active = u_sub(s, pic->prefix.n, n - pic->suffix.n);
    epos = u_index(s, &pr->exp, pic->prefix.n);
    if (pr->exp.n == 0 || epos == -1 || epos > (long)(n - pic->suffix.n)) {
        pic->mantissa = pic->active;
        pic->has_exp = false;
    } else { /* the reference applies picture indexes to the active part */
        pic->mantissa = u_sub(&pic->active, 0, (size_t)epos);
        pic->exponent = u_sub(&pic->active, (size_t)epos + 1, pic->active.n);
        pic->has_exp = true;
    }
    long dpos = u_index(&pic->mantissa, &pr->dec, 0);
    if (pr->dec.n == 0 || dpos == -1) {
        pic->integer = pic->mantissa;
        pic->fraction = pic->suffix;
    } else {
        pic->integer = u_sub(&pic->mantissa, 0, (size_t)dpos);
        pic->fraction = u_sub(&pic->mantissa, (size_t)dpos + 1, pic->mantissa.n);
    }
}

static int
count_digits(const fmt_props_t *pr, const ustr_t *s, size_t from, size_t to, bool with_opt)
{
    int k = 0;

    for (size_t i = from; i < to && i < s->n; i++)
        if (is_family(pr, s->p[i]) || (with_opt && u_is(&pr->digit, s->p[i])))
            k++;
    return k;
}

static bool
one_instance_fails(const ustr_t *s, const ustr_t *prop)
{
    return u_index(s, prop, 0) != u_last_index(s, prop);
}

static const char *
validate(const fmt_props_t *pr, const fmt_pic_t *pic)
{
    const ustr_t *s = &pic->sub;
    const char *err = NULL;
    long dpos = u_index(s, &pr->dec, 0);
    ustr_t gg;
    uint32_t two[2];
    long odp;

    if (one_instance_fails(s, &pr->dec))
        err = "D3081";
    if (one_instance_fails(s, &pr->pct))
        err = "D3082";
    if (one_instance_fails(s, &pr->permille))
        err = "D3083";
    if (u_index(s, &pr->pct, 0) != -1 && u_index(s, &pr->permille, 0) != -1)
        err = "D3084";
    if (count_digits(pr, &pic->mantissa, 0, pic->mantissa.n, true) == 0)
        err = "D3085";
    for (size_t i = 0; i < pic->active.n; i++)
        if (!is_active(pr, pic->active.p[i]))
            err = "D3086";
    if (dpos != -1) {
        if ((dpos > 0 && u_is(&pr->grp, s->p[dpos - 1])) ||
            ((size_t)dpos + 1 < s->n && u_is(&pr->grp, s->p[dpos + 1])))
            err = "D3087";
    } else if (pic->integer.n > 0 && u_is(&pr->grp, pic->integer.p[pic->integer.n - 1])) {
        err = "D3088";
    }
    if (pr->grp.n == 1) {
        two[0] = two[1] = pr->grp.p[0];
        gg = (ustr_t){two, 2, 0};
        if (u_index(s, &gg, 0) != -1)
            err = "D3089";
    }
    odp = -1;
    for (size_t i = 0; i < pic->integer.n && odp < 0; i++)
        if (u_is(&pr->digit, pic->integer.p[i]))
            odp = (long)i;
    if (odp > 0 && count_digits(pr, &pic->integer, 0, (size_t)odp, false) > 0)
        err = "D3090";
    odp = -1;
    for (size_t i = pic->fraction.n; i > 0 && odp < 0; i--)
        if (u_is(&pr->digit, pic->fraction.p[i - 1]))
            odp = (long)(i - 1);
    if (odp >= 0 && count_digits(pr, &pic->fraction, (size_t)odp, pic->fraction.n, false) > 0)
        err = "D3091";
    if (pic->has_exp && pic->exponent.n > 0 &&
        (u_index(s, &pr->pct, 0) != -1 || u_index(s, &pr->permille, 0) != -1))
        err = "D3092";
    if (pic->has_exp) {
        bool bad = pic->exponent.n == 0;
        for (size_t i = 0; i < pic->exponent.n; i++)
            if (!is_family(pr, pic->exponent.p[i]))
                bad = true;
        if (bad)
            err = "D3093";
    }
    return err;
}

static const char *
error_text(const char *code)
{
    static const struct {
        const char *code, *msg;
    } tab[] = {
        {"D3080", "The picture string must only contain a maximum of two sub-pictures"},
        {"D3081", "The sub-picture must not contain more than one instance of the "
                  "'decimal-separator' character"},
        {"D3082", "The sub-picture must not contain more than one instance of the 'percent' "
                  "character"},
        {"D3083", "The sub-picture must not contain more than one instance of the 'per-mille' "
                  "character"},
        {"D3084", "The sub-picture must not contain both a 'percent' and a 'per-mille' "
                  "character"},
        {"D3085", "The mantissa part of a sub-picture must contain at least one character that "
                  "is either an 'optional digit character' or a member of the 'decimal digit "
                  "family'"},
        {"D3086", "The sub-picture must not contain a passive character that is preceded by an "
                  "active character and that is followed by another active character"},
        {"D3087", "The sub-picture must not contain a 'grouping-separator' character that "
                  "appears adjacent to a 'decimal-separator' character"},
        {"D3088", "The sub-picture must not contain a 'grouping-separator' at the end of the "
                  "integer part"},
        {"D3089", "The sub-picture must not contain two adjacent instances of the "
                  "'grouping-separator' character"},
        {"D3090", "The integer part of the sub-picture must not contain a member of the "
                  "'decimal digit family' that is followed by an instance of the 'optional "
                  "digit character'"},
        {"D3091", "The fractional part of the sub-picture must not contain an instance of the "
                  "'optional digit character' that is followed by a member of the 'decimal "
                  "digit family'"},
        {"D3092", "A sub-picture that contains a 'percent' or 'per-mille' character must not "
                  "contain a character treated as an 'exponent-separator'"},
        {"D3093", "The exponent part of the sub-picture must comprise only of one or more "
                  "characters that are members of the 'decimal digit family'"},
    };
    for (size_t i = 0; i < SX_ARRAY_LEN(tab); i++)
        if (strcmp(tab[i].code, code) == 0)
            return tab[i].msg;
    return code;
}

/* getGroupingPositions: the scan continues with indexes from the integer part. */
static int
grouping_positions(const fmt_props_t *pr, const fmt_pic_t *pic, const ustr_t *part,
                   bool to_left, int *out, int max)
{
    int n = 0;
    long gp = u_index(part, &pr->grp, 0);

    while (gp != -1 && n < max && pr->grp.n > 0) {
        out[n++] = to_left ? count_digits(pr, part, 0, (size_t)gp, true)
                           : count_digits(pr, part, (size_t)gp, part->n, true);
        gp = u_index(&pic->integer, &pr->grp, (size_t)gp + 1);
    }
    return n;
}

static int
regular_of(const int *pos, int n)
{
    int g;

    if (n == 0)
        return 0;
    g = pos[0];
    for (int i = 1; i < n; i++) {
        int a = g, b = pos[i];
        while (b != 0) {
            int t = a % b;
            a = b, b = t;
        }
        g = a;
    }
    for (int k = 1; k <= n; k++) {
        bool found = false;
        for (int i = 0; i < n && !found; i++)
            found = pos[i] == k * g;
        if (!found)
            return 0;
    }
    return g;
}

static void
analyse(const fmt_props_t *pr, fmt_pic_t *pic)
{
    pic->nint = grouping_positions(pr, pic, &pic->integer, false, pic->int_pos, 64);
    pic->regular = regular_of(pic->int_pos, pic->nint);
    pic->nfrac = grouping_positions(pr, pic, &pic->fraction, true, pic->frac_pos, 64);
    pic->min_int = count_digits(pr, &pic->integer, 0, pic->integer.n, false);
    pic->scaling = pic->min_int;
    pic->min_frac = count_digits(pr, &pic->fraction, 0, pic->fraction.n, false);
    pic->max_frac = count_digits(pr, &pic->fraction, 0, pic->fraction.n, true);
    if (pic->min_int == 0 && pic->max_frac == 0) {
        if (pic->has_exp)
            pic->min_frac = pic->max_frac = 1;
        else
            pic->min_int = 1;
    }
    if (pic->has_exp && pic->min_int == 0 && u_index(&pic->integer, &pr->digit, 0) != -1)
        pic->min_int = 1;
    if (pic->min_int == 0 && pic->min_frac == 0)
        pic->min_frac = 1;
    pic->min_exp = pic->has_exp ? count_digits(pr, &pic->exponent, 0, pic->exponent.n, false) : 0;
}

/* ---- formatting ---- */

/* Math.abs(v).toFixed(dp) with digits mapped into the family. */
static ustr_t
make_string(sx_arena_t *a, const fmt_props_t *pr, double v, int dp)
{
    sx_sbuf_t b = SX_SBUF_INIT;
    char num[VAL_NUM_BUF];
    ustr_t u;

    v = fabs(v);
    if (v >= 1e21 || !isfinite(v))
        sx_sbuf_add(&b, num, val_num_fmt(v, num));
    else
        jna_num_fixed(&b, v, dp);
    u = u_from(a, b.p, b.len);
    sx_sbuf_fini(&b);
    for (size_t i = 0; i < u.n; i++)
        if (u.p[i] >= '0' && u.p[i] <= '9')
            u.p[i] = pr->family[u.p[i] - '0'];
    return u;
}

static ustr_t
repeat(sx_arena_t *a, const ustr_t *s, long times)
{
    ustr_t u = {NULL, 0, 0};

    for (long i = 0; i < times; i++)
        u_append(a, &u, s);
    return u;
}

static void
group_digits(sx_arena_t *a, const fmt_props_t *pr, const fmt_pic_t *pic, ustr_t *sv)
{
    long dpos = u_index(sv, &pr->dec, 0);

    if (pic->regular > 0) {
        long count = (dpos - 1) / pic->regular;
        for (long g = 1; g <= count; g++)
            u_insert(a, sv, js_slice_at(dpos - g * pic->regular, sv->n), &pr->grp);
    } else {
        for (int i = 0; i < pic->nint; i++) {
            u_insert(a, sv, js_slice_at(dpos - pic->int_pos[i], sv->n), &pr->grp);
            dpos++;
        }
    }
    dpos = u_index(sv, &pr->dec, 0);
    for (int i = 0; i < pic->nfrac; i++)
        u_insert(a, sv, js_slice_at(pic->frac_pos[i] + dpos + 1, sv->n), &pr->grp);
}

static void
format_value(sx_arena_t *a, const fmt_props_t *pr, const fmt_pic_t *pic, double value,
             sx_sbuf_t *out)
{
    double m = value, r;
    long e = 0, dpos, pad, padr;
    ustr_t sv, zero1 = u_sub(&pr->zero, 0, 1);

    if (u_index(&pic->sub, &pr->pct, 0) != -1)
        m = value * 100;
    else if (u_index(&pic->sub, &pr->permille, 0) != -1)
        m = value * 1000;
    if (pic->min_exp > 0 && m != 0 && isfinite(m)) {
        double maxm = jna_js_pow(10, pic->scaling), minm = jna_js_pow(10, pic->scaling - 1);
        while (fabs(m) < minm) {
            m *= 10;
            e--;
        }
        while (fabs(m) > maxm) {
            m /= 10;
            e++;
        }
    }
    r = jna_num_round(m, pic->max_frac);
    sv = make_string(a, pr, r, pic->max_frac);
    dpos = u_index(&sv, &(ustr_t){(uint32_t[]){'.'}, 1, 0}, 0);
    if (dpos == -1) {
        u_append(a, &sv, &pr->dec);
    } else {
        ustr_t rest = u_sub(&sv, (size_t)dpos + 1, sv.n), head = u_sub(&sv, 0, (size_t)dpos);
        ustr_t nsv = {NULL, 0, 0};
        u_append(a, &nsv, &head);
        u_append(a, &nsv, &pr->dec);
        u_append(a, &nsv, &rest);
        sv = nsv;
    }
    while (sv.n > 0 && u_is(&pr->zero, sv.p[0]))
        sv = u_sub(&sv, 1, sv.n);
    while (sv.n > 0 && u_is(&pr->zero, sv.p[sv.n - 1]))
        sv = u_sub(&sv, 0, sv.n - 1);
    dpos = u_index(&sv, &pr->dec, 0);
    pad = pic->min_int - dpos;
    padr = pic->min_frac - ((long)sv.n - dpos - 1);
    if (pad > 0) {
        ustr_t z = repeat(a, &zero1, pad);
        u_insert(a, &z, z.n, &sv);
        sv = z;
    }
    if (padr > 0) {
        ustr_t z = repeat(a, &zero1, padr);
        u_insert(a, &sv, sv.n, &z);
    }
    group_digits(a, pr, pic, &sv);
    dpos = u_index(&sv, &pr->dec, 0);
    if (u_index(&pic->sub, &pr->dec, 0) == -1 || (dpos >= 0 && (size_t)dpos == sv.n - 1))
        sv = u_sub(&sv, 0, sv.n > 0 ? sv.n - 1 : 0);
    u_put(out, &pic->prefix);
    u_put(out, &sv);
    if (pic->min_exp > 0) {
        ustr_t es = make_string(a, pr, (double)e, 0);
        u_put(out, &pr->exp);
        if (e < 0)
            u_put(out, &pr->minus);
        for (long k = (long)es.n; k < pic->min_exp; k++)
            u_put(out, &zero1);
        u_put(out, &es);
    }
    u_put(out, &pic->suffix);
}

JNA_BI(format_number)
{
    const val_t *pv = argc > 1 ? argv[1] : NULL, *opts = argc > 2 ? argv[2] : NULL;
    fmt_props_t pr;
    fmt_pic_t pics[2];
    ustr_t picture;
    int npics = 0;
    size_t start = 0;
    sx_sbuf_t b = SX_SBUF_INIT;
    double value;

    if (argv[0] == NULL) {
        *out = NULL;
        return SX_OK;
    }
    if (pv == NULL)
        return jna_fctx_fail(c, "T0410", NULL,
                             "Argument 2 of function formatNumber does not match function "
                             "signature");
    memset(pics, 0, sizeof(pics));
    props_init(c->arena, &pr, opts);
    picture = u_from(c->arena, val_str_get(pv), val_len(pv));
    for (;;) { /* split on the pattern separator */
        long at = pr.patsep.n > 0 ? u_index(&picture, &pr.patsep, start) : -1;
        size_t end = at < 0 ? picture.n : (size_t)at;
        if (npics == 2)
            return jna_fctx_fail(c, "D3080", NULL, "%s", error_text("D3080"));
        pics[npics++].sub = u_sub(&picture, start, end);
        if (at < 0)
            break;
        start = end + pr.patsep.n;
    }
    for (int i = 0; i < npics; i++)
        split_parts(&pr, &pics[i]);
    for (int i = 0; i < npics; i++) {
        const char *err = validate(&pr, &pics[i]);
        if (err != NULL)
            return jna_fctx_fail(c, err, NULL, "%s", error_text(err));
    }
    for (int i = 0; i < npics; i++)
        analyse(&pr, &pics[i]);
    if (npics == 1) {
        pics[1] = pics[0];
        ustr_t pre = {NULL, 0, 0};
        u_append(c->arena, &pre, &pr.minus);
        u_append(c->arena, &pre, &pics[0].prefix);
        pics[1].prefix = pre;
    }
    value = val_num_get(argv[0]);
    format_value(c->arena, &pr, value >= 0 ? &pics[0] : &pics[1], value, &b);
    *out = jna_sbuf_val(c->arena, &b);
    sx_sbuf_fini(&b);
    return SX_OK;
}
