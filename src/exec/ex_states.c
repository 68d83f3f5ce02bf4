/*
 * ex_states.c: entering a state and the per-type behaviour of Pass, Succeed, Fail, Wait and
 * Task (Choice in ex_choice.c, Parallel/Map in ex_kids.c).
 *
 * Task calls: an attempt emits Scheduled + Started, picks the first resource that accepts
 * the ARN and parks in PH_TASK. Completions (ex_call_succeed/fail, the timeout timer) only
 * record the outcome, move the flow to PH_TASK_DONE and post it; ex_task_done() then emits
 * Succeeded/Failed/TimedOut and runs the pipeline or the error path. A call carries a
 * generation number so a late completion of an abandoned attempt is ignored.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "stepx/timestamp.h"
#include "exec/ex_int.h"

static const char *
entered_name(uint8_t type)
{
    static const char *const n[] = {
        "PassStateEntered",    "TaskStateEntered", "ChoiceStateEntered",   "WaitStateEntered",
        "SucceedStateEntered", "FailStateEntered", "ParallelStateEntered", "MapStateEntered"};
    return n[type];
}

/* JSONPath: InputPath into f->eff (and its size bound). */
static int
input_path(ex_flow_t *f, const asl_state_t *s)
{
    if (ex_path_or_fail(f, s->input_path, s->input_path_null, f->input, &f->eff) != SX_OK)
        return SX_ERR;
    f->eff_sz = ex_sz_path(s->input_path, s->input_path_null, f->eff, f->in_sz);
    return SX_OK;
}

/* ---- Pass / Succeed / Fail ---- */

static int
pass_run(ex_flow_t *f, const asl_state_t *s)
{
    if (s->jsonata)
        return ex_finish_result(f, NULL, 0, NULL);
    if (input_path(f, s) != SX_OK)
        return R_ERR;
    const val_t *v = f->eff;
    size_t vs = f->eff_sz;
    if (s->parameters != NULL) {
        if (ex_tmpl_or_fail(f, s->parameters, v, f->ctx, &v) != SX_OK)
            return R_ERR;
        vs = ex_sz_quick(v);
    }
    if (s->u.pass.result != NULL) {
        v = s->u.pass.result;
        vs = s->u.pass.result_len;
    }
    if (ex_sz_check_or_fail(f, v, &vs, s->name, true) != SX_OK)
        return R_ERR;
    return ex_finish_result(f, v, vs, v);
}

static int
succeed_run(ex_flow_t *f, const asl_state_t *s)
{
    if (s->jsonata) {
        ex_jx_env_t e;
        const val_t *out = f->input;
        f->out_sz = f->in_sz;
        ex_jx_env_init(&e, f, f->input);
        if (s->output_jx != NULL) {
            if (ex_jx_eval_or_fail(&e, s->output_jx, &out) != SX_OK)
                return R_ERR;
            f->out_sz = ex_sz_quick(out);
        }
        f->output = out;
        return ex_exit_state(f, NULL);
    }
    if (input_path(f, s) != SX_OK ||
        ex_path_or_fail(f, s->output_path, s->output_path_null, f->eff, &f->output) != SX_OK)
        return R_ERR;
    f->out_sz = ex_sz_path(s->output_path, s->output_path_null, f->output, f->eff_sz);
    return ex_exit_state(f, NULL);
}

static const char *
as_text(sx_arena_t *a, const val_t *v)
{
    if (v == NULL)
        return NULL;
    if (val_is(v, VAL_STR))
        return val_str_get(v);
    return val_json_str(a, v, NULL);
}

static int
fail_field(ex_flow_t *f, const jp_expr_t *e, const char *field, const char **out)
{
    jp_env_t env;
    sx_err_t err = {NULL, NULL};
    const val_t *v = NULL;
    if (f->ctx == NULL)
        f->ctx = ex_ctx_build(f, ex_state(f), false);
    ex_env_init(&env, f, f->input, f->ctx);
    if (jp_expr_eval(e, field, &env, f->ex->a, &v, &err) != SX_OK) {
        const char *name = err.name ? err.name : ASL_E_RUNTIME;
        return ex_fail_prefixed(f, name, strcmp(name, ASL_E_RUNTIME) == 0, "%s",
                                err.cause ? err.cause : "");
    }
    *out = as_text(f->ex->a, v);
    return SX_OK;
}

