/*
 * asl_validate_choice.c: the Choice state's rules (structure and operand types).
 *
 * JSONPath rules (asl.md §6): a rule is either a boolean combination (And / Or: non-empty
 * arrays of rules, Not: one rule) or a data test: Variable (a Path) plus exactly one
 * comparison operator. Operands: String* strings, Numeric* numbers, BooleanEquals booleans,
 * Timestamp* RFC3339 timestamps, every *Path a Path, Is* booleans. Only top-level rules
 * carry Next (required) and Assign. JSONata rules: Condition (boolean or {% %}, required),
 * Next (required), Assign, Output, Comment.
 *
 * The Choice helper owns the semantics (asl_choice.h compiles rules for the engine); this
 * file reports every structural problem, with diagnostics at the exact rule:
 * /States/C/Choices/0/And/1/NumericEquals. A rule that passes these checks is then compiled
 * with asl_choice_compile as the engine will compile it, and its error (if any) reported, so
 * the validator never accepts a rule the engine refuses. JSONPath rules are compiled only
 * when the path module is real.
 */
#include <string.h>

#include "asl/asl_validate_int.h"
#include "stepx/asl_choice.h"
#include "stepx/timestamp.h"

enum operand { OP_STR, OP_NUM, OP_BOOL, OP_TS, OP_PATH, OP_IS };

static const struct op {
    const char *name;     /* operator field */
    enum operand operand; /* what its value must be */
} ops[] = {
    {"StringEquals", OP_STR},
    {"StringLessThan", OP_STR},
    {"StringGreaterThan", OP_STR},
    {"StringLessThanEquals", OP_STR},
    {"StringGreaterThanEquals", OP_STR},
    {"StringMatches", OP_STR},
    {"NumericEquals", OP_NUM},
    {"NumericLessThan", OP_NUM},
    {"NumericGreaterThan", OP_NUM},
    {"NumericLessThanEquals", OP_NUM},
    {"NumericGreaterThanEquals", OP_NUM},
    {"BooleanEquals", OP_BOOL},
    {"TimestampEquals", OP_TS},
    {"TimestampLessThan", OP_TS},
    {"TimestampGreaterThan", OP_TS},
    {"TimestampLessThanEquals", OP_TS},
    {"TimestampGreaterThanEquals", OP_TS},
    {"StringEqualsPath", OP_PATH},
    {"StringLessThanPath", OP_PATH},
    {"StringGreaterThanPath", OP_PATH},
    {"StringLessThanEqualsPath", OP_PATH},
    {"StringGreaterThanEqualsPath", OP_PATH},
    {"NumericEqualsPath", OP_PATH},
    {"NumericLessThanPath", OP_PATH},
    {"NumericGreaterThanPath", OP_PATH},
    {"NumericLessThanEqualsPath", OP_PATH},
    {"NumericGreaterThanEqualsPath", OP_PATH},
    {"BooleanEqualsPath", OP_PATH},
    {"TimestampEqualsPath", OP_PATH},
    {"TimestampLessThanPath", OP_PATH},
    {"TimestampGreaterThanPath", OP_PATH},
    {"TimestampLessThanEqualsPath", OP_PATH},
    {"TimestampGreaterThanEqualsPath", OP_PATH},
    {"IsNull", OP_IS},
    {"IsPresent", OP_IS},
    {"IsNumeric", OP_IS},
    {"IsString", OP_IS},
    {"IsBoolean", OP_IS},
    {"IsTimestamp", OP_IS},
};

static const struct op *
op_find(const char *name)
{
    for (size_t i = 0; i < SX_ARRAY_LEN(ops); i++)
        if (strcmp(ops[i].name, name) == 0)
            return &ops[i];
    return NULL;
}

static void rule_path(vx_t *vx, const val_t *r, const char *loc, bool top);

