/*
 * ifn_eval.c: evaluation of compiled intrinsic calls, argument checks, and States.Format.
 *
 * Arguments are evaluated left to right into a stack vector (literals are shared, paths
 * borrowed from the input, nested calls evaluated first), then the function runs on the
 * values. A path argument that matches nothing fails with States.Runtime, exactly like a
 * template field; everything a function rejects fails with States.IntrinsicFailure and a
 * detail that names the function and the offending argument.
 *
 * States.Format renders strings raw and objects/arrays as Java's Map/List toString does
 * (AWS, recorded: {"Arg1":1,"Arg2":[]} -> "{Arg1=1, Arg2=[]}"). A literal template is split
 * at its {} once, at compile time.
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "intrinsic/ifn_int.h"
#include "path/jp_int.h"

struct ifn_fmt {
    uint32_t nseg;          /* placeholders + 1 */
    const char *const *seg; /* literal text between placeholders */
    const uint32_t *seglen; /* their lengths */
};

int
ifn_fail(const ifn_args_t *x, const char *fmt, ...)
{
    va_list ap;
    char detail[512];
    va_start(ap, fmt);
    vsnprintf(detail, sizeof(detail), fmt, ap);
    va_end(ap);
    return sx_err_set(x->err, x->a, ASL_E_INTRINSIC_FAILURE, "Invalid arguments in %s: %s",
                      x->call->def->name, detail);
}

static const char *
type_article(val_type_t t)
{
    return t == VAL_ARR || t == VAL_OBJ ? "an" : "a";
}

int
ifn_want(const ifn_args_t *x, uint32_t i, val_type_t t)
{
    const val_t *v = x->v[i];
    if (val_is(v, t))
        return SX_OK;
    static const val_t probe[] = {{.type = VAL_NULL}, {.type = VAL_BOOL}, {.type = VAL_NUM},
                                  {.type = VAL_STR},  {.type = VAL_ARR},  {.type = VAL_OBJ}};
    return ifn_fail(x, "argument %u must be %s %s, but was %s", i + 1, type_article(t),
                    val_type_name(&probe[t]), val_type_name(v));
}

int
ifn_want_int(const ifn_args_t *x, uint32_t i, int64_t *out)
{
    if (ifn_want(x, i, VAL_NUM) != SX_OK)
        return SX_ERR;
    double d = val_num_get(x->v[i]);
    if (!(x->v[i]->flags & VAL_F_INT) || d < -9007199254740992.0 || d > 9007199254740992.0)
        return ifn_fail(x, "argument %u must be an integer, but was %s", i + 1,
                        val_json_str(x->a, x->v[i], NULL));
    *out = (int64_t)d;
    return SX_OK;
}

/* ---- States.Format ---- */

const ifn_fmt_t *
ifn_fmt_compile(sx_arena_t *a, const char *s, size_t n)
{
    uint32_t holes = 0;
    for (size_t i = 0; i + 1 < n; i++) {
        if (s[i] == '\\')
            i++;
        else if (s[i] == '{' && s[i + 1] == '}')
            holes++, i++;
    }
    ifn_fmt_t *f = sx_arena_alloc(a, sizeof(*f));
    const char **seg = sx_arena_alloc(a, (holes + 1) * sizeof(*seg));
    uint32_t *seglen = sx_arena_alloc(a, (holes + 1) * sizeof(*seglen));
    char *buf = sx_arena_alloc(a, n + 1);
    size_t len = 0, k = 0;
    seg[0] = buf;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '\\' && i + 1 < n && strchr("{}\\'", s[i + 1]) != NULL) {
            buf[len++] = s[++i];
        } else if (s[i] == '{' && i + 1 < n && s[i + 1] == '}') {
            seglen[k] = (uint32_t)(buf + len - seg[k]);
            seg[++k] = buf + len;
            i++;
        } else {
            buf[len++] = s[i];
        }
    }
    seglen[k] = (uint32_t)(buf + len - seg[k]);
    f->nseg = holes + 1;
    f->seg = seg;
    f->seglen = seglen;
    return f;
}

uint32_t
ifn_fmt_holes(const ifn_fmt_t *f)
{
    return f->nseg - 1;
}

