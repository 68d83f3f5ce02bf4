/*
 * jna_call.c: environments, function values and their application, and the public API.
 *
 * Frames are arena-allocated lists of (name, value) bindings chained to their parent;
 * lookup walks the chain, then the host's bindings / lookup hook, then the built-in
 * tables (jna_lib_core, then jna_lib_hof). Built-in values are VAL_FUNC values tagged
 * jna_k_builtin whose fn is the table entry (so two lookups of $string are equal); every
 * other function value is tagged jna_k_closure and points at a jna_fn_t.
 *
 * apply() runs the reference's trampoline: a lambda body whose tail is a call evaluates to
 * a thunk; apply() keeps evaluating thunks in a loop, so tail recursion runs in constant C
 * stack and does not add evaluate() depth.
 *
 * Built-in signatures are parsed once per process (pthread_once) into a static arena;
 * compiled expressions are immutable, so any thread may evaluate them concurrently.
 */
#include <math.h>
#include <pthread.h>

#include "jna_int.h"

const char jna_k_builtin[] = "builtin";
const char jna_k_closure[] = "closure";
const char jna_k_tuple[] = "tuple";

struct jna_expr {
    jna_node_t *root;      /* processed AST */
    const char *src;       /* source text (arena) */
    jna_parse_info_t info; /* ?: and ?? (not JSONata 2.0.6, which AWS mode follows) */
};

typedef struct fcall {
    jna_ev_t *ev;
    jna_env_t *env;
} fcall_t;

/* ---- built-in registry ---- */

#define BI_SLOTS 512
static struct {
    const jna_builtin_t *slot[BI_SLOTS];
    const jna_sig_t *sig[BI_SLOTS]; /* parsed signature of slot[i] */
    sx_arena_t *arena;
} bireg;
static pthread_once_t bireg_once = PTHREAD_ONCE_INIT;

static uint32_t
name_hash(const char *s, size_t n)
{
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < n; i++)
        h = (h ^ (unsigned char)s[i]) * 16777619u;
    return h;
}

static void
bireg_add(const jna_builtin_t *tab)
{
    jna_error_t err;
    for (; tab->name != NULL; tab++) {
        uint32_t h = name_hash(tab->name, strlen(tab->name)) & (BI_SLOTS - 1);
        while (bireg.slot[h] != NULL)
            h = (h + 1) & (BI_SLOTS - 1);
        bireg.slot[h] = tab;
        jna_sig_t *sig = NULL;
        if (tab->signature != NULL &&
            jna_sig_parse(bireg.arena, tab->signature, strlen(tab->signature), &sig, &err) !=
                SX_OK)
            sig = NULL;
        bireg.sig[h] = sig;
    }
}

static void
bireg_init(void)
{
    bireg.arena = sx_arena_new(8192);
    bireg_add(jna_lib_core);
    bireg_add(jna_lib_hof);
}

static int
bireg_find(const char *name, size_t len, bool aws)
{
    pthread_once(&bireg_once, bireg_init);
    uint32_t h = name_hash(name, len) & (BI_SLOTS - 1);
    while (bireg.slot[h] != NULL) {
        const jna_builtin_t *b = bireg.slot[h];
        if (strlen(b->name) == len && memcmp(b->name, name, len) == 0) {
            bool ok = aws ? !(b->flags & JNA_BI_NOT_AWS) : !(b->flags & JNA_BI_AWS_ONLY);
            if (ok)
                return (int)h;
        }
        h = (h + 1) & (BI_SLOTS - 1);
    }
    return -1;
}

const jna_builtin_t *
jna_builtin_find(const char *name, size_t len, bool aws)
{
    int h = bireg_find(name, len, aws);
    return h < 0 ? NULL : bireg.slot[h];
}

static const jna_sig_t *
builtin_sig(const jna_builtin_t *bi)
{
    int h = bireg_find(bi->name, strlen(bi->name), (bi->flags & JNA_BI_AWS_ONLY) != 0);
    while (h >= 0 && bireg.slot[h] != bi) {
        h = (h + 1) & (BI_SLOTS - 1);
        if (bireg.slot[h] == NULL)
            return NULL;
    }
    return h < 0 ? NULL : bireg.sig[h];
}

/* ---- environments ---- */

