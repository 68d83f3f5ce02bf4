/*
 * asl_validate_util.c: the small pieces every validator check is built from.
 *
 * - locations: JSON pointers (RFC 6901: "~" -> "~0", "/" -> "~1") built in the scratch arena;
 * - typed getters that report a wrong JSON type and return NULL, so a check can always go on
 *   with "absent" (no diagnostic cascades from one bad field);
 * - compile checks that hand a field to the module that owns its syntax: jp_compile (Paths,
 *   Reference Paths), jp_expr_compile (Path or intrinsic), jp_tmpl_compile (payload
 *   templates), jna_compile (JSONata "{% %}" strings);
 * - Assign: variable names (Unicode identifier, at most 80 characters, not "states", no
 *   sub-path) and values (a JSONPath payload template, or JSONata anywhere inside).
 *
 * While the path module is its placeholder (vx->paths_ok false) path syntax is not checked;
 * a JSONata error with code S0000 (the placeholder's) is not reported.
 *
 * Message family (ours where AWS's text is not recorded): "The value for the field 'F' must
 * be <a string | an integer | ...>", "The value for the field 'F' must be between A and B",
 * "The value for the field 'F' must be a valid JSONPath" (AWS's text for a bad Variable).
 */
#include <stdio.h>
#include <string.h>

#include "asl/asl_validate_int.h"
#include "stepx/jsonata.h"
#include "stepx/path.h"

#define VAR_NAME_MAX 80

/* ======================================================================== diagnostics */

void
vx_diag(vx_t *vx, const char *code, const char *loc, const char *field, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *msg = sx_arena_vprintf(vx->out->a, NULL, fmt, ap);
    va_end(ap);
    if (field != NULL)
        loc = vx_loc(vx, loc, field);
    asl_diags_add(vx->out, code, loc[0] ? loc : "/", "%s", msg);
}

const char *
vx_loc(vx_t *vx, const char *loc, const char *key)
{
    size_t n = strlen(loc), k = strlen(key), extra = 0;
    for (size_t i = 0; i < k; i++)
        extra += key[i] == '~' || key[i] == '/';
    char *s = sx_arena_alloc(vx->a, n + k + extra + 2), *o = s + n;
    memcpy(s, loc, n);
    *o++ = '/';
    for (size_t i = 0; i < k; i++) {
        if (key[i] == '~' || key[i] == '/') {
            *o++ = '~';
            *o++ = key[i] == '~' ? '0' : '1';
        } else {
            *o++ = key[i];
        }
    }
    *o = '\0';
    return s;
}

const char *
vx_loci(vx_t *vx, const char *loc, size_t i)
{
    return sx_arena_printf(vx->a, NULL, "%s/%zu", loc, i);
}

/* ======================================================================== typed getters */

static const char *
type_words(val_type_t t)
{
    switch (t) {
    case VAL_STR:
        return "a string";
    case VAL_OBJ:
        return "an object";
    case VAL_ARR:
        return "an array";
    case VAL_BOOL:
        return "a boolean";
    case VAL_NUM:
        return "a number";
    default:
        return "null";
    }
}

static const val_t *
typed(vx_t *vx, const val_t *obj, const char *loc, const char *field, val_type_t t)
{
    const val_t *v = val_obj_gets(obj, field);
    if (v == NULL || val_type(v) == t)
        return v;
    vx_schema(vx, loc, field, "The value for the field '%s' must be %s", field, type_words(t));
    return NULL;
}

const val_t *
vx_str(vx_t *vx, const val_t *obj, const char *loc, const char *field)
{
    return typed(vx, obj, loc, field, VAL_STR);
}

const val_t *
vx_obj(vx_t *vx, const val_t *obj, const char *loc, const char *field)
{
    return typed(vx, obj, loc, field, VAL_OBJ);
}

const val_t *
vx_arr(vx_t *vx, const val_t *obj, const char *loc, const char *field)
{
    return typed(vx, obj, loc, field, VAL_ARR);
}

const val_t *
vx_bool(vx_t *vx, const val_t *obj, const char *loc, const char *field)
{
    return typed(vx, obj, loc, field, VAL_BOOL);
}

bool
vx_is_expr(const val_t *v)
{
    if (!val_is(v, VAL_STR) || val_len(v) < 4)
        return false;
    const char *s = val_str_get(v);
    size_t n = val_len(v);
    return s[0] == '{' && s[1] == '%' && s[n - 2] == '%' && s[n - 1] == '}';
}

/* True when a number was written as an integer (no fraction or exponent). */
static bool
num_is_int_text(const val_t *v)
{
    const char *raw = v->u.num.raw;
    if (raw == NULL)
        return (v->flags & VAL_F_INT) != 0;
    return strpbrk(raw, ".eE") == NULL;
}

