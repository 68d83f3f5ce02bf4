/*
 * jp_int.h: the compiled form of a JSONPath, shared by the compiler (jp_parse.c, jp_filter.c),
 * the evaluator (jp_eval.c), ResultPath assignment (jp_assign.c) and the intrinsic functions.
 *
 * A path compiles to a flat array of steps:
 *
 *   "$.store.book[0]['title']"  ->  root=INPUT  [NAME store][NAME book][INDEX 0][NAME title]
 *   "$..author"                 ->  root=INPUT  [SCAN][NAME author]
 *   "$$.Map.Item.Value"         ->  root=CONTEXT [NAME Map][NAME Item][NAME Value]
 *   "$x.a[1:3]"                 ->  root=VAR "x" [NAME a][SLICE 1:3]
 *
 * A SCAN step applies the step after it at every node of the subtree (Jayway's `..`), and the
 * steps after that to each match. Names keep a prebuilt key value (for val_obj_with) and the
 * normalized text of the path ("$['store']['book'][0]") is built once so that Jayway's
 * not-found texts cost nothing until they are needed. Everything lives in the arena the path
 * was compiled in and is never written after compilation.
 */
#ifndef STEPX_JP_INT_H
#define STEPX_JP_INT_H

#include <stdint.h>

#include "stepx/path.h"

/* Internal root kind for `@` (the current node inside a filter). */
#define JP_ROOT_AT 7

/* Filters nest paths that hold filters: jp_compile_part carries the nesting depth in the
 * flag bits above JP_F_DEPTH_SHIFT and refuses more than JP_MAX_FILTER_DEPTH levels. */
#define JP_F_DEPTH_SHIFT 8
#define JP_MAX_FILTER_DEPTH 16

typedef enum jp_op {
    JP_OP_NAME = 0, /* .name, ['name'] */
    JP_OP_INDEX,    /* [n], [-n] */
    JP_OP_NAMES,    /* ['a','b'] (a merged object when it is the last step) */
    JP_OP_INDEXES,  /* [0,1] */
    JP_OP_SLICE,    /* [a:b:c] */
    JP_OP_WILD,     /* .* [*] */
    JP_OP_SCAN,     /* .. (applies the next step at every depth) */
    JP_OP_FILTER    /* [?(...)] */
} jp_op_t;

typedef struct jp_fexpr jp_fexpr_t; /* a filter expression (jp_filter.c) */

typedef struct jp_name {
    const char *s;    /* NUL-terminated name bytes */
    uint32_t len;     /* bytes */
    const val_t *key; /* the same name as a string value (shared by jp_assign) */
    uint32_t hash;    /* val_key_hash of the name, for val_obj_geth */
} jp_name_t;

enum { JP_SLICE_FROM = 1, JP_SLICE_TO = 2, JP_SLICE_STEP = 4 };

typedef struct jp_step {
    uint8_t op;        /* jp_op_t */
    uint8_t has;       /* SLICE: JP_SLICE_* bits present */
    uint32_t n;        /* NAMES/INDEXES: number of entries */
    uint32_t norm_end; /* length of prog->norm up to and including this step */
    union {
        jp_name_t name;           /* NAME */
        int64_t index;            /* INDEX */
        const jp_name_t *names;   /* NAMES */
        const int64_t *indexes;   /* INDEXES */
        int64_t slice[3];         /* SLICE: from, to, step */
        const jp_fexpr_t *filter; /* FILTER */
    } u;
} jp_step_t;

struct jp_prog {
    const char *src;        /* text as written (NUL-terminated) */
    uint32_t srclen;        /* bytes */
    uint8_t root;           /* jp_root_t or JP_ROOT_AT */
    bool definite;          /* no step yields several nodes */
    bool reference;         /* only NAME and INDEX steps */
    const char *var;        /* JP_ROOT_VAR: variable name (NUL-terminated) */
    uint32_t varlen;        /* bytes of var */
    uint32_t nsteps;        /* entries in steps */
    const jp_step_t *steps; /* the program */
    const char *norm;       /* normalized text "$['a'][0]" (Jayway's toString) */
};

/* Compiles a path starting at src[0] ('$' or '@'), reading at most n bytes. In filter mode
 * (infilter) the path ends before whitespace, ')' or an operator character; *used receives the
 * bytes consumed. Same error convention as jp_compile. */
int jp_compile_part(sx_arena_t *a, const char *src, size_t n, unsigned flags, bool infilter,
                    const jp_prog_t **out, size_t *used, char *err, size_t errlen);

/* Parses a filter expression starting after "[?(" ; *used = bytes up to and including the
 * closing ")" (the caller checks the "]"). depth: filters around this one. */
int jp_filter_compile(sx_arena_t *a, const char *src, size_t n, unsigned depth,
                      const jp_fexpr_t **out, size_t *used, char *err, size_t errlen);

/* Tests node against filter f; root is the document root for `$` operands. */
bool jp_filter_test(const jp_fexpr_t *f, const val_t *node, const val_t *root, const jp_env_t *env,
                    sx_arena_t *a);

/* Evaluates p from `start` (for `@` and `$` operands inside filters). Returns the value
 * (an array for indefinite paths) or NULL when a definite path matched nothing. */
const val_t *jp_eval_from(const jp_prog_t *p, const val_t *start, const val_t *root,
                          const jp_env_t *env, sx_arena_t *a);

/* Returns the value the root of p denotes in env (input, context or variable), or NULL. */
const val_t *jp_root_value(const jp_prog_t *p, const jp_env_t *env);

/* Sets err to States.Runtime "The JSONPath '<src>' specified for the field '<field>' could
 * not be found in the input '<json>'", json being the data p searched (input, context object
 * or the variable's value; the input when the variable is unset). Returns SX_ERR. */
int jp_path_fail(const jp_prog_t *p, const char *field, const jp_env_t *env, sx_arena_t *a,
                 sx_err_t *err);

/* Java's name for the class JsonSmart gives v ("java.lang.String", "null", ...). */
const char *jp_java_class(const val_t *v);

#endif
