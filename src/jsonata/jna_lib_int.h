/*
 * jna_lib_int.h: what the files of the JSONata function library share.
 *
 * The library is split by function group (jna_lib_string.c, jna_lib_numeric.c, ...); the
 * table in jna_lib_table.c names every built-in with its jsonata-js signature. The helpers
 * here are the pieces several groups need:
 *   - UTF-8 walking with JavaScript's view of a string (code points; lone surrogates that
 *     arrive as 3-byte WTF-8 sequences decode to U+D800..U+DFFF so callers can reject them);
 *   - JavaScript number text: Number.prototype.toString (val_num_fmt), toPrecision and
 *     toFixed digit generation with JS rounding (ties away from zero on the exact binary
 *     value), and jsonata's $round (half to even on the decimal text);
 *   - JSON.stringify as $string uses it (15-significant-digit rounding of non-integers,
 *     functions as "", JS object key order);
 *   - JS object key order (array-index keys first).
 * All results live in the caller's arena; nothing here keeps state.
 */
#ifndef SX_JNA_LIB_INT_H
#define SX_JNA_LIB_INT_H

#include <stdint.h>

#include "jna_lib.h"

/* ---- built-ins (jna_lib_<group>.c), listed in jna_lib_table.c ---- */
#define JNA_BI(name)                                                                           \
    int jna_bi_##name(jna_fctx_t *c, const val_t *const *argv, size_t argc, const val_t **out)

/* string */
JNA_BI(string);
JNA_BI(length);
JNA_BI(substring);
JNA_BI(substring_before);
JNA_BI(substring_after);
JNA_BI(uppercase);
JNA_BI(lowercase);
JNA_BI(trim);
JNA_BI(pad);
JNA_BI(join);
JNA_BI(base64encode);
JNA_BI(base64decode);
JNA_BI(encode_url_component);
JNA_BI(encode_url);
JNA_BI(decode_url_component);
JNA_BI(decode_url);
/* numeric, aggregation, boolean */
JNA_BI(number);
JNA_BI(abs);
JNA_BI(floor);
JNA_BI(ceil);
JNA_BI(round);
JNA_BI(power);
JNA_BI(sqrt);
JNA_BI(random);
JNA_BI(format_base);
JNA_BI(sum);
JNA_BI(max);
JNA_BI(min);
JNA_BI(average);
JNA_BI(boolean);
JNA_BI(not);
JNA_BI(exists);
/* picture strings */
JNA_BI(format_number);
JNA_BI(format_integer);
JNA_BI(parse_integer);
/* array */
JNA_BI(count);
JNA_BI(append);
JNA_BI(reverse);
JNA_BI(shuffle);
JNA_BI(distinct);
JNA_BI(zip);
/* object */
JNA_BI(keys);
JNA_BI(lookup);
JNA_BI(spread);
JNA_BI(merge);
JNA_BI(type);
JNA_BI(error);
JNA_BI(assert);
/* date/time */
JNA_BI(now);
JNA_BI(millis);
JNA_BI(from_millis);
JNA_BI(to_millis);
/* AWS */
JNA_BI(partition);
JNA_BI(range);
JNA_BI(hash);
JNA_BI(random_seeded);
JNA_BI(uuid);
JNA_BI(parse);

/* ---- UTF-8 (jna_lib_util.c) ---- */
/* Decodes the code point at s[*i] (n bytes in all) and advances *i. Lenient: 3-byte
 * surrogate encodings decode to U+D800..U+DFFF; an invalid byte decodes to itself + 0xDC00
 * range marker JNA_U8_BAD and advances one byte. */
#define JNA_U8_BAD 0x110000u
uint32_t jna_u8_next(const char *s, size_t n, size_t *i);
/* Appends the UTF-8 encoding of cp (surrogates as 3-byte WTF-8) to b. */
void jna_u8_put(sx_sbuf_t *b, uint32_t cp);
/* Number of code points in s (astral characters count one, as jsonata's $length). */
size_t jna_u8_count(const char *s, size_t n);
/* Byte offset of code point number k in s (n when k is past the end). */
size_t jna_u8_offset(const char *s, size_t n, size_t k);
/* Returns an arena string made of b's bytes; resets nothing (caller finishes b). */
const val_t *jna_sbuf_val(sx_arena_t *a, const sx_sbuf_t *b);

/* ---- JavaScript numbers (jna_lib_jsnum.c) ---- */
/* Exact decimal digits of |d| (finite, non-zero) rounded to `ndig` significant digits
 * (ndig >= 1), ties away from zero as ECMAScript's toPrecision. digits gets ndig ASCII
 * digits + NUL (buffer of ndig + 2); *exp10 is the decimal exponent of the first digit
 * (d = 0.d1d2... * 10^(*exp10 + 1)). */
