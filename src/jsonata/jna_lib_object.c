/*
 * jna_lib_object.c: $keys $lookup $spread $merge $type $error $assert, and the boolean
 * group $boolean $not $exists.
 *
 * Sequence results ($keys, $lookup over arrays, $spread of an object) carry VAL_F_SEQ so the
 * evaluator unwraps singletons and drops empty ones. Key order follows JS objects
 * (jna_obj_order). $spread of an array is a plain array, as jsonata-js builds it with
 * $append.
 */
#include <math.h>

#include "jna_lib_int.h"

static const val_t *
key_at(const val_t *obj, const uint32_t *order, size_t i)
{
    return val_obj_at(obj, order ? order[i] : i)->key;
}

static const val_member_t *
member_at(const val_t *obj, const uint32_t *order, size_t i)
{
    return val_obj_at(obj, order ? order[i] : i);
}

/* Adds the keys of every object in array a (recursively into nested arrays) to ob, in JS
 * key order per object. */
static void
keys_union(val_objb_t *ob, sx_arena_t *ar, const val_t *a)
{
    for (size_t i = 0; i < val_len(a); i++) {
        const val_t *it = val_arr_at(a, i);
        if (val_is(it, VAL_ARR)) {
            keys_union(ob, ar, it);
        } else if (val_is(it, VAL_OBJ)) {
            const uint32_t *order = jna_obj_order(ar, it);
            for (size_t k = 0; k < val_len(it); k++)
                val_objb_set(ob, key_at(it, order, k), val_true());
        }
    }
}

JNA_BI(keys)
{
    const val_t *a = argv[0], *obj = a;
    val_arrb_t b;

    SX_UNUSED(argc);
    if (val_is(a, VAL_ARR)) { /* union of the items' keys, first-seen order */
        val_objb_t ob;
        val_objb_init(&ob, c->arena, 8);
        keys_union(&ob, c->arena, a);
        obj = val_objb_done(&ob);
    }
    if (!val_is(obj, VAL_OBJ)) {
        *out = NULL;
        return SX_OK;
    }
    const uint32_t *order = jna_obj_order(c->arena, obj);
    val_arrb_init(&b, c->arena, val_len(obj));
    for (size_t i = 0; i < val_len(obj); i++)
        val_arrb_push(&b, key_at(obj, order, i));
    *out = val_arrb_done(&b, VAL_F_SEQ);
    return SX_OK;
}

static void
lookup_into(val_arrb_t *b, const val_t *in, const val_t *key)
{
    if (val_is(in, VAL_ARR)) {
        for (size_t i = 0; i < val_len(in); i++)
            lookup_into(b, val_arr_at(in, i), key);
        return;
    }
    if (!val_is(in, VAL_OBJ))
        return;
    const val_t *v = val_obj_get(in, val_str_get(key), val_len(key));
    if (v == NULL)
        return;
    if (val_is(v, VAL_ARR)) {
        for (size_t i = 0; i < val_len(v); i++)
            val_arrb_push(b, val_arr_at(v, i));
    } else {
        val_arrb_push(b, v);
    }
}

JNA_BI(lookup)
{
    const val_t *in = argv[0], *key = argc > 1 ? argv[1] : NULL;
    val_arrb_t b;

    if (in == NULL || key == NULL) {
        *out = NULL;
        return SX_OK;
    }
    if (val_is(in, VAL_OBJ)) {
        *out = val_obj_get(in, val_str_get(key), val_len(key));
        return SX_OK;
    }
    if (!val_is(in, VAL_ARR)) {
        *out = NULL;
        return SX_OK;
    }
    val_arrb_init(&b, c->arena, val_len(in));
    for (size_t i = 0; i < val_len(in); i++) {
        /* an item's own result (array or not) is flattened one level */
        lookup_into(&b, val_arr_at(in, i), key);
    }
    *out = val_arrb_done(&b, VAL_F_SEQ);
    return SX_OK;
}

static void
spread_obj(val_arrb_t *b, sx_arena_t *a, const val_t *obj)
{
    const uint32_t *order = jna_obj_order(a, obj);

    for (size_t i = 0; i < val_len(obj); i++) {
        val_objb_t ob;
        const val_member_t *m = member_at(obj, order, i);
        val_objb_init(&ob, a, 1);
        val_objb_add(&ob, m->key, m->val);
        val_arrb_push(b, val_objb_done(&ob));
    }
}

static void
spread_into(val_arrb_t *b, sx_arena_t *a, const val_t *v)
{
    if (val_is(v, VAL_ARR)) {
        for (size_t i = 0; i < val_len(v); i++)
            spread_into(b, a, val_arr_at(v, i));
    } else if (val_is(v, VAL_OBJ)) {
        spread_obj(b, a, v);
    } else {
        val_arrb_push(b, v);
    }
}

