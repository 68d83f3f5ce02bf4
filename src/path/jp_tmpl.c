/*
 * jp_tmpl.c: `key.$` expressions and payload templates (Parameters, ResultSelector,
 * ItemSelector, BatchInput, Assign).
 *
 * A template compiles to a tree that keeps only what varies:
 *
 *   {"a": 1, "b": {"c.$": "$.x", "d": [1, 2]}, "e": [{"f.$": "$$.Map.Item.Value"}]}
 *
 *   OBJ[a, b, e] -- a: LIT 1 (shared)
 *                -- b: OBJ[c, d] -- c: EXPR $.x ("c.$")
 *                                -- d: LIT [1,2] (shared)
 *                -- e: ARR[1]    -- OBJ[f] -- f: EXPR $$.Map.Item.Value ("f.$")
 *
 * Subtrees without a `.$` key are literals shared as they are (never copied). Keys are
 * renamed (".$" dropped) and checked for duplicates at compile time; each OBJ node keeps its
 * output key values and, for objects large enough to be indexed, the hash index every output
 * object will share (positions never change), so evaluation neither parses nor hashes: it
 * fills a member vector and evaluates the expressions. `.$` keys inside objects that are array
 * elements are evaluated too; strings in arrays are always literal.
 */
#include <stdio.h>
#include <string.h>

#include "intrinsic/ifn_int.h"
#include "path/jp_int.h"

struct jp_expr {
    const char *src;        /* text as written */
    const jp_prog_t *path;  /* a path, or NULL */
    const ifn_call_t *call; /* an intrinsic call, or NULL */
};

typedef enum tn_kind { TN_LIT = 0, TN_EXPR, TN_OBJ, TN_ARR } tn_kind_t;

typedef struct tnode tnode_t;
struct tnode {
    uint8_t kind;             /* tn_kind_t */
    uint32_t n;               /* OBJ: members; ARR: items */
    const val_t *lit;         /* LIT: the shared value */
    const jp_expr_t *expr;    /* EXPR */
    const char *field;        /* EXPR: the key as written ("x.$") */
    const val_t *const *keys; /* OBJ: output keys */
    const tnode_t *kids;      /* OBJ/ARR: children */
    const uint32_t *index;    /* OBJ: shared hash index, or NULL */
};

struct jp_tmpl {
    tnode_t root; /* the tree */
};

static const char ERR_FIELD[] =
    "The value for the field '%s' must be a valid JSONPath or a valid intrinsic function call";

/* ---- expressions ---- */

int
jp_path_fail(const jp_prog_t *p, const char *field, const jp_env_t *env, sx_arena_t *a,
             sx_err_t *err)
{
    const val_t *data = p->root == JP_ROOT_CONTEXT ? env->context : env->input;
    if (p->root == JP_ROOT_VAR) {
        const val_t *v = jp_root_value(p, env);
        if (v != NULL)
            data = v;
    }
    return sx_err_set(err, a, ASL_E_RUNTIME,
                      "The JSONPath '%s' specified for the field '%s' could not be found in "
                      "the input '%s'",
                      p->src, field, data ? val_json_str(a, data, NULL) : "null");
}

int
jp_expr_compile(sx_arena_t *a, const char *src, size_t n, const jp_expr_t **out, char *err,
                size_t errlen)
{
    jp_expr_t *e = sx_arena_calloc(a, sizeof(*e));
    char sub[256];
    int rc;
    if (n > 0 && src[0] == '$')
        rc = jp_compile(a, src, n, 0, &e->path, sub, sizeof(sub));
    else
        rc = ifn_compile(a, src, n, &e->call, sub, sizeof(sub));
    if (rc != SX_OK) {
        snprintf(err, errlen, "'%.*s' is not a valid JSONPath or intrinsic function call: %s",
                 (int)(n > 200 ? 200 : n), src, sub);
        return SX_ERR;
    }
    e->src = sx_arena_strndup(a, src, n);
    *out = e;
    return SX_OK;
}

