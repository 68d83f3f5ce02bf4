/*
 * jp_assign.c: ResultPath, i.e. "the input with the node that a Reference Path names set to
 * the result".
 *
 * The new tree shares everything off the path with the old one: each object on the path is
 * rebuilt with val_obj_with (its members are shared, its hash index too when the key already
 * existed) and each array on the path gets a new item vector pointing at the old items. No
 * value is ever deep-copied. Missing objects on the path are created ({}); an existing
 * non-object where a name is needed, or an array index that does not exist, is an error
 * (States.ResultPathMatchFailure for the engine).
 */
#include <string.h>

#include "path/jp_int.h"

typedef struct actx {
    const jp_prog_t *p; /* reference path */
    const val_t *v;     /* value to place */
    sx_arena_t *a;      /* result arena */
} actx_t;

static int
assign_at(const actx_t *c, uint32_t i, const val_t *node, const val_t **out)
{
    if (i == c->p->nsteps) {
        *out = c->v;
        return SX_OK;
    }
    const jp_step_t *st = &c->p->steps[i];
    const val_t *child, *nchild;
    if (st->op == JP_OP_NAME) {
        if (node == NULL)
            node = val_obj_empty(); /* create the missing intermediate object */
        if (!val_is(node, VAL_OBJ))
            return SX_ERR;
        child = val_obj_geth(node, st->u.name.s, st->u.name.len, st->u.name.hash);
        if (assign_at(c, i + 1, child, &nchild) != SX_OK)
            return SX_ERR;
        *out = val_obj_with(c->a, node, st->u.name.key, nchild);
        return SX_OK;
    }
    if (st->op == JP_OP_INDEX && val_is(node, VAL_ARR)) {
        int64_t ix = st->u.index < 0 ? st->u.index + (int64_t)val_len(node) : st->u.index;
        if (ix < 0 || (uint64_t)ix >= val_len(node))
            return SX_ERR;
        if (assign_at(c, i + 1, val_arr_at(node, (size_t)ix), &nchild) != SX_OK)
            return SX_ERR;
        const val_t **items = sx_arena_alloc(c->a, val_len(node) * sizeof(*items));
        memcpy(items, node->u.items, val_len(node) * sizeof(*items));
        items[ix] = nchild;
        val_t *arr = sx_arena_alloc(c->a, sizeof(*arr));
        *arr = *node;
        arr->u.items = items;
        *out = arr;
        return SX_OK;
    }
    return SX_ERR;
}

int
jp_assign(const jp_prog_t *p, const val_t *root, const val_t *v, sx_arena_t *a, const val_t **out,
          const char **detail)
{
    actx_t c = {.p = p, .v = v, .a = a};
    if (p->root != JP_ROOT_INPUT || !p->reference) {
        if (detail != NULL)
            *detail = sx_arena_printf(a, NULL, "Invalid ReferencePath %s for a ResultPath", p->src);
        return SX_ERR;
    }
    if (p->nsteps == 0) {
        *out = v;
        return SX_OK;
    }
    if (root != NULL && assign_at(&c, 0, root, out) == SX_OK)
        return SX_OK;
    if (detail != NULL)
        *detail = sx_arena_printf(a, NULL, "Unable to apply ReferencePath %s to input %s", p->src,
                                  root ? val_json_str(a, root, NULL) : "null");
    return SX_ERR;
}
