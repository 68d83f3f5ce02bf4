/*
 * asl_choice.c: compile one Choice rule (a val_t from the definition) into an asl_choice_t
 * tree. Evaluation lives in asl_choice_eval.c.
 *
 * Design: one recursive walk over the rule object. Each member is classified by name
 * (Comment / Next / Assign / Output / Condition / And / Or / Not / Variable / an operator
 * from OPS[]); anything else is rejected. Constants are decoded here, once, so evaluation
 * never parses a constant: numbers into doubles, timestamps into sx_ts_t, StringMatches
 * patterns into glob parts; Variable and `...Path` operands are compiled with jp_compile.
 * String constants and Next point into the rule value (no copies).
 *
 * Errors: the first problem found wins; its detail goes to err and the JSON pointer of the
 * offending node (relative to the rule) to where. The pointer is built as the walk descends,
 * in cctx.ptr, and truncated on the way back up.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "asl/asl_choice_int.h"

#define CH_MAX_DEPTH 512 /* rule nesting limit (the JSON parser's own depth limit) */

typedef struct opdef {
    const char *name; /* the operator field */
    uint8_t kind;     /* CH_KIND_* */
    uint8_t cmp;      /* CH_EQ.. or CH_IS_* */
    uint8_t path;     /* operand is a Path */
} opdef_t;

/* clang-format off */
static const opdef_t OPS[] = {
    {"StringEquals", CH_KIND_STR, CH_EQ, 0},
    {"StringEqualsPath", CH_KIND_STR, CH_EQ, 1},
    {"StringLessThan", CH_KIND_STR, CH_LT, 0},
    {"StringLessThanPath", CH_KIND_STR, CH_LT, 1},
    {"StringGreaterThan", CH_KIND_STR, CH_GT, 0},
    {"StringGreaterThanPath", CH_KIND_STR, CH_GT, 1},
    {"StringLessThanEquals", CH_KIND_STR, CH_LE, 0},
    {"StringLessThanEqualsPath", CH_KIND_STR, CH_LE, 1},
    {"StringGreaterThanEquals", CH_KIND_STR, CH_GE, 0},
    {"StringGreaterThanEqualsPath", CH_KIND_STR, CH_GE, 1},
    {"NumericEquals", CH_KIND_NUM, CH_EQ, 0},
    {"NumericEqualsPath", CH_KIND_NUM, CH_EQ, 1},
    {"NumericLessThan", CH_KIND_NUM, CH_LT, 0},
    {"NumericLessThanPath", CH_KIND_NUM, CH_LT, 1},
    {"NumericGreaterThan", CH_KIND_NUM, CH_GT, 0},
    {"NumericGreaterThanPath", CH_KIND_NUM, CH_GT, 1},
    {"NumericLessThanEquals", CH_KIND_NUM, CH_LE, 0},
    {"NumericLessThanEqualsPath", CH_KIND_NUM, CH_LE, 1},
    {"NumericGreaterThanEquals", CH_KIND_NUM, CH_GE, 0},
    {"NumericGreaterThanEqualsPath", CH_KIND_NUM, CH_GE, 1},
    {"TimestampEquals", CH_KIND_TS, CH_EQ, 0},
    {"TimestampEqualsPath", CH_KIND_TS, CH_EQ, 1},
    {"TimestampLessThan", CH_KIND_TS, CH_LT, 0},
    {"TimestampLessThanPath", CH_KIND_TS, CH_LT, 1},
    {"TimestampGreaterThan", CH_KIND_TS, CH_GT, 0},
    {"TimestampGreaterThanPath", CH_KIND_TS, CH_GT, 1},
    {"TimestampLessThanEquals", CH_KIND_TS, CH_LE, 0},
    {"TimestampLessThanEqualsPath", CH_KIND_TS, CH_LE, 1},
    {"TimestampGreaterThanEquals", CH_KIND_TS, CH_GE, 0},
    {"TimestampGreaterThanEqualsPath", CH_KIND_TS, CH_GE, 1},
    {"StringMatches", CH_KIND_MATCH, CH_EQ, 0},
    {"BooleanEquals", CH_KIND_BOOL, CH_EQ, 0},
    {"BooleanEqualsPath", CH_KIND_BOOL, CH_EQ, 1},
    {"IsNull", CH_KIND_IS, CH_IS_NULL, 0},
    {"IsPresent", CH_KIND_IS, CH_IS_PRESENT, 0},
    {"IsNumeric", CH_KIND_IS, CH_IS_NUMERIC, 0},
    {"IsString", CH_KIND_IS, CH_IS_STRING, 0},
    {"IsBoolean", CH_KIND_IS, CH_IS_BOOLEAN, 0},
    {"IsTimestamp", CH_KIND_IS, CH_IS_TIMESTAMP, 0},
};
/* clang-format on */

