/*
 * jna_lib_util.c: small helpers of the JSONata function library: UTF-8 walking with
 * JavaScript's view of strings, and JS object key order.
 *
 * Strings are UTF-8 in the value model. jsonata counts code points in most functions, so a
 * code point walk is all most functions need. Lone surrogates (which a JS string can hold)
 * can only reach us as 3-byte WTF-8 sequences (ED A0..BF xx); they decode to U+D800..U+DFFF
 * here so URL encoding can reject them as JS does. Invalid bytes decode one at a time to
 * JNA_U8_BAD + byte, so a walk always advances.
 */
#include <stdlib.h>

#include "jna_lib_int.h"

uint32_t
jna_u8_next(const char *s, size_t n, size_t *i)
{
    const unsigned char *p = (const unsigned char *)s + *i;
    size_t left = n - *i;
    uint32_t c = p[0];
    int need;
    uint32_t min;

    if (c < 0x80) {
        *i += 1;
        return c;
    }
    if (c >= 0xC2 && c <= 0xDF) {
        need = 1, c &= 0x1F, min = 0x80;
    } else if (c >= 0xE0 && c <= 0xEF) {
        need = 2, c &= 0x0F, min = 0x800;
    } else if (c >= 0xF0 && c <= 0xF4) {
        need = 3, c &= 0x07, min = 0x10000;
    } else {
        goto bad;
    }
    if (left <= (size_t)need)
        goto bad;
    for (int k = 1; k <= need; k++) {
        if ((p[k] & 0xC0) != 0x80)
            goto bad;
        c = (c << 6) | (p[k] & 0x3F);
    }
    if (c < min || c > 0x10FFFF)
        goto bad;
    *i += (size_t)need + 1;
    return c;
bad:
    *i += 1;
    return JNA_U8_BAD + p[0];
}

void
jna_u8_put(sx_sbuf_t *b, uint32_t cp)
{
    char t[4];
    size_t n;

    if (cp >= JNA_U8_BAD) { /* an invalid byte passes through unchanged */
        sx_sbuf_addc(b, (char)(cp - JNA_U8_BAD));
        return;
    }
    if (cp < 0x80) {
        t[0] = (char)cp, n = 1;
    } else if (cp < 0x800) {
        t[0] = (char)(0xC0 | (cp >> 6)), t[1] = (char)(0x80 | (cp & 0x3F)), n = 2;
    } else if (cp < 0x10000) {
        t[0] = (char)(0xE0 | (cp >> 12)), t[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        t[2] = (char)(0x80 | (cp & 0x3F)), n = 3;
    } else {
        t[0] = (char)(0xF0 | (cp >> 18)), t[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
        t[2] = (char)(0x80 | ((cp >> 6) & 0x3F)), t[3] = (char)(0x80 | (cp & 0x3F)), n = 4;
    }
    sx_sbuf_add(b, t, n);
}

size_t
jna_u8_count(const char *s, size_t n)
{
    size_t i = 0, k = 0;

    while (i < n) {
        jna_u8_next(s, n, &i);
        k++;
    }
    return k;
}

size_t
jna_u8_offset(const char *s, size_t n, size_t k)
{
    size_t i = 0;

    while (i < n && k > 0) {
        jna_u8_next(s, n, &i);
        k--;
    }
    return i;
}

const val_t *
jna_sbuf_val(sx_arena_t *a, const sx_sbuf_t *b)
{
    return val_str(a, b->p ? b->p : "", b->len);
}

/* ---- JS object key order ---- */

/* Returns true and the index when key is a canonical array index (0 .. 2^32-2). */
static bool
key_index(const val_t *key, uint32_t *out)
{
    const char *s = val_str_get(key);
    size_t n = val_len(key);
    uint64_t v = 0;

    if (n == 0 || n > 10 || (n > 1 && s[0] == '0'))
        return false;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return false;
        v = v * 10 + (uint64_t)(s[i] - '0');
    }
    if (v > 4294967294u)
        return false;
    *out = (uint32_t)v;
    return true;
}

typedef struct order_ent {
    uint32_t idx;  /* array-index value of the key */
    uint32_t slot; /* member position */
} order_ent_t;

static int
order_cmp(const void *a, const void *b)
{
    const order_ent_t *x = a, *y = b;
    return x->idx < y->idx ? -1 : x->idx > y->idx;
}

const uint32_t *
jna_obj_order(sx_arena_t *a, const val_t *obj)
{
    size_t n = val_len(obj), nidx = 0, k = 0;
    order_ent_t *ents;
    uint32_t *order, v;

    for (size_t i = 0; i < n; i++)
        if (key_index(val_obj_at(obj, i)->key, &v))
            nidx++;
    if (nidx == 0)
        return NULL;
    ents = sx_arena_alloc(a, nidx * sizeof(*ents));
    for (size_t i = 0; i < n; i++)
        if (key_index(val_obj_at(obj, i)->key, &v))
            ents[k++] = (order_ent_t){v, (uint32_t)i};
    qsort(ents, nidx, sizeof(*ents), order_cmp);
    order = sx_arena_alloc(a, n * sizeof(*order));
    for (k = 0; k < nidx; k++)
        order[k] = ents[k].slot;
    for (size_t i = 0; i < n; i++)
        if (!key_index(val_obj_at(obj, i)->key, &v))
            order[k++] = (uint32_t)i;
    return order;
}
