/*
 * asl_validate.c: definition validation, the top of it: the diagnostics list and its AWS
 * formatting, the text entry point, and the walk over one state machine scope.
 *
 * A scope is the top-level machine, a Parallel branch or a Map item processor: {StartAt,
 * States, ...}. For each scope the walk
 *   1. checks the scope's own fields (required StartAt/States, unknown fields, Version,
 *      TimeoutSeconds),
 *   2. checks every state (asl_validate_states.c and friends), its name (at most 80
 *      characters, unique in the WHOLE machine: one name map shared by all scopes),
 *   3. resolves every transition (StartAt, Next, Default, Choices[i].Next, Catch[i].Next)
 *      inside the scope only: a branch cannot jump to a state of its parent,
 *   4. marks the states reachable from StartAt and reports the others,
 *   5. (before 2) collects the variable names the scope's Assign blocks set (states, Choice
 *      rules, catchers) and reports those an enclosing scope also assigns: inner scopes may
 *      read outer variables but not assign them (variables-jsonata.md §1, no shadowing).
 * Nested scopes are walked from the Parallel / Map checks, so the recursion depth is bounded
 * by the JSON nesting depth the parser accepts (VAL_JSON_MAX_DEPTH).
 *
 * Texts recorded from AWS: "These fields are required: [States, StartAt]" (at "/"),
 * "Definition must be a valid JSON object". "Missing 'Next' target: X" is AWS's form as
 * remembered; the UNREACHABLE_STATE and DUPLICATE_STATE_NAME texts are ours.
 */
#include <stdio.h>
#include <string.h>

#include "asl/asl_validate_int.h"
#include "stepx/path.h"

const char ASL_DIAG_SCHEMA[] = "SCHEMA_VALIDATION_FAILED";
const char ASL_DIAG_INVALID_JSON[] = "INVALID_JSON_DESCRIPTION";
const char ASL_DIAG_MISSING_TARGET[] = "MISSING_TRANSITION_TARGET";
const char ASL_DIAG_UNREACHABLE[] = "UNREACHABLE_STATE";
const char ASL_DIAG_DUPLICATE_STATE[] = "DUPLICATE_STATE_NAME";

#define STATE_NAME_MAX 80
#define MACHINE_TIMEOUT_MAX 99999999LL

/* ======================================================================== diagnostics */

void
asl_diags_init(asl_diags_t *d, sx_arena_t *a)
{
    d->v = NULL;
    d->len = 0;
    d->cap = 0;
    d->a = a;
}

static void
diags_push(asl_diags_t *d, const char *code, const char *location, const char *message)
{
    if (d->len == d->cap) {
        size_t cap = d->cap ? d->cap * 2 : 8;
        asl_diag_t *v = sx_arena_alloc(d->a, cap * sizeof(*v));
        if (d->len)
            memcpy(v, d->v, d->len * sizeof(*v));
        d->v = v;
        d->cap = cap;
    }
    d->v[d->len].code = code;
    d->v[d->len].message = message;
    d->v[d->len].location = location ? sx_arena_strndup(d->a, location, strlen(location)) : NULL;
    d->len++;
}

void
asl_diags_add(asl_diags_t *d, const char *code, const char *location, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *msg = sx_arena_vprintf(d->a, NULL, fmt, ap);
    va_end(ap);
    diags_push(d, code, location, msg);
}

const char *
asl_diag_format(sx_arena_t *a, const asl_diag_t *d)
{
    if (d->location == NULL)
        return sx_arena_printf(a, NULL, "Invalid State Machine Definition: '%s: %s'", d->code,
                               d->message);
    return sx_arena_printf(a, NULL, "Invalid State Machine Definition: '%s: %s at %s'", d->code,
                           d->message, d->location);
}