int
vx_int(vx_t *vx, const val_t *obj, const char *loc, const char *field, long long min,
       long long max, bool jsonata, long long *out)
{
    const val_t *v = val_obj_gets(obj, field);
    if (v == NULL)
        return 0;
    if (jsonata && vx_is_expr(v)) {
        vx_jsonata(vx, v, vx_loc(vx, loc, field), field);
        return 2;
    }
    if (!val_is(v, VAL_NUM) || !num_is_int_text(v)) {
        vx_schema(vx, loc, field, "The value for the field '%s' must be an integer%s", field,
                  jsonata ? " or a JSONata expression" : "");
        return 0;
    }
    double d = val_num_get(v);
    if (!(d >= (double)min && d <= (double)max)) {
        vx_schema(vx, loc, field, "The value for the field '%s' must be between %lld and %lld",
                  field, min, max);
        return 0;
    }
    *out = (long long)d;
    return 1;
}

int
vx_num(vx_t *vx, const val_t *obj, const char *loc, const char *field, double min, double max,
       bool jsonata, double *out)
{
    const val_t *v = val_obj_gets(obj, field);
    if (v == NULL)
        return 0;
    if (jsonata && vx_is_expr(v)) {
        vx_jsonata(vx, v, vx_loc(vx, loc, field), field);
        return 2;
    }
    if (!val_is(v, VAL_NUM)) {
        vx_schema(vx, loc, field, "The value for the field '%s' must be a number%s", field,
                  jsonata ? " or a JSONata expression" : "");
        return 0;
    }
    double d = val_num_get(v);
    if (!(d >= min && d <= max)) {
        vx_schema(vx, loc, field, "The value for the field '%s' must be between %g and %g",
                  field, min, max);
        return 0;
    }
    *out = d;
    return 1;
}

void
vx_exclusive(vx_t *vx, const val_t *obj, const char *loc, const char *f1, const char *f2)
{
    if (val_obj_gets(obj, f1) != NULL && val_obj_gets(obj, f2) != NULL)
        vx_schema(vx, loc, NULL, "Only one of these fields can be specified: [%s, %s]", f1, f2);
}

void
vx_known(vx_t *vx, const val_t *obj, const char *loc, const char *const *keys)
{
    for (size_t i = 0; i < val_len(obj); i++) {
        const char *k = val_str_get(val_obj_at(obj, i)->key);
        const char *const *p = keys;
        while (*p != NULL && strcmp(*p, k) != 0)
            p++;
        if (*p == NULL)
            vx_schema(vx, loc, k, "The field \"%s\" is not supported by Step Functions", k);
    }
}

/* ======================================================================== paths */

void
vx_path(vx_t *vx, const val_t *obj, const char *loc, const char *field, unsigned flags,
        bool nullable)
{
    const val_t *v = val_obj_gets(obj, field);
    char err[256];
    const jp_prog_t *p;

    if (v == NULL || (nullable && val_is(v, VAL_NULL)))
        return;
    if (!val_is(v, VAL_STR)) {
        vx_schema(vx, loc, field, "The value for the field '%s' must be a string%s", field,
                  nullable ? " or null" : "");
        return;
    }
    if (!vx->paths_ok)
        return;
    if (jp_compile(vx->a, val_str_get(v), val_len(v), flags, &p, err, sizeof(err)) != SX_OK)
        vx_schema(vx, loc, field, "The value for the field '%s' must be a valid %s", field,
                  flags & JP_F_REFERENCE ? "ReferencePath" : "JSONPath");
}

void
vx_path_or_fn(vx_t *vx, const val_t *obj, const char *loc, const char *field)
{
    const val_t *v = vx_str(vx, obj, loc, field);
    char err[256];
    const jp_expr_t *e;
    const jp_prog_t *p;
    int rc;

    if (v == NULL || !vx->paths_ok)
        return;
    if (val_len(v) > 0 && val_str_get(v)[0] == '$')
        rc = jp_compile(vx->a, val_str_get(v), val_len(v), JP_F_REFERENCE, &p, err, sizeof(err));
    else
        rc = jp_expr_compile(vx->a, val_str_get(v), val_len(v), &e, err, sizeof(err));
    if (rc != SX_OK)
        vx_schema(vx, loc, field,
                  "The value for the field '%s' must be a valid ReferencePath or a valid "
                  "intrinsic function call",
                  field);
}

void
vx_tmpl(vx_t *vx, const val_t *obj, const char *loc, const char *field, bool need_object)
{
    const val_t *v = val_obj_gets(obj, field);
    char err[256], where[512];
    const jp_tmpl_t *t;

    if (v == NULL)
        return;
    if (!val_is(v, VAL_OBJ)) {
        if (need_object)
            vx_schema(vx, loc, field, "The value for the field '%s' must be an object", field);
        return;
    }
    if (!vx->paths_ok)
        return;
    where[0] = '\0';
    err[0] = '\0';
    if (jp_tmpl_compile(vx->a, v, &t, err, sizeof(err), where, sizeof(where)) != SX_OK) {
        const char *floc = vx_loc(vx, loc, field);
        (void)where; /* AWS reports the template field itself, e.g. /States/S/Parameters */
        vx_schema(vx, floc, NULL, "%s", err[0] ? err : "Invalid payload template");
    }
}

/* ======================================================================== JSONata */

