/*
 * jna_ast.c: the post-parse rewrite of jsonata-js (processAST), which gives the evaluator
 * its shape:
 *   - chains of '.' become one path node whose steps are evaluated left to right; string
 *     literal steps become names; number/boolean/null steps are S0213;
 *   - e[p] attaches a filter stage to a path's last step, or a predicate to another node;
 *     [] marks keepArray; e{...} attaches a group; e^(...) appends a sort step;
 *     e@$v / e#$i set focus / index bindings (tuple mode);
 *   - % (parent) references are resolved statically: each parent gets a slot whose label
 *     the ancestor step records in the tuple stream (seekParent / resolveAncestry);
 *   - calls in tail position of a lambda body become thunks (trampolined by apply).
 * Raw nodes are reused (and mutated) exactly where the reference mutates its objects, so
 * quirks such as `??` processing its left operand twice behave the same.
 */
#include "jna_int.h"

typedef struct actx {
    sx_arena_t *a;
    jna_error_t *err;
    int label;          /* next ancestor label */
    int depth;          /* recursion guard */
    jna_nvec_t ancestry;/* parent nodes by slot index */
} actx_t;

static int process(actx_t *c, jna_node_t *expr, jna_node_t **out);

static int
afail(actx_t *c, const char *code, int pos, const char *token, const val_t *value)
{
    return jna_fail(c->a, c->err, code, pos, token, value, NULL);
}

static void
slots_push(sx_arena_t *a, jna_slotvec_t *v, jna_slot_t *s)
{
    if (v->n == v->cap) {
        int cap = v->cap ? v->cap * 2 : 4;
        jna_slot_t **nv = sx_arena_alloc(a, (size_t)cap * sizeof(*nv));
        if (v->n)
            memcpy(nv, v->v, (size_t)v->n * sizeof(*nv));
        v->v = nv;
        v->cap = cap;
    }
    v->v[v->n++] = s;
}

static void
stage_push(sx_arena_t *a, jna_stagevec_t *v, jna_stage_t st)
{
    if (v->n == v->cap) {
        int cap = v->cap ? v->cap * 2 : 2;
        jna_stage_t *nv = sx_arena_alloc(a, (size_t)cap * sizeof(*nv));
        if (v->n)
            memcpy(nv, v->v, (size_t)v->n * sizeof(*nv));
        v->v = nv;
        v->cap = cap;
    }
    v->v[v->n++] = st;
}

static const char *
type_token(const jna_node_t *n)
{
    static const char *const names[] = {
        "",        "end",       "operator", "name",      "variable", "string",   "number",
        "value",   "regex",     "binary",   "unary",     "wildcard", "descendant", "parent",
        "function", "partial", "lambda",   "block",     "condition", "transform", "path",
        "bind",    "apply",     "sort"};
    return n->type < SX_ARRAY_LEN(names) ? names[n->type] : "?";
}

static void
push_ancestry(actx_t *c, jna_node_t *result, jna_node_t *value)
{
    if (!value->seeking_set && value->type != JN_PARENT)
        return;
    jna_slotvec_t slots = {0};
    for (int i = 0; i < value->seeking.n; i++)
        slots_push(c->a, &slots, value->seeking.v[i]);
    if (value->type == JN_PARENT)
        slots_push(c->a, &slots, value->slot);
    result->seeking_set = true;
    for (int i = 0; i < slots.n; i++)
        slots_push(c->a, &result->seeking, slots.v[i]);
}

static int
seek_parent(actx_t *c, jna_node_t *node, jna_slot_t **slotp)
{
    jna_slot_t *slot = *slotp;
    switch (node->type) {
    case JN_NAME:
    case JN_WILDCARD:
        slot->level--;
        if (slot->level == 0) {
            if (node->ancestor != NULL) {
                jna_node_t *par = c->ancestry.v[slot->index];
                par->slot->label = node->ancestor->label;
            }
            node->ancestor = slot;
            node->tuple = true;
        }
        return SX_OK;
    case JN_PARENT:
        slot->level++;
        return SX_OK;
    case JN_BLOCK:
        if (node->items.n > 0) {
            node->tuple = true;
            return seek_parent(c, node->items.v[node->items.n - 1], slotp);
        }
        return SX_OK;
    case JN_PATH: {
        node->tuple = true;
        int index = node->items.n - 1;
        if (seek_parent(c, node->items.v[index--], slotp) != SX_OK)
            return SX_ERR;
        while ((*slotp)->level > 0 && index >= 0)
            if (seek_parent(c, node->items.v[index--], slotp) != SX_OK)
                return SX_ERR;
        return SX_OK;
    }
    default:
        return afail(c, "S0217", node->position, type_token(node), NULL);
    }
}

