/*
 * asl_compile.c: definition -> asl_machine_t (see asl.h for the layout).
 *
 * Two passes. Layout: every graph (top level, each Parallel branch, each Map processor) gets
 * a contiguous range of the flat state array, its own states first, nested graphs after, and
 * a name -> index table is built for the whole machine (names are unique machine-wide).
 * Compile: each state's fields are compiled in place: paths and templates through path.h,
 * JSONata fields through asl_cc_jx(), Retry/Catch and Map in asl_compile_flow.c.
 *
 * The definition is assumed valid (asl_validate ran first); compile still checks what it
 * dereferences and reports anything it cannot build instead of crashing.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "stepx/asl.h"
#include "stepx/asl_validate.h"
#include "stepx/timestamp.h"
#include "asl/asl_int.h"

int
asl_cc_fail(asl_cc_t *cc, const char *field, const char *fmt, ...)
{
    if (cc->cerr->msg[0] != '\0')
        return SX_ERR;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(cc->cerr->msg, sizeof(cc->cerr->msg), fmt, ap);
    va_end(ap);
    snprintf(cc->cerr->where, sizeof(cc->cerr->where), "%s%s%s", cc->where ? cc->where : "",
             field ? "/" : "", field ? field : "");
    return SX_ERR;
}

uint32_t
asl_cc_find(const asl_cc_t *cc, const val_t *name)
{
    if (!val_is(name, VAL_STR))
        return ASL_NO_STATE;
    const val_t *i = val_obj_get(cc->names, val_str_get(name), val_len(name));
    return i != NULL ? (uint32_t)val_num_get(i) : ASL_NO_STATE;
}

/* ---- layout ---- */

static const val_t *
graph_of_map(const val_t *d)
{
    const val_t *g = val_obj_gets(d, "ItemProcessor");
    return g != NULL ? g : val_obj_gets(d, "Iterator");
}

static uint32_t
count_states(const val_t *graph)
{
    const val_t *st = val_obj_gets(graph, "States");
    uint32_t n = 0;
    if (!val_is(st, VAL_OBJ))
        return 0;
    for (size_t i = 0; i < val_len(st); i++) {
        const val_t *d = val_obj_at(st, i)->val;
        const val_t *type = val_obj_gets(d, "Type");
        n++;
        if (!val_is(type, VAL_STR))
            continue;
        if (strcmp(val_str_get(type), "Parallel") == 0) {
            const val_t *br = val_obj_gets(d, "Branches");
            for (size_t b = 0; val_is(br, VAL_ARR) && b < val_len(br); b++)
                n += count_states(val_arr_at(br, b));
        } else if (strcmp(val_str_get(type), "Map") == 0) {
            n += count_states(graph_of_map(d));
        }
    }
    return n;
}

static uint32_t
count_graphs(const val_t *graph)
{
    const val_t *st = val_obj_gets(graph, "States");
    uint32_t n = 1;
    for (size_t i = 0; val_is(st, VAL_OBJ) && i < val_len(st); i++) {
        const val_t *d = val_obj_at(st, i)->val;
        const val_t *type = val_obj_gets(d, "Type");
        if (!val_is(type, VAL_STR))
            continue;
        if (strcmp(val_str_get(type), "Parallel") == 0) {
            const val_t *br = val_obj_gets(d, "Branches");
            for (size_t b = 0; val_is(br, VAL_ARR) && b < val_len(br); b++)
                n += count_graphs(val_arr_at(br, b));
        } else if (strcmp(val_str_get(type), "Map") == 0 && graph_of_map(d) != NULL) {
            n += count_graphs(graph_of_map(d));
        }
    }
    return n;
}

/* Lays out graph def `graph` as graph number gi; returns SX_OK. *next_state / *next_graph are
 * the allocation cursors. Nested graphs are numbered when their parent state is compiled,
 * so record the mapping in the state: u.par.branches / u.map.graph. */
