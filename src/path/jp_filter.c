/*
 * jp_filter.c: Jayway filter expressions, `[?( ... )]`.
 *
 *   or    := and ("||" and)*
 *   and   := unary ("&&" unary)*
 *   unary := "!" unary | "(" or ")" | rel
 *   rel   := operand [relop operand]        (a lone path operand tests existence)
 *   relop := == != < <= > >= =~ in nin subsetof anyof noneof contains size empty
 *   operand := @path | $path | 'str' | "str" | number | true | false | null | /re/flags
 *            | [literal, ...] | {json}
 *
 * Semantics follow Jayway's evaluators: == compares numbers by value and a number with a
 * string by text (1 == '1'); != is the negation of == (so it holds when the left path is
 * missing); < <= > >= compare two numbers or two strings (UTF-16 order), otherwise false;
 * =~ is Java's Pattern.matches (a full match) run by PCRE2; `in` tests membership of the left
 * value in the right array. Regexes compile once, at path compile time, into the path's arena.
 */
#include <ctype.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include "path/jp_int.h"

typedef enum fx_kind { FX_OR, FX_AND, FX_NOT, FX_REL, FX_EXISTS } fx_kind_t;

typedef enum fx_op {
    OP_EQ,
    OP_NE,
    OP_LT,
    OP_LE,
    OP_GT,
    OP_GE,
    OP_RE,
    OP_IN,
    OP_NIN,
    OP_SUBSETOF,
    OP_ANYOF,
    OP_NONEOF,
    OP_CONTAINS,
    OP_SIZE,
    OP_EMPTY
} fx_op_t;

typedef struct fx_opd {
    const val_t *lit;      /* literal value, or NULL */
    const jp_prog_t *path; /* @ or $ path, or NULL */
    pcre2_code *re;        /* /regex/, or NULL */
} fx_opd_t;

struct jp_fexpr {
    uint8_t kind;        /* fx_kind_t */
    uint8_t op;          /* FX_REL: fx_op_t */
    const jp_fexpr_t *l; /* OR/AND/NOT operands */
    const jp_fexpr_t *r; /* OR/AND */
    fx_opd_t a;          /* REL left, EXISTS path */
    fx_opd_t b;          /* REL right */
};

typedef struct fstate {
    sx_arena_t *a;  /* output arena */
    const char *s;  /* text */
    size_t n;       /* bytes */
    size_t i;       /* position */
    int depth;      /* nesting, bounded */
    unsigned outer; /* filters around this one */
    char *err;      /* message */
    size_t errlen;  /* its size */
} fstate_t;

static int ffail(fstate_t *fs, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int
ffail(fstate_t *fs, const char *fmt, ...)
{
    if (fs->err && fs->errlen) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(fs->err, fs->errlen, fmt, ap);
        va_end(ap);
    }
    return SX_ERR;
}

static void
fskip(fstate_t *fs)
{
    while (fs->i < fs->n && isspace((unsigned char)fs->s[fs->i]))
        fs->i++;
}

static bool
fpeek(fstate_t *fs, const char *tok)
{
    size_t k = strlen(tok);
    return fs->n - fs->i >= k && memcmp(fs->s + fs->i, tok, k) == 0;
}

static bool
fword(fstate_t *fs, const char *w)
{
    size_t k = strlen(w);
    if (!fpeek(fs, w))
        return false;
    if (fs->i + k < fs->n && (isalnum((unsigned char)fs->s[fs->i + k]) || fs->s[fs->i + k] == '_'))
        return false;
    fs->i += k;
    return true;
}

/* ---- literals ---- */

static int parse_literal(fstate_t *fs, const val_t **out);

static int
parse_string(fstate_t *fs, const val_t **out)
{
    char q = fs->s[fs->i++];
    sx_sbuf_t b = SX_SBUF_INIT;
    while (fs->i < fs->n && fs->s[fs->i] != q) {
        char c = fs->s[fs->i++];
        if (c == '\\' && fs->i < fs->n) {
            char e = fs->s[fs->i];
            if (e == q || e == '\\' || e == '\'' || e == '"') {
                c = e;
                fs->i++;
            }
        }
        sx_sbuf_addc(&b, c);
    }
    if (fs->i >= fs->n) {
        sx_sbuf_fini(&b);
        return ffail(fs, "unterminated string literal");
    }
    fs->i++;
    *out = val_str(fs->a, b.p ? b.p : "", b.len);
    sx_sbuf_fini(&b);
    return SX_OK;
}

