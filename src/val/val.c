/*
 * val.c: construction, lookup, comparison and cloning of values (see val.h for the model).
 *
 * Object index: for objects with more than VAL_OBJ_INDEX_MIN members, `index` points at a
 * table of 1 + 2^k uint32 slots: slot 0 holds the mask (2^k - 1), slots 1.. hold member
 * position + 1, or 0 when empty; linear probing on an FNV-1a hash of the key bytes. The
 * table is built once, when the object is made, so lookups on shared (cross-thread) values
 * never write.
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "stepx/val.h"

static const val_t v_null = {.type = VAL_NULL};
static const val_t v_true = {.type = VAL_BOOL, .flags = VAL_F_TRUE};
static const val_t v_false = {.type = VAL_BOOL};
static const val_t *const no_items[1] = {NULL};
static const val_member_t no_members[1] = {{NULL, NULL}};
static const val_t v_arr_empty = {.type = VAL_ARR, .u.items = no_items};
static const val_t v_obj_empty = {.type = VAL_OBJ, .u.obj = {no_members, NULL}};

const val_t *
val_null(void)
{
    return &v_null;
}

const val_t *
val_true(void)
{
    return &v_true;
}

const val_t *
val_false(void)
{
    return &v_false;
}

const val_t *
val_arr_empty(void)
{
    return &v_arr_empty;
}

const val_t *
val_obj_empty(void)
{
    return &v_obj_empty;
}

const char *
val_type_name(const val_t *v)
{
    static const char *const names[] = {"null",  "boolean", "number",  "string",
                                        "array", "object",  "function"};
    if (v == NULL)
        return "undefined";
    return v->type <= VAL_FUNC ? names[v->type] : "?";
}

static val_t *
val_alloc(sx_arena_t *a, val_type_t t)
{
    val_t *v = sx_arena_alloc(a, sizeof(val_t));
    v->type = (uint8_t)t;
    v->flags = 0;
    v->_pad = 0;
    v->len = 0;
    return v;
}

static unsigned
num_flags(double d)
{
    return (d == floor(d) && fabs(d) <= 9007199254740992.0) ? VAL_F_INT : 0;
}

const val_t *
val_num(sx_arena_t *a, double d)
{
    val_t *v = val_alloc(a, VAL_NUM);
    v->flags = (uint8_t)num_flags(d);
    v->u.num.d = d;
    v->u.num.raw = NULL;
    return v;
}

const val_t *
val_num_raw(sx_arena_t *a, double d, const char *raw, size_t rawlen)
{
    val_t *v = val_alloc(a, VAL_NUM);
    v->flags = (uint8_t)num_flags(d);
    v->u.num.d = d;
    v->u.num.raw = sx_arena_strndup(a, raw, rawlen);
    return v;
}

const val_t *
val_str_nocopy(sx_arena_t *a, const char *s, size_t n)
{
    val_t *v = val_alloc(a, VAL_STR);
    v->len = (uint32_t)n;
    v->u.str = s;
    if (n <= VAL_KEY_HASH_MAX)
        v->_pad = val_key_tag(val_key_hash(s, n));
    return v;
}

const val_t *
val_str(sx_arena_t *a, const char *s, size_t n)
{
    return val_str_nocopy(a, sx_arena_strndup(a, s, n), n);
}

const val_t *
val_strf(sx_arena_t *a, const char *fmt, ...)
{
    va_list ap;
    size_t n;
    va_start(ap, fmt);
    char *s = sx_arena_vprintf(a, &n, fmt, ap);
    va_end(ap);
    return val_str_nocopy(a, s, n);
}

const val_t *
val_func(sx_arena_t *a, const void *fn, const void *aux)
{
    val_t *v = val_alloc(a, VAL_FUNC);
    v->u.func.fn = fn;
    v->u.func.aux = aux;
    return v;
}

/* ---- arrays ---- */

void
val_arrb_init(val_arrb_t *b, sx_arena_t *a, size_t cap_hint)
{
    b->a = a;
    b->len = 0;
    b->cap = (uint32_t)(cap_hint ? cap_hint : 4);
    b->items = sx_arena_alloc(a, b->cap * sizeof(*b->items));
}

void
val_arrb_push(val_arrb_t *b, const val_t *v)
{
    if (SX_UNLIKELY(b->len == b->cap)) {
        uint32_t cap = b->cap * 2;
        const val_t **items = sx_arena_alloc(b->a, cap * sizeof(*items));
        memcpy(items, b->items, b->len * sizeof(*items));
        b->items = items;
        b->cap = cap;
    }
    b->items[b->len++] = v;
}

