/*
 * test_tk_lambda.c: lambda:invoke and Lambda function ARNs through the engine against the
 * loopback server's Lambda look-alike (tk_testsrv.h): result shapes as the recorded
 * conformance cases, RIE-style and header-signalled function errors, unmapped functions,
 * service errors, transport errors and TimeoutSeconds.
 */
#include "tk_testenv.h"
#include "tk_testsrv.h"

static ts_srv_t srv;

#define INVOKE(params, extra)                                                                      \
    "{\"StartAt\":\"T\",\"States\":{\"T\":{\"Type\":\"Task\",\"Resource\":"                        \
    "\"arn:aws:states:::lambda:invoke\",\"Parameters\":" params extra ",\"End\":true}}}"
#define FN_ARN(name, extra)                                                                        \
    "{\"StartAt\":\"T\",\"States\":{\"T\":{\"Type\":\"Task\",\"Resource\":"                        \
    "\"arn:aws:lambda:us-east-1:111111111111:function:" name "\"" extra ",\"End\":true}}}"

static void
env_up(te_env_t *e, bool wildcard)
{
    te_init(e);
    char fns[512];
    snprintf(fns, sizeof(fns),
             "rie=http://127.0.0.1:%d/2015-03-31/functions/function/invocations%s%d%s", srv.port,
             wildcard ? ",*=http://127.0.0.1:" : "", wildcard ? srv.port : 0,
             wildcard ? "/2015-03-31/functions/{name}/invocations" : "");
    sx_free(e->cfg.lambda_functions);
    e->cfg.lambda_functions = sx_strdup(wildcard ? fns : strtok(fns, ","));
    te_add(e, tk_lambda_new);
}

static void
test_invoke_success(void)
{
    te_env_t e;
    env_up(&e, true);
    ex_exec_t *ex = te_run_def(&e, "{\"p\":{\"a\":1}}", 10000,
                               INVOKE("{\"FunctionName\":\"rie\",\"Payload.$\":\"$.p\"}", ""));
    CHECK_STR(ex_status_name(ex_exec_status(ex)), "SUCCEEDED");
    const val_t *o = ex_exec_output(ex);
    CHECK_STR(val_json_str(ex_exec_arena(ex), te_get(o, "Payload", NULL), NULL), "{\"a\":1}");
    CHECK_INT(val_num_get(te_get(o, "StatusCode", NULL)), 200);
    CHECK_STR(val_str_get(te_get(o, "ExecutedVersion", NULL)), "$LATEST");
    CHECK_INT(val_num_get(te_get(o, "SdkHttpMetadata", "HttpStatusCode", NULL)), 200);
    CHECK_STR(val_str_get(te_get(o, "SdkResponseMetadata", "RequestId", NULL)),
              "11111111-2222-3333-4444-555555555555");
    CHECK_STR(val_str_get(te_get(o, "SdkHttpMetadata", "HttpHeaders", "Content-Type", NULL)),
              "application/json");
    const val_t *all = te_get(o, "SdkHttpMetadata", "AllHttpHeaders", "Content-Type", NULL);
    CHECK(val_is(all, VAL_ARR) && val_len(all) == 1);
    /* key order as AWS prints it */
    CHECK_STR(val_str_get(val_obj_at(o, 0)->key), "ExecutedVersion");
    CHECK_STR(val_str_get(val_obj_at(o, 4)->key), "StatusCode");
    ex_exec_free(ex);

    /* a string Payload is sent as raw bytes: "\"HelloWorld\"" comes back as "HelloWorld" */
    ex = te_run_def(
        &e, "{\"FunctionName\":\"echo\",\"Payload\":\"\\\"HelloWorld\\\"\"}", 10000,
        INVOKE("{\"FunctionName.$\":\"$.FunctionName\",\"Payload.$\":\"$.Payload\"}", ""));
    CHECK_STR(ex_status_name(ex_exec_status(ex)), "SUCCEEDED");
    CHECK_STR(val_str_get(te_get(ex_exec_output(ex), "Payload", NULL)), "HelloWorld");
    ex_exec_free(ex);

    /* a qualifier: sent as ?Qualifier=, echoed in ExecutedVersion when the server is silent */
    ex = te_run_def(&e, "{}", 10000,
                    INVOKE("{\"FunctionName\":\"arn:aws:lambda:eu-west-1:222222222222:function:"
                           "function\",\"Qualifier\":\"v1\",\"Payload\":{}}",
                           ""));
    CHECK_STR(val_str_get(te_get(ex_exec_output(ex), "ExecutedVersion", NULL)), "v1");
    ex_exec_free(ex);
    te_fini(&e);
}