static int
layout(asl_cc_t *cc, const val_t *graph, uint32_t gi, uint32_t *ns, uint32_t *ng,
       val_objb_t *names, const char *where)
{
    const val_t *st = val_obj_gets(graph, "States");
    asl_graph_t *g = &cc->graphs[gi];
    g->first = *ns;
    g->count = val_is(st, VAL_OBJ) ? (uint32_t)val_len(st) : 0;
    g->jsonata = cc->m->jsonata;
    *ns += g->count;
    for (uint32_t i = 0; i < g->count; i++) {
        const val_member_t *mb = val_obj_at(st, i);
        asl_state_t *s = &cc->states[g->first + i];
        s->name = val_str_get(mb->key);
        s->index = g->first + i;
        s->graph = gi;
        s->def = mb->val;
        if (val_objb_get(names, s->name, val_len(mb->key)) != NULL) {
            cc->where = where;
            return asl_cc_fail(cc, NULL, "Duplicate state name '%s'", s->name);
        }
        val_objb_set(names, mb->key, val_num(cc->a, (double)s->index));
    }
    for (uint32_t i = 0; i < g->count; i++) {
        asl_state_t *s = &cc->states[g->first + i];
        const val_t *type = val_obj_gets(s->def, "Type");
        const char *sw = sx_arena_printf(cc->a, NULL, "%s/States/%s", where, s->name);
        if (!val_is(type, VAL_STR))
            continue;
        if (strcmp(val_str_get(type), "Parallel") == 0) {
            const val_t *br = val_obj_gets(s->def, "Branches");
            uint32_t nb = val_is(br, VAL_ARR) ? (uint32_t)val_len(br) : 0;
            uint32_t *idx = sx_arena_calloc(cc->a, (nb ? nb : 1) * sizeof(*idx));
            for (uint32_t b = 0; b < nb; b++) {
                idx[b] = (*ng)++;
                const char *bw = sx_arena_printf(cc->a, NULL, "%s/Branches/%u", sw, b);
                if (layout(cc, val_arr_at(br, b), idx[b], ns, ng, names, bw) != SX_OK)
                    return SX_ERR;
            }
            s->u.par.branches = idx;
            s->u.par.nbranches = nb;
        } else if (strcmp(val_str_get(type), "Map") == 0 && graph_of_map(s->def) != NULL) {
            s->u.map.graph = (*ng)++;
            const char *mw = sx_arena_printf(
                cc->a, NULL, "%s/%s", sw,
                val_obj_gets(s->def, "ItemProcessor") ? "ItemProcessor" : "Iterator");
            if (layout(cc, graph_of_map(s->def), s->u.map.graph, ns, ng, names, mw) != SX_OK)
                return SX_ERR;
        }
    }
    return SX_OK;
}

static int
resolve_starts(asl_cc_t *cc, const val_t *graph, uint32_t gi)
{
    asl_graph_t *g = &cc->graphs[gi];
    uint32_t i = asl_cc_find(cc, val_obj_gets(graph, "StartAt"));
    if (i == ASL_NO_STATE || i < g->first || i >= g->first + g->count)
        return asl_cc_fail(cc, "StartAt", "StartAt does not name a state of its scope");
    g->start = i;
    for (uint32_t k = 0; k < g->count; k++) {
        asl_state_t *s = &cc->states[g->first + k];
        const val_t *type = val_obj_gets(s->def, "Type");
        if (!val_is(type, VAL_STR))
            continue;
        if (strcmp(val_str_get(type), "Parallel") == 0) {
            const val_t *br = val_obj_gets(s->def, "Branches");
            for (uint32_t b = 0; b < s->u.par.nbranches; b++)
                if (resolve_starts(cc, val_arr_at(br, b), s->u.par.branches[b]) != SX_OK)
                    return SX_ERR;
        } else if (strcmp(val_str_get(type), "Map") == 0 && graph_of_map(s->def) != NULL) {
            if (resolve_starts(cc, graph_of_map(s->def), s->u.map.graph) != SX_OK)
                return SX_ERR;
        }
    }
    return SX_OK;
}

/* ---- field helpers ---- */

static int
path_field(asl_cc_t *cc, const val_t *d, const char *name, unsigned flags,
           const jp_prog_t **out, bool *isnull)
{
    char err[256];
    const val_t *v = val_obj_gets(d, name);
    *out = NULL;
    if (isnull != NULL)
        *isnull = false;
    if (v == NULL)
        return SX_OK;
    if (val_is(v, VAL_NULL) && isnull != NULL) {
        *isnull = true;
        return SX_OK;
    }
    if (!val_is(v, VAL_STR))
        return asl_cc_fail(cc, name, "The field '%s' must be a string", name);
    if (jp_compile(cc->a, val_str_get(v), val_len(v), flags, out, err, sizeof(err)) != SX_OK)
        return asl_cc_fail(cc, name, "%s", err);
    if (jp_is_root(*out))
        *out = NULL; /* "$" is the default: the engine's fast path */
    return SX_OK;
}

