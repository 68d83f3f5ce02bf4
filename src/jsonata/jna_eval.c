/*
 * jna_eval.c: evaluate() and the path machinery of jsonata-js.
 *
 * evaluate(node, input, env) dispatches on the node type, applies the node's predicates and
 * (for non-path nodes) its group, then unwraps sequences: empty -> undefined, one item ->
 * the item unless keepSingleton. Every call counts one level of depth (the reference
 * harness counts evaluate() nesting the same way, which the depth-limited test cases
 * rely on) and samples the clock for the time limit.
 *
 * Paths: the input sequence is the context (an array is iterated unless the first step is
 * a variable); each step maps over it and the results are flattened one level (last-step
 * rule: a single non-sequence array result is kept whole). Steps with focus/index/ancestor
 * bindings switch the path to tuple mode: a stream of tuples {@: context, $var: value...}.
 */
#include <math.h>

#include "jna_int.h"
#include "jna_lib_int.h"

/* ---- small value helpers ---- */

const val_t *
jna_arr_flag(sx_arena_t *a, const val_t *arr, unsigned set, unsigned clear)
{
    if (((arr->flags | set) & ~clear) == arr->flags)
        return arr;
    val_t *v = sx_arena_alloc(a, sizeof(*v));
    *v = *arr;
    v->flags = (uint8_t)((arr->flags | set) & ~clear);
    if (arr->len == 0 && v->u.items == NULL)
        v->u.items = val_arr_empty()->u.items;
    return v;
}

const val_t *
jna_seq1(sx_arena_t *a, const val_t *v)
{
    const val_t **items = sx_arena_alloc(a, sizeof(*items));
    val_t *s = sx_arena_alloc(a, sizeof(*s));
    items[0] = v;
    memset(s, 0, sizeof(*s));
    s->type = VAL_ARR;
    s->flags = VAL_F_SEQ;
    s->len = 1;
    s->u.items = items;
    return s;
}

const val_t *
jna_append(sx_arena_t *a, const val_t *x, const val_t *y)
{
    val_arrb_t b;
    if (x == NULL)
        return y;
    if (y == NULL)
        return x;
    size_t nx = x->type == VAL_ARR ? x->len : 1, ny = y->type == VAL_ARR ? y->len : 1;
    val_arrb_init(&b, a, nx + ny);
    if (x->type == VAL_ARR)
        for (uint32_t i = 0; i < x->len; i++)
            val_arrb_push(&b, x->u.items[i]);
    else
        val_arrb_push(&b, x);
    if (y->type == VAL_ARR)
        for (uint32_t i = 0; i < y->len; i++)
            val_arrb_push(&b, y->u.items[i]);
    else
        val_arrb_push(&b, y);
    return val_arrb_done(&b, 0);
}

bool
jna_bool(const val_t *v)
{
    if (v == NULL)
        return false;
    switch (v->type) {
    case VAL_ARR:
        if (v->len == 1)
            return jna_bool(v->u.items[0]);
        for (uint32_t i = 0; i < v->len; i++)
            if (jna_bool(v->u.items[i]))
                return true;
        return false;
    case VAL_STR:
        return v->len > 0;
    case VAL_NUM:
        return !isnan(v->u.num.d) && v->u.num.d != 0;
    case VAL_OBJ:
        return v->len > 0;
    case VAL_BOOL:
        return val_bool_get(v);
    default:
        return false;
    }
}

bool
jna_bool_inf(const val_t *v)
{
    if (v == NULL)
        return false;
    if (v->type == VAL_NUM)
        return isinf(v->u.num.d);
    if (v->type == VAL_ARR)
        for (uint32_t i = 0; i < v->len; i++)
            if (jna_bool_inf(v->u.items[i]))
                return true;
    return false;
}

/* jsonata 2.0.6's boolean(): a function value that reaches the cast directly is an object
 * with keys there, so it counts as true (2.2 excludes functions). */