const char *
asl_diags_format(sx_arena_t *a, const asl_diags_t *d)
{
    if (d->len == 0)
        return "";
    sx_sbuf_t b = SX_SBUF_INIT;
    sx_sbuf_adds(&b, "Invalid State Machine Definition: '");
    for (size_t i = 0; i < d->len; i++) {
        const asl_diag_t *g = &d->v[i];
        sx_sbuf_addf(&b, "%s%s: %s", i ? ", " : "", g->code, g->message);
        if (g->location != NULL)
            sx_sbuf_addf(&b, " at %s", g->location);
    }
    sx_sbuf_addc(&b, '\'');
    const char *s = sx_arena_strndup(a, b.p, b.len);
    sx_sbuf_fini(&b);
    return s;
}

int
asl_type_parse(const char *s, asl_type_t *out)
{
    if (strcmp(s, "EXPRESS") == 0)
        *out = ASL_TYPE_EXPRESS;
    else if (strcmp(s, "STANDARD") == 0)
        *out = ASL_TYPE_STANDARD;
    else
        return SX_ERR;
    return SX_OK;
}

/* ======================================================================== name map */

struct vx_ment {
    const char *k; /* key bytes (borrowed from the definition), NULL = empty slot */
    size_t n;      /* key length */
    int v;         /* value */
};

void
vx_map_init(vx_map_t *m, sx_arena_t *a)
{
    m->a = a;
    m->t = NULL;
    m->cap = 0;
    m->len = 0;
}

static size_t
map_hash(const char *k, size_t n)
{
    size_t h = 1469598103934665603ULL;
    for (size_t i = 0; i < n; i++)
        h = (h ^ (unsigned char)k[i]) * 1099511628211ULL;
    return h;
}

static struct vx_ment *
map_slot(struct vx_ment *t, size_t cap, const char *k, size_t n)
{
    size_t i = map_hash(k, n) & (cap - 1);
    while (t[i].k != NULL && (t[i].n != n || memcmp(t[i].k, k, n) != 0))
        i = (i + 1) & (cap - 1);
    return &t[i];
}

int
vx_map_get(const vx_map_t *m, const char *k, size_t n)
{
    if (m->cap == 0)
        return -1;
    const struct vx_ment *e = map_slot(m->t, m->cap, k, n);
    return e->k ? e->v : -1;
}

void
vx_map_put(vx_map_t *m, const char *k, size_t n, int v)
{
    if ((m->len + 1) * 2 > m->cap) {
        size_t cap = m->cap ? m->cap * 2 : 16;
        struct vx_ment *t = sx_arena_calloc(m->a, cap * sizeof(*t));
        for (size_t i = 0; i < m->cap; i++)
            if (m->t[i].k != NULL)
                *map_slot(t, cap, m->t[i].k, m->t[i].n) = m->t[i];
        m->t = t;
        m->cap = cap;
    }
    struct vx_ment *e = map_slot(m->t, m->cap, k, n);
    if (e->k == NULL)
        m->len++;
    e->k = k;
    e->n = n;
    e->v = v;
}

/* ======================================================================== scope walk */

/* Number of Unicode code points in a UTF-8 string. */
static size_t
utf8_chars(const char *s, size_t n)
{
    size_t c = 0;
    for (size_t i = 0; i < n; i++)
        if (((unsigned char)s[i] & 0xC0) != 0x80)
            c++;
    return c;
}

static void
scope_fields(vx_t *vx, const val_t *sm, const char *loc, int kind)
{
    static const char *const top[] = {"StartAt", "States", "Comment", "Version",
                                      "TimeoutSeconds", "QueryLanguage", NULL};
    static const char *const branch[] = {"StartAt", "States", "Comment", NULL};
    static const char *const proc[] = {"StartAt", "States", "Comment", "ProcessorConfig", NULL};
    const val_t *states = val_obj_gets(sm, "States"), *start = val_obj_gets(sm, "StartAt");
    long long n;

    if (states == NULL || start == NULL)
        vx_schema(vx, loc, NULL, "These fields are required: [%s]",
                  states == NULL && start == NULL ? "States, StartAt"
                  : states == NULL                ? "States"
                                                  : "StartAt");
    vx_known(vx, sm, loc, kind == 0 ? top : kind == 1 ? branch : proc);
    vx_str(vx, sm, loc, "Comment");
    if (kind != 0)
        return;
    const val_t *ver = vx_str(vx, sm, loc, "Version");
    if (ver != NULL && strcmp(val_str_get(ver), "1.0") != 0)
        vx_schema(vx, loc, "Version", "The field 'Version' should have one of these values: [1.0]");
    vx_int(vx, sm, loc, "TimeoutSeconds", 0, MACHINE_TIMEOUT_MAX, false, &n);
}