static int
resolve_ancestry(actx_t *c, jna_node_t *path)
{
    int index = path->items.n - 1;
    jna_node_t *last = path->items.v[index];
    jna_slotvec_t slots = {0};
    for (int i = 0; i < last->seeking.n; i++)
        slots_push(c->a, &slots, last->seeking.v[i]);
    if (last->type == JN_PARENT)
        slots_push(c->a, &slots, last->slot);
    for (int is = 0; is < slots.n; is++) {
        jna_slot_t *slot = slots.v[is];
        index = path->items.n - 2;
        while (slot->level > 0) {
            if (index < 0) {
                path->seeking_set = true;
                slots_push(c->a, &path->seeking, slot);
                break;
            }
            jna_node_t *step = path->items.v[index--];
            while (index >= 0 && step->focus && path->items.v[index]->focus)
                step = path->items.v[index--];
            if (seek_parent(c, step, &slot) != SX_OK)
                return SX_ERR;
        }
    }
    return SX_OK;
}

static jna_node_t *
tco(sx_arena_t *a, jna_node_t *e)
{
    if (e->type == JN_FUNCTION && e->predicate.n == 0) {
        jna_node_t *t = jna_node_new(a, JN_LAMBDA, e->position);
        t->thunk = true;
        t->body = e;
        return t;
    }
    if (e->type == JN_CONDITION) {
        e->then = tco(a, e->then);
        if (e->has_else)
            e->els = tco(a, e->els);
    } else if (e->type == JN_BLOCK && e->items.n > 0) {
        e->items.v[e->items.n - 1] = tco(a, e->items.v[e->items.n - 1]);
    }
    return e;
}

static jna_node_t *
path_of(actx_t *c, jna_node_t *step)
{
    jna_node_t *p = jna_node_new(c->a, JN_PATH, step->position);
    jna_nvec_push(c->a, &p->items, step);
    return p;
}

static bool
is_cons(const jna_node_t *n)
{
    return n->type == JN_UNARY && strcmp(n->op, "[") == 0;
}

static int
proc_dot(actx_t *c, jna_node_t *expr, jna_node_t **out)
{
    jna_node_t *lstep, *rest, *result;
    if (process(c, expr->lhs, &lstep) != SX_OK)
        return SX_ERR;
    result = lstep->type == JN_PATH ? lstep : path_of(c, lstep);
    if (lstep->type == JN_PARENT) {
        result->seeking_set = true;
        slots_push(c->a, &result->seeking, lstep->slot);
    }
    if (process(c, expr->rhs, &rest) != SX_OK)
        return SX_ERR;
    if (rest->type == JN_PATH) {
        for (int i = 0; i < rest->items.n; i++)
            jna_nvec_push(c->a, &result->items, rest->items.v[i]);
    } else {
        if (rest->predicate.n > 0) {
            rest->stages = rest->predicate;
            memset(&rest->predicate, 0, sizeof(rest->predicate));
        }
        jna_nvec_push(c->a, &result->items, rest);
    }
    for (int i = 0; i < result->items.n; i++) {
        jna_node_t *st = result->items.v[i];
        if (st->type == JN_NUMBER || st->type == JN_VALUE)
            return afail(c, "S0213", st->position, NULL, st->lit);
        if (st->type == JN_STRING)
            st->type = JN_NAME;
        if (st->keep_array)
            result->keep_singleton = true;
    }
    if (is_cons(result->items.v[0]))
        result->items.v[0]->cons_array = true;
    if (is_cons(result->items.v[result->items.n - 1]))
        result->items.v[result->items.n - 1]->cons_array = true;
    *out = result;
    return resolve_ancestry(c, result);
}