static bool
bool_206(const val_t *v)
{
    if (v == NULL)
        return false;
    if (v->type == VAL_FUNC)
        return true;
    if (v->type != VAL_ARR)
        return jna_bool(v);
    if (v->len == 1)
        return bool_206(v->u.items[0]);
    for (uint32_t i = 0; i < v->len; i++)
        if (bool_206(v->u.items[i]))
            return true;
    return false;
}

int
jna_truth_slow(jna_ev_t *ev, const val_t *v, int position, const char *token, bool *out)
{
    if (v != NULL && (v->type == VAL_NUM || v->type == VAL_ARR) && jna_bool_inf(v)) {
        const val_t *bad = v;
        while (bad->type == VAL_ARR)
            for (uint32_t i = 0; i < bad->len; i++)
                if (jna_bool_inf(bad->u.items[i])) {
                    bad = bad->u.items[i];
                    break;
                }
        return jna_fail(ev->a, ev->err, "D1001", position, token, bad, NULL);
    }
    *out = ev->opts != NULL && ev->opts->aws ? bool_206(v) : jna_bool(v);
    return SX_OK;
}

/* ---- tuples ---- */

jna_tuple_t *
jna_tuple_new(sx_arena_t *a, const val_t *at, uint32_t cap)
{
    jna_tuple_t *t = sx_arena_alloc(a, sizeof(*t));
    t->at = at;
    t->n = 0;
    t->cap = cap ? cap : 2;
    t->b = sx_arena_alloc(a, t->cap * sizeof(jna_bind_t));
    return t;
}

void
jna_tuple_set(sx_arena_t *a, jna_tuple_t *t, const char *name, size_t len, const val_t *v)
{
    if (len == 1 && name[0] == '@') {
        t->at = v;
        return;
    }
    for (uint32_t i = 0; i < t->n; i++) {
        if (t->b[i].len == len && memcmp(t->b[i].name, name, len) == 0) {
            t->b[i].v = v;
            return;
        }
    }
    if (t->n == t->cap) {
        jna_bind_t *nb = sx_arena_alloc(a, t->cap * 2 * sizeof(*nb));
        memcpy(nb, t->b, t->n * sizeof(*nb));
        t->b = nb;
        t->cap *= 2;
    }
    t->b[t->n].name = name;
    t->b[t->n].len = (uint32_t)len;
    t->b[t->n++].v = v;
}

static jna_tuple_t *
tuple_copy(sx_arena_t *a, const jna_tuple_t *src)
{
    jna_tuple_t *t = jna_tuple_new(a, src->at, src->n + 2);
    memcpy(t->b, src->b, src->n * sizeof(jna_bind_t));
    t->n = src->n;
    return t;
}

const val_t *
jna_tuple_val(sx_arena_t *a, jna_tuple_t *t)
{
    return val_func(a, t, jna_k_tuple);
}

jna_env_t *
jna_env_from_tuple(sx_arena_t *a, jna_env_t *parent, const jna_tuple_t *t)
{
    jna_env_t *e = jna_env_new(a, parent);
    for (uint32_t i = 0; i < t->n; i++)
        jna_env_bind(a, e, t->b[i].name, t->b[i].len, t->b[i].v);
    return e;
}

/* ---- names, wildcards, descendants ---- */

const val_t *
jna_lookup_field(jna_ev_t *ev, const val_t *input, const char *key, size_t n)
{
    if (input == NULL)
        return NULL;
    if (input->type == VAL_OBJ)
        return val_obj_get(input, key, n);
    if (input->type != VAL_ARR)
        return NULL;
    val_arrb_t b;
    val_arrb_init(&b, ev->a, input->len);
    for (uint32_t i = 0; i < input->len; i++) {
        const val_t *r = jna_lookup_field(ev, input->u.items[i], key, n);
        if (r == NULL)
            continue;
        if (r->type == VAL_ARR) {
            for (uint32_t k = 0; k < r->len; k++)
                val_arrb_push(&b, r->u.items[k]);
        } else {
            val_arrb_push(&b, r);
        }
    }
    return val_arrb_done(&b, VAL_F_SEQ);
}

