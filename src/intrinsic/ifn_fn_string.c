/*
 * ifn_fn_string.c: States.StringToJson, JsonToString, StringSplit, Base64Encode,
 * Base64Decode, Hash, UUID.
 *
 * AWS quirks kept (intrinsics.md): StringToJson of "" or whitespace is null and "-0" is 0
 * (Jackson reads it as the integer 0); StringSplit splits on any character of its second
 * argument and drops empty pieces (Java StringTokenizer); Base64Encode is Java's MIME encoder
 * (lines of 76 characters joined by CRLF) and Base64Decode its MIME decoder (characters
 * outside the alphabet are skipped); decoded bytes that are not UTF-8 become U+FFFD as in
 * Java's new String(bytes, UTF_8). Base64 and Hash inputs are limited to IFN_STR_MAX
 * characters (UTF-16 units, Java's String.length()).
 */
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "intrinsic/ifn_int.h"

#define IFN_STR_MAX 10000

/* ---- StringToJson / JsonToString ---- */

/* Jackson parses "-0" as the integer 0: rewrite such numbers (rare; only called when the
 * text contains "-0"). */
static const val_t *
fix_neg_zero(sx_arena_t *a, const val_t *v)
{
    if (val_is(v, VAL_NUM)) {
        const char *raw = v->u.num.raw;
        return raw != NULL && strcmp(raw, "-0") == 0 ? val_num(a, 0) : v;
    }
    if (val_is(v, VAL_ARR)) {
        val_arrb_t b;
        val_arrb_init(&b, a, val_len(v));
        for (size_t k = 0; k < val_len(v); k++)
            val_arrb_push(&b, fix_neg_zero(a, val_arr_at(v, k)));
        return val_arrb_done(&b, v->flags);
    }
    if (val_is(v, VAL_OBJ)) {
        val_objb_t b;
        val_objb_init(&b, a, val_len(v));
        for (size_t k = 0; k < val_len(v); k++)
            val_objb_add(&b, val_obj_at(v, k)->key, fix_neg_zero(a, val_obj_at(v, k)->val));
        return val_objb_done(&b);
    }
    return v;
}

int
ifn_string_to_json(const ifn_args_t *x, const val_t **out)
{
    val_json_err_t je;
    if (ifn_want(x, 0, VAL_STR) != SX_OK)
        return SX_ERR;
    const char *s = val_str_get(x->v[0]);
    size_t n = val_len(x->v[0]), i = 0;
    while (i < n && strchr(" \t\r\n", s[i]) != NULL && s[i] != '\0')
        i++;
    if (i == n) {
        *out = val_null();
        return SX_OK;
    }
    if (val_json_parse(x->a, s, n, out, &je) != SX_OK)
        return ifn_fail(x, "the argument is not valid JSON: %s", je.msg);
    if (memmem(s, n, "-0", 2) != NULL)
        *out = fix_neg_zero(x->a, *out);
    return SX_OK;
}

int
ifn_json_to_string(const ifn_args_t *x, const val_t **out)
{
    size_t n;
    const char *s = val_json_str(x->a, x->v[0], &n);
    *out = val_str_nocopy(x->a, s, n);
    return SX_OK;
}

/* ---- StringSplit ---- */

/* Decodes one UTF-8 code point at s[*i] (input is valid UTF-8). */
static uint32_t
utf8_cp(const unsigned char *s, size_t n, size_t *i)
{
    uint32_t c = s[(*i)++];
    int extra = c >= 0xF0 ? 3 : c >= 0xE0 ? 2 : c >= 0xC0 ? 1 : 0;
    c &= extra == 3 ? 0x07 : extra == 2 ? 0x0F : extra == 1 ? 0x1F : 0x7F;
    while (extra-- > 0 && *i < n)
        c = (c << 6) | (s[(*i)++] & 0x3F);
    return c;
}

/* The delimiter set of StringSplit: ASCII in a bitmap, other code points sorted. */
typedef struct cpset {
    uint64_t ascii[2]; /* bit c set: ASCII c is a delimiter */
    uint32_t *wide;    /* sorted non-ASCII code points (heap) */
    size_t nwide;      /* count */
} cpset_t;

static int
cp_cmp(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return x < y ? -1 : x > y;
}

