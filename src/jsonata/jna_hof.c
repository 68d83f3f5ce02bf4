/*
 * jna_hof.c: the built-ins that need the evaluator, in jna_lib_hof[] (searched after the
 * library's jna_lib_core[]): $map $filter $single $reduce $each $sift $sort, the regex-aware
 * $match $replace $split $contains, $eval and $clone. They call function values through
 * jna_apply(), passing as many of (value, index, array) as the function's arity asks for,
 * as jsonata-js's hofFuncArgs does. Regex patterns go through the matcher protocol
 * ({match, start, end, groups, next}), so custom matcher functions work the same way.
 */
#include <math.h>

#include "jna_int.h"
#include "jna_lib_int.h"

#define HOF(name)                                                                              \
    static int hof_##name(jna_fctx_t *c, const val_t *const *argv, size_t argc,               \
                          const val_t **out)

static const val_t *
arg(const val_t *const *argv, size_t argc, size_t i)
{
    return i < argc ? argv[i] : NULL;
}

static int
call_hof(jna_fctx_t *c, const val_t *fn, const val_t *v, const val_t *idx, const val_t *all,
         const val_t **out)
{
    const val_t *args[3] = {v, idx, all};
    int ar = jna_fn_arity(fn);
    size_t n = 1 + (ar >= 2) + (ar >= 3);
    return jna_apply(jna_fctx_ev(c), fn, args, n, val_null(), jna_fctx_env(c), out);
}

HOF(map)
{
    const val_t *arr = arg(argv, argc, 0), *fn = arg(argv, argc, 1), *r;
    val_arrb_t b;
    *out = NULL;
    if (arr == NULL)
        return SX_OK;
    val_arrb_init(&b, c->arena, arr->len);
    for (uint32_t i = 0; i < arr->len; i++) {
        if (call_hof(c, fn, arr->u.items[i], val_num(c->arena, i), arr, &r) != SX_OK)
            return SX_ERR;
        if (r != NULL)
            val_arrb_push(&b, r);
    }
    *out = val_arrb_done(&b, VAL_F_SEQ);
    return SX_OK;
}

static int
hof_truth(jna_fctx_t *c, const val_t *v, bool *out)
{
    return jna_truth(jna_fctx_ev(c), v, c->position, NULL, out);
}

HOF(filter)
{
    const val_t *arr = arg(argv, argc, 0), *fn = arg(argv, argc, 1), *r;
    val_arrb_t b;
    bool keep;
    *out = NULL;
    if (arr == NULL)
        return SX_OK;
    val_arrb_init(&b, c->arena, arr->len);
    for (uint32_t i = 0; i < arr->len; i++) {
        if (call_hof(c, fn, arr->u.items[i], val_num(c->arena, i), arr, &r) != SX_OK)
            return SX_ERR;
        if (hof_truth(c, r, &keep) != SX_OK)
            return SX_ERR;
        if (keep)
            val_arrb_push(&b, arr->u.items[i]);
    }
    *out = val_arrb_done(&b, VAL_F_SEQ);
    return SX_OK;
}

HOF(single)
{
    const val_t *arr = arg(argv, argc, 0), *fn = arg(argv, argc, 1), *r, *found = NULL;
    bool have = false;
    *out = NULL;
    if (arr == NULL)
        return SX_OK;
    for (uint32_t i = 0; i < arr->len; i++) {
        bool pos = true;
        if (fn != NULL) {
            if (call_hof(c, fn, arr->u.items[i], val_num(c->arena, i), arr, &r) != SX_OK)
                return SX_ERR;
            if (hof_truth(c, r, &pos) != SX_OK)
                return SX_ERR;
        }
        if (!pos)
            continue;
        if (have)
            return jna_fail(c->arena, c->err, "D3138", c->position, "single", NULL, NULL);
        found = arr->u.items[i];
        have = true;
    }
    if (!have)
        return jna_fail(c->arena, c->err, "D3139", c->position, "single", NULL, NULL);
    *out = found;
    return SX_OK;
}

HOF(reduce)
{
    const val_t *arr = arg(argv, argc, 0), *fn = arg(argv, argc, 1), *acc = arg(argv, argc, 2);
    uint32_t i = 0;
    int ar = jna_fn_arity(fn);
    *out = NULL;
    if (arr == NULL)
        return SX_OK;
    if (ar < 2)
        return jna_fail(c->arena, c->err, "D3050", c->position, "reduce", NULL, NULL);
    if (acc == NULL && arr->len > 0) {
        acc = arr->u.items[0];
        i = 1;
    }
    for (; i < arr->len; i++) {
        const val_t *args[4] = {acc, arr->u.items[i], val_num(c->arena, i), arr};
        size_t n = 2 + (ar >= 3) + (ar >= 4);
        if (jna_apply(jna_fctx_ev(c), fn, args, n, val_null(), jna_fctx_env(c), &acc) != SX_OK)
            return SX_ERR;
    }
    *out = acc;
    return SX_OK;
}

