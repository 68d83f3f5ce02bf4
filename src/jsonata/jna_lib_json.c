/*
 * jna_lib_json.c: JSON.stringify as jsonata's $string calls it.
 *
 * $string passes a replacer to JSON.stringify that rounds every non-integer number to 15
 * significant digits (Number(n.toPrecision(15))) and turns functions into "". Objects are
 * iterated in JS order (array-index keys first). Strings are escaped as ES2019
 * JSON.stringify does: the short escapes \" \\ \b \f \n \r \t, other C0 controls and lone
 * surrogates as lowercase \uXXXX, everything else raw (including '/' and U+2028).
 * Pretty printing (JSON.stringify(v, r, 2)): one member per line, ": " after keys, empty
 * objects and arrays inline as {} and [].
 */
#include <math.h>

#include "jna_lib_int.h"

void
jna_json_quote(sx_sbuf_t *b, const char *s, size_t n)
{
    static const char hex[] = "0123456789abcdef";
    size_t i = 0, start;
    uint32_t cp;

    sx_sbuf_addc(b, '"');
    while (i < n) {
        start = i;
        cp = jna_u8_next(s, n, &i);
        switch (cp) {
        case '"':
            sx_sbuf_adds(b, "\\\"");
            continue;
        case '\\':
            sx_sbuf_adds(b, "\\\\");
            continue;
        case '\b':
            sx_sbuf_adds(b, "\\b");
            continue;
        case '\f':
            sx_sbuf_adds(b, "\\f");
            continue;
        case '\n':
            sx_sbuf_adds(b, "\\n");
            continue;
        case '\r':
            sx_sbuf_adds(b, "\\r");
            continue;
        case '\t':
            sx_sbuf_adds(b, "\\t");
            continue;
        default:
            break;
        }
        if (cp < 0x20 || (cp >= 0xD800 && cp <= 0xDFFF)) {
            char e[6] = {'\\', 'u', hex[(cp >> 12) & 15], hex[(cp >> 8) & 15],
                         hex[(cp >> 4) & 15], hex[cp & 15]};
            sx_sbuf_add(b, e, sizeof(e));
        } else {
            sx_sbuf_add(b, s + start, i - start);
        }
    }
    sx_sbuf_addc(b, '"');
}

static void
newline(sx_sbuf_t *b, int indent, int depth)
{
    sx_sbuf_addc(b, '\n');
    for (int i = 0; i < indent * depth; i++)
        sx_sbuf_addc(b, ' ');
}

static int stringify(jna_fctx_t *c, sx_sbuf_t *b, const val_t *v, int indent, int depth);

static int
stringify_num(jna_fctx_t *c, sx_sbuf_t *b, const val_t *v)
{
    char buf[VAL_NUM_BUF];
    double d = val_num_get(v);

    if (isnan(d)) { /* the replacer's isNumeric is false: JSON.stringify writes null */
        sx_sbuf_adds(b, "null");
        return SX_OK;
    }
    if (!isfinite(d))
        return jna_fctx_fail(c, "D1001", v, "Number out of range: null");
    d = jna_num_str_round(d, c->aws);
    if (!isfinite(d)) { /* 2.0.6: toPrecision(15) of the largest doubles is Infinity */
        sx_sbuf_adds(b, "null");
        return SX_OK;
    }
    sx_sbuf_add(b, buf, val_num_fmt(d, buf));
    return SX_OK;
}

static int
stringify_arr(jna_fctx_t *c, sx_sbuf_t *b, const val_t *v, int indent, int depth)
{
    size_t n = val_len(v);

    if (n == 0) {
        sx_sbuf_adds(b, "[]");
        return SX_OK;
    }
    sx_sbuf_addc(b, '[');
    for (size_t i = 0; i < n; i++) {
        if (i > 0)
            sx_sbuf_addc(b, ',');
        if (indent > 0)
            newline(b, indent, depth + 1);
        if (stringify(c, b, val_arr_at(v, i), indent, depth + 1) != SX_OK)
            return SX_ERR;
    }
    if (indent > 0)
        newline(b, indent, depth);
    sx_sbuf_addc(b, ']');
    return SX_OK;
}

