/*
 * ifn_parse.c: the intrinsic function grammar and the function table.
 *
 *   call := Name "(" [arg ("," arg)*] ")"       Name := "States." [A-Za-z0-9._]+
 *   arg  := 'string' | number | true | false | null | path | call
 *
 * Whitespace between tokens is ignored. In a quoted string only \' \{ \} \\ are escapes
 * (the backslash is dropped); a backslash before anything else makes the call invalid, as on
 * AWS. A path argument runs to the next ',' or ')' outside brackets and quotes, so
 * "$.a[0,1]" and filters with parentheses stay whole. The name must be in the table with a
 * matching arity; nesting is bounded by IFN_MAX_NESTING.
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "intrinsic/ifn_int.h"
#include "path/jp_int.h"

static const ifn_def_t ifn_table[] = {
    {"States.Array", 0, 255, ifn_array},
    {"States.ArrayContains", 2, 2, ifn_array_contains},
    {"States.ArrayGetItem", 2, 2, ifn_array_get_item},
    {"States.ArrayLength", 1, 1, ifn_array_length},
    {"States.ArrayPartition", 2, 2, ifn_array_partition},
    {"States.ArrayRange", 3, 3, ifn_array_range},
    {"States.ArrayUnique", 1, 1, ifn_array_unique},
    {"States.Base64Decode", 1, 1, ifn_base64_decode},
    {"States.Base64Encode", 1, 1, ifn_base64_encode},
    {"States.Format", 1, 255, ifn_format},
    {"States.Hash", 2, 2, ifn_hash},
    {"States.JsonMerge", 3, 3, ifn_json_merge},
    {"States.JsonToString", 1, 1, ifn_json_to_string},
    {"States.MathAdd", 2, 2, ifn_math_add},
    {"States.MathRandom", 2, 3, ifn_math_random},
    {"States.StringSplit", 2, 2, ifn_string_split},
    {"States.StringToJson", 1, 1, ifn_string_to_json},
    {"States.UUID", 0, 0, ifn_uuid},
};

const ifn_def_t *
ifn_lookup(const char *name, size_t n)
{
    for (size_t k = 0; k < SX_ARRAY_LEN(ifn_table); k++)
        if (strlen(ifn_table[k].name) == n && memcmp(ifn_table[k].name, name, n) == 0)
            return &ifn_table[k];
    return NULL;
}

typedef struct istate {
    sx_arena_t *a; /* output arena */
    const char *s; /* text */
    size_t n;      /* bytes */
    size_t i;      /* position */
    char *err;     /* message */
    size_t errlen; /* its size */
} istate_t;

static int ifail(istate_t *is, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int
ifail(istate_t *is, const char *fmt, ...)
{
    if (is->err && is->errlen) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(is->err, is->errlen, fmt, ap);
        va_end(ap);
    }
    return SX_ERR;
}

static void
iskip(istate_t *is)
{
    while (is->i < is->n && isspace((unsigned char)is->s[is->i]))
        is->i++;
}

static int parse_call(istate_t *is, int depth, const ifn_call_t **out);

/* 'string': value unescaped; raw and rawlen give the text between the quotes. */
static int
parse_string(istate_t *is, ifn_arg_t *arg, const char **raw, size_t *rawlen)
{
    sx_sbuf_t b = SX_SBUF_INIT;
    size_t st = ++is->i;
    while (is->i < is->n && is->s[is->i] != '\'') {
        char c = is->s[is->i++];
        if (c == '\\') {
            if (is->i >= is->n || strchr("'{}\\", is->s[is->i]) == NULL) {
                sx_sbuf_fini(&b);
                return ifail(is, "invalid escape sequence at position %zu", is->i - 1);
            }
            c = is->s[is->i++];
        }
        sx_sbuf_addc(&b, c);
    }
    if (is->i >= is->n) {
        sx_sbuf_fini(&b);
        return ifail(is, "unterminated string starting at position %zu", st - 1);
    }
    *raw = is->s + st;
    *rawlen = is->i - st;
    is->i++;
    arg->kind = IFN_ARG_LIT;
    arg->lit = val_str(is->a, b.p ? b.p : "", b.len);
    sx_sbuf_fini(&b);
    return SX_OK;
}

/* End of a path argument: the first ',' or ')' outside brackets/parentheses/quotes. */
static size_t
path_end(const istate_t *is)
{
    int depth = 0;
    char q = 0;
    size_t i = is->i;
    for (; i < is->n; i++) {
        char c = is->s[i];
        if (q) {
            if (c == '\\')
                i++;
            else if (c == q)
                q = 0;
        } else if (c == '\'' || c == '"') {
            q = c;
        } else if (c == '[' || c == '(') {
            depth++;
        } else if ((c == ']' || c == ')') && depth > 0) {
            depth--;
        } else if ((c == ',' || c == ')') && depth == 0) {
            break;
        }
    }
    if (i > is->n)
        i = is->n; /* a trailing backslash stepped past the end */
    while (i > is->i && isspace((unsigned char)is->s[i - 1]))
        i--;
    return i;
}

static int
parse_path(istate_t *is, ifn_arg_t *arg)
{
    char sub[200];
    size_t end = path_end(is);
    if (jp_compile(is->a, is->s + is->i, end - is->i, 0, &arg->path, sub, sizeof(sub)) != SX_OK)
        return ifail(is, "%s", sub);
    arg->kind = IFN_ARG_PATH;
    is->i = end;
    return SX_OK;
}

