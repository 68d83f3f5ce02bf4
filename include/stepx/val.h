/*
 * val.h: the JSON value model shared by every stepx module.
 *
 * Ownership rule (one rule, as jq's jv.h): a val_t is immutable once built and lives in an
 * arena; it is freed with the arena, never alone. Functions that build values take the arena
 * to build in and *borrow* their value arguments: a new array or object points at its
 * children, it does not copy them. Changing one field of an object therefore makes a new
 * object that shares every other member (structural sharing), never a deep copy. To move a
 * value into another arena (another execution, a longer-lived owner) use val_clone().
 * Values inside a compiled machine live in the machine's arena and are shared read-only
 * across threads: nothing in this module mutates a value after it is built.
 *
 * "Undefined" (JSONata's absent value, a missing member) is the NULL pointer, never a val_t.
 *
 *   val_t (24 bytes)
 *   +------+-------+-----+-----------------------------------------------+
 *   | type | flags | len | u: num{d, raw} | str | items | obj{m, index}  |
 *   +------+-------+-----+-----------------------------------------------+
 *
 * Numbers keep the text they were parsed from (raw), so a JSON number round-trips exactly
 * (AWS prints a task's 0.0 as 0.0, and integers beyond 2^53 keep their digits). Computed
 * numbers have raw == NULL and print as JavaScript prints a double.
 * Objects keep insertion order; with more than VAL_OBJ_INDEX_MIN members they carry a hash
 * index built once, at construction. Duplicate keys: the last one wins at its first position.
 */
#ifndef STEPX_VAL_H
#define STEPX_VAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "stepx/sx.h"

typedef enum val_type {
    VAL_NULL = 0,
    VAL_BOOL,
    VAL_NUM,
    VAL_STR,
    VAL_ARR,
    VAL_OBJ,
    VAL_FUNC /* JSONata function value; never produced by the JSON parser */
} val_type_t;

/* Flags. The JSONata evaluator uses the VAL_F_SEQ..VAL_F_TUPLE bits on arrays for the
 * reference implementation's array annotations; they never affect JSON printing. */
enum {
    VAL_F_SEQ = 1 << 0,   /* array is a JSONata result sequence */
    VAL_F_KEEP = 1 << 1,  /* sequence keeps singletons (the [] operator) */
    VAL_F_CONS = 1 << 2,  /* array built by an array constructor */
    VAL_F_OUTER = 1 << 3, /* outer wrapper of a path result */
    VAL_F_TUPLE = 1 << 4, /* tuple stream (focus/index bindings) */
    VAL_F_INT = 1 << 6,   /* number is integral and |d| <= 2^53 */
    VAL_F_TRUE = 1 << 7   /* boolean value */
};

typedef struct val val_t;

typedef struct val_member {
    const val_t *key; /* a VAL_STR */
    const val_t *val; /* never NULL */
} val_member_t;

struct val {
    uint8_t type;  /* val_type_t */
    uint8_t flags; /* VAL_F_* */
    uint16_t _pad; /* strings: hash tag of the bytes (val_key_tag), 0 = not computed */
    uint32_t len;  /* string: bytes; array: items; object: members */
    union {
        struct {
            double d;        /* value as a double */
            const char *raw; /* JSON text it was parsed from, NUL-terminated, or NULL */
        } num;
        const char *str; /* UTF-8, NUL-terminated (may contain NULs inside: use len) */
        const val_t *const *items;
        struct {
            const val_member_t *m; /* len members, insertion order */
            const uint32_t *index; /* open-addressing table or NULL; see val.c */
        } obj;
        struct {
            const void *fn;  /* owner-defined (JSONata closure, builtin, ...) */
            const void *aux; /* owner-defined */
        } func;
    } u;
};

#define VAL_OBJ_INDEX_MIN 8
/* Documented limit: JSON nested deeper than this is rejected by the parser. */
#define VAL_JSON_MAX_DEPTH 512

