/*
 * ex_exec.c: the execution object, the flow run loop, history event ids, Retry/Catch and
 * the end of flows and executions.
 *
 * Event ids follow express.md §4 whether or not history is materialised: every Entered,
 * Exited, Scheduled/Started/Succeeded/Failed, Map/Parallel Started/Iteration/Succeeded
 * event takes the next id, because causes quote "entered at the event id #N".
 *
 * Error handling (asl.md §7-8): an error raised by a state is first offered to the state's
 * retriers (first whose ErrorEquals matches; its own counter; exhausted -> straight to
 * Catch), then to its catchers; terminal errors (States.Runtime, a non-task
 * DataLimitExceeded) skip both. Uncaught, the flow fails: the root flow fails the
 * execution, a child flow reports to its Parallel/Map parent.
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "exec/ex_int.h"

static void exec_finish(ex_exec_t *ex, ex_status_t st);

int
ex_fail_plain(ex_flow_t *f, const char *name, const char *cause, bool terminal)
{
    f->err.name = name;
    f->err.cause = cause;
    f->terminal = terminal;
    return SX_ERR;
}

int
ex_fail_prefixed(ex_flow_t *f, const char *name, bool terminal, const char *fmt, ...)
{
    sx_sbuf_t b = SX_SBUF_INIT;
    va_list ap;
    sx_sbuf_addf(&b,
                 "An error occurred while executing the state '%s' (entered at the event "
                 "id #%u). ",
                 ex_state(f)->name, f->entered_id);
    va_start(ap, fmt);
    sx_sbuf_vaddf(&b, fmt, ap);
    va_end(ap);
    f->err.name = name;
    f->err.cause = sx_arena_strndup(f->ex->a, b.p, b.len);
    f->terminal = terminal;
    sx_sbuf_fini(&b);
    return SX_ERR;
}

int
ex_fail_eval(ex_flow_t *f, const char *location, const char *fmt, ...)
{
    sx_sbuf_t b = SX_SBUF_INIT;
    va_list ap;
    va_start(ap, fmt);
    sx_sbuf_vaddf(&b, fmt, ap);
    va_end(ap);
    ex_fail_prefixed(f, ASL_E_QUERY_EVAL, false, "%s", b.p != NULL ? b.p : "");
    sx_sbuf_fini(&b);
    ex_ev_eval_failed(f, location);
    return SX_ERR;
}

/* ---- flows ---- */

static void flow_task_fn(sch_task_t *t);

void
ex_flow_post(ex_flow_t *f)
{
    sch_post(f->ex->eng->sch, &f->task);
}

ex_flow_t *
ex_flow_new(ex_exec_t *ex, ex_flow_t *parent, uint32_t slot)
{
    ex_flow_t *f = ex->free_flows;
    if (f != NULL) {
        ex->free_flows = f->next_free;
        memset(f, 0, sizeof(*f));
    } else {
        f = sx_arena_calloc(ex->a, sizeof(*f));
    }
    f->task.fn = flow_task_fn;
    f->timer.fn = ex_flow_timer_fn;
    f->ex = ex;
    f->parent = parent;
    f->slot = slot;
    f->last_ev = parent != NULL ? parent->last_ev : 0;
    return f;
}

void
ex_flow_start(ex_flow_t *f, uint32_t start, const val_t *input, size_t in_sz)
{
    f->cur = start;
    f->input = input;
    f->in_sz = in_sz;
    f->phase = PH_ENTER;
    if (f->parent != NULL)
        f->ex->steps++;
    ex_flow_post(f);
}

/* The <Type>StateAborted event owed by a flow stopped in the middle of its current state,
 * or NULL: a Wait, a Task call or retry delay, a Map/Parallel with children or a retry
 * delay. A flow between states (PH_ENTER) owes nothing. */
static const char *
aborted_type(const ex_flow_t *f)
{
    switch (f->phase) {
    case PH_WAIT:
    case PH_WAIT_DONE:
        return "WaitStateAborted";
    case PH_TASK:
    case PH_TASK_DONE:
    case PH_RETRY:
    case PH_RETRY_DONE:
    case PH_KIDS:
    case PH_KIDS_DONE:
        switch (ex_state(f)->type) {
        case ASL_STATE_MAP:
            return "MapStateAborted";
        case ASL_STATE_PARALLEL:
            return "ParallelStateAborted";
        case ASL_STATE_TASK:
            return "TaskStateAborted";
        default:
            return NULL;
        }
    default:
        return NULL;
    }
}

