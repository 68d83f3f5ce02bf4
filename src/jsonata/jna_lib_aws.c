/*
 * jna_lib_aws.c: the functions AWS Step Functions adds to JSONata: $partition $range $hash
 * $random([seed]) $uuid $parse (table entries flagged JNA_BI_AWS_ONLY).
 *
 * AWS documents behaviour but not error texts, so argument problems use the reference's
 * signature error shape (T0410) and bad JSON in $parse uses D3120 with the parser's detail.
 * A seeded $random is deterministic: SHA-256 of the seed's JS number text, first 53 bits
 * over 2^53 (AWS's own algorithm is undocumented; same seed -> same value is what it
 * promises). $parse returns numbers as JSON.parse would (no source text, -0 -> 0).
 */
#include <math.h>
#include <openssl/evp.h>

#include "jna_lib_int.h"

#define RANGE_MAX 10000000

static int
arg_fail(jna_fctx_t *c, const char *fname, int index, const val_t *v)
{
    return jna_fctx_fail(c, "T0410", v, "Argument %d of function %s does not match function "
                         "signature", index, fname);
}

JNA_BI(partition)
{
    const val_t *a = argv[0], *sz = argc > 1 ? argv[1] : NULL;
    double size;
    val_arrb_t b;
    size_t n;

    if (a == NULL) {
        *out = NULL;
        return SX_OK;
    }
    size = sz != NULL ? val_num_get(sz) : NAN;
    if (!(size >= 1) || !jna_num_is_int(size))
        return arg_fail(c, "partition", 2, sz);
    n = val_len(a);
    val_arrb_init(&b, c->arena, n / (size_t)fmin(size, (double)SIZE_MAX) + 1);
    for (size_t i = 0; i < n; i += (size_t)size) {
        size_t k = (double)(n - i) < size ? n - i : (size_t)size;
        val_arrb_push(&b, val_arr(c->arena, a->u.items + i, k, 0));
    }
    *out = val_arrb_done(&b, 0);
    return SX_OK;
}

JNA_BI(range)
{
    double start, end, step = 1, count;
    val_arrb_t b;

    if (argv[0] == NULL || argc < 2 || argv[1] == NULL) {
        *out = NULL;
        return SX_OK;
    }
    start = val_num_get(argv[0]);
    end = val_num_get(argv[1]);
    if (argc > 2 && argv[2] != NULL)
        step = val_num_get(argv[2]);
    if (!isfinite(start) || !isfinite(end) || !isfinite(step))
        return arg_fail(c, "range", !isfinite(start) ? 1 : !isfinite(end) ? 2 : 3, NULL);
    if (step == 0 || (step > 0 && start > end) || (step < 0 && start < end)) {
        *out = val_arr_empty();
        return SX_OK;
    }
    count = floor((end - start) / step) + 1;
    if (count > RANGE_MAX)
        return jna_fctx_fail(c, "D2014", NULL,
                             "The size of the sequence allocated by the range function must not "
                             "exceed 1e7.  Attempted to allocate %.0f.",
                             count);
    val_arrb_init(&b, c->arena, (size_t)count);
    for (double i = 0; i < count; i++)
        val_arrb_push(&b, val_num(c->arena, start + i * step));
    *out = val_arrb_done(&b, VAL_F_SEQ);
    return SX_OK;
}

static const EVP_MD *
hash_md(const char *name)
{
    if (strcmp(name, "MD5") == 0)
        return EVP_md5();
    if (strcmp(name, "SHA-1") == 0)
        return EVP_sha1();
    if (strcmp(name, "SHA-256") == 0)
        return EVP_sha256();
    if (strcmp(name, "SHA-384") == 0)
        return EVP_sha384();
    if (strcmp(name, "SHA-512") == 0)
        return EVP_sha512();
    return NULL;
}

/* Digest of n bytes; returns the digest length (0 on failure). */
static unsigned
digest(const EVP_MD *md, const void *p, size_t n, unsigned char *dig)
{
    unsigned len = 0;

    if (EVP_Digest(p, n, dig, &len, md, NULL) != 1)
        return 0;
    return len;
}

JNA_BI(hash)
{
    const val_t *v = argv[0], *alg = argc > 1 ? argv[1] : NULL;
    const EVP_MD *md;
    unsigned char dig[EVP_MAX_MD_SIZE];
    char hex[2 * EVP_MAX_MD_SIZE + 1];
    unsigned len;

    if (v == NULL) {
        *out = NULL;
        return SX_OK;
    }
    md = hash_md(alg != NULL ? val_str_get(alg) : "SHA-256");
    if (md == NULL)
        return arg_fail(c, "hash", 2, alg);
    len = digest(md, val_str_get(v), val_len(v), dig);
    if (len == 0)
        return jna_fctx_fail(c, "D3137", NULL, "hash computation failed");
    for (unsigned i = 0; i < len; i++)
        snprintf(hex + 2 * i, 3, "%02x", dig[i]);
    *out = val_str(c->arena, hex, 2 * (size_t)len);
    return SX_OK;
}

JNA_BI(random_seeded)
{
    uint64_t r = 0;

    if (argc > 0 && argv[0] != NULL) {
        char num[VAL_NUM_BUF];
        unsigned char dig[EVP_MAX_MD_SIZE];
        size_t n = val_num_fmt(val_num_get(argv[0]), num);
        if (digest(EVP_sha256(), num, n, dig) == 0)
            return jna_fctx_fail(c, "D3137", NULL, "random seed hashing failed");
        for (int i = 0; i < 8; i++)
            r = (r << 8) | dig[i];
    } else {
        sx_random_bytes(&r, sizeof(r));
    }
    *out = val_num(c->arena, (double)(r >> 11) * 0x1p-53);
    return SX_OK;
}

JNA_BI(uuid)
{
    char buf[40];

    SX_UNUSED(argv), SX_UNUSED(argc);
    sx_uuid4(buf);
    *out = val_strz(c->arena, buf);
    return SX_OK;
}

/* Rebuilds v with JS numbers (no source text; -0 -> 0), sharing everything else. */
static const val_t *
js_numbers(sx_arena_t *a, const val_t *v)
{
    switch (val_type(v)) {
    case VAL_NUM: {
        double d = val_num_get(v);
        return val_num(a, d == 0 ? 0 : d);
    }
    case VAL_ARR: {
        val_arrb_t b;
        val_arrb_init(&b, a, val_len(v));
        for (size_t i = 0; i < val_len(v); i++)
            val_arrb_push(&b, js_numbers(a, val_arr_at(v, i)));
        return val_arrb_done(&b, 0);
    }
    case VAL_OBJ: {
        val_objb_t b;
        val_objb_init(&b, a, val_len(v));
        for (size_t i = 0; i < val_len(v); i++)
            val_objb_add(&b, val_obj_at(v, i)->key, js_numbers(a, val_obj_at(v, i)->val));
        return val_objb_done(&b);
    }
    default:
        return v;
    }
}

JNA_BI(parse)
{
    const val_t *v;
    val_json_err_t e;

    SX_UNUSED(argc);
    if (argv[0] == NULL) {
        *out = NULL;
        return SX_OK;
    }
    if (val_json_parse(c->arena, val_str_get(argv[0]), val_len(argv[0]), &v, &e) != SX_OK)
        return jna_fctx_fail(c, "D3120", argv[0], "Syntax error in JSON passed to function parse: "
                             "%s", e.msg);
    *out = js_numbers(c->arena, v);
    return SX_OK;
}
