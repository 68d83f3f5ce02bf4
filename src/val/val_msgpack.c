/*
 * val_msgpack.c: values <-> msgpack.
 *
 * Encoding uses msgpack-c's packer (msgpack_pack_*). Decoding is our own: msgpack-c's C
 * unpacker caps nesting at MSGPACK_EMBED_STACK_SIZE (32) and builds its own object tree in a
 * zone, which we would have to copy again; this decoder reads straight into the arena,
 * allows the same nesting as the JSON parser (VAL_JSON_MAX_DEPTH) and bounds every length
 * by the bytes actually present, so a hostile length prefix cannot make it allocate.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include <msgpack.h>

#include "stepx/val.h"

/* ---- encoding ---- */

static int
sbuf_write(void *data, const char *buf, size_t len)
{
    sx_sbuf_add(data, buf, len);
    return 0;
}

static void
encode(msgpack_packer *pk, const val_t *v)
{
    switch (v == NULL ? VAL_FUNC : v->type) {
    case VAL_NULL:
        msgpack_pack_nil(pk);
        return;
    case VAL_BOOL:
        if (v->flags & VAL_F_TRUE)
            msgpack_pack_true(pk);
        else
            msgpack_pack_false(pk);
        return;
    case VAL_NUM: {
        double d = v->u.num.d;
        if (d == floor(d) && fabs(d) < 9.2e18 && !(d == 0 && signbit(d)))
            msgpack_pack_int64(pk, (int64_t)d);
        else
            msgpack_pack_double(pk, d);
        return;
    }
    case VAL_STR:
        msgpack_pack_str(pk, v->len);
        msgpack_pack_str_body(pk, v->u.str, v->len);
        return;
    case VAL_ARR:
        msgpack_pack_array(pk, v->len);
        for (uint32_t i = 0; i < v->len; i++)
            encode(pk, v->u.items[i]);
        return;
    case VAL_OBJ:
        msgpack_pack_map(pk, v->len);
        for (uint32_t i = 0; i < v->len; i++) {
            encode(pk, v->u.obj.m[i].key);
            encode(pk, v->u.obj.m[i].val);
        }
        return;
    default:
        msgpack_pack_nil(pk);
        return;
    }
}

void
val_msgpack_encode(sx_sbuf_t *b, const val_t *v)
{
    msgpack_packer pk;
    msgpack_packer_init(&pk, b, sbuf_write);
    encode(&pk, v);
}

/* ---- decoding ---- */

typedef struct dec {
    sx_arena_t *a;
    const unsigned char *s;
    size_t n, i;
    int depth;
    val_json_err_t *err;
} dec_t;

static int
dfail(dec_t *d, const char *msg)
{
    if (d->err != NULL) {
        d->err->offset = d->i;
        d->err->line = 0;
        d->err->col = 0;
        snprintf(d->err->msg, sizeof(d->err->msg), "%s at byte %zu", msg, d->i);
    }
    return SX_ERR;
}

static int
need(dec_t *d, size_t k)
{
    return d->n - d->i >= k ? SX_OK : dfail(d, "Truncated msgpack");
}

static uint64_t
be(const unsigned char *p, int k)
{
    uint64_t v = 0;
    for (int j = 0; j < k; j++)
        v = (v << 8) | p[j];
    return v;
}

/* Reads a k-byte big-endian unsigned length/integer. */
static int
rd(dec_t *d, int k, uint64_t *v)
{
    if (need(d, (size_t)k) != SX_OK)
        return SX_ERR;
    *v = be(d->s + d->i, k);
    d->i += (size_t)k;
    return SX_OK;
}

static const val_t *
mk_int(sx_arena_t *a, int64_t v, bool is_unsigned, uint64_t u)
{
    char buf[24];
    double dv = is_unsigned ? (double)u : (double)v;
    if (fabs(dv) <= 9007199254740992.0)
        return val_num(a, dv);
    int len = is_unsigned ? snprintf(buf, sizeof(buf), "%llu", (unsigned long long)u)
                          : snprintf(buf, sizeof(buf), "%lld", (long long)v);
    return val_num_raw(a, dv, buf, (size_t)len);
}

static int dec_value(dec_t *d, const val_t **out);

static int
dec_str(dec_t *d, uint64_t len, const val_t **out)
{
    if (need(d, len) != SX_OK)
        return SX_ERR;
    size_t bad;
    if (!val_utf8_valid((const char *)d->s + d->i, (size_t)len, &bad)) {
        d->i += bad;
        return dfail(d, "Invalid UTF-8 in string");
    }
    *out = val_str(d->a, (const char *)d->s + d->i, (size_t)len);
    d->i += (size_t)len;
    return SX_OK;
}

static int
dec_array(dec_t *d, uint64_t count, const val_t **out)
{
    if (count > d->n - d->i) /* each element takes at least one byte */
        return dfail(d, "Array length exceeds input");
    if (++d->depth > VAL_JSON_MAX_DEPTH)
        return dfail(d, "Nesting too deep");
    val_arrb_t b;
    val_arrb_init(&b, d->a, count ? count : 1);
    for (uint64_t k = 0; k < count; k++) {
        const val_t *v;
        if (dec_value(d, &v) != SX_OK)
            return SX_ERR;
        val_arrb_push(&b, v);
    }
    d->depth--;
    *out = count ? val_arrb_done(&b, 0) : val_arr_empty();
    return SX_OK;
}

