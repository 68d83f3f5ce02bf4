/*
 * ifn_fn_math.c: States.MathAdd, States.MathRandom, States.JsonMerge.
 *
 * MathAdd rounds each argument with Java's Math.round (ties toward +infinity: 4.5 -> 5,
 * -4.5 -> -4; recorded on AWS) and adds the integers. MathRandom draws an integer in
 * [start, end] (both truncated to integers); with a seed it is java.util.Random(seed)'s
 * nextInt, so a seed always gives the same value. JsonMerge is a shallow merge in which the
 * second object's members win; AWS rejects deep merging (third argument true).
 */
#include <math.h>

#include "intrinsic/ifn_int.h"

/* Java's Math.round(double): closest long, ties toward +infinity; NaN -> 0; saturating. */
static double
java_round(double d)
{
    if (isnan(d))
        return 0;
    if (d >= 9223372036854775807.0)
        return 9223372036854775807.0;
    if (d <= -9223372036854775808.0)
        return -9223372036854775808.0;
    double f = floor(d);
    return d - f >= 0.5 ? f + 1 : f;
}

int
ifn_math_add(const ifn_args_t *x, const val_t **out)
{
    if (ifn_want(x, 0, VAL_NUM) != SX_OK || ifn_want(x, 1, VAL_NUM) != SX_OK)
        return SX_ERR;
    double sum = java_round(val_num_get(x->v[0])) + java_round(val_num_get(x->v[1]));
    *out = val_num(x->a, sum);
    return SX_OK;
}

/* ---- java.util.Random ---- */

typedef struct jrand {
    uint64_t seed; /* 48-bit LCG state */
} jrand_t;

#define JR_MULT 0x5DEECE66DULL
#define JR_MASK ((1ULL << 48) - 1)

static void
jrand_init(jrand_t *r, int64_t seed)
{
    r->seed = ((uint64_t)seed ^ JR_MULT) & JR_MASK;
}

static int32_t
jrand_next(jrand_t *r, int bits)
{
    r->seed = (r->seed * JR_MULT + 0xBULL) & JR_MASK;
    return (int32_t)(uint32_t)(r->seed >> (48 - bits));
}

/* nextInt(bound), bound > 0. */
static int32_t
jrand_next_int(jrand_t *r, int32_t bound)
{
    int32_t v = jrand_next(r, 31);
    int32_t m = bound - 1;
    if ((bound & m) == 0)
        return (int32_t)(((int64_t)bound * (int64_t)v) >> 31);
    for (int32_t u = v; (int32_t)((uint32_t)u - (uint32_t)(v = u % bound) + (uint32_t)m) < 0;
         u = jrand_next(r, 31))
        ;
    return v;
}

/* nextLong() reduced to [0, bound) for ranges wider than an int. */
static uint64_t
jrand_next_u64(jrand_t *r, uint64_t bound)
{
    uint64_t hi = (uint64_t)(int64_t)jrand_next(r, 32);
    uint64_t v = (hi << 32) + (uint64_t)(int64_t)jrand_next(r, 32);
    return bound ? v % bound : v;
}

static int
num_trunc(const ifn_args_t *x, uint32_t i, int64_t *out)
{
    if (ifn_want(x, i, VAL_NUM) != SX_OK)
        return SX_ERR;
    double d = trunc(val_num_get(x->v[i]));
    if (!(d >= -9007199254740992.0 && d <= 9007199254740992.0))
        return ifn_fail(x, "argument %u is out of range", i + 1);
    *out = (int64_t)d;
    return SX_OK;
}

int
ifn_math_random(const ifn_args_t *x, const val_t **out)
{
    int64_t lo = 0, hi = 0, seed = 0;
    if (num_trunc(x, 0, &lo) != SX_OK || num_trunc(x, 1, &hi) != SX_OK)
        return SX_ERR;
    if (x->n > 2) {
        if (num_trunc(x, 2, &seed) != SX_OK)
            return SX_ERR;
    } else {
        sx_random_bytes(&seed, sizeof(seed));
    }
    if (lo > hi)
        return ifn_fail(x, "the start %lld is greater than the end %lld", (long long)lo,
                        (long long)hi);
    jrand_t r;
    jrand_init(&r, seed);
    uint64_t span = (uint64_t)(hi - lo) + 1;
    int64_t v = span <= 0x7FFFFFFF ? lo + jrand_next_int(&r, (int32_t)span)
                                   : lo + (int64_t)jrand_next_u64(&r, span);
    *out = val_num(x->a, (double)v);
    return SX_OK;
}

/* ---- JsonMerge ---- */

int
ifn_json_merge(const ifn_args_t *x, const val_t **out)
{
    if (ifn_want(x, 0, VAL_OBJ) != SX_OK || ifn_want(x, 1, VAL_OBJ) != SX_OK ||
        ifn_want(x, 2, VAL_BOOL) != SX_OK)
        return SX_ERR;
    if (val_bool_get(x->v[2]))
        return ifn_fail(x, "deep merging is not supported; the third argument must be false");
    const val_t *a = x->v[0], *b = x->v[1];
    if (val_len(b) == 0) {
        *out = a;
        return SX_OK;
    }
    val_objb_t ob;
    val_objb_init(&ob, x->a, val_len(a) + val_len(b));
    for (size_t k = 0; k < val_len(a); k++)
        val_objb_add(&ob, val_obj_at(a, k)->key, val_obj_at(a, k)->val);
    for (size_t k = 0; k < val_len(b); k++)
        val_objb_set(&ob, val_obj_at(b, k)->key, val_obj_at(b, k)->val);
    *out = val_objb_done(&ob);
    return SX_OK;
}
