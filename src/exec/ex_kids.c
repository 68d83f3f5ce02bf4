/*
 * ex_kids.c: Parallel and Map states. Each branch / iteration is a child flow of the same
 * execution, scheduled like any flow; the parent parks in PH_KIDS.
 *
 * Map keeps at most MaxConcurrency iterations running, and never more than EX_MAP_INLINE_MAX
 * (40, AWS's inline Map limit, also when MaxConcurrency is 0 = "unbounded" or larger), and
 * starts the next one when one finishes, so a Map over many items holds only `running` child flows
 * (finished flows are recycled through the execution's free list; their outputs stay in the results
 * array). ItemSelector is evaluated when an iteration starts.
 *
 * Failure: a failing branch aborts its siblings and its Error/Cause become the state's
 * (asl.md §2: AWS propagates the branch's own error, not States.BranchFailed). With a
 * tolerated failure count/percentage, failures are counted and only exceeding the threshold
 * fails the Map (States.ExceedToleratedFailureThreshold).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "exec/ex_int.h"

static ex_kids_t *
kids_new(ex_flow_t *f, uint32_t n)
{
    sx_arena_t *a = f->ex->a;
    ex_kids_t *k = sx_arena_calloc(a, sizeof(*k));
    k->n = n;
    k->flows = sx_arena_calloc(a, (n ? n : 1) * sizeof(*k->flows));
    k->results = sx_arena_calloc(a, (n ? n : 1) * sizeof(*k->results));
    k->tol_count = UINT32_MAX;
    k->tol_pct = -1;
    return k;
}

static void
recycle(ex_flow_t *kid)
{
    ex_exec_t *ex = kid->ex;
    ex_vars_drop(kid);
    if (kid->task._queued || sch_timer_armed(&kid->timer))
        return;
    kid->next_free = ex->free_flows;
    ex->free_flows = kid;
}

/* A failure of the state itself before or between its children: the
 * Map/ParallelStateFailed event is owed (emitted once Retry gives up, ex_exec.c). Only
 * JSONata evaluation failures and failures after *StateStarted get it (express.md §4,
 * variables-jsonata.md §4); a JSONPath States.Runtime adds no event of its own. */
static int
owe_failed(ex_flow_t *f, bool always)
{
    if (always || f->err.name == ASL_E_QUERY_EVAL) {
        f->fail_ev = ex_state(f)->type == ASL_STATE_MAP ? "MapStateFailed" : "ParallelStateFailed";
        f->fail_prev = f->last_ev;
    }
    return R_ERR;
}

/* ---- Parallel ---- */

int
ex_parallel_attempt(ex_flow_t *f)
{
    const asl_state_t *s = ex_state(f);
    const asl_machine_t *m = f->ex->m;
    const val_t *args = f->eff;
    size_t args_sz = f->eff_sz;
    if (s->jsonata) {
        ex_jx_env_t e;
        ex_jx_env_init(&e, f, f->input);
        if (s->arguments_jx != NULL) {
            if (ex_jx_eval_or_fail(&e, s->arguments_jx, &args) != SX_OK)
                return owe_failed(f, false);
            args_sz = ex_sz_quick(args);
        }
    } else if (s->parameters != NULL) {
        if (ex_tmpl_or_fail(f, s->parameters, f->eff, f->ctx, &args) != SX_OK)
            return R_ERR;
        args_sz = ex_sz_quick(args);
    }
    uint32_t n = s->u.par.nbranches;
    ex_kids_t *k = kids_new(f, n);
    k->started_ev = ex_event(f, "ParallelStateStarted", NULL, NULL);
    f->kids = k;
    f->phase = PH_KIDS;
    for (uint32_t i = 0; i < n; i++) {
        ex_flow_t *kid = ex_flow_new(f->ex, f, i);
        k->flows[i] = kid;
        k->started++;
        k->running++;
        ex_flow_start(kid, m->graphs[s->u.par.branches[i]].start, args, args_sz);
    }
    if (n == 0) {
        f->phase = PH_KIDS_DONE;
        return ex_kids_done(f);
    }
    return R_PARK;
}

/* ---- Map ---- */

