/*
 * jna_ops.c: operators, array/object constructors, grouping, order-by and transforms
 * (jsonata-js evaluateBinary/Unary, evaluateGroupExpression, evaluateSortExpression,
 * evaluateTransformExpression).
 *
 * Undefined propagation follows the reference: arithmetic -> undefined (after type checks),
 * = and != -> false, ordering -> undefined, & -> "", and/or -> false, `in` -> false.
 * Transforms deep-copy their input ($clone) into fresh containers marked JNA_F_MUT; only
 * such containers are ever updated in place, so shared values are never written.
 */
#include <math.h>

#include "jna_int.h"
#include "jna_lib_int.h"

#define JNA_F_MUT (1u << 5) /* container built by jna_clone_json: may be updated in place */

static int
efail(jna_ev_t *ev, const char *code, int pos, const char *tok, const val_t *v, const val_t *v2)
{
    return jna_fail(ev->a, ev->err, code, pos, tok, v, v2);
}

/* JS isNumeric with the D1001 check. 1 = number, 0 = not, -1 = error. */
static int
numeric(jna_ev_t *ev, const val_t *v, const jna_node_t *e)
{
    if (!val_is(v, VAL_NUM) || isnan(v->u.num.d))
        return 0;
    if (!isfinite(v->u.num.d))
        return efail(ev, "D1001", e->position, e->op, v, NULL) == SX_ERR ? -1 : -1;
    return 1;
}

static int
arith(jna_ev_t *ev, const jna_node_t *e, const val_t *l, const val_t *r, const val_t **out)
{
    int k;
    double x, y, z;
    if (l != NULL && (k = numeric(ev, l, e)) != 1)
        return k < 0 ? SX_ERR : efail(ev, "T2001", e->position, e->op, l, NULL);
    if (r != NULL && (k = numeric(ev, r, e)) != 1)
        return k < 0 ? SX_ERR : efail(ev, "T2002", e->position, e->op, r, NULL);
    if (l == NULL || r == NULL) {
        *out = NULL;
        return SX_OK;
    }
    x = l->u.num.d;
    y = r->u.num.d;
    switch (e->op[0]) {
    case '+':
        z = x + y;
        break;
    case '-':
        z = x - y;
        break;
    case '*':
        z = x * y;
        break;
    case '/':
        z = x / y;
        break;
    default:
        z = fmod(x, y);
        break;
    }
    *out = val_num(ev->a, z);
    return SX_OK;
}

static bool
comparable(const val_t *v)
{
    return v == NULL || v->type == VAL_STR || v->type == VAL_NUM;
}

static int
compare(jna_ev_t *ev, const jna_node_t *e, const val_t *l, const val_t *r, const val_t **out)
{
    int c;
    *out = NULL;
    if (!comparable(l) || !comparable(r)) {
        bool lok = l != NULL && (l->type == VAL_STR || l->type == VAL_NUM);
        return efail(ev, "T2010", e->position, e->op, lok ? r : l, NULL);
    }
    if (l == NULL || r == NULL)
        return SX_OK;
    if (l->type != r->type)
        return efail(ev, "T2009", e->position, e->op, l, r);
    if (l->type == VAL_NUM) {
        double x = l->u.num.d, y = r->u.num.d;
        bool res = false;
        if (strcmp(e->op, "<") == 0)
            res = x < y;
        else if (strcmp(e->op, "<=") == 0)
            res = x <= y;
        else if (strcmp(e->op, ">") == 0)
            res = x > y;
        else
            res = x >= y;
        *out = val_bool(res);
        return SX_OK;
    }
    c = val_str_cmp_u16(l->u.str, l->len, r->u.str, r->len);
    if (strcmp(e->op, "<") == 0)
        *out = val_bool(c < 0);
    else if (strcmp(e->op, "<=") == 0)
        *out = val_bool(c <= 0);
    else if (strcmp(e->op, ">") == 0)
        *out = val_bool(c > 0);
    else
        *out = val_bool(c >= 0);
    return SX_OK;
}

