/*
 * jp_parse.c: compiles JSONPath text into the flat step array of jp_int.h.
 *
 * Syntax accepted (Jayway JsonPath as AWS Step Functions uses it):
 *
 *   path   := root step*
 *   root   := "$" | "$$" | "$" varname | "@" (filters only)
 *   step   := "." name | ".*" | ".." (name | "*" | bracket) | bracket
 *   bracket:= "[" ( "*" | qname ("," qname)* | int ("," int)* | slice | "?(" filter ")" ) "]"
 *   slice  := [int] ":" [int] [":" [int]]
 *
 * Dot names run to the next '.' or '[' and may hold any other character except whitespace
 * (AWS accepts "$.a-b", unicode, ...); a backslash escapes '.', '[' and '\' in them. Quoted
 * names ('..' or "..") keep every character literally, backslashes included: a backslash
 * only stops the next character from closing the name (AWS: "$['k\"v']" selects `k\"v`).
 * Whitespace is allowed around the items inside brackets. Inside a filter a path ends before
 * whitespace, ')' or an operator character.
 *
 * Definite paths (Jayway's isDefinite): every step is NAME or INDEX, or NAMES as the last
 * step (Jayway merges ['a','b'] at a leaf into one object).
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "path/jp_int.h"

typedef struct pstate {
    sx_arena_t *a;     /* output arena */
    const char *s;     /* text */
    size_t n;          /* bytes of text */
    size_t i;          /* read position */
    unsigned flags;    /* JP_F_* */
    bool infilter;     /* path inside [?( )] */
    jp_step_t *steps;  /* heap, grows */
    uint32_t nsteps;   /* used */
    uint32_t capsteps; /* allocated */
    sx_sbuf_t norm;    /* normalized text */
    char *err;         /* message buffer */
    size_t errlen;     /* its size */
} pstate_t;

static int fail(pstate_t *ps, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int
fail(pstate_t *ps, const char *fmt, ...)
{
    if (ps->err != NULL && ps->errlen > 0) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(ps->err, ps->errlen, fmt, ap);
        va_end(ap);
    }
    return SX_ERR;
}

static jp_step_t *
step_push(pstate_t *ps, jp_op_t op)
{
    if (ps->nsteps == ps->capsteps) {
        ps->capsteps = ps->capsteps ? ps->capsteps * 2 : 8;
        ps->steps = sx_realloc(ps->steps, ps->capsteps * sizeof(*ps->steps));
    }
    jp_step_t *st = &ps->steps[ps->nsteps++];
    memset(st, 0, sizeof(*st));
    st->op = (uint8_t)op;
    return st;
}

static void
step_done(pstate_t *ps, jp_step_t *st)
{
    st->norm_end = (uint32_t)ps->norm.len;
}

static void
name_make(pstate_t *ps, jp_name_t *nm, const char *s, size_t len)
{
    nm->key = val_str(ps->a, s, len);
    nm->s = val_str_get(nm->key);
    nm->hash = val_key_hash(s, len);
    nm->len = (uint32_t)len;
}