static int
tmpl_field(asl_cc_t *cc, const val_t *v, const char *name, const jp_tmpl_t **out)
{
    char err[256], where[256];
    *out = NULL;
    if (v == NULL)
        return SX_OK;
    where[0] = '\0';
    if (jp_tmpl_compile(cc->a, v, out, err, sizeof(err), where, sizeof(where)) != SX_OK)
        return asl_cc_fail(cc, name, "%s", err);
    return SX_OK;
}

int
asl_cc_num(asl_cc_t *cc, const asl_state_t *s, const val_t *d, const char *name,
           asl_num_field_t *out)
{
    char pname[64], err[256];
    const val_t *v = val_obj_gets(d, name);
    memset(out, 0, sizeof(*out));
    if (v != NULL) {
        out->set = true;
        if (val_is(v, VAL_NUM)) {
            out->value = val_num_get(v);
            return SX_OK;
        }
        if (s->jsonata && val_is(v, VAL_STR))
            return asl_cc_jx(cc, v, name, &out->jx);
        return asl_cc_fail(cc, name, "The field '%s' must be a number", name);
    }
    snprintf(pname, sizeof(pname), "%sPath", name);
    v = val_obj_gets(d, pname);
    if (v == NULL)
        return SX_OK;
    out->set = true;
    if (!val_is(v, VAL_STR))
        return asl_cc_fail(cc, pname, "The field '%s' must be a string", pname);
    if (jp_compile(cc->a, val_str_get(v), val_len(v), JP_F_REFERENCE, &out->path, err,
                   sizeof(err)) != SX_OK)
        return asl_cc_fail(cc, pname, "%s", err);
    return SX_OK;
}

static const char *
str_field(const val_t *d, const char *name)
{
    const val_t *v = val_obj_gets(d, name);
    return val_is(v, VAL_STR) ? val_str_get(v) : NULL;
}

/* ---- per-type compilers ---- */

static int
compile_io(asl_cc_t *cc, asl_state_t *s, const val_t *d)
{
    if (s->jsonata) {
        if (asl_cc_jx(cc, val_obj_gets(d, "Output"), "Output", &s->output_jx) != SX_OK ||
            asl_cc_jx(cc, val_obj_gets(d, "Assign"), "Assign", &s->assign_jx) != SX_OK)
            return SX_ERR;
        const val_t *args = val_obj_gets(d, "Arguments");
        if (s->type == ASL_STATE_MAP)
            args = val_obj_gets(d, "ItemSelector");
        return asl_cc_jx(cc, args, s->type == ASL_STATE_MAP ? "ItemSelector" : "Arguments",
                         &s->arguments_jx);
    }
    const val_t *params = val_obj_gets(d, "Parameters");
    if (s->type == ASL_STATE_MAP && val_obj_gets(d, "ItemSelector") != NULL)
        params = val_obj_gets(d, "ItemSelector");
    if (path_field(cc, d, "InputPath", 0, &s->input_path, &s->input_path_null) != SX_OK ||
        path_field(cc, d, "OutputPath", 0, &s->output_path, &s->output_path_null) != SX_OK ||
        path_field(cc, d, "ResultPath", JP_F_REFERENCE | JP_F_NO_CONTEXT | JP_F_NO_VAR,
                   &s->result_path, &s->result_path_null) != SX_OK ||
        tmpl_field(cc, params, "Parameters", &s->parameters) != SX_OK ||
        tmpl_field(cc, val_obj_gets(d, "ResultSelector"), "ResultSelector",
                   &s->result_selector) != SX_OK ||
        tmpl_field(cc, val_obj_gets(d, "Assign"), "Assign", &s->assign) != SX_OK)
        return SX_ERR;
    s->result_path_len = s->result_path != NULL ? (uint32_t)strlen(jp_src(s->result_path)) : 0;
    return SX_OK;
}

