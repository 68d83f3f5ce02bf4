/*
 * ex_hist.c: history events with AWS's *EventDetails members (express.md §4).
 *
 * Every event takes the next id whether or not history is materialised (causes quote
 * "entered at the event id #N"); with ex_opts.history off, each function here only hands
 * out the id and moves the flow's previousEventId, so a run without history builds no
 * details, prints no payload and allocates nothing.
 *
 *   event  = {id, previousEventId, timestamp (ISO-8601 ms), type, <type>EventDetails?}
 *   payload members (input, output, parameters, assigned values) are JSON *strings*, each
 *   with a {truncated} companion when AWS has one; a payload over EX_HIST_PAYLOAD_MAX bytes
 *   is cut at a UTF-8 boundary and marked truncated.
 *
 * Task resources are described as AWS does: arn:aws:states:::lambda:invoke gives
 * resourceType "lambda", resource "invoke" (the part after ":::" split at its last colon);
 * other ARNs give their service field and the rest (arn:stepx:test:echo -> "test", "echo").
 * A Lambda function ARN (arn:aws:lambda:...) uses the LambdaFunction* events, whose details
 * carry the ARN as resource.
 */
#include <string.h>

#include "exec/ex_int.h"

#define EX_HIST_PAYLOAD_MAX 262144

#define hist_on ex_hist_on

uint32_t
ex_event_at(ex_flow_t *f, uint32_t prev, const char *type, const char *dkey, const val_t *details)
{
    ex_exec_t *ex = f->ex;
    uint32_t id = ++ex->next_id;
    if (ex->o.history) {
        sx_arena_t *a = ex->a;
        val_objb_t b;
        char ts[32];
        sx_fmt_iso_ms(sch_now_ms(ex->eng->sch), ts);
        val_objb_init(&b, a, 5);
        val_objb_sets(&b, "id", val_num(a, id));
        val_objb_sets(&b, "previousEventId", val_num(a, prev));
        val_objb_sets(&b, "timestamp", val_strz(a, ts));
        val_objb_sets(&b, "type", val_strz(a, type));
        if (dkey != NULL && details != NULL)
            val_objb_sets(&b, dkey, details);
        val_arrb_push(&ex->hist, val_objb_done(&b));
    }
    f->last_ev = id;
    return id;
}

uint32_t
ex_event(ex_flow_t *f, const char *type, const char *dkey, const val_t *details)
{
    return ex_event_at(f, f->last_ev, type, dkey, details);
}

/* ---- detail builders (history on only) ---- */

static size_t
utf8_cut(const char *s, size_t n)
{
    while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
        n--;
    return n;
}

static const val_t *
truncated_obj(sx_arena_t *a, bool t)
{
    val_objb_t b;
    val_objb_init(&b, a, 1);
    val_objb_sets(&b, "truncated", val_bool(t));
    return val_objb_done(&b);
}

/* Adds key = JSON text of v as a string, and dkey = {truncated} when dkey is not NULL. */
static void
add_payload(val_objb_t *b, sx_arena_t *a, const char *key, const char *dkey, const val_t *v)
{
    size_t n;
    const char *s = val_json_str(a, v != NULL ? v : val_null(), &n);
    bool cut = n > EX_HIST_PAYLOAD_MAX;
    if (cut)
        val_objb_sets(b, key, val_str(a, s, utf8_cut(s, EX_HIST_PAYLOAD_MAX)));
    else
        val_objb_sets(b, key, val_str_nocopy(a, s, n));
    if (dkey != NULL)
        val_objb_sets(b, dkey, truncated_obj(a, cut));
}

static void
add_str(val_objb_t *b, sx_arena_t *a, const char *key, const char *s)
{
    if (s != NULL)
        val_objb_sets(b, key, val_strz(a, s));
}

static const val_t *
error_details(sx_arena_t *a, const char *error, const char *cause)
{
    val_objb_t b;
    val_objb_init(&b, a, 2);
    add_str(&b, a, "error", error);
    add_str(&b, a, "cause", cause);
    return val_objb_done(&b);
}

