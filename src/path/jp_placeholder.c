/* PLACEHOLDER: the path owner deletes this file as the real functions land. */
#include <stdio.h>

#include "stepx/path.h"

#define NOPE(err, errlen) (snprintf((err), (errlen), "paths not built yet"), SX_ERR)

int
jp_compile(sx_arena_t *a, const char *src, size_t n, unsigned flags, const jp_prog_t **out,
           char *err, size_t errlen)
{
    (void)a, (void)src, (void)n, (void)flags, (void)out;
    return NOPE(err, errlen);
}
jp_root_t
jp_root_kind(const jp_prog_t *p)
{
    (void)p;
    return JP_ROOT_INPUT;
}
const char *
jp_src(const jp_prog_t *p)
{
    (void)p;
    return "";
}
bool
jp_is_definite(const jp_prog_t *p)
{
    (void)p;
    return true;
}
bool
jp_is_root(const jp_prog_t *p)
{
    (void)p;
    return true;
}
int
jp_eval(const jp_prog_t *p, const jp_env_t *env, sx_arena_t *a, const val_t **out,
        const char **detail)
{
    (void)p, (void)env, (void)a, (void)out;
    *detail = "paths not built yet";
    return SX_ERR;
}
int
jp_assign(const jp_prog_t *p, const val_t *root, const val_t *v, sx_arena_t *a,
          const val_t **out, const char **detail)
{
    (void)p, (void)root, (void)v, (void)a, (void)out;
    *detail = "paths not built yet";
    return SX_ERR;
}
int
jp_expr_compile(sx_arena_t *a, const char *src, size_t n, const jp_expr_t **out, char *err,
                size_t errlen)
{
    (void)a, (void)src, (void)n, (void)out;
    return NOPE(err, errlen);
}
int
jp_expr_eval(const jp_expr_t *e, const char *field, const jp_env_t *env, sx_arena_t *a,
             const val_t **out, sx_err_t *err)
{
    (void)e, (void)field, (void)env, (void)out;
    return sx_err_set(err, a, ASL_E_RUNTIME, "paths not built yet");
}
bool
jp_expr_is_intrinsic(const jp_expr_t *e)
{
    (void)e;
    return false;
}
const char *
jp_expr_src(const jp_expr_t *e)
{
    (void)e;
    return "";
}
int
jp_tmpl_compile(sx_arena_t *a, const val_t *tmpl, const jp_tmpl_t **out, char *err,
                size_t errlen, char *where, size_t wherelen)
{
    (void)a, (void)tmpl, (void)out, (void)where, (void)wherelen;
    return NOPE(err, errlen);
}
int
jp_tmpl_eval(const jp_tmpl_t *t, const jp_env_t *env, sx_arena_t *a, const val_t **out,
             sx_err_t *err)
{
    (void)t, (void)env, (void)out;
    return sx_err_set(err, a, ASL_E_RUNTIME, "paths not built yet");
}