static void
flatten_into(val_arrb_t *b, const val_t *v)
{
    if (v != NULL && v->type == VAL_ARR) {
        for (uint32_t i = 0; i < v->len; i++)
            flatten_into(b, v->u.items[i]);
    } else if (v != NULL) {
        val_arrb_push(b, v);
    }
}

static const val_t *
eval_wildcard(jna_ev_t *ev, const val_t *input)
{
    val_arrb_t b;
    bool seq = true;
    if (input != NULL && input->type == VAL_ARR && (input->flags & VAL_F_OUTER) && input->len)
        input = input->u.items[0];
    val_arrb_init(&b, ev->a, 8);
    if (input != NULL && input->type == VAL_OBJ) {
        const uint32_t *ord = jna_obj_order(ev->a, input);
        for (uint32_t i = 0; i < input->len; i++) {
            const val_t *v = input->u.obj.m[ord ? ord[i] : i].val;
            if (v->type == VAL_ARR) {
                flatten_into(&b, v);
                seq = false;
            } else if (!jna_is_func(v)) {
                val_arrb_push(&b, v);
            }
        }
    } else if (input != NULL && input->type == VAL_ARR) {
        for (uint32_t i = 0; i < input->len; i++) {
            const val_t *v = input->u.items[i];
            if (v != NULL && v->type == VAL_ARR) {
                flatten_into(&b, v);
                seq = false;
            } else if (v != NULL) {
                val_arrb_push(&b, v);
            }
        }
    }
    return val_arrb_done(&b, seq ? VAL_F_SEQ : 0);
}

static void
descend(jna_ev_t *ev, val_arrb_t *b, const val_t *v)
{
    if (v == NULL)
        return;
    if (v->type != VAL_ARR)
        val_arrb_push(b, v);
    if (v->type == VAL_ARR) {
        for (uint32_t i = 0; i < v->len; i++)
            descend(ev, b, v->u.items[i]);
    } else if (v->type == VAL_OBJ) {
        const uint32_t *ord = jna_obj_order(ev->a, v);
        for (uint32_t i = 0; i < v->len; i++)
            descend(ev, b, v->u.obj.m[ord ? ord[i] : i].val);
    }
}

static const val_t *
eval_descendants(jna_ev_t *ev, const val_t *input)
{
    val_arrb_t b;
    if (input == NULL)
        return NULL;
    val_arrb_init(&b, ev->a, 8);
    descend(ev, &b, input);
    if (b.len == 1)
        return b.items[0];
    return val_arrb_done(&b, VAL_F_SEQ);
}

/* ---- filters and stages ---- */

static bool
is_num_array(const val_t *v)
{
    if (v == NULL || v->type != VAL_ARR)
        return false;
    for (uint32_t i = 0; i < v->len; i++)
        if (!val_is(v->u.items[i], VAL_NUM) || !isfinite(v->u.items[i]->u.num.d))
            return false; /* NaN is no number; an infinity fails later in jna_truth */
    return true;
}

