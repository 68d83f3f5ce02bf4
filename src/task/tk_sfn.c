/*
 * tk_sfn.c: arn:aws:states:::states:startExecution (the asynchronous form; `.sync`, `.sync:2`
 * and `.waitForTaskToken` are rejected for EXPRESS machines by the validator and declined
 * here). The nested execution is created by the server through tk_config_t.sfn_start, which
 * owns every execution's lifecycle (on_done, results, billing); this resource only checks the
 * parameters, calls it, and completes at once with StartExecution's response:
 *
 *   {"ExecutionArn": "<arn>", "StartDate": <epoch ms>}
 *
 * (StartDate as a number of epoch milliseconds, as Step Functions serialises SDK timestamps
 * in task results; assumption, no recording.)
 *
 * Parameters: StateMachineArn (ARN or name, required), Input (any JSON; a string must hold
 * JSON text and is parsed; default {}), Name (1..80 characters, optional).
 * Errors use the AWS SDK's naming, StepFunctions.<Exception>, with the SDK cause format:
 *   Input string that is not JSON  -> StepFunctions.InvalidExecutionInputException
 *   Name empty or over 80 chars    -> StepFunctions.InvalidNameException
 *   unknown machine                -> whatever sfn_start reports (the server should use
 *                                     StepFunctions.StateMachineDoesNotExistException)
 *   no sfn_start configured        -> States.TaskFailed "nested executions are not enabled"
 */
#include <stdio.h>
#include <string.h>

#include "tk_int.h"

#define SFN_ARN "arn:aws:states:::states:startExecution"

typedef struct tk_sfn {
    tk_res_t h;             /* header: kind, free, counters */
    const tk_config_t *cfg; /* borrowed */
} tk_sfn_t;

static void
sdk_fail(tk_sfn_t *r, ex_call_t *c, const char *code, const char *msg)
{
    sx_arena_t *a = c->arena;
    const char *cause = sx_arena_printf(a, NULL,
                                        "%s (Service: AWSStepFunctions; Status Code: 400; Error "
                                        "Code: %s; Request ID: %s; Proxy: null)",
                                        msg, code, tk_request_id(a));
    tk_res_fail(&r->h, c, sx_arena_printf(a, NULL, "StepFunctions.%sException", code), cause);
}

static int
sfn_start(void *ud, ex_call_t *c)
{
    tk_sfn_t *r = ud;
    if (strcmp(c->resource, SFN_ARN) != 0)
        return SX_DECLINED;
    r->h.stats.started++;
    r->h.stats.inflight++;
    sx_arena_t *a = c->arena;
    const val_t *sm = val_obj_gets(c->input, "StateMachineArn");
    const val_t *in = val_obj_gets(c->input, "Input"), *name = val_obj_gets(c->input, "Name");
    val_json_err_t je;
    if (!val_is(sm, VAL_STR) || val_len(sm) == 0)
        return tk_res_bad_params(&r->h, c,
                                 "The field 'StateMachineArn' is required and must "
                                 "be a string");
    if (name != NULL && !val_is(name, VAL_STR))
        return tk_res_bad_params(&r->h, c, "The field 'Name' must be a string");
    if (name != NULL &&
        (val_len(name) == 0 || val_str_u16len(val_str_get(name), val_len(name)) > 80)) {
        sdk_fail(r, c, "InvalidName",
                 sx_arena_printf(a, NULL, "Invalid Name: '%s'", val_str_get(name)));
        return SX_OK;
    }
    if (in == NULL)
        in = val_obj_empty();
    else if (val_is(in, VAL_STR) &&
             val_json_parse(a, val_str_get(in), val_len(in), &in, &je) != SX_OK) {
        sdk_fail(r, c, "InvalidExecutionInput",
                 sx_arena_printf(a, NULL, "Invalid State Machine Execution Input: '%s'", je.msg));
        return SX_OK;
    }
    if (r->cfg->sfn_start == NULL) {
        tk_res_fail(&r->h, c, ASL_E_TASK_FAILED, "nested executions are not enabled");
        return SX_OK;
    }
    const char *arn = NULL;
    int64_t start_ms = 0;
    sx_err_t err = {NULL, NULL};
    if (r->cfg->sfn_start(r->cfg->sfn_ud, val_str_get(sm), name ? val_str_get(name) : NULL, in, a,
                          &arn, &start_ms, &err) != SX_OK) {
        tk_res_fail(&r->h, c, err.name != NULL ? err.name : ASL_E_TASK_FAILED, err.cause);
        return SX_OK;
    }
    val_objb_t ob;
    val_objb_init(&ob, a, 2);
    val_objb_sets(&ob, "ExecutionArn", val_strz(a, arn != NULL ? arn : ""));
    val_objb_sets(&ob, "StartDate", val_num(a, (double)start_ms));
    tk_res_succeed(&r->h, c, val_objb_done(&ob));
    return SX_OK;
}

static void
sfn_free(tk_res_t *h)
{
    sx_free(h);
}

int
tk_sfn_new(struct event_base *base, sch_t *sch, const tk_config_t *cfg, ex_resource_t *out,
           char *msg, size_t msglen)
{
    SX_UNUSED(base);
    SX_UNUSED(sch);
    SX_UNUSED(msg);
    SX_UNUSED(msglen);
    tk_sfn_t *r = sx_calloc(1, sizeof(*r));
    r->h.kind = "sfn";
    r->h.free = sfn_free;
    r->cfg = cfg;
    out->start = sfn_start;
    out->cancel = NULL; /* completes inside start(): nothing is ever in flight */
    out->ud = r;
    return SX_OK;
}