static int
stringify_obj(jna_fctx_t *c, sx_sbuf_t *b, const val_t *v, int indent, int depth)
{
    size_t n = val_len(v);
    const uint32_t *order = jna_obj_order(c->arena, v);

    if (n == 0) {
        sx_sbuf_adds(b, "{}");
        return SX_OK;
    }
    sx_sbuf_addc(b, '{');
    for (size_t i = 0; i < n; i++) {
        const val_member_t *m = val_obj_at(v, order ? order[i] : i);
        if (i > 0)
            sx_sbuf_addc(b, ',');
        if (indent > 0)
            newline(b, indent, depth + 1);
        jna_json_quote(b, val_str_get(m->key), val_len(m->key));
        sx_sbuf_adds(b, indent > 0 ? ": " : ":");
        if (stringify(c, b, m->val, indent, depth + 1) != SX_OK)
            return SX_ERR;
    }
    if (indent > 0)
        newline(b, indent, depth);
    sx_sbuf_addc(b, '}');
    return SX_OK;
}

static int
stringify(jna_fctx_t *c, sx_sbuf_t *b, const val_t *v, int indent, int depth)
{
    switch (val_type(v)) {
    case VAL_NULL:
        sx_sbuf_adds(b, "null");
        return SX_OK;
    case VAL_BOOL:
        sx_sbuf_adds(b, val_bool_get(v) ? "true" : "false");
        return SX_OK;
    case VAL_NUM:
        return stringify_num(c, b, v);
    case VAL_STR:
        jna_json_quote(b, val_str_get(v), val_len(v));
        return SX_OK;
    case VAL_ARR:
        return stringify_arr(c, b, v, indent, depth);
    case VAL_OBJ:
        return stringify_obj(c, b, v, indent, depth);
    case VAL_FUNC:
        sx_sbuf_adds(b, "\"\"");
        return SX_OK;
    }
    return SX_OK;
}

int
jna_json_stringify(jna_fctx_t *c, sx_sbuf_t *b, const val_t *v, int indent)
{
    return stringify(c, b, v, indent, 0);
}

/* Plain JSON.stringify (no rounding) for error message values. */
static void
text_plain(sx_sbuf_t *b, const val_t *v)
{
    char buf[VAL_NUM_BUF];

    if (v == NULL) {
        sx_sbuf_adds(b, "undefined");
        return;
    }
    switch (val_type(v)) {
    case VAL_NUM:
        if (!isfinite(val_num_get(v)))
            sx_sbuf_adds(b, "null");
        else
            sx_sbuf_add(b, buf, val_num_fmt(val_num_get(v), buf));
        return;
    case VAL_STR:
        jna_json_quote(b, val_str_get(v), val_len(v));
        return;
    case VAL_ARR:
        sx_sbuf_addc(b, '[');
        for (size_t i = 0; i < val_len(v); i++) {
            if (i > 0)
                sx_sbuf_addc(b, ',');
            text_plain(b, val_arr_at(v, i));
        }
        sx_sbuf_addc(b, ']');
        return;
    case VAL_OBJ:
        sx_sbuf_addc(b, '{');
        for (size_t i = 0; i < val_len(v); i++) {
            const val_member_t *m = val_obj_at(v, i);
            if (i > 0)
                sx_sbuf_addc(b, ',');
            jna_json_quote(b, val_str_get(m->key), val_len(m->key));
            sx_sbuf_addc(b, ':');
            text_plain(b, m->val);
        }
        sx_sbuf_addc(b, '}');
        return;
    case VAL_FUNC:
        sx_sbuf_adds(b, "{}");
        return;
    default:
        sx_sbuf_adds(b, val_type(v) == VAL_NULL ? "null" : val_bool_get(v) ? "true" : "false");
        return;
    }
}

const char *
jna_json_text(jna_fctx_t *c, const val_t *v)
{
    sx_sbuf_t b = SX_SBUF_INIT;
    const char *s;

    text_plain(&b, v);
    s = sx_arena_strndup(c->arena, b.p, b.len);
    sx_sbuf_fini(&b);
    return s;
}
