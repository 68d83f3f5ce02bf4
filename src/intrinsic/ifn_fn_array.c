/*
 * ifn_fn_array.c: States.Array, ArrayPartition, ArrayContains, ArrayRange, ArrayGetItem,
 * ArrayLength, ArrayUnique.
 *
 * Results share the argument values (a partition's chunks point at the original items).
 * Membership and uniqueness use deep equality (val_equal: numbers by value, objects ignoring
 * member order). ArrayRange refuses results over IFN_RANGE_MAX items, as AWS does.
 */
#include <string.h>

#include "intrinsic/ifn_int.h"

#define IFN_RANGE_MAX 1000

static const val_t *
arr_make(sx_arena_t *a, const val_t **items, size_t n)
{
    if (n == 0)
        return val_arr_empty();
    val_t *v = sx_arena_alloc(a, sizeof(*v));
    memset(v, 0, sizeof(*v));
    v->type = VAL_ARR;
    v->len = (uint32_t)n;
    v->u.items = items;
    return v;
}

int
ifn_array(const ifn_args_t *x, const val_t **out)
{
    *out = val_arr(x->a, x->v, x->n, 0);
    return SX_OK;
}

int
ifn_array_partition(const ifn_args_t *x, const val_t **out)
{
    int64_t size;
    if (ifn_want(x, 0, VAL_ARR) != SX_OK || ifn_want_int(x, 1, &size) != SX_OK)
        return SX_ERR;
    if (size <= 0)
        return ifn_fail(x, "the chunk size must be a positive integer, but was %lld",
                        (long long)size);
    const val_t *arr = x->v[0];
    size_t n = val_len(arr), chunks = (n + (size_t)size - 1) / (size_t)size;
    const val_t **parts = sx_arena_alloc(x->a, (chunks ? chunks : 1) * sizeof(*parts));
    for (size_t c = 0; c < chunks; c++) {
        size_t from = c * (size_t)size;
        size_t len = n - from < (size_t)size ? n - from : (size_t)size;
        parts[c] = val_arr(x->a, arr->u.items + from, len, 0);
    }
    *out = arr_make(x->a, parts, chunks);
    return SX_OK;
}

int
ifn_array_contains(const ifn_args_t *x, const val_t **out)
{
    if (ifn_want(x, 0, VAL_ARR) != SX_OK)
        return SX_ERR;
    const val_t *arr = x->v[0];
    bool hit = false;
    for (size_t k = 0; k < val_len(arr) && !hit; k++)
        hit = val_equal(val_arr_at(arr, k), x->v[1]);
    *out = val_bool(hit);
    return SX_OK;
}

int
ifn_array_range(const ifn_args_t *x, const val_t **out)
{
    int64_t from, to, step;
    if (ifn_want_int(x, 0, &from) != SX_OK || ifn_want_int(x, 1, &to) != SX_OK ||
        ifn_want_int(x, 2, &step) != SX_OK)
        return SX_ERR;
    if (step == 0)
        return ifn_fail(x, "the step must not be 0");
    int64_t count = 0;
    if ((step > 0 && from <= to) || (step < 0 && from >= to))
        count = (to - from) / step + 1;
    if (count > IFN_RANGE_MAX)
        return ifn_fail(x, "the result would have %lld items, more than the limit of %d",
                        (long long)count, IFN_RANGE_MAX);
    const val_t **items = sx_arena_alloc(x->a, (count ? (size_t)count : 1) * sizeof(*items));
    for (int64_t k = 0; k < count; k++)
        items[k] = val_num(x->a, (double)(from + k * step));
    *out = arr_make(x->a, items, (size_t)count);
    return SX_OK;
}

int
ifn_array_get_item(const ifn_args_t *x, const val_t **out)
{
    int64_t ix;
    if (ifn_want(x, 0, VAL_ARR) != SX_OK || ifn_want_int(x, 1, &ix) != SX_OK)
        return SX_ERR;
    if (ix < 0 || (uint64_t)ix >= val_len(x->v[0]))
        return ifn_fail(x, "the index %lld is out of bounds for an array of length %zu",
                        (long long)ix, val_len(x->v[0]));
    *out = val_arr_at(x->v[0], (size_t)ix);
    return SX_OK;
}

int
ifn_array_length(const ifn_args_t *x, const val_t **out)
{
    if (ifn_want(x, 0, VAL_ARR) != SX_OK)
        return SX_ERR;
    *out = val_num(x->a, (double)val_len(x->v[0]));
    return SX_OK;
}

/* Structural hash consistent with val_equal: numbers by value, objects order-independent. */
static uint64_t
val_hash(const val_t *v)
{
    uint64_t h = 0x9E3779B97F4A7C15ULL * (uint64_t)(val_type(v) + 1);
    switch (val_type(v)) {
    case VAL_BOOL:
        return h ^ (val_bool_get(v) ? 1 : 2);
    case VAL_NUM: {
        double d = val_num_get(v);
        uint64_t bits;
        if (d == 0)
            d = 0; /* -0 == 0 */
        memcpy(&bits, &d, sizeof(bits));
        h ^= bits;
        h ^= h >> 33; /* murmur3 fmix64: spread the high mantissa bits downwards */
        h *= 0xFF51AFD7ED558CCDULL;
        h ^= h >> 33;
        h *= 0xC4CEB9FE1A85EC53ULL;
        return h ^ (h >> 33);
    }
    case VAL_STR:
        for (size_t k = 0; k < val_len(v); k++)
            h = (h ^ (unsigned char)val_str_get(v)[k]) * 0x100000001B3ULL;
        return h;
    case VAL_ARR:
        for (size_t k = 0; k < val_len(v); k++)
            h = (h ^ val_hash(val_arr_at(v, k))) * 0x100000001B3ULL;
        return h;
    case VAL_OBJ: {
        uint64_t sum = 0;
        for (size_t k = 0; k < val_len(v); k++)
            sum += val_hash(val_obj_at(v, k)->key) * 31 ^ val_hash(val_obj_at(v, k)->val);
        return h ^ sum;
    }
    default:
        return h;
    }
}

int
ifn_array_unique(const ifn_args_t *x, const val_t **out)
{
    if (ifn_want(x, 0, VAL_ARR) != SX_OK)
        return SX_ERR;
    const val_t *arr = x->v[0];
    size_t n = val_len(arr), m = 0, cap = 16;
    while (cap < n * 2)
        cap *= 2;
    const val_t **items = sx_arena_alloc(x->a, (n ? n : 1) * sizeof(*items));
    /* open addressing over the kept items: slot = position + 1, 0 = empty */
    uint32_t *slots = sx_calloc(cap, sizeof(*slots));
    for (size_t k = 0; k < n; k++) {
        const val_t *v = val_arr_at(arr, k);
        uint64_t hv = val_hash(v);
        size_t h = (size_t)(hv ^ (hv >> 29)) & (cap - 1);
        bool seen = false;
        for (; slots[h] != 0 && !seen; h = (h + 1) & (cap - 1))
            seen = val_equal(items[slots[h] - 1], v);
        if (seen)
            continue;
        items[m++] = v;
        slots[h] = (uint32_t)m;
    }
    sx_free(slots);
    *out = m == n ? arr : arr_make(x->a, items, m);
    return SX_OK;
}