int
jna_to_string(jna_ev_t *ev, const val_t *v, const char **s, size_t *n)
{
    char buf[VAL_NUM_BUF];
    if (v == NULL || jna_is_func(v)) {
        *s = "";
        *n = 0;
        return SX_OK;
    }
    if (v->type == VAL_STR) {
        *s = v->u.str;
        *n = v->len;
        return SX_OK;
    }
    if (v->type == VAL_NUM) {
        double d = v->u.num.d;
        if (!isfinite(d)) {
            jna_fail(ev->a, ev->err, "D3001", -1, NULL, v, NULL);
            ev->err->message = "Attempting to invoke string function on Infinity or NaN";
            return SX_ERR;
        }
        d = jna_num_str_round(d, ev->opts != NULL && ev->opts->aws);
        *n = isfinite(d) ? val_num_fmt(d, buf) : (size_t)snprintf(buf, sizeof(buf), "null");
        *s = sx_arena_strndup(ev->a, buf, *n);
        return SX_OK;
    }
    jna_fctx_t c;
    sx_sbuf_t b = SX_SBUF_INIT;
    jna_fctx_init(ev, &c, NULL, -1, NULL);
    if (jna_json_stringify(&c, &b, v, 0) != SX_OK) {
        sx_sbuf_fini(&b);
        return SX_ERR;
    }
    *s = sx_arena_strndup(ev->a, b.p ? b.p : "", b.len);
    *n = b.len;
    sx_sbuf_fini(&b);
    return SX_OK;
}

static int
concat(jna_ev_t *ev, const val_t *l, const val_t *r, const val_t **out)
{
    const char *ls, *rs;
    size_t ln, rn;
    if (jna_to_string(ev, l, &ls, &ln) != SX_OK || jna_to_string(ev, r, &rs, &rn) != SX_OK)
        return SX_ERR;
    char *s = sx_arena_alloc(ev->a, ln + rn + 1);
    memcpy(s, ls, ln);
    memcpy(s + ln, rs, rn);
    s[ln + rn] = 0;
    *out = val_str_nocopy(ev->a, s, ln + rn);
    return SX_OK;
}

static bool
is_integer(const val_t *v)
{
    return val_is(v, VAL_NUM) && isfinite(v->u.num.d) && v->u.num.d == floor(v->u.num.d);
}

static int
range(jna_ev_t *ev, const jna_node_t *e, const val_t *l, const val_t *r, const val_t **out)
{
    *out = NULL;
    if (l != NULL && !is_integer(l))
        return efail(ev, "T2003", e->position, e->op, l, NULL);
    if (r != NULL && !is_integer(r))
        return efail(ev, "T2004", e->position, e->op, r, NULL);
    if (l == NULL || r == NULL || l->u.num.d > r->u.num.d)
        return SX_OK;
    double lo = l->u.num.d, size = r->u.num.d - lo + 1;
    if (size > 1e7)
        return efail(ev, "D2014", e->position, e->op, val_num(ev->a, size), NULL);
    size_t n = (size_t)size;
    val_t *nums = sx_arena_alloc(ev->a, n * sizeof(val_t));
    const val_t **items = sx_arena_alloc(ev->a, n * sizeof(*items));
    for (size_t i = 0; i < n; i++) {
        double d = lo + (double)i;
        nums[i] = (val_t){.type = VAL_NUM,
                          .flags = fabs(d) <= 9007199254740992.0 ? VAL_F_INT : 0,
                          .u.num = {d, NULL}};
        items[i] = &nums[i];
    }
    val_t *s = sx_arena_alloc(ev->a, sizeof(*s));
    *s = (val_t){.type = VAL_ARR, .flags = VAL_F_SEQ, .len = (uint32_t)n, .u.items = items};
    *out = s;
    return SX_OK;
}

static bool
strict_eq(const val_t *a, const val_t *b)
{
    if (a == b)
        return true;
    if (a->type != b->type)
        return false;
    switch (a->type) {
    case VAL_NULL:
        return true;
    case VAL_BOOL:
        return val_bool_get(a) == val_bool_get(b);
    case VAL_NUM:
        return a->u.num.d == b->u.num.d;
    case VAL_STR:
        return a->len == b->len && memcmp(a->u.str, b->u.str, a->len) == 0;
    case VAL_FUNC:
        return a->u.func.fn == b->u.func.fn && a->u.func.aux == b->u.func.aux;
    default:
        return false;
    }
}

static const val_t *
includes(const val_t *l, const val_t *r)
{
    if (l == NULL || r == NULL)
        return val_false();
    if (r->type != VAL_ARR)
        return val_bool(strict_eq(r, l));
    for (uint32_t i = 0; i < r->len; i++)
        if (r->u.items[i] != NULL && strict_eq(r->u.items[i], l))
            return val_true();
    return val_false();
}

