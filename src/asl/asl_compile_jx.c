/*
 * asl_compile_jx.c: compiles JSONata-mode field values (JSON with "{% expr %}" strings at
 * any depth) into asl_jx_t trees, and the shared ErrorEquals matcher.
 *
 * A subtree without any expression compiles to one ASL_JX_LIT node that points at the
 * definition's own value (no copy), so evaluation of a constant is a pointer return. Object
 * keys are never evaluated. Each node keeps the field path AWS prints in errors
 * ("Output", "Output/result", "Arguments/FunctionName").
 */
#include <string.h>

#include "stepx/asl.h"
#include "asl/asl_int.h"

bool
asl_jx_is_expr(const char *s, size_t n)
{
    return n >= 4 && s[0] == '{' && s[1] == '%' && s[n - 2] == '%' && s[n - 1] == '}';
}

static bool
has_expr(const val_t *v)
{
    switch (val_type(v)) {
    case VAL_STR:
        return asl_jx_is_expr(val_str_get(v), val_len(v));
    case VAL_ARR:
        for (size_t i = 0; i < val_len(v); i++)
            if (has_expr(val_arr_at(v, i)))
                return true;
        return false;
    case VAL_OBJ:
        for (size_t i = 0; i < val_len(v); i++)
            if (has_expr(val_obj_at(v, i)->val))
                return true;
        return false;
    default:
        return false;
    }
}

static int
jx_build(asl_cc_t *cc, const val_t *v, const char *field, const asl_jx_t **out)
{
    asl_jx_t *j = sx_arena_calloc(cc->a, sizeof(*j));
    j->field = field;
    j->lit = v;
    if (!has_expr(v)) {
        j->kind = ASL_JX_LIT;
        *out = j;
        return SX_OK;
    }
    if (val_type(v) == VAL_STR) {
        jna_error_t err;
        const char *s = val_str_get(v);
        size_t n = val_len(v);
        const char *b = s + 2, *e = s + n - 2;
        j->kind = ASL_JX_EXPR;
        /* AWS quotes the expression trimmed: "{% $x %}" -> '$x' */
        while (b < e && (*b == ' ' || *b == '\t' || *b == '\n' || *b == '\r'))
            b++;
        while (e > b && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\n' || e[-1] == '\r'))
            e--;
        if (jna_compile(cc->a, b, (size_t)(e - b), &j->expr, &err) != SX_OK)
            return asl_cc_fail(cc, field, "The JSONata expression '%.*s' is invalid: %s: %s",
                               (int)(e - b), b, err.code, err.message ? err.message : "");
        *out = j;
        return SX_OK;
    }
    size_t n = val_len(v);
    const asl_jx_t **kids = sx_arena_calloc(cc->a, (n ? n : 1) * sizeof(*kids));
    j->kind = val_type(v) == VAL_OBJ ? ASL_JX_OBJ : ASL_JX_ARR;
    j->n = (uint32_t)n;
    for (size_t i = 0; i < n; i++) {
        const val_t *kv;
        const char *sub;
        if (j->kind == ASL_JX_OBJ) {
            kv = val_obj_at(v, i)->val;
            sub = sx_arena_printf(cc->a, NULL, "%s/%s", field,
                                  val_str_get(val_obj_at(v, i)->key));
        } else {
            kv = val_arr_at(v, i);
            sub = sx_arena_printf(cc->a, NULL, "%s/%zu", field, i);
        }
        if (jx_build(cc, kv, sub, &kids[i]) != SX_OK)
            return SX_ERR;
    }
    j->kids = kids;
    *out = j;
    return SX_OK;
}

int
asl_cc_jx(asl_cc_t *cc, const val_t *v, const char *field, const asl_jx_t **out)
{
    *out = NULL;
    if (v == NULL)
        return SX_OK;
    return jx_build(cc, v, field, out);
}

bool
asl_errors_match(const char *const *errors, uint32_t n, const char *name)
{
    for (uint32_t i = 0; i < n; i++) {
        const char *e = errors[i];
        if (strcmp(e, "States.ALL") == 0)
            return true;
        if (strcmp(e, name) == 0)
            return true;
        if (strcmp(e, "States.TaskFailed") == 0 && strcmp(name, "States.Timeout") != 0)
            return true;
    }
    return false;
}
