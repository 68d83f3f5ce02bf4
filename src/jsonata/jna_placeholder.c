/* PLACEHOLDER: the JSONata owner deletes this file when jna_compile/jna_eval/jna_src are real. */
#include <stdio.h>

#include "stepx/jsonata.h"

int
jna_compile(sx_arena_t *a, const char *src, size_t n, const jna_expr_t **out, jna_error_t *err)
{
    (void)a, (void)src, (void)n;
    *out = NULL;
    snprintf(err->code, sizeof(err->code), "S0000");
    err->message = "JSONata not built yet";
    err->position = -1;
    return SX_ERR;
}

int
jna_eval(const jna_expr_t *e, const val_t *input, const jna_opts_t *opts, sx_arena_t *a,
         const val_t **out, jna_error_t *err)
{
    (void)e, (void)input, (void)opts, (void)a;
    *out = NULL;
    snprintf(err->code, sizeof(err->code), "S0000");
    err->message = "JSONata not built yet";
    return SX_ERR;
}

const char *
jna_src(const jna_expr_t *e)
{
    (void)e;
    return "";
}