static void
operand(vx_t *vx, const val_t *r, const char *loc, const struct op *op)
{
    const val_t *v = val_obj_gets(r, op->name);
    switch (op->operand) {
    case OP_STR:
        vx_str(vx, r, loc, op->name);
        break;
    case OP_NUM:
        if (!val_is(v, VAL_NUM))
            vx_schema(vx, loc, op->name, "The value for the field '%s' must be a number",
                      op->name);
        break;
    case OP_BOOL:
    case OP_IS:
        vx_bool(vx, r, loc, op->name);
        break;
    case OP_TS:
        if (vx_str(vx, r, loc, op->name) != NULL && !sx_ts_valid(val_str_get(v), val_len(v)))
            vx_schema(vx, loc, op->name, "String does not match RFC3339 timestamp");
        break;
    case OP_PATH:
        vx_path(vx, r, loc, op->name, 0, false);
        break;
    }
}

/* And / Or: a non-empty array of nested rules. */
static void
rule_list(vx_t *vx, const val_t *r, const char *loc, const char *field)
{
    const val_t *a = vx_arr(vx, r, loc, field);
    if (a == NULL)
        return;
    const char *aloc = vx_loc(vx, loc, field);
    if (val_len(a) == 0)
        vx_schema(vx, aloc, NULL, "Value cannot be empty");
    for (size_t i = 0; i < val_len(a); i++)
        rule_path(vx, val_arr_at(a, i), vx_loci(vx, aloc, i), false);
}

/* Checks the members of a JSONPath rule; returns how many operators (And/Or/Not included)
 * it has and the comparison operator in *cmp (the last one seen). */
static int
rule_members(vx_t *vx, const val_t *r, const char *loc, bool top, const struct op **cmp)
{
    int count = 0;
    for (size_t i = 0; i < val_len(r); i++) {
        const char *k = val_str_get(val_obj_at(r, i)->key);
        const struct op *op = op_find(k);
        if (op != NULL) {
            count++;
            *cmp = op;
            operand(vx, r, loc, op);
        } else if (strcmp(k, "And") == 0 || strcmp(k, "Or") == 0) {
            count++;
            rule_list(vx, r, loc, k);
        } else if (strcmp(k, "Not") == 0) {
            count++;
            if (vx_obj(vx, r, loc, k) != NULL)
                rule_path(vx, val_obj_gets(r, k), vx_loc(vx, loc, k), false);
        } else if (strcmp(k, "Next") == 0 || strcmp(k, "Assign") == 0) {
            if (!top)
                vx_schema(vx, loc, k,
                          "The field \"%s\" is only supported in top-level Choice rules", k);
        } else if (strcmp(k, "Condition") == 0 || strcmp(k, "Output") == 0) {
            vx_schema(vx, loc, k,
                      "The field \"%s\" is not supported when the query language is JSONPath", k);
        } else if (strcmp(k, "Variable") != 0 && strcmp(k, "Comment") != 0) {
            vx_schema(vx, loc, k, "The field \"%s\" is not supported by Step Functions", k);
        }
    }
    return count;
}

static void
rule_path(vx_t *vx, const val_t *r, const char *loc, bool top)
{
    const struct op *cmp = NULL;

    if (!val_is(r, VAL_OBJ)) {
        vx_schema(vx, loc, NULL, "A Choice rule must be an object");
        return;
    }
    int count = rule_members(vx, r, loc, top, &cmp);
    if (count != 1)
        vx_schema(vx, loc, NULL,
                  "A Choice rule must have exactly one of these fields: And, Or, Not or a "
                  "comparison operator");
    if (cmp != NULL && val_obj_gets(r, "Variable") == NULL)
        vx_schema(vx, loc, NULL, "These fields are required: [Variable]");
    if (cmp == NULL && count > 0 && val_obj_gets(r, "Variable") != NULL)
        vx_schema(vx, loc, "Variable",
                  "The field \"Variable\" is not supported with And, Or or Not");
    vx_path(vx, r, loc, "Variable", 0, false);
    vx_str(vx, r, loc, "Comment");
    if (!top)
        return;
    if (val_obj_gets(r, "Next") == NULL)
        vx_schema(vx, loc, NULL, "These fields are required: [Next]");
    vx_str(vx, r, loc, "Next");
    vx_assign(vx, r, loc, false);
}

