/*
 * jna_lex.c: the JSONata tokenizer (jsonata-js parser.js tokenizer, on demand).
 *
 * Whitespace is SPACE TAB LF CR VT only; comments are C-style; '/' starts a regex only in
 * operand position (the parser says which). Names run to whitespace or an operator
 * character; "$name" is a variable, and/or/in are operators, true/false/null literals.
 * String escapes follow JSON plus \uXXXX; surrogate pairs written as two escapes combine;
 * a lone surrogate is kept as its 3-byte (WTF-8) encoding, which string functions reject.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>

#include "jna_int.h"

static bool
is_ws(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v';
}

/* Single-character operators (also name terminators). */
static bool
is_opchar(char c)
{
    return c != 0 && strchr(".[]{}(),@#;:?+-*/%|=<>^&!~", c) != NULL;
}

static int
lex_fail(jna_lex_t *lx, const char *code, size_t pos, const char *token)
{
    return jna_fail(lx->a, lx->err, code, (int)pos, token, NULL, NULL);
}

static void
put_utf8(sx_sbuf_t *b, uint32_t cp)
{
    char u[4];
    if (cp < 0x80) {
        sx_sbuf_addc(b, (char)cp);
    } else if (cp < 0x800) {
        u[0] = (char)(0xc0 | (cp >> 6));
        u[1] = (char)(0x80 | (cp & 0x3f));
        sx_sbuf_add(b, u, 2);
    } else if (cp < 0x10000) {
        u[0] = (char)(0xe0 | (cp >> 12));
        u[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
        u[2] = (char)(0x80 | (cp & 0x3f));
        sx_sbuf_add(b, u, 3);
    } else {
        u[0] = (char)(0xf0 | (cp >> 18));
        u[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
        u[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
        u[3] = (char)(0x80 | (cp & 0x3f));
        sx_sbuf_add(b, u, 4);
    }
}

static int
hex4(const char *s, size_t avail)
{
    int v = 0;
    if (avail < 4)
        return -1;
    for (int i = 0; i < 4; i++) {
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

static int
lex_string(jna_lex_t *lx, jna_tok_t *t)
{
    char q = lx->src[lx->pos++];
    sx_sbuf_t b = SX_SBUF_INIT;
    uint32_t hi = 0; /* pending high surrogate */

    while (lx->pos < lx->len) {
        char c = lx->src[lx->pos];
        if (c == '\\') {
            lx->pos++;
            c = lx->pos < lx->len ? lx->src[lx->pos] : 0;
            const char *esc = strchr("\"\\/bfnrt", c);
            if (c != 0 && esc != NULL) {
                if (hi) {
                    put_utf8(&b, hi);
                    hi = 0;
                }
                static const char repl[] = "\"\\/\b\f\n\r\t";
                sx_sbuf_addc(&b, repl[esc - "\"\\/bfnrt"]);
            } else if (c == 'u') {
                int cp = hex4(lx->src + lx->pos + 1, lx->len - lx->pos - 1);
                if (cp < 0) {
                    sx_sbuf_fini(&b);
                    return lex_fail(lx, "S0104", lx->pos, NULL);
                }
                lx->pos += 4;
                if (hi && cp >= 0xdc00 && cp <= 0xdfff) {
                    put_utf8(&b, 0x10000 + ((hi - 0xd800) << 10) + ((uint32_t)cp - 0xdc00));
                    hi = 0;
                } else {
                    if (hi)
                        put_utf8(&b, hi);
                    hi = 0;
                    if (cp >= 0xd800 && cp <= 0xdbff)
                        hi = (uint32_t)cp;
                    else
                        put_utf8(&b, (uint32_t)cp);
                }
            } else {
                char tok[2] = {c, 0};
                sx_sbuf_fini(&b);
                return lex_fail(lx, "S0103", lx->pos, tok);
            }
        } else if (c == q) {
            if (hi)
                put_utf8(&b, hi);
            lx->pos++;
            t->type = JT_STR;
            t->s = sx_arena_strndup(lx->a, b.p ? b.p : "", b.len);
            t->n = (uint32_t)b.len;
            sx_sbuf_fini(&b);
            return SX_OK;
        } else {
            if (hi) {
                put_utf8(&b, hi);
                hi = 0;
            }
            sx_sbuf_addc(&b, c);
        }
        lx->pos++;
    }
    sx_sbuf_fini(&b);
    return lex_fail(lx, "S0101", lx->pos, NULL);
}

/* Matches ^(0|[1-9][0-9]*)(\.[0-9]+)?([Ee][-+]?[0-9]+)? at s; returns its length or 0. */
static size_t
num_len(const char *s, size_t n)
{
    size_t i = 0;
    if (i < n && s[i] == '0') {
        i++;
    } else if (i < n && s[i] >= '1' && s[i] <= '9') {
        while (i < n && s[i] >= '0' && s[i] <= '9')
            i++;
    } else {
        return 0;
    }
    if (i + 1 < n && s[i] == '.' && s[i + 1] >= '0' && s[i + 1] <= '9') {
        i++;
        while (i < n && s[i] >= '0' && s[i] <= '9')
            i++;
    }
    if (i < n && (s[i] == 'e' || s[i] == 'E')) {
        size_t j = i + 1;
        if (j < n && (s[j] == '+' || s[j] == '-'))
            j++;
        if (j < n && s[j] >= '0' && s[j] <= '9') {
            while (j < n && s[j] >= '0' && s[j] <= '9')
                j++;
            i = j;
        }
    }
    return i;
}

static int
lex_number(jna_lex_t *lx, size_t len, jna_tok_t *t)
{
    char *tmp = sx_arena_strndup(lx->a, lx->src + lx->pos, len);
    double d = strtod(tmp, NULL);
    if (!isfinite(d))
        return lex_fail(lx, "S0102", lx->pos, tmp);
    lx->pos += len;
    t->type = JT_NUM;
    t->num = d;
    t->s = tmp;
    t->n = (uint32_t)len;
    return SX_OK;
}

static bool
closing_slash(const char *s, size_t pos, int depth)
{
    size_t bs = 0;
    if (s[pos] != '/' || depth != 0)
        return false;
    while (pos >= bs + 1 && s[pos - bs - 1] == '\\')
        bs++;
    return bs % 2 == 0;
}

static int
lex_regex(jna_lex_t *lx, jna_tok_t *t)
{
    size_t start = lx->pos;
    int depth = 0;
    while (lx->pos < lx->len) {
        char c = lx->src[lx->pos];
        if (closing_slash(lx->src, lx->pos, depth)) {
            if (lx->pos == start)
                return lex_fail(lx, "S0301", lx->pos, NULL);
            t->type = JT_REGEX;
            t->re = sx_arena_strndup(lx->a, lx->src + start, lx->pos - start);
            t->relen = (uint32_t)(lx->pos - start);
            lx->pos++;
            size_t fs = lx->pos;
            while (lx->pos < lx->len && (lx->src[lx->pos] == 'i' || lx->src[lx->pos] == 'm'))
                lx->pos++;
            t->reflags = sx_arena_strndup(lx->a, lx->src + fs, lx->pos - fs);
            return SX_OK;
        }
        bool esc = lx->pos > 0 && lx->src[lx->pos - 1] == '\\';
        if ((c == '(' || c == '[' || c == '{') && !esc)
            depth++;
        if ((c == ')' || c == ']' || c == '}') && !esc)
            depth--;
        lx->pos++;
    }
    return lex_fail(lx, "S0302", lx->pos, NULL);
}

static int
lex_skip(jna_lex_t *lx)
{
    for (;;) {
        while (lx->pos < lx->len && is_ws(lx->src[lx->pos]))
            lx->pos++;
        if (lx->pos + 1 < lx->len && lx->src[lx->pos] == '/' && lx->src[lx->pos + 1] == '*') {
            size_t cs = lx->pos;
            lx->pos += 2;
            for (;;) {
                if (lx->pos + 1 >= lx->len) {
                    lx->pos = lx->len;
                    return lex_fail(lx, "S0106", cs, NULL);
                }
                if (lx->src[lx->pos] == '*' && lx->src[lx->pos + 1] == '/')
                    break;
                lx->pos++;
            }
            lx->pos += 2;
            continue;
        }
        return SX_OK;
    }
}

static int
lex_name(jna_lex_t *lx, jna_tok_t *t)
{
    size_t i = lx->pos;
    const char *s = lx->src;
    while (i < lx->len && !is_ws(s[i]) && !is_opchar(s[i]))
        i++;
    if (s[lx->pos] == '$') {
        t->type = JT_VAR;
        t->s = sx_arena_strndup(lx->a, s + lx->pos + 1, i - lx->pos - 1);
        t->n = (uint32_t)(i - lx->pos - 1);
        lx->pos = i;
        return SX_OK;
    }
    size_t n = i - lx->pos;
    const char *nm = s + lx->pos;
    lx->pos = i;
    if ((n == 2 && memcmp(nm, "or", 2) == 0) || (n == 2 && memcmp(nm, "in", 2) == 0) ||
        (n == 3 && memcmp(nm, "and", 3) == 0)) {
        t->type = JT_OP;
        memcpy(t->op, nm, n);
        t->op[n] = 0;
        return SX_OK;
    }
    if (n == 4 && memcmp(nm, "true", 4) == 0) {
        t->type = JT_VALUE;
        t->lit = val_true();
    } else if (n == 5 && memcmp(nm, "false", 5) == 0) {
        t->type = JT_VALUE;
        t->lit = val_false();
    } else if (n == 4 && memcmp(nm, "null", 4) == 0) {
        t->type = JT_VALUE;
        t->lit = val_null();
    } else if (n == 0 && i == lx->len) {
        t->type = JT_END;
    } else {
        t->type = JT_NAME;
        t->s = sx_arena_strndup(lx->a, nm, n);
        t->n = (uint32_t)n;
    }
    return SX_OK;
}

static const char *const two_ops[] = {"..", ":=", "!=", ">=", "<=", "**", "~>", "?:", "??"};

int
jna_lex_next(jna_lex_t *lx, bool infix, jna_tok_t *t)
{
    memset(t, 0, sizeof(*t));
    if (lex_skip(lx) != SX_OK)
        return SX_ERR;
    if (lx->pos >= lx->len) {
        t->type = JT_END;
        t->position = (int)lx->len;
        return SX_OK;
    }
    const char *s = lx->src + lx->pos;
    char c = s[0];
    int rc = SX_OK;
    if (!infix && c == '/') {
        lx->pos++;
        rc = lex_regex(lx, t);
    } else if (lx->pos + 1 < lx->len && c != 0) {
        for (size_t k = 0; k < SX_ARRAY_LEN(two_ops); k++) {
            if (s[0] == two_ops[k][0] && s[1] == two_ops[k][1]) {
                t->type = JT_OP;
                memcpy(t->op, two_ops[k], 3);
                lx->pos += 2;
                t->position = (int)lx->pos;
                return SX_OK;
            }
        }
    }
    if (t->type != 0 || rc != SX_OK) {
        t->position = (int)lx->pos;
        return rc;
    }
    if (is_opchar(c)) {
        t->type = JT_OP;
        t->op[0] = c;
        lx->pos++;
    } else if (c == '"' || c == '\'') {
        rc = lex_string(lx, t);
    } else if (num_len(s, lx->len - lx->pos) > 0) {
        rc = lex_number(lx, num_len(s, lx->len - lx->pos), t);
    } else if (c == '`') {
        const char *end = memchr(s + 1, '`', lx->len - lx->pos - 1);
        if (end == NULL) {
            lx->pos = lx->len;
            return lex_fail(lx, "S0105", lx->pos, NULL);
        }
        t->type = JT_NAME;
        t->s = sx_arena_strndup(lx->a, s + 1, (size_t)(end - s - 1));
        t->n = (uint32_t)(end - s - 1);
        lx->pos = (size_t)(end - lx->src) + 1;
    } else {
        rc = lex_name(lx, t);
    }
    t->position = (int)lx->pos;
    return rc;
}