jna_env_t *
jna_env_new(sx_arena_t *a, jna_env_t *parent)
{
    jna_env_t *e = sx_arena_alloc(a, sizeof(*e));
    e->parent = parent;
    e->b = NULL;
    e->n = e->cap = 0;
    return e;
}

void
jna_env_bind(sx_arena_t *a, jna_env_t *env, const char *name, size_t len, const val_t *v)
{
    for (uint32_t i = 0; i < env->n; i++) {
        if (env->b[i].len == len && memcmp(env->b[i].name, name, len) == 0) {
            env->b[i].v = v;
            return;
        }
    }
    if (env->n == env->cap) {
        uint32_t cap = env->cap ? env->cap * 2 : 4;
        jna_bind_t *nb = sx_arena_alloc(a, cap * sizeof(*nb));
        if (env->n)
            memcpy(nb, env->b, env->n * sizeof(*nb));
        env->b = nb;
        env->cap = cap;
    }
    env->b[env->n].name = name;
    env->b[env->n].len = (uint32_t)len;
    env->b[env->n++].v = v;
}

const val_t *
jna_env_lookup(jna_ev_t *ev, jna_env_t *env, const char *name, size_t len, bool *found)
{
    const jna_opts_t *o = ev->opts;
    if (found)
        *found = true;
    for (jna_env_t *e = env; e != NULL; e = e->parent)
        for (uint32_t i = 0; i < e->n; i++)
            if (e->b[i].len == len && memcmp(e->b[i].name, name, len) == 0)
                return e->b[i].v;
    if (o != NULL && o->bindings != NULL && val_is(o->bindings, VAL_OBJ)) {
        const val_t *v = val_obj_get(o->bindings, name, len);
        if (v != NULL)
            return v;
    }
    if (o != NULL && o->lookup != NULL) {
        const val_t *v = o->lookup(o->ud, name, len);
        if (v != NULL)
            return v;
    }
    const jna_builtin_t *bi = jna_builtin_find(name, len, o != NULL && o->aws);
    if (bi != NULL)
        return val_func(ev->a, bi, jna_k_builtin);
    if (found)
        *found = false;
    return NULL;
}

/* ---- function values ---- */

int
jna_fn_arity(const val_t *f)
{
    if (!jna_is_func(f))
        return 0;
    if (f->u.func.aux == jna_k_builtin) {
        const jna_builtin_t *bi = f->u.func.fn;
        int ar = jna_builtin_arity(bi);
        if (ar >= 0)
            return ar;
        const jna_sig_t *s = builtin_sig(bi);
        return s ? jna_sig_nparams(s) : 0;
    }
    const jna_fn_t *c = f->u.func.fn;
    switch (c->kind) {
    case JF_LAMBDA:
        return c->nparams;
    case JF_PARTIAL_NATIVE: {
        int n = 0;
        for (int i = 0; i < c->nbound; i++)
            n += c->hole[i];
        return n;
    }
    case JF_REGEX:
        return 2;
    case JF_MATCH_NEXT:
        return 0;
    default:
        return 1;
    }
}

const val_t *
jna_make_lambda(jna_ev_t *ev, const jna_node_t *e, const val_t *input, jna_env_t *env)
{
    jna_fn_t *f = sx_arena_calloc(ev->a, sizeof(*f));
    f->kind = JF_LAMBDA;
    f->params = (const jna_node_t *const *)e->items.v;
    f->nparams = e->items.n;
    f->input = input;
    f->env = env;
    f->body = e->body;
    f->sig = e->sig;
    f->thunk = e->thunk;
    return val_func(ev->a, f, jna_k_closure);
}

void
jna_fctx_init(jna_ev_t *ev, jna_fctx_t *c, const val_t *input, int position, void *env)
{
    c->arena = ev->a;
    c->err = ev->err;
    c->input = input;
    if (ev->now_ms == 0)
        ev->now_ms = sx_wall_ms(); /* read once per evaluation, on first use */
    c->now_ms = ev->now_ms;
    c->aws = ev->opts != NULL && ev->opts->aws;
    c->eval = env;
    c->position = position;
}

jna_ev_t *
jna_fctx_ev(jna_fctx_t *c)
{
    return c->eval ? ((fcall_t *)c->eval)->ev : NULL;
}

jna_env_t *
jna_fctx_env(jna_fctx_t *c)
{
    return c->eval ? ((fcall_t *)c->eval)->env : NULL;
}