int
jp_expr_eval(const jp_expr_t *e, const char *field, const jp_env_t *env, sx_arena_t *a,
             const val_t **out, sx_err_t *err)
{
    if (SX_LIKELY(e->path != NULL)) {
        if (SX_LIKELY(jp_eval(e->path, env, a, out, NULL) == SX_OK))
            return SX_OK;
        return jp_path_fail(e->path, field, env, a, err);
    }
    return ifn_eval(e->call, field, env, a, out, err);
}

bool
jp_expr_is_intrinsic(const jp_expr_t *e)
{
    return e->call != NULL;
}

const char *
jp_expr_src(const jp_expr_t *e)
{
    return e->src;
}

/* ---- templates: compile ---- */

typedef struct tctx {
    sx_arena_t *a;   /* output arena */
    sx_sbuf_t where; /* JSON pointer of the node being compiled */
    char *err;       /* message */
    size_t errlen;   /* its size */
} tctx_t;

static void
where_push(sx_sbuf_t *w, const char *s, size_t n)
{
    sx_sbuf_addc(w, '/');
    for (size_t k = 0; k < n; k++) {
        if (s[k] == '~')
            sx_sbuf_adds(w, "~0");
        else if (s[k] == '/')
            sx_sbuf_adds(w, "~1");
        else
            sx_sbuf_addc(w, s[k]);
    }
}

static bool
is_dollar_key(const val_t *key)
{
    size_t n = val_len(key);
    return n >= 2 && memcmp(val_str_get(key) + n - 2, ".$", 2) == 0;
}

static int tnode_compile(tctx_t *c, const val_t *v, tnode_t *out);

static int
expr_member(tctx_t *c, const val_member_t *m, tnode_t *kid)
{
    const char *key = val_str_get(m->key);
    char sub[300];
    if (!val_is(m->val, VAL_STR) || jp_expr_compile(c->a, val_str_get(m->val), val_len(m->val),
                                                    &kid->expr, sub, sizeof(sub)) != SX_OK) {
        snprintf(c->err, c->errlen, ERR_FIELD, key);
        return SX_ERR;
    }
    kid->kind = TN_EXPR;
    kid->field = key;
    return SX_OK;
}

static int
obj_compile(tctx_t *c, const val_t *v, tnode_t *out)
{
    uint32_t n = (uint32_t)val_len(v);
    tnode_t *kids = sx_arena_calloc(c->a, n * sizeof(*kids));
    const val_t **keys = sx_arena_alloc(c->a, n * sizeof(*keys));
    bool dynamic = false;
    for (uint32_t k = 0; k < n; k++) {
        const val_member_t *m = val_obj_at(v, k);
        size_t mark = c->where.len;
        where_push(&c->where, val_str_get(m->key), val_len(m->key));
        int rc;
        if (is_dollar_key(m->key)) {
            keys[k] = val_str(c->a, val_str_get(m->key), val_len(m->key) - 2);
            rc = expr_member(c, m, &kids[k]);
        } else {
            keys[k] = m->key;
            rc = tnode_compile(c, m->val, &kids[k]);
        }
        if (rc != SX_OK)
            return SX_ERR;
        for (uint32_t j = 0; j < k; j++) {
            if (val_len(keys[j]) == val_len(keys[k]) &&
                memcmp(val_str_get(keys[j]), val_str_get(keys[k]), val_len(keys[k])) == 0) {
                snprintf(c->err, c->errlen, "The field '%s' is defined more than once",
                         val_str_get(keys[k]));
                return SX_ERR;
            }
        }
        dynamic |= kids[k].kind != TN_LIT;
        c->where.len = mark;
        c->where.p[mark] = '\0';
    }
    if (!dynamic) {
        out->kind = TN_LIT;
        out->lit = v;
        return SX_OK;
    }
    out->kind = TN_OBJ;
    out->n = n;
    out->keys = keys;
    out->kids = kids;
    if (n > VAL_OBJ_INDEX_MIN) {
        val_objb_t b;
        val_objb_init(&b, c->a, n);
        for (uint32_t k = 0; k < n; k++)
            val_objb_add(&b, keys[k], val_null());
        out->index = val_objb_done(&b)->u.obj.index;
    }
    return SX_OK;
}