static int
proc_filter(actx_t *c, jna_node_t *expr, jna_node_t **out)
{
    jna_node_t *result, *step, *pred;
    bool stages;
    if (process(c, expr->lhs, &result) != SX_OK)
        return SX_ERR;
    step = result;
    stages = false;
    if (result->type == JN_PATH) {
        step = result->items.v[result->items.n - 1];
        stages = true;
    }
    if (step->group != NULL)
        return afail(c, "S0209", expr->position, NULL, NULL);
    if (process(c, expr->rhs, &pred) != SX_OK)
        return SX_ERR;
    if (pred->seeking_set) {
        for (int i = 0; i < pred->seeking.n; i++) {
            jna_slot_t *slot = pred->seeking.v[i];
            if (slot->level == 1) {
                if (seek_parent(c, step, &slot) != SX_OK)
                    return SX_ERR;
            } else {
                slot->level--;
            }
        }
        push_ancestry(c, step, pred);
    }
    jna_stage_t st = {JNA_STAGE_FILTER, pred, NULL, expr->position};
    stage_push(c->a, stages ? &step->stages : &step->predicate, st);
    *out = result;
    return SX_OK;
}

static int
proc_pairs(actx_t *c, const jna_nvec_t *in, jna_nvec_t *outv, jna_node_t *anc)
{
    for (int i = 0; i < in->n; i++) {
        jna_node_t *p;
        if (process(c, in->v[i], &p) != SX_OK)
            return SX_ERR;
        if (anc != NULL)
            push_ancestry(c, anc, p);
        jna_nvec_push(c->a, outv, p);
    }
    return SX_OK;
}

static int
proc_sort(actx_t *c, jna_node_t *expr, jna_node_t **out)
{
    jna_node_t *result, *sort;
    if (process(c, expr->lhs, &result) != SX_OK)
        return SX_ERR;
    if (result->type != JN_PATH)
        result = path_of(c, result);
    sort = jna_node_new(c->a, JN_SORT, expr->position);
    sort->nterms = expr->nterms;
    sort->terms = sx_arena_alloc(c->a, (size_t)expr->nterms * sizeof(jna_term_t));
    for (int i = 0; i < expr->nterms; i++) {
        sort->terms[i].descending = expr->terms[i].descending;
        if (process(c, expr->terms[i].expr, &sort->terms[i].expr) != SX_OK)
            return SX_ERR;
        push_ancestry(c, sort, sort->terms[i].expr);
    }
    jna_nvec_push(c->a, &result->items, sort);
    *out = result;
    return resolve_ancestry(c, result);
}

static int
proc_focus(actx_t *c, jna_node_t *expr, jna_node_t **out)
{
    jna_node_t *result, *step;
    if (process(c, expr->lhs, &result) != SX_OK)
        return SX_ERR;
    step = result;
    if (strcmp(expr->op, "@") == 0) {
        if (result->type == JN_PATH)
            step = result->items.v[result->items.n - 1];
        if (step->stages.n > 0 || step->predicate.n > 0)
            return afail(c, "S0215", expr->position, NULL, NULL);
        if (step->type == JN_SORT)
            return afail(c, "S0216", expr->position, NULL, NULL);
        if (expr->keep_array)
            step->keep_array = true;
        step->focus = expr->rhs->str;
        step->tuple = true;
    } else {
        if (result->type == JN_PATH) {
            step = result->items.v[result->items.n - 1];
        } else {
            result = path_of(c, result);
            if (step->predicate.n > 0) {
                step->stages = step->predicate;
                memset(&step->predicate, 0, sizeof(step->predicate));
            }
        }
        if (step->stages.n == 0) {
            step->index = expr->rhs->str;
        } else {
            jna_stage_t st = {JNA_STAGE_INDEX, NULL, expr->rhs->str, expr->position};
            stage_push(c->a, &step->stages, st);
        }
        step->tuple = true;
    }
    *out = result;
    return SX_OK;
}