static int
fail_run(ex_flow_t *f, const asl_state_t *s)
{
    const char *error = s->u.fail.error, *cause = s->u.fail.cause;
    if (s->jsonata) {
        ex_jx_env_t e;
        const val_t *v;
        ex_jx_env_init(&e, f, f->input);
        if (s->u.fail.error_jx != NULL) {
            if (ex_jx_eval_or_fail(&e, s->u.fail.error_jx, &v) != SX_OK)
                return R_ERR;
            error = as_text(f->ex->a, v);
        }
        if (s->u.fail.cause_jx != NULL) {
            if (ex_jx_eval_or_fail(&e, s->u.fail.cause_jx, &v) != SX_OK)
                return R_ERR;
            cause = as_text(f->ex->a, v);
        }
    } else {
        if (s->u.fail.error_path != NULL &&
            fail_field(f, s->u.fail.error_path, "ErrorPath", &error) != SX_OK)
            return R_ERR;
        if (s->u.fail.cause_path != NULL &&
            fail_field(f, s->u.fail.cause_path, "CausePath", &cause) != SX_OK)
            return R_ERR;
    }
    ex_fail_plain(f, error, cause, false);
    return R_ERR;
}

/* ---- Wait ---- */

static int
wait_seconds_path(ex_flow_t *f, const asl_state_t *s, int64_t *deadline)
{
    jp_env_t env;
    const val_t *v = NULL;
    const char *detail = NULL, *src = jp_src(s->u.wait.path);
    ex_env_init(&env, f, f->eff, f->ctx);
    int rc = jp_eval(s->u.wait.path, &env, f->ex->a, &v, &detail);
    if (s->u.wait.kind == ASL_WAIT_SECONDS_PATH) {
        if (rc != SX_OK || v == NULL)
            return ex_fail_prefixed(f, ASL_E_RUNTIME, true,
                                    "The SecondsPath parameter does not reference an input "
                                    "value: %s",
                                    src);
        double d = val_is(v, VAL_NUM) ? val_num_get(v) : NAN;
        if (!val_is(v, VAL_NUM) || d != floor(d) || fabs(d) > 9.2e18)
            return ex_fail_prefixed(f, ASL_E_RUNTIME, true,
                                    "The SecondsPath parameter cannot be parsed as a long "
                                    "value: %s == %s",
                                    src, val_json_str(f->ex->a, v, NULL));
        if (d < 0)
            return ex_fail_prefixed(f, ASL_E_RUNTIME, true,
                                    "The SecondsPath parameter references a negative value: "
                                    "%s == %s",
                                    src, val_json_str(f->ex->a, v, NULL));
        if (d > 2147483647.0)
            return ex_fail_prefixed(f, ASL_E_RUNTIME, true, "Wait state delay is too long.");
        *deadline = f->entered_ms + (int64_t)d * 1000;
        return SX_OK;
    }
    sx_ts_t ts;
    if (rc != SX_OK || v == NULL)
        return ex_fail_prefixed(f, ASL_E_RUNTIME, true,
                                "The TimestampPath parameter does not reference an input "
                                "value: %s",
                                src);
    if (!val_is(v, VAL_STR) || sx_ts_parse(val_str_get(v), val_len(v), &ts) != SX_OK)
        return ex_fail_prefixed(f, ASL_E_RUNTIME, true,
                                "The TimestampPath parameter does not reference a valid "
                                "ISO-8601 extended offset date-time format string: %s == %s",
                                src, as_text(f->ex->a, v));
    *deadline = ts.sec * 1000;
    return SX_OK;
}