int
jna_fctx_call(jna_fctx_t *c, const val_t *fn, const val_t *const *argv, size_t argc,
              const val_t **out)
{
    fcall_t *fc = c->eval;
    if (fc == NULL) {
        *out = NULL;
        return jna_fctx_fail(c, "T1006", fn, "Attempted to invoke a non-function");
    }
    return jna_apply(fc->ev, fn, argv, argc, val_null(), fc->env, out);
}

int
jna_fctx_arity(const val_t *fn)
{
    return jna_fn_arity(fn);
}

static int
call_builtin(jna_ev_t *ev, const jna_builtin_t *bi, const val_t *const *args, size_t argc,
             const val_t *input, jna_env_t *env, bool validate, const val_t **out)
{
    const val_t **v = (const val_t **)(uintptr_t)args;
    size_t n = argc;
    const jna_sig_t *sig = builtin_sig(bi);
    fcall_t fc = {ev, env};
    jna_fctx_t c;
    if (sig != NULL && validate &&
        jna_sig_validate(sig, ev->a, args, argc, input, true, &v, &n, ev->err, NULL) !=
            SX_OK)
        return SX_ERR;
    if (n == 0) {
        static const val_t *const none[1] = {NULL};
        v = (const val_t **)(uintptr_t)none;
    }
    jna_fctx_init(ev, &c, input, -1, &fc);
    *out = NULL;
    if (bi->fn(&c, v, n, out) != SX_OK) {
        jna_err_fill_token(ev->a, ev->err, bi->name);
        return SX_ERR;
    }
    return SX_OK;
}

static int
apply_lambda(jna_ev_t *ev, const jna_fn_t *f, const val_t *const *args, size_t argc,
             const val_t *input, const val_t **out)
{
    const val_t **v = (const val_t **)(uintptr_t)args;
    size_t n = argc;
    if (f->sig != NULL && jna_sig_validate(f->sig, ev->a, args, argc, input, true, &v, &n,
                                           ev->err, NULL) != SX_OK)
        return SX_ERR;
    jna_env_t *env = jna_env_new(ev->a, f->env);
    for (int i = 0; i < f->nparams; i++)
        jna_env_bind(ev->a, env, f->params[i]->str, f->params[i]->slen,
                     (size_t)i < n ? v[i] : NULL);
    return jna_evaluate(ev, f->body, f->input, env, out);
}

static int
apply_partial(jna_ev_t *ev, const jna_fn_t *f, const val_t *const *args, size_t argc,
              jna_env_t *env, const val_t **out)
{
    const val_t **v = sx_arena_alloc(ev->a, ((size_t)f->nbound + 1) * sizeof(*v));
    size_t k = 0;
    for (int i = 0; i < f->nbound; i++)
        v[i] = f->hole[i] ? (k < argc ? args[k++] : NULL) : f->bound[i];
    return jna_apply(ev, f->f, v, (size_t)f->nbound, val_null(), env, out);
}

static int
apply_inner(jna_ev_t *ev, const val_t *proc, const val_t *const *args, size_t argc,
            const val_t *input, jna_env_t *env, const val_t **out)
{
    *out = NULL;
    if (!jna_is_func(proc))
        return jna_fail(ev->a, ev->err, "T1006", -1, NULL, NULL, NULL);
    if (proc->u.func.aux == jna_k_builtin)
        return call_builtin(ev, proc->u.func.fn, args, argc, input, env, true, out);
    const jna_fn_t *f = proc->u.func.fn;
    switch (f->kind) {
    case JF_LAMBDA:
        return apply_lambda(ev, f, args, argc, input, out);
    case JF_PARTIAL_NATIVE:
        return apply_partial(ev, f, args, argc, env, out);
    case JF_REGEX:
        return jna_regex_call(ev, f, args, argc, out);
    case JF_MATCH_NEXT:
        return jna_regex_next(ev, f, out);
    case JF_TRANSFORM: {
        const val_t *a0 = argc > 0 ? args[0] : NULL;
        if (argc > 1 || (a0 != NULL && a0->type != VAL_OBJ && a0->type != VAL_ARR))
            return jna_fail_idx(ev->a, ev->err, "T0410", -1, NULL, argc > 1 && a0 ? args[1] : a0,
                                argc > 1 && a0 ? 2 : 1, NULL);
        return jna_transform_apply(ev, f, a0, out);
    }
    case JF_COMPOSE: {
        /* jsonata-js builds it from function($f, $g){ function($x){ $g($f($x)) } }: one
         * parameter, so $f always gets exactly one (possibly undefined) argument */
        const val_t *mid, *x = argc > 0 ? args[0] : NULL;
        if (jna_apply(ev, f->f, &x, 1, val_null(), env, &mid) != SX_OK)
            return SX_ERR;
        return jna_apply(ev, f->g, &mid, 1, val_null(), env, out);
    }
    default:
        return jna_fail(ev->a, ev->err, "T1006", -1, NULL, NULL, NULL);
    }
}