static int
proc_binary(actx_t *c, jna_node_t *expr, jna_node_t **out)
{
    const char *op = expr->op;
    jna_node_t *r;
    if (strcmp(op, ".") == 0)
        return proc_dot(c, expr, out);
    if (strcmp(op, "[") == 0)
        return proc_filter(c, expr, out);
    if (strcmp(op, "^") == 0)
        return proc_sort(c, expr, out);
    if (strcmp(op, "@") == 0 || strcmp(op, "#") == 0)
        return proc_focus(c, expr, out);
    if (strcmp(op, "{") == 0) {
        if (process(c, expr->lhs, &r) != SX_OK)
            return SX_ERR;
        if (r->group != NULL)
            return afail(c, "S0210", expr->position, NULL, NULL);
        r->group = sx_arena_calloc(c->a, sizeof(*r->group));
        r->group->position = expr->position;
        *out = r;
        return proc_pairs(c, &expr->pairs, &r->group->pairs, NULL);
    }
    int type = strcmp(op, ":=") == 0 ? JN_BIND : strcmp(op, "~>") == 0 ? JN_APPLY : JN_BINARY;
    r = jna_node_new(c->a, type, expr->position);
    strcpy(r->op, op);
    if (process(c, expr->lhs, &r->lhs) != SX_OK || process(c, expr->rhs, &r->rhs) != SX_OK)
        return SX_ERR;
    if (type == JN_APPLY) {
        r->keep_array = r->lhs->keep_array || r->rhs->keep_array;
    } else {
        if (type == JN_BINARY)
            push_ancestry(c, r, r->lhs);
        push_ancestry(c, r, r->rhs);
    }
    *out = r;
    return SX_OK;
}

static int
proc_unary(actx_t *c, jna_node_t *expr, jna_node_t **out)
{
    jna_node_t *r = jna_node_new(c->a, JN_UNARY, expr->position);
    strcpy(r->op, expr->op);
    *out = r;
    if (strcmp(expr->op, "[") == 0)
        return proc_pairs(c, &expr->items, &r->items, r);
    if (strcmp(expr->op, "{") == 0)
        return proc_pairs(c, &expr->pairs, &r->pairs, r);
    if (process(c, expr->expr, &r->expr) != SX_OK)
        return SX_ERR;
    if (r->expr->type == JN_NUMBER) {
        jna_node_t *n = r->expr;
        n->lit = val_num(c->a, -val_num_get(n->lit));
        *out = n;
    } else {
        push_ancestry(c, r, r->expr);
    }
    return SX_OK;
}

static int
proc_call(actx_t *c, jna_node_t *expr, jna_node_t **out)
{
    jna_node_t *r = jna_node_new(c->a, expr->type, expr->position);
    strcpy(r->op, expr->op);
    *out = r;
    if (proc_pairs(c, &expr->items, &r->items, r) != SX_OK)
        return SX_ERR;
    return process(c, expr->procedure, &r->procedure);
}

static int
proc_other(actx_t *c, jna_node_t *expr, jna_node_t **out)
{
    jna_node_t *r = jna_node_new(c->a, expr->type, expr->position);
    *out = r;
    switch (expr->type) {
    case JN_LAMBDA:
        r->items = expr->items;
        r->sig = expr->sig;
        r->str = expr->str;
        if (process(c, expr->body, &r->body) != SX_OK)
            return SX_ERR;
        r->body = tco(c->a, r->body);
        return SX_OK;
    case JN_CONDITION:
        r->has_else = expr->has_else;
        if (process(c, expr->cond, &r->cond) != SX_OK)
            return SX_ERR;
        push_ancestry(c, r, r->cond);
        if (process(c, expr->then, &r->then) != SX_OK)
            return SX_ERR;
        push_ancestry(c, r, r->then);
        if (expr->has_else) {
            if (process(c, expr->els, &r->els) != SX_OK)
                return SX_ERR;
            push_ancestry(c, r, r->els);
        }
        return SX_OK;
    case JN_TRANSFORM:
        if (process(c, expr->lhs, &r->lhs) != SX_OK || process(c, expr->rhs, &r->rhs) != SX_OK)
            return SX_ERR;
        if (expr->expr != NULL && process(c, expr->expr, &r->expr) != SX_OK)
            return SX_ERR;
        return SX_OK;
    default: /* JN_BLOCK */
        for (int i = 0; i < expr->items.n; i++) {
            jna_node_t *part;
            if (process(c, expr->items.v[i], &part) != SX_OK)
                return SX_ERR;
            push_ancestry(c, r, part);
            if (part->cons_array || (part->type == JN_PATH && part->items.v[0]->cons_array))
                r->cons_array = true;
            jna_nvec_push(c->a, &r->items, part);
        }
        return SX_OK;
    }
}

