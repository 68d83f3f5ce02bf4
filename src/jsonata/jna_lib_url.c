/*
 * jna_lib_url.c: $base64encode $base64decode $encodeUrlComponent $encodeUrl
 * $decodeUrlComponent $decodeUrl.
 *
 * base64 works on the Latin-1 view of the JS string, as Node's Buffer 'binary' encoding:
 * each UTF-16 code unit keeps its low 8 bits when encoding, and each decoded byte becomes
 * the code point U+0000..U+00FF (no UTF-8 decoding). Decoding is lenient like Node's: bytes
 * outside the (standard or URL-safe) alphabet are skipped and '=' ends the input.
 * The URL functions are ECMAScript's encodeURIComponent/encodeURI/decodeURIComponent/
 * decodeURI; where those throw URIError jsonata raises D3140 with the function name.
 */
#include "jna_lib_int.h"

static const char b64_alpha[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

static int
str_out(jna_fctx_t *c, sx_sbuf_t *b, const val_t **out)
{
    *out = jna_sbuf_val(c->arena, b);
    sx_sbuf_fini(b);
    return SX_OK;
}

/* Appends the Latin-1 bytes of s (one per UTF-16 unit, low 8 bits) to raw. */
static void
latin1_bytes(sx_sbuf_t *raw, const char *s, size_t n)
{
    size_t i = 0;

    while (i < n) {
        uint32_t cp = jna_u8_next(s, n, &i);
        if (cp >= JNA_U8_BAD) {
            sx_sbuf_addc(raw, (char)(cp - JNA_U8_BAD));
        } else if (cp >= 0x10000) {
            sx_sbuf_addc(raw, (char)((0xD800 + ((cp - 0x10000) >> 10)) & 0xFF));
            sx_sbuf_addc(raw, (char)((0xDC00 + ((cp - 0x10000) & 0x3FF)) & 0xFF));
        } else {
            sx_sbuf_addc(raw, (char)(cp & 0xFF));
        }
    }
}

JNA_BI(base64encode)
{
    sx_sbuf_t raw = SX_SBUF_INIT, b = SX_SBUF_INIT;
    const unsigned char *p;

    SX_UNUSED(argc);
    if (argv[0] == NULL) {
        *out = NULL;
        return SX_OK;
    }
    latin1_bytes(&raw, val_str_get(argv[0]), val_len(argv[0]));
    p = (const unsigned char *)raw.p;
    for (size_t i = 0; i < raw.len; i += 3) {
        uint32_t w = (uint32_t)p[i] << 16;
        size_t left = raw.len - i;
        if (left > 1)
            w |= (uint32_t)p[i + 1] << 8;
        if (left > 2)
            w |= p[i + 2];
        sx_sbuf_addc(&b, b64_alpha[(w >> 18) & 63]);
        sx_sbuf_addc(&b, b64_alpha[(w >> 12) & 63]);
        sx_sbuf_addc(&b, left > 1 ? b64_alpha[(w >> 6) & 63] : '=');
        sx_sbuf_addc(&b, left > 2 ? b64_alpha[w & 63] : '=');
    }
    sx_sbuf_fini(&raw);
    if (b.len == 0) {
        *out = val_str(c->arena, "", 0);
        return SX_OK;
    }
    return str_out(c, &b, out);
}

static int
b64_value(unsigned char ch)
{
    if (ch >= 'A' && ch <= 'Z')
        return ch - 'A';
    if (ch >= 'a' && ch <= 'z')
        return ch - 'a' + 26;
    if (ch >= '0' && ch <= '9')
        return ch - '0' + 52;
    if (ch == '+' || ch == '-')
        return 62;
    if (ch == '/' || ch == '_')
        return 63;
    return -1;
}

JNA_BI(base64decode)
{
    const unsigned char *s;
    size_t n;
    uint32_t acc = 0;
    int bits = 0;
    sx_sbuf_t b = SX_SBUF_INIT, raw = SX_SBUF_INIT;

    SX_UNUSED(argc);
    if (argv[0] == NULL) {
        *out = NULL;
        return SX_OK;
    }
    /* Node decodes the Latin-1 view of the string (low byte of each UTF-16 unit) */
    latin1_bytes(&raw, val_str_get(argv[0]), val_len(argv[0]));
    s = (const unsigned char *)(raw.p ? raw.p : "");
    n = raw.len;
    for (size_t i = 0; i < n && s[i] != '='; i++) {
        int v = b64_value(s[i]);
        if (v < 0)
            continue;
        acc = (acc << 6) | (uint32_t)v;
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            jna_u8_put(&b, (acc >> bits) & 0xFF);
        }
    }
    sx_sbuf_fini(&raw);
    return str_out(c, &b, out);
}

/* ---- URI encoding (ECMAScript Encode/Decode) ---- */