static void flow_abort(ex_flow_t *f, bool events);

static void
kids_abort(ex_flow_t *f, bool events)
{
    bool map = ex_state(f)->type == ASL_STATE_MAP;
    for (uint32_t i = 0; i < f->kids->n; i++) {
        ex_flow_t *kid = f->kids->flows[i];
        if (kid == NULL || kid->phase == PH_DONE)
            continue;
        flow_abort(kid, events);
        ex_vars_drop(kid);
        if (events && map)
            ex_ev_iteration(f, kid->last_ev, "MapIterationAborted", kid->slot);
    }
}

void
ex_kids_abort(ex_flow_t *f)
{
    kids_abort(f, true);
}

static void
flow_abort(ex_flow_t *f, bool events)
{
    if (f->phase == PH_DONE)
        return;
    sch_timer_cancel(f->ex->eng->sch, &f->timer);
    if (f->phase == PH_TASK)
        ex_task_cancel(f);
    if (f->kids != NULL)
        kids_abort(f, events);
    const char *type = events ? aborted_type(f) : NULL;
    if (type != NULL)
        ex_event(f, type, NULL, NULL);
    f->phase = PH_DONE;
    f->outcome = 3;
}

void
ex_flow_abort(ex_flow_t *f)
{
    flow_abort(f, true);
}

static void
flow_finish(ex_flow_t *f, bool ok)
{
    f->phase = PH_DONE;
    f->outcome = ok ? 1 : 2;
    sch_timer_cancel(f->ex->eng->sch, &f->timer);
    if (f->parent == NULL) {
        ex_exec_t *ex = f->ex;
        if (ok) {
            ex->output = f->output;
            ex_ev_exec_end(f, "ExecutionSucceeded");
            exec_finish(ex, EX_SUCCEEDED);
        } else {
            ex->error = f->err.name;
            ex->cause = f->err.cause;
            ex_ev_exec_end(f, "ExecutionFailed");
            exec_finish(ex, EX_FAILED);
        }
        return;
    }
    ex_kid_finished(f);
}

/* ---- Retry / Catch ---- */

static double
retry_delay_s(const asl_retrier_t *r, uint32_t attempt, bool *ok)
{
    double d = r->interval_s * pow(r->backoff, (double)attempt);
    if (r->max_delay_s > 0 && d > r->max_delay_s)
        d = r->max_delay_s;
    if (r->jitter_full) {
        uint32_t rnd;
        sx_random_bytes(&rnd, sizeof(rnd));
        d = d * ((double)rnd / 4294967295.0);
    }
    *ok = true;
    return d;
}

static int
try_retry(ex_flow_t *f, const asl_state_t *s)
{
    for (uint32_t i = 0; i < s->nretry; i++) {
        const asl_retrier_t *r = &s->retry[i];
        if (!asl_errors_match(r->errors, r->nerrors, f->err.name))
            continue;
        if (f->retry_n == NULL)
            f->retry_n = sx_arena_calloc(f->ex->a, s->nretry * sizeof(uint32_t));
        if (f->retry_n[i] >= r->max_attempts)
            return R_ERR; /* exhausted: no fall-through to later retriers */
        bool ok;
        double d = retry_delay_s(r, f->retry_n[i], &ok);
        f->retry_n[i]++;
        f->retry_count++;
        if (ex_transition(f->ex) != SX_OK)
            return R_PARK;
        f->phase = PH_RETRY;
        sch_timer_arm(f->ex->eng->sch, &f->timer,
                      sch_now_ms(f->ex->eng->sch) + (int64_t)llround(d * 1000.0));
        return R_PARK;
    }
    return R_ERR;
}

static const val_t *
error_output(ex_flow_t *f)
{
    sx_arena_t *a = f->ex->a;
    val_objb_t b;
    val_objb_init(&b, a, 2);
    val_objb_sets(&b, "Error", val_strz(a, f->err.name ? f->err.name : ""));
    val_objb_sets(&b, "Cause", val_strz(a, f->err.cause ? f->err.cause : ""));
    return val_objb_done(&b);
}