static int
eval_filter(jna_ev_t *ev, const jna_node_t *pred, const val_t *input, jna_env_t *env,
            const val_t **out)
{
    val_arrb_t b;
    bool tuples = jna_is_tuples(input);
    const val_t *one = input;
    const val_t *const *items = &one;
    size_t n = 1;

    if (input == NULL) {
        *out = val_arr(ev->a, NULL, 0, VAL_F_SEQ);
        return SX_OK;
    }
    if (input->type == VAL_ARR) {
        items = input->u.items;
        n = input->len;
    }
    val_arrb_init(&b, ev->a, n);
    if (pred->type == JN_NUMBER) {
        double idx = floor(val_num_get(pred->lit));
        if (idx < 0)
            idx += (double)n;
        if (idx >= 0 && idx < (double)n && items[(size_t)idx] != NULL) {
            const val_t *item = items[(size_t)idx];
            if (item->type == VAL_ARR) {
                *out = item;
                return SX_OK;
            }
            val_arrb_push(&b, item);
        }
        *out = val_arrb_done(&b, VAL_F_SEQ | (tuples ? VAL_F_TUPLE : 0));
        return SX_OK;
    }
    for (size_t i = 0; i < n; i++) {
        const val_t *item = items[i], *ctx = item, *res;
        jna_env_t *e = env;
        if (tuples) {
            ctx = jna_tuple_of(item)->at;
            e = jna_env_from_tuple(ev->a, env, jna_tuple_of(item));
        }
        if (jna_evaluate(ev, pred, ctx, e, &res) != SX_OK)
            return SX_ERR;
        if (val_is(res, VAL_NUM) && !isnan(res->u.num.d)) {
            if (!isfinite(res->u.num.d))
                return jna_fail(ev->a, ev->err, "D1001", pred->position, NULL, res, NULL);
            res = jna_seq1(ev->a, res);
        }
        if (is_num_array(res)) {
            for (uint32_t k = 0; k < res->len; k++) {
                double ii = floor(res->u.items[k]->u.num.d);
                if (ii < 0)
                    ii += (double)n;
                if (ii == (double)i && item != NULL)
                    val_arrb_push(&b, item);
            }
        } else {
            bool keep;
            if (jna_truth(ev, res, -1, NULL, &keep) != SX_OK)
                return SX_ERR;
            if (keep && item != NULL)
                val_arrb_push(&b, item);
        }
    }
    *out = val_arrb_done(&b, VAL_F_SEQ | (tuples ? VAL_F_TUPLE : 0));
    return SX_OK;
}

static int
eval_stages(jna_ev_t *ev, const jna_stagevec_t *st, const val_t *input, jna_env_t *env,
            const val_t **out)
{
    const val_t *r = input;
    for (int i = 0; i < st->n; i++) {
        if (st->v[i].type == JNA_STAGE_FILTER) {
            if (eval_filter(ev, st->v[i].expr, r, env, &r) != SX_OK)
                return SX_ERR;
        } else if (r != NULL && jna_is_tuples(r)) {
            const char *nm = st->v[i].name;
            for (uint32_t k = 0; k < r->len; k++)
                jna_tuple_set(ev->a, jna_tuple_of(r->u.items[k]), nm, strlen(nm),
                              val_num(ev->a, k));
        }
    }
    *out = r;
    return SX_OK;
}

/* ---- steps ---- */

static const val_t empty_seq = {.type = VAL_ARR, .flags = VAL_F_SEQ};

/* eval_step for a one-item input (the common case): same result, fewer allocations. */
static int
eval_step1(jna_ev_t *ev, const jna_node_t *step, const val_t *item, jna_env_t *env, bool last,
           const val_t **out)
{
    const val_t *r;
    if (jna_evaluate(ev, step, item, env, &r) != SX_OK)
        return SX_ERR;
    for (int s = 0; s < step->stages.n; s++)
        if (eval_filter(ev, step->stages.v[s].expr, r, env, &r) != SX_OK)
            return SX_ERR;
    if (r == NULL) {
        *out = &empty_seq;
    } else if (last && r->type == VAL_ARR && !(r->flags & VAL_F_SEQ)) {
        *out = r;
    } else if (r->type != VAL_ARR || (r->flags & VAL_F_CONS)) {
        *out = jna_seq1(ev->a, r);
    } else {
        for (uint32_t k = 0; k < r->len; k++) {
            if (r->u.items[k] == NULL) {
                val_arrb_t b;
                val_arrb_init(&b, ev->a, r->len);
                for (uint32_t j = 0; j < r->len; j++)
                    if (r->u.items[j] != NULL)
                        val_arrb_push(&b, r->u.items[j]);
                *out = val_arrb_done(&b, VAL_F_SEQ);
                return SX_OK;
            }
        }
        *out = r->len == 0 ? &empty_seq : jna_arr_flag(ev->a, r, VAL_F_SEQ, 0xff & ~VAL_F_SEQ);
    }
    return SX_OK;
}