static void
test_function_arn(void)
{
    te_env_t e;
    env_up(&e, true);
    ex_exec_t *ex = te_run_def(&e, "{\"x\":[1,2]}", 10000, FN_ARN("echo", ""));
    CHECK_STR(ex_status_name(ex_exec_status(ex)), "SUCCEEDED");
    CHECK_STR(te_out(ex), "{\"x\":[1,2]}");
    ex_exec_free(ex);
    ex = te_run_def(&e, "{}", 10000, FN_ARN("text", ""));
    CHECK_STR(te_out(ex), "\"HelloWorld!\"");
    ex_exec_free(ex);
    ex =
        te_run_def(&e, "{\"v\":5}", 10000, FN_ARN("rie:prod", ",\"Parameters\":{\"n.$\":\"$.v\"}"));
    CHECK_STR(te_out(ex), "{\"n\":5}");
    ex_exec_free(ex);
    te_fini(&e);
}

static void
test_function_errors(void)
{
    te_env_t e;
    env_up(&e, true);
    ex_exec_t *ex = te_run_def(&e, "{}", 10000, INVOKE("{\"FunctionName\":\"fail\"}", ""));
    CHECK_STR(ex_exec_error(ex), "ValueError");
    CHECK_STR(ex_exec_cause(ex), "{\"errorMessage\":\"boom\",\"errorType\":\"ValueError\","
                                 "\"requestId\":\"r1\",\"stackTrace\":[\"  File x\"]}");
    ex_exec_free(ex);
    /* the legacy form keeps the payload text as the function wrote it */
    ex = te_run_def(&e, "{}", 10000, FN_ARN("fail", ""));
    CHECK_STR(ex_exec_error(ex), "ValueError");
    CHECK_STR(ex_exec_cause(ex), "{\"errorMessage\": \"boom\", \"errorType\": \"ValueError\", "
                                 "\"requestId\": \"r1\", \"stackTrace\": [\"  File x\"]}");
    ex_exec_free(ex);
    ex = te_run_def(&e, "{}", 10000, INVOKE("{\"FunctionName\":\"hdrfail\"}", ""));
    CHECK_STR(ex_exec_error(ex), "CustomError");
    ex_exec_free(ex);
    ex = te_run_def(&e, "{}", 10000, INVOKE("{\"FunctionName\":\"notype\"}", ""));
    CHECK_STR(ex_exec_error(ex), "Lambda.Unknown");
    CHECK_STR(ex_exec_cause(ex), "{\"errorMessage\":\"Task timed out after 1.00 seconds\"}");
    ex_exec_free(ex);
    /* Catch as in the recorded TASK_LAMBDA_CATCH_RELEVANT case */
    ex = te_run_def(&e, "{}", 10000,
                    INVOKE("{\"FunctionName\":\"fail\"}",
                           ",\"Catch\":[{\"ErrorEquals\":[\"Lambda.Unknown\"],\"Next\":\"U\"},"
                           "{\"ErrorEquals\":[\"States.TaskFailed\"],\"Next\":\"F\"}],"
                           "\"End\":true},\"U\":{\"Type\":\"Fail\",\"Error\":\"Wrong\"},"
                           "\"F\":{\"Type\":\"Pass\""));
    CHECK_STR(ex_status_name(ex_exec_status(ex)), "SUCCEEDED");
    CHECK_STR(val_str_get(te_get(ex_exec_output(ex), "Error", NULL)), "ValueError");
    ex_exec_free(ex);
    te_fini(&e);
}