static int
apply_catcher(ex_flow_t *f, const asl_state_t *s, const asl_catcher_t *c)
{
    const val_t *eo = error_output(f);
    const val_t *out = eo, *assigned = NULL;
    size_t eo_sz = ex_sz_quick(eo), os = eo_sz;
    if (s->jsonata) {
        ex_jx_env_t e;
        ex_jx_env_init(&e, f, f->input);
        e.error_output = eo;
        if (c->assign_jx != NULL && ex_jx_eval_or_fail(&e, c->assign_jx, &assigned) != SX_OK)
            return SX_ERR;
        if (c->output_jx != NULL) {
            if (ex_jx_eval_or_fail(&e, c->output_jx, &out) != SX_OK)
                return SX_ERR;
            os = ex_sz_quick(out);
        }
    } else {
        if (c->assign != NULL && ex_tmpl_or_fail(f, c->assign, eo, f->ctx, &assigned) != SX_OK)
            return SX_ERR;
        if (ex_result_path_or_fail(f, c->result_path, c->result_path_null, f->input, eo, &out) !=
            SX_OK)
            return SX_ERR;
        os = ex_sz_result_path(c->result_path, c->result_path_len, c->result_path_null, f->in_sz,
                               eo_sz);
    }
    if (ex_sz_check_or_fail(f, out, &os, s->name, true) != SX_OK)
        return SX_ERR;
    if (assigned != NULL && ex_vars_apply(f, assigned) != SX_OK)
        return SX_ERR;
    f->output = out;
    f->out_sz = os;
    f->next = c->next;
    ex_ev_exited(f, s,
                 s->type == ASL_STATE_MAP        ? "MapStateExited"
                 : s->type == ASL_STATE_PARALLEL ? "ParallelStateExited"
                                                 : "TaskStateExited");
    return SX_OK;
}

/* Map/ParallelStateFailed appears once, after the last attempt (express.md §4). */
static void
owed_failed_event(ex_flow_t *f)
{
    if (f->fail_ev != NULL) {
        ex_event_at(f, f->fail_prev, f->fail_ev, NULL, NULL);
        f->fail_ev = NULL;
    }
}

static int
handle_error(ex_flow_t *f)
{
    const asl_state_t *s = ex_state(f);
    if (f->terminal) {
        owed_failed_event(f);
        return R_ERR;
    }
    if (s->nretry > 0) {
        int r = try_retry(f, s);
        if (r == R_PARK) {
            f->fail_ev = NULL;
            return r;
        }
    }
    owed_failed_event(f);
    for (uint32_t i = 0; i < s->ncatch; i++) {
        const asl_catcher_t *c = &s->catchers[i];
        if (!asl_errors_match(c->errors, c->nerrors, f->err.name))
            continue;
        if (apply_catcher(f, s, c) != SX_OK)
            return R_ERR;
        return R_NEXT;
    }
    return R_ERR;
}

/* ---- run loop ---- */

static int
step(ex_flow_t *f)
{
    switch (f->phase) {
    case PH_ENTER:
        return ex_state_enter(f);
    case PH_WAIT_DONE:
        return ex_wait_done(f);
    case PH_TASK_DONE:
        return ex_task_done(f);
    case PH_KIDS_DONE:
        return ex_kids_done(f);
    case PH_RETRY_DONE:
        switch (ex_state(f)->type) {
        case ASL_STATE_TASK:
            return ex_task_attempt(f);
        case ASL_STATE_PARALLEL:
            return ex_parallel_attempt(f);
        default:
            return ex_map_attempt(f);
        }
    default:
        return R_PARK;
    }
}

static void
flow_run(ex_flow_t *f)
{
    ex_exec_t *ex = f->ex;
    uint32_t budget = ex->eng->batch;
    while (f->phase != PH_DONE && ex->status == EX_RUNNING) {
        int r = step(f);
        if (r == R_ERR)
            r = handle_error(f);
        switch (r) {
        case R_NEXT:
            f->cur = f->next;
            f->input = f->output;
            f->in_sz = f->out_sz;
            f->phase = PH_ENTER;
            f->kids = NULL;
            if (--budget == 0) {
                ex_flow_post(f);
                return;
            }
            continue;
        case R_END:
            flow_finish(f, true);
            return;
        case R_PARK:
            return;
        default:
            flow_finish(f, false);
            return;
        }
    }
}