static void
cpset_init(cpset_t *set, const val_t *delims)
{
    const unsigned char *s = (const unsigned char *)val_str_get(delims);
    size_t n = val_len(delims), i = 0;
    memset(set, 0, sizeof(*set));
    set->wide = sx_malloc((n ? n : 1) * sizeof(*set->wide));
    while (i < n) {
        uint32_t cp = utf8_cp(s, n, &i);
        if (cp < 128)
            set->ascii[cp >> 6] |= 1ULL << (cp & 63);
        else
            set->wide[set->nwide++] = cp;
    }
    qsort(set->wide, set->nwide, sizeof(*set->wide), cp_cmp);
}

static bool
cpset_has(const cpset_t *set, uint32_t cp)
{
    if (cp < 128)
        return (set->ascii[cp >> 6] >> (cp & 63)) & 1;
    return set->nwide > 0 && bsearch(&cp, set->wide, set->nwide, sizeof(cp), cp_cmp) != NULL;
}

int
ifn_string_split(const ifn_args_t *x, const val_t **out)
{
    if (ifn_want(x, 0, VAL_STR) != SX_OK || ifn_want(x, 1, VAL_STR) != SX_OK)
        return SX_ERR;
    const unsigned char *s = (const unsigned char *)val_str_get(x->v[0]);
    size_t n = val_len(x->v[0]), i = 0, start = 0;
    cpset_t set;
    cpset_init(&set, x->v[1]);
    val_arrb_t b;
    val_arrb_init(&b, x->a, 4);
    while (i < n) {
        size_t at = i;
        if (!cpset_has(&set, utf8_cp(s, n, &i)))
            continue;
        if (at > start)
            val_arrb_push(&b, val_str(x->a, (const char *)s + start, at - start));
        start = i;
    }
    if (n > start)
        val_arrb_push(&b, val_str(x->a, (const char *)s + start, n - start));
    sx_free(set.wide);
    *out = val_arrb_done(&b, 0);
    return SX_OK;
}

/* ---- Base64 ---- */

static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

static int
want_short_str(const ifn_args_t *x, uint32_t i)
{
    if (ifn_want(x, i, VAL_STR) != SX_OK)
        return SX_ERR;
    size_t len = val_str_u16len(val_str_get(x->v[i]), val_len(x->v[i]));
    if (len > IFN_STR_MAX)
        return ifn_fail(x, "the input has %zu characters, more than the limit of %d", len,
                        IFN_STR_MAX);
    return SX_OK;
}

int
ifn_base64_encode(const ifn_args_t *x, const val_t **out)
{
    if (want_short_str(x, 0) != SX_OK)
        return SX_ERR;
    const unsigned char *s = (const unsigned char *)val_str_get(x->v[0]);
    size_t n = val_len(x->v[0]), len = 0, col = 0;
    char *buf = sx_arena_alloc(x->a, (n + 2) / 3 * 4 * 78 / 76 + 8);
    for (size_t i = 0; i < n; i += 3) {
        uint32_t w = (uint32_t)s[i] << 16;
        if (i + 1 < n)
            w |= (uint32_t)s[i + 1] << 8;
        if (i + 2 < n)
            w |= s[i + 2];
        if (col == 76) {
            buf[len++] = '\r', buf[len++] = '\n';
            col = 0;
        }
        buf[len++] = b64[(w >> 18) & 63];
        buf[len++] = b64[(w >> 12) & 63];
        buf[len++] = i + 1 < n ? b64[(w >> 6) & 63] : '=';
        buf[len++] = i + 2 < n ? b64[w & 63] : '=';
        col += 4;
    }
    buf[len] = '\0';
    *out = val_str_nocopy(x->a, buf, len);
    return SX_OK;
}

static int
b64_value(unsigned char c)
{
    const char *p = c ? strchr(b64, c) : NULL;
    return p ? (int)(p - b64) : -1;
}

/* Appends bytes as UTF-8, replacing invalid sequences by U+FFFD. */
static void
utf8_sanitize(sx_sbuf_t *b, const unsigned char *s, size_t n)
{
    size_t i = 0;
    while (i < n) {
        unsigned char c = s[i];
        int extra = c < 0x80             ? 0
                    : (c & 0xE0) == 0xC0 ? 1
                    : (c & 0xF0) == 0xE0 ? 2
                    : (c & 0xF8) == 0xF0 ? 3
                                         : -1;
        bool ok = extra >= 0 && i + (size_t)extra < n;
        uint32_t cp = extra <= 0 ? c : c & (0x3F >> extra);
        for (int k = 1; ok && k <= extra; k++) {
            ok = (s[i + k] & 0xC0) == 0x80;
            cp = (cp << 6) | (s[i + k] & 0x3F);
        }
        if (ok && extra > 0) {
            static const uint32_t minv[4] = {0, 0x80, 0x800, 0x10000};
            ok = cp >= minv[extra] && cp <= 0x10FFFF && !(cp >= 0xD800 && cp <= 0xDFFF);
        }
        if (ok) {
            sx_sbuf_add(b, s + i, (size_t)extra + 1);
            i += (size_t)extra + 1;
        } else {
            sx_sbuf_add(b, "\xEF\xBF\xBD", 3);
            i++;
        }
    }
}

