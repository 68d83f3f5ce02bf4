/*
 * asl_choice_eval.c: evaluate compiled Choice rules, and StringMatches globs.
 *
 * Hot path (the choice-loop benchmark runs one TEST per transition): a TEST is one jp_eval
 * of the Variable (plus one for a `...Path` operand), a type check and a compare on decoded
 * constants: doubles for Numeric*, memcmp for StringEquals, sx_ts_t for Timestamp*. Nothing
 * is allocated unless a path matches nothing (the error cause goes to the arena).
 * Semantics are documented in include/stepx/asl_choice.h.
 */
#include <string.h>

#include "asl/asl_choice_int.h"

/* ---- StringMatches ---- */

const asl_choice_glob_t *
asl_choice_glob_compile(sx_arena_t *a, const char *pat, size_t n)
{
    asl_choice_glob_t *g = sx_arena_alloc(a, sizeof *g);
    ch_glob_part_t *parts;
    char *buf = sx_arena_alloc(a, n + 1); /* decoded literals, back to back */
    size_t nparts = 1, j = 0, start = 0;

    for (size_t i = 0; i < n; i++) {
        if (pat[i] == '\\')
            i++;
        else if (pat[i] == '*')
            nparts++;
    }
    parts = sx_arena_alloc(a, nparts * sizeof *parts);
    nparts = 0;
    for (size_t i = 0; i < n; i++) {
        if (pat[i] == '\\') {
            if (++i == n)
                return NULL; /* a lone trailing backslash */
            buf[j++] = pat[i];
        } else if (pat[i] == '*') {
            parts[nparts].s = buf + start;
            parts[nparts++].n = j - start;
            start = j;
        } else {
            buf[j++] = pat[i];
        }
    }
    parts[nparts].s = buf + start;
    parts[nparts++].n = j - start;
    g->nparts = (uint32_t)nparts;
    g->parts = parts;
    return g;
}

bool
asl_choice_glob_match(const asl_choice_glob_t *g, const char *s, size_t n)
{
    const ch_glob_part_t *first = &g->parts[0], *last = &g->parts[g->nparts - 1];

    if (g->nparts == 1)
        return n == first->n && memcmp(s, first->s, n) == 0;
    if (n < first->n + last->n || memcmp(s, first->s, first->n) != 0 ||
        memcmp(s + n - last->n, last->s, last->n) != 0)
        return false;
    size_t pos = first->n, end = n - last->n;
    for (uint32_t i = 1; i + 1 < g->nparts; i++) {
        const ch_glob_part_t *p = &g->parts[i];
        if (p->n == 0)
            continue;
        const char *hit = memmem(s + pos, end - pos, p->s, p->n);
        if (hit == NULL)
            return false;
        pos = (size_t)(hit - s) + p->n;
    }
    return true;
}

/* ---- tests ---- */

static int
missing(const jp_prog_t *p, sx_arena_t *a, sx_err_t *err)
{
    return sx_err_set(err, a, ASL_E_RUNTIME,
                      "Invalid path '%s': The choice state's condition path references an "
                      "invalid value.",
                      jp_src(p));
}

static bool
cmp_holds(int cmp, int c)
{
    switch (cmp) {
    case CH_EQ:
        return c == 0;
    case CH_LT:
        return c < 0;
    case CH_GT:
        return c > 0;
    case CH_LE:
        return c <= 0;
    default:
        return c >= 0;
    }
}

static bool
is_type(int what, const val_t *v)
{
    switch (what) {
    case CH_IS_NULL:
        return val_type(v) == VAL_NULL;
    case CH_IS_NUMERIC:
        return val_type(v) == VAL_NUM;
    case CH_IS_STRING:
        return val_type(v) == VAL_STR;
    case CH_IS_BOOLEAN:
        return val_type(v) == VAL_BOOL;
    case CH_IS_TIMESTAMP:
        return val_type(v) == VAL_STR && sx_ts_valid(val_str_get(v), val_len(v));
    default: /* CH_IS_PRESENT: the caller handles it */
        return true;
    }
}

static bool
test_str(const asl_choice_t *r, const val_t *v, const val_t *rhs)
{
    const char *s = r->_lit.str.s;
    size_t n = r->_lit.str.n;

    if (rhs != NULL) {
        if (!val_is(rhs, VAL_STR))
            return false;
        s = val_str_get(rhs);
        n = val_len(rhs);
    }
    if (r->_cmp == CH_EQ)
        return val_len(v) == n && memcmp(val_str_get(v), s, n) == 0;
    return cmp_holds(r->_cmp, val_str_cmp_u16(val_str_get(v), val_len(v), s, n));
}

