/*
 * ex_mock.c: the MockConfigFile resource (mock.h). The config is parsed once into its own
 * arena; a resource is a pointer to the selected test-case object. Returned values are
 * borrowed from the config's arena (immutable), so a mocked task costs no copy.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "stepx/mock.h"

struct mock_cfg {
    sx_arena_t *a;          /* owns every value below */
    const val_t *root;      /* the parsed file */
    const val_t *responses; /* MockedResponses */
    const val_t *tcase;     /* selected test case (state -> response name) */
};

int
mock_cfg_parse(const char *text, size_t len, mock_cfg_t **out, char *err, size_t errlen)
{
    val_json_err_t je;
    mock_cfg_t *c = sx_calloc(1, sizeof(*c));
    c->a = sx_arena_new(4096);
    *out = NULL;
    if (val_json_parse(c->a, text, len, &c->root, &je) != SX_OK) {
        snprintf(err, errlen, "invalid mock config: %s", je.msg);
        goto fail;
    }
    c->responses = val_obj_gets(c->root, "MockedResponses");
    if (!val_is(val_obj_gets(c->root, "StateMachines"), VAL_OBJ)) {
        snprintf(err, errlen, "invalid mock config: no \"StateMachines\" object");
        goto fail;
    }
    *out = c;
    return SX_OK;
fail:
    mock_cfg_free(c);
    return SX_ERR;
}

void
mock_cfg_free(mock_cfg_t *c)
{
    if (c == NULL)
        return;
    sx_arena_free(c->a);
    sx_free(c);
}

/* Finds the entry of response `resp` for invocation n: key "n" or "a-b" with a<=n<=b. */
static const val_t *
entry_for(const val_t *resp, uint32_t n)
{
    for (size_t i = 0; val_is(resp, VAL_OBJ) && i < val_len(resp); i++) {
        const val_member_t *m = val_obj_at(resp, i);
        const char *k = val_str_get(m->key);
        char *end;
        unsigned long a = strtoul(k, &end, 10), b = a;
        if (end == k)
            continue;
        if (*end == '-') {
            const char *p = end + 1;
            b = strtoul(p, &end, 10);
            if (end == p)
                continue;
        }
        if (*end != '\0')
            continue;
        if (n >= a && n <= b)
            return m->val;
    }
    return NULL;
}

static int
mock_start(void *ud, ex_call_t *call)
{
    mock_cfg_t *c = ud;
    const val_t *name = val_obj_gets(c->tcase, call->state);
    if (!val_is(name, VAL_STR))
        return SX_DECLINED;
    const val_t *resp = val_obj_get(c->responses, val_str_get(name), val_len(name));
    const val_t *e = entry_for(resp, call->invocation);
    if (e == NULL) {
        char cause[512];
        snprintf(cause, sizeof(cause),
                 "No mocked response for invocation %u of state '%s' (response '%s')",
                 call->invocation, call->state, val_str_get(name));
        ex_call_fail(call, ASL_E_TASK_FAILED, cause);
        return SX_OK;
    }
    const val_t *ret = val_obj_gets(e, "Return");
    const val_t *thr = val_obj_gets(e, "Throw");
    if (ret != NULL) {
        ex_call_succeed(call, ret);
    } else if (val_is(thr, VAL_OBJ)) {
        const val_t *er = val_obj_gets(thr, "Error"), *ca = val_obj_gets(thr, "Cause");
        ex_call_fail(call, val_is(er, VAL_STR) ? val_str_get(er) : "",
                     val_is(ca, VAL_STR) ? val_str_get(ca) : NULL);
    } else {
        ex_call_fail(call, ASL_E_TASK_FAILED, "Mocked response has neither Return nor Throw");
    }
    return SX_OK;
}

int
mock_resource_init(ex_resource_t *r, mock_cfg_t *c, const char *sm, const char *tc, char *err,
                   size_t errlen)
{
    const val_t *sms = val_obj_gets(c->root, "StateMachines");
    const val_t *m = val_obj_gets(sms, sm);
    const val_t *t = val_obj_gets(val_obj_gets(m, "TestCases"), tc);
    if (!val_is(m, VAL_OBJ)) {
        snprintf(err, errlen, "mock config has no state machine '%s'", sm);
        return SX_ERR;
    }
    if (!val_is(t, VAL_OBJ)) {
        snprintf(err, errlen, "mock config has no test case '%s' for state machine '%s'", tc, sm);
        return SX_ERR;
    }
    c->tcase = t;
    r->start = mock_start;
    r->cancel = NULL;
    r->ud = c;
    return SX_OK;
}