static int
eval_step(jna_ev_t *ev, const jna_node_t *step, const val_t *in, jna_env_t *env, bool last,
          const val_t **out)
{
    val_arrb_t res, flat;
    if (step->type == JN_SORT) {
        if (jna_eval_sort(ev, step, in, env, out) != SX_OK)
            return SX_ERR;
        return step->stages.n ? eval_stages(ev, &step->stages, *out, env, out) : SX_OK;
    }
    if (in->len == 1)
        return eval_step1(ev, step, in->u.items[0], env, last, out);
    val_arrb_init(&res, ev->a, in->len);
    for (uint32_t i = 0; i < in->len; i++) {
        const val_t *r;
        if (jna_evaluate(ev, step, in->u.items[i], env, &r) != SX_OK)
            return SX_ERR;
        for (int s = 0; s < step->stages.n; s++)
            if (eval_filter(ev, step->stages.v[s].expr, r, env, &r) != SX_OK)
                return SX_ERR;
        if (r != NULL)
            val_arrb_push(&res, r);
    }
    if (last && res.len == 1 && res.items[0]->type == VAL_ARR &&
        !(res.items[0]->flags & VAL_F_SEQ)) {
        *out = res.items[0];
        return SX_OK;
    }
    val_arrb_init(&flat, ev->a, res.len);
    for (uint32_t i = 0; i < res.len; i++) {
        const val_t *r = res.items[i];
        if (r->type != VAL_ARR || (r->flags & VAL_F_CONS)) {
            val_arrb_push(&flat, r);
            continue;
        }
        for (uint32_t k = 0; k < r->len; k++)
            if (r->u.items[k] != NULL)
                val_arrb_push(&flat, r->u.items[k]);
    }
    *out = val_arrb_done(&flat, VAL_F_SEQ);
    return SX_OK;
}

static const val_t *
tuples_from(jna_ev_t *ev, const val_t *items)
{
    val_arrb_t b;
    val_arrb_init(&b, ev->a, items->len);
    for (uint32_t i = 0; i < items->len; i++)
        val_arrb_push(&b, jna_tuple_val(ev->a, jna_tuple_new(ev->a, items->u.items[i], 2)));
    return val_arrb_done(&b, VAL_F_SEQ | VAL_F_TUPLE);
}

static void
tuple_emit(jna_ev_t *ev, const jna_node_t *step, const jna_tuple_t *t, const val_t *res,
           val_arrb_t *b)
{
    const val_t *one = res;
    const val_t *const *items = &one;
    size_t n = 1;
    if (res->type == VAL_ARR) {
        items = res->u.items;
        n = res->len;
    }
    for (size_t k = 0; k < n; k++) {
        jna_tuple_t *nt = tuple_copy(ev->a, t);
        if (jna_is_tuples(res)) {
            const jna_tuple_t *src = jna_tuple_of(items[k]);
            nt->at = src->at;
            for (uint32_t j = 0; j < src->n; j++)
                jna_tuple_set(ev->a, nt, src->b[j].name, src->b[j].len, src->b[j].v);
        } else {
            if (step->focus) {
                jna_tuple_set(ev->a, nt, step->focus, strlen(step->focus), items[k]);
                nt->at = t->at;
            } else {
                nt->at = items[k];
            }
            if (step->index)
                jna_tuple_set(ev->a, nt, step->index, strlen(step->index),
                              val_num(ev->a, (double)k));
            if (step->ancestor)
                jna_tuple_set(ev->a, nt, step->ancestor->label, strlen(step->ancestor->label),
                              t->at);
        }
        val_arrb_push(b, jna_tuple_val(ev->a, nt));
    }
}