/* "executionFailedEventDetails" from "ExecutionFailed": lower-case first letter + suffix. */
static const char *
details_key(sx_arena_t *a, const char *type)
{
    char *k = sx_arena_printf(a, NULL, "%sEventDetails", type);
    if (k[0] >= 'A' && k[0] <= 'Z')
        k[0] = (char)(k[0] - 'A' + 'a');
    return k;
}

/* ---- execution events ---- */

uint32_t
ex_ev_exec_started(ex_exec_t *ex, const char *role_arn)
{
    ex_flow_t *f = &ex->root;
    if (!hist_on(f))
        return ex_event_at(f, 0, "ExecutionStarted", NULL, NULL);
    sx_arena_t *a = ex->a;
    val_objb_t b;
    val_objb_init(&b, a, 3);
    add_payload(&b, a, "input", "inputDetails", ex->input);
    add_str(&b, a, "roleArn", role_arn);
    return ex_event_at(f, 0, "ExecutionStarted", "executionStartedEventDetails", val_objb_done(&b));
}

uint32_t
ex_ev_exec_end(ex_flow_t *f, const char *type)
{
    ex_exec_t *ex = f->ex;
    if (!hist_on(f))
        return ex_event(f, type, NULL, NULL);
    sx_arena_t *a = ex->a;
    const val_t *d;
    if (strcmp(type, "ExecutionSucceeded") == 0) {
        val_objb_t b;
        val_objb_init(&b, a, 2);
        add_payload(&b, a, "output", "outputDetails", ex->output);
        d = val_objb_done(&b);
    } else {
        d = error_details(a, ex->error, ex->cause);
        if (val_len(d) == 0)
            d = NULL; /* TimedOut / a plain stop: no error, no cause (asl.md §9) */
    }
    return ex_event(f, type, details_key(a, type), d);
}

/* ---- state events ---- */

uint32_t
ex_ev_state(ex_flow_t *f, const asl_state_t *s, const char *type, bool entered)
{
    sx_arena_t *a = f->ex->a;
    val_objb_t b;
    val_objb_init(&b, a, 5);
    val_objb_sets(&b, "name", val_str_nocopy(a, s->name, strlen(s->name)));
    if (entered) {
        add_payload(&b, a, "input", "inputDetails", f->input);
        return ex_event(f, type, "stateEnteredEventDetails", val_objb_done(&b));
    }
    add_payload(&b, a, "output", "outputDetails", f->output);
    if (f->assigned != NULL && val_is(f->assigned, VAL_OBJ)) {
        val_objb_t vb;
        size_t n = val_len(f->assigned);
        val_objb_init(&vb, a, n);
        for (size_t i = 0; i < n; i++) {
            const val_member_t *m = val_obj_at(f->assigned, i);
            size_t len;
            const char *txt = val_json_str(a, m->val, &len);
            val_objb_set(&vb, m->key, val_str_nocopy(a, txt, len));
        }
        val_objb_sets(&b, "assignedVariables", val_objb_done(&vb));
        val_objb_sets(&b, "assignedVariablesDetails", truncated_obj(a, false));
    }
    return ex_event(f, type, "stateExitedEventDetails", val_objb_done(&b));
}

/* ---- task events ---- */

/* resourceType / resource of a Task's Resource ARN (see the opening comment). */
static void
task_resource_split(sx_arena_t *a, const char *arn, const char **rtype, const char **res)
{
    const char *p = strstr(arn, ":::");
    if (p != NULL) {
        p += 3;
        const char *c = strrchr(p, ':');
        *rtype = c != NULL ? sx_arena_strndup(a, p, (size_t)(c - p)) : p;
        *res = c != NULL ? c + 1 : p;
        return;
    }
    /* arn:partition:service:rest */
    const char *c1 = strchr(arn, ':');
    const char *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
    const char *c3 = c2 ? strchr(c2 + 1, ':') : NULL;
    if (c3 == NULL) {
        *rtype = arn;
        *res = arn;
        return;
    }
    *rtype = sx_arena_strndup(a, c2 + 1, (size_t)(c3 - c2 - 1));
    *res = c3 + 1;
}

