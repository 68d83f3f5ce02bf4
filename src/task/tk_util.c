/*
 * tk_util.c: helpers shared by the task integrations: completing calls with counters,
 * HTTP reason phrases, response headers and bodies as values, percent and form encoding
 * (the URL_ENCODED transform of http:invoke), and "name=value,..." configuration tables.
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "tk_int.h"

/* ---- completing calls ---- */

void
tk_res_succeed(tk_res_t *r, ex_call_t *c, const val_t *result)
{
    r->stats.succeeded++;
    r->stats.inflight--;
    ex_call_succeed(c, result);
}

void
tk_res_succeed_sized(tk_res_t *r, ex_call_t *c, const val_t *result, size_t json_size)
{
    r->stats.succeeded++;
    r->stats.inflight--;
    ex_call_succeed_sized(c, result, json_size);
}

void
tk_res_fail(tk_res_t *r, ex_call_t *c, const char *error, const char *cause)
{
    r->stats.failed++;
    r->stats.inflight--;
    ex_call_fail(c, error, cause);
}

void
tk_res_data_limit(tk_res_t *r, ex_call_t *c, const char *who)
{
    /* asl.md §9: the engine's own text for an oversized task result */
    const char *cause = sx_arena_printf(c->arena, NULL,
                                        "The state/task '%s' returned a result with a size "
                                        "exceeding the maximum number of bytes service limit.",
                                        who);
    tk_res_fail(r, c, ASL_E_DATA_LIMIT, cause);
}

int
tk_res_bad_params(tk_res_t *r, ex_call_t *c, const char *detail)
{
    const char *params = val_json_str(c->arena, c->input, NULL);
    const char *cause = sx_arena_printf(c->arena, NULL,
                                        "The Parameters '%s' could not be used to start the "
                                        "Task: [%s]",
                                        params, detail);
    tk_res_fail(r, c, ASL_E_RUNTIME, cause);
    return SX_OK;
}

/* ---- HTTP values ---- */

const char *
tk_status_text(long status)
{
    static const struct {
        int code;
        const char *text;
    } t[] = {{100, "Continue"},
             {200, "OK"},
             {201, "Created"},
             {202, "Accepted"},
             {203, "Non-Authoritative Information"},
             {204, "No Content"},
             {205, "Reset Content"},
             {206, "Partial Content"},
             {300, "Multiple Choices"},
             {301, "Moved Permanently"},
             {302, "Found"},
             {303, "See Other"},
             {304, "Not Modified"},
             {307, "Temporary Redirect"},
             {308, "Permanent Redirect"},
             {400, "Bad Request"},
             {401, "Unauthorized"},
             {402, "Payment Required"},
             {403, "Forbidden"},
             {404, "Not Found"},
             {405, "Method Not Allowed"},
             {406, "Not Acceptable"},
             {408, "Request Timeout"},
             {409, "Conflict"},
             {410, "Gone"},
             {411, "Length Required"},
             {412, "Precondition Failed"},
             {413, "Payload Too Large"},
             {414, "URI Too Long"},
             {415, "Unsupported Media Type"},
             {416, "Range Not Satisfiable"},
             {417, "Expectation Failed"},
             {418, "I'm a teapot"},
             {422, "Unprocessable Entity"},
             {425, "Too Early"},
             {426, "Upgrade Required"},
             {428, "Precondition Required"},
             {429, "Too Many Requests"},
             {431, "Request Header Fields Too Large"},
             {500, "Internal Server Error"},
             {501, "Not Implemented"},
             {502, "Bad Gateway"},
             {503, "Service Unavailable"},
             {504, "Gateway Timeout"},
             {505, "HTTP Version Not Supported"}};
    for (size_t i = 0; i < SX_ARRAY_LEN(t); i++)
        if (t[i].code == status)
            return t[i].text;
    return "";
}

static const val_t *
name_val(sx_arena_t *a, const char *name, bool lower)
{
    size_t n = strlen(name);
    char *s = sx_arena_strndup(a, name, n);
    if (lower)
        for (size_t i = 0; i < n; i++)
            s[i] = (char)tolower((unsigned char)s[i]);
    return val_str_nocopy(a, s, n);
}