static bool
is_ws(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static void
skip_ws(pstate_t *ps)
{
    while (ps->i < ps->n && is_ws(ps->s[ps->i]))
        ps->i++;
}

/* Characters that end a path inside a filter expression. */
static bool
filter_stop(char c)
{
    return is_ws(c) || strchr(")<>=~!&|,", c) != NULL;
}

/* ---- names ---- */

/* Reads a dot name (after '.' or '..') into a NAME step. */
static int
read_dot_name(pstate_t *ps)
{
    sx_sbuf_t b = SX_SBUF_INIT;
    size_t start = ps->i;
    while (ps->i < ps->n) {
        char c = ps->s[ps->i];
        if (c == '.' || c == '[')
            break;
        if (ps->infilter && filter_stop(c))
            break;
        if (is_ws(c)) {
            sx_sbuf_fini(&b);
            return fail(ps, "whitespace in a property name at position %zu (use ['...'])", ps->i);
        }
        if (c == '\\' && ps->i + 1 < ps->n && strchr(".[\\", ps->s[ps->i + 1]) != NULL) {
            c = ps->s[++ps->i];
        }
        sx_sbuf_addc(&b, c);
        ps->i++;
    }
    if (ps->i == start) {
        sx_sbuf_fini(&b);
        return fail(ps, "empty property name at position %zu", start);
    }
    if (b.len >= 2 && b.p[b.len - 1] == ')' && memchr(b.p, '(', b.len) != NULL) {
        sx_sbuf_fini(&b);
        return fail(ps, "path functions are not supported (position %zu)", start);
    }
    jp_step_t *st = step_push(ps, JP_OP_NAME);
    name_make(ps, &st->u.name, b.p, b.len);
    sx_sbuf_addf(&ps->norm, "['%s']", st->u.name.s);
    step_done(ps, st);
    sx_sbuf_fini(&b);
    return SX_OK;
}

/* Reads a quoted name at ps->i (on the quote); literal bytes, see the file comment. */
static int
read_quoted(pstate_t *ps, jp_name_t *nm)
{
    char q = ps->s[ps->i++];
    size_t start = ps->i;
    while (ps->i < ps->n && ps->s[ps->i] != q) {
        if (ps->s[ps->i] == '\\')
            ps->i++;
        ps->i++;
    }
    if (ps->i >= ps->n)
        return fail(ps, "property has not been closed - missing closing %c", q);
    name_make(ps, nm, ps->s + start, ps->i - start);
    ps->i++;
    return SX_OK;
}

static int
read_quoted_list(pstate_t *ps)
{
    jp_name_t first, *list = NULL;
    uint32_t cnt = 0, cap = 0;
    if (read_quoted(ps, &first) != SX_OK)
        return SX_ERR;
    for (;;) {
        skip_ws(ps);
        if (ps->i < ps->n && ps->s[ps->i] == ']')
            break;
        if (ps->i >= ps->n || ps->s[ps->i] != ',')
            goto bad;
        ps->i++;
        skip_ws(ps);
        if (ps->i >= ps->n || (ps->s[ps->i] != '\'' && ps->s[ps->i] != '"'))
            goto bad;
        if (cnt + 2 > cap) {
            cap = cap ? cap * 2 : 4;
            list = sx_realloc(list, cap * sizeof(*list));
        }
        if (cnt == 0)
            list[cnt++] = first;
        if (read_quoted(ps, &list[cnt]) != SX_OK)
            goto err;
        cnt++;
    }
    ps->i++; /* ']' */
    if (cnt == 0) {
        jp_step_t *st = step_push(ps, JP_OP_NAME);
        st->u.name = first;
        sx_sbuf_addf(&ps->norm, "['%s']", first.s);
        step_done(ps, st);
        return SX_OK;
    }
    jp_name_t *names = sx_arena_alloc(ps->a, cnt * sizeof(*names));
    memcpy(names, list, cnt * sizeof(*names));
    sx_free(list);
    jp_step_t *st = step_push(ps, JP_OP_NAMES);
    st->n = cnt;
    st->u.names = names;
    sx_sbuf_addc(&ps->norm, '[');
    for (uint32_t k = 0; k < cnt; k++)
        sx_sbuf_addf(&ps->norm, "%s'%s'", k ? "," : "", names[k].s);
    sx_sbuf_addc(&ps->norm, ']');
    step_done(ps, st);
    return SX_OK;
bad:
    fail(ps, "property must be separated by comma or terminated by ']' at position %zu", ps->i);
err:
    sx_free(list);
    return SX_ERR;
}

/* ---- numbers ---- */

static bool
read_int(pstate_t *ps, int64_t *v)
{
    size_t i = ps->i;
    bool neg = false;
    if (i < ps->n && ps->s[i] == '-') {
        neg = true;
        i++;
    }
    size_t d0 = i;
    int64_t x = 0;
    while (i < ps->n && isdigit((unsigned char)ps->s[i]) && i - d0 < 18)
        x = x * 10 + (ps->s[i++] - '0');
    if (i == d0 || (i < ps->n && isdigit((unsigned char)ps->s[i])))
        return false;
    ps->i = i;
    *v = neg ? -x : x;
    return true;
}

static int
read_slice(pstate_t *ps, int64_t first, bool hasfirst)
{
    jp_step_t *st = step_push(ps, JP_OP_SLICE);
    if (hasfirst) {
        st->u.slice[0] = first;
        st->has |= JP_SLICE_FROM;
    }
    for (int part = 1; part < 3 && ps->i < ps->n && ps->s[ps->i] == ':'; part++) {
        ps->i++;
        skip_ws(ps);
        int64_t v;
        if (read_int(ps, &v)) {
            st->u.slice[part] = v;
            st->has |= (uint8_t)(part == 1 ? JP_SLICE_TO : JP_SLICE_STEP);
        }
        skip_ws(ps);
    }
    if ((st->has & JP_SLICE_STEP) && st->u.slice[2] == 0)
        return fail(ps, "slice step cannot be zero");
    if (ps->i >= ps->n || ps->s[ps->i] != ']')
        return fail(ps, "invalid array slice at position %zu", ps->i);
    ps->i++;
    sx_sbuf_addc(&ps->norm, '[');
    if (st->has & JP_SLICE_FROM)
        sx_sbuf_addf(&ps->norm, "%lld", (long long)st->u.slice[0]);
    sx_sbuf_addc(&ps->norm, ':');
    if (st->has & JP_SLICE_TO)
        sx_sbuf_addf(&ps->norm, "%lld", (long long)st->u.slice[1]);
    if (st->has & JP_SLICE_STEP)
        sx_sbuf_addf(&ps->norm, ":%lld", (long long)st->u.slice[2]);
    sx_sbuf_addc(&ps->norm, ']');
    step_done(ps, st);
    return SX_OK;
}

static int
read_numbers(pstate_t *ps)
{
    int64_t first, *list = NULL;
    uint32_t cnt = 0, cap = 0;
    if (ps->s[ps->i] == ':')
        return read_slice(ps, 0, false);
    if (!read_int(ps, &first))
        return fail(ps, "invalid array index at position %zu", ps->i);
    skip_ws(ps);
    if (ps->i < ps->n && ps->s[ps->i] == ':')
        return read_slice(ps, first, true);
    while (ps->i < ps->n && ps->s[ps->i] == ',') {
        ps->i++;
        skip_ws(ps);
        if (cnt + 2 > cap) {
            cap = cap ? cap * 2 : 4;
            list = sx_realloc(list, cap * sizeof(*list));
        }
        if (cnt == 0)
            list[cnt++] = first;
        if (!read_int(ps, &list[cnt])) {
            sx_free(list);
            return fail(ps, "invalid array index at position %zu", ps->i);
        }
        cnt++;
        skip_ws(ps);
    }
    if (ps->i >= ps->n || ps->s[ps->i] != ']') {
        sx_free(list);
        return fail(ps, "expected ']' at position %zu", ps->i);
    }
    ps->i++;
    jp_step_t *st;
    if (cnt == 0) {
        st = step_push(ps, JP_OP_INDEX);
        st->u.index = first;
        sx_sbuf_addf(&ps->norm, "[%lld]", (long long)first);
    } else {
        int64_t *ix = sx_arena_alloc(ps->a, cnt * sizeof(*ix));
        memcpy(ix, list, cnt * sizeof(*ix));
        sx_free(list);
        st = step_push(ps, JP_OP_INDEXES);
        st->n = cnt;
        st->u.indexes = ix;
        sx_sbuf_addc(&ps->norm, '[');
        for (uint32_t k = 0; k < cnt; k++)
            sx_sbuf_addf(&ps->norm, "%s%lld", k ? "," : "", (long long)ix[k]);
        sx_sbuf_addc(&ps->norm, ']');
    }
    step_done(ps, st);
    return SX_OK;
}

/* ---- brackets ---- */

static int
read_filter(pstate_t *ps)
{
    const jp_fexpr_t *f;
    size_t used;
    char sub[200];
    ps->i++; /* '?' */
    if (ps->i >= ps->n || ps->s[ps->i] != '(')
        return fail(ps, "expected '(' after '[?' at position %zu", ps->i);
    ps->i++;
    if (jp_filter_compile(ps->a, ps->s + ps->i, ps->n - ps->i, ps->flags >> JP_F_DEPTH_SHIFT, &f,
                          &used, sub, sizeof(sub)) != SX_OK)
        return fail(ps, "invalid filter: %s", sub);
    ps->i += used;
    skip_ws(ps);
    if (ps->i >= ps->n || ps->s[ps->i] != ']')
        return fail(ps, "expected ']' after filter at position %zu", ps->i);
    ps->i++;
    jp_step_t *st = step_push(ps, JP_OP_FILTER);
    st->u.filter = f;
    sx_sbuf_adds(&ps->norm, "[?]");
    step_done(ps, st);
    return SX_OK;
}

static int
read_bracket(pstate_t *ps)
{
    ps->i++; /* '[' */
    skip_ws(ps);
    if (ps->i >= ps->n)
        return fail(ps, "path must not end with '['");
    char c = ps->s[ps->i];
    if (c == '*') {
        ps->i++;
        skip_ws(ps);
        if (ps->i >= ps->n || ps->s[ps->i] != ']')
            return fail(ps, "expected ']' at position %zu", ps->i);
        ps->i++;
        jp_step_t *st = step_push(ps, JP_OP_WILD);
        sx_sbuf_adds(&ps->norm, "[*]");
        step_done(ps, st);
        return SX_OK;
    }
    if (c == '\'' || c == '"')
        return read_quoted_list(ps);
    if (c == '?')
        return read_filter(ps);
    if (c == '-' || c == ':' || isdigit((unsigned char)c))
        return read_numbers(ps);
    return fail(ps, "unexpected character '%c' at position %zu", c, ps->i);
}

/* ---- steps ---- */

static int
read_step(pstate_t *ps)
{
    char c = ps->s[ps->i];
    if (c == '[')
        return read_bracket(ps);
    /* c == '.' */
    ps->i++;
    if (ps->i < ps->n && ps->s[ps->i] == '.') {
        ps->i++;
        jp_step_t *st = step_push(ps, JP_OP_SCAN);
        sx_sbuf_adds(&ps->norm, "..");
        step_done(ps, st);
        if (ps->i >= ps->n || ps->s[ps->i] == '.' || (ps->infilter && filter_stop(ps->s[ps->i])))
            return fail(ps, "path must not end with a '.' or '..'");
    } else if (ps->i >= ps->n || (ps->infilter && filter_stop(ps->s[ps->i]))) {
        return fail(ps, "path must not end with a '.' or '..'");
    } else if (ps->s[ps->i] == '.') {
        return fail(ps, "character '.' at position %zu is not valid", ps->i);
    }
    c = ps->s[ps->i];
    if (c == '[')
        return read_bracket(ps);
    if (c == '*') {
        ps->i++;
        jp_step_t *st = step_push(ps, JP_OP_WILD);
        sx_sbuf_adds(&ps->norm, "[*]");
        step_done(ps, st);
        return SX_OK;
    }
    return read_dot_name(ps);
}

static bool
var_char_ok(unsigned char c, bool first)
{
    if (c >= 0x80)
        return true; /* unicode identifier characters: accepted as they are */
    if (c == '_' || isalpha(c))
        return true;
    return !first && isdigit(c);
}

static int
read_root(pstate_t *ps, jp_prog_t *p)
{
    char c = ps->s[0];
    ps->i = 1;
    if (c == '@') {
        p->root = JP_ROOT_AT;
        sx_sbuf_addc(&ps->norm, '@');
        return SX_OK;
    }
    sx_sbuf_addc(&ps->norm, '$');
    p->root = JP_ROOT_INPUT;
    if (ps->i >= ps->n)
        return SX_OK;
    c = ps->s[ps->i];
    if (c == '$' && !ps->infilter) {
        if (ps->flags & JP_F_NO_CONTEXT)
            return fail(ps, "the context object ($$) is not allowed here");
        p->root = JP_ROOT_CONTEXT;
        ps->i++;
        return SX_OK;
    }
    if (c == '.' || c == '[' || (ps->infilter && filter_stop(c)))
        return SX_OK;
    if (ps->infilter)
        return fail(ps, "variables are not allowed in filters");
    if (ps->flags & JP_F_NO_VAR)
        return fail(ps, "variables are not allowed here");
    size_t start = ps->i;
    while (ps->i < ps->n && ps->s[ps->i] != '.' && ps->s[ps->i] != '[') {
        if (!var_char_ok((unsigned char)ps->s[ps->i], ps->i == start))
            return fail(ps, "invalid character '%c' in variable name at position %zu", ps->s[ps->i],
                        ps->i);
        ps->i++;
    }
    p->root = JP_ROOT_VAR;
    p->var = sx_arena_strndup(ps->a, ps->s + start, ps->i - start);
    p->varlen = (uint32_t)(ps->i - start);
    return SX_OK;
}

static void
prog_finish(pstate_t *ps, jp_prog_t *p, size_t used)
{
    p->src = sx_arena_strndup(ps->a, ps->s, used);
    p->srclen = (uint32_t)used;
    p->nsteps = ps->nsteps;
    jp_step_t *steps = sx_arena_alloc(ps->a, (ps->nsteps ? ps->nsteps : 1) * sizeof(*steps));
    if (ps->nsteps)
        memcpy(steps, ps->steps, ps->nsteps * sizeof(*steps));
    p->steps = steps;
    p->norm = sx_arena_strndup(ps->a, ps->norm.p ? ps->norm.p : "", ps->norm.len);
    p->definite = true;
    p->reference = true;
    for (uint32_t k = 0; k < ps->nsteps; k++) {
        uint8_t op = steps[k].op;
        if (op != JP_OP_NAME && op != JP_OP_INDEX)
            p->reference = false;
        if (op != JP_OP_NAME && op != JP_OP_INDEX && !(op == JP_OP_NAMES && k + 1 == ps->nsteps))
            p->definite = false;
    }
}

int
jp_compile_part(sx_arena_t *a, const char *src, size_t n, unsigned flags, bool infilter,
                const jp_prog_t **out, size_t *used, char *err, size_t errlen)
{
    pstate_t ps = {.a = a,
                   .s = src,
                   .n = n,
                   .flags = flags,
                   .infilter = infilter,
                   .err = err,
                   .errlen = errlen};
    jp_prog_t *p = sx_arena_calloc(a, sizeof(*p));
    int rc = SX_ERR;
    if ((flags >> JP_F_DEPTH_SHIFT) > JP_MAX_FILTER_DEPTH) {
        fail(&ps, "filters nested too deeply");
        goto out;
    }
    if (n == 0 || (src[0] != '$' && !(infilter && src[0] == '@'))) {
        fail(&ps, "a path must start with '$'");
        goto out;
    }
    if (read_root(&ps, p) != SX_OK)
        goto out;
    while (ps.i < ps.n) {
        char c = ps.s[ps.i];
        if (c != '.' && c != '[') {
            if (infilter)
                break;
            fail(&ps, "unexpected character '%c' at position %zu", c, ps.i);
            goto out;
        }
        if (read_step(&ps) != SX_OK)
            goto out;
    }
    prog_finish(&ps, p, ps.i);
    if ((flags & JP_F_REFERENCE) && !p->reference) {
        fail(&ps, "a reference path may only use .name, ['name'] and [n]");
        goto out;
    }
    *out = p;
    if (used != NULL)
        *used = ps.i;
    rc = SX_OK;
out:
    sx_free(ps.steps);
    sx_sbuf_fini(&ps.norm);
    return rc;
}

int
jp_compile(sx_arena_t *a, const char *src, size_t n, unsigned flags, const jp_prog_t **out,
           char *err, size_t errlen)
{
    char sub[200];
    if (memchr(src, '\0', n) != NULL) {
        snprintf(err, errlen, "Invalid JSONPath '%.*s': contains a NUL character", (int)n, src);
        return SX_ERR;
    }
    if (jp_compile_part(a, src, n, flags, false, out, NULL, sub, sizeof(sub)) != SX_OK) {
        snprintf(err, errlen, "Invalid JSONPath '%.*s': %s", (int)(n > 200 ? 200 : n), src, sub);
        return SX_ERR;
    }
    return SX_OK;
}

jp_root_t
jp_root_kind(const jp_prog_t *p)
{
    return p->root == JP_ROOT_AT ? JP_ROOT_INPUT : (jp_root_t)p->root;
}

const char *
jp_src(const jp_prog_t *p)
{
    return p->src;
}

bool
jp_is_definite(const jp_prog_t *p)
{
    return p->definite;
}

bool
jp_is_root(const jp_prog_t *p)
{
    return p->root == JP_ROOT_INPUT && p->nsteps == 0;
}