static int
compile_wait(asl_cc_t *cc, asl_state_t *s, const val_t *d)
{
    const val_t *v;
    if ((v = val_obj_gets(d, "Seconds")) != NULL) {
        s->u.wait.kind = ASL_WAIT_SECONDS;
        if (val_is(v, VAL_NUM)) {
            s->u.wait.seconds = (int64_t)val_num_get(v);
            return SX_OK;
        }
        return asl_cc_jx(cc, v, "Seconds", &s->u.wait.jx);
    }
    if ((v = val_obj_gets(d, "Timestamp")) != NULL) {
        s->u.wait.kind = ASL_WAIT_TIMESTAMP;
        if (val_is(v, VAL_STR) && !asl_jx_is_expr(val_str_get(v), val_len(v))) {
            sx_ts_t ts;
            if (sx_ts_parse(val_str_get(v), val_len(v), &ts) != SX_OK)
                return asl_cc_fail(cc, "Timestamp", "String does not match RFC3339 timestamp");
            s->u.wait.ts_ms = ts.sec * 1000;
            return SX_OK;
        }
        return asl_cc_jx(cc, v, "Timestamp", &s->u.wait.jx);
    }
    if (val_obj_gets(d, "SecondsPath") != NULL) {
        s->u.wait.kind = ASL_WAIT_SECONDS_PATH;
        return path_field(cc, d, "SecondsPath", JP_F_REFERENCE, &s->u.wait.path, NULL);
    }
    s->u.wait.kind = ASL_WAIT_TIMESTAMP_PATH;
    return path_field(cc, d, "TimestampPath", JP_F_REFERENCE, &s->u.wait.path, NULL);
}

static int
expr_field(asl_cc_t *cc, const val_t *d, const char *name, const jp_expr_t **out)
{
    char err[256];
    const val_t *v = val_obj_gets(d, name);
    *out = NULL;
    if (!val_is(v, VAL_STR))
        return SX_OK;
    if (jp_expr_compile(cc->a, val_str_get(v), val_len(v), out, err, sizeof(err)) != SX_OK)
        return asl_cc_fail(cc, name, "%s", err);
    return SX_OK;
}

static int
compile_fail(asl_cc_t *cc, asl_state_t *s, const val_t *d)
{
    if (s->jsonata) {
        const val_t *e = val_obj_gets(d, "Error"), *c = val_obj_gets(d, "Cause");
        if (asl_cc_jx(cc, e, "Error", &s->u.fail.error_jx) != SX_OK ||
            asl_cc_jx(cc, c, "Cause", &s->u.fail.cause_jx) != SX_OK)
            return SX_ERR;
        return SX_OK;
    }
    s->u.fail.error = str_field(d, "Error");
    s->u.fail.cause = str_field(d, "Cause");
    if (expr_field(cc, d, "ErrorPath", &s->u.fail.error_path) != SX_OK ||
        expr_field(cc, d, "CausePath", &s->u.fail.cause_path) != SX_OK)
        return SX_ERR;
    return SX_OK;
}

static int
compile_choice(asl_cc_t *cc, asl_state_t *s, const val_t *d)
{
    const val_t *ch = val_obj_gets(d, "Choices");
    uint32_t n = val_is(ch, VAL_ARR) ? (uint32_t)val_len(ch) : 0;
    asl_choice_branch_t *br = sx_arena_calloc(cc->a, (n ? n : 1) * sizeof(*br));
    for (uint32_t i = 0; i < n; i++) {
        const val_t *r = val_arr_at(ch, i);
        char f[48];
        br[i].rule_def = r;
        br[i].next = asl_cc_find(cc, val_obj_gets(r, "Next"));
        if (br[i].next == ASL_NO_STATE)
            return asl_cc_fail(cc, "Choices", "Missing 'Next' target in choice rule %u", i);
        if (s->jsonata) {
            snprintf(f, sizeof(f), "Choices/%u/Condition", i);
            if (asl_cc_jx(cc, val_obj_gets(r, "Condition"), "Condition", &br[i].cond_jx) !=
                    SX_OK ||
                asl_cc_jx(cc, val_obj_gets(r, "Assign"), "Assign", &br[i].assign_jx) != SX_OK ||
                asl_cc_jx(cc, val_obj_gets(r, "Output"), "Output", &br[i].output_jx) != SX_OK)
                return SX_ERR;
        } else {
            char err[256], where[128];
            if (asl_choice_compile(cc->a, r, 0, &br[i].rule, err, sizeof(err), where,
                                   sizeof(where)) != SX_OK)
                return asl_cc_fail(cc, "Choices", "%s", err);
            if (tmpl_field(cc, val_obj_gets(r, "Assign"), "Assign", &br[i].assign) != SX_OK)
                return SX_ERR;
        }
    }
    s->u.choice.branches = br;
    s->u.choice.nbranches = n;
    s->u.choice.deflt = ASL_NO_STATE;
    if (val_obj_gets(d, "Default") != NULL) {
        s->u.choice.deflt = asl_cc_find(cc, val_obj_gets(d, "Default"));
        if (s->u.choice.deflt == ASL_NO_STATE)
            return asl_cc_fail(cc, "Default", "Missing 'Default' target");
    }
    return SX_OK;
}