uint32_t
ex_ev_task(ex_flow_t *f, int kind, const val_t *payload, int64_t timeout_s, int64_t hb_s)
{
    static const char *const task_t[] = {"TaskScheduled", "TaskStarted", "TaskSucceeded",
                                         "TaskFailed", "TaskTimedOut"};
    static const char *const lambda_t[] = {"LambdaFunctionScheduled", "LambdaFunctionStarted",
                                           "LambdaFunctionSucceeded", "LambdaFunctionFailed",
                                           "LambdaFunctionTimedOut"};
    if (!hist_on(f))
        return ex_event_id(f);
    const asl_state_t *s = ex_state(f);
    const char *arn = s->u.task.resource;
    bool lambda = strncmp(arn, "arn:aws:lambda:", 15) == 0;
    const char *type = lambda ? lambda_t[kind] : task_t[kind];
    if (lambda && kind == EX_EV_TASK_STARTED)
        return ex_event(f, type, NULL, NULL); /* LambdaFunctionStarted has no details */
    sx_arena_t *a = f->ex->a;
    val_objb_t b;
    val_objb_init(&b, a, 6);
    if (lambda) {
        if (kind == EX_EV_TASK_SCHEDULED)
            add_str(&b, a, "resource", arn);
    } else {
        const char *rtype, *res;
        task_resource_split(a, arn, &rtype, &res);
        add_str(&b, a, "resourceType", rtype);
        add_str(&b, a, "resource", res);
    }
    switch (kind) {
    case EX_EV_TASK_SCHEDULED:
        if (lambda) {
            add_payload(&b, a, "input", "inputDetails", payload);
        } else {
            add_str(&b, a, "region", f->ex->o.region);
            add_payload(&b, a, "parameters", NULL, payload);
        }
        if (timeout_s > 0)
            val_objb_sets(&b, "timeoutInSeconds", val_num(a, (double)timeout_s));
        if (hb_s > 0 && !lambda)
            val_objb_sets(&b, "heartbeatInSeconds", val_num(a, (double)hb_s));
        break;
    case EX_EV_TASK_SUCCEEDED:
        add_payload(&b, a, "output", "outputDetails", payload);
        break;
    case EX_EV_TASK_FAILED:
    case EX_EV_TASK_TIMED_OUT:
        add_str(&b, a, "error", f->err.name);
        add_str(&b, a, "cause", f->err.cause);
        break;
    default:
        break;
    }
    return ex_event(f, type, details_key(a, type), val_objb_done(&b));
}

/* ---- Map / Parallel ---- */

uint32_t
ex_ev_map_started(ex_flow_t *f, uint32_t length)
{
    if (!hist_on(f))
        return ex_event_id(f);
    sx_arena_t *a = f->ex->a;
    val_objb_t b;
    val_objb_init(&b, a, 1);
    val_objb_sets(&b, "length", val_num(a, length));
    return ex_event(f, "MapStateStarted", "mapStateStartedEventDetails", val_objb_done(&b));
}

uint32_t
ex_ev_iteration(ex_flow_t *f, uint32_t prev, const char *type, uint32_t index)
{
    if (!hist_on(f)) {
        f->last_ev = prev;
        return ex_event_id(f);
    }
    sx_arena_t *a = f->ex->a;
    const char *name = ex_state(f)->name;
    val_objb_t b;
    val_objb_init(&b, a, 2);
    val_objb_sets(&b, "name", val_str_nocopy(a, name, strlen(name)));
    val_objb_sets(&b, "index", val_num(a, index));
    return ex_event_at(f, prev, type, details_key(a, type), val_objb_done(&b));
}

/* ---- JSONata ---- */

uint32_t
ex_ev_eval_failed(ex_flow_t *f, const char *location)
{
    if (!hist_on(f))
        return ex_event(f, "EvaluationFailed", NULL, NULL);
    sx_arena_t *a = f->ex->a;
    const char *name = ex_state(f)->name;
    val_objb_t b;
    val_objb_init(&b, a, 4);
    add_str(&b, a, "error", f->err.name);
    add_str(&b, a, "cause", f->err.cause);
    add_str(&b, a, "location", location);
    val_objb_sets(&b, "state", val_str_nocopy(a, name, strlen(name)));
    return ex_event(f, "EvaluationFailed", "evaluationFailedEventDetails", val_objb_done(&b));
}