static void
rule_jsonata(vx_t *vx, const val_t *r, const char *loc)
{
    static const char *const keys[] = {"Condition", "Next", "Assign", "Output", "Comment", NULL};

    if (!val_is(r, VAL_OBJ)) {
        vx_schema(vx, loc, NULL, "A Choice rule must be an object");
        return;
    }
    for (size_t i = 0; i < val_len(r); i++) {
        const char *k = val_str_get(val_obj_at(r, i)->key);
        const char *const *p = keys;
        while (*p != NULL && strcmp(*p, k) != 0)
            p++;
        if (*p != NULL)
            continue;
        if (op_find(k) != NULL || strcmp(k, "Variable") == 0 || strcmp(k, "And") == 0 ||
            strcmp(k, "Or") == 0 || strcmp(k, "Not") == 0)
            vx_schema(vx, loc, k,
                      "The field \"%s\" is not supported when the query language is JSONata", k);
        else
            vx_schema(vx, loc, k, "The field \"%s\" is not supported by Step Functions", k);
    }
    const val_t *cond = val_obj_gets(r, "Condition");
    bool no_next = val_obj_gets(r, "Next") == NULL;
    if (cond == NULL || no_next)
        vx_schema(vx, loc, NULL, "These fields are required: [%s]",
                  cond == NULL && no_next ? "Condition, Next" : no_next ? "Next" : "Condition");
    if (cond != NULL && !val_is(cond, VAL_BOOL) && !vx_is_expr(cond))
        vx_schema(vx, loc, "Condition",
                  "The value for the field 'Condition' must be a boolean or a JSONata "
                  "expression");
    else if (cond != NULL)
        vx_jsonata(vx, cond, vx_loc(vx, loc, "Condition"), "Condition");
    vx_str(vx, r, loc, "Next");
    vx_str(vx, r, loc, "Comment");
    vx_jsonata_field(vx, r, loc, "Output");
    vx_assign(vx, r, loc, true);
}

/* Compiles a rule that passed the structural checks, as the engine will. */
static void
rule_compile(vx_state_t *st, const val_t *r, const char *rloc)
{
    const asl_choice_t *c;
    char err[256], where[256];

    if (!st->jsonata && !st->vx->paths_ok)
        return;
    err[0] = where[0] = '\0';
    if (asl_choice_compile(st->vx->a, r, st->jsonata ? ASL_CHOICE_F_JSONATA : 0, &c, err,
                           sizeof(err), where, sizeof(where)) != SX_OK)
        vx_schema(st->vx, sx_arena_printf(st->vx->a, NULL, "%s%s", rloc, where), NULL, "%s",
                  err[0] ? err : "Invalid Choice rule");
}

void
vx_state_choice(vx_state_t *st)
{
    const val_t *c = val_obj_gets(st->s, "Choices");
    if (c == NULL) {
        vx_schema(st->vx, st->loc, NULL, "These fields are required: [Choices]");
        return;
    }
    c = vx_arr(st->vx, st->s, st->loc, "Choices");
    if (c == NULL)
        return;
    const char *cloc = vx_loc(st->vx, st->loc, "Choices");
    if (val_len(c) == 0)
        vx_schema(st->vx, cloc, NULL, "Value cannot be empty");
    for (size_t i = 0; i < val_len(c); i++) {
        const char *rloc = vx_loci(st->vx, cloc, i);
        size_t before = st->vx->out->len;
        if (st->jsonata)
            rule_jsonata(st->vx, val_arr_at(c, i), rloc);
        else
            rule_path(st->vx, val_arr_at(c, i), rloc, true);
        if (st->vx->out->len == before)
            rule_compile(st, val_arr_at(c, i), rloc);
    }
}