static int
tuple_sort_step(jna_ev_t *ev, const jna_node_t *step, const val_t *in, const val_t *tuples,
                jna_env_t *env, const val_t **out)
{
    const val_t *r;
    if (tuples != NULL) {
        if (jna_eval_sort(ev, step, tuples, env, &r) != SX_OK)
            return SX_ERR;
    } else {
        const val_t *sorted;
        val_arrb_t b;
        if (jna_eval_sort(ev, step, in, env, &sorted) != SX_OK)
            return SX_ERR;
        if (sorted == NULL || sorted->type != VAL_ARR)
            sorted = jna_seq1(ev->a, sorted);
        val_arrb_init(&b, ev->a, sorted->len);
        for (uint32_t i = 0; i < sorted->len; i++) {
            jna_tuple_t *t = jna_tuple_new(ev->a, sorted->u.items[i], 2);
            if (step->index)
                jna_tuple_set(ev->a, t, step->index, strlen(step->index), val_num(ev->a, i));
            val_arrb_push(&b, jna_tuple_val(ev->a, t));
        }
        r = val_arrb_done(&b, VAL_F_SEQ | VAL_F_TUPLE);
    }
    if (step->stages.n)
        return eval_stages(ev, &step->stages, r, env, out);
    *out = r;
    return SX_OK;
}

static int
tuple_step(jna_ev_t *ev, const jna_node_t *step, const val_t *in, const val_t *tuples,
           jna_env_t *env, const val_t **out)
{
    val_arrb_t b;
    if (step->type == JN_SORT)
        return tuple_sort_step(ev, step, in, tuples, env, out);
    if (tuples == NULL)
        tuples = tuples_from(ev, in);
    val_arrb_init(&b, ev->a, tuples->len);
    for (uint32_t i = 0; i < tuples->len; i++) {
        const jna_tuple_t *t = jna_tuple_of(tuples->u.items[i]);
        jna_env_t *senv = jna_env_from_tuple(ev->a, env, t);
        const val_t *res;
        if (jna_evaluate(ev, step, t->at, senv, &res) != SX_OK)
            return SX_ERR;
        if (res != NULL)
            tuple_emit(ev, step, t, res, &b);
    }
    const val_t *r = val_arrb_done(&b, VAL_F_SEQ | VAL_F_TUPLE);
    if (step->stages.n)
        return eval_stages(ev, &step->stages, r, env, out);
    *out = r;
    return SX_OK;
}

/* ---- paths ---- */

static const val_t *
tuple_contexts(jna_ev_t *ev, const val_t *tuples)
{
    val_arrb_t b;
    val_arrb_init(&b, ev->a, tuples ? tuples->len : 0);
    for (uint32_t i = 0; tuples && i < tuples->len; i++)
        val_arrb_push(&b, jna_tuple_of(tuples->u.items[i])->at);
    return val_arrb_done(&b, VAL_F_SEQ);
}

static int
eval_path(jna_ev_t *ev, const jna_node_t *e, const val_t *input, jna_env_t *env,
          const val_t **out)
{
    const val_t *in, *res = NULL, *tuples = NULL;
    bool tmode = false;
    int nsteps = e->items.n;

    if (input != NULL && input->type == VAL_ARR && e->items.v[0]->type != JN_VARIABLE)
        in = input;
    else
        in = jna_seq1(ev->a, input);
    for (int i = 0; i < nsteps; i++) {
        const jna_node_t *step = e->items.v[i];
        int rc;
        if (step->tuple)
            tmode = true;
        if (i == 0 && step->cons_array)
            rc = jna_evaluate(ev, step, in, env, &res);
        else if (tmode)
            rc = tuple_step(ev, step, in, tuples, env, &tuples);
        else
            rc = eval_step(ev, step, in, env, i == nsteps - 1, &res);
        if (rc != SX_OK)
            return SX_ERR;
        if (!tmode) {
            if (res == NULL || (res->type == VAL_ARR && res->len == 0))
                break;
            if (res->type != VAL_ARR)
                res = jna_seq1(ev->a, res);
        }
        if (!tmode && step->focus == NULL)
            in = res;
    }
    if (tmode)
        res = e->tuple ? tuples : tuple_contexts(ev, tuples);
    if (e->keep_singleton && res != NULL) {
        if (res->type == VAL_ARR && (res->flags & VAL_F_CONS) && !(res->flags & VAL_F_SEQ))
            res = jna_seq1(ev->a, res);
        if (res->type == VAL_ARR)
            res = jna_arr_flag(ev->a, res, VAL_F_KEEP, 0);
    }
    if (e->group != NULL)
        return jna_eval_group(ev, &e->group->pairs, e->group->position, tmode ? tuples : res,
                              env, out);
    *out = res;
    return SX_OK;
}

