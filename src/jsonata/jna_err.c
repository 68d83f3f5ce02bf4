/*
 * jna_err.c: JSONata error codes and their message templates (jsonata-js errorCodes).
 *
 * "{{x}}" inserts the JSON text of field x (strings quoted), "{{{x}}}" inserts it raw, as
 * the reference's populateMessage does. Fields: token, value, value2, index, type.
 */
#include <math.h>
#include <stdio.h>

#include "jna_int.h"

typedef struct tmpl {
    const char *code;
    const char *text;
} tmpl_t;

static const tmpl_t templates[] = {
    {"S0101", "String literal must be terminated by a matching quote"},
    {"S0102", "Number out of range: {{token}}"},
    {"S0103", "Unsupported escape sequence: \\{{token}}"},
    {"S0104", "The escape sequence \\u must be followed by 4 hex digits"},
    {"S0105", "Quoted property name must be terminated with a backquote (`)"},
    {"S0106", "Comment has no closing tag"},
    {"S0201", "Syntax error: {{token}}"},
    {"S0202", "Expected {{value}}, got {{token}}"},
    {"S0203", "Expected {{value}} before end of expression"},
    {"S0204", "Unknown operator: {{token}}"},
    {"S0205", "Unexpected token: {{token}}"},
    {"S0206", "Unknown expression type: {{token}}"},
    {"S0207", "Unexpected end of expression"},
    {"S0208", "Parameter {{value}} of function definition must be a variable name (start with $)"},
    {"S0209", "A predicate cannot follow a grouping expression in a step"},
    {"S0210", "Each step can only have one grouping expression"},
    {"S0211", "The symbol {{token}} cannot be used as a unary operator"},
    {"S0212", "The left side of := must be a variable name (start with $)"},
    {"S0213", "The literal value {{value}} cannot be used as a step within a path expression"},
    {"S0214", "The right side of {{token}} must be a variable name (start with $)"},
    {"S0215", "A context variable binding must precede any predicates on a step"},
    {"S0216", "A context variable binding must precede the 'order-by' clause on a step"},
    {"S0217", "The object representing the 'parent' cannot be derived from this expression"},
    {"S0301", "Empty regular expressions are not allowed"},
    {"S0302", "No terminating / in regular expression"},
    {"S0401", "Type parameters can only be applied to functions and arrays"},
    {"S0402", "Choice groups containing parameterized types are not supported"},
    {"T0410", "Argument {{index}} of function {{token}} does not match function signature"},
    {"T0411", "Context value is not a compatible type with argument {{index}} of function "
              "{{token}}"},
    {"T0412", "Argument {{index}} of function {{token}} must be an array of {{type}}"},
    {"D1001", "Number out of range: {{value}}"},
    {"D1002", "Cannot negate a non-numeric value: {{value}}"},
    {"T1003", "Key in object structure must evaluate to a string; got: {{value}}"},
    {"D1004", "Regular expression matches zero length string"},
    {"T1005", "Attempted to invoke a non-function. Did you mean ${{{token}}}?"},
    {"T1006", "Attempted to invoke a non-function"},
    {"T1007", "Attempted to partially apply a non-function. Did you mean ${{{token}}}?"},
    {"T1008", "Attempted to partially apply a non-function"},
    {"D1009", "Multiple key definitions evaluate to same key: {{value}}"},
    {"D1013", "Object property names starting with _jsonata_ are reserved for internal use: "
              "{{value}}"},
    {"T1010", "The matcher function argument passed to function {{token}} does not return the "
              "correct object structure"},
    {"T2001", "The left side of the {{token}} operator must evaluate to a number"},
    {"T2002", "The right side of the {{token}} operator must evaluate to a number"},
    {"T2003", "The left side of the range operator (..) must evaluate to an integer"},
    {"T2004", "The right side of the range operator (..) must evaluate to an integer"},
    {"T2006", "The right side of the function application operator ~> must be a function"},
    {"T2007", "Type mismatch when comparing values {{value}} and {{value2}} in order-by clause"},
    {"T2008", "The expressions within an order-by clause must evaluate to numeric or string "
              "values"},
    {"T2009", "The values {{value}} and {{value2}} either side of operator {{token}} must be of "
              "the same data type"},
    {"T2010", "The expressions either side of operator {{token}} must evaluate to numeric or "
              "string values"},
    {"T2011", "The insert/update clause of the transform expression must evaluate to an "
              "object: {{value}}"},
    {"T2012", "The delete clause of the transform expression must evaluate to a string or "
              "array of strings: {{value}}"},
    {"T2013", "The transform expression clones the input object using the $clone() function.  "
              "This has been overridden in the current scope by a non-function."},
    {"D2014", "The size of the sequence allocated by the range operator (..) must not exceed "
              "1e7.  Attempted to allocate {{value}}."},
    {"D3010", "Second argument of replace function cannot be an empty string"},
    {"D3011", "Fourth argument of replace function must evaluate to a positive number"},
    {"D3012", "Attempted to replace a matched string with a non-string value"},
    {"D3020", "Third argument of split function must evaluate to a positive number"},
    {"D3040", "Third argument of match function must evaluate to a positive number"},
    {"D3050", "The second argument of reduce function must be a function with at least two "
              "arguments"},
    {"D3070", "The single argument form of the sort function can only be applied to an array "
              "of strings or an array of numbers.  Use the second argument to specify a "
              "comparison function"},
    {"D3120", "Syntax error in expression passed to function eval: {{value}}"},
    {"D3121", "Dynamic error evaluating the expression passed to function eval: {{value}}"},
    {"D3138", "The $single() function expected exactly 1 matching result.  Instead it matched "
              "more."},
    {"D3139", "The $single() function expected exactly 1 matching result.  Instead it matched "
              "0."},
    {"U1001", "Stack overflow error: Check for non-terminating recursive function.  Consider "
              "rewriting as tail-recursive."},
    /* ours: jsonata-js would die with a RangeError or run out of memory */
    {"U1002", "Result too large: the evaluation needs more than {{value}} bytes"},
};