static void
flow_task_fn(sch_task_t *t)
{
    flow_run((ex_flow_t *)t);
}

/* ---- execution ---- */

void
ex_engine_init(ex_engine_t *e, sch_t *s)
{
    memset(e, 0, sizeof(*e));
    e->sch = s;
    e->arena_first = sx_arena_block_size(sizeof(ex_exec_t) + 16); /* one size class */
    e->batch = 64;
}

void
ex_engine_add_resource(ex_engine_t *e, const ex_resource_t *r)
{
    if (SX_ALWAYS(e->nresources < EX_MAX_RESOURCES))
        e->resources[e->nresources++] = *r;
}

static const char *
dup_or(sx_arena_t *a, const char *s, const char *dflt)
{
    return s != NULL ? sx_arena_strndup(a, s, strlen(s)) : dflt;
}

static void
deadline_fn(sch_timer_t *t)
{
    ex_exec_t *ex = (ex_exec_t *)((char *)t - offsetof(ex_exec_t, deadline));
    if (ex->status != EX_RUNNING)
        return;
    ex_flow_abort(&ex->root);
    ex->error = NULL; /* asl.md §9: TIMED_OUT carries no error/cause */
    ex->cause = NULL;
    ex_ev_exec_end(&ex->root, "ExecutionTimedOut");
    exec_finish(ex, EX_TIMED_OUT);
}

ex_exec_t *
ex_exec_new(ex_engine_t *e, asl_machine_t *m, const ex_opts_t *o)
{
    sx_arena_t *a = sx_arena_new(e->arena_first);
    ex_exec_t *ex = sx_arena_calloc(a, sizeof(*ex));
    char uuid[40];
    ex->a = a;
    ex->eng = e;
    ex->m = asl_machine_ref(m);
    ex->o = *o;
    ex->o.sm_name = dup_or(a, o->sm_name, "StateMachine");
    ex->o.region = dup_or(a, o->region, "us-east-1");
    ex->o.account = dup_or(a, o->account, "123456789012");
    if (o->exec_name != NULL) {
        ex->o.exec_name = dup_or(a, o->exec_name, NULL);
    } else {
        sx_uuid4(uuid);
        ex->o.exec_name = sx_arena_strndup(a, uuid, 36);
    }
    ex->o.role_arn = dup_or(a, o->role_arn, NULL);
    ex->deadline.fn = deadline_fn;
    ex->status = EX_RUNNING;
    ex_flow_t *r = &ex->root;
    r->task.fn = flow_task_fn;
    r->timer.fn = ex_flow_timer_fn;
    r->ex = ex;
    if (o->history)
        val_arrb_init(&ex->hist, a, 16);
    return ex;
}

sx_arena_t *
ex_exec_arena(ex_exec_t *ex)
{
    return ex->a;
}

void *
ex_exec_ud(const ex_exec_t *ex)
{
    return ex->o.ud;
}

/* The execution ARN, built on first use (an Express ARN needs a random UUID). */
static const char *
exec_arn(ex_exec_t *ex)
{
    char uuid[40];
    if (ex->arn != NULL)
        return ex->arn;
    if (ex->o.type == ASL_TYPE_EXPRESS) {
        sx_uuid4(uuid);
        ex->arn =
            sx_arena_printf(ex->a, NULL, "arn:aws:states:%s:%s:express:%s:%s:%s", ex->o.region,
                            ex->o.account, ex->o.sm_name, ex->o.exec_name, uuid);
    } else {
        ex->arn = sx_arena_printf(ex->a, NULL, "arn:aws:states:%s:%s:execution:%s:%s", ex->o.region,
                                  ex->o.account, ex->o.sm_name, ex->o.exec_name);
    }
    return ex->arn;
}

static const char *
role_arn(ex_exec_t *ex)
{
    if (ex->o.role_arn == NULL)
        ex->o.role_arn =
            sx_arena_printf(ex->a, NULL, "arn:aws:iam::%s:role/StepxExecutionRole", ex->o.account);
    return ex->o.role_arn;
}