static bool
test_num(const asl_choice_t *r, double x, const val_t *rhs)
{
    double y = r->_lit.num;

    if (rhs != NULL) {
        if (!val_is(rhs, VAL_NUM))
            return false;
        y = val_num_get(rhs);
    }
    return cmp_holds(r->_cmp, x < y ? -1 : x > y ? 1 : 0);
}

static bool
test_ts(const asl_choice_t *r, const val_t *v, const val_t *rhs)
{
    sx_ts_t x, y = r->_lit.ts;

    if (sx_ts_parse(val_str_get(v), val_len(v), &x) != SX_OK)
        return false;
    if (rhs != NULL &&
        (!val_is(rhs, VAL_STR) || sx_ts_parse(val_str_get(rhs), val_len(rhs), &y) != SX_OK))
        return false;
    return cmp_holds(r->_cmp, sx_ts_cmp(&x, &y));
}

/* Compares v (the Variable's value) with the constant or rhs (the `...Path` operand's). */
static bool
test_value(const asl_choice_t *r, const val_t *v, const val_t *rhs)
{
    switch (r->_kind) {
    case CH_KIND_STR:
        return val_type(v) == VAL_STR && test_str(r, v, rhs);
    case CH_KIND_MATCH:
        return val_type(v) == VAL_STR &&
               asl_choice_glob_match(r->_lit.glob, val_str_get(v), val_len(v));
    case CH_KIND_NUM:
        return val_type(v) == VAL_NUM && test_num(r, val_num_get(v), rhs);
    case CH_KIND_BOOL:
        if (val_type(v) != VAL_BOOL || (rhs != NULL && !val_is(rhs, VAL_BOOL)))
            return false;
        return val_bool_get(v) == (rhs != NULL ? val_bool_get(rhs) : r->_lit.b);
    case CH_KIND_TS:
        return val_type(v) == VAL_STR && test_ts(r, v, rhs);
    default: /* CH_KIND_IS */
        return is_type(r->_cmp, v) == (r->_want != 0);
    }
}

static int
eval_test(const asl_choice_t *r, const jp_env_t *env, sx_arena_t *a, bool *matched, sx_err_t *err)
{
    const val_t *v = NULL, *rhs = NULL;
    const char *detail = NULL;
    int rc = jp_eval(r->_var, env, a, &v, &detail);

    if (r->_kind == CH_KIND_IS && r->_cmp == CH_IS_PRESENT) {
        bool present =
            rc == SX_OK && v != NULL && !(r->_indef && val_is(v, VAL_ARR) && val_len(v) == 0);
        *matched = present == (r->_want != 0);
        return SX_OK;
    }
    if (rc != SX_OK || v == NULL)
        return missing(r->_var, a, err);
    if (r->_rhs != NULL) {
        rc = jp_eval(r->_rhs, env, a, &rhs, &detail);
        if (rc != SX_OK || rhs == NULL)
            return missing(r->_rhs, a, err);
    }
    *matched = test_value(r, v, rhs);
    return SX_OK;
}

/* ---- rules ---- */

int
asl_choice_eval(const asl_choice_t *rule, const jp_env_t *env, sx_arena_t *a, bool *matched,
                sx_err_t *err)
{
    bool m = false;

    switch ((asl_choice_op_t)rule->_op) {
    case ASL_CHOICE_TEST:
        return eval_test(rule, env, a, matched, err);
    case ASL_CHOICE_NOT:
        if (asl_choice_eval(rule->_kids[0], env, a, &m, err) != SX_OK)
            return SX_ERR;
        *matched = !m;
        return SX_OK;
    case ASL_CHOICE_AND:
    case ASL_CHOICE_OR: {
        bool want = rule->_op == ASL_CHOICE_OR; /* the value that decides early */
        for (uint32_t i = 0; i < rule->_nkids; i++) {
            if (asl_choice_eval(rule->_kids[i], env, a, &m, err) != SX_OK)
                return SX_ERR;
            if (m == want) {
                *matched = want;
                return SX_OK;
            }
        }
        *matched = !want;
        return SX_OK;
    }
    default: /* ASL_CHOICE_CONDITION: the engine evaluates JSONata conditions */
        return SX_DECLINED;
    }
}

int
asl_choice_select(const asl_choice_t *const *rules, size_t n, const jp_env_t *env, sx_arena_t *a,
                  int *index, sx_err_t *err)
{
    for (size_t i = 0; i < n; i++) {
        bool m = false;
        int rc = asl_choice_eval(rules[i], env, a, &m, err);
        if (rc != SX_OK)
            return rc;
        if (m) {
            *index = (int)i;
            return SX_OK;
        }
    }
    *index = -1;
    return SX_OK;
}