/* ---- accessors (borrow; NULL-safe where noted) ---- */
static inline val_type_t
val_type(const val_t *v)
{
    return (val_type_t)v->type;
}
static inline bool
val_is(const val_t *v, val_type_t t)
{
    return v != NULL && v->type == t;
}
static inline bool
val_bool_get(const val_t *v)
{
    return (v->flags & VAL_F_TRUE) != 0;
}
static inline double
val_num_get(const val_t *v)
{
    return v->u.num.d;
}
static inline const char *
val_str_get(const val_t *v)
{
    return v->u.str;
}
static inline size_t
val_len(const val_t *v)
{
    return v->len;
}
static inline const val_t *
val_arr_at(const val_t *v, size_t i)
{
    return v->u.items[i];
}
static inline const val_member_t *
val_obj_at(const val_t *v, size_t i)
{
    return &v->u.obj.m[i];
}
/* Returns the member `key` of `obj`, or NULL (also when obj is not an object). Borrows. */
const val_t *val_obj_get(const val_t *obj, const char *key, size_t keylen);
/* Key hashing for lookups whose key is known in advance (compiled paths): compute
 * val_key_hash once and use val_obj_geth. Strings up to VAL_KEY_HASH_MAX bytes carry a
 * 16-bit tag of their hash, so most non-matching keys are rejected without memcmp. */
#define VAL_KEY_HASH_MAX 256
static inline uint32_t
val_key_hash(const char *s, size_t n)
{
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < n; i++) {
        h ^= (unsigned char)s[i];
        h *= 16777619u;
    }
    return h;
}
static inline uint16_t
val_key_tag(uint32_t h)
{
    return (uint16_t)((h >> 16) | 1);
}
const val_t *val_obj_geth(const val_t *obj, const char *key, size_t keylen, uint32_t hash);
static inline const val_t *
val_obj_gets(const val_t *obj, const char *key)
{
    return val_obj_get(obj, key, __builtin_strlen(key));
}
/* Name of the type as JSON/ASL texts use it: "null","boolean","number","string","array",
 * "object","function". */
const char *val_type_name(const val_t *v);

/* ---- constructors ---- */
/* Static singletons, shared by all threads. */
const val_t *val_null(void);
const val_t *val_true(void);
const val_t *val_false(void);
static inline const val_t *
val_bool(bool b)
{
    return b ? val_true() : val_false();
}
/* Returns an arena-owned number without source text. */
const val_t *val_num(sx_arena_t *a, double d);
/* Returns a number that prints as `raw` (copied). The caller guarantees raw is valid JSON
 * number text whose value is d. */
const val_t *val_num_raw(sx_arena_t *a, double d, const char *raw, size_t rawlen);
/* Returns a string copying n bytes of s. */
const val_t *val_str(sx_arena_t *a, const char *s, size_t n);
static inline const val_t *
val_strz(sx_arena_t *a, const char *s)
{
    return val_str(a, s, __builtin_strlen(s));
}
/* Returns a string that points at s without copying: s must be NUL-terminated at s[n] and
 * live at least as long as the arena (e.g. allocated in it, or static). */