JNA_BI(spread)
{
    const val_t *v = argv[0];
    val_arrb_t b;

    SX_UNUSED(argc);
    if (v == NULL || (!val_is(v, VAL_ARR) && !val_is(v, VAL_OBJ))) {
        *out = v;
        return SX_OK;
    }
    val_arrb_init(&b, c->arena, 8);
    if (val_is(v, VAL_OBJ)) {
        spread_obj(&b, c->arena, v);
        *out = val_arrb_done(&b, VAL_F_SEQ);
        return SX_OK;
    }
    for (size_t i = 0; i < val_len(v); i++)
        spread_into(&b, c->arena, val_arr_at(v, i));
    /* jsonata-js: an empty array stays an (empty) sequence, else $append makes it plain */
    *out = val_arrb_done(&b, val_len(v) == 0 ? VAL_F_SEQ : 0);
    return SX_OK;
}

JNA_BI(merge)
{
    const val_t *a = argv[0];
    val_objb_t ob;

    SX_UNUSED(argc);
    if (a == NULL) {
        *out = NULL;
        return SX_OK;
    }
    val_objb_init(&ob, c->arena, 8);
    for (size_t i = 0; i < val_len(a); i++) {
        const val_t *o = val_arr_at(a, i);
        if (!val_is(o, VAL_OBJ))
            return jna_fctx_fail(c, "T0412", o,
                                 "Argument 1 of function merge must be an array of objects");
        for (size_t k = 0; k < val_len(o); k++)
            val_objb_set(&ob, val_obj_at(o, k)->key, val_obj_at(o, k)->val);
    }
    *out = val_objb_done(&ob);
    return SX_OK;
}

JNA_BI(type)
{
    const val_t *v = argv[0];
    const char *t;

    SX_UNUSED(argc);
    if (v == NULL) {
        *out = NULL;
        return SX_OK;
    }
    t = val_type_name(v);
    if (val_is(v, VAL_NUM) && isinf(val_num_get(v)))
        return jna_fctx_fail(c, "D1001", v, "Number out of range: null"); /* isNumeric */
    if (val_is(v, VAL_NUM) && isnan(val_num_get(v)))
        t = "object"; /* jsonata-js: NaN fails isNumeric */
    *out = val_str_nocopy(c->arena, t, strlen(t));
    return SX_OK;
}

JNA_BI(error)
{
    const val_t *m = argc > 0 ? argv[0] : NULL;

    SX_UNUSED(out);
    if (val_is(m, VAL_STR) && val_len(m) > 0)
        return jna_fctx_fail(c, "D3137", NULL, "%s", val_str_get(m));
    return jna_fctx_fail(c, "D3137", NULL, "$error() function evaluated");
}

JNA_BI(assert)
{
    const val_t *cond = argv[0], *m = argc > 1 ? argv[1] : NULL;

    if (val_is(cond, VAL_BOOL) && val_bool_get(cond)) {
        *out = NULL;
        return SX_OK;
    }
    if (val_is(m, VAL_STR) && val_len(m) > 0)
        return jna_fctx_fail(c, "D3141", NULL, "%s", val_str_get(m));
    return jna_fctx_fail(c, "D3141", NULL, "$assert() statement failed");
}

/* jsonata's $boolean cast (reference §5.7); v is defined. */
static bool
truthy(const val_t *v)
{
    switch (val_type(v)) {
    case VAL_BOOL:
        return val_bool_get(v);
    case VAL_STR:
        return val_len(v) > 0;
    case VAL_NUM:
        return isfinite(val_num_get(v)) ? val_num_get(v) != 0 : false;
    case VAL_ARR:
        for (size_t i = 0; i < val_len(v); i++)
            if (truthy(val_arr_at(v, i)))
                return true;
        return false;
    case VAL_OBJ:
        return val_len(v) > 0;
    default:
        return false; /* null, function */
    }
}

/* jsonata-js's boolean() calls isNumeric, which throws D1001 on +-Infinity, on v and on
 * every array item it visits (all of them, recursively). */
static bool
has_inf(const val_t *v)
{
    if (val_is(v, VAL_NUM))
        return isinf(val_num_get(v));
    if (val_is(v, VAL_ARR))
        for (size_t i = 0; i < val_len(v); i++)
            if (has_inf(val_arr_at(v, i)))
                return true;
    return false;
}

static int
inf_fail(jna_fctx_t *c, const val_t *v)
{
    while (val_is(v, VAL_ARR))
        for (size_t i = 0; i < val_len(v); i++)
            if (has_inf(val_arr_at(v, i))) {
                v = val_arr_at(v, i);
                break;
            }
    return jna_fctx_fail(c, "D1001", v, "Number out of range: null");
}

JNA_BI(boolean)
{
    SX_UNUSED(argc);
    if (has_inf(argv[0]))
        return inf_fail(c, argv[0]);
    *out = argv[0] == NULL ? NULL : val_bool(truthy(argv[0]));
    return SX_OK;
}

JNA_BI(not)
{
    SX_UNUSED(argc);
    if (has_inf(argv[0]))
        return inf_fail(c, argv[0]);
    *out = argv[0] == NULL ? NULL : val_bool(!truthy(argv[0]));
    return SX_OK;
}

JNA_BI(exists)
{
    SX_UNUSED(argc), SX_UNUSED(c);
    *out = val_bool(argc > 0 && argv[0] != NULL);
    return SX_OK;
}