static bool
deep_equal(const val_t *a, const val_t *b)
{
    if (a->type == VAL_NUM && b->type == VAL_NUM)
        return a->u.num.d == b->u.num.d;
    return val_equal(a, b);
}

int
jna_eval_binary(jna_ev_t *ev, const jna_node_t *e, const val_t *input, jna_env_t *env,
                const val_t **out)
{
    const val_t *l, *r;
    const char *op = e->op;
    if (jna_evaluate(ev, e->lhs, input, env, &l) != SX_OK)
        return SX_ERR;
    if (strcmp(op, "and") == 0 || strcmp(op, "or") == 0) {
        bool lb, rb;
        if (jna_truth(ev, l, e->position, op, &lb) != SX_OK)
            return SX_ERR;
        if ((op[0] == 'a') != lb) {
            *out = val_bool(lb);
            return SX_OK;
        }
        if (jna_evaluate(ev, e->rhs, input, env, &r) != SX_OK ||
            jna_truth(ev, r, e->position, op, &rb) != SX_OK)
            return SX_ERR;
        *out = val_bool(rb);
        return SX_OK;
    }
    if (jna_evaluate(ev, e->rhs, input, env, &r) != SX_OK)
        return SX_ERR;
    switch (op[0]) {
    case '+':
    case '-':
    case '*':
    case '/':
    case '%':
        return arith(ev, e, l, r, out);
    case '=':
        *out = val_bool(l != NULL && r != NULL && deep_equal(l, r));
        return SX_OK;
    case '!':
        *out = val_bool(l != NULL && r != NULL && !deep_equal(l, r));
        return SX_OK;
    case '<':
    case '>':
        return compare(ev, e, l, r, out);
    case '&':
        return concat(ev, l, r, out);
    case '.':
        return range(ev, e, l, r, out);
    case 'i':
        *out = includes(l, r);
        return SX_OK;
    default:
        *out = NULL;
        return SX_OK;
    }
}

static int
array_cons(jna_ev_t *ev, const jna_node_t *e, const val_t *input, jna_env_t *env,
           const val_t **out)
{
    val_arrb_t b;
    val_arrb_init(&b, ev->a, (size_t)e->items.n);
    for (int i = 0; i < e->items.n; i++) {
        const jna_node_t *item = e->items.v[i];
        const val_t *v;
        if (jna_evaluate(ev, item, input, env, &v) != SX_OK)
            return SX_ERR;
        if (v == NULL)
            continue;
        if ((item->type == JN_UNARY && strcmp(item->op, "[") == 0) || v->type != VAL_ARR) {
            val_arrb_push(&b, v);
        } else {
            for (uint32_t k = 0; k < v->len; k++)
                if (v->u.items[k] != NULL)
                    val_arrb_push(&b, v->u.items[k]);
        }
    }
    *out = val_arrb_done(&b, e->cons_array ? VAL_F_CONS : 0);
    return SX_OK;
}

int
jna_eval_unary(jna_ev_t *ev, const jna_node_t *e, const val_t *input, jna_env_t *env,
               const val_t **out)
{
    const val_t *v;
    *out = NULL;
    if (e->op[0] == '[')
        return array_cons(ev, e, input, env, out);
    if (e->op[0] == '{')
        return jna_eval_group(ev, &e->pairs, e->position, input, env, out);
    if (jna_evaluate(ev, e->expr, input, env, &v) != SX_OK)
        return SX_ERR;
    if (v == NULL)
        return SX_OK;
    if (val_is(v, VAL_NUM) && !isnan(v->u.num.d)) {
        if (!isfinite(v->u.num.d))
            return efail(ev, "D1001", e->position, "-", v, NULL);
        *out = val_num(ev->a, -v->u.num.d);
        return SX_OK;
    }
    return efail(ev, "D1002", e->position, "-", v, NULL);
}

/* ---- grouping ---- */

typedef struct group {
    const val_t *key;
    const val_t *data;
    int expr;
} group_t;