/* ---- evaluate ---- */

static int
guard_fail(jna_ev_t *ev, const jna_node_t *e, bool timeout)
{
    jna_fail(ev->a, ev->err, "U1001", e->position, NULL, NULL, NULL);
    if (timeout)
        ev->err->message = "Expression evaluation timeout: Check for infinite loop";
    return SX_ERR;
}

static int
eval_block(jna_ev_t *ev, const jna_node_t *e, const val_t *input, jna_env_t *env,
           const val_t **out)
{
    jna_env_t *frame = jna_env_new(ev->a, env);
    *out = NULL;
    for (int i = 0; i < e->items.n; i++)
        if (jna_evaluate(ev, e->items.v[i], input, frame, out) != SX_OK)
            return SX_ERR;
    return SX_OK;
}

static int
eval_condition(jna_ev_t *ev, const jna_node_t *e, const val_t *input, jna_env_t *env,
               const val_t **out)
{
    const val_t *c;
    bool t;
    *out = NULL;
    if (jna_evaluate(ev, e->cond, input, env, &c) != SX_OK ||
        jna_truth(ev, c, -1, NULL, &t) != SX_OK)
        return SX_ERR;
    if (t)
        return jna_evaluate(ev, e->then, input, env, out);
    if (e->has_else)
        return jna_evaluate(ev, e->els, input, env, out);
    return SX_OK;
}

static int
eval_apply(jna_ev_t *ev, const jna_node_t *e, const val_t *input, jna_env_t *env,
           const val_t **out)
{
    const val_t *lhs, *fn;
    if (jna_evaluate(ev, e->lhs, input, env, &lhs) != SX_OK)
        return SX_ERR;
    if (e->rhs->type == JN_FUNCTION)
        return jna_eval_function(ev, e->rhs, input, env, lhs, true, out);
    if (jna_evaluate(ev, e->rhs, input, env, &fn) != SX_OK)
        return SX_ERR;
    if (!jna_is_func(fn))
        return jna_fail(ev->a, ev->err, "T2006", e->position, NULL, fn, NULL);
    if (jna_is_func(lhs)) {
        jna_fn_t *f = sx_arena_calloc(ev->a, sizeof(*f));
        f->kind = JF_COMPOSE;
        f->f = lhs;
        f->g = fn;
        *out = val_func(ev->a, f, jna_k_closure);
        return SX_OK;
    }
    return jna_apply(ev, fn, &lhs, 1, val_null(), env, out);
}

static const val_t *
closure_val(jna_ev_t *ev, int kind, const jna_node_t *e, jna_env_t *env)
{
    jna_fn_t *f = sx_arena_calloc(ev->a, sizeof(*f));
    f->kind = kind;
    f->renode = e;
    f->tnode = e;
    f->env = env;
    return val_func(ev->a, f, jna_k_closure);
}