static void
state_name_check(vx_t *vx, const val_member_t *m, const char *sloc)
{
    const char *name = val_str_get(m->key);
    size_t n = val_len(m->key);
    if (n == 0)
        vx_schema(vx, sloc, NULL, "State names cannot be empty");
    else if (utf8_chars(name, n) > STATE_NAME_MAX)
        vx_schema(vx, sloc, NULL, "State names must be at most %d characters long",
                  STATE_NAME_MAX);
    if (vx_map_get(&vx->names, name, n) >= 0)
        vx_diag(vx, ASL_DIAG_DUPLICATE_STATE, sloc, NULL, "Duplicate State name: %s", name);
    else
        vx_map_put(&vx->names, name, n, 0);
}

/* Resolves one transition target; returns its index in the scope or -1 (reported). */
static int
target(vx_t *vx, const vx_map_t *scope, const val_t *obj, const char *loc, const char *field)
{
    const val_t *t = val_obj_gets(obj, field);
    if (!val_is(t, VAL_STR))
        return -1; /* absent or reported by the state checks */
    int i = vx_map_get(scope, val_str_get(t), val_len(t));
    if (i < 0)
        vx_diag(vx, ASL_DIAG_MISSING_TARGET, loc, field, "Missing '%s' target: %s", field,
                val_str_get(t));
    return i;
}

/* Targets of each state of a scope: edges[i] lists state i's resolved successors, -1
 * terminated; unresolved targets are reported and left out. */
static int **
scope_edges(vx_t *vx, const val_t *states, const vx_map_t *scope, const char *sloc)
{
    size_t n = val_len(states);
    int **edges = sx_arena_calloc(vx->a, (n + 1) * sizeof(*edges));
    for (size_t i = 0; i < n; i++) {
        const val_member_t *m = val_obj_at(states, i);
        const val_t *s = m->val;
        const char *loc = vx_loc(vx, sloc, val_str_get(m->key));
        const val_t *choices = val_obj_gets(s, "Choices"), *catch = val_obj_gets(s, "Catch");
        size_t max = 3 + (val_is(choices, VAL_ARR) ? val_len(choices) : 0) +
                     (val_is(catch, VAL_ARR) ? val_len(catch) : 0);
        int *e = sx_arena_alloc(vx->a, max * sizeof(*e)), k = 0, t;
        if (val_is(s, VAL_OBJ)) {
            if ((t = target(vx, scope, s, loc, "Next")) >= 0)
                e[k++] = t;
            if ((t = target(vx, scope, s, loc, "Default")) >= 0)
                e[k++] = t;
            for (size_t j = 0; val_is(choices, VAL_ARR) && j < val_len(choices); j++)
                if ((t = target(vx, scope, val_arr_at(choices, j),
                                vx_loci(vx, vx_loc(vx, loc, "Choices"), j), "Next")) >= 0)
                    e[k++] = t;
            for (size_t j = 0; val_is(catch, VAL_ARR) && j < val_len(catch); j++)
                if ((t = target(vx, scope, val_arr_at(catch, j),
                                vx_loci(vx, vx_loc(vx, loc, "Catch"), j), "Next")) >= 0)
                    e[k++] = t;
        }
        e[k] = -1;
        edges[i] = e;
    }
    return edges;
}