typedef struct cctx {
    sx_arena_t *a;   /* where the tree goes */
    unsigned flags;  /* ASL_CHOICE_F_* */
    char *err;       /* caller's detail buffer (may be NULL) */
    size_t errlen;   /* its size */
    char *where;     /* caller's pointer buffer (may be NULL) */
    size_t wherelen; /* its size */
    char ptr[1024];  /* JSON pointer of the node being compiled */
    size_t plen;     /* strlen(ptr) */
} cctx_t;

/* What one rule object holds, member by member, before it is checked as a whole. */
typedef struct members {
    const val_t *next, *assign, *output, *condition, *variable;
    const char *comb;   /* "And" / "Or" / "Not", or NULL */
    const val_t *combv; /* its value */
    const opdef_t *op;  /* the comparison operator, or NULL */
    const val_t *opv;   /* its operand */
} members_t;

/* ---- diagnostics ---- */

/* Appends "/seg" to the current pointer (escaping ~ and / per RFC 6901). Returns the old
 * length, for ptr_pop. A pointer longer than the buffer is cut short, never overflowed. */
static size_t
ptr_push(cctx_t *c, const char *seg, size_t n)
{
    size_t mark = c->plen;
    size_t cap = sizeof c->ptr - 1;

    if (c->plen < cap)
        c->ptr[c->plen++] = '/';
    for (size_t i = 0; i < n && c->plen + 2 <= cap; i++) {
        if (seg[i] == '~' || seg[i] == '/') {
            c->ptr[c->plen++] = '~';
            c->ptr[c->plen++] = seg[i] == '~' ? '0' : '1';
        } else {
            c->ptr[c->plen++] = seg[i];
        }
    }
    c->ptr[c->plen] = '\0';
    return mark;
}

static size_t
ptr_push_idx(cctx_t *c, size_t i)
{
    char num[24];
    int n = snprintf(num, sizeof num, "%zu", i);
    return ptr_push(c, num, (size_t)n);
}

static void
ptr_pop(cctx_t *c, size_t mark)
{
    c->plen = mark;
    c->ptr[mark] = '\0';
}

