/*
 * jna_lib_array.c: $count $append $reverse $shuffle $distinct $zip.
 *
 * The evaluator has already wrapped non-array arguments of 'a' parameters into one-element
 * arrays, so these see arrays or NULL (undefined). Results are plain arrays (never unwrapped
 * by the evaluator) except $distinct of a sequence, which stays a sequence, as in
 * jsonata-js. Arrays with fewer than two items are returned as they came.
 */
#include "jna_lib_int.h"

JNA_BI(count)
{
    SX_UNUSED(c), SX_UNUSED(argc);
    if (argv[0] == NULL) {
        *out = val_num(c->arena, 0);
        return SX_OK;
    }
    *out = val_num(c->arena, val_is(argv[0], VAL_ARR) ? (double)val_len(argv[0]) : 1);
    return SX_OK;
}

/* Returns v as items: an array's own items, or v itself as a one-item list. */
static const val_t *const *
items_of(const val_t *v, const val_t **one, size_t *n)
{
    if (val_is(v, VAL_ARR)) {
        *n = val_len(v);
        return v->u.items;
    }
    *one = v;
    *n = 1;
    return one;
}

JNA_BI(append)
{
    const val_t *a1 = argv[0], *a2 = argc > 1 ? argv[1] : NULL, *o1, *o2;
    const val_t *const *i1, *const *i2;
    size_t n1, n2;
    val_arrb_t b;

    if (a1 == NULL) {
        *out = a2;
        return SX_OK;
    }
    if (a2 == NULL) {
        *out = a1;
        return SX_OK;
    }
    i1 = items_of(a1, &o1, &n1);
    i2 = items_of(a2, &o2, &n2);
    val_arrb_init(&b, c->arena, n1 + n2);
    for (size_t i = 0; i < n1; i++)
        val_arrb_push(&b, i1[i]);
    for (size_t i = 0; i < n2; i++)
        val_arrb_push(&b, i2[i]);
    *out = val_arrb_done(&b, 0);
    return SX_OK;
}

JNA_BI(reverse)
{
    const val_t *a = argv[0];
    size_t n;
    val_arrb_t b;

    SX_UNUSED(argc);
    if (a == NULL || !val_is(a, VAL_ARR) || val_len(a) <= 1) {
        *out = a;
        return SX_OK;
    }
    n = val_len(a);
    val_arrb_init(&b, c->arena, n);
    for (size_t i = n; i > 0; i--)
        val_arrb_push(&b, val_arr_at(a, i - 1));
    *out = val_arrb_done(&b, 0);
    return SX_OK;
}

/* xorshift64* seeded from the OS per call: no state survives the call. */
static uint64_t
rng_next(uint64_t *s)
{
    uint64_t x = *s;
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    *s = x;
    return x * 0x2545F4914F6CDD1DULL;
}

JNA_BI(shuffle)
{
    const val_t *a = argv[0];
    const val_t **res;
    uint64_t seed = 0;
    size_t n;

    SX_UNUSED(argc);
    if (a == NULL || !val_is(a, VAL_ARR) || val_len(a) <= 1) {
        *out = a;
        return SX_OK;
    }
    n = val_len(a);
    sx_random_bytes(&seed, sizeof(seed));
    seed |= 1;
    res = sx_arena_alloc(c->arena, n * sizeof(*res));
    for (size_t i = 0; i < n; i++) { /* inside-out Fisher-Yates, as jsonata-js */
        double r = (double)(rng_next(&seed) >> 11) * 0x1p-53;
        size_t j = (size_t)(r * (double)(i + 1));
        if (i != j)
            res[i] = res[j];
        res[j] = val_arr_at(a, i);
    }
    *out = val_arr(c->arena, res, n, 0);
    return SX_OK;
}

JNA_BI(distinct)
{
    const val_t *a = argv[0];
    val_arrb_t b;
    size_t n;

    SX_UNUSED(argc);
    if (a == NULL || !val_is(a, VAL_ARR) || val_len(a) <= 1) {
        *out = a;
        return SX_OK;
    }
    n = val_len(a);
    val_arrb_init(&b, c->arena, n);
    for (size_t i = 0; i < n; i++) {
        const val_t *v = val_arr_at(a, i);
        bool seen = false;
        for (uint32_t j = 0; j < b.len && !seen; j++)
            seen = val_equal(v, b.items[j]);
        if (!seen)
            val_arrb_push(&b, v);
    }
    *out = val_arrb_done(&b, a->flags & VAL_F_SEQ);
    return SX_OK;
}

JNA_BI(zip)
{
    size_t len = SIZE_MAX;
    val_arrb_t b;

    for (size_t k = 0; k < argc; k++) {
        size_t n = val_is(argv[k], VAL_ARR) ? val_len(argv[k]) : 0;
        if (n < len)
            len = n;
    }
    if (argc == 0)
        len = 0;
    val_arrb_init(&b, c->arena, len);
    for (size_t i = 0; i < len; i++) {
        const val_t **tuple = sx_arena_alloc(c->arena, argc * sizeof(*tuple));
        for (size_t k = 0; k < argc; k++)
            tuple[k] = val_arr_at(argv[k], i);
        val_arrb_push(&b, val_arr(c->arena, tuple, argc, 0));
    }
    *out = val_arrb_done(&b, 0);
    return SX_OK;
}