/* Reports the states of a scope that no path from StartAt reaches. */
static void
scope_reach(vx_t *vx, const val_t *states, int **edges, int start, const char *sloc)
{
    size_t n = val_len(states), top = 0;
    char *seen = sx_arena_calloc(vx->a, n + 1);
    int *stack = sx_arena_alloc(vx->a, (n + 1) * sizeof(*stack));
    seen[start] = 1;
    stack[top++] = start;
    while (top > 0) {
        int i = stack[--top];
        for (int *e = edges[i]; *e != -1; e++) {
            if (!seen[*e]) {
                seen[*e] = 1;
                stack[top++] = *e;
            }
        }
    }
    for (size_t i = 0; i < n; i++)
        if (!seen[i]) {
            const char *name = val_str_get(val_obj_at(states, i)->key);
            vx_diag(vx, ASL_DIAG_UNREACHABLE, vx_loc(vx, sloc, name), NULL,
                    "State \"%s\" is not reachable", name);
        }
}

/* Adds the variable names of one Assign object to the scope's map and reports the names an
 * enclosing scope assigns. In JSONPath mode "name.$" assigns "name". */
static void
assign_vars(vx_t *vx, vx_vars_t *vars, const val_t *assign, const char *loc, bool jsonata)
{
    if (!val_is(assign, VAL_OBJ))
        return;
    for (size_t i = 0; i < val_len(assign); i++) {
        const char *k = val_str_get(val_obj_at(assign, i)->key);
        size_t n = val_len(val_obj_at(assign, i)->key);
        if (!jsonata && n >= 2 && k[n - 2] == '.' && k[n - 1] == '$')
            n -= 2;
        for (const vx_vars_t *o = vars->outer; o != NULL; o = o->outer)
            if (vx_map_get(&o->names, k, n) >= 0) {
                vx_schema(vx, vx_loc(vx, loc, "Assign"), k,
                          "The variable '%.*s' is assigned in an outer scope and cannot be "
                          "assigned in a nested one",
                          (int)n, k);
                break;
            }
        vx_map_put(&vars->names, k, n, 0);
    }
}

static void
scope_vars(vx_t *vx, vx_vars_t *vars, const val_t *states, const char *sloc)
{
    for (size_t i = 0; i < val_len(states); i++) {
        const val_member_t *m = val_obj_at(states, i);
        const val_t *s = m->val, *ql = val_obj_gets(s, "QueryLanguage");
        if (!val_is(s, VAL_OBJ))
            continue;
        bool jsonata = val_is(ql, VAL_STR) ? strcmp(val_str_get(ql), "JSONata") == 0
                                           : vx->top_jsonata;
        const char *loc = vx_loc(vx, sloc, val_str_get(m->key));
        const val_t *choices = val_obj_gets(s, "Choices"), *catch = val_obj_gets(s, "Catch");
        assign_vars(vx, vars, val_obj_gets(s, "Assign"), loc, jsonata);
        for (size_t j = 0; val_is(choices, VAL_ARR) && j < val_len(choices); j++)
            assign_vars(vx, vars, val_obj_gets(val_arr_at(choices, j), "Assign"),
                        vx_loci(vx, vx_loc(vx, loc, "Choices"), j), jsonata);
        for (size_t j = 0; val_is(catch, VAL_ARR) && j < val_len(catch); j++)
            assign_vars(vx, vars, val_obj_gets(val_arr_at(catch, j), "Assign"),
                        vx_loci(vx, vx_loc(vx, loc, "Catch"), j), jsonata);
    }
}

