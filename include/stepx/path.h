/*
 * path.h: JSONPath-mode data flow: Paths, Reference Paths, ResultPath assignment, payload
 * templates and the 18 States.* intrinsic functions.
 *
 * Everything here is compiled once, from a definition, into arena-owned immutable programs
 * (the arena of the compiled machine) that any thread may evaluate concurrently.
 * Evaluation borrows its inputs and returns values in the caller's arena; results share
 * structure with the input (no deep copies).
 *
 * Errors: compile functions return SX_ERR with a message for definition diagnostics. Eval
 * functions return ASL errors as data (sx_err_t) with the cause *detail* only; the engine
 * adds the "An error occurred while executing the state ..." prefix.
 */
#ifndef STEPX_PATH_H
#define STEPX_PATH_H

#include <stdbool.h>

#include "stepx/err.h"
#include "stepx/val.h"

typedef struct jp_prog jp_prog_t; /* a compiled Path or Reference Path */
typedef struct jp_expr jp_expr_t; /* a `key.$` value: a Path or an intrinsic call */
typedef struct jp_tmpl jp_tmpl_t; /* a compiled payload template */

typedef enum jp_root {
    JP_ROOT_INPUT = 0, /* $...   */
    JP_ROOT_CONTEXT,   /* $$...  */
    JP_ROOT_VAR        /* $name... (a variable) */
} jp_root_t;

enum {
    JP_F_REFERENCE = 1 << 0, /* Reference Path: only .name, ['name'], [n] */
    JP_F_NO_CONTEXT = 1 << 1, /* reject $$ (ResultPath) */
    JP_F_NO_VAR = 1 << 2      /* reject $var (ResultPath) */
};

/* Where evaluation looks for $, $$ and $var. */
typedef struct jp_env {
    const val_t *input;   /* $ */
    const val_t *context; /* $$ (the context object) */
    /* Returns the variable's value or NULL when it is not set. */
    const val_t *(*var)(void *ud, const char *name, size_t len);
    void *ud;
} jp_env_t;

/* Compiles src as a Path (Jayway JsonPath subset AWS accepts: .name, ['name'], [n], [-n],
 * [a:b:c], unions, *, .., filters [?(...)]), or, with JP_F_REFERENCE, a Reference Path.
 * Returns SX_OK and *out (owned by arena a), or SX_ERR with a message in err. */
int jp_compile(sx_arena_t *a, const char *src, size_t n, unsigned flags, const jp_prog_t **out,
               char *err, size_t errlen);
jp_root_t jp_root_kind(const jp_prog_t *p);
const char *jp_src(const jp_prog_t *p);  /* the text as written */
bool jp_is_definite(const jp_prog_t *p); /* no *, .., slice, union, filter */
bool jp_is_root(const jp_prog_t *p);     /* exactly "$" */

/* Evaluates p. SX_OK: *out is the value; an indefinite path always yields an array (empty
 * when nothing matched). SX_DECLINED: a definite path matched nothing; *detail (arena) is
 * Jayway's text: "No results for path: $['a']['b']" when only the last step is missing,
 * "Missing property in path $['a']" when an earlier one is. */
int jp_eval(const jp_prog_t *p, const jp_env_t *env, sx_arena_t *a, const val_t **out,
            const char **detail);

/* ResultPath: returns in *out a copy of root where the node that reference path p names is
 * set to v, creating intermediate objects; everything else is shared with root. "$" gives v.
 * SX_ERR when p cannot be applied (a non-object on the way): *detail says why. */
int jp_assign(const jp_prog_t *p, const val_t *root, const val_t *v, sx_arena_t *a,
              const val_t **out, const char **detail);

/* A `key.$` value: "$..." / "$$..." / "$var..." path, or "States.Fn(...)" intrinsic. */
int jp_expr_compile(sx_arena_t *a, const char *src, size_t n, const jp_expr_t **out, char *err,
                    size_t errlen);
/* Evaluates e. `field` names the field for error texts (e.g. "x.$", "ErrorPath"). Errors:
 * States.Runtime "The JSONPath '<path>' specified for the field '<field>' could not be found
 * in the input '<json>'", States.IntrinsicFailure "<detail>". */
int jp_expr_eval(const jp_expr_t *e, const char *field, const jp_env_t *env, sx_arena_t *a,
                 const val_t **out, sx_err_t *err);
bool jp_expr_is_intrinsic(const jp_expr_t *e);
const char *jp_expr_src(const jp_expr_t *e);

/* Compiles a payload template (Parameters, ResultSelector, ItemSelector, BatchInput, Assign):
 * keys ending in ".$" at any object depth are evaluated. On error returns SX_ERR with AWS's
 * message in err (e.g. "The value for the field 'x.$' must be a valid JSONPath or a valid
 * intrinsic function call") and the JSON pointer of the offending key, relative to the
 * template, in where (e.g. "/x.$" ; may be empty). */
int jp_tmpl_compile(sx_arena_t *a, const val_t *tmpl, const jp_tmpl_t **out, char *err,
                    size_t errlen, char *where, size_t wherelen);
/* Evaluates t; *out in arena a. Errors as jp_expr_eval. */
int jp_tmpl_eval(const jp_tmpl_t *t, const jp_env_t *env, sx_arena_t *a, const val_t **out,
                 sx_err_t *err);

#endif