static bool
is_thunk(const val_t *v)
{
    return jna_is_func(v) && v->u.func.aux == jna_k_closure &&
           ((const jna_fn_t *)v->u.func.fn)->kind == JF_LAMBDA &&
           ((const jna_fn_t *)v->u.func.fn)->thunk;
}

int
jna_apply(jna_ev_t *ev, const val_t *proc, const val_t *const *args, size_t argc,
          const val_t *input, jna_env_t *env, const val_t **out)
{
    const val_t *r;
    if (apply_inner(ev, proc, args, argc, input, env, &r) != SX_OK)
        return SX_ERR;
    while (is_thunk(r)) {
        const jna_fn_t *t = r->u.func.fn;
        const jna_node_t *call = t->body;
        const val_t *next;
        if (ev->deadline_ns && sx_mono_ns() > ev->deadline_ns) {
            jna_fail(ev->a, ev->err, "U1001", call->position, NULL, NULL, NULL);
            ev->err->message = "Expression evaluation timeout: Check for infinite loop";
            return SX_ERR;
        }
        if (jna_evaluate(ev, call->procedure, t->input, t->env, &next) != SX_OK)
            return SX_ERR;
        const val_t **av = sx_arena_alloc(ev->a, ((size_t)call->items.n + 1) * sizeof(*av));
        for (int i = 0; i < call->items.n; i++)
            if (jna_evaluate(ev, call->items.v[i], t->input, t->env, &av[i]) != SX_OK)
                return SX_ERR;
        if (apply_inner(ev, next, av, (size_t)call->items.n, input, env, &r) != SX_OK)
            return SX_ERR;
    }
    *out = r;
    return SX_OK;
}

/* ---- call expressions ---- */

static const char *
proc_name(const jna_node_t *p)
{
    if (p->type == JN_PATH)
        return p->items.v[0]->str;
    if (p->type == JN_VARIABLE)
        return p->str;
    return NULL;
}

static bool
did_you_mean(jna_ev_t *ev, const jna_node_t *p, jna_env_t *env)
{
    bool found;
    if (p->type != JN_PATH || p->items.v[0]->str == NULL)
        return false;
    const val_t *v =
        jna_env_lookup(ev, env, p->items.v[0]->str, p->items.v[0]->slen, &found);
    return found && v != NULL;
}

int
jna_eval_function(jna_ev_t *ev, const jna_node_t *e, const val_t *input, jna_env_t *env,
                  const val_t *applyto, bool has_applyto, const val_t **out)
{
    const val_t *proc;
    size_t n = 0;
    if (jna_evaluate(ev, e->procedure, input, env, &proc) != SX_OK)
        return SX_ERR;
    if (proc == NULL && did_you_mean(ev, e->procedure, env))
        return jna_fail(ev->a, ev->err, "T1005", e->position, proc_name(e->procedure), NULL,
                        NULL);
    const val_t **args = sx_arena_alloc(ev->a, ((size_t)e->items.n + 2) * sizeof(*args));
    if (has_applyto)
        args[n++] = applyto;
    for (int i = 0; i < e->items.n; i++)
        if (jna_evaluate(ev, e->items.v[i], input, env, &args[n++]) != SX_OK)
            return SX_ERR;
    if (jna_apply(ev, proc, args, n, input, env, out) != SX_OK) {
        if (ev->err->position < 0)
            ev->err->position = e->position;
        jna_err_fill_token(ev->a, ev->err, proc_name(e->procedure));
        return SX_ERR;
    }
    return SX_OK;
}

