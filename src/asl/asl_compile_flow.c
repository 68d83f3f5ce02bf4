/*
 * asl_compile_flow.c: compiles the control-flow parts of states: Retry and Catch arrays and
 * the Map state's fields (items, selector, concurrency, tolerated failures, batching).
 */
#include <string.h>

#include "stepx/asl.h"
#include "asl/asl_int.h"

static int
error_list(asl_cc_t *cc, const val_t *ee, const char *field, const char *const **out,
           uint32_t *n)
{
    if (!val_is(ee, VAL_ARR))
        return asl_cc_fail(cc, field, "The field 'ErrorEquals' is required");
    uint32_t k = (uint32_t)val_len(ee);
    const char **v = sx_arena_calloc(cc->a, (k ? k : 1) * sizeof(*v));
    for (uint32_t i = 0; i < k; i++) {
        const val_t *e = val_arr_at(ee, i);
        if (!val_is(e, VAL_STR))
            return asl_cc_fail(cc, field, "ErrorEquals must contain strings");
        v[i] = val_str_get(e);
    }
    *out = v;
    *n = k;
    return SX_OK;
}

static double
num_or(const val_t *o, const char *k, double dflt)
{
    const val_t *v = val_obj_gets(o, k);
    return val_is(v, VAL_NUM) ? val_num_get(v) : dflt;
}

static int
compile_retry(asl_cc_t *cc, asl_state_t *s, const val_t *arr)
{
    uint32_t n = (uint32_t)val_len(arr);
    asl_retrier_t *r = sx_arena_calloc(cc->a, (n ? n : 1) * sizeof(*r));
    for (uint32_t i = 0; i < n; i++) {
        const val_t *o = val_arr_at(arr, i);
        const val_t *js = val_obj_gets(o, "JitterStrategy");
        if (error_list(cc, val_obj_gets(o, "ErrorEquals"), "Retry", &r[i].errors,
                       &r[i].nerrors) != SX_OK)
            return SX_ERR;
        r[i].interval_s = num_or(o, "IntervalSeconds", 1);
        r[i].max_attempts = (uint32_t)num_or(o, "MaxAttempts", 3);
        r[i].backoff = num_or(o, "BackoffRate", 2.0);
        r[i].max_delay_s = num_or(o, "MaxDelaySeconds", 0);
        r[i].jitter_full = val_is(js, VAL_STR) && strcmp(val_str_get(js), "FULL") == 0;
    }
    s->retry = r;
    s->nretry = n;
    return SX_OK;
}

static int
compile_catch(asl_cc_t *cc, asl_state_t *s, const val_t *arr)
{
    uint32_t n = (uint32_t)val_len(arr);
    asl_catcher_t *c = sx_arena_calloc(cc->a, (n ? n : 1) * sizeof(*c));
    char err[256], where[256];
    for (uint32_t i = 0; i < n; i++) {
        const val_t *o = val_arr_at(arr, i);
        if (error_list(cc, val_obj_gets(o, "ErrorEquals"), "Catch", &c[i].errors,
                       &c[i].nerrors) != SX_OK)
            return SX_ERR;
        c[i].next = asl_cc_find(cc, val_obj_gets(o, "Next"));
        if (c[i].next == ASL_NO_STATE)
            return asl_cc_fail(cc, "Catch", "Missing 'Next' target in catcher %u", i);
        if (s->jsonata) {
            if (asl_cc_jx(cc, val_obj_gets(o, "Output"), "Output", &c[i].output_jx) != SX_OK ||
                asl_cc_jx(cc, val_obj_gets(o, "Assign"), "Assign", &c[i].assign_jx) != SX_OK)
                return SX_ERR;
            continue;
        }
        const val_t *rp = val_obj_gets(o, "ResultPath");
        if (val_is(rp, VAL_NULL)) {
            c[i].result_path_null = true;
        } else if (val_is(rp, VAL_STR)) {
            if (jp_compile(cc->a, val_str_get(rp), val_len(rp),
                           JP_F_REFERENCE | JP_F_NO_CONTEXT | JP_F_NO_VAR, &c[i].result_path,
                           err, sizeof(err)) != SX_OK)
                return asl_cc_fail(cc, "Catch", "%s", err);
            if (jp_is_root(c[i].result_path))
                c[i].result_path = NULL;
            else
                c[i].result_path_len = (uint32_t)val_len(rp);
        }
        const val_t *as = val_obj_gets(o, "Assign");
        if (as != NULL && jp_tmpl_compile(cc->a, as, &c[i].assign, err, sizeof(err), where,
                                          sizeof(where)) != SX_OK)
            return asl_cc_fail(cc, "Catch", "%s", err);
    }
    s->catchers = c;
    s->ncatch = n;
    return SX_OK;
}

int
asl_cc_retry_catch(asl_cc_t *cc, asl_state_t *s, const val_t *d)
{
    const val_t *r = val_obj_gets(d, "Retry"), *c = val_obj_gets(d, "Catch");
    if (val_is(r, VAL_ARR) && compile_retry(cc, s, r) != SX_OK)
        return SX_ERR;
    if (val_is(c, VAL_ARR) && compile_catch(cc, s, c) != SX_OK)
        return SX_ERR;
    return SX_OK;
}

int
asl_cc_map(asl_cc_t *cc, asl_state_t *s, const val_t *d)
{
    char err[256], where[256];
    const val_t *ip = val_obj_gets(d, "ItemsPath");
    if (s->jsonata) {
        if (asl_cc_jx(cc, val_obj_gets(d, "Items"), "Items", &s->u.map.items_jx) != SX_OK)
            return SX_ERR;
    } else if (val_is(ip, VAL_STR)) {
        if (jp_compile(cc->a, val_str_get(ip), val_len(ip), JP_F_REFERENCE,
                       &s->u.map.items_path, err, sizeof(err)) != SX_OK)
            return asl_cc_fail(cc, "ItemsPath", "%s", err);
    }
    if (asl_cc_num(cc, s, d, "MaxConcurrency", &s->u.map.max_conc) != SX_OK ||
        asl_cc_num(cc, s, d, "ToleratedFailureCount", &s->u.map.tol_count) != SX_OK ||
        asl_cc_num(cc, s, d, "ToleratedFailurePercentage", &s->u.map.tol_pct) != SX_OK)
        return SX_ERR;
    const val_t *label = val_obj_gets(d, "Label");
    s->u.map.label = val_is(label, VAL_STR) ? val_str_get(label) : NULL;
    const val_t *b = val_obj_gets(d, "ItemBatcher");
    if (!val_is(b, VAL_OBJ))
        return SX_OK;
    s->u.map.batcher = true;
    if (asl_cc_num(cc, s, b, "MaxItemsPerBatch", &s->u.map.batch_max_items) != SX_OK ||
        asl_cc_num(cc, s, b, "MaxInputBytesPerBatch", &s->u.map.batch_max_bytes) != SX_OK)
        return SX_ERR;
    const val_t *bi = val_obj_gets(b, "BatchInput");
    if (bi == NULL)
        return SX_OK;
    if (s->jsonata)
        return asl_cc_jx(cc, bi, "ItemBatcher/BatchInput", &s->u.map.batch_input_jx);
    if (jp_tmpl_compile(cc->a, bi, &s->u.map.batch_input, err, sizeof(err), where,
                        sizeof(where)) != SX_OK)
        return asl_cc_fail(cc, "ItemBatcher/BatchInput", "%s", err);
    return SX_OK;
}
