/*
 * jp_eval.c: evaluates compiled paths (jp_int.h) with Jayway's results and texts.
 *
 * Two evaluators:
 * - definite paths (NAME/INDEX steps, NAMES last) run a loop of N lookups that allocates
 *   nothing on success; when a step finds nothing it writes Jayway's PathNotFoundException
 *   text into *detail (from the precomputed normalized path) and returns SX_DECLINED;
 * - indefinite paths walk the tree depth-first, in document order, pushing every match into
 *   an array builder. They never fail: no match gives [] (AWS suppresses Jayway's exceptions
 *   for indefinite paths, e.g. "$.nope[*].x" on {} is []).
 * `..` (SCAN) applies the following step at the node itself and then at every descendant,
 * parents before children, as Jayway's ScanPathToken does.
 */
#include <math.h>
#include <string.h>

#include "path/jp_int.h"

typedef struct wctx {
    const jp_prog_t *p;  /* program */
    const val_t *root;   /* document root ($ inside filters) */
    const jp_env_t *env; /* for filters */
    sx_arena_t *a;       /* result arena */
    val_arrb_t out;      /* matches */
} wctx_t;

static const char JP_PROVIDER[] = "com.jayway.jsonpath.spi.json.JsonSmartJsonProvider";

const char *
jp_java_class(const val_t *v)
{
    if (v == NULL || val_type(v) == VAL_NULL)
        return "null";
    switch (val_type(v)) {
    case VAL_BOOL:
        return "java.lang.Boolean";
    case VAL_STR:
        return "java.lang.String";
    case VAL_ARR:
        return "net.minidev.json.JSONArray";
    case VAL_OBJ:
        return "net.minidev.json.JSONObject";
    case VAL_NUM: {
        const char *raw = v->u.num.raw;
        double d = val_num_get(v);
        if (raw != NULL && strpbrk(raw, ".eE") != NULL)
            return "java.lang.Double";
        if (d != floor(d))
            return "java.lang.Double";
        if (d >= -2147483648.0 && d <= 2147483647.0)
            return "java.lang.Integer";
        if (d >= -9223372036854775808.0 && d < 9223372036854775808.0)
            return "java.lang.Long";
        return "java.math.BigInteger";
    }
    default:
        return "java.lang.Object";
    }
}

const val_t *
jp_root_value(const jp_prog_t *p, const jp_env_t *env)
{
    switch (p->root) {
    case JP_ROOT_INPUT:
        return env->input;
    case JP_ROOT_CONTEXT:
        return env->context;
    case JP_ROOT_VAR:
        return env->var ? env->var(env->ud, p->var, p->varlen) : NULL;
    default:
        return NULL;
    }
}

/* Normalizes index ix against length len; false when out of range. */
static inline bool
index_fix(int64_t ix, size_t len, size_t *out)
{
    if (ix < 0)
        ix += (int64_t)len;
    if (ix < 0 || (uint64_t)ix >= len)
        return false;
    *out = (size_t)ix;
    return true;
}

/* Jayway merges ['a','b'] at a leaf into one object of the members present. */
static const val_t *
names_merge(const jp_step_t *st, const val_t *obj, sx_arena_t *a)
{
    val_objb_t b;
    val_objb_init(&b, a, st->n);
    for (uint32_t k = 0; k < st->n; k++) {
        const val_t *v = val_obj_geth(obj, st->u.names[k].s, st->u.names[k].len, st->u.names[k].hash);
        if (v != NULL)
            val_objb_set(&b, st->u.names[k].key, v);
    }
    return val_objb_done(&b);
}

/* ---- definite paths ---- */

static size_t
prefix_len(const jp_prog_t *p, uint32_t i)
{
    return i == 0 ? 1 : p->steps[i - 1].norm_end;
}

static const char *
model_text(const val_t *v, sx_arena_t *a)
{
    if (val_is(v, VAL_STR))
        return val_str_get(v);
    return val_json_str(a, v, NULL);
}