static void
test_unmapped(void)
{
    te_env_t e;
    env_up(&e, false);
    int before = atomic_load(&srv.requests);
    ex_exec_t *ex = te_run_def(&e, "{}", 10000, INVOKE("{\"FunctionName\":\"nope\"}", ""));
    CHECK_STR(ex_exec_error(ex), "Lambda.ResourceNotFoundException");
    const char *want = "Function not found: arn:aws:lambda:us-east-1:123456789012:function:"
                       "nope:$LATEST (Service: AWSLambda; Status Code: 404; Error Code: "
                       "ResourceNotFoundException; Request ID: ";
    CHECK(ex_exec_cause(ex) != NULL && strncmp(ex_exec_cause(ex), want, strlen(want)) == 0);
    CHECK(ex_exec_cause(ex) != NULL && strstr(ex_exec_cause(ex), "; Proxy: null)") != NULL);
    ex_exec_free(ex);
    ex = te_run_def(&e, "{}", 10000, FN_ARN("other:live", ""));
    CHECK_STR(ex_exec_error(ex), "Lambda.ResourceNotFoundException");
    CHECK(ex_exec_cause(ex) != NULL &&
          strstr(ex_exec_cause(ex), "arn:aws:lambda:us-east-1:111111111111:function:other:live "
                                    "(Service") != NULL);
    ex_exec_free(ex);
    CHECK_INT(atomic_load(&srv.requests), before);
    /* the mapped RIE still works without the wildcard */
    ex = te_run_def(&e, "{}", 10000, INVOKE("{\"FunctionName\":\"rie\",\"Payload\":[1]}", ""));
    CHECK(strstr(te_out(ex), "\"Payload\":[1],") != NULL);
    CHECK_STR(ex_status_name(ex_exec_status(ex)), "SUCCEEDED");
    ex_exec_free(ex);
    te_fini(&e);
}

static void
test_service_and_transport_errors(void)
{
    te_env_t e;
    env_up(&e, true);
    ex_exec_t *ex = te_run_def(&e, "{}", 10000, INVOKE("{\"FunctionName\":\"throttle\"}", ""));
    CHECK_STR(ex_exec_error(ex), "Lambda.TooManyRequestsException");
    CHECK_STR(ex_exec_cause(ex), "Rate exceeded (Service: AWSLambda; Status Code: 429; Error "
                                 "Code: TooManyRequestsException; Request ID: req-429; Proxy: "
                                 "null)");
    ex_exec_free(ex);
    ex = te_run_def(&e, "{}", 10000, INVOKE("{\"FunctionName\":\"nosuch\"}", ""));
    CHECK_STR(ex_exec_error(ex), "Lambda.ResourceNotFoundException");
    ex_exec_free(ex);
    ex =
        te_run_def(&e, "{}", 10000, INVOKE("{\"FunctionName\":\"slow\"}", ",\"TimeoutSeconds\":1"));
    CHECK_STR(ex_exec_error(ex), "States.Timeout");
    ex_exec_free(ex);
    ex = te_run_def(&e, "{}", 10000,
                    INVOKE("{\"FunctionName\":\"echo\",\"InvocationType\":"
                           "\"Sometimes\"}",
                           ""));
    CHECK_STR(ex_exec_error(ex), "States.Runtime");
    ex_exec_free(ex);
    tk_stats_t st;
    tk_resource_stats(&e.res[0], &st);
    CHECK_INT(st.cancelled, 1);
    CHECK_INT(st.inflight, 0);
    te_fini(&e);

    te_init(&e);
    sx_free(e.cfg.lambda_functions);
    e.cfg.lambda_functions = sx_strdup("f=http://127.0.0.1:1/2015-03-31/functions/function/"
                                       "invocations");
    te_add(&e, tk_lambda_new);
    ex = te_run_def(&e, "{}", 10000, INVOKE("{\"FunctionName\":\"f\"}", ""));
    CHECK_STR(ex_exec_error(ex), "Lambda.SdkClientException");
    CHECK(ex_exec_cause(ex) != NULL &&
          strncmp(ex_exec_cause(ex), "Unable to execute HTTP request: ", 32) == 0);
    ex_exec_free(ex);
    te_fini(&e);
}

static void
test_bad_table(void)
{
    te_env_t e;
    te_init(&e);
    sx_free(e.cfg.lambda_functions);
    e.cfg.lambda_functions = sx_strdup("good=http://x/, bad");
    ex_resource_t r;
    char msg[128] = "";
    CHECK_INT(tk_lambda_new(e.base, e.sch, &e.cfg, &r, msg, sizeof(msg)), SX_ERR);
    CHECK(strstr(msg, "name=value") != NULL);
    te_fini(&e);
}

static const sx_test_t tests[] = {
    {"invoke_success", test_invoke_success},
    {"function_arn", test_function_arn},
    {"function_errors", test_function_errors},
    {"unmapped", test_unmapped},
    {"service_and_transport_errors", test_service_and_transport_errors},
    {"bad_table", test_bad_table},
    {NULL, NULL}};

int
main(int argc, char **argv)
{
    if (ts_start(&srv) != 0) {
        fprintf(stderr, "cannot start the test HTTP server\n");
        return 1;
    }
    int rc = sx_test_main("task_lambda", tests, argc, argv);
    ts_stop(&srv);
    return rc;
}