static const val_t *
ctx_execution(ex_exec_t *ex)
{
    sx_arena_t *a = ex->a;
    role_arn(ex);
    if (ex->sm_arn == NULL)
        ex->sm_arn = sx_arena_printf(a, NULL, "arn:aws:states:%s:%s:stateMachine:%s", ex->o.region,
                                     ex->o.account, ex->o.sm_name);
    char ts[32];
    val_objb_t b;
    sx_fmt_iso_ms(ex->start_ms, ts);
    val_objb_init(&b, a, 6);
    const char *arn = exec_arn(ex);
    val_objb_sets(&b, "Id", val_str_nocopy(a, arn, strlen(arn)));
    val_objb_sets(&b, "Input", ex->input);
    val_objb_sets(&b, "StartTime", val_strz(a, ts));
    val_objb_sets(&b, "Name", val_str_nocopy(a, ex->o.exec_name, strlen(ex->o.exec_name)));
    val_objb_sets(&b, "RoleArn", val_str_nocopy(a, ex->o.role_arn, strlen(ex->o.role_arn)));
    if (!(ex->o.type == ASL_TYPE_EXPRESS && ex->o.sync))
        val_objb_sets(&b, "RedriveCount", val_num_raw(a, 0, "0", 1));
    ex->ctx_exec = val_objb_done(&b);
    val_objb_init(&b, a, 2);
    val_objb_sets(&b, "Id", val_str_nocopy(a, ex->sm_arn, strlen(ex->sm_arn)));
    val_objb_sets(&b, "Name", val_str_nocopy(a, ex->o.sm_name, strlen(ex->o.sm_name)));
    ex->ctx_sm = val_objb_done(&b);
    return ex->ctx_exec;
}

void
ex_exec_set_input_size(ex_exec_t *ex, size_t bound)
{
    ex->o.input_size = bound;
}

void
ex_exec_start(ex_exec_t *ex, const val_t *input)
{
    sch_t *s = ex->eng->sch;
    const asl_machine_t *m = ex->m;
    ex->input = input;
    ex->start_ms = sch_now_ms(s);
    ex->ctx_exec = NULL;
    if (m->nstates > 0) {
        for (uint32_t i = 0; i < m->nstates; i++)
            if (m->states[i].needs_ctx) {
                ctx_execution(ex);
                break;
            }
    }
    ex_ev_exec_started(ex, ex->o.history ? role_arn(ex) : NULL);
    ex->root.last_ev = 0; /* the first state's Entered points at 0 too */
    int64_t limit_ms = m->timeout_s > 0 ? m->timeout_s * 1000 : 0;
    if (ex->o.type == ASL_TYPE_EXPRESS && (limit_ms == 0 || limit_ms > EX_EXPRESS_MAX_MS))
        limit_ms = EX_EXPRESS_MAX_MS;
    if (limit_ms > 0)
        sch_timer_arm(s, &ex->deadline, ex->start_ms + limit_ms);
    ex->root.in_sz = ex->o.input_size > 0 ? ex->o.input_size : ex_sz_exact(input, EX_PAYLOAD_MAX);
    ex->input_bytes = ex->root.in_sz;
    if (ex->root.in_sz > EX_PAYLOAD_MAX) {
        ex->error = ASL_E_DATA_LIMIT;
        ex->cause = "The state/task 'input' returned a result with a size exceeding the "
                    "maximum number of bytes service limit.";
        ex_ev_exec_end(&ex->root, "ExecutionFailed");
        exec_finish(ex, EX_FAILED);
        return;
    }
    ex_flow_start(&ex->root, m->graphs[0].start, input, ex->root.in_sz);
}

/* Lazily builds the Execution/StateMachine context members (needs_ctx states only). */
const val_t *ex_ctx_exec(ex_exec_t *ex);
const val_t *
ex_ctx_exec(ex_exec_t *ex)
{
    return ex->ctx_exec != NULL ? ex->ctx_exec : ctx_execution(ex);
}