/* Jayway's message when step i cannot be applied to node. */
static const char *
definite_detail(const jp_prog_t *p, uint32_t i, const val_t *node, bool missing, sx_arena_t *a)
{
    const jp_step_t *st = &p->steps[i];
    int pre = (int)prefix_len(p, i);
    int cur = (int)st->norm_end;
    if (missing) {
        if (i + 1 == p->nsteps || st->op == JP_OP_INDEX)
            return sx_arena_printf(a, NULL, "No results for path: %s", p->norm);
        return sx_arena_printf(a, NULL, "Missing property in path %.*s", cur, p->norm);
    }
    if (st->op == JP_OP_INDEX) {
        if (node == NULL || val_is(node, VAL_NULL))
            return sx_arena_printf(a, NULL, "The path %.*s is null", pre, p->norm);
        return sx_arena_printf(a, NULL,
                               "Filter: %.*s can only be applied to arrays. Current context "
                               "is: %s",
                               cur - pre, p->norm + pre, model_text(node, a));
    }
    return sx_arena_printf(a, NULL,
                           "Expected to find an object with property %.*s in path %.*s but "
                           "found '%s'. This is not a json object according to the "
                           "JsonProvider: '%s'.",
                           cur - pre, p->norm + pre, pre, p->norm, jp_java_class(node),
                           JP_PROVIDER);
}

static int
eval_definite(const jp_prog_t *p, const val_t *node, sx_arena_t *a, const val_t **out,
              const char **detail)
{
    for (uint32_t i = 0; i < p->nsteps; i++) {
        const jp_step_t *st = &p->steps[i];
        const val_t *next;
        size_t ix;
        switch ((jp_op_t)st->op) {
        case JP_OP_NAME:
            if (!val_is(node, VAL_OBJ))
                goto bad;
            next = val_obj_geth(node, st->u.name.s, st->u.name.len, st->u.name.hash);
            if (next == NULL)
                goto missing;
            node = next;
            break;
        case JP_OP_INDEX:
            if (!val_is(node, VAL_ARR))
                goto bad;
            if (!index_fix(st->u.index, val_len(node), &ix))
                goto missing;
            node = val_arr_at(node, ix);
            break;
        case JP_OP_NAMES:
            if (!val_is(node, VAL_OBJ))
                goto bad;
            node = names_merge(st, node, a);
            break;
        default:
            if (SX_NEVER(st->op != JP_OP_NAME))
                goto missing;
            break;
        }
        continue;
    missing:
        if (detail != NULL)
            *detail = definite_detail(p, i, node, true, a);
        return SX_DECLINED;
    bad:
        if (detail != NULL)
            *detail = definite_detail(p, i, node, false, a);
        return SX_DECLINED;
    }
    *out = node;
    return SX_OK;
}

/* ---- indefinite paths ---- */

static void walk(wctx_t *w, uint32_t i, const val_t *node);

static void
walk_slice(wctx_t *w, uint32_t i, const jp_step_t *st, const val_t *arr)
{
    int64_t len = (int64_t)val_len(arr);
    int64_t step = (st->has & JP_SLICE_STEP) ? st->u.slice[2] : 1;
    int64_t from, to;
    if (step > 0) {
        from = (st->has & JP_SLICE_FROM) ? st->u.slice[0] : 0;
        to = (st->has & JP_SLICE_TO) ? st->u.slice[1] : len;
        if (from < 0)
            from = from + len < 0 ? 0 : from + len;
        if (to < 0)
            to = to + len < 0 ? 0 : to + len;
        if (to > len)
            to = len;
        for (int64_t k = from; k < to; k += step)
            walk(w, i + 1, val_arr_at(arr, (size_t)k));
        return;
    }
    from = (st->has & JP_SLICE_FROM) ? st->u.slice[0] : len - 1;
    to = (st->has & JP_SLICE_TO) ? st->u.slice[1] : -len - 1;
    if (from < 0)
        from += len;
    if (from >= len)
        from = len - 1;
    if (to < 0)
        to = to + len < -1 ? -1 : to + len;
    for (int64_t k = from; k > to && k >= 0; k += step)
        walk(w, i + 1, val_arr_at(arr, (size_t)k));
}

static void
walk_scan(wctx_t *w, uint32_t t, const val_t *node)
{
    bool isobj = val_is(node, VAL_OBJ);
    if (!isobj && !val_is(node, VAL_ARR))
        return;
    if (w->p->steps[t].op != JP_OP_FILTER)
        walk(w, t, node);
    else if (isobj && jp_filter_test(w->p->steps[t].u.filter, node, w->root, w->env, w->a))
        walk(w, t + 1, node);
    for (size_t k = 0; k < val_len(node); k++)
        walk_scan(w, t, isobj ? val_obj_at(node, k)->val : val_arr_at(node, k));
}