const char *
jna_err_valtext(sx_arena_t *a, const val_t *v)
{
    char buf[VAL_NUM_BUF];
    if (v == NULL)
        return "undefined";
    if (v->type == VAL_NUM && !isfinite(v->u.num.d))
        return "null";
    if (v->type == VAL_NUM && v->u.num.raw == NULL) {
        val_num_fmt(v->u.num.d, buf);
        return sx_arena_strndup(a, buf, strlen(buf));
    }
    if (v->type == VAL_FUNC)
        return "\"\"";
    return val_json_str(a, v, NULL);
}

typedef struct fields {
    const char *token;
    const val_t *value, *value2;
    int index;
    const char *type;
} fields_t;

static void
field_text(sx_arena_t *a, sx_sbuf_t *b, const char *name, size_t n, const fields_t *f, bool raw)
{
    if (n == 5 && memcmp(name, "token", 5) == 0) {
        if (f->token == NULL)
            sx_sbuf_adds(b, "undefined"); /* JSON.stringify(undefined) in the template */
        else if (raw)
            sx_sbuf_adds(b, f->token);
        else
            val_json_quote(b, f->token, strlen(f->token));
    } else if (n == 5 && memcmp(name, "value", 5) == 0) {
        if (raw && val_is(f->value, VAL_STR))
            sx_sbuf_add(b, f->value->u.str, f->value->len);
        else
            sx_sbuf_adds(b, jna_err_valtext(a, f->value));
    } else if (n == 6 && memcmp(name, "value2", 6) == 0) {
        sx_sbuf_adds(b, jna_err_valtext(a, f->value2));
    } else if (n == 5 && memcmp(name, "index", 5) == 0) {
        sx_sbuf_addf(b, "%d", f->index);
    } else if (n == 4 && memcmp(name, "type", 4) == 0) {
        if (raw)
            sx_sbuf_adds(b, f->type ? f->type : "");
        else
            val_json_quote(b, f->type ? f->type : "", f->type ? strlen(f->type) : 0);
    }
}

static const char *
render(sx_arena_t *a, const char *t, const fields_t *f)
{
    sx_sbuf_t b = SX_SBUF_INIT;
    const char *r;
    while (*t) {
        if (t[0] == '{' && t[1] == '{') {
            bool raw = t[2] == '{';
            const char *s = t + (raw ? 3 : 2);
            const char *e = strstr(s, raw ? "}}}" : "}}");
            if (e != NULL) {
                field_text(a, &b, s, (size_t)(e - s), f, raw);
                t = e + (raw ? 3 : 2);
                continue;
            }
        }
        sx_sbuf_addc(&b, *t++);
    }
    r = sx_arena_strndup(a, b.p ? b.p : "", b.len);
    sx_sbuf_fini(&b);
    return r;
}

/* jsonata-js renders the message when the error leaves evaluate(), after call sites have
 * filled in a missing token; we render at once and re-render when jna_err_fill_token()
 * adds the token later. The fields of the last error raised on this thread are kept for
 * that (an error propagates straight up, so it is the one being filled). */
static _Thread_local struct {
    const jna_error_t *err; /* error the fields belong to */
    const char *tmpl;       /* its template, when it mentions the token */
    fields_t f;
} last;

static int
fail(sx_arena_t *a, jna_error_t *err, const char *code, int position, const fields_t *f)
{
    snprintf(err->code, sizeof(err->code), "%s", code);
    err->position = position;
    /* the token may live in a caller's stack frame (a lexer token): keep a copy */
    err->token = f->token != NULL ? sx_arena_strndup(a, f->token, strlen(f->token)) : NULL;
    err->value = f->value;
    err->message = code;
    last.err = NULL;
    for (size_t i = 0; i < SX_ARRAY_LEN(templates); i++) {
        if (strcmp(templates[i].code, code) == 0) {
            err->message = render(a, templates[i].text, f);
            if (f->token == NULL && strstr(templates[i].text, "{{token}}") != NULL) {
                last.err = err;
                last.tmpl = templates[i].text;
                last.f = *f;
            }
            break;
        }
    }
    return SX_ERR;
}

void
jna_err_fill_token(sx_arena_t *a, jna_error_t *err, const char *token)
{
    if (err->token != NULL || token == NULL)
        return;
    token = sx_arena_strndup(a, token, strlen(token));
    err->token = token;
    if (last.err == err) {
        last.f.token = token;
        err->message = render(a, last.tmpl, &last.f);
        last.err = NULL;
    }
}

int
jna_fail(sx_arena_t *a, jna_error_t *err, const char *code, int position, const char *token,
         const val_t *value, const val_t *value2)
{
    fields_t f = {token, value, value2, 0, NULL};
    return fail(a, err, code, position, &f);
}

int
jna_fail_idx(sx_arena_t *a, jna_error_t *err, const char *code, int position,
             const char *token, const val_t *value, int index, const char *type)
{
    fields_t f = {token, value, NULL, index, type};
    return fail(a, err, code, position, &f);
}