const val_t *
val_arrb_done(val_arrb_t *b, unsigned flags)
{
    val_t *v = val_alloc(b->a, VAL_ARR);
    v->flags = (uint8_t)flags;
    v->len = b->len;
    v->u.items = b->len ? (const val_t *const *)b->items : no_items;
    return v;
}

const val_t *
val_arr(sx_arena_t *a, const val_t *const *items, size_t n, unsigned flags)
{
    val_t *v = val_alloc(a, VAL_ARR);
    v->flags = (uint8_t)flags;
    v->len = (uint32_t)n;
    if (n == 0) {
        v->u.items = no_items;
    } else {
        const val_t **copy = sx_arena_alloc(a, n * sizeof(*copy));
        memcpy(copy, items, n * sizeof(*copy));
        v->u.items = copy;
    }
    return v;
}

/* ---- objects ---- */

#define key_hash val_key_hash

/* Compares key k with s[0..n) whose hash tag is tag (0 = unknown). */
static inline bool
key_eq(const val_t *k, const char *s, size_t n, uint16_t tag)
{
    if (k->len != n || (tag && k->_pad && k->_pad != tag))
        return false;
    return memcmp(k->u.str, s, n) == 0;
}

/* Builds an index table over m[0..n) in arena a: slot 0 = mask, then 2^k slots. */
static uint32_t *
index_build(sx_arena_t *a, const val_member_t *m, uint32_t n, uint32_t *capout)
{
    uint32_t cap = 16;
    while (cap < n * 2)
        cap *= 2;
    uint32_t *t = sx_arena_calloc(a, (cap + 1) * sizeof(uint32_t));
    t[0] = cap - 1;
    for (uint32_t i = 0; i < n; i++) {
        uint32_t h = key_hash(m[i].key->u.str, m[i].key->len) & t[0];
        while (t[1 + h] != 0)
            h = (h + 1) & t[0];
        t[1 + h] = i + 1;
    }
    if (capout)
        *capout = cap;
    return t;
}

/* Returns the position of key (hash h) in members m (with index t or none), or -1. */
static long
members_find(const val_member_t *m, uint32_t n, const uint32_t *t, const char *key, size_t klen,
             uint32_t h)
{
    uint16_t tag = klen <= VAL_KEY_HASH_MAX ? val_key_tag(h) : 0;
    if (t != NULL) {
        uint32_t i = h & t[0];
        for (;;) {
            uint32_t slot = t[1 + i];
            if (slot == 0)
                return -1;
            if (key_eq(m[slot - 1].key, key, klen, tag))
                return (long)(slot - 1);
            i = (i + 1) & t[0];
        }
    }
    for (uint32_t i = 0; i < n; i++)
        if (key_eq(m[i].key, key, klen, tag))
            return (long)i;
    return -1;
}

const val_t *
val_obj_get(const val_t *obj, const char *key, size_t keylen)
{
    if (obj == NULL || obj->type != VAL_OBJ)
        return NULL;
    long i = members_find(obj->u.obj.m, obj->len, obj->u.obj.index, key, keylen,
                          key_hash(key, keylen));
    return i < 0 ? NULL : obj->u.obj.m[i].val;
}

const val_t *
val_obj_geth(const val_t *obj, const char *key, size_t keylen, uint32_t hash)
{
    if (obj == NULL || obj->type != VAL_OBJ)
        return NULL;
    long i = members_find(obj->u.obj.m, obj->len, obj->u.obj.index, key, keylen, hash);
    return i < 0 ? NULL : obj->u.obj.m[i].val;
}

void
val_objb_init(val_objb_t *b, sx_arena_t *a, size_t cap_hint)
{
    b->a = a;
    b->len = 0;
    b->cap = (uint32_t)(cap_hint ? cap_hint : 4);
    b->m = sx_arena_alloc(a, b->cap * sizeof(*b->m));
    b->_idx = NULL;
    b->_idxcap = 0;
}

static void
objb_grow(val_objb_t *b)
{
    uint32_t cap = b->cap * 2;
    val_member_t *m = sx_arena_alloc(b->a, cap * sizeof(*m));
    memcpy(m, b->m, b->len * sizeof(*m));
    b->m = m;
    b->cap = cap;
}

void
val_objb_add(val_objb_t *b, const val_t *key, const val_t *v)
{
    if (SX_UNLIKELY(b->len == b->cap))
        objb_grow(b);
    b->m[b->len].key = key;
    b->m[b->len].val = v;
    b->len++;
    if (b->_idx != NULL) {
        if (b->len * 2 > b->_idxcap) {
            b->_idx = index_build(b->a, b->m, b->len, &b->_idxcap);
        } else {
            uint32_t h = key_hash(key->u.str, key->len) & b->_idx[0];
            while (b->_idx[1 + h] != 0)
                h = (h + 1) & b->_idx[0];
            b->_idx[1 + h] = b->len;
        }
    } else if (b->len > 16) {
        b->_idx = index_build(b->a, b->m, b->len, &b->_idxcap);
    }
}