static int
parse_number(fstate_t *fs, const val_t **out)
{
    size_t st = fs->i;
    if (fs->s[fs->i] == '-')
        fs->i++;
    while (fs->i < fs->n && (isdigit((unsigned char)fs->s[fs->i]) || strchr(".eE+-", fs->s[fs->i])))
        fs->i++;
    return val_json_parse(fs->a, fs->s + st, fs->i - st, out, NULL) == SX_OK &&
                   val_is(*out, VAL_NUM)
               ? SX_OK
               : ffail(fs, "invalid number at position %zu", st);
}

static int
parse_array_lit(fstate_t *fs, const val_t **out)
{
    val_arrb_t b;
    val_arrb_init(&b, fs->a, 4);
    fs->i++; /* '[' */
    fskip(fs);
    if (fs->i < fs->n && fs->s[fs->i] == ']') {
        fs->i++;
        *out = val_arr_empty();
        return SX_OK;
    }
    for (;;) {
        const val_t *v;
        fskip(fs);
        if (parse_literal(fs, &v) != SX_OK)
            return SX_ERR;
        val_arrb_push(&b, v);
        fskip(fs);
        if (fs->i < fs->n && fs->s[fs->i] == ',') {
            fs->i++;
            continue;
        }
        if (fs->i < fs->n && fs->s[fs->i] == ']') {
            fs->i++;
            break;
        }
        return ffail(fs, "expected ',' or ']' in array literal at position %zu", fs->i);
    }
    *out = val_arrb_done(&b, 0);
    return SX_OK;
}

static int
parse_object_lit(fstate_t *fs, const val_t **out)
{
    size_t st = fs->i;
    int depth = 0;
    bool instr = false;
    for (; fs->i < fs->n; fs->i++) {
        char c = fs->s[fs->i];
        if (instr) {
            if (c == '\\')
                fs->i++;
            else if (c == '"')
                instr = false;
        } else if (c == '"') {
            instr = true;
        } else if (c == '{') {
            depth++;
        } else if (c == '}' && --depth == 0) {
            fs->i++;
            if (val_json_parse(fs->a, fs->s + st, fs->i - st, out, NULL) != SX_OK)
                return ffail(fs, "invalid JSON object at position %zu", st);
            return SX_OK;
        }
    }
    return ffail(fs, "unterminated JSON object at position %zu", st);
}

static int
parse_literal(fstate_t *fs, const val_t **out)
{
    if (fs->i >= fs->n)
        return ffail(fs, "expected a value");
    if (++fs->depth > 64)
        return ffail(fs, "filter nested too deeply");
    char c = fs->s[fs->i];
    int rc;
    if (c == '\'' || c == '"')
        rc = parse_string(fs, out);
    else if (c == '-' || isdigit((unsigned char)c))
        rc = parse_number(fs, out);
    else if (c == '[')
        rc = parse_array_lit(fs, out);
    else if (c == '{')
        rc = parse_object_lit(fs, out);
    else if (fword(fs, "true"))
        *out = val_true(), rc = SX_OK;
    else if (fword(fs, "false"))
        *out = val_false(), rc = SX_OK;
    else if (fword(fs, "null"))
        *out = val_null(), rc = SX_OK;
    else
        rc = ffail(fs, "unexpected character '%c' at position %zu", c, fs->i);
    fs->depth--;
    return rc;
}

/* ---- regex ---- */

static void *
re_arena_malloc(PCRE2_SIZE n, void *ud)
{
    return sx_arena_alloc(ud, n);
}

static void
re_arena_free(void *p, void *ud)
{
    (void)p, (void)ud; /* freed with the arena */
}

static int
parse_regex(fstate_t *fs, pcre2_code **out)
{
    size_t st = ++fs->i;
    while (fs->i < fs->n && fs->s[fs->i] != '/') {
        if (fs->s[fs->i] == '\\')
            fs->i++;
        fs->i++;
    }
    if (fs->i >= fs->n)
        return ffail(fs, "unterminated regular expression at position %zu", st - 1);
    size_t end = fs->i++;
    uint32_t opts = PCRE2_UTF;
    for (; fs->i < fs->n && isalpha((unsigned char)fs->s[fs->i]); fs->i++) {
        switch (fs->s[fs->i]) {
        case 'i':
            opts |= PCRE2_CASELESS;
            break;
        case 'm':
            opts |= PCRE2_MULTILINE;
            break;
        case 's':
            opts |= PCRE2_DOTALL;
            break;
        case 'x':
            opts |= PCRE2_EXTENDED;
            break;
        case 'u':
            break;
        default:
            return ffail(fs, "unknown regular expression flag '%c'", fs->s[fs->i]);
        }
    }
    pcre2_general_context *gc = pcre2_general_context_create(re_arena_malloc, re_arena_free, fs->a);
    pcre2_compile_context *cc = pcre2_compile_context_create(gc);
    int ec;
    PCRE2_SIZE eo;
    *out = pcre2_compile((PCRE2_SPTR)(fs->s + st), end - st, opts, &ec, &eo, cc);
    if (*out == NULL) {
        PCRE2_UCHAR msg[120];
        pcre2_get_error_message(ec, msg, sizeof(msg));
        return ffail(fs, "invalid regular expression: %s", (const char *)msg);
    }
    return SX_OK;
}