static int
compile_task(asl_cc_t *cc, asl_state_t *s, const val_t *d)
{
    s->u.task.resource = str_field(d, "Resource");
    if (s->u.task.resource == NULL)
        return asl_cc_fail(cc, "Resource", "The field 'Resource' is required");
    if (asl_cc_num(cc, s, d, "TimeoutSeconds", &s->u.task.timeout) != SX_OK ||
        asl_cc_num(cc, s, d, "HeartbeatSeconds", &s->u.task.heartbeat) != SX_OK)
        return SX_ERR;
    const val_t *cr = val_obj_gets(d, "Credentials");
    if (cr == NULL)
        return SX_OK;
    if (s->jsonata)
        return asl_cc_jx(cc, cr, "Credentials", &s->u.task.credentials_jx);
    return tmpl_field(cc, cr, "Credentials", &s->u.task.credentials);
}

static bool
def_mentions(sx_arena_t *a, const val_t *d, const char *needle)
{
    const char *txt = val_json_str(a, d, NULL);
    return strstr(txt, needle) != NULL;
}

static int
type_of(const char *t)
{
    static const char *const names[] = {"Pass", "Task", "Choice", "Wait",
                                        "Succeed", "Fail", "Parallel", "Map"};
    for (int i = 0; i < 8; i++)
        if (strcmp(names[i], t) == 0)
            return i;
    return -1;
}

static int
compile_state(asl_cc_t *cc, asl_state_t *s)
{
    const val_t *d = s->def;
    const char *t = str_field(d, "Type");
    const char *ql = str_field(d, "QueryLanguage");
    int ty = t != NULL ? type_of(t) : -1;
    if (ty < 0)
        return asl_cc_fail(cc, "Type", "The field 'Type' should have one of these values: "
                                       "[Task, Wait, Pass, Succeed, Fail, Choice, Parallel, Map]");
    s->type = (uint8_t)ty;
    s->jsonata = ql != NULL ? strcmp(ql, "JSONata") == 0 : cc->graphs[s->graph].jsonata;
    s->needs_ctx = s->jsonata ? def_mentions(cc->a, d, "context")
                              : def_mentions(cc->a, d, "$$");
    s->next = ASL_NO_STATE;
    if (val_obj_gets(d, "Next") != NULL) {
        s->next = asl_cc_find(cc, val_obj_gets(d, "Next"));
        if (s->next == ASL_NO_STATE)
            return asl_cc_fail(cc, "Next", "Missing 'Next' target: %s",
                               str_field(d, "Next") ? str_field(d, "Next") : "?");
    }
    const val_t *end = val_obj_gets(d, "End");
    s->end = (val_is(end, VAL_BOOL) && val_bool_get(end)) || ty == ASL_STATE_SUCCEED ||
             ty == ASL_STATE_FAIL;
    if (ty != ASL_STATE_FAIL && compile_io(cc, s, d) != SX_OK)
        return SX_ERR;
    if (asl_cc_retry_catch(cc, s, d) != SX_OK)
        return SX_ERR;
    switch (ty) {
    case ASL_STATE_PASS:
        s->u.pass.result = val_obj_gets(d, "Result");
        if (s->u.pass.result != NULL)
            s->u.pass.result_len = val_json_len(s->u.pass.result);
        return SX_OK;
    case ASL_STATE_TASK:
        return compile_task(cc, s, d);
    case ASL_STATE_CHOICE:
        return compile_choice(cc, s, d);
    case ASL_STATE_WAIT:
        return compile_wait(cc, s, d);
    case ASL_STATE_FAIL:
        return compile_fail(cc, s, d);
    case ASL_STATE_MAP:
        return asl_cc_map(cc, s, d);
    default:
        return SX_OK;
    }
}