const val_t *
val_objb_get(const val_objb_t *b, const char *key, size_t keylen)
{
    long i = members_find(b->m, b->len, b->_idx, key, keylen, key_hash(key, keylen));
    return i < 0 ? NULL : b->m[i].val;
}

void
val_objb_set(val_objb_t *b, const val_t *key, const val_t *v)
{
    long i = members_find(b->m, b->len, b->_idx, key->u.str, key->len, key_hash(key->u.str, key->len));
    if (i >= 0) {
        b->m[i].val = v;
        return;
    }
    val_objb_add(b, key, v);
}

void
val_objb_sets(val_objb_t *b, const char *key, const val_t *v)
{
    size_t n = strlen(key);
    long i = members_find(b->m, b->len, b->_idx, key, n, key_hash(key, n));
    if (i >= 0) {
        b->m[i].val = v;
        return;
    }
    val_objb_add(b, val_str(b->a, key, n), v);
}

static const val_t *
obj_make(sx_arena_t *a, const val_member_t *m, uint32_t n)
{
    if (n == 0)
        return &v_obj_empty;
    val_t *v = val_alloc(a, VAL_OBJ);
    v->len = n;
    v->u.obj.m = m;
    v->u.obj.index = n > VAL_OBJ_INDEX_MIN ? index_build(a, m, n, NULL) : NULL;
    return v;
}

const val_t *
val_objb_done(val_objb_t *b)
{
    return obj_make(b->a, b->m, b->len);
}

const val_t *
val_obj_with(sx_arena_t *a, const val_t *obj, const val_t *key, const val_t *v)
{
    uint32_t n = obj->len;
    uint32_t h = key_hash(key->u.str, key->len);
    const uint32_t *t = obj->u.obj.index;
    long i = members_find(obj->u.obj.m, n, t, key->u.str, key->len, h);
    val_member_t *m = sx_arena_alloc(a, (n + 1) * sizeof(*m));
    if (n)
        memcpy(m, obj->u.obj.m, n * sizeof(*m));
    val_t *o = val_alloc(a, VAL_OBJ);
    o->u.obj.m = m;
    if (i >= 0) {
        m[i].val = v;
        /* Same keys, same positions: the old index stays valid. */
        o->len = n;
        o->u.obj.index = t;
        return o;
    }
    m[n].key = key;
    m[n].val = v;
    o->len = n + 1;
    if (t != NULL && (n + 1) * 2 <= t[0] + 1) {
        /* Room left: copy the table and insert the new key, no rehash. */
        uint32_t *nt = sx_arena_alloc(a, (t[0] + 2) * sizeof(uint32_t));
        memcpy(nt, t, (t[0] + 2) * sizeof(uint32_t));
        uint32_t j = h & nt[0];
        while (nt[1 + j] != 0)
            j = (j + 1) & nt[0];
        nt[1 + j] = n + 1;
        o->u.obj.index = nt;
    } else {
        o->u.obj.index = n + 1 > VAL_OBJ_INDEX_MIN ? index_build(a, m, n + 1, NULL) : NULL;
    }
    return o;
}

const val_t *
val_obj_without(sx_arena_t *a, const val_t *obj, const char *key, size_t keylen)
{
    uint32_t n = obj->len;
    long i = members_find(obj->u.obj.m, n, obj->u.obj.index, key, keylen, key_hash(key, keylen));
    if (i < 0)
        return obj;
    val_member_t *m = sx_arena_alloc(a, n * sizeof(*m));
    memcpy(m, obj->u.obj.m, (size_t)i * sizeof(*m));
    memcpy(m + i, obj->u.obj.m + i + 1, (n - (size_t)i - 1) * sizeof(*m));
    return obj_make(a, m, n - 1);
}