const val_t *
tk_hdrs_val(sx_arena_t *a, const tk_req_t *q, bool lower, bool arrays)
{
    val_objb_t ob;
    val_objb_init(&ob, a, q->nhdrs);
    for (uint32_t i = 0; i < q->nhdrs; i++) {
        const val_t *key = name_val(a, q->hdrs[i].name, lower);
        const val_t *v = val_strz(a, q->hdrs[i].value);
        if (arrays) {
            const val_t *prev = val_objb_get(&ob, val_str_get(key), val_len(key));
            val_arrb_t ab;
            val_arrb_init(&ab, a, prev != NULL ? val_len(prev) + 1 : 1);
            for (size_t j = 0; prev != NULL && j < val_len(prev); j++)
                val_arrb_push(&ab, val_arr_at(prev, j));
            val_arrb_push(&ab, v);
            v = val_arrb_done(&ab, 0);
        }
        val_objb_set(&ob, key, v);
    }
    return val_objb_done(&ob);
}

bool
tk_ctype_json(const char *ctype)
{
    if (ctype == NULL)
        return false;
    size_t n = strcspn(ctype, ";");
    while (n > 0 && ctype[n - 1] == ' ')
        n--;
    if (n >= 16 && strncasecmp(ctype, "application/json", 16) == 0 && n == 16)
        return true;
    return n >= 5 && strncasecmp(ctype + n - 5, "+json", 5) == 0;
}

const val_t *
tk_body_val(sx_arena_t *a, const char *p, size_t n, bool json)
{
    const val_t *v;
    if (p == NULL)
        p = "";
    if (json && n > 0 && val_json_parse(a, p, n, &v, NULL) == SX_OK)
        return v;
    return val_str(a, p, n);
}

const val_t *
tk_body_val_sized(sx_arena_t *a, const char *p, size_t n, bool json, size_t *bound)
{
    const val_t *v;
    size_t b = n;
    if (p == NULL)
        p = "";
    if (json && n > 0 && val_json_parse(a, p, n, &v, NULL) == SX_OK) {
        /* strings print no longer than written (escapes only shrink or stay), whitespace
         * goes; a number with an exponent may print longer: "1e20" is 21 digits, and no
         * number prints longer than 25 bytes ("-1.2345678901234567e-308") */
        for (size_t i = 1; i < n; i++)
            if ((p[i] | 0x20) == 'e' && ((p[i - 1] >= '0' && p[i - 1] <= '9') || p[i - 1] == '.'))
                b += 25;
        *bound = b;
        return v;
    }
    /* quotes; control characters become \u00XX (6 bytes), '"' and '\\' two; bytes above
     * 0x7f may be replaced (invalid UTF-8 -> U+FFFD, 3 bytes) */
    b += 2;
    for (size_t i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)p[i];
        b += ch < 0x20 ? 5u : ch == '"' || ch == '\\' ? 1u : ch >= 0x80 ? 2u : 0u;
    }
    *bound = b;
    return val_str(a, p, n);
}

size_t
tk_wrap_bound(const val_t *skeleton, size_t inner)
{
    return val_json_len(skeleton) - 4 + inner;
}

/* ---- encoding ---- */

void
tk_pct_add(sx_sbuf_t *b, const char *s, size_t n)
{
    static const char hex[] = "0123456789ABCDEF";
    for (size_t i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)s[i];
        if (isalnum(ch) || ch == '-' || ch == '_' || ch == '.' || ch == '~') {
            sx_sbuf_addc(b, (char)ch);
        } else {
            char e[3] = {'%', hex[ch >> 4], hex[ch & 15]};
            sx_sbuf_add(b, e, 3);
        }
    }
}

void
tk_scalar_add(sx_sbuf_t *b, const val_t *v)
{
    if (val_is(v, VAL_STR))
        sx_sbuf_add(b, val_str_get(v), val_len(v));
    else
        val_json_print(b, v);
}

static void
pair_add(sx_sbuf_t *b, const char *key, const val_t *v)
{
    sx_sbuf_t t = SX_SBUF_INIT;
    if (b->len > 0)
        sx_sbuf_addc(b, '&');
    tk_pct_add(b, key, strlen(key));
    sx_sbuf_addc(b, '=');
    if (v != NULL && !val_is(v, VAL_NULL)) {
        tk_scalar_add(&t, v);
        tk_pct_add(b, t.p != NULL ? t.p : "", t.len);
    }
    sx_sbuf_fini(&t);
}