/* reduceTupleStream: merges the tuples of a group, appending values of the same name. */
static jna_tuple_t *
reduce_tuples(jna_ev_t *ev, const val_t *data)
{
    if (data->type != VAL_ARR)
        return jna_tuple_of(data);
    const jna_tuple_t *first = jna_tuple_of(data->u.items[0]);
    jna_tuple_t *r = jna_tuple_new(ev->a, first->at, first->n + 2);
    memcpy(r->b, first->b, first->n * sizeof(jna_bind_t));
    r->n = first->n;
    for (uint32_t i = 1; i < data->len; i++) {
        const jna_tuple_t *t = jna_tuple_of(data->u.items[i]);
        r->at = jna_append(ev->a, r->at, t->at);
        for (uint32_t k = 0; k < t->n; k++) {
            const val_t *old = NULL;
            for (uint32_t j = 0; j < r->n; j++)
                if (r->b[j].len == t->b[k].len && memcmp(r->b[j].name, t->b[k].name, t->b[k].len) == 0)
                    old = r->b[j].v;
            jna_tuple_set(ev->a, r, t->b[k].name, t->b[k].len, jna_append(ev->a, old, t->b[k].v));
        }
    }
    return r;
}

/* jsonata-js 2.2 marks its function objects with these keys, so it rejects them (D1013). */
static bool
reserved_key(const val_t *key)
{
    return (key->len == 15 && memcmp(key->u.str, "_jsonata_lambda", 15) == 0) ||
           (key->len == 17 && memcmp(key->u.str, "_jsonata_function", 17) == 0);
}

static int
group_collect(jna_ev_t *ev, const jna_nvec_t *pairs, int position, const val_t *item,
              bool reduce, jna_env_t *env, group_t **gs, int *ng, int *cap, val_objb_t *idx)
{
    jna_env_t *e = reduce ? jna_env_from_tuple(ev->a, env, jna_tuple_of(item)) : env;
    const val_t *ctx = reduce ? jna_tuple_of(item)->at : item;
    for (int p = 0; p < pairs->n / 2; p++) {
        const val_t *key;
        if (jna_evaluate(ev, pairs->v[2 * p], ctx, e, &key) != SX_OK)
            return SX_ERR;
        if (key == NULL)
            continue;
        if (key->type != VAL_STR)
            return efail(ev, "T1003", position, NULL, key, NULL);
        if (!(ev->opts != NULL && ev->opts->aws) && reserved_key(key)) /* 2.2 only */
            return efail(ev, "D1013", position, NULL, key, NULL);
        const val_t *at = val_objb_get(idx, key->u.str, key->len);
        if (at != NULL) {
            group_t *g = &(*gs)[(int)at->u.num.d];
            if (g->expr != p)
                return efail(ev, "D1009", position, NULL, key, NULL);
            g->data = jna_append(ev->a, g->data, item);
            continue;
        }
        if (*ng == *cap) {
            group_t *n = sx_arena_alloc(ev->a, (size_t)*cap * 2 * sizeof(*n));
            memcpy(n, *gs, (size_t)*ng * sizeof(*n));
            *gs = n;
            *cap *= 2;
        }
        (*gs)[*ng] = (group_t){key, item, p};
        val_objb_add(idx, key, val_num(ev->a, *ng));
        (*ng)++;
    }
    return SX_OK;
}

int
jna_eval_group(jna_ev_t *ev, const jna_nvec_t *pairs, int position, const val_t *input,
               jna_env_t *env, const val_t **out)
{
    bool reduce = jna_is_tuples(input);
    const val_t *one = input;
    const val_t *const *items = &one;
    size_t n = 1;
    int ng = 0, cap = 8;
    group_t *gs = sx_arena_alloc(ev->a, (size_t)cap * sizeof(*gs));
    val_objb_t idx, res;

    if (input != NULL && input->type == VAL_ARR) {
        items = input->u.items;
        n = input->len;
        if (n == 0) {
            items = &one;
            one = NULL;
            n = 1;
        }
    }
    val_objb_init(&idx, ev->a, 8);
    for (size_t i = 0; i < n; i++)
        if (group_collect(ev, pairs, position, items[i], reduce && items[i] != NULL, env, &gs,
                          &ng, &cap, &idx) != SX_OK)
            return SX_ERR;
    val_objb_init(&res, ev->a, (size_t)ng);
    for (int g = 0; g < ng; g++) {
        const val_t *ctx = gs[g].data, *v;
        jna_env_t *e = env;
        if (reduce && ctx != NULL) {
            jna_tuple_t *t = reduce_tuples(ev, ctx);
            ctx = t->at;
            e = jna_env_from_tuple(ev->a, env, t);
        }
        if (jna_evaluate(ev, pairs->v[2 * gs[g].expr + 1], ctx, e, &v) != SX_OK)
            return SX_ERR;
        if (v != NULL)
            val_objb_add(&res, gs[g].key, v);
    }
    *out = val_objb_done(&res);
    return SX_OK;
}

/* ---- order-by ---- */

