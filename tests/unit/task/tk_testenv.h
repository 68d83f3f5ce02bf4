/*
 * tk_testenv.h: one worker's worth of engine for the task tests: an event_base, a real-clock
 * scheduler, an engine with the resources under test, and helpers that compile an ASL
 * definition, start EXPRESS executions and drive them with tk_loop_run until they end.
 */
#ifndef TK_TESTENV_H
#define TK_TESTENV_H

#include <event2/event.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "stepx/asl.h"
#include "stepx/exec.h"
#include "stepx/task.h"
#include "../sx_test.h"

typedef struct te_env {
    struct event_base *base; /* the worker loop */
    sch_t *sch;              /* real clock */
    ex_engine_t eng;         /* resources added by the test */
    tk_config_t cfg;         /* defaults + test overrides */
    ex_resource_t res[4];    /* made by te_add */
    int nres;                /* used entries of res */
} te_env_t;

static inline void
te_init(te_env_t *e)
{
    memset(e, 0, sizeof(*e));
    e->base = event_base_new();
    e->sch = sch_new(SCH_CLOCK_REAL, 0);
    ex_engine_init(&e->eng, e->sch);
    tk_config_init(&e->cfg);
}

typedef int (*te_ctor_t)(struct event_base *, sch_t *, const tk_config_t *, ex_resource_t *, char *,
                         size_t);

static inline ex_resource_t *
te_add(te_env_t *e, te_ctor_t ctor)
{
    char msg[256] = "";
    ex_resource_t *r = &e->res[e->nres];
    if (ctor(e->base, e->sch, &e->cfg, r, msg, sizeof(msg)) != SX_OK) {
        fprintf(stderr, "  resource: %s\n", msg);
        return NULL;
    }
    e->nres++;
    ex_engine_add_resource(&e->eng, r);
    return r;
}

static inline void
te_fini(te_env_t *e)
{
    for (int i = 0; i < e->nres; i++)
        tk_resource_free(&e->res[i]);
    tk_config_fini(&e->cfg);
    sch_free(e->sch);
    event_base_free(e->base);
}

static inline asl_machine_t *
te_compile(const char *fmt, ...)
{
    char def[8192];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(def, sizeof(def), fmt, ap);
    va_end(ap);
    asl_machine_t *m = NULL;
    char *why = NULL;
    if (asl_machine_compile_text(def, strlen(def), ASL_TYPE_EXPRESS, &m, &why) != SX_OK) {
        fprintf(stderr, "  compile: %s\n  def: %s\n", why ? why : "?", def);
        sx_free(why);
        return NULL;
    }
    return m;
}

static inline ex_exec_t *
te_start(te_env_t *e, asl_machine_t *m, const char *input)
{
    ex_opts_t o;
    memset(&o, 0, sizeof(o));
    o.type = ASL_TYPE_EXPRESS;
    o.sm_name = "TaskTest";
    ex_exec_t *ex = ex_exec_new(&e->eng, m, &o);
    const val_t *in = NULL;
    if (val_json_parse(ex_exec_arena(ex), input, strlen(input), &in, NULL) != SX_OK)
        in = val_obj_empty();
    ex_exec_start(ex, in);
    return ex;
}

typedef struct te_wait {
    ex_exec_t **xs; /* executions to wait for */
    int n;          /* how many */
} te_wait_t;

static inline bool
te_all_done(void *ud)
{
    te_wait_t *w = ud;
    for (int i = 0; i < w->n; i++)
        if (ex_exec_status(w->xs[i]) == EX_RUNNING)
            return false;
    return true;
}

/* Runs until every execution in xs ended or limit_ms passed. */
static inline int
te_run(te_env_t *e, ex_exec_t **xs, int n, int64_t limit_ms)
{
    te_wait_t w = {xs, n};
    return tk_loop_run(e->base, e->sch, te_all_done, &w, limit_ms, 0);
}

static inline bool
te_never(void *ud)
{
    (void)ud;
    return false;
}

/* Runs the loop for ms milliseconds. */
static inline void
te_spin(te_env_t *e, int64_t ms)
{
    tk_loop_run(e->base, e->sch, te_never, NULL, ms, 0);
}

/* Compiles def (printf format), runs it once on input, returns the finished execution
 * (caller frees) or NULL. */
static inline ex_exec_t *
te_run_def(te_env_t *e, const char *input, int64_t limit_ms, const char *fmt, ...)
{
    char def[8192];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(def, sizeof(def), fmt, ap);
    va_end(ap);
    asl_machine_t *m = te_compile("%s", def);
    if (m == NULL) {
        fprintf(stderr, "  cannot compile the test machine: aborting\n");
        abort();
    }
    ex_exec_t *ex = te_start(e, m, input);
    asl_machine_unref(m);
    if (te_run(e, &ex, 1, limit_ms) != SX_OK)
        fprintf(stderr, "  execution still running after %lld ms\n", (long long)limit_ms);
    return ex;
}

/* The output (compact JSON) of ex in its arena, or "" */
static inline const char *
te_out(ex_exec_t *ex)
{
    const val_t *o = ex_exec_output(ex);
    return o != NULL ? val_json_str(ex_exec_arena(ex), o, NULL) : "";
}

/* Member path lookup: te_get(v, "a", "b", NULL). */
static inline const val_t *
te_get(const val_t *v, ...)
{
    va_list ap;
    va_start(ap, v);
    for (const char *k = va_arg(ap, const char *); k != NULL && v != NULL;
         k = va_arg(ap, const char *))
        v = val_obj_gets(v, k);
    va_end(ap);
    return v;
}

#endif