static int
arr_compile(tctx_t *c, const val_t *v, tnode_t *out)
{
    uint32_t n = (uint32_t)val_len(v);
    tnode_t *kids = sx_arena_calloc(c->a, n * sizeof(*kids));
    bool dynamic = false;
    for (uint32_t k = 0; k < n; k++) {
        size_t mark = c->where.len;
        sx_sbuf_addf(&c->where, "/%u", k);
        if (tnode_compile(c, val_arr_at(v, k), &kids[k]) != SX_OK)
            return SX_ERR;
        dynamic |= kids[k].kind != TN_LIT;
        c->where.len = mark;
        c->where.p[mark] = '\0';
    }
    if (!dynamic) {
        out->kind = TN_LIT;
        out->lit = v;
        return SX_OK;
    }
    out->kind = TN_ARR;
    out->n = n;
    out->kids = kids;
    return SX_OK;
}

static int
tnode_compile(tctx_t *c, const val_t *v, tnode_t *out)
{
    if (val_is(v, VAL_OBJ) && val_len(v) > 0)
        return obj_compile(c, v, out);
    if (val_is(v, VAL_ARR) && val_len(v) > 0)
        return arr_compile(c, v, out);
    out->kind = TN_LIT;
    out->lit = v;
    return SX_OK;
}

int
jp_tmpl_compile(sx_arena_t *a, const val_t *tmpl, const jp_tmpl_t **out, char *err, size_t errlen,
                char *where, size_t wherelen)
{
    tctx_t c = {.a = a, .err = err, .errlen = errlen};
    jp_tmpl_t *t = sx_arena_calloc(a, sizeof(*t));
    sx_sbuf_addc(&c.where, '\0'); /* keep where.p non-NULL */
    c.where.len = 0;
    int rc = tnode_compile(&c, tmpl, &t->root);
    if (rc != SX_OK && where != NULL && wherelen > 0)
        snprintf(where, wherelen, "%s", c.where.p);
    else if (where != NULL && wherelen > 0)
        where[0] = '\0';
    sx_sbuf_fini(&c.where);
    if (rc == SX_OK)
        *out = t;
    return rc;
}

/* ---- templates: evaluate ---- */

static int
tnode_eval(const tnode_t *t, const jp_env_t *env, sx_arena_t *a, const val_t **out, sx_err_t *err)
{
    switch ((tn_kind_t)t->kind) {
    case TN_LIT:
        *out = t->lit;
        return SX_OK;
    case TN_EXPR:
        return jp_expr_eval(t->expr, t->field, env, a, out, err);
    case TN_OBJ: {
        val_member_t *m = sx_arena_alloc(a, t->n * sizeof(*m));
        for (uint32_t k = 0; k < t->n; k++) {
            m[k].key = t->keys[k];
            if (tnode_eval(&t->kids[k], env, a, &m[k].val, err) != SX_OK)
                return SX_ERR;
        }
        val_t *o = sx_arena_alloc(a, sizeof(*o));
        memset(o, 0, sizeof(*o));
        o->type = VAL_OBJ;
        o->len = t->n;
        o->u.obj.m = m;
        o->u.obj.index = t->index;
        *out = o;
        return SX_OK;
    }
    case TN_ARR: {
        const val_t **items = sx_arena_alloc(a, t->n * sizeof(*items));
        for (uint32_t k = 0; k < t->n; k++)
            if (tnode_eval(&t->kids[k], env, a, &items[k], err) != SX_OK)
                return SX_ERR;
        val_t *arr = sx_arena_alloc(a, sizeof(*arr));
        memset(arr, 0, sizeof(*arr));
        arr->type = VAL_ARR;
        arr->len = t->n;
        arr->u.items = items;
        *out = arr;
        return SX_OK;
    }
    }
    return SX_ERR;
}

int
jp_tmpl_eval(const jp_tmpl_t *t, const jp_env_t *env, sx_arena_t *a, const val_t **out,
             sx_err_t *err)
{
    return tnode_eval(&t->root, env, a, out, err);
}