static int
wait_jsonata(ex_flow_t *f, const asl_state_t *s, int64_t *deadline)
{
    ex_jx_env_t e;
    const val_t *v;
    ex_jx_env_init(&e, f, f->input);
    if (ex_jx_eval_or_fail(&e, s->u.wait.jx, &v) != SX_OK)
        return SX_ERR;
    if (s->u.wait.kind == ASL_WAIT_SECONDS) {
        double d = val_is(v, VAL_NUM) ? val_num_get(v) : -1;
        if (d < 0 || d != floor(d))
            return ex_fail_eval(f, "Seconds",
                                "The JSONata expression '%s' specified for the field "
                                "'Seconds' returned an unexpected result type. Expected "
                                "'integer', but was '%s' for value: %s",
                                jna_src(s->u.wait.jx->expr), val_type_name(v),
                                val_json_str(f->ex->a, v, NULL));
        *deadline = f->entered_ms + (int64_t)d * 1000;
        return SX_OK;
    }
    sx_ts_t ts;
    if (!val_is(v, VAL_STR) || sx_ts_parse(val_str_get(v), val_len(v), &ts) != SX_OK)
        return ex_fail_eval(f, "Timestamp",
                            "The Timestamp field cannot be parsed as an ISO-8601 extended "
                            "offset date-time format string: %s",
                            as_text(f->ex->a, v));
    *deadline = ts.sec * 1000;
    return SX_OK;
}

static int
wait_run(ex_flow_t *f, const asl_state_t *s)
{
    int64_t deadline = f->entered_ms;
    if (!s->jsonata && input_path(f, s) != SX_OK)
        return R_ERR;
    if (s->u.wait.jx != NULL) {
        if (wait_jsonata(f, s, &deadline) != SX_OK)
            return R_ERR;
    } else {
        switch (s->u.wait.kind) {
        case ASL_WAIT_SECONDS:
            deadline = f->entered_ms + s->u.wait.seconds * 1000;
            break;
        case ASL_WAIT_TIMESTAMP:
            deadline = s->u.wait.ts_ms;
            break;
        default:
            if (wait_seconds_path(f, s, &deadline) != SX_OK)
                return R_ERR;
        }
    }
    if (deadline <= sch_now_ms(f->ex->eng->sch))
        return ex_wait_done(f);
    f->phase = PH_WAIT;
    sch_timer_arm(f->ex->eng->sch, &f->timer, deadline);
    return R_PARK;
}

int
ex_wait_done(ex_flow_t *f)
{
    const asl_state_t *s = ex_state(f);
    const val_t *assigned = NULL, *out;
    if (s->jsonata) {
        ex_jx_env_t e;
        out = f->input;
        f->out_sz = f->in_sz;
        ex_jx_env_init(&e, f, f->input);
        if (s->assign_jx != NULL && ex_jx_eval_or_fail(&e, s->assign_jx, &assigned) != SX_OK)
            return R_ERR;
        if (s->output_jx != NULL) {
            if (ex_jx_eval_or_fail(&e, s->output_jx, &out) != SX_OK)
                return R_ERR;
            f->out_sz = ex_sz_quick(out);
        }
    } else {
        if (s->assign != NULL && ex_tmpl_or_fail(f, s->assign, f->eff, f->ctx, &assigned) != SX_OK)
            return R_ERR;
        if (ex_path_or_fail(f, s->output_path, s->output_path_null, f->eff, &out) != SX_OK)
            return R_ERR;
        f->out_sz = ex_sz_path(s->output_path, s->output_path_null, out, f->eff_sz);
    }
    if (assigned != NULL && ex_vars_apply(f, assigned) != SX_OK)
        return R_ERR;
    f->output = out;
    return ex_exit_state(f, NULL);
}

/* ---- Task ---- */