static void
done_task_fn(sch_task_t *t)
{
    ex_exec_t *ex = (ex_exec_t *)((char *)t - offsetof(ex_exec_t, done_task));
    if (ex->eng->on_done != NULL)
        ex->eng->on_done(ex, ex->eng->ud);
}

/* The status is final at once; on_done (which may free the execution) runs from a task
 * posted behind every task of this execution already queued (aborted flows still on the run
 * queue, e.g. after a timeout or a transition cap), so none of them runs on freed memory. */
static void
exec_finish(ex_exec_t *ex, ex_status_t st)
{
    ex->status = st;
    ex->stop_ms = sch_now_ms(ex->eng->sch);
    sch_timer_cancel(ex->eng->sch, &ex->deadline);
    ex->eng->transitions += ex->transitions;
    if (ex->eng->on_done != NULL) {
        ex->done_task.fn = done_task_fn;
        sch_post(ex->eng->sch, &ex->done_task);
    }
}

int
ex_transition_over(ex_exec_t *ex)
{
    ex_exec_fail_now(ex, ASL_E_RUNTIME,
                     sx_arena_printf(ex->a, NULL,
                                     "The execution exceeded its limit of %llu state "
                                     "transitions.",
                                     (unsigned long long)ex->o.max_transitions));
    return SX_ERR;
}

void
ex_exec_fail_now(ex_exec_t *ex, const char *error, const char *cause)
{
    if (ex->status != EX_RUNNING)
        return;
    ex_flow_abort(&ex->root);
    ex->error = error;
    ex->cause = cause;
    ex_ev_exec_end(&ex->root, "ExecutionFailed");
    exec_finish(ex, EX_FAILED);
}

void
ex_exec_stop(ex_exec_t *ex)
{
    if (ex->status != EX_RUNNING)
        return;
    ex_flow_abort(&ex->root);
    ex_ev_exec_end(&ex->root, "ExecutionAborted");
    exec_finish(ex, EX_ABORTED);
}

void
ex_exec_free(ex_exec_t *ex)
{
    if (ex == NULL)
        return;
    if (ex->status == EX_RUNNING) {
        flow_abort(&ex->root, false);
        ex->status = EX_ABORTED;
    }
    sch_timer_cancel(ex->eng->sch, &ex->deadline);
    asl_machine_t *m = ex->m;
    sx_arena_free(ex->a);
    asl_machine_unref(m);
}

ex_status_t
ex_exec_status(const ex_exec_t *ex)
{
    return ex->status;
}

const char *
ex_status_name(ex_status_t s)
{
    static const char *const names[] = {"RUNNING", "SUCCEEDED", "FAILED", "TIMED_OUT", "ABORTED"};
    return names[s];
}

const val_t *
ex_exec_output(const ex_exec_t *ex)
{
    return ex->status == EX_SUCCEEDED ? ex->output : NULL;
}

const char *
ex_exec_error(const ex_exec_t *ex)
{
    return ex->status == EX_SUCCEEDED ? NULL : ex->error;
}

const char *
ex_exec_cause(const ex_exec_t *ex)
{
    return ex->status == EX_SUCCEEDED ? NULL : ex->cause;
}

const char *
ex_exec_arn(const ex_exec_t *ex)
{
    return exec_arn((ex_exec_t *)ex);
}

int64_t
ex_exec_start_ms(const ex_exec_t *ex)
{
    return ex->start_ms;
}

int64_t
ex_exec_stop_ms(const ex_exec_t *ex)
{
    return ex->stop_ms;
}

uint64_t
ex_exec_transitions(const ex_exec_t *ex)
{
    return ex->transitions;
}

void
ex_exec_usage(const ex_exec_t *ex, ex_usage_t *u)
{
    int64_t ms = (ex->status == EX_RUNNING ? sch_now_ms(ex->eng->sch) : ex->stop_ms) - ex->start_ms;
    u->def_bytes = ex->m->def_len;
    u->data_bytes = ex->input_bytes;
    u->steps = ex->steps;
    u->transitions = ex_exec_transitions(ex);
    u->duration_ms = ms < 1 ? 1 : ms;
}

const val_t *
ex_exec_history(ex_exec_t *ex)
{
    if (!ex->o.history)
        return NULL;
    val_arrb_t copy = ex->hist;
    return val_arrb_done(&copy, 0);
}