static int
parse_scalar(istate_t *is, ifn_arg_t *arg)
{
    size_t st = is->i;
    while (is->i < is->n && !isspace((unsigned char)is->s[is->i]) && is->s[is->i] != ',' &&
           is->s[is->i] != ')')
        is->i++;
    size_t len = is->i - st;
    const char *t = is->s + st;
    arg->kind = IFN_ARG_LIT;
    if (len == 4 && memcmp(t, "true", 4) == 0)
        arg->lit = val_true();
    else if (len == 5 && memcmp(t, "false", 5) == 0)
        arg->lit = val_false();
    else if (len == 4 && memcmp(t, "null", 4) == 0)
        arg->lit = val_null();
    else if (len == 0 || (t[0] != '-' && !isdigit((unsigned char)t[0])) ||
             val_json_parse(is->a, t, len, &arg->lit, NULL) != SX_OK)
        return ifail(is, "invalid argument '%.*s' at position %zu", (int)(len > 40 ? 40 : len), t,
                     st);
    return SX_OK;
}

static int
parse_arg(istate_t *is, int depth, ifn_arg_t *arg, const char **raw, size_t *rawlen)
{
    iskip(is);
    if (is->i >= is->n)
        return ifail(is, "unexpected end of the intrinsic function call");
    char c = is->s[is->i];
    if (c == '\'')
        return parse_string(is, arg, raw, rawlen);
    if (c == '$')
        return parse_path(is, arg);
    if (is->n - is->i > 7 && memcmp(is->s + is->i, "States.", 7) == 0) {
        arg->kind = IFN_ARG_CALL;
        return parse_call(is, depth + 1, &arg->call);
    }
    return parse_scalar(is, arg);
}

static int
parse_args(istate_t *is, int depth, ifn_call_t *c, const char **fmtraw, size_t *fmtlen)
{
    ifn_arg_t args[IFN_MAX_ARGS];
    uint32_t n = 0;
    iskip(is);
    if (is->i < is->n && is->s[is->i] == ')') {
        is->i++;
    } else {
        for (;;) {
            const char *raw = NULL;
            size_t rawlen = 0;
            if (n == IFN_MAX_ARGS)
                return ifail(is, "too many arguments");
            memset(&args[n], 0, sizeof(args[n]));
            if (parse_arg(is, depth, &args[n], &raw, &rawlen) != SX_OK)
                return SX_ERR;
            if (n == 0) {
                *fmtraw = raw;
                *fmtlen = rawlen;
            }
            n++;
            iskip(is);
            if (is->i < is->n && is->s[is->i] == ',') {
                is->i++;
                continue;
            }
            if (is->i < is->n && is->s[is->i] == ')') {
                is->i++;
                break;
            }
            return ifail(is, "expected ',' or ')' at position %zu", is->i);
        }
    }
    ifn_arg_t *copy = sx_arena_alloc(is->a, (n ? n : 1) * sizeof(*copy));
    memcpy(copy, args, n * sizeof(*copy));
    c->args = copy;
    c->nargs = n;
    return SX_OK;
}

static int
parse_call(istate_t *is, int depth, const ifn_call_t **out)
{
    if (depth > IFN_MAX_NESTING)
        return ifail(is, "more than %d nested intrinsic functions", IFN_MAX_NESTING);
    size_t st = is->i;
    while (is->i < is->n &&
           (isalnum((unsigned char)is->s[is->i]) || is->s[is->i] == '.' || is->s[is->i] == '_'))
        is->i++;
    size_t nlen = is->i - st;
    const ifn_def_t *def = ifn_lookup(is->s + st, nlen);
    if (def == NULL)
        return ifail(is, "unknown intrinsic function '%.*s'", (int)(nlen > 60 ? 60 : nlen),
                     is->s + st);
    iskip(is);
    if (is->i >= is->n || is->s[is->i] != '(')
        return ifail(is, "expected '(' after %s", def->name);
    is->i++;
    ifn_call_t *c = sx_arena_calloc(is->a, sizeof(*c));
    c->def = def;
    const char *fmtraw = NULL;
    size_t fmtlen = 0;
    if (parse_args(is, depth, c, &fmtraw, &fmtlen) != SX_OK)
        return SX_ERR;
    if (c->nargs < def->min || (def->max != 255 && c->nargs > def->max))
        return ifail(is, "%s takes %s%u argument%s, not %u", def->name,
                     def->min == def->max ? "" : "at least ", (unsigned)def->min,
                     def->min == 1 ? "" : "s", c->nargs);
    c->src = sx_arena_strndup(is->a, is->s + st, is->i - st);
    if (def->impl == ifn_format && fmtraw != NULL)
        c->fmt = ifn_fmt_compile(is->a, fmtraw, fmtlen);
    *out = c;
    return SX_OK;
}

int
ifn_compile(sx_arena_t *a, const char *src, size_t n, const ifn_call_t **out, char *err,
            size_t errlen)
{
    istate_t is = {.a = a, .s = src, .n = n, .err = err, .errlen = errlen};
    iskip(&is);
    if (is.n - is.i < 7 || memcmp(is.s + is.i, "States.", 7) != 0)
        return ifail(&is, "an intrinsic function call must start with 'States.'");
    if (parse_call(&is, 1, out) != SX_OK)
        return SX_ERR;
    iskip(&is);
    if (is.i != is.n)
        return ifail(&is, "unexpected text after the call at position %zu", is.i);
    return SX_OK;
}