/* ---- expressions ---- */

static int parse_or(fstate_t *fs, const jp_fexpr_t **out);

static int
parse_operand(fstate_t *fs, fx_opd_t *o)
{
    fskip(fs);
    if (fs->i >= fs->n)
        return ffail(fs, "expected a value");
    char c = fs->s[fs->i];
    if (c == '@' || c == '$') {
        size_t used;
        char sub[160];
        unsigned flags = (fs->outer + 1) << JP_F_DEPTH_SHIFT;
        if (jp_compile_part(fs->a, fs->s + fs->i, fs->n - fs->i, flags, true, &o->path, &used, sub,
                            sizeof(sub)) != SX_OK)
            return ffail(fs, "%s", sub);
        fs->i += used;
        return SX_OK;
    }
    if (c == '/')
        return parse_regex(fs, &o->re);
    return parse_literal(fs, &o->lit);
}

static const struct {
    const char *tok;
    uint8_t op;
    bool word;
} relops[] = {
    {"==", OP_EQ, false},
    {"!=", OP_NE, false},
    {"<=", OP_LE, false},
    {">=", OP_GE, false},
    {"=~", OP_RE, false},
    {"<", OP_LT, false},
    {">", OP_GT, false},
    {"nin", OP_NIN, true},
    {"in", OP_IN, true},
    {"subsetof", OP_SUBSETOF, true},
    {"anyof", OP_ANYOF, true},
    {"noneof", OP_NONEOF, true},
    {"contains", OP_CONTAINS, true},
    {"size", OP_SIZE, true},
    {"empty", OP_EMPTY, true},
};

static int
parse_rel(fstate_t *fs, const jp_fexpr_t **out)
{
    jp_fexpr_t *e = sx_arena_calloc(fs->a, sizeof(*e));
    if (parse_operand(fs, &e->a) != SX_OK)
        return SX_ERR;
    fskip(fs);
    for (size_t k = 0; k < SX_ARRAY_LEN(relops); k++) {
        bool hit = relops[k].word ? fword(fs, relops[k].tok) : fpeek(fs, relops[k].tok);
        if (!hit)
            continue;
        if (!relops[k].word)
            fs->i += strlen(relops[k].tok);
        e->kind = FX_REL;
        e->op = relops[k].op;
        if (parse_operand(fs, &e->b) != SX_OK)
            return SX_ERR;
        if ((e->a.re != NULL) + (e->b.re != NULL) != (e->op == OP_RE ? 1 : 0))
            return ffail(fs, "a regular expression must be one operand of =~");
        *out = e;
        return SX_OK;
    }
    if (e->a.path == NULL)
        return ffail(fs, "expected an operator at position %zu", fs->i);
    e->kind = FX_EXISTS;
    *out = e;
    return SX_OK;
}

static int
parse_unary(fstate_t *fs, const jp_fexpr_t **out)
{
    fskip(fs);
    if (fs->i >= fs->n)
        return ffail(fs, "unexpected end of filter");
    if (++fs->depth > 64)
        return ffail(fs, "filter nested too deeply");
    int rc;
    if (fs->s[fs->i] == '!' && !fpeek(fs, "!=")) {
        fs->i++;
        jp_fexpr_t *e = sx_arena_calloc(fs->a, sizeof(*e));
        e->kind = FX_NOT;
        rc = parse_unary(fs, &e->l);
        *out = e;
    } else if (fs->s[fs->i] == '(') {
        fs->i++;
        rc = parse_or(fs, out);
        fskip(fs);
        if (rc == SX_OK && (fs->i >= fs->n || fs->s[fs->i] != ')'))
            rc = ffail(fs, "expected ')' at position %zu", fs->i);
        fs->i++;
    } else {
        rc = parse_rel(fs, out);
    }
    fs->depth--;
    return rc;
}