void
vx_machine(vx_t *vx, const val_t *sm, const char *loc, int kind)
{
    if (!val_is(sm, VAL_OBJ)) {
        if (kind == 1)
            vx_schema(vx, loc, NULL, "The value for the field 'Branches' must be an array of "
                                     "objects");
        else
            vx_schema(vx, loc, NULL, "The value for the field '%s' must be an object",
                      kind == 2 ? "ItemProcessor" : "Definition");
        return;
    }
    scope_fields(vx, sm, loc, kind);
    const val_t *states = vx_obj(vx, sm, loc, "States");
    const val_t *start = vx_str(vx, sm, loc, "StartAt");
    if (states == NULL)
        return;
    const char *sloc = vx_loc(vx, loc, "States");
    if (val_len(states) == 0)
        vx_schema(vx, sloc, NULL, "Value cannot be empty");
    vx_map_t scope;
    vx_vars_t vars;
    vx_map_init(&scope, vx->a);
    vx_map_init(&vars.names, vx->a);
    vars.outer = vx->vars;
    scope_vars(vx, &vars, states, sloc);
    vx->vars = &vars;
    for (size_t i = 0; i < val_len(states); i++) {
        const val_member_t *m = val_obj_at(states, i);
        vx_state_t st = {vx, m->val, val_str_get(m->key), vx_loc(vx, sloc, val_str_get(m->key)),
                         0, vx->top_jsonata};
        vx_map_put(&scope, val_str_get(m->key), val_len(m->key), (int)i);
        state_name_check(vx, m, st.loc);
        vx_state(&st);
    }
    vx->vars = vars.outer;
    int **edges = scope_edges(vx, states, &scope, sloc);
    int s = start ? vx_map_get(&scope, val_str_get(start), val_len(start)) : -1;
    if (start != NULL && s < 0)
        vx_diag(vx, ASL_DIAG_MISSING_TARGET, loc, "StartAt", "Missing 'StartAt' target: %s",
                val_str_get(start));
    if (s >= 0)
        scope_reach(vx, states, edges, s, sloc);
}

/* ======================================================================== entry points */

int
asl_validate(sx_arena_t *a, const val_t *def, asl_type_t type, asl_diags_t *out)
{
    size_t before = out->len;
    char err[128];
    const jp_prog_t *probe;
    vx_t vx = {a, out, type, false, false, {0}, NULL};

    vx_map_init(&vx.names, a);
    vx.paths_ok = jp_compile(a, "$", 1, 0, &probe, err, sizeof(err)) == SX_OK;
    if (!val_is(def, VAL_OBJ)) {
        asl_diags_add(out, ASL_DIAG_SCHEMA, NULL, "Definition must be a valid JSON object");
        return SX_ERR;
    }
    const val_t *ql = vx_str(&vx, def, "", "QueryLanguage");
    if (ql != NULL) {
        if (strcmp(val_str_get(ql), "JSONata") == 0)
            vx.top_jsonata = true;
        else if (strcmp(val_str_get(ql), "JSONPath") != 0)
            vx_schema(&vx, "", "QueryLanguage",
                      "The field 'QueryLanguage' should have one of these values: "
                      "[JSONPath, JSONata]");
    }
    vx_machine(&vx, def, "", 0);
    return out->len == before ? SX_OK : SX_ERR;
}

static bool
all_space(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] != ' ' && s[i] != '\t' && s[i] != '\n' && s[i] != '\r')
            return false;
    return true;
}

int
asl_validate_text(sx_arena_t *a, const char *json, size_t n, asl_type_t type,
                  const val_t **def, asl_diags_t *out)
{
    val_json_err_t jerr;
    const val_t *v = NULL;

    if (def != NULL)
        *def = NULL;
    if (all_space(json, n)) {
        asl_diags_add(out, ASL_DIAG_SCHEMA, NULL, "Definition must be a valid JSON object");
        return SX_ERR;
    }
    memset(&jerr, 0, sizeof(jerr));
    if (val_json_parse(a, json, n, &v, &jerr) != SX_OK) {
        if (strstr(jerr.msg, "line ") != NULL)
            asl_diags_add(out, ASL_DIAG_INVALID_JSON, NULL, "%s", jerr.msg);
        else
            asl_diags_add(out, ASL_DIAG_INVALID_JSON, NULL, "%s at line %d, column %d",
                          jerr.msg[0] ? jerr.msg : "Invalid JSON", jerr.line, jerr.col);
        return SX_ERR;
    }
    if (def != NULL && val_is(v, VAL_OBJ))
        *def = v;
    return asl_validate(a, v, type, out);
}