const val_t *
val_clone(sx_arena_t *dst, const val_t *v)
{
    if (v == NULL)
        return NULL;
    switch (v->type) {
    case VAL_NULL:
    case VAL_BOOL:
        return v->flags & VAL_F_TRUE ? &v_true : (v->type == VAL_NULL ? &v_null : &v_false);
    case VAL_NUM: {
        val_t *n = val_alloc(dst, VAL_NUM);
        *n = *v;
        if (v->u.num.raw)
            n->u.num.raw = sx_arena_strndup(dst, v->u.num.raw, strlen(v->u.num.raw));
        return n;
    }
    case VAL_STR:
        return val_str(dst, v->u.str, v->len);
    case VAL_ARR: {
        if (v->len == 0)
            return v->flags ? val_arr(dst, NULL, 0, v->flags) : &v_arr_empty;
        const val_t **items = sx_arena_alloc(dst, v->len * sizeof(*items));
        for (uint32_t i = 0; i < v->len; i++)
            items[i] = val_clone(dst, v->u.items[i]);
        val_t *r = val_alloc(dst, VAL_ARR);
        r->flags = v->flags;
        r->len = v->len;
        r->u.items = items;
        return r;
    }
    case VAL_OBJ: {
        if (v->len == 0)
            return &v_obj_empty;
        val_member_t *m = sx_arena_alloc(dst, v->len * sizeof(*m));
        for (uint32_t i = 0; i < v->len; i++) {
            m[i].key = val_clone(dst, v->u.obj.m[i].key);
            m[i].val = val_clone(dst, v->u.obj.m[i].val);
        }
        return obj_make(dst, m, v->len);
    }
    default: {
        val_t *f = val_alloc(dst, VAL_FUNC);
        *f = *v;
        return f;
    }
    }
}

/* ---- comparison ---- */

bool
val_equal(const val_t *a, const val_t *b)
{
    if (a == b)
        return true;
    if (a == NULL || b == NULL || a->type != b->type)
        return false;
    switch (a->type) {
    case VAL_NULL:
        return true;
    case VAL_BOOL:
        return (a->flags & VAL_F_TRUE) == (b->flags & VAL_F_TRUE);
    case VAL_NUM:
        return a->u.num.d == b->u.num.d;
    case VAL_STR:
        return a->len == b->len && memcmp(a->u.str, b->u.str, a->len) == 0;
    case VAL_ARR:
        if (a->len != b->len)
            return false;
        for (uint32_t i = 0; i < a->len; i++)
            if (!val_equal(a->u.items[i], b->u.items[i]))
                return false;
        return true;
    case VAL_OBJ:
        if (a->len != b->len)
            return false;
        for (uint32_t i = 0; i < a->len; i++) {
            const val_member_t *m = &a->u.obj.m[i];
            const val_t *o = val_obj_get(b, m->key->u.str, m->key->len);
            if (o == NULL || !val_equal(m->val, o))
                return false;
        }
        return true;
    default:
        return a->u.func.fn == b->u.func.fn && a->u.func.aux == b->u.func.aux;
    }
}

/* Decodes one UTF-8 sequence at s[*i] (lenient: invalid bytes decode as themselves). */
static uint32_t
utf8_next(const unsigned char *s, size_t n, size_t *i)
{
    unsigned c = s[*i];
    size_t need = c < 0xc0 ? 0 : c >= 0xf0 ? 3 : c >= 0xe0 ? 2 : 1;
    if (need == 0 || *i + need >= n) {
        (*i)++;
        return c;
    }
    uint32_t cp = c & (0x3fu >> need);
    for (size_t k = 1; k <= need; k++)
        cp = (cp << 6) | (s[*i + k] & 0x3fu);
    *i += need + 1;
    return cp;
}

int
val_str_cmp_u16(const char *a, size_t alen, const char *b, size_t blen)
{
    const unsigned char *x = (const unsigned char *)a, *y = (const unsigned char *)b;
    size_t i = 0, j = 0;
    uint32_t pend_x = 0, pend_y = 0; /* low surrogates waiting to be compared */
    while ((i < alen || pend_x) && (j < blen || pend_y)) {
        uint32_t cx, cy;
        if (pend_x) {
            cx = pend_x;
            pend_x = 0;
        } else {
            cx = utf8_next(x, alen, &i);
            if (cx >= 0x10000) {
                pend_x = 0xdc00 + ((cx - 0x10000) & 0x3ff);
                cx = 0xd800 + ((cx - 0x10000) >> 10);
            }
        }
        if (pend_y) {
            cy = pend_y;
            pend_y = 0;
        } else {
            cy = utf8_next(y, blen, &j);
            if (cy >= 0x10000) {
                pend_y = 0xdc00 + ((cy - 0x10000) & 0x3ff);
                cy = 0xd800 + ((cy - 0x10000) >> 10);
            }
        }
        if (cx != cy)
            return cx < cy ? -1 : 1;
    }
    bool xmore = i < alen || pend_x, ymore = j < blen || pend_y;
    return xmore ? 1 : (ymore ? -1 : 0);
}

size_t
val_str_u16len(const char *s, size_t n)
{
    size_t units = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if ((c & 0xc0) != 0x80)
            units += c >= 0xf0 ? 2 : 1;
    }
    return units;
}
