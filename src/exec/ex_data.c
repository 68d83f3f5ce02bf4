/*
 * ex_data.c: the data side of a state: context object ($$), variables (scopes), the
 * JSONPath pipeline helpers (InputPath/Parameters/ResultSelector/ResultPath/OutputPath with
 * AWS's error texts) and the success tail shared by Pass/Task/Map/Parallel.
 *
 * The context object is built only for states whose definition mentions "$$" (JSONPath) or
 * "context" (JSONata), decided at compile time (asl_state_t.needs_ctx): a transition that
 * does not read it pays nothing. Its Execution/StateMachine members are built once per
 * execution and shared.
 *
 * Variables: each flow (top level, branch, iteration) has one scope object; lookups walk
 * the flow's parents (outer scopes), as variables-jsonata.md §1 says. Assign computes all
 * values first (with the values at state entry), then sets them at once.
 */
#include <string.h>

#include "exec/ex_int.h"

const val_t *ex_ctx_exec(ex_exec_t *ex);

static const val_t *
ctx_state(ex_flow_t *f, const asl_state_t *s, bool with_retry)
{
    sx_arena_t *a = f->ex->a;
    char ts[32];
    val_objb_t b;
    sx_fmt_iso_ms(f->entered_ms, ts);
    val_objb_init(&b, a, 3);
    val_objb_sets(&b, "EnteredTime", val_strz(a, ts));
    val_objb_sets(&b, "Name", val_str_nocopy(a, s->name, strlen(s->name)));
    if (with_retry)
        val_objb_sets(&b, "RetryCount", val_num(a, f->retry_count));
    return val_objb_done(&b);
}

const val_t *
ex_ctx_build(ex_flow_t *f, const asl_state_t *s, bool with_retry)
{
    ex_exec_t *ex = f->ex;
    val_objb_t b;
    ex_ctx_exec(ex);
    val_objb_init(&b, ex->a, 3);
    val_objb_sets(&b, "Execution", ex->ctx_exec);
    val_objb_sets(&b, "StateMachine", ex->ctx_sm);
    val_objb_sets(&b, "State", ctx_state(f, s, with_retry));
    return val_objb_done(&b);
}

const val_t *
ex_ctx_with_item(ex_flow_t *f, uint32_t index, const val_t *value)
{
    sx_arena_t *a = f->ex->a;
    const val_t *base = f->ctx != NULL ? f->ctx : ex_ctx_build(f, ex_state(f), false);
    val_objb_t b;
    val_objb_init(&b, a, 2);
    val_objb_sets(&b, "Index", val_num(a, index));
    val_objb_sets(&b, "Value", value);
    const val_t *item = val_objb_done(&b);
    val_objb_init(&b, a, 1);
    val_objb_sets(&b, "Item", item);
    return val_obj_with(a, base, val_strz(a, "Map"), val_objb_done(&b));
}

const val_t *
ex_var_lookup(void *ud, const char *name, size_t len)
{
    for (ex_flow_t *f = ud; f != NULL; f = f->parent) {
        if (f->vars != NULL) {
            const val_t *v = val_obj_get(f->vars, name, len);
            if (v != NULL)
                return v;
        }
    }
    return NULL;
}

void
ex_env_init(jp_env_t *env, ex_flow_t *f, const val_t *input, const val_t *ctx)
{
    env->input = input;
    env->context = ctx;
    env->var = ex_var_lookup;
    env->ud = f;
}

/* Size of a variable's value for the limits: the quick bound when it is small (a few
 * bytes over at most), else the exact size, counted no further than past `limit`. */
static size_t
var_size(const val_t *v, size_t limit)
{
    size_t q = ex_sz_quick(v);
    return q <= EX_VAR_QUICK ? q : ex_sz_exact(v, limit);
}

static int
vars_limit(ex_flow_t *f, const char *what)
{
    const char *cause = sx_arena_printf(f->ex->a, NULL,
                                        "The state '%s' assigned %s the maximum number of "
                                        "bytes service limit.",
                                        ex_state(f)->name, what);
    return ex_fail_plain(f, ASL_E_DATA_LIMIT, cause, true);
}

int
ex_vars_apply(ex_flow_t *f, const val_t *assigned)
{
    sx_arena_t *a = f->ex->a;
    ex_exec_t *ex = f->ex;
    size_t sum = 0, drop = 0;
    if (!val_is(assigned, VAL_OBJ) || val_len(assigned) == 0) {
        f->assigned = assigned;
        return SX_OK;
    }
    /* limits first (variables-jsonata.md: one value, one Assign, one execution), so a
     * failing Assign changes nothing */
    for (size_t i = 0; i < val_len(assigned); i++) {
        const val_member_t *m = val_obj_at(assigned, i);
        size_t n = var_size(m->val, EX_VAR_MAX);
        if (n > EX_VAR_MAX)
            return vars_limit(f, sx_arena_printf(a, NULL, "a value to the variable '%s' "
                                                          "exceeding", val_str_get(m->key)));
        sum += n;
        if (f->vars != NULL) {
            const val_t *old = val_obj_get(f->vars, val_str_get(m->key), val_len(m->key));
            if (old != NULL)
                drop += var_size(old, EX_VAR_MAX);
        }
    }
    if (sum > EX_ASSIGN_MAX)
        return vars_limit(f, "values whose total size exceeds");
    if (ex->vars_sz - drop + sum > EX_VARS_TOTAL_MAX)
        return vars_limit(f, "variables that bring the execution's total over");
    ex->vars_sz = ex->vars_sz - drop + sum;
    f->vars_sz = f->vars_sz - drop + sum;
    f->assigned = assigned;
    if (f->vars == NULL) {
        f->vars = assigned;
        return SX_OK;
    }
    for (size_t i = 0; i < val_len(assigned); i++) {
        const val_member_t *m = val_obj_at(assigned, i);
        f->vars = val_obj_with(a, f->vars, m->key, m->val);
    }
    return SX_OK;
}