static int
num_field_or_fail(ex_flow_t *f, const asl_num_field_t *nf, const char *name, double *out)
{
    *out = nf->value;
    if (nf->jx != NULL) {
        ex_jx_env_t e;
        const val_t *v;
        ex_jx_env_init(&e, f, f->input);
        if (ex_jx_eval_or_fail(&e, nf->jx, &v) != SX_OK)
            return SX_ERR;
        if (!val_is(v, VAL_NUM) || val_num_get(v) != floor(val_num_get(v)) || val_num_get(v) <= 0)
            return ex_fail_eval(f, name,
                                "The JSONata expression '%s' specified for the field '%s' "
                                "returned an unexpected result type. Expected 'integer', "
                                "but was '%s' for value: %s",
                                jna_src(nf->jx->expr), name, val_type_name(v),
                                val_json_str(f->ex->a, v, NULL));
        *out = val_num_get(v);
    } else if (nf->path != NULL) {
        jp_env_t env;
        const val_t *v = NULL;
        const char *detail = NULL;
        ex_env_init(&env, f, f->eff, f->ctx);
        if (jp_eval(nf->path, &env, f->ex->a, &v, &detail) != SX_OK || v == NULL)
            return ex_fail_prefixed(f, ASL_E_RUNTIME, true, "Invalid path '%s' : %s",
                                    jp_src(nf->path), detail ? detail : "");
        if (!val_is(v, VAL_NUM) || val_num_get(v) != floor(val_num_get(v)) || val_num_get(v) <= 0)
            return ex_fail_prefixed(f, ASL_E_RUNTIME, true,
                                    "The %sPath field refers to value \"%s\" which is not a "
                                    "valid integer: %s",
                                    name, as_text(f->ex->a, v), jp_src(nf->path));
        *out = val_num_get(v);
    }
    return SX_OK;
}

static int
task_run(ex_flow_t *f, const asl_state_t *s)
{
    if (!s->jsonata && input_path(f, s) != SX_OK)
        return R_ERR;
    if (s->jsonata) {
        f->eff = f->input;
        f->eff_sz = f->in_sz;
    }
    return ex_task_attempt(f);
}

int
ex_task_attempt(ex_flow_t *f)
{
    const asl_state_t *s = ex_state(f);
    ex_exec_t *ex = f->ex;
    const val_t *args = f->eff;
    size_t args_sz = f->eff_sz;
    double to = 0, hb = 0;
    if (f->ctx != NULL && f->retry_count > 0)
        f->ctx = ex_ctx_build(f, s, true); /* $$.State.RetryCount of this attempt */
    if (s->jsonata) {
        ex_jx_env_t e;
        ex_jx_env_init(&e, f, f->input);
        if (s->arguments_jx != NULL) {
            if (ex_jx_eval_or_fail(&e, s->arguments_jx, &args) != SX_OK)
                return R_ERR;
            args_sz = ex_sz_quick(args);
        }
    } else if (s->parameters != NULL) {
        if (ex_tmpl_or_fail(f, s->parameters, f->eff, f->ctx, &args) != SX_OK)
            return R_ERR;
        args_sz = ex_sz_quick(args);
    }
    if (ex_sz_check_or_fail(f, args, &args_sz, s->name, true) != SX_OK)
        return R_ERR;
    if (num_field_or_fail(f, &s->u.task.timeout, "TimeoutSeconds", &to) != SX_OK ||
        num_field_or_fail(f, &s->u.task.heartbeat, "HeartbeatSeconds", &hb) != SX_OK)
        return R_ERR;
    ex_ev_task(f, EX_EV_TASK_SCHEDULED, args, (int64_t)to, (int64_t)hb);
    ex_ev_task(f, EX_EV_TASK_STARTED, NULL, 0, 0);
    if (ex->invocations == NULL)
        ex->invocations = sx_arena_calloc(ex->a, ex->m->nstates * sizeof(uint32_t));
    if (f->call == NULL)
        f->call = sx_arena_alloc(ex->a, sizeof(*f->call));
    ex_call_t *c = f->call;
    memset(c, 0, sizeof(*c));
    c->resource = s->u.task.resource;
    c->state = s->name;
    c->input = args;
    c->input_size = args_sz;
    c->invocation = ex->invocations[f->cur]++;
    c->timeout_ms = (int64_t)(to * 1000);
    c->heartbeat_ms = (int64_t)(hb * 1000);
    c->arena = ex->a;
    c->sch = ex->eng->sch;
    c->_flow = f;
    c->_gen = ++ex->call_gen;
    f->phase = PH_TASK;
    f->task_ok = 0;
    f->result = NULL;
    f->res_sz = 0;
    f->err.name = NULL;
    f->err.cause = NULL;
    int64_t now = sch_now_ms(ex->eng->sch);
    f->task_deadline = c->timeout_ms > 0 ? now + c->timeout_ms : 0;
    f->hb_ms = c->heartbeat_ms;
    f->hb_deadline = c->heartbeat_ms > 0 ? now + c->heartbeat_ms : 0;
    int64_t first = f->task_deadline;
    if (f->hb_deadline != 0 && (first == 0 || f->hb_deadline < first))
        first = f->hb_deadline;
    if (first != 0)
        sch_timer_arm(ex->eng->sch, &f->timer, first);
    uint32_t gen = c->_gen;
    for (uint32_t i = 0; i < ex->eng->nresources; i++) {
        const ex_resource_t *r = &ex->eng->resources[i];
        if (r->start(r->ud, c) != SX_DECLINED)
            return R_PARK;
        if (c->_gen != gen || f->phase != PH_TASK)
            return R_PARK;
    }
    ex_call_fail(c, ASL_E_TASK_FAILED,
                 sx_arena_printf(ex->a, NULL, "No task resource serves '%s'", c->resource));
    return R_PARK;
}