/* Appends an integral number without going through printf (the common Format argument). */
static void
int_render(sx_sbuf_t *b, double d)
{
    char buf[24], *p = buf + sizeof(buf);
    uint64_t u = d < 0 ? (uint64_t)-d : (uint64_t)d;
    do {
        *--p = (char)('0' + u % 10);
        u /= 10;
    } while (u != 0);
    if (d < 0)
        *--p = '-';
    sx_sbuf_add(b, p, (size_t)(buf + sizeof(buf) - p));
}

/* Java's toString of the value as AWS's Map/List conversion shows it. */
static void
java_render(sx_sbuf_t *b, const val_t *v, int depth)
{
    switch (val_type(v)) {
    case VAL_STR:
        sx_sbuf_add(b, val_str_get(v), val_len(v));
        return;
    case VAL_NUM: {
        double d = val_num_get(v);
        bool negzero = d == 0 && signbit(d);
        if (v->u.num.raw == NULL && (v->flags & VAL_F_INT) && !negzero)
            int_render(b, d);
        else
            val_num_print(b, v);
        return;
    }
    case VAL_ARR:
        sx_sbuf_addc(b, '[');
        for (size_t k = 0; k < val_len(v); k++) {
            if (k)
                sx_sbuf_adds(b, ", ");
            java_render(b, val_arr_at(v, k), depth + 1);
        }
        sx_sbuf_addc(b, ']');
        return;
    case VAL_OBJ:
        sx_sbuf_addc(b, '{');
        for (size_t k = 0; k < val_len(v); k++) {
            const val_member_t *m = val_obj_at(v, k);
            if (k)
                sx_sbuf_adds(b, ", ");
            sx_sbuf_add(b, val_str_get(m->key), val_len(m->key));
            sx_sbuf_addc(b, '=');
            java_render(b, m->val, depth + 1);
        }
        sx_sbuf_addc(b, '}');
        return;
    default:
        val_json_print(b, v);
        return;
    }
}

const val_t *
ifn_fmt_render(const ifn_fmt_t *f, const val_t *const *v, sx_arena_t *a)
{
    sx_sbuf_t b = SX_SBUF_INIT;
    for (uint32_t k = 0; k < f->nseg; k++) {
        sx_sbuf_add(&b, f->seg[k], f->seglen[k]);
        if (k + 1 < f->nseg)
            java_render(&b, v[k], 0);
    }
    const val_t *out = val_str(a, b.p ? b.p : "", b.len);
    sx_sbuf_fini(&b);
    return out;
}

int
ifn_format(const ifn_args_t *x, const val_t **out)
{
    const ifn_fmt_t *f = x->call->fmt;
    if (f == NULL || x->call->args[0].kind != IFN_ARG_LIT) {
        if (ifn_want(x, 0, VAL_STR) != SX_OK)
            return SX_ERR;
        f = ifn_fmt_compile(x->a, val_str_get(x->v[0]), val_len(x->v[0]));
    }
    if (ifn_fmt_holes(f) != x->n - 1)
        return ifn_fail(x, "the template has %u placeholder%s but %u argument%s followed it",
                        ifn_fmt_holes(f), ifn_fmt_holes(f) == 1 ? "" : "s", x->n - 1,
                        x->n == 2 ? "" : "s");
    *out = ifn_fmt_render(f, x->v + 1, x->a);
    return SX_OK;
}

/* ---- evaluation ---- */

int
ifn_eval(const ifn_call_t *c, const char *field, const jp_env_t *env, sx_arena_t *a,
         const val_t **out, sx_err_t *err)
{
    const val_t *v[IFN_MAX_ARGS];
    for (uint32_t k = 0; k < c->nargs; k++) {
        const ifn_arg_t *arg = &c->args[k];
        switch ((ifn_arg_kind_t)arg->kind) {
        case IFN_ARG_LIT:
            v[k] = arg->lit;
            break;
        case IFN_ARG_PATH:
            if (jp_eval(arg->path, env, a, &v[k], NULL) != SX_OK)
                return jp_path_fail(arg->path, field, env, a, err);
            break;
        case IFN_ARG_CALL:
            if (ifn_eval(arg->call, field, env, a, &v[k], err) != SX_OK)
                return SX_ERR;
            break;
        }
    }
    ifn_args_t x = {.call = c, .v = v, .n = c->nargs, .a = a, .err = err};
    return c->def->impl(&x, out);
}