typedef struct sortctx {
    jna_ev_t *ev;
    const jna_node_t *e;
    const val_t **keys; /* n * nterms */
    int nterms;
    int rc;
} sortctx_t;

/* True when item a must go after item b (the reference's comparator). */
static bool
sort_after(sortctx_t *s, uint32_t ia, uint32_t ib)
{
    int comp = 0;
    for (int t = 0; comp == 0 && t < s->nterms; t++) {
        const val_t *aa = s->keys[ia * (uint32_t)s->nterms + (uint32_t)t];
        const val_t *bb = s->keys[ib * (uint32_t)s->nterms + (uint32_t)t];
        if (aa == NULL) {
            comp = bb == NULL ? 0 : 1;
            continue;
        }
        if (bb == NULL) {
            comp = -1;
            continue;
        }
        bool aok = aa->type == VAL_STR || aa->type == VAL_NUM;
        bool bok = bb->type == VAL_STR || bb->type == VAL_NUM;
        if (!aok || !bok) {
            s->rc = efail(s->ev, "T2008", s->e->position, NULL, aok ? bb : aa, NULL);
            return false;
        }
        if (aa->type != bb->type) {
            s->rc = efail(s->ev, "T2007", s->e->position, NULL, aa, bb);
            return false;
        }
        int c;
        if (aa->type == VAL_NUM)
            c = aa->u.num.d == bb->u.num.d ? 0 : (aa->u.num.d < bb->u.num.d ? -1 : 1);
        else
            c = val_str_cmp_u16(aa->u.str, aa->len, bb->u.str, bb->len);
        if (c == 0)
            continue;
        comp = c < 0 ? -1 : 1;
        if (s->e->terms[t].descending)
            comp = -comp;
    }
    return comp == 1;
}