void
ex_vars_drop(ex_flow_t *f)
{
    f->ex->vars_sz -= f->vars_sz;
    f->vars_sz = 0;
}

/* ---- JSONPath helpers ---- */

int
ex_path_or_fail(ex_flow_t *f, const jp_prog_t *p, bool isnull, const val_t *in, const val_t **out)
{
    jp_env_t env;
    const char *detail = NULL;
    if (isnull) {
        *out = val_obj_empty();
        return SX_OK;
    }
    if (p == NULL || jp_is_root(p)) {
        *out = in;
        return SX_OK;
    }
    if (jp_root_kind(p) == JP_ROOT_CONTEXT && f->ctx == NULL)
        f->ctx = ex_ctx_build(f, ex_state(f), ex_state(f)->type == ASL_STATE_TASK);
    ex_env_init(&env, f, in, f->ctx);
    int rc = jp_eval(p, &env, f->ex->a, out, &detail);
    if (rc == SX_OK)
        return SX_OK;
    return ex_fail_prefixed(f, ASL_E_RUNTIME, true, "Invalid path '%s' : %s", jp_src(p),
                            detail ? detail : "");
}

int
ex_tmpl_or_fail(ex_flow_t *f, const jp_tmpl_t *t, const val_t *in, const val_t *ctx,
                const val_t **out)
{
    jp_env_t env;
    sx_err_t err = {NULL, NULL};
    ex_env_init(&env, f, in, ctx);
    if (jp_tmpl_eval(t, &env, f->ex->a, out, &err) == SX_OK)
        return SX_OK;
    const char *name = err.name ? err.name : ASL_E_RUNTIME;
    return ex_fail_prefixed(f, name, strcmp(name, ASL_E_RUNTIME) == 0, "%s",
                            err.cause ? err.cause : "");
}

int
ex_result_path_or_fail(ex_flow_t *f, const jp_prog_t *p, bool isnull, const val_t *raw,
                       const val_t *result, const val_t **out)
{
    const char *detail = NULL;
    if (isnull) {
        *out = raw;
        return SX_OK;
    }
    if (p == NULL || jp_is_root(p)) {
        *out = result;
        return SX_OK;
    }
    if (jp_assign(p, raw, result, f->ex->a, out, &detail) == SX_OK)
        return SX_OK;
    return ex_fail_prefixed(f, ASL_E_RESULT_PATH_MATCH, false, "%s",
                            detail ? detail : "Unable to apply ResultPath to the state's input.");
}

/* ---- success tails ---- */

static const char *
exited_name(uint8_t type)
{
    static const char *const n[] = {
        "PassStateExited",    "TaskStateExited", "ChoiceStateExited",   "WaitStateExited",
        "SucceedStateExited", "FailStateExited", "ParallelStateExited", "MapStateExited"};
    return n[type];
}

int
ex_exit_state(ex_flow_t *f, const char *exited_type)
{
    const asl_state_t *s = ex_state(f);
    if (ex_sz_check_or_fail(f, f->output, &f->out_sz, s->name, true) != SX_OK)
        return R_ERR;
    ex_ev_exited(f, s, exited_type ? exited_type : exited_name(s->type));
    if (s->end || s->next == ASL_NO_STATE)
        return R_END;
    f->next = s->next;
    return R_NEXT;
}

int
ex_finish_result(ex_flow_t *f, const val_t *result, size_t res_sz, const val_t *assign_in)
{
    const asl_state_t *s = ex_state(f);
    const val_t *assigned = NULL, *v = result, *out;
    size_t vs = res_sz, os;
    if (s->jsonata) {
        ex_jx_env_t e;
        ex_jx_env_init(&e, f, f->input);
        if (s->type != ASL_STATE_PASS)
            e.result = result;
        if (s->assign_jx != NULL && ex_jx_eval_or_fail(&e, s->assign_jx, &assigned) != SX_OK)
            return R_ERR;
        out = s->type == ASL_STATE_PASS ? f->input : result;
        os = s->type == ASL_STATE_PASS ? f->in_sz : res_sz;
        if (s->output_jx != NULL) {
            if (ex_jx_eval_or_fail(&e, s->output_jx, &out) != SX_OK)
                return R_ERR;
            os = ex_sz_quick(out);
        }
    } else {
        if (s->assign != NULL &&
            ex_tmpl_or_fail(f, s->assign, assign_in, f->ctx, &assigned) != SX_OK)
            return R_ERR;
        if (s->result_selector != NULL) {
            if (ex_tmpl_or_fail(f, s->result_selector, result, f->ctx, &v) != SX_OK)
                return R_ERR;
            vs = ex_sz_quick(v);
        }
        if (ex_result_path_or_fail(f, s->result_path, s->result_path_null, f->input, v, &out) !=
            SX_OK)
            return R_ERR;
        os = ex_sz_result_path(s->result_path, s->result_path_len, s->result_path_null, f->in_sz,
                               vs);
        if (ex_path_or_fail(f, s->output_path, s->output_path_null, out, &out) != SX_OK)
            return R_ERR;
        os = ex_sz_path(s->output_path, s->output_path_null, out, os);
    }
    if (assigned != NULL && ex_vars_apply(f, assigned) != SX_OK)
        return R_ERR;
    f->output = out;
    f->out_sz = os;
    return ex_exit_state(f, NULL);
}