static void
form_arr(sx_sbuf_t *b, const char *prefix, const val_t *v, tk_arrfmt_t fmt)
{
    sx_sbuf_t k = SX_SBUF_INIT;
    if (fmt == TK_ARR_COMMA) {
        sx_sbuf_t t = SX_SBUF_INIT;
        for (size_t i = 0; i < val_len(v); i++) {
            if (i > 0)
                sx_sbuf_addc(&t, ',');
            tk_scalar_add(&t, val_arr_at(v, i));
        }
        if (b->len > 0)
            sx_sbuf_addc(b, '&');
        tk_pct_add(b, prefix, strlen(prefix));
        sx_sbuf_addc(b, '=');
        tk_pct_add(b, t.p != NULL ? t.p : "", t.len);
        sx_sbuf_fini(&t);
        return;
    }
    for (size_t i = 0; i < val_len(v); i++) {
        sx_sbuf_reset(&k);
        if (fmt == TK_ARR_INDICES)
            sx_sbuf_addf(&k, "%s[%zu]", prefix, i);
        else if (fmt == TK_ARR_BRACKETS)
            sx_sbuf_addf(&k, "%s[]", prefix);
        else
            sx_sbuf_adds(&k, prefix);
        tk_form_add(b, k.p, val_arr_at(v, i), fmt);
    }
    sx_sbuf_fini(&k);
}

void
tk_form_add(sx_sbuf_t *b, const char *prefix, const val_t *v, tk_arrfmt_t fmt)
{
    if (val_is(v, VAL_OBJ)) {
        sx_sbuf_t k = SX_SBUF_INIT;
        for (size_t i = 0; i < val_len(v); i++) {
            const val_member_t *m = val_obj_at(v, i);
            sx_sbuf_reset(&k);
            if (prefix != NULL)
                sx_sbuf_addf(&k, "%s[%s]", prefix, val_str_get(m->key));
            else
                sx_sbuf_adds(&k, val_str_get(m->key));
            tk_form_add(b, k.p, m->val, fmt);
        }
        sx_sbuf_fini(&k);
    } else if (prefix == NULL) {
        return; /* a top-level scalar has no key: nothing to encode */
    } else if (val_is(v, VAL_ARR)) {
        form_arr(b, prefix, v, fmt);
    } else {
        pair_add(b, prefix, v);
    }
}

/* ---- name=value tables ---- */

static char *
trim_dup(const char *s, size_t n)
{
    while (n > 0 && isspace((unsigned char)*s)) {
        s++;
        n--;
    }
    while (n > 0 && isspace((unsigned char)s[n - 1]))
        n--;
    return sx_strndup(s, n);
}

int
tk_table_parse(tk_table_t *t, const char *text, char *msg, size_t msglen)
{
    memset(t, 0, sizeof(*t));
    const char *p = text != NULL ? text : "";
    while (*p != '\0') {
        size_t n = strcspn(p, ",");
        const char *eq = memchr(p, '=', n);
        char *name = eq != NULL ? trim_dup(p, (size_t)(eq - p)) : NULL;
        char *value = eq != NULL ? trim_dup(eq + 1, n - (size_t)(eq + 1 - p)) : NULL;
        if (name == NULL || name[0] == '\0' || value[0] == '\0') {
            bool blank = eq == NULL && strspn(p, " \t") == n;
            sx_free(name);
            sx_free(value);
            if (!blank) {
                snprintf(msg, msglen, "expected name=value at '%.*s'", (int)(n > 60 ? 60 : n), p);
                tk_table_fini(t);
                return SX_ERR;
            }
        } else {
            t->names = sx_realloc(t->names, (t->n + 1) * sizeof(*t->names));
            t->values = sx_realloc(t->values, (t->n + 1) * sizeof(*t->values));
            t->names[t->n] = name;
            t->values[t->n] = value;
            t->n++;
        }
        p += n;
        if (*p == ',')
            p++;
    }
    return SX_OK;
}

const char *
tk_table_get(const tk_table_t *t, const char *name)
{
    for (size_t i = 0; i < t->n; i++)
        if (strcmp(t->names[i], name) == 0)
            return t->values[i];
    return NULL;
}

void
tk_table_fini(tk_table_t *t)
{
    for (size_t i = 0; i < t->n; i++) {
        sx_free(t->names[i]);
        sx_free(t->values[i]);
    }
    sx_free(t->names);
    sx_free(t->values);
    memset(t, 0, sizeof(*t));
}

const char *
tk_request_id(sx_arena_t *a)
{
    char id[40];
    sx_uuid4(id);
    return sx_arena_strndup(a, id, strlen(id));
}
