/*
 * ex_jx.c: evaluation of JSONata-mode field values (asl_jx_t trees from asl_compile_jx.c).
 *
 * Expressions see `$states` ({input, context, result?, errorOutput?}, built lazily on first
 * use) and the execution's variables through the jna_opts lookup callback; `$` has no input
 * document. A constant subtree is returned as is (no copy). Every failure becomes
 * States.QueryEvaluationError with AWS's texts (variables-jsonata.md §4).
 */
#include <string.h>

#include "exec/ex_int.h"

/* Bytes one evaluation may allocate: far above what the 256 KiB payload and 10 MiB of
 * variables need, low enough that a runaway expression fails (U1002) instead of taking the
 * server's memory. */
#define EX_JSONATA_MEM_LIMIT ((size_t)64 << 20)

void
ex_jx_env_init(ex_jx_env_t *e, ex_flow_t *f, const val_t *input)
{
    memset(e, 0, sizeof(*e));
    e->f = f;
    e->input = input;
}

static const val_t *
states_obj(ex_jx_env_t *e)
{
    ex_flow_t *f = e->f;
    sx_arena_t *a = f->ex->a;
    if (e->states != NULL)
        return e->states;
    if (e->ctx == NULL) {
        if (f->ctx == NULL)
            f->ctx = ex_ctx_build(f, ex_state(f), ex_state(f)->type == ASL_STATE_TASK);
        e->ctx = f->ctx;
    }
    val_objb_t b;
    val_objb_init(&b, a, 4);
    if (e->input != NULL)
        val_objb_sets(&b, "input", e->input);
    val_objb_sets(&b, "context", e->ctx);
    if (e->result != NULL)
        val_objb_sets(&b, "result", e->result);
    if (e->error_output != NULL)
        val_objb_sets(&b, "errorOutput", e->error_output);
    e->states = val_objb_done(&b);
    return e->states;
}

static const val_t *
lookup(void *ud, const char *name, size_t len)
{
    ex_jx_env_t *e = ud;
    if (len == 6 && memcmp(name, "states", 6) == 0)
        return states_obj(e);
    return ex_var_lookup(e->f, name, len);
}

static int
eval_expr(ex_jx_env_t *e, const asl_jx_t *j, const val_t **out)
{
    ex_flow_t *f = e->f;
    jna_opts_t o;
    jna_error_t err;
    const val_t *v = NULL;
    memset(&o, 0, sizeof(o));
    memset(&err, 0, sizeof(err));
    o.aws = true;
    o.time_limit_ms = f->ex->o.jsonata_time_ms;
    o.mem_limit = EX_JSONATA_MEM_LIMIT;
    o.lookup = lookup;
    o.ud = e;
    if (jna_eval(j->expr, NULL, &o, f->ex->a, &v, &err) != SX_OK)
        return ex_fail_eval(f, j->field,
                            "The JSONata expression '%s' specified for the field '%s' threw "
                            "an error during evaluation. %s: %s",
                            jna_src(j->expr), j->field, err.code, err.message ? err.message : "");
    if (v == NULL)
        return ex_fail_eval(f, j->field,
                            "The JSONata expression '%s' specified for the field '%s' "
                            "returned nothing (undefined).",
                            jna_src(j->expr), j->field);
    *out = v;
    return SX_OK;
}

static int
eval_node(ex_jx_env_t *e, const asl_jx_t *j, const val_t **out)
{
    sx_arena_t *a = e->f->ex->a;
    switch (j->kind) {
    case ASL_JX_LIT:
        *out = j->lit;
        return SX_OK;
    case ASL_JX_EXPR:
        return eval_expr(e, j, out);
    case ASL_JX_OBJ: {
        val_objb_t b;
        val_objb_init(&b, a, j->n);
        for (uint32_t i = 0; i < j->n; i++) {
            const val_t *v;
            if (eval_node(e, j->kids[i], &v) != SX_OK)
                return SX_ERR;
            val_objb_add(&b, val_obj_at(j->lit, i)->key, v);
        }
        *out = val_objb_done(&b);
        return SX_OK;
    }
    default: {
        val_arrb_t b;
        val_arrb_init(&b, a, j->n);
        for (uint32_t i = 0; i < j->n; i++) {
            const val_t *v;
            if (eval_node(e, j->kids[i], &v) != SX_OK)
                return SX_ERR;
            val_arrb_push(&b, v);
        }
        *out = val_arrb_done(&b, 0);
        return SX_OK;
    }
    }
}

int
ex_jx_eval_or_fail(ex_jx_env_t *e, const asl_jx_t *j, const val_t **out)
{
    return eval_node(e, j, out);
}