static ex_flow_t *
call_flow(ex_call_t *c)
{
    ex_flow_t *f = c->_flow;
    if (f == NULL || f->phase != PH_TASK || f->call != c || c->_gen == 0)
        return NULL;
    return f;
}

void
ex_call_succeed(ex_call_t *c, const val_t *result)
{
    ex_call_succeed_sized(c, result, 0);
}

void
ex_call_succeed_sized(ex_call_t *c, const val_t *result, size_t json_size)
{
    ex_flow_t *f = call_flow(c);
    if (f == NULL)
        return;
    f->result = result != NULL ? result : val_null();
    f->res_sz = json_size;
    f->task_ok = 1;
    f->phase = PH_TASK_DONE;
    sch_timer_cancel(f->ex->eng->sch, &f->timer);
    ex_flow_post(f);
}

void
ex_call_fail(ex_call_t *c, const char *error, const char *cause)
{
    ex_flow_t *f = call_flow(c);
    if (f == NULL)
        return;
    sx_arena_t *a = f->ex->a;
    f->err.name = error != NULL ? sx_arena_strndup(a, error, strlen(error)) : NULL;
    f->err.cause = cause != NULL ? sx_arena_strndup(a, cause, strlen(cause)) : NULL;
    f->terminal = 0;
    f->task_ok = 0;
    f->phase = PH_TASK_DONE;
    sch_timer_cancel(f->ex->eng->sch, &f->timer);
    ex_flow_post(f);
}

void
ex_call_heartbeat(ex_call_t *c)
{
    ex_flow_t *f = call_flow(c);
    if (f == NULL || f->hb_ms == 0)
        return;
    f->hb_deadline = sch_now_ms(f->ex->eng->sch) + f->hb_ms;
    int64_t first = f->hb_deadline;
    if (f->task_deadline != 0 && f->task_deadline < first)
        first = f->task_deadline;
    sch_timer_arm(f->ex->eng->sch, &f->timer, first);
}

void
ex_task_cancel(ex_flow_t *f)
{
    ex_exec_t *ex = f->ex;
    ex_call_t *c = f->call;
    if (c == NULL)
        return;
    for (uint32_t i = 0; i < ex->eng->nresources; i++)
        if (ex->eng->resources[i].cancel != NULL)
            ex->eng->resources[i].cancel(ex->eng->resources[i].ud, c);
    c->_gen = 0;
}

static const char *
service_of(sx_arena_t *a, const char *res)
{
    /* arn:aws:states:::lambda:invoke -> "lambda"; Lambda function ARN -> the ARN */
    const char *p = strstr(res, ":::");
    if (p == NULL)
        return res;
    p += 3;
    const char *e = strchr(p, ':');
    return e ? sx_arena_strndup(a, p, (size_t)(e - p)) : p;
}