static int
parse_binary(fstate_t *fs, const jp_fexpr_t **out, bool isor)
{
    const jp_fexpr_t *l;
    int rc = isor ? parse_binary(fs, &l, false) : parse_unary(fs, &l);
    if (rc != SX_OK)
        return rc;
    for (;;) {
        fskip(fs);
        if (!fpeek(fs, isor ? "||" : "&&"))
            break;
        fs->i += 2;
        jp_fexpr_t *e = sx_arena_calloc(fs->a, sizeof(*e));
        e->kind = isor ? FX_OR : FX_AND;
        e->l = l;
        rc = isor ? parse_binary(fs, &e->r, false) : parse_unary(fs, &e->r);
        if (rc != SX_OK)
            return rc;
        l = e;
    }
    *out = l;
    return SX_OK;
}

static int
parse_or(fstate_t *fs, const jp_fexpr_t **out)
{
    return parse_binary(fs, out, true);
}

int
jp_filter_compile(sx_arena_t *a, const char *src, size_t n, unsigned depth, const jp_fexpr_t **out,
                  size_t *used, char *err, size_t errlen)
{
    fstate_t fs = {.a = a, .s = src, .n = n, .outer = depth, .err = err, .errlen = errlen};
    if (parse_or(&fs, out) != SX_OK)
        return SX_ERR;
    fskip(&fs);
    if (fs.i >= fs.n || fs.s[fs.i] != ')')
        return ffail(&fs, "expected ')' at position %zu", fs.i);
    *used = fs.i + 1;
    return SX_OK;
}

/* ---- evaluation ---- */

static void *
re_heap_malloc(PCRE2_SIZE n, void *ud)
{
    (void)ud;
    return sx_malloc(n);
}

static void
re_heap_free(void *p, void *ud)
{
    (void)ud;
    sx_free(p);
}

static pcre2_general_context *re_heap_ctx;
static pthread_once_t re_heap_once = PTHREAD_ONCE_INIT;

static void
re_heap_init(void)
{
    re_heap_ctx = pcre2_general_context_create(re_heap_malloc, re_heap_free, NULL);
}

static bool
re_matches(pcre2_code *re, const val_t *v)
{
    char buf[VAL_NUM_BUF];
    const char *s;
    size_t n;
    if (val_is(v, VAL_STR)) {
        s = val_str_get(v), n = val_len(v);
    } else if (val_is(v, VAL_BOOL)) {
        s = val_bool_get(v) ? "true" : "false", n = strlen(s);
    } else if (val_is(v, VAL_NUM)) {
        s = v->u.num.raw ? v->u.num.raw : buf;
        if (v->u.num.raw == NULL)
            val_num_fmt(val_num_get(v), buf);
        n = strlen(s);
    } else {
        return false;
    }
    pthread_once(&re_heap_once, re_heap_init);
    pcre2_match_data *md = pcre2_match_data_create(1, re_heap_ctx);
    int rc = pcre2_match(re, (PCRE2_SPTR)s, n, 0, PCRE2_ANCHORED | PCRE2_ENDANCHORED, md, NULL);
    pcre2_match_data_free(md);
    return rc >= 0;
}

static const char *
num_text(const val_t *v, char *buf)
{
    if (v->u.num.raw != NULL)
        return v->u.num.raw;
    val_num_fmt(val_num_get(v), buf);
    return buf;
}

/* Jayway's EqualsEvaluator (NumberNode/StringNode cross-comparison included). */
static bool
fx_eq(const val_t *l, const val_t *r)
{
    char buf[VAL_NUM_BUF];
    if (l == NULL || r == NULL)
        return false;
    if (val_is(l, VAL_NUM) && val_is(r, VAL_STR)) {
        char *end;
        double d = strtod(val_str_get(r), &end);
        return val_len(r) > 0 && *end == '\0' && d == val_num_get(l);
    }
    if (val_is(l, VAL_STR) && val_is(r, VAL_NUM)) {
        const char *t = num_text(r, buf);
        return strlen(t) == val_len(l) && memcmp(t, val_str_get(l), val_len(l)) == 0;
    }
    return val_equal(l, r);
}

static int
fx_cmp(const val_t *l, const val_t *r, bool *ok)
{
    *ok = true;
    if (val_is(l, VAL_NUM) && val_is(r, VAL_NUM)) {
        double x = val_num_get(l), y = val_num_get(r);
        return x < y ? -1 : x > y ? 1 : 0;
    }
    if (val_is(l, VAL_STR) && val_is(r, VAL_STR))
        return val_str_cmp_u16(val_str_get(l), val_len(l), val_str_get(r), val_len(r));
    *ok = false;
    return 0;
}