static int
eval_node(jna_ev_t *ev, const jna_node_t *e, const val_t *input, jna_env_t *env,
          const val_t **out)
{
    *out = NULL;
    switch (e->type) {
    case JN_PATH:
        return eval_path(ev, e, input, env, out);
    case JN_BINARY:
        return jna_eval_binary(ev, e, input, env, out);
    case JN_UNARY:
        return jna_eval_unary(ev, e, input, env, out);
    case JN_NAME:
        *out = jna_lookup_field(ev, input, e->str, e->slen);
        return SX_OK;
    case JN_STRING:
    case JN_NUMBER:
    case JN_VALUE:
        *out = e->lit;
        return SX_OK;
    case JN_WILDCARD:
        *out = eval_wildcard(ev, input);
        return SX_OK;
    case JN_DESCENDANT:
        *out = eval_descendants(ev, input);
        return SX_OK;
    case JN_PARENT:
        *out = jna_env_lookup(ev, env, e->slot->label, strlen(e->slot->label), NULL);
        return SX_OK;
    case JN_CONDITION:
        return eval_condition(ev, e, input, env, out);
    case JN_BLOCK:
        return eval_block(ev, e, input, env, out);
    case JN_BIND:
        if (jna_evaluate(ev, e->rhs, input, env, out) != SX_OK)
            return SX_ERR;
        jna_env_bind(ev->a, env, e->lhs->str, e->lhs->slen, *out);
        return SX_OK;
    case JN_REGEX:
        *out = closure_val(ev, JF_REGEX, e, env);
        return SX_OK;
    case JN_FUNCTION:
        return jna_eval_function(ev, e, input, env, NULL, false, out);
    case JN_VARIABLE:
        if (e->slen == 0)
            *out = (input != NULL && input->type == VAL_ARR && (input->flags & VAL_F_OUTER))
                       ? input->u.items[0]
                       : input;
        else
            *out = jna_env_lookup(ev, env, e->str, e->slen, NULL);
        return SX_OK;
    case JN_LAMBDA:
        *out = jna_make_lambda(ev, e, input, env);
        return SX_OK;
    case JN_PARTIAL:
        return jna_eval_partial(ev, e, input, env, out);
    case JN_APPLY:
        return eval_apply(ev, e, input, env, out);
    case JN_TRANSFORM:
        *out = closure_val(ev, JF_TRANSFORM, e, env);
        return SX_OK;
    default:
        return SX_OK;
    }
}

int
jna_evaluate(jna_ev_t *ev, const jna_node_t *e, const val_t *input, jna_env_t *env,
             const val_t **out)
{
    const val_t *r;
    if (++ev->depth > ev->max_depth)
        return guard_fail(ev, e, false);
    if ((++ev->tick & 63) == 0) {
        if (ev->deadline_ns && sx_mono_ns() > ev->deadline_ns)
            return guard_fail(ev, e, true);
        if (ev->mem_limit && sx_arena_reserved(ev->a) - ev->mem_base > ev->mem_limit)
            return jna_fail(ev->a, ev->err, "U1002", e->position, NULL,
                            val_num(ev->a, (double)ev->mem_limit), NULL);
    }
    if (eval_node(ev, e, input, env, &r) != SX_OK)
        return SX_ERR;
    for (int i = 0; i < e->predicate.n; i++)
        if (eval_filter(ev, e->predicate.v[i].expr, r, env, &r) != SX_OK)
            return SX_ERR;
    if (e->type != JN_PATH && e->group != NULL &&
        jna_eval_group(ev, &e->group->pairs, e->group->position, r, env, &r) != SX_OK)
        return SX_ERR;
    ev->depth--;
    if (r != NULL && r->type == VAL_ARR && (r->flags & VAL_F_SEQ) && !(r->flags & VAL_F_TUPLE)) {
        if (e->keep_array)
            r = jna_arr_flag(ev->a, r, VAL_F_KEEP, 0);
        if (r->len == 0)
            r = NULL;
        else if (r->len == 1 && !(r->flags & VAL_F_KEEP))
            r = r->u.items[0];
    }
    *out = r;
    return SX_OK;
}