static int
map_int_or_fail(ex_flow_t *f, const asl_num_field_t *nf, const char *name, bool is_float,
                double *out)
{
    const asl_state_t *s = ex_state(f);
    *out = nf->value;
    if (nf->jx != NULL) {
        ex_jx_env_t e;
        const val_t *v;
        ex_jx_env_init(&e, f, f->input);
        if (ex_jx_eval_or_fail(&e, nf->jx, &v) != SX_OK)
            return SX_ERR;
        if (!val_is(v, VAL_NUM) || (!is_float && val_num_get(v) != floor(val_num_get(v))))
            return ex_fail_eval(f, name,
                                "The JSONata expression '%s' specified for the field '%s' "
                                "returned an unexpected result type. Expected '%s', but "
                                "was '%s' for value: %s",
                                jna_src(nf->jx->expr), name, is_float ? "number" : "integer",
                                val_type_name(v), val_json_str(f->ex->a, v, NULL));
        *out = val_num_get(v);
        return SX_OK;
    }
    if (nf->path == NULL)
        return SX_OK;
    jp_env_t env;
    const val_t *v = NULL;
    const char *detail = NULL;
    ex_env_init(&env, f, f->eff, f->ctx);
    if (jp_eval(nf->path, &env, f->ex->a, &v, &detail) != SX_OK || v == NULL)
        return ex_fail_prefixed(f, ASL_E_RUNTIME, true, "Invalid path '%s' : %s", jp_src(nf->path),
                                detail ? detail : "");
    double d = NAN;
    if (val_is(v, VAL_NUM)) {
        d = val_num_get(v);
    } else if (val_is(v, VAL_STR) && val_len(v) > 0) {
        char *end;
        d = strtod(val_str_get(v), &end);
        if (*end != '\0')
            d = NAN;
    }
    if (isnan(d) || (!is_float && d != floor(d)))
        return ex_fail_prefixed(
            f, ASL_E_RUNTIME, true,
            "The %sPath field refers to value \"%s\" which is not a valid "
            "%s: %s",
            name, val_is(v, VAL_STR) ? val_str_get(v) : val_json_str(f->ex->a, v, NULL),
            is_float ? "float" : "integer", jp_src(nf->path));
    (void)s;
    *out = d;
    return SX_OK;
}

static int
map_items_or_fail(ex_flow_t *f, const asl_state_t *s, const val_t **items)
{
    if (s->jsonata) {
        if (s->u.map.items_jx == NULL) {
            if (!val_is(f->input, VAL_ARR))
                return ex_fail_eval(f, NULL, "Map state input must be an array but was: %s",
                                    val_json_str(f->ex->a, f->input, NULL));
            *items = f->input;
            return SX_OK;
        }
        ex_jx_env_t e;
        const val_t *v;
        ex_jx_env_init(&e, f, f->input);
        if (ex_jx_eval_or_fail(&e, s->u.map.items_jx, &v) != SX_OK)
            return SX_ERR;
        if (!val_is(v, VAL_ARR)) {
            const char *src = s->u.map.items_jx->expr ? jna_src(s->u.map.items_jx->expr) : "";
            if (val_is(v, VAL_FUNC))
                return ex_fail_eval(f, "Items",
                                    "The JSONata expression '%s' specified for the field "
                                    "'Items' returned an unsupported result type.",
                                    src);
            return ex_fail_eval(f, "Items",
                                "The JSONata expression '%s' specified for the field "
                                "'Items' returned an unexpected result type. Expected "
                                "'array', but was '%s' for value: %s",
                                src, val_type_name(v), val_json_str(f->ex->a, v, NULL));
        }
        *items = v;
        return SX_OK;
    }
    const val_t *v = f->eff;
    if (s->u.map.items_path != NULL &&
        ex_path_or_fail(f, s->u.map.items_path, false, f->eff, &v) != SX_OK)
        return SX_ERR;
    if (!val_is(v, VAL_ARR)) {
        const char *src = s->u.map.items_path ? jp_src(s->u.map.items_path) : "$";
        if (src[0] == '$' && src[1] == '$')
            src++;
        return ex_fail_prefixed(f, ASL_E_RUNTIME, true,
                                "Reference path \"%s\" must point to array.", src);
    }
    *items = v;
    return SX_OK;
}

static int
map_batches(ex_flow_t *f, const asl_state_t *s, const val_t *items, const val_t **out)
{
    double max_items = 0, max_bytes = 0;
    sx_arena_t *a = f->ex->a;
    if (map_int_or_fail(f, &s->u.map.batch_max_items, "MaxItemsPerBatch", false, &max_items) !=
            SX_OK ||
        map_int_or_fail(f, &s->u.map.batch_max_bytes, "MaxInputBytesPerBatch", false, &max_bytes) !=
            SX_OK)
        return SX_ERR;
    const val_t *bi = NULL;
    if (s->u.map.batch_input != NULL &&
        ex_tmpl_or_fail(f, s->u.map.batch_input, f->eff, f->ctx, &bi) != SX_OK)
        return SX_ERR;
    if (s->u.map.batch_input_jx != NULL) {
        ex_jx_env_t e;
        ex_jx_env_init(&e, f, f->input);
        if (ex_jx_eval_or_fail(&e, s->u.map.batch_input_jx, &bi) != SX_OK)
            return SX_ERR;
    }
    val_arrb_t batches, cur;
    size_t bytes = 0;
    val_arrb_init(&batches, a, 4);
    val_arrb_init(&cur, a, 8);
    for (size_t i = 0; i <= val_len(items); i++) {
        const val_t *it = i < val_len(items) ? val_arr_at(items, i) : NULL;
        size_t il = it ? val_json_len(it) + 1 : 0;
        bool flush = it == NULL ? cur.len > 0
                                : cur.len > 0 && ((max_items > 0 && cur.len >= max_items) ||
                                                  (max_bytes > 0 && bytes + il > max_bytes));
        if (flush) {
            val_objb_t b;
            val_objb_init(&b, a, 2);
            val_objb_sets(&b, "Items", val_arrb_done(&cur, 0));
            if (bi != NULL)
                val_objb_sets(&b, "BatchInput", bi);
            val_arrb_push(&batches, val_objb_done(&b));
            val_arrb_init(&cur, a, 8);
            bytes = 0;
        }
        if (it != NULL) {
            val_arrb_push(&cur, it);
            bytes += il;
        }
    }
    *out = val_arrb_done(&batches, 0);
    return SX_OK;
}