static bool
uri_unreserved(uint32_t cp)
{
    return (cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z') || (cp >= '0' && cp <= '9') ||
           (cp != 0 && cp < 0x80 && strchr("-_.!~*'()", (int)cp) != NULL);
}

static bool
uri_reserved(uint32_t cp)
{
    return cp != 0 && cp < 0x80 && strchr(";/?:@&=+$,#", (int)cp) != NULL;
}

static int
url_fail(jna_fctx_t *c, const val_t *v, const char *fname)
{
    return jna_fctx_fail(c, "D3140", v, "Malformed URL passed to $%s(): %s", fname,
                         jna_json_text(c, v));
}

static int
encode(jna_fctx_t *c, const val_t *v, bool keep_reserved, const char *fname,
       const val_t **out)
{
    const char *s;
    size_t n, i = 0;
    sx_sbuf_t b = SX_SBUF_INIT;

    if (v == NULL) {
        *out = NULL;
        return SX_OK;
    }
    s = val_str_get(v);
    n = val_len(v);
    while (i < n) {
        size_t at = i;
        uint32_t cp = jna_u8_next(s, n, &i);
        if (cp >= JNA_U8_BAD || (cp >= 0xD800 && cp <= 0xDFFF)) {
            sx_sbuf_fini(&b);
            return url_fail(c, v, fname);
        }
        if (uri_unreserved(cp) || (keep_reserved && uri_reserved(cp))) {
            sx_sbuf_addc(&b, (char)cp);
            continue;
        }
        for (size_t k = at; k < i; k++)
            sx_sbuf_addf(&b, "%%%02X", (unsigned char)s[k]);
    }
    return str_out(c, &b, out);
}

JNA_BI(encode_url_component)
{
    SX_UNUSED(argc);
    return encode(c, argv[0], false, "encodeUrlComponent", out);
}

JNA_BI(encode_url)
{
    SX_UNUSED(argc);
    return encode(c, argv[0], true, "encodeUrl", out);
}

static int
hexval(char ch)
{
    if (ch >= '0' && ch <= '9')
        return ch - '0';
    if (ch >= 'a' && ch <= 'f')
        return ch - 'a' + 10;
    if (ch >= 'A' && ch <= 'F')
        return ch - 'A' + 10;
    return -1;
}

/* Reads "%XX" at s[i]; returns the byte or -1. */
static int
pct_byte(const char *s, size_t n, size_t i)
{
    int h, l;

    if (i + 2 >= n)
        return -1;
    if (s[i] != '%' || (h = hexval(s[i + 1])) < 0 || (l = hexval(s[i + 2])) < 0)
        return -1;
    return h * 16 + l;
}

static int
decode(jna_fctx_t *c, const val_t *v, bool keep_reserved, const char *fname,
       const val_t **out)
{
    const char *s;
    size_t n, i = 0;
    sx_sbuf_t b = SX_SBUF_INIT;

    if (v == NULL) {
        *out = NULL;
        return SX_OK;
    }
    s = val_str_get(v);
    n = val_len(v);
    while (i < n) {
        int byte, need;
        uint32_t cp;
        if (s[i] != '%') {
            sx_sbuf_addc(&b, s[i++]);
            continue;
        }
        if (i + 3 > n || (byte = pct_byte(s, n, i)) < 0)
            goto fail;
        if (byte < 0x80) {
            if (keep_reserved && uri_reserved((uint32_t)byte))
                sx_sbuf_add(&b, s + i, 3);
            else
                sx_sbuf_addc(&b, (char)byte);
            i += 3;
            continue;
        }
        if ((byte & 0xE0) == 0xC0)
            need = 1, cp = (uint32_t)byte & 0x1F;
        else if ((byte & 0xF0) == 0xE0)
            need = 2, cp = (uint32_t)byte & 0x0F;
        else if ((byte & 0xF8) == 0xF0)
            need = 3, cp = (uint32_t)byte & 0x07;
        else
            goto fail;
        i += 3;
        for (int k = 0; k < need; k++, i += 3) {
            int cb;
            if (i + 3 > n || (cb = pct_byte(s, n, i)) < 0 || (cb & 0xC0) != 0x80)
                goto fail;
            cp = (cp << 6) | ((uint32_t)cb & 0x3F);
        }
        if ((need == 1 && cp < 0x80) || (need == 2 && cp < 0x800) ||
            (need == 3 && cp < 0x10000) || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
            goto fail;
        jna_u8_put(&b, cp);
    }
    return str_out(c, &b, out);
fail:
    sx_sbuf_fini(&b);
    return url_fail(c, v, fname);
}

JNA_BI(decode_url_component)
{
    SX_UNUSED(argc);
    return decode(c, argv[0], false, "decodeUrlComponent", out);
}

JNA_BI(decode_url)
{
    SX_UNUSED(argc);
    return decode(c, argv[0], true, "decodeUrl", out);
}