static void
jsonata_str(vx_t *vx, const val_t *v, const char *loc, const char *field)
{
    const char *s = val_str_get(v) + 2;
    size_t n = val_len(v) - 4;
    const jna_expr_t *e;
    jna_error_t err;

    while (n > 0 && (s[0] == ' ' || s[0] == '\t' || s[0] == '\n' || s[0] == '\r'))
        s++, n--;
    while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\n' || s[n - 1] == '\r'))
        n--;
    memset(&err, 0, sizeof(err));
    if (jna_compile(vx->a, s, n, &e, &err) == SX_OK || strcmp(err.code, "S0000") == 0)
        return;
    vx_schema(vx, loc, NULL,
              "The JSONata expression '%.*s' specified for the field '%s' is invalid: %s: %s",
              (int)n, s, field, err.code, err.message ? err.message : "syntax error");
}

void
vx_jsonata(vx_t *vx, const val_t *v, const char *loc, const char *field)
{
    if (vx_is_expr(v)) {
        jsonata_str(vx, v, loc, field);
    } else if (val_is(v, VAL_ARR)) {
        for (size_t i = 0; i < val_len(v); i++)
            vx_jsonata(vx, val_arr_at(v, i), vx_loci(vx, loc, i),
                       sx_arena_printf(vx->a, NULL, "%s/%zu", field, i));
    } else if (val_is(v, VAL_OBJ)) {
        for (size_t i = 0; i < val_len(v); i++) {
            const val_member_t *m = val_obj_at(v, i);
            vx_jsonata(vx, m->val, vx_loc(vx, loc, val_str_get(m->key)),
                       sx_arena_printf(vx->a, NULL, "%s/%s", field, val_str_get(m->key)));
        }
    }
}

void
vx_jsonata_field(vx_t *vx, const val_t *obj, const char *loc, const char *field)
{
    const val_t *v = val_obj_gets(obj, field);
    if (v != NULL)
        vx_jsonata(vx, v, vx_loc(vx, loc, field), field);
}

/* ======================================================================== Assign */

/* Decodes one UTF-8 code point at s[*i] (already validated by the JSON parser). */
static unsigned
utf8_cp(const unsigned char *s, size_t n, size_t *i)
{
    unsigned c = s[*i], cp;
    int extra = c >= 0xF0 ? 3 : c >= 0xE0 ? 2 : c >= 0xC0 ? 1 : 0;
    cp = extra == 3 ? c & 0x07 : extra == 2 ? c & 0x0F : extra == 1 ? c & 0x1F : c;
    (*i)++;
    for (int k = 0; k < extra && *i < n; k++, (*i)++)
        cp = (cp << 6) | (s[*i] & 0x3F);
    return cp;
}

/* Identifier characters: ASCII letters, '_' and digits (not first); any non-ASCII letter-ish
 * code point (an approximation of ID_Start / ID_Continue that rejects only ASCII
 * punctuation, spaces and controls). */
static bool
var_name_ok(const char *name, size_t n, size_t *chars)
{
    const unsigned char *s = (const unsigned char *)name;
    size_t i = 0;
    *chars = 0;
    if (n == 0)
        return false;
    while (i < n) {
        unsigned cp = utf8_cp(s, n, &i);
        bool letter = (cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z') || cp == '_' ||
                      (cp >= 0xAA && cp != 0xD7 && cp != 0xF7 && !(cp >= 0x2000 && cp <= 0x206F) &&
                       cp != 0x3000 && cp != 0xFEFF);
        bool digit = cp >= '0' && cp <= '9';
        if (!(letter || (digit && *chars > 0)))
            return false;
        (*chars)++;
    }
    return true;
}

static void
assign_names(vx_t *vx, const val_t *assign, const char *aloc, bool jsonata)
{
    for (size_t i = 0; i < val_len(assign); i++) {
        const val_member_t *m = val_obj_at(assign, i);
        const char *key = val_str_get(m->key);
        size_t n = val_len(m->key), chars;
        if (!jsonata && n >= 2 && key[n - 2] == '.' && key[n - 1] == '$')
            n -= 2;
        if (!var_name_ok(key, n, &chars))
            vx_schema(vx, aloc, key, "The variable name '%.*s' is not a valid identifier",
                      (int)n, key);
        else if (chars > VAR_NAME_MAX)
            vx_schema(vx, aloc, key, "Variable names must be at most %d characters long",
                      VAR_NAME_MAX);
        else if (n == 6 && memcmp(key, "states", 6) == 0)
            vx_schema(vx, aloc, key, "The variable name 'states' is reserved");
    }
}

void
vx_assign(vx_t *vx, const val_t *obj, const char *loc, bool jsonata)
{
    const val_t *assign = vx_obj(vx, obj, loc, "Assign");
    if (assign == NULL)
        return;
    const char *aloc = vx_loc(vx, loc, "Assign");
    assign_names(vx, assign, aloc, jsonata);
    if (jsonata)
        vx_jsonata(vx, assign, aloc, "Assign");
    else
        vx_tmpl(vx, obj, loc, "Assign", true);
}