/* Records the error: detail in err, current pointer (+ "/field" if given) in where. */
static int fail(cctx_t *c, const char *field, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int
fail(cctx_t *c, const char *field, const char *fmt, ...)
{
    va_list ap;

    if (c->err != NULL && c->errlen > 0) {
        va_start(ap, fmt);
        vsnprintf(c->err, c->errlen, fmt, ap);
        va_end(ap);
    }
    if (field != NULL)
        ptr_push(c, field, strlen(field));
    if (c->where != NULL && c->wherelen > 0)
        snprintf(c->where, c->wherelen, "%s", c->ptr);
    return SX_ERR;
}

/* ---- operands ---- */

static const opdef_t *
op_find(const char *name, size_t n)
{
    for (size_t i = 0; i < SX_ARRAY_LEN(OPS); i++) {
        if (strlen(OPS[i].name) == n && memcmp(OPS[i].name, name, n) == 0)
            return &OPS[i];
    }
    return NULL;
}

static int
compile_path(cctx_t *c, const char *field, const val_t *v, const jp_prog_t **out)
{
    char jerr[160];

    if (!val_is(v, VAL_STR) ||
        jp_compile(c->a, val_str_get(v), val_len(v), 0, out, jerr, sizeof jerr) != SX_OK)
        return fail(c, field, "The value for the field '%s' must be a valid JSONPath", field);
    return SX_OK;
}

/* Decodes a constant operand into r->_lit. */
static int
compile_constant(cctx_t *c, asl_choice_t *r, const opdef_t *op, const val_t *v)
{
    static const char *const want[] = {
        [CH_KIND_STR] = "string",   [CH_KIND_MATCH] = "string", [CH_KIND_NUM] = "number",
        [CH_KIND_BOOL] = "boolean", [CH_KIND_TS] = "string",    [CH_KIND_IS] = "boolean",
    };
    static const val_type_t type[] = {
        [CH_KIND_STR] = VAL_STR,   [CH_KIND_MATCH] = VAL_STR, [CH_KIND_NUM] = VAL_NUM,
        [CH_KIND_BOOL] = VAL_BOOL, [CH_KIND_TS] = VAL_STR,    [CH_KIND_IS] = VAL_BOOL,
    };

    if (!val_is(v, type[op->kind]))
        return fail(c, op->name, "The value for the field '%s' must be a %s", op->name,
                    want[op->kind]);
    switch (op->kind) {
    case CH_KIND_STR:
        r->_lit.str.s = val_str_get(v);
        r->_lit.str.n = val_len(v);
        return SX_OK;
    case CH_KIND_MATCH:
        r->_lit.glob = asl_choice_glob_compile(c->a, val_str_get(v), val_len(v));
        if (r->_lit.glob == NULL)
            return fail(c, op->name,
                        "The value for the field '%s' must not end with an unescaped '\\'",
                        op->name);
        return SX_OK;
    case CH_KIND_NUM:
        r->_lit.num = val_num_get(v);
        return SX_OK;
    case CH_KIND_TS:
        if (sx_ts_parse(val_str_get(v), val_len(v), &r->_lit.ts) != SX_OK)
            return fail(c, op->name, "String does not match RFC3339 timestamp");
        return SX_OK;
    default: /* CH_KIND_BOOL, CH_KIND_IS */
        r->_lit.b = val_bool_get(v);
        r->_want = val_bool_get(v);
        return SX_OK;
    }
}

static int
compile_test(cctx_t *c, asl_choice_t *r, const members_t *m)
{
    const opdef_t *op = m->op;

    if (m->variable == NULL)
        return fail(c, NULL, "These fields are required: [Variable]");
    r->_op = ASL_CHOICE_TEST;
    r->_kind = op->kind;
    r->_cmp = op->cmp;
    r->_opname = op->name;
    if (op->path ? compile_path(c, op->name, m->opv, &r->_rhs) : compile_constant(c, r, op, m->opv))
        return SX_ERR;
    if (compile_path(c, "Variable", m->variable, &r->_var) != SX_OK)
        return SX_ERR;
    r->_indef = !jp_is_definite(r->_var);
    return SX_OK;
}

/* ---- rules ---- */

static int compile_rule(cctx_t *c, const val_t *v, bool top, int depth, const asl_choice_t **out);

static int
compile_comb(cctx_t *c, asl_choice_t *r, const members_t *m, int depth)
{
    const val_t *v = m->combv;
    size_t mark = ptr_push(c, m->comb, strlen(m->comb));
    int rc = SX_ERR;

    if (m->comb[0] == 'N') { /* Not: one rule */
        const asl_choice_t **kid = sx_arena_alloc(c->a, sizeof *kid);
        r->_op = ASL_CHOICE_NOT;
        r->_nkids = 1;
        r->_kids = kid;
        rc = compile_rule(c, v, false, depth + 1, kid);
        goto out_pop;
    }
    r->_op = m->comb[0] == 'A' ? ASL_CHOICE_AND : ASL_CHOICE_OR;
    if (!val_is(v, VAL_ARR)) {
        rc = fail(c, NULL, "The value for the field '%s' must be an array", m->comb);
        goto out_pop;
    }
    if (val_len(v) == 0) {
        rc = fail(c, NULL, "Value cannot be empty");
        goto out_pop;
    }
    const asl_choice_t **kids = sx_arena_alloc(c->a, val_len(v) * sizeof *kids);
    for (size_t i = 0; i < val_len(v); i++) {
        size_t m2 = ptr_push_idx(c, i);
        if (compile_rule(c, val_arr_at(v, i), false, depth + 1, &kids[i]) != SX_OK)
            goto out_pop;
        ptr_pop(c, m2);
    }
    r->_nkids = (uint32_t)val_len(v);
    r->_kids = kids;
    rc = SX_OK;
out_pop:
    ptr_pop(c, mark);
    return rc;
}

static bool
key_is(const val_t *k, const char *name)
{
    size_t n = strlen(name);
    return val_len(k) == n && memcmp(val_str_get(k), name, n) == 0;
}

#define ONE_CONDITION                                                                              \
    "A Choice rule must have exactly one of these fields: And, Or, Not or a comparison "           \
    "operator"

/* The diagnostic for a field that classify() does not take here. */
static const char *
unsupported_why(cctx_t *c, const val_t *key, bool top)
{
    bool jsonata = (c->flags & ASL_CHOICE_F_JSONATA) != 0;
    const char *k = val_str_get(key);
    bool known_path = key_is(key, "Variable") || key_is(key, "And") || key_is(key, "Or") ||
                      key_is(key, "Not") || op_find(k, val_len(key)) != NULL;

    if (!top && (key_is(key, "Next") || key_is(key, "Assign")))
        return sx_arena_printf(c->a, NULL,
                               "The field \"%s\" is only supported in top-level Choice rules", k);
    if (!jsonata && (key_is(key, "Condition") || key_is(key, "Output")))
        return sx_arena_printf(
            c->a, NULL, "The field \"%s\" is not supported when the query language is JSONPath", k);
    if (jsonata && known_path)
        return sx_arena_printf(
            c->a, NULL, "The field \"%s\" is not supported when the query language is JSONata", k);
    return sx_arena_printf(c->a, NULL, "The field \"%s\" is not supported by Step Functions", k);
}

/* Sorts one member into m. Returns SX_ERR (diagnosed) for unknown or conflicting fields. */
static int
classify(cctx_t *c, const val_t *key, const val_t *v, bool top, members_t *m)
{
    bool jsonata = (c->flags & ASL_CHOICE_F_JSONATA) != 0;
    const char *k = val_str_get(key);
    const opdef_t *op;

    if (key_is(key, "Comment")) {
        if (!val_is(v, VAL_STR))
            return fail(c, k, "The value for the field 'Comment' must be a string");
    } else if (top && key_is(key, "Next")) {
        m->next = v;
    } else if (top && key_is(key, "Assign")) {
        m->assign = v;
    } else if (top && jsonata && key_is(key, "Output")) {
        m->output = v;
    } else if (jsonata && key_is(key, "Condition")) {
        m->condition = v;
    } else if (!jsonata && key_is(key, "Variable")) {
        m->variable = v;
    } else if (!jsonata && (key_is(key, "And") || key_is(key, "Or") || key_is(key, "Not"))) {
        if (m->comb != NULL || m->op != NULL)
            return fail(c, NULL, ONE_CONDITION);
        m->comb = k[0] == 'A' ? "And" : k[0] == 'O' ? "Or" : "Not";
        m->combv = v;
    } else if (!jsonata && (op = op_find(k, val_len(key))) != NULL) {
        if (m->comb != NULL || m->op != NULL)
            return fail(c, NULL, ONE_CONDITION);
        m->op = op;
        m->opv = v;
    } else {
        return fail(c, k, "%s", unsupported_why(c, key, top));
    }
    return SX_OK;
}

/* Checks and stores the top-level-only members (Next, Assign, Output, Condition). */
static int
compile_top(cctx_t *c, asl_choice_t *r, const members_t *m)
{
    bool jsonata = (c->flags & ASL_CHOICE_F_JSONATA) != 0;

    if (m->next == NULL || (jsonata && m->condition == NULL))
        return fail(c, NULL, "These fields are required: [%s]",
                    m->next != NULL                   ? "Condition"
                    : jsonata && m->condition == NULL ? "Condition, Next"
                                                      : "Next");
    if (!val_is(m->next, VAL_STR))
        return fail(c, "Next", "The value for the field 'Next' must be a string");
    r->next = val_str_get(m->next);
    r->assign = m->assign;
    r->output = m->output;
    if (!jsonata)
        return SX_OK;
    const val_t *cv = m->condition;
    bool expr = val_is(cv, VAL_STR) && val_len(cv) >= 4 && memcmp(val_str_get(cv), "{%", 2) == 0 &&
                memcmp(val_str_get(cv) + val_len(cv) - 2, "%}", 2) == 0;
    if (!val_is(cv, VAL_BOOL) && !expr)
        return fail(c, "Condition",
                    "The value for the field 'Condition' must be a boolean or a JSONata "
                    "expression");
    r->condition = cv;
    r->_op = ASL_CHOICE_CONDITION;
    return SX_OK;
}

static int
compile_rule(cctx_t *c, const val_t *v, bool top, int depth, const asl_choice_t **out)
{
    members_t m = {0};
    asl_choice_t *r;

    if (!val_is(v, VAL_OBJ))
        return fail(c, NULL, "A Choice rule must be an object");
    if (depth > CH_MAX_DEPTH)
        return fail(c, NULL, "Choice rules are nested too deeply");
    for (size_t i = 0; i < val_len(v); i++) {
        const val_member_t *mb = val_obj_at(v, i);
        if (classify(c, mb->key, mb->val, top, &m) != SX_OK)
            return SX_ERR;
    }
    r = sx_arena_calloc(c->a, sizeof *r);
    if (top && compile_top(c, r, &m) != SX_OK)
        return SX_ERR;
    if (c->flags & ASL_CHOICE_F_JSONATA) {
        *out = r;
        return SX_OK;
    }
    if (m.comb != NULL) {
        if (m.variable != NULL)
            return fail(c, "Variable",
                        "The field \"Variable\" is not supported with And, Or "
                        "or Not");
        if (compile_comb(c, r, &m, depth) != SX_OK)
            return SX_ERR;
    } else if (m.op != NULL) {
        if (compile_test(c, r, &m) != SX_OK)
            return SX_ERR;
    } else {
        return fail(c, NULL, ONE_CONDITION);
    }
    *out = r;
    return SX_OK;
}

int
asl_choice_compile(sx_arena_t *a, const val_t *rule, unsigned flags, const asl_choice_t **out,
                   char *err, size_t errlen, char *where, size_t wherelen)
{
    cctx_t c = {
        .a = a, .flags = flags, .err = err, .errlen = errlen, .where = where, .wherelen = wherelen};

    c.ptr[0] = '\0';
    if (err != NULL && errlen > 0)
        err[0] = '\0';
    if (where != NULL && wherelen > 0)
        where[0] = '\0';
    return compile_rule(&c, rule, true, 0, out);
}