HOF(each)
{
    const val_t *obj = arg(argv, argc, 0), *fn = arg(argv, argc, 1), *r;
    val_arrb_t b;
    *out = NULL;
    if (obj == NULL || obj->type != VAL_OBJ)
        return SX_OK;
    const uint32_t *ord = jna_obj_order(c->arena, obj);
    val_arrb_init(&b, c->arena, obj->len);
    for (uint32_t i = 0; i < obj->len; i++) {
        const val_member_t *m = &obj->u.obj.m[ord ? ord[i] : i];
        if (call_hof(c, fn, m->val, m->key, obj, &r) != SX_OK)
            return SX_ERR;
        if (r != NULL)
            val_arrb_push(&b, r);
    }
    *out = val_arrb_done(&b, VAL_F_SEQ);
    return SX_OK;
}

HOF(sift)
{
    const val_t *obj = arg(argv, argc, 0), *fn = arg(argv, argc, 1), *r;
    val_objb_t b;
    bool keep;
    *out = NULL;
    if (obj == NULL || obj->type != VAL_OBJ || fn == NULL)
        return SX_OK;
    const uint32_t *ord = jna_obj_order(c->arena, obj);
    val_objb_init(&b, c->arena, obj->len);
    for (uint32_t i = 0; i < obj->len; i++) {
        const val_member_t *m = &obj->u.obj.m[ord ? ord[i] : i];
        if (call_hof(c, fn, m->val, m->key, obj, &r) != SX_OK)
            return SX_ERR;
        if (hof_truth(c, r, &keep) != SX_OK)
            return SX_ERR;
        if (keep)
            val_objb_add(&b, m->key, m->val);
    }
    if (b.len > 0)
        *out = val_objb_done(&b);
    return SX_OK;
}

/* ---- $sort ---- */

typedef struct sorter {
    jna_fctx_t *c;
    const val_t *fn; /* NULL: natural order */
    int rc;
} sorter_t;

static bool
js_truthy(const val_t *v)
{
    if (v == NULL)
        return false;
    switch (v->type) {
    case VAL_NULL:
        return false;
    case VAL_BOOL:
        return val_bool_get(v);
    case VAL_NUM:
        return v->u.num.d != 0 && !isnan(v->u.num.d);
    case VAL_STR:
        return v->len > 0;
    default:
        return true;
    }
}

static bool
greater(sorter_t *s, const val_t *a, const val_t *b)
{
    if (s->fn == NULL) {
        if (a->type == VAL_NUM)
            return a->u.num.d > b->u.num.d;
        return val_str_cmp_u16(a->u.str, a->len, b->u.str, b->len) > 0;
    }
    const val_t *args[2] = {a, b}, *r;
    if (jna_apply(jna_fctx_ev(s->c), s->fn, args, 2, val_null(), jna_fctx_env(s->c), &r) !=
        SX_OK) {
        s->rc = SX_ERR;
        return false;
    }
    return js_truthy(r);
}

static void
merge_sort(sorter_t *s, const val_t **v, const val_t **tmp, size_t n)
{
    if (n < 2 || s->rc != SX_OK)
        return;
    size_t mid = n / 2, i = 0, j = mid, k = 0;
    merge_sort(s, v, tmp, mid);
    merge_sort(s, v + mid, tmp, n - mid);
    while (i < mid && j < n && s->rc == SX_OK) {
        if (greater(s, v[i], v[j]))
            tmp[k++] = v[j++];
        else
            tmp[k++] = v[i++];
    }
    while (i < mid)
        tmp[k++] = v[i++];
    while (j < n)
        tmp[k++] = v[j++];
    memcpy(v, tmp, n * sizeof(*v));
}

HOF(sort)
{
    const val_t *arr = arg(argv, argc, 0), *fn = arg(argv, argc, 1);
    sorter_t s = {c, fn, SX_OK};
    *out = arr;
    if (arr == NULL || arr->len <= 1)
        return SX_OK;
    if (fn == NULL) {
        int t = arr->u.items[0] ? arr->u.items[0]->type : VAL_NULL;
        for (uint32_t i = 0; i < arr->len; i++)
            if (arr->u.items[i] == NULL || arr->u.items[i]->type != t ||
                (t != VAL_NUM && t != VAL_STR))
                return jna_fail(c->arena, c->err, "D3070", c->position, "sort", NULL, NULL);
    }
    const val_t **v = sx_arena_alloc(c->arena, 2 * arr->len * sizeof(*v));
    memcpy(v, arr->u.items, arr->len * sizeof(*v));
    merge_sort(&s, v, v + arr->len, arr->len);
    if (s.rc != SX_OK)
        return SX_ERR;
    *out = val_arr(c->arena, v, arr->len, 0);
    return SX_OK;
}

const jna_builtin_t jna_lib_hof[] = {
    {"map", "<af>", hof_map, 0},
    {"filter", "<af>", hof_filter, 0},
    {"single", "<af?>", hof_single, 0},
    {"reduce", "<afj?:j>", hof_reduce, 0},
    {"each", "<o-f:a>", hof_each, 0},
    {"sift", "<o-f?:o>", hof_sift, 0},
    {"sort", "<af?:a>", hof_sort, 0},
    {"match", "<s-f<s:o>n?:a<o>>", jna_rx_match, 0},
    {"contains", "<s-(sf):b>", jna_rx_contains, 0},
    {"split", "<s-(sf)n?:a<s>>", jna_rx_split, 0},
    {"replace", "<s-(sf)(sf)n?:s>", jna_rx_replace, 0},
    {"eval", "<sx?:x>", jna_rx_eval, JNA_BI_NOT_AWS},
    {"clone", "<(oa)-:o>", jna_rx_clone, 0},
    {NULL, NULL, NULL, 0},
};
