/*
 * jna_lib.h: the interface between the JSONata evaluator and its built-in functions.
 *
 * A built-in is a C function over already-validated arguments: the evaluator checks and
 * coerces arguments against the function's signature string (jsonata-js syntax, e.g.
 * "<s-nn?:s>") before the call, substitutes the context value for a '-' parameter, and
 * passes undefined arguments as NULL. argc is the number of arguments after that step.
 * A built-in returns SX_OK with *out (NULL = undefined) or SX_ERR after jna_fctx_fail().
 * Results live in jna_fctx_arena(). Built-ins must not keep state between calls.
 */
#ifndef SX_JNA_LIB_H
#define SX_JNA_LIB_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "stepx/jsonata.h"

/* The widest padding a numeric width ($pad, picture widths) may ask for: beyond, U1002
 * rather than an allocation the size of the number. */
#define JNA_WIDTH_MAX ((double)(1 << 24))

typedef struct jna_fctx {
    sx_arena_t *arena;  /* where results go */
    jna_error_t *err;   /* filled by jna_fctx_fail */
    const val_t *input; /* the context value of the call (may be NULL) */
    int64_t now_ms;     /* evaluation start time, the same for $now()/$millis() in one eval */
    bool aws;           /* AWS Step Functions mode */
    void *eval;         /* evaluator-private state (calling function values); NULL in tests */
    int position;       /* source position of the call, for errors */
} jna_fctx_t;

typedef int (*jna_builtin_fn)(jna_fctx_t *c, const val_t *const *argv, size_t argc,
                              const val_t **out);

enum {
    JNA_BI_AWS_ONLY = 1 << 0, /* only in AWS mode ($partition, $uuid, ...) */
    JNA_BI_NOT_AWS = 1 << 1   /* absent in AWS mode ($eval) */
};

typedef struct jna_builtin {
    const char *name;      /* without '$' */
    const char *signature; /* jsonata-js signature string */
    jna_builtin_fn fn;
    unsigned flags; /* JNA_BI_* */
} jna_builtin_t;

/* Tables, each ended by a {NULL} entry. The evaluator searches them in this order. */
extern const jna_builtin_t jna_lib_core[]; /* jna_lib_*.c: string, numeric, aggregate, ... */
extern const jna_builtin_t jna_lib_hof[];  /* evaluator: $map $filter $reduce $sort $match ... */

/* Calls the function value fn (lambda, built-in, regex, ...) with argv through the
 * evaluator (signature validation included); returns SX_OK with *out, or SX_ERR with the
 * error recorded. Only valid while the built-in runs (c->eval set by the evaluator). */
int jna_fctx_call(jna_fctx_t *c, const val_t *fn, const val_t *const *argv, size_t argc,
                  const val_t **out);
/* Number of parameters fn takes as higher-order functions see it (jsonata arity). */
int jna_fctx_arity(const val_t *fn);

static inline sx_arena_t *
jna_fctx_arena(jna_fctx_t *c)
{
    return c->arena;
}

/* Records an error (code like "D3030", optional offending value, message) and returns
 * SX_ERR. */
static inline int
jna_fctx_fail(jna_fctx_t *c, const char *code, const val_t *value, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static inline int
jna_fctx_fail(jna_fctx_t *c, const char *code, const val_t *value, const char *fmt, ...)
{
    va_list ap;
    snprintf(c->err->code, sizeof(c->err->code), "%s", code);
    va_start(ap, fmt);
    c->err->message = sx_arena_vprintf(c->arena, NULL, fmt, ap);
    va_end(ap);
    c->err->value = value;
    c->err->token = NULL;
    c->err->position = c->position;
    return SX_ERR;
}

#endif