int
ex_task_done(ex_flow_t *f)
{
    const asl_state_t *s = ex_state(f);
    if (!f->task_ok) {
        bool timeout = f->err.name == ASL_E_TIMEOUT;
        ex_ev_task(f, timeout ? EX_EV_TASK_TIMED_OUT : EX_EV_TASK_FAILED, NULL, 0, 0);
        return R_ERR;
    }
    size_t rs = f->res_sz != 0 && f->res_sz != EX_SZ_UNKNOWN ? f->res_sz : ex_sz_quick(f->result);
    if (ex_sz_check_or_fail(f, f->result, &rs, service_of(f->ex->a, s->u.task.resource), false) !=
        SX_OK) {
        ex_ev_task(f, EX_EV_TASK_FAILED, NULL, 0, 0);
        return R_ERR;
    }
    ex_ev_task(f, EX_EV_TASK_SUCCEEDED, f->result, 0, 0);
    return ex_finish_result(f, f->result, rs, f->result);
}

/* ---- timers ---- */

void
ex_flow_timer_fn(sch_timer_t *t)
{
    ex_flow_t *f = (ex_flow_t *)((char *)t - offsetof(ex_flow_t, timer));
    switch (f->phase) {
    case PH_WAIT:
        f->phase = PH_WAIT_DONE;
        break;
    case PH_RETRY:
        f->phase = PH_RETRY_DONE;
        break;
    case PH_TASK: {
        int64_t now = sch_now_ms(f->ex->eng->sch);
        bool hb = f->hb_deadline != 0 && now >= f->hb_deadline;
        bool to = f->task_deadline != 0 && now >= f->task_deadline;
        if (!hb && !to) {
            ex_call_heartbeat(f->call);
            return;
        }
        ex_task_cancel(f);
        f->err.name = ASL_E_TIMEOUT;
        f->err.cause = NULL;
        f->terminal = 0;
        f->task_ok = 0;
        f->phase = PH_TASK_DONE;
        break;
    }
    default:
        return;
    }
    ex_flow_post(f);
}

/* ---- entering a state ---- */

int
ex_state_enter(ex_flow_t *f)
{
    const asl_state_t *s = ex_state(f);
    ex_exec_t *ex = f->ex;
    if (ex_transition(ex) != SX_OK)
        return R_PARK;
    f->entered_ms = sch_now_ms(ex->eng->sch);
    f->retry_count = 0;
    f->retry_n = NULL;
    f->kids = NULL;
    f->result = NULL;
    f->terminal = 0;
    f->err.name = NULL;
    f->err.cause = NULL;
    f->assigned = NULL;
    f->fail_ev = NULL;
    f->entered_id = ex_ev_entered(f, s, entered_name(s->type));
    if (ex_sz_check_or_fail(f, f->input, &f->in_sz, s->name, true) != SX_OK)
        return R_ERR;
    f->ctx = s->needs_ctx ? ex_ctx_build(f, s, s->type == ASL_STATE_TASK) : NULL;
    switch (s->type) {
    case ASL_STATE_PASS:
        return pass_run(f, s);
    case ASL_STATE_SUCCEED:
        return succeed_run(f, s);
    case ASL_STATE_FAIL:
        return fail_run(f, s);
    case ASL_STATE_WAIT:
        return wait_run(f, s);
    case ASL_STATE_CHOICE:
        return ex_choice_run(f);
    case ASL_STATE_TASK:
        return task_run(f, s);
    case ASL_STATE_PARALLEL:
    case ASL_STATE_MAP:
        if (!s->jsonata && input_path(f, s) != SX_OK)
            return R_ERR;
        if (s->jsonata) {
            f->eff = f->input;
            f->eff_sz = f->in_sz;
        }
        return s->type == ASL_STATE_MAP ? ex_map_attempt(f) : ex_parallel_attempt(f);
    default:
        return ex_fail_prefixed(f, ASL_E_RUNTIME, true, "Unsupported state type");
    }
}