static void
walk_each(wctx_t *w, uint32_t i, const val_t *node)
{
    if (val_is(node, VAL_OBJ)) {
        for (size_t k = 0; k < val_len(node); k++)
            walk(w, i + 1, val_obj_at(node, k)->val);
    } else if (val_is(node, VAL_ARR)) {
        for (size_t k = 0; k < val_len(node); k++)
            walk(w, i + 1, val_arr_at(node, k));
    }
}

static void
walk_filter(wctx_t *w, uint32_t i, const val_t *node)
{
    const jp_fexpr_t *f = w->p->steps[i].u.filter;
    if (val_is(node, VAL_OBJ)) {
        if (jp_filter_test(f, node, w->root, w->env, w->a))
            walk(w, i + 1, node);
    } else if (val_is(node, VAL_ARR)) {
        for (size_t k = 0; k < val_len(node); k++)
            if (jp_filter_test(f, val_arr_at(node, k), w->root, w->env, w->a))
                walk(w, i + 1, val_arr_at(node, k));
    }
}

static void
walk(wctx_t *w, uint32_t i, const val_t *node)
{
    if (i == w->p->nsteps) {
        val_arrb_push(&w->out, node);
        return;
    }
    const jp_step_t *st = &w->p->steps[i];
    const val_t *v;
    size_t ix;
    switch ((jp_op_t)st->op) {
    case JP_OP_NAME:
        if ((v = val_obj_geth(node, st->u.name.s, st->u.name.len, st->u.name.hash)) != NULL)
            walk(w, i + 1, v);
        break;
    case JP_OP_INDEX:
        if (val_is(node, VAL_ARR) && index_fix(st->u.index, val_len(node), &ix))
            walk(w, i + 1, val_arr_at(node, ix));
        break;
    case JP_OP_NAMES:
        if (!val_is(node, VAL_OBJ))
            break;
        if (i + 1 == w->p->nsteps) {
            val_arrb_push(&w->out, names_merge(st, node, w->a));
            break;
        }
        for (uint32_t k = 0; k < st->n; k++)
            if ((v = val_obj_geth(node, st->u.names[k].s, st->u.names[k].len, st->u.names[k].hash)) != NULL)
                walk(w, i + 1, v);
        break;
    case JP_OP_INDEXES:
        for (uint32_t k = 0; val_is(node, VAL_ARR) && k < st->n; k++)
            if (index_fix(st->u.indexes[k], val_len(node), &ix))
                walk(w, i + 1, val_arr_at(node, ix));
        break;
    case JP_OP_SLICE:
        if (val_is(node, VAL_ARR))
            walk_slice(w, i, st, node);
        break;
    case JP_OP_WILD:
        walk_each(w, i, node);
        break;
    case JP_OP_SCAN:
        walk_scan(w, i + 1, node);
        break;
    case JP_OP_FILTER:
        walk_filter(w, i, node);
        break;
    }
}

static const val_t *
eval_indefinite(const jp_prog_t *p, const val_t *start, const val_t *root, const jp_env_t *env,
                sx_arena_t *a)
{
    wctx_t w = {.p = p, .root = root, .env = env, .a = a};
    val_arrb_init(&w.out, a, 4);
    walk(&w, 0, start);
    return val_arrb_done(&w.out, 0);
}

const val_t *
jp_eval_from(const jp_prog_t *p, const val_t *start, const val_t *root, const jp_env_t *env,
             sx_arena_t *a)
{
    const val_t *out;
    if (start == NULL)
        return NULL;
    if (!p->definite)
        return eval_indefinite(p, start, root, env, a);
    return eval_definite(p, start, a, &out, NULL) == SX_OK ? out : NULL;
}

int
jp_eval(const jp_prog_t *p, const jp_env_t *env, sx_arena_t *a, const val_t **out,
        const char **detail)
{
    const val_t *root = jp_root_value(p, env);
    if (SX_UNLIKELY(root == NULL)) {
        if (detail != NULL) {
            if (p->root == JP_ROOT_VAR)
                *detail = sx_arena_printf(a, NULL, "The variable '$%s' is not defined", p->var);
            else
                *detail = sx_arena_printf(a, NULL, "No results for path: %s", p->norm);
        }
        return SX_DECLINED;
    }
    if (SX_LIKELY(p->definite))
        return eval_definite(p, root, a, out, detail);
    *out = eval_indefinite(p, root, root, env, a);
    return SX_OK;
}