static int
map_start_one(ex_flow_t *f, uint32_t i)
{
    const asl_state_t *s = ex_state(f);
    ex_kids_t *k = f->kids;
    const val_t *item = val_arr_at(k->items, i), *in = item;
    if (s->jsonata && s->arguments_jx != NULL) {
        ex_jx_env_t e;
        ex_jx_env_init(&e, f, f->input);
        e.ctx = ex_ctx_with_item(f, i, item);
        if (ex_jx_eval_or_fail(&e, s->arguments_jx, &in) != SX_OK)
            return SX_ERR;
    } else if (!s->jsonata && s->parameters != NULL && !s->u.map.batcher) {
        if (ex_tmpl_or_fail(f, s->parameters, f->eff, ex_ctx_with_item(f, i, item), &in) != SX_OK)
            return SX_ERR;
    }
    ex_flow_t *kid = ex_flow_new(f->ex, f, i);
    k->flows[i] = kid;
    k->started++;
    k->running++;
    kid->last_ev = ex_ev_iteration(f, f->last_ev, "MapIterationStarted", i);
    kid->map_value = item;
    size_t in_sz = ex_sz_quick(in);
    if (in_sz == EX_SZ_UNKNOWN && in == item)
        in_sz = k->items_sz;
    ex_flow_start(kid, f->ex->m->graphs[s->u.map.graph].start, in, in_sz);
    return SX_OK;
}

/* Starts iterations while below MaxConcurrency. SX_ERR: an ItemSelector failed. */
static int
map_fill(ex_flow_t *f)
{
    ex_kids_t *k = f->kids;
    while (!k->failing && k->started < k->n && (k->max_conc == 0 || k->running < k->max_conc))
        if (map_start_one(f, k->started) != SX_OK)
            return SX_ERR;
    return SX_OK;
}

int
ex_map_attempt(ex_flow_t *f)
{
    const asl_state_t *s = ex_state(f);
    const val_t *items = NULL;
    double mc = 0, tc = 0, tp = 0;
    if (map_items_or_fail(f, s, &items) != SX_OK)
        return owe_failed(f, false);
    size_t items_sz = s->jsonata ? (s->u.map.items_jx != NULL ? EX_SZ_UNKNOWN : f->in_sz)
                                 : ex_sz_path(s->u.map.items_path, false, items, f->eff_sz);
    if (map_int_or_fail(f, &s->u.map.max_conc, "MaxConcurrency", false, &mc) != SX_OK ||
        map_int_or_fail(f, &s->u.map.tol_count, "ToleratedFailureCount", false, &tc) != SX_OK ||
        map_int_or_fail(f, &s->u.map.tol_pct, "ToleratedFailurePercentage", true, &tp) != SX_OK)
        return owe_failed(f, false);
    if (tc < 0)
        return ex_fail_prefixed(f, ASL_E_RUNTIME, true,
                                "ToleratedFailureCount cannot be negative.");
    if (tp < 0 || tp > 100)
        return ex_fail_prefixed(f, ASL_E_RUNTIME, true,
                                "ToleratedFailurePercentage must be between 0 and 100.");
    if (s->u.map.batcher && map_batches(f, s, items, &items) != SX_OK)
        return owe_failed(f, false);
    uint32_t n = (uint32_t)val_len(items);
    ex_kids_t *k = kids_new(f, n);
    k->items = items;
    k->items_sz = s->u.map.batcher ? EX_SZ_UNKNOWN : items_sz;
    k->max_conc = mc > 0 && mc < EX_MAP_INLINE_MAX ? (uint32_t)mc : EX_MAP_INLINE_MAX;
    k->tolerance = s->u.map.tol_count.set || s->u.map.tol_pct.set;
    if (s->u.map.tol_count.set)
        k->tol_count = (uint32_t)tc;
    if (s->u.map.tol_pct.set)
        k->tol_pct = tp;
    f->kids = k;
    k->started_ev = ex_ev_map_started(f, n);
    f->phase = PH_KIDS;
    if (n == 0) {
        f->phase = PH_KIDS_DONE;
        return ex_kids_done(f);
    }
    if (map_fill(f) != SX_OK) {
        ex_kids_abort(f);
        f->phase = PH_ENTER;
        return owe_failed(f, true);
    }
    return R_PARK;
}