const val_t *val_str_nocopy(sx_arena_t *a, const char *s, size_t n);
const val_t *val_strf(sx_arena_t *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Returns an empty array / empty object (shared singletons). */
const val_t *val_arr_empty(void);
const val_t *val_obj_empty(void);
/* Returns a function value (JSONata). */
const val_t *val_func(sx_arena_t *a, const void *fn, const void *aux);

/* Array builder: items are borrowed. Growth happens in the arena. */
typedef struct val_arrb {
    sx_arena_t *a;
    const val_t **items;
    uint32_t len, cap;
} val_arrb_t;
void val_arrb_init(val_arrb_t *b, sx_arena_t *a, size_t cap_hint);
void val_arrb_push(val_arrb_t *b, const val_t *v);
/* Returns the array (flags VAL_F_*); the builder may not be used afterwards. */
const val_t *val_arrb_done(val_arrb_t *b, unsigned flags);
/* Returns an array of n borrowed items (copies the pointer array). */
const val_t *val_arr(sx_arena_t *a, const val_t *const *items, size_t n, unsigned flags);

/* Object builder: keys/values borrowed. _set replaces an existing key in place (its first
 * position); _add appends without checking (caller guarantees uniqueness). */
typedef struct val_objb {
    sx_arena_t *a;
    val_member_t *m;
    uint32_t len, cap;
    uint32_t *_idx;   /* private: hash index while building large objects */
    uint32_t _idxcap; /* private: slots in _idx (power of two) */
} val_objb_t;
void val_objb_init(val_objb_t *b, sx_arena_t *a, size_t cap_hint);
void val_objb_set(val_objb_t *b, const val_t *key, const val_t *v);
void val_objb_sets(val_objb_t *b, const char *key, const val_t *v); /* key copied */
void val_objb_add(val_objb_t *b, const val_t *key, const val_t *v);
const val_t *val_objb_get(const val_objb_t *b, const char *key, size_t keylen);
const val_t *val_objb_done(val_objb_t *b);

/* Returns a copy of obj with member key set to v (replaced in place or appended). Members are
 * shared with obj; obj is not changed. obj must be an object. */
const val_t *val_obj_with(sx_arena_t *a, const val_t *obj, const val_t *key, const val_t *v);
/* Returns a copy of obj without member key (obj itself when absent). */
const val_t *val_obj_without(sx_arena_t *a, const val_t *obj, const char *key, size_t keylen);

/* Returns a deep copy of v in arena dst (function values are copied shallowly). */
const val_t *val_clone(sx_arena_t *dst, const val_t *v);

/* ---- comparison ---- */
/* Deep equality: numbers by value (1 == 1.0), objects ignoring member order. */
bool val_equal(const val_t *a, const val_t *b);
/* Compares two UTF-8 strings by UTF-16 code units (Java String.compareTo, JS <). */
int val_str_cmp_u16(const char *a, size_t alen, const char *b, size_t blen);
/* True when s[0..n) is valid UTF-8 (no surrogates, no overlongs); else *bad_at (if non-NULL)
 * is the offset of the first bad byte. */
bool val_utf8_valid(const char *s, size_t n, size_t *bad_at);
/* Length of a UTF-8 string in UTF-16 code units (JS .length). */
size_t val_str_u16len(const char *s, size_t n);

/* ---- JSON text ---- */
typedef struct val_json_err {
    size_t offset; /* byte offset of the error */
    int line;      /* 1-based */
    int col;       /* 1-based, in bytes */
    char msg[160]; /* "Unexpected character 'x' at line 1, column 5" style detail */
} val_json_err_t;

/* Parses exactly one JSON text (surrounding whitespace allowed) into arena a. Strings must be
 * valid UTF-8; nesting deeper than VAL_JSON_MAX_DEPTH is an error. Returns SX_OK and *out, or
 * SX_ERR with err filled (err may be NULL). */
int val_json_parse(sx_arena_t *a, const char *s, size_t n, const val_t **out,
                   val_json_err_t *err);
/* Same, and sets *compact to an upper bound of the byte length of v's compact JSON text
 * (exact unless an object repeats a key), computed while parsing: what an engine needs to
 * check payload limits without printing or walking the value. */
int val_json_parse_sized(sx_arena_t *a, const char *s, size_t n, const val_t **out,
                         size_t *compact, val_json_err_t *err);
/* Appends the compact JSON text of v to b (no spaces, as AWS prints). Function values print
 * as "" (JSON.stringify drops them; JSONata callers handle them before printing). */
void val_json_print(sx_sbuf_t *b, const val_t *v);
/* Same, with `indent` spaces per level (0 = compact). */
void val_json_print_pretty(sx_sbuf_t *b, const val_t *v, int indent);
/* Returns the compact JSON text of v as an arena string; length in *len if non-NULL. */
const char *val_json_str(sx_arena_t *a, const val_t *v, size_t *len);
/* Returns the byte length of v's compact JSON text without building it. */
size_t val_json_len(const val_t *v);
/* Appends the JSON string literal for s (quotes and escapes). */
void val_json_quote(sx_sbuf_t *b, const char *s, size_t n);

/* Formats d as JavaScript's Number.prototype.toString does (shortest round-trip digits,
 * exponent form below 1e-6 and from 1e21). NaN/Infinity print as "NaN"/"Infinity".
 * buf must hold VAL_NUM_BUF bytes. Returns the length. */
#define VAL_NUM_BUF 40
size_t val_num_fmt(double d, char *buf);
/* Appends the text of a number value: raw text if it has one, else val_num_fmt. */
void val_num_print(sx_sbuf_t *b, const val_t *v);

/* ---- msgpack (events' alternative encoding; cross-thread and Redis transport) ---- */
/* Appends the msgpack encoding of v to b (msgpack-c's packer). Numbers with an integral
 * value that fits int64 encode as integers, others as float64; function values as nil. */
void val_msgpack_encode(sx_sbuf_t *b, const val_t *v);
/* Decodes exactly one msgpack object from s[0..n) into arena a. Map keys must be strings
 * (str or bin); ext types are rejected; nesting is limited to VAL_JSON_MAX_DEPTH. Returns
 * SX_OK and *out, or SX_ERR with err->msg and err->offset (line/col are 0). */
int val_msgpack_decode(sx_arena_t *a, const char *s, size_t n, const val_t **out,
                       val_json_err_t *err);

#endif
