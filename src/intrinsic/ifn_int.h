/*
 * ifn_int.h: compiled intrinsic function calls (States.*), shared by the intrinsic module and
 * by jp_expr/jp_tmpl in src/path (both owned by the path helper).
 *
 *   "States.Format('x={}', States.MathAdd($.a, 1))"
 *
 *   ifn_call_t{def=Format, args=[LIT 'x={}' (raw "x={}"), CALL ->]}
 *                                                      ifn_call_t{def=MathAdd,
 *                                                                 args=[PATH $.a, LIT 1]}
 *
 * Calls compile once into the machine's arena (names resolved to the function table, arity
 * checked, literals turned into values, paths compiled) and are evaluated concurrently by any
 * thread. Functions get evaluated argument values and report failures as
 * States.IntrinsicFailure.
 */
#ifndef STEPX_IFN_INT_H
#define STEPX_IFN_INT_H

#include "stepx/path.h"

#define IFN_MAX_NESTING 10 /* AWS: up to 10 nested intrinsic functions per field */
#define IFN_MAX_ARGS 256   /* no AWS limit known; bounds evaluation stacks */

typedef struct ifn_call ifn_call_t;
typedef struct ifn_fmt ifn_fmt_t; /* a States.Format template split at its {} */

/* Evaluated arguments passed to a function implementation. */
typedef struct ifn_args {
    const ifn_call_t *call; /* the call (name, source text) */
    const val_t *const *v;  /* n evaluated arguments */
    uint32_t n;             /* count */
    sx_arena_t *a;          /* result arena */
    sx_err_t *err;          /* failure output */
} ifn_args_t;

/* Returns SX_OK with *out (arena-owned) or SX_ERR with err set via ifn_fail. */
typedef int (*ifn_impl_t)(const ifn_args_t *x, const val_t **out);

typedef struct ifn_def {
    const char *name; /* "States.Format" */
    uint8_t min;      /* minimum arguments */
    uint8_t max;      /* maximum arguments (255 = unbounded) */
    ifn_impl_t impl;  /* implementation */
} ifn_def_t;

typedef enum ifn_arg_kind { IFN_ARG_LIT = 0, IFN_ARG_PATH, IFN_ARG_CALL } ifn_arg_kind_t;

typedef struct ifn_arg {
    uint8_t kind;           /* ifn_arg_kind_t */
    const val_t *lit;       /* LIT: the value (strings unescaped) */
    const jp_prog_t *path;  /* PATH */
    const ifn_call_t *call; /* CALL */
} ifn_arg_t;

struct ifn_call {
    const ifn_def_t *def;  /* function */
    uint32_t nargs;        /* arguments */
    const ifn_arg_t *args; /* nargs entries */
    const char *src;       /* text of this call (NUL-terminated) */
    const ifn_fmt_t *fmt;  /* Format with a literal template: split at compile time */
};

/* Compiles src (a whole call, surrounding whitespace allowed). Unknown names, wrong arity,
 * bad escapes or nesting deeper than IFN_MAX_NESTING fail with a message in err. */
int ifn_compile(sx_arena_t *a, const char *src, size_t n, const ifn_call_t **out, char *err,
                size_t errlen);

/* Evaluates c. Path arguments that match nothing fail with States.Runtime (the same text as
 * a template field, naming `field`); function failures with States.IntrinsicFailure. */
int ifn_eval(const ifn_call_t *c, const char *field, const jp_env_t *env, sx_arena_t *a,
             const val_t **out, sx_err_t *err);

/* Returns the function named name[0..n), or NULL. */
const ifn_def_t *ifn_lookup(const char *name, size_t n);

/* Sets err to States.IntrinsicFailure "<detail>" (formatted). Returns SX_ERR. */
int ifn_fail(const ifn_args_t *x, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Splits a Format template (escapes \{ \} \\ \' as in a quoted literal) at its {}. */
const ifn_fmt_t *ifn_fmt_compile(sx_arena_t *a, const char *s, size_t n);
/* Number of {} placeholders. */
uint32_t ifn_fmt_holes(const ifn_fmt_t *f);
/* Renders f with args v[0..holes) (Java toString rendering for objects and arrays). */
const val_t *ifn_fmt_render(const ifn_fmt_t *f, const val_t *const *v, sx_arena_t *a);

/* Function implementations (ifn_fn_*.c). */
int ifn_format(const ifn_args_t *x, const val_t **out);
int ifn_string_to_json(const ifn_args_t *x, const val_t **out);
int ifn_json_to_string(const ifn_args_t *x, const val_t **out);
int ifn_array(const ifn_args_t *x, const val_t **out);
int ifn_array_partition(const ifn_args_t *x, const val_t **out);
int ifn_array_contains(const ifn_args_t *x, const val_t **out);
int ifn_array_range(const ifn_args_t *x, const val_t **out);
int ifn_array_get_item(const ifn_args_t *x, const val_t **out);
int ifn_array_length(const ifn_args_t *x, const val_t **out);
int ifn_array_unique(const ifn_args_t *x, const val_t **out);
int ifn_base64_encode(const ifn_args_t *x, const val_t **out);
int ifn_base64_decode(const ifn_args_t *x, const val_t **out);
int ifn_hash(const ifn_args_t *x, const val_t **out);
int ifn_json_merge(const ifn_args_t *x, const val_t **out);
int ifn_math_random(const ifn_args_t *x, const val_t **out);
int ifn_math_add(const ifn_args_t *x, const val_t **out);
int ifn_string_split(const ifn_args_t *x, const val_t **out);
int ifn_uuid(const ifn_args_t *x, const val_t **out);

/* Argument checks shared by the implementations: each returns SX_OK or fails x. */
int ifn_want(const ifn_args_t *x, uint32_t i, val_type_t t);
int ifn_want_int(const ifn_args_t *x, uint32_t i, int64_t *out);

#endif