void jna_num_digits_prec(double d, int ndig, char *digits, int *exp10);
/* Number(d.toPrecision(15)): d rounded to 15 significant digits. */
double jna_num_prec15(double d);
/* JS d.toFixed(frac) for finite |d| < 1e21 into b (sign included). */
void jna_num_fixed(sx_sbuf_t *b, double d, int frac);
/* jsonata $round(x, precision): half to even on the decimal text. */
double jna_num_round(double x, double precision);
/* True when d is integral. */
bool jna_num_is_int(double d);
/* The number $string writes for d: non-integers rounded to 15 significant digits; in AWS
 * mode (jsonata 2.0.6) every number is. The result may overflow to +-Infinity (JSON null). */
double jna_num_str_round(double d, bool aws);
/* JavaScript's Math.pow as V8 computes it (fdlibm), bit for bit (jna_lib_pow.c). */
double jna_js_pow(double x, double y);

/* ---- JSON.stringify as $string does it (jna_lib_json.c) ---- */
/* Appends the JSON text of v to b: non-integer numbers rounded to 15 significant digits,
 * functions as "", JS key order, `indent` spaces per level (0 = compact). Returns SX_OK, or
 * SX_ERR with D1001 recorded when a nested number is not finite. */
int jna_json_stringify(jna_fctx_t *c, sx_sbuf_t *b, const val_t *v, int indent);
/* Appends a JSON string literal for s as JSON.stringify escapes it. */
void jna_json_quote(sx_sbuf_t *b, const char *s, size_t n);
/* Returns the member order of obj as JS iterates it (canonical array-index keys first,
 * ascending, then insertion order): an arena array of obj->len indexes, or NULL when the
 * order is the insertion order. */
const uint32_t *jna_obj_order(sx_arena_t *a, const val_t *obj);
/* The JSON text of v (for error messages: {{value}}), compact, in arena a. */
const char *jna_json_text(jna_fctx_t *c, const val_t *v);

/* ---- integer pictures, shared by $formatInteger/$parseInteger and the date/time
 * functions (jna_lib_integer.c) ---- */
typedef enum jna_ipic_kind {
    JNA_IPIC_DECIMAL,
    JNA_IPIC_LETTERS,
    JNA_IPIC_ROMAN,
    JNA_IPIC_WORDS,
    JNA_IPIC_SEQUENCE /* no decimal digit: unsupported numbering sequence (D3130) */
} jna_ipic_kind_t;

typedef enum jna_ipic_case { JNA_CASE_LOWER, JNA_CASE_UPPER, JNA_CASE_TITLE } jna_ipic_case_t;

typedef struct jna_ipic_sep {
    int position; /* digits to the right of the separator */
    uint32_t cp;  /* separator character */
} jna_ipic_sep_t;

typedef struct jna_ipic {
    jna_ipic_kind_t kind;   /* primary token class */
    jna_ipic_case_t cas;    /* letters/roman/words case */
    bool ordinal;           /* modifier starting with 'o' */
    uint32_t zero;          /* zero code point of the digit family (decimal) */
    int mandatory;          /* mandatory digits (decimal); callers may raise it */
    int optional;           /* '#' digits (decimal) */
    bool regular;           /* one separator char repeated every `every` digits */
    int every;              /* regular grouping interval */
    int nseps;              /* separators, right to left (positions ascending) */
    jna_ipic_sep_t *seps;   /* arena */
    const char *token;      /* primary token (arena), for D3130 */
    int fixed_width;        /* toMillis: digits to match exactly (0 = one or more) */
} jna_ipic_t;

/* Analyses an integer picture "primary[;modifier]" as jsonata's analyseIntegerPicture.
 * Returns SX_OK, or SX_ERR with D3131 recorded (mixed digit families). */
int jna_ipic_parse(jna_fctx_t *c, const char *pic, size_t n, jna_ipic_t *out);
/* Formats the integer v (already floored) per p into b (jsonata's _formatInteger). Returns
 * SX_OK, or SX_ERR with D3130 recorded for an unsupported sequence. */
int jna_ipic_format(jna_fctx_t *c, sx_sbuf_t *b, double v, const jna_ipic_t *p);
/* Parses text per p (jsonata's integer matcher parse): the value, NaN when unparseable. */
double jna_ipic_value(const jna_ipic_t *p, const char *s, size_t n);
/* Appends a PCRE2 pattern matching what p formats (for $toMillis). */
void jna_ipic_regex(sx_sbuf_t *b, const jna_ipic_t *p);

#endif