static void
msort(sortctx_t *s, uint32_t *v, uint32_t *tmp, uint32_t n)
{
    if (n < 2 || s->rc != SX_OK)
        return;
    uint32_t mid = n / 2, i = 0, j = mid, k = 0;
    msort(s, v, tmp, mid);
    msort(s, v + mid, tmp, n - mid);
    while (i < mid && j < n && s->rc == SX_OK) {
        if (sort_after(s, v[i], v[j]))
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

int
jna_eval_sort(jna_ev_t *ev, const jna_node_t *e, const val_t *input, jna_env_t *env,
              const val_t **out)
{
    bool tuples = jna_is_tuples(input);
    sortctx_t s = {ev, e, NULL, e->nterms, SX_OK};
    *out = input;
    if (input == NULL || input->type != VAL_ARR || input->len <= 1)
        return SX_OK;
    uint32_t n = input->len;
    s.keys = sx_arena_alloc(ev->a, (size_t)n * (size_t)e->nterms * sizeof(*s.keys));
    for (uint32_t i = 0; i < n; i++) {
        const val_t *ctx = input->u.items[i];
        jna_env_t *env2 = env;
        if (tuples) {
            ctx = jna_tuple_of(input->u.items[i])->at;
            env2 = jna_env_from_tuple(ev->a, env, jna_tuple_of(input->u.items[i]));
        }
        for (int t = 0; t < e->nterms; t++)
            if (jna_evaluate(ev, e->terms[t].expr, ctx, env2,
                             &s.keys[i * (uint32_t)e->nterms + (uint32_t)t]) != SX_OK)
                return SX_ERR;
    }
    uint32_t *ord = sx_arena_alloc(ev->a, n * sizeof(*ord) * 2);
    for (uint32_t i = 0; i < n; i++)
        ord[i] = i;
    msort(&s, ord, ord + n, n);
    if (s.rc != SX_OK)
        return SX_ERR;
    const val_t **items = sx_arena_alloc(ev->a, n * sizeof(*items));
    for (uint32_t i = 0; i < n; i++)
        items[i] = input->u.items[ord[i]];
    *out = val_arr(ev->a, items, n, tuples ? VAL_F_SEQ | VAL_F_TUPLE : 0);
    return SX_OK;
}

/* ---- transform ---- */

const val_t *
jna_clone_json(sx_arena_t *a, const val_t *v, bool aws)
{
    double d;
    if (v == NULL)
        return NULL;
    switch (v->type) {
    case VAL_NUM:
        d = isfinite(v->u.num.d) ? jna_num_str_round(v->u.num.d, aws) : NAN;
        if (!isfinite(d))
            return val_null();
        return d == v->u.num.d ? v : val_num(a, d);
    case VAL_FUNC:
        return val_str(a, "", 0);
    case VAL_ARR: {
        const val_t **items = sx_arena_alloc(a, (v->len ? v->len : 1) * sizeof(*items));
        uint32_t n = 0;
        for (uint32_t i = 0; i < v->len; i++)
            if (v->u.items[i] != NULL)
                items[n++] = jna_clone_json(a, v->u.items[i], aws);
        val_t *r = sx_arena_alloc(a, sizeof(*r));
        *r = (val_t){.type = VAL_ARR, .flags = JNA_F_MUT, .len = n, .u.items = items};
        return r;
    }
    case VAL_OBJ: {
        val_objb_t b;
        val_objb_init(&b, a, v->len);
        for (uint32_t i = 0; i < v->len; i++)
            val_objb_add(&b, v->u.obj.m[i].key, jna_clone_json(a, v->u.obj.m[i].val, aws));
        const val_t *o = val_objb_done(&b);
        val_t *r = sx_arena_alloc(a, sizeof(*r));
        *r = *o;
        r->flags |= JNA_F_MUT;
        return r;
    }
    default:
        return v;
    }
}

static void
replace_in_place(const val_t *m, const val_t *nw)
{
    val_t *w = (val_t *)(uintptr_t)m;
    *w = *nw;
    w->flags |= JNA_F_MUT;
}

static int
transform_match(jna_ev_t *ev, const jna_node_t *t, const val_t *m, jna_env_t *env)
{
    const val_t *upd, *del;
    if (jna_evaluate(ev, t->rhs, m, env, &upd) != SX_OK)
        return SX_ERR;
    if (upd != NULL) {
        if (upd->type != VAL_OBJ)
            return efail(ev, "T2011", t->rhs->position, NULL, upd, NULL);
        if (m != NULL && m->type == VAL_OBJ && (m->flags & JNA_F_MUT)) {
            const val_t *nw = m;
            for (uint32_t i = 0; i < upd->len; i++)
                nw = val_obj_with(ev->a, nw, upd->u.obj.m[i].key, upd->u.obj.m[i].val);
            replace_in_place(m, nw);
        }
    }
    if (t->expr == NULL)
        return SX_OK;
    if (jna_evaluate(ev, t->expr, m, env, &del) != SX_OK)
        return SX_ERR;
    if (del == NULL)
        return SX_OK;
    const val_t *list = del->type == VAL_ARR ? del : jna_seq1(ev->a, del);
    for (uint32_t i = 0; i < list->len; i++)
        if (!val_is(list->u.items[i], VAL_STR))
            return efail(ev, "T2012", t->expr->position, NULL, del, NULL);
    if (m != NULL && m->type == VAL_OBJ && (m->flags & JNA_F_MUT)) {
        const val_t *nw = m;
        for (uint32_t i = 0; i < list->len; i++)
            nw = val_obj_without(ev->a, nw, list->u.items[i]->u.str, list->u.items[i]->len);
        if (nw != m)
            replace_in_place(m, nw->len ? nw : val_obj_empty());
    }
    return SX_OK;
}

int
jna_transform_apply(jna_ev_t *ev, const jna_fn_t *f, const val_t *obj, const val_t **out)
{
    const jna_node_t *t = f->tnode;
    const val_t *clonefn, *result, *matches;
    *out = NULL;
    if (obj == NULL)
        return SX_OK;
    clonefn = jna_env_lookup(ev, f->env, "clone", 5, NULL);
    if (!jna_is_func(clonefn))
        return efail(ev, "T2013", t->position, NULL, NULL, NULL);
    if (clonefn->u.func.aux == jna_k_builtin) {
        result = jna_clone_json(ev->a, obj, ev->opts != NULL && ev->opts->aws);
    } else {
        if (jna_apply(ev, clonefn, &obj, 1, val_null(), f->env, &result) != SX_OK)
            return SX_ERR;
        result = jna_clone_json(ev->a, result, ev->opts != NULL && ev->opts->aws);
    }
    if (jna_evaluate(ev, t->lhs, result, f->env, &matches) != SX_OK)
        return SX_ERR;
    if (matches != NULL) {
        const val_t *list = matches->type == VAL_ARR ? matches : jna_seq1(ev->a, matches);
        for (uint32_t i = 0; i < list->len; i++)
            if (transform_match(ev, t, list->u.items[i], f->env) != SX_OK)
                return SX_ERR;
    }
    *out = result;
    return SX_OK;
}