static bool
arr_has(const val_t *arr, const val_t *v)
{
    if (!val_is(arr, VAL_ARR))
        return false;
    for (size_t k = 0; k < val_len(arr); k++)
        if (fx_eq(v, val_arr_at(arr, k)))
            return true;
    return false;
}

/* SUBSETOF (all), ANYOF (any), NONEOF (none) of l's items in r. */
static bool
set_test(const val_t *l, const val_t *r, fx_op_t op)
{
    if (!val_is(l, VAL_ARR) || !val_is(r, VAL_ARR))
        return false;
    size_t hits = 0;
    for (size_t k = 0; k < val_len(l); k++)
        hits += arr_has(r, val_arr_at(l, k));
    if (op == OP_SUBSETOF)
        return hits == val_len(l);
    return op == OP_ANYOF ? hits > 0 : hits == 0;
}

static bool
rel_test(fx_op_t op, const val_t *l, const val_t *r)
{
    bool ok;
    int c;
    switch (op) {
    case OP_EQ:
        return fx_eq(l, r);
    case OP_NE:
        return !fx_eq(l, r);
    case OP_LT:
        c = fx_cmp(l, r, &ok);
        return ok && c < 0;
    case OP_LE:
        c = fx_cmp(l, r, &ok);
        return ok && c <= 0;
    case OP_GT:
        c = fx_cmp(l, r, &ok);
        return ok && c > 0;
    case OP_GE:
        c = fx_cmp(l, r, &ok);
        return ok && c >= 0;
    case OP_IN:
        return l != NULL && arr_has(r, l);
    case OP_NIN:
        return !(l != NULL && arr_has(r, l));
    case OP_SUBSETOF:
    case OP_ANYOF:
    case OP_NONEOF:
        return set_test(l, r, op);
    case OP_CONTAINS:
        if (val_is(l, VAL_STR) && val_is(r, VAL_STR))
            return memmem(val_str_get(l), val_len(l), val_str_get(r), val_len(r)) != NULL;
        return arr_has(l, r);
    case OP_SIZE:
        if (!val_is(r, VAL_NUM))
            return false;
        if (val_is(l, VAL_STR))
            return (double)val_str_u16len(val_str_get(l), val_len(l)) == val_num_get(r);
        return val_is(l, VAL_ARR) && (double)val_len(l) == val_num_get(r);
    case OP_EMPTY:
        if (!val_is(r, VAL_BOOL) || l == NULL)
            return false;
        if (!val_is(l, VAL_STR) && !val_is(l, VAL_ARR) && !val_is(l, VAL_OBJ))
            return false;
        return (val_len(l) == 0) == val_bool_get(r);
    case OP_RE:
        break;
    }
    return false;
}

static const val_t *
opd_value(const fx_opd_t *o, const val_t *node, const val_t *root, const jp_env_t *env,
          sx_arena_t *a)
{
    if (o->lit != NULL)
        return o->lit;
    if (o->path == NULL)
        return NULL;
    return jp_eval_from(o->path, o->path->root == JP_ROOT_AT ? node : root, root, env, a);
}

bool
jp_filter_test(const jp_fexpr_t *f, const val_t *node, const val_t *root, const jp_env_t *env,
               sx_arena_t *a)
{
    switch ((fx_kind_t)f->kind) {
    case FX_OR:
        return jp_filter_test(f->l, node, root, env, a) || jp_filter_test(f->r, node, root, env, a);
    case FX_AND:
        return jp_filter_test(f->l, node, root, env, a) && jp_filter_test(f->r, node, root, env, a);
    case FX_NOT:
        return !jp_filter_test(f->l, node, root, env, a);
    case FX_EXISTS: {
        const val_t *v = opd_value(&f->a, node, root, env, a);
        return v != NULL && (f->a.path->definite || val_len(v) > 0);
    }
    case FX_REL:
        break;
    }
    if (f->op == OP_RE) {
        const fx_opd_t *re = f->a.re ? &f->a : &f->b;
        const fx_opd_t *other = f->a.re ? &f->b : &f->a;
        return re_matches(re->re, opd_value(other, node, root, env, a));
    }
    const val_t *l = opd_value(&f->a, node, root, env, a);
    const val_t *r = opd_value(&f->b, node, root, env, a);
    return rel_test((fx_op_t)f->op, l, r);
}