int
jna_eval_partial(jna_ev_t *ev, const jna_node_t *e, const val_t *input, jna_env_t *env,
                 const val_t **out)
{
    int n = e->items.n;
    const val_t **args = sx_arena_alloc(ev->a, ((size_t)n + 1) * sizeof(*args));
    bool *hole = sx_arena_calloc(ev->a, (size_t)n + 1);
    const val_t *proc;
    for (int i = 0; i < n; i++) {
        const jna_node_t *a = e->items.v[i];
        args[i] = NULL;
        if (a->type == JN_OPERATOR && strcmp(a->op, "?") == 0)
            hole[i] = true;
        else if (jna_evaluate(ev, a, input, env, &args[i]) != SX_OK)
            return SX_ERR;
    }
    if (jna_evaluate(ev, e->procedure, input, env, &proc) != SX_OK)
        return SX_ERR;
    if (proc == NULL && did_you_mean(ev, e->procedure, env))
        return jna_fail(ev->a, ev->err, "T1007", e->position, proc_name(e->procedure), NULL,
                        NULL);
    if (!jna_is_func(proc))
        return jna_fail(ev->a, ev->err, "T1008", e->position, proc_name(e->procedure), NULL,
                        NULL);
    jna_fn_t *f = sx_arena_calloc(ev->a, sizeof(*f));
    const jna_fn_t *src = proc->u.func.aux == jna_k_closure ? proc->u.func.fn : NULL;
    if (src != NULL && src->kind == JF_LAMBDA) {
        jna_env_t *penv = jna_env_new(ev->a, src->env);
        const jna_node_t **unbound = sx_arena_alloc(ev->a, ((size_t)src->nparams + 1) *
                                                               sizeof(*unbound));
        int nu = 0;
        for (int i = 0; i < src->nparams; i++) {
            if (i < n && hole[i])
                unbound[nu++] = src->params[i];
            else
                jna_env_bind(ev->a, penv, src->params[i]->str, src->params[i]->slen,
                             i < n ? args[i] : NULL);
        }
        f->kind = JF_LAMBDA;
        f->params = unbound;
        f->nparams = nu;
        f->input = src->input;
        f->env = penv;
        f->body = src->body;
    } else {
        f->kind = JF_PARTIAL_NATIVE;
        f->f = proc;
        f->bound = args;
        f->hole = hole;
        f->nbound = n;
    }
    *out = val_func(ev->a, f, jna_k_closure);
    return SX_OK;
}

/* ---- public API ---- */

int
jna_compile(sx_arena_t *a, const char *src, size_t n, const jna_expr_t **out, jna_error_t *err)
{
    jna_expr_t *e;
    jna_node_t *root;
    memset(err, 0, sizeof(*err));
    err->position = -1;
    const char *copy = sx_arena_strndup(a, src, n);
    jna_parse_info_t info;
    if (jna_parse(a, copy, n, &root, err, &info) != SX_OK) {
        *out = NULL;
        return SX_ERR;
    }
    e = sx_arena_alloc(a, sizeof(*e));
    e->info = info;
    e->root = root;
    e->src = copy;
    *out = e;
    return SX_OK;
}

const char *
jna_src(const jna_expr_t *e)
{
    return e->src;
}

int
jna_eval(const jna_expr_t *e, const val_t *input, const jna_opts_t *opts, sx_arena_t *a,
         const val_t **out, jna_error_t *err)
{
    jna_ev_t ev = {.a = a, .err = err, .opts = opts};
    memset(err, 0, sizeof(*err));
    err->position = -1;
    if (opts != NULL && opts->aws && e->info.v21_pos >= 0) /* 2.0.6 cannot parse them */
        return jna_fail(a, err, "S0211", e->info.v21_pos, e->info.v21_tok, NULL, NULL);
    ev.max_depth = opts != NULL && opts->depth_limit > 0 ? opts->depth_limit : 1000;
    if (opts != NULL && opts->time_limit_ms > 0)
        ev.deadline_ns = sx_mono_ns() + (uint64_t)opts->time_limit_ms * 1000000u;
    ev.mem_base = sx_arena_reserved(a);
    ev.mem_limit = opts != NULL ? opts->mem_limit : 0;
    ev.root = jna_env_new(a, NULL);
    jna_env_bind(a, ev.root, "$", 1, input);
    if (input != NULL && input->type == VAL_ARR && !(input->flags & VAL_F_SEQ))
        input = jna_arr_flag(a, jna_seq1(a, input), VAL_F_OUTER, 0);
    *out = NULL;
    return jna_evaluate(&ev, e->root, input, ev.root, out);
}