int
asl_machine_compile(const val_t *def_in, asl_machine_t **out, asl_cerr_t *cerr)
{
    asl_cc_t cc;
    val_objb_t names;
    memset(&cc, 0, sizeof(cc));
    memset(cerr, 0, sizeof(*cerr));
    *out = NULL;
    if (!val_is(def_in, VAL_OBJ)) {
        snprintf(cerr->msg, sizeof(cerr->msg), "Definition must be a valid JSON object");
        return SX_ERR;
    }
    cc.a = sx_arena_new(16384);
    cc.cerr = cerr;
    asl_machine_t *m = sx_arena_calloc(cc.a, sizeof(*m));
    cc.m = m;
    m->arena = cc.a;
    m->_refs = 1;
    m->def = val_clone(cc.a, def_in);
    m->def_len = val_json_len(m->def);
    const char *ql = str_field(m->def, "QueryLanguage");
    m->jsonata = ql != NULL && strcmp(ql, "JSONata") == 0;
    const val_t *to = val_obj_gets(m->def, "TimeoutSeconds");
    m->timeout_s = val_is(to, VAL_NUM) ? (int64_t)val_num_get(to) : 0;
    cc.nstates = count_states(m->def);
    cc.ngraphs = count_graphs(m->def);
    cc.states = sx_arena_calloc(cc.a, (cc.nstates ? cc.nstates : 1) * sizeof(asl_state_t));
    cc.graphs = sx_arena_calloc(cc.a, cc.ngraphs * sizeof(asl_graph_t));
    m->states = cc.states;
    m->nstates = cc.nstates;
    m->graphs = cc.graphs;
    m->ngraphs = cc.ngraphs;
    uint32_t ns = 0, ng = 1;
    val_objb_init(&names, cc.a, cc.nstates);
    if (layout(&cc, m->def, 0, &ns, &ng, &names, "") != SX_OK)
        goto fail;
    cc.names = val_objb_done(&names);
    if (resolve_starts(&cc, m->def, 0) != SX_OK)
        goto fail;
    for (uint32_t i = 0; i < cc.nstates; i++) {
        asl_state_t *s = &cc.states[i];
        cc.where = sx_arena_printf(cc.a, NULL, "/States/%s", s->name);
        if (compile_state(&cc, s) != SX_OK)
            goto fail;
        if (s->type == ASL_STATE_MAP || s->type == ASL_STATE_PARALLEL)
            m->nmappar++;
    }
    *out = m;
    return SX_OK;
fail:
    sx_arena_free(cc.a);
    return SX_ERR;
}

uint32_t
asl_machine_find(const asl_machine_t *m, const char *name)
{
    for (uint32_t i = 0; i < m->nstates; i++)
        if (strcmp(m->states[i].name, name) == 0)
            return i;
    return ASL_NO_STATE;
}

asl_machine_t *
asl_machine_ref(asl_machine_t *m)
{
    __atomic_add_fetch(&m->_refs, 1, __ATOMIC_RELAXED);
    return m;
}

void
asl_machine_unref(asl_machine_t *m)
{
    if (m == NULL)
        return;
    if (__atomic_sub_fetch(&m->_refs, 1, __ATOMIC_ACQ_REL) == 0)
        sx_arena_free(m->arena);
}

int
asl_machine_compile_text(const char *text, size_t len, int type, asl_machine_t **out,
                         char **why)
{
    sx_arena_t *a = sx_arena_new(0);
    asl_diags_t diags;
    const val_t *def = NULL;
    asl_cerr_t cerr;
    int rc = SX_ERR;
    *out = NULL;
    *why = NULL;
    asl_diags_init(&diags, a);
    if (asl_validate_text(a, text, len, (asl_type_t)type, &def, &diags) != SX_OK) {
        sx_sbuf_t b = SX_SBUF_INIT;
        for (size_t i = 0; i < diags.len; i++) {
            sx_sbuf_adds(&b, asl_diag_format(a, &diags.v[i]));
            sx_sbuf_addc(&b, '\n');
        }
        if (b.p == NULL)
            sx_sbuf_adds(&b, "Invalid State Machine Definition\n");
        *why = b.p;
        goto out_free;
    }
    if (asl_machine_compile(def, out, &cerr) != SX_OK) {
        sx_sbuf_t b = SX_SBUF_INIT;
        sx_sbuf_addf(&b, "Invalid State Machine Definition: 'SCHEMA_VALIDATION_FAILED: %s%s%s'\n",
                     cerr.msg, cerr.where[0] ? " at " : "", cerr.where);
        *why = b.p;
        goto out_free;
    }
    rc = SX_OK;
out_free:
    sx_arena_free(a);
    return rc;
}