/* ---- completion ---- */

static bool
threshold_exceeded(const ex_kids_t *k)
{
    if (k->tol_count != UINT32_MAX && k->failed > k->tol_count)
        return true;
    if (k->tol_pct >= 0 && (double)k->failed * 100.0 / (double)k->n > k->tol_pct)
        return true;
    if (k->tol_count == UINT32_MAX && k->tol_pct < 0)
        return k->failed > 0;
    return false;
}

/* Decides the failure of f's children; prev = the failing inner event (Map/Parallel-
 * StateFailed will point at it). */
static void
kids_fail(ex_flow_t *f, const sx_err_t *err, bool terminal, uint32_t prev)
{
    ex_kids_t *k = f->kids;
    k->failing = true;
    k->err = *err;
    k->fail_prev = prev;
    f->terminal = terminal;
    ex_kids_abort(f);
    f->phase = PH_KIDS_DONE;
    ex_flow_post(f);
}

void
ex_kid_finished(ex_flow_t *kid)
{
    ex_flow_t *f = kid->parent;
    ex_kids_t *k = f->kids;
    bool map = ex_state(f)->type == ASL_STATE_MAP;
    if (f->phase != PH_KIDS || k == NULL || k->flows[kid->slot] != kid)
        return;
    k->running--;
    k->finished++;
    k->flows[kid->slot] = NULL;
    /* express.md §4 quirks: MapIterationSucceeded/Failed point at the iteration's last
     * event; the next MapIterationStarted and MapStateSucceeded/Failed point at that inner
     * event too, MapStateExited at the last MapIterationSucceeded. */
    uint32_t inner = kid->last_ev;
    if (kid->outcome == 1) {
        k->results[kid->slot] = kid->output;
        k->res_sz = ex_sz_add(k->res_sz, ex_sz_add(kid->out_sz, 1));
        if (map)
            k->iter_ev = ex_ev_iteration(f, inner, "MapIterationSucceeded", kid->slot);
        f->last_ev = inner;
    } else {
        k->failed++;
        if (map)
            ex_ev_iteration(f, inner, "MapIterationFailed", kid->slot);
        f->last_ev = inner;
        sx_err_t err = kid->err;
        bool terminal = kid->terminal;
        if (!k->tolerance || kid->terminal) {
            recycle(kid);
            kids_fail(f, &err, terminal, inner);
            return;
        }
        val_objb_t b;
        val_objb_init(&b, f->ex->a, 2);
        val_objb_sets(&b, "Error", val_strz(f->ex->a, err.name ? err.name : ""));
        val_objb_sets(&b, "Cause", val_strz(f->ex->a, err.cause ? err.cause : ""));
        k->results[kid->slot] = val_objb_done(&b);
        k->res_sz = ex_sz_add(k->res_sz, ex_sz_add(ex_sz_quick(k->results[kid->slot]), 1));
        if (threshold_exceeded(k)) {
            sx_err_t te = {ASL_E_TOLERATED_FAILURE,
                           "The specified tolerated failure threshold was exceeded"};
            recycle(kid);
            kids_fail(f, &te, false, inner);
            return;
        }
    }
    recycle(kid);
    if (map && map_fill(f) != SX_OK) {
        sx_err_t err = f->err;
        kids_fail(f, &err, f->terminal, f->last_ev);
        return;
    }
    if (k->finished == k->n) {
        f->phase = PH_KIDS_DONE;
        ex_flow_post(f);
    }
}

int
ex_kids_done(ex_flow_t *f)
{
    const asl_state_t *s = ex_state(f);
    ex_kids_t *k = f->kids;
    bool map = s->type == ASL_STATE_MAP;
    if (k->failing) {
        f->err = k->err;
        f->phase = PH_ENTER;
        f->last_ev = k->fail_prev;
        return owe_failed(f, true);
    }
    const val_t *res = val_arr(f->ex->a, k->results, k->n, 0);
    ex_event(f, map ? "MapStateSucceeded" : "ParallelStateSucceeded", NULL, NULL);
    if (map && k->iter_ev != 0)
        f->last_ev = k->iter_ev;
    f->phase = PH_ENTER;
    size_t rs = ex_sz_add(k->res_sz, 2);
    if (ex_sz_check_or_fail(f, res, &rs, s->name, true) != SX_OK)
        return R_ERR;
    return ex_finish_result(f, res, rs, res);
}