static int
dec_map(dec_t *d, uint64_t count, const val_t **out)
{
    if (count > (d->n - d->i) / 2)
        return dfail(d, "Map length exceeds input");
    if (++d->depth > VAL_JSON_MAX_DEPTH)
        return dfail(d, "Nesting too deep");
    val_objb_t b;
    val_objb_init(&b, d->a, count ? count : 1);
    for (uint64_t k = 0; k < count; k++) {
        const val_t *key, *v;
        size_t at = d->i;
        if (dec_value(d, &key) != SX_OK)
            return SX_ERR;
        if (key->type != VAL_STR) {
            d->i = at;
            return dfail(d, "Map key is not a string");
        }
        if (dec_value(d, &v) != SX_OK)
            return SX_ERR;
        val_objb_set(&b, key, v);
    }
    d->depth--;
    *out = val_objb_done(&b);
    return SX_OK;
}

static int
dec_value(dec_t *d, const val_t **out)
{
    uint64_t u;
    if (need(d, 1) != SX_OK)
        return SX_ERR;
    unsigned c = d->s[d->i++];
    if (c <= 0x7f) {
        *out = val_num(d->a, c);
        return SX_OK;
    }
    if (c >= 0xe0) {
        *out = val_num(d->a, (int8_t)c);
        return SX_OK;
    }
    if ((c & 0xe0) == 0xa0)
        return dec_str(d, c & 0x1f, out);
    if ((c & 0xf0) == 0x90)
        return dec_array(d, c & 0x0f, out);
    if ((c & 0xf0) == 0x80)
        return dec_map(d, c & 0x0f, out);
    switch (c) {
    case 0xc0:
        *out = val_null();
        return SX_OK;
    case 0xc2:
        *out = val_false();
        return SX_OK;
    case 0xc3:
        *out = val_true();
        return SX_OK;
    case 0xc4: case 0xd9: /* bin8, str8 */
        return rd(d, 1, &u) == SX_OK ? dec_str(d, u, out) : SX_ERR;
    case 0xc5: case 0xda:
        return rd(d, 2, &u) == SX_OK ? dec_str(d, u, out) : SX_ERR;
    case 0xc6: case 0xdb:
        return rd(d, 4, &u) == SX_OK ? dec_str(d, u, out) : SX_ERR;
    case 0xca: { /* float32 */
        if (rd(d, 4, &u) != SX_OK)
            return SX_ERR;
        uint32_t bits = (uint32_t)u;
        float f;
        memcpy(&f, &bits, 4);
        if (!isfinite(f))
            return dfail(d, "Non-finite number");
        *out = val_num(d->a, f);
        return SX_OK;
    }
    case 0xcb: { /* float64 */
        if (rd(d, 8, &u) != SX_OK)
            return SX_ERR;
        double f;
        memcpy(&f, &u, 8);
        if (!isfinite(f))
            return dfail(d, "Non-finite number");
        *out = val_num(d->a, f);
        return SX_OK;
    }
    case 0xcc: case 0xcd: case 0xce: case 0xcf: {
        int k = 1 << (c - 0xcc);
        if (rd(d, k, &u) != SX_OK)
            return SX_ERR;
        *out = mk_int(d->a, 0, true, u);
        return SX_OK;
    }
    case 0xd0: case 0xd1: case 0xd2: case 0xd3: {
        int k = 1 << (c - 0xd0);
        if (rd(d, k, &u) != SX_OK)
            return SX_ERR;
        int64_t v;
        if (k == 8)
            memcpy(&v, &u, 8);
        else
            v = (int64_t)(u << (64 - 8 * k)) >> (64 - 8 * k);
        *out = mk_int(d->a, v, false, 0);
        return SX_OK;
    }
    case 0xdc:
        return rd(d, 2, &u) == SX_OK ? dec_array(d, u, out) : SX_ERR;
    case 0xdd:
        return rd(d, 4, &u) == SX_OK ? dec_array(d, u, out) : SX_ERR;
    case 0xde:
        return rd(d, 2, &u) == SX_OK ? dec_map(d, u, out) : SX_ERR;
    case 0xdf:
        return rd(d, 4, &u) == SX_OK ? dec_map(d, u, out) : SX_ERR;
    default:
        d->i--;
        return dfail(d, "Unsupported msgpack type (ext or reserved)");
    }
}

int
val_msgpack_decode(sx_arena_t *a, const char *s, size_t n, const val_t **out,
                   val_json_err_t *err)
{
    dec_t d = {.a = a, .s = (const unsigned char *)s, .n = n, .i = 0, .depth = 0, .err = err};
    if (dec_value(&d, out) != SX_OK)
        return SX_ERR;
    if (d.i != n)
        return dfail(&d, "Trailing bytes after msgpack object");
    return SX_OK;
}