/* Processed nodes never alias raw ones: a raw subtree processed twice (the operands of
 * ?: and ??) must not collect its predicates or negations twice. */
static jna_node_t *
copy_node(actx_t *c, const jna_node_t *n)
{
    jna_node_t *cp = sx_arena_alloc(c->a, sizeof(*cp));
    *cp = *n;
    return cp;
}

static int
process_node(actx_t *c, jna_node_t *expr, jna_node_t **out)
{
    jna_node_t *r;
    switch (expr->type) {
    case JN_BINARY:
        return proc_binary(c, expr, out);
    case JN_UNARY:
        return proc_unary(c, expr, out);
    case JN_FUNCTION:
    case JN_PARTIAL:
        return proc_call(c, expr, out);
    case JN_LAMBDA:
    case JN_CONDITION:
    case JN_TRANSFORM:
    case JN_BLOCK:
        return proc_other(c, expr, out);
    case JN_NAME:
        r = path_of(c, copy_node(c, expr));
        r->keep_singleton = expr->keep_array;
        *out = r;
        return SX_OK;
    case JN_PARENT:
        r = jna_node_new(c->a, JN_PARENT, expr->position);
        r->slot = sx_arena_calloc(c->a, sizeof(*r->slot));
        r->slot->label = sx_arena_printf(c->a, NULL, "!%d", c->label++);
        r->slot->level = 1;
        r->slot->index = c->ancestry.n;
        jna_nvec_push(c->a, &c->ancestry, r);
        *out = r;
        return SX_OK;
    case JN_STRING:
    case JN_NUMBER:
    case JN_VALUE:
    case JN_WILDCARD:
    case JN_DESCENDANT:
    case JN_VARIABLE:
    case JN_REGEX:
        *out = copy_node(c, expr);
        return SX_OK;
    case JN_OPERATOR:
        if (strcmp(expr->op, "and") == 0 || strcmp(expr->op, "or") == 0 ||
            strcmp(expr->op, "in") == 0) {
            expr->type = JN_NAME;
            expr->str = expr->op;
            expr->slen = (uint32_t)strlen(expr->op);
            return process_node(c, expr, out);
        }
        if (strcmp(expr->op, "?") == 0) {
            *out = expr;
            return SX_OK;
        }
        return afail(c, "S0201", expr->position, expr->op, NULL);
    case JN_END:
        return afail(c, "S0207", expr->position, NULL, NULL);
    default:
        return afail(c, "S0206", expr->position, NULL, NULL);
    }
}

static int
process(actx_t *c, jna_node_t *expr, jna_node_t **out)
{
    int rc;
    if (++c->depth > 2 * JNA_PARSE_MAX_DEPTH) {
        afail(c, "U1001", expr->position, NULL, NULL);
        c->err->message = "Expression nested too deeply";
        return SX_ERR;
    }
    rc = process_node(c, expr, out);
    c->depth--;
    if (rc == SX_OK && expr->keep_array)
        (*out)->keep_array = true;
    return rc;
}

int
jna_ast_process(sx_arena_t *a, jna_node_t *raw, jna_node_t **out, jna_error_t *err)
{
    actx_t c = {.a = a, .err = err};
    return process(&c, raw, out);
}

int
jna_parse(sx_arena_t *a, const char *src, size_t n, jna_node_t **out, jna_error_t *err,
          jna_parse_info_t *info)
{
    jna_node_t *raw, *e;
    if (jna_parse_raw(a, src, n, &raw, err, info) != SX_OK || jna_ast_process(a, raw, &e, err) != SX_OK)
        return SX_ERR;
    if (e->type == JN_PARENT || e->seeking_set)
        return jna_fail(a, err, "S0217", e->position, type_token(e), NULL, NULL);
    *out = e;
    return SX_OK;
}