int
ifn_base64_decode(const ifn_args_t *x, const val_t **out)
{
    if (want_short_str(x, 0) != SX_OK)
        return SX_ERR;
    const unsigned char *s = (const unsigned char *)val_str_get(x->v[0]);
    size_t n = val_len(x->v[0]), len = 0;
    unsigned char *bytes = sx_arena_alloc(x->a, n / 4 * 3 + 4);
    uint32_t w = 0;
    int have = 0;
    for (size_t i = 0; i < n && s[i] != '='; i++) {
        int v = b64_value(s[i]);
        if (v < 0)
            continue; /* MIME: characters outside the alphabet are ignored */
        w = (w << 6) | (uint32_t)v;
        if (++have == 4) {
            bytes[len++] = (unsigned char)(w >> 16);
            bytes[len++] = (unsigned char)(w >> 8);
            bytes[len++] = (unsigned char)w;
            w = 0, have = 0;
        }
    }
    if (have == 1)
        return ifn_fail(x, "the input is not valid base64 (the last unit does not have enough "
                           "valid bits)");
    if (have == 2) {
        bytes[len++] = (unsigned char)(w >> 4);
    } else if (have == 3) {
        bytes[len++] = (unsigned char)(w >> 10);
        bytes[len++] = (unsigned char)(w >> 2);
    }
    sx_sbuf_t b = SX_SBUF_INIT;
    utf8_sanitize(&b, bytes, len);
    *out = val_str(x->a, b.p ? b.p : "", b.len);
    sx_sbuf_fini(&b);
    return SX_OK;
}

/* ---- Hash ---- */

int
ifn_hash(const ifn_args_t *x, const val_t **out)
{
    static const struct {
        const char *name;
        const EVP_MD *(*md)(void);
    } algs[] = {{"MD5", EVP_md5},
                {"SHA-1", EVP_sha1},
                {"SHA-256", EVP_sha256},
                {"SHA-384", EVP_sha384},
                {"SHA-512", EVP_sha512}};
    if (ifn_want(x, 1, VAL_STR) != SX_OK)
        return SX_ERR;
    const EVP_MD *md = NULL;
    for (size_t k = 0; k < SX_ARRAY_LEN(algs); k++)
        if (strcmp(val_str_get(x->v[1]), algs[k].name) == 0)
            md = algs[k].md();
    if (md == NULL)
        return ifn_fail(x,
                        "the hash algorithm '%s' is not one of MD5, SHA-1, SHA-256, "
                        "SHA-384, SHA-512",
                        val_str_get(x->v[1]));
    const char *data;
    size_t n;
    if (val_is(x->v[0], VAL_STR))
        data = val_str_get(x->v[0]), n = val_len(x->v[0]);
    else
        data = val_json_str(x->a, x->v[0], &n);
    size_t chars = val_str_u16len(data, n);
    if (chars > IFN_STR_MAX)
        return ifn_fail(x, "the input has %zu characters, more than the limit of %d", chars,
                        IFN_STR_MAX);
    unsigned char dig[EVP_MAX_MD_SIZE];
    unsigned int dlen = 0;
    if (EVP_Digest(data, n, dig, &dlen, md, NULL) != 1)
        return ifn_fail(x, "the digest could not be computed");
    char *hex = sx_arena_alloc(x->a, dlen * 2 + 1);
    for (unsigned int k = 0; k < dlen; k++) {
        hex[2 * k] = "0123456789abcdef"[dig[k] >> 4];
        hex[2 * k + 1] = "0123456789abcdef"[dig[k] & 15];
    }
    hex[dlen * 2] = '\0';
    *out = val_str_nocopy(x->a, hex, dlen * 2);
    return SX_OK;
}

/* ---- UUID ---- */

int
ifn_uuid(const ifn_args_t *x, const val_t **out)
{
    char buf[40];
    sx_uuid4(buf);
    *out = val_strz(x->a, buf);
    return SX_OK;
}
