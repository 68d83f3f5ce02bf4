/*
 * jsonata.h: JSONata 2.x, compiled once and evaluated many times.
 *
 * jna_compile() parses an expression into an immutable AST owned by an arena (for ASL: the
 * compiled machine's arena); any thread may evaluate it concurrently. jna_eval() evaluates
 * over the stepx value model; results live in the caller's arena. "Undefined" is NULL.
 * Errors carry the reference implementation's code ("T2001") and message.
 */
#ifndef STEPX_JSONATA_H
#define STEPX_JSONATA_H

#include <stdbool.h>

#include "stepx/val.h"

typedef struct jna_expr jna_expr_t;

typedef struct jna_error {
    char code[8];        /* "S0201", "T2001", "D3030", "U1001", ... */
    const char *message; /* the reference's message text (arena or static) */
    int position;        /* character position, -1 when none */
    const char *token;   /* offending token, or NULL */
    const val_t *value;  /* offending value, or NULL */
} jna_error_t;

typedef struct jna_opts {
    int depth_limit;   /* max evaluation depth (0 = default 1000); exceeded -> U1001 */
    int time_limit_ms; /* wall-clock limit (0 = none); exceeded -> U1001 */
    size_t mem_limit;  /* bytes the evaluation may add to the arena (0 = no limit, as
                          jsonata-js); exceeded -> U1002 */
    bool aws;          /* AWS Step Functions mode: $partition $range $hash $random $uuid
                          $parse added, $eval removed */
    /* Variable lookup for names not bound inside the expression (e.g. $states and ASL
     * variables). Returns NULL when unbound. May be NULL. */
    const val_t *(*lookup)(void *ud, const char *name, size_t len);
    void *ud;
    const val_t *bindings; /* object of extra variables (CLI --bindings), or NULL */
} jna_opts_t;

/* Compiles src. Returns SX_OK and *out (arena-owned), or SX_ERR with err set (message in
 * arena a). */
int jna_compile(sx_arena_t *a, const char *src, size_t n, const jna_expr_t **out,
                jna_error_t *err);
/* Evaluates e against input (NULL = no input, which differs from JSON null). SX_OK: *out is
 * the result or NULL for undefined. SX_ERR: err set. Results are plain JSON values (sequences
 * flattened to arrays, singleton sequences unwrapped) except function values (VAL_FUNC). */
int jna_eval(const jna_expr_t *e, const val_t *input, const jna_opts_t *opts, sx_arena_t *a,
             const val_t **out, jna_error_t *err);
/* The expression's source text. */
const char *jna_src(const jna_expr_t *e);

#endif
