/*
 * ex_choice.c: the Choice state. JSONPath rules are evaluated by the choice module
 * (asl_choice.h) against the effective input; JSONata rules by their Condition here. The
 * matched rule's Assign (and JSONata Output) replace the state-level ones, which apply only
 * on the Default path (variables-jsonata.md §1).
 */
#include <string.h>

#include "exec/ex_int.h"

static int
no_match(ex_flow_t *f)
{
    return ex_fail_prefixed(f, ASL_E_NO_CHOICE_MATCHED, false,
                            "No Choice Rules matched and no Default was specified.");
}

static int
choice_exit(ex_flow_t *f, uint32_t next)
{
    if (ex_sz_check_or_fail(f, f->output, &f->out_sz, ex_state(f)->name, true) != SX_OK)
        return R_ERR;
    ex_ev_exited(f, ex_state(f), "ChoiceStateExited");
    f->next = next;
    return R_NEXT;
}

static int
choice_jsonpath(ex_flow_t *f, const asl_state_t *s)
{
    jp_env_t env;
    const val_t *assigned = NULL;
    const asl_choice_branch_t *hit = NULL;
    if (ex_path_or_fail(f, s->input_path, s->input_path_null, f->input, &f->eff) != SX_OK)
        return R_ERR;
    f->eff_sz = ex_sz_path(s->input_path, s->input_path_null, f->eff, f->in_sz);
    ex_env_init(&env, f, f->eff, f->ctx);
    for (uint32_t i = 0; i < s->u.choice.nbranches; i++) {
        const asl_choice_branch_t *b = &s->u.choice.branches[i];
        sx_err_t err = {NULL, NULL};
        bool matched = false;
        if (asl_choice_eval(b->rule, &env, f->ex->a, &matched, &err) != SX_OK)
            return ex_fail_prefixed(f, err.name ? err.name : ASL_E_RUNTIME, true, "%s",
                                    err.cause ? err.cause : "");
        if (matched) {
            hit = b;
            break;
        }
    }
    if (hit == NULL && s->u.choice.deflt == ASL_NO_STATE)
        return no_match(f);
    const jp_tmpl_t *as = hit != NULL ? hit->assign : s->assign;
    if (as != NULL && ex_tmpl_or_fail(f, as, f->eff, f->ctx, &assigned) != SX_OK)
        return R_ERR;
    if (ex_path_or_fail(f, s->output_path, s->output_path_null, f->eff, &f->output) != SX_OK)
        return R_ERR;
    f->out_sz = ex_sz_path(s->output_path, s->output_path_null, f->output, f->eff_sz);
    if (assigned != NULL && ex_vars_apply(f, assigned) != SX_OK)
        return R_ERR;
    return choice_exit(f, hit != NULL ? hit->next : s->u.choice.deflt);
}

static int
choice_jsonata(ex_flow_t *f, const asl_state_t *s)
{
    ex_jx_env_t e;
    const val_t *assigned = NULL, *out = f->input;
    const asl_choice_branch_t *hit = NULL;
    ex_jx_env_init(&e, f, f->input);
    for (uint32_t i = 0; i < s->u.choice.nbranches; i++) {
        const asl_choice_branch_t *b = &s->u.choice.branches[i];
        const val_t *c;
        if (b->cond_jx == NULL)
            continue;
        if (ex_jx_eval_or_fail(&e, b->cond_jx, &c) != SX_OK)
            return R_ERR;
        if (!val_is(c, VAL_BOOL))
            return ex_fail_eval(
                f, "Condition",
                "The JSONata expression '%s' specified for the field 'Condition' returned an "
                "unexpected result type. Expected 'boolean', but was '%s' for value: %s",
                b->cond_jx->expr ? jna_src(b->cond_jx->expr) : "", val_type_name(c),
                val_json_str(f->ex->a, c, NULL));
        if (val_bool_get(c)) {
            hit = b;
            break;
        }
    }
    if (hit == NULL && s->u.choice.deflt == ASL_NO_STATE)
        return no_match(f);
    const asl_jx_t *as = hit != NULL ? hit->assign_jx : s->assign_jx;
    const asl_jx_t *oj = hit != NULL ? hit->output_jx : s->output_jx;
    if (as != NULL && ex_jx_eval_or_fail(&e, as, &assigned) != SX_OK)
        return R_ERR;
    f->out_sz = f->in_sz;
    if (oj != NULL) {
        if (ex_jx_eval_or_fail(&e, oj, &out) != SX_OK)
            return R_ERR;
        f->out_sz = ex_sz_quick(out);
    }
    if (assigned != NULL && ex_vars_apply(f, assigned) != SX_OK)
        return R_ERR;
    f->output = out;
    return choice_exit(f, hit != NULL ? hit->next : s->u.choice.deflt);
}

int
ex_choice_run(ex_flow_t *f)
{
    const asl_state_t *s = ex_state(f);
    return s->jsonata ? choice_jsonata(f, s) : choice_jsonpath(f, s);
}
