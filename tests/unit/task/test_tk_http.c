/*
 * test_tk_http.c: arn:aws:states:::http:invoke through the engine against a real loopback
 * HTTP server (tk_testsrv.h): results, JSON/non-JSON bodies, status mapping, socket errors,
 * TimeoutSeconds and cancellation, keep-alive reuse, 100 concurrent calls, request
 * encoding, size limit, and an end-to-end machine.
 */
#include "tk_testenv.h"
#include "tk_testsrv.h"

static ts_srv_t srv;

#define TASK(params, extra)                                                                        \
    "{\"StartAt\":\"T\",\"States\":{\"T\":{\"Type\":\"Task\",\"Resource\":"                        \
    "\"arn:aws:states:::http:invoke\",\"Parameters\":" params extra ",\"End\":true}}}"

static ex_exec_t *
http_run(te_env_t *e, const char *method, const char *path, const char *extra)
{
    return te_run_def(e, "{}", 10000,
                      TASK("{\"ApiEndpoint\":\"http://127.0.0.1:%d%s\",\"Method\":\"%s\","
                           "\"Authentication\":{\"ConnectionArn\":\"arn:aws:events:us-east-1:1:"
                           "connection/x\"}}",
                           "%s"),
                      srv.port, path, method, extra);
}

static void
test_json_body(void)
{
    te_env_t e;
    te_init(&e);
    te_add(&e, tk_http_new);
    ex_exec_t *ex = http_run(&e, "GET", "/json", "");
    CHECK(ex != NULL);
    CHECK_STR(ex_status_name(ex_exec_status(ex)), "SUCCEEDED");
    const val_t *o = ex_exec_output(ex);
    CHECK_INT(val_num_get(te_get(o, "StatusCode", NULL)), 200);
    CHECK_STR(val_str_get(te_get(o, "StatusText", NULL)), "OK");
    CHECK_STR(val_str_get(te_get(o, "ResponseBody", "hello", NULL)), "world");
    const val_t *ct = te_get(o, "Headers", "content-type", NULL);
    CHECK(val_is(ct, VAL_ARR) && val_len(ct) == 1);
    if (val_is(ct, VAL_ARR) && val_len(ct) == 1)
        CHECK_STR(val_str_get(val_arr_at(ct, 0)), "application/json");
    ex_exec_free(ex);
    tk_stats_t st;
    tk_resource_stats(&e.res[0], &st);
    CHECK_INT(st.started, 1);
    CHECK_INT(st.succeeded, 1);
    CHECK_INT(st.inflight, 0);
    te_fini(&e);
}

static void
test_text_body(void)
{
    te_env_t e;
    te_init(&e);
    te_add(&e, tk_http_new);
    ex_exec_t *ex = http_run(&e, "GET", "/text", "");
    CHECK_STR(ex_status_name(ex_exec_status(ex)), "SUCCEEDED");
    CHECK_STR(val_str_get(te_get(ex_exec_output(ex), "ResponseBody", NULL)), "plain text");
    ex_exec_free(ex);
    te_fini(&e);
}

static void
test_status_4xx_5xx(void)
{
    te_env_t e;
    te_init(&e);
    te_add(&e, tk_http_new);
    ex_exec_t *ex = http_run(&e, "GET", "/status/404", "");
    CHECK_STR(ex_status_name(ex_exec_status(ex)), "FAILED");
    CHECK_STR(ex_exec_error(ex), "States.Http.StatusCode.404");
    const char *cause = ex_exec_cause(ex);
    CHECK(cause != NULL && strstr(cause, "\"StatusCode\":404") != NULL);
    CHECK(cause != NULL && strstr(cause, "\"StatusText\":\"Not Found\"") != NULL);
    CHECK(cause != NULL && strstr(cause, "\"ResponseBody\":{\"error\":\"status 404\"}") != NULL);
    ex_exec_free(ex);
    /* a 500 caught by States.ALL, a 418 by States.TaskFailed (the validator does not accept
     * States.Http.StatusCode.<n> in ErrorEquals yet) */
    ex = http_run(&e, "POST", "/status/500",
                  ",\"Catch\":[{\"ErrorEquals\":[\"States.ALL\"],"
                  "\"Next\":\"C\"}],\"End\":true},\"C\":{\"Type\":\"Pass\"");
    CHECK_STR(ex_status_name(ex_exec_status(ex)), "SUCCEEDED");
    CHECK_STR(val_str_get(te_get(ex_exec_output(ex), "Error", NULL)), "States.Http.StatusCode.500");
    ex_exec_free(ex);
    ex = http_run(&e, "GET", "/status/418",
                  ",\"Catch\":[{\"ErrorEquals\":[\"States.TaskFailed\"],"
                  "\"Next\":\"C\"}],\"End\":true},\"C\":{\"Type\":\"Pass\"");
    CHECK_STR(ex_status_name(ex_exec_status(ex)), "SUCCEEDED");
    CHECK_STR(val_str_get(te_get(ex_exec_output(ex), "Error", NULL)), "States.Http.StatusCode.418");
    ex_exec_free(ex);
    te_fini(&e);
}

static void
test_connection_refused(void)
{
    te_env_t e;
    te_init(&e);
    te_add(&e, tk_http_new);
    /* a port nobody listens on: bind, read it back, close */
    struct sockaddr_in a;
    socklen_t len = sizeof(a);
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    memset(&a, 0, sizeof(a));
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    bind(fd, (struct sockaddr *)&a, sizeof(a));
    getsockname(fd, (struct sockaddr *)&a, &len);
    close(fd);
    ex_exec_t *ex = te_run_def(&e, "{}", 10000,
                               TASK("{\"ApiEndpoint\":\"http://127.0.0.1:%d/\","
                                    "\"Method\":\"GET\"}",
                                    ""),
                               ntohs(a.sin_port));
    CHECK_STR(ex_status_name(ex_exec_status(ex)), "FAILED");
    CHECK_STR(ex_exec_error(ex), "States.Http.Socket");
    CHECK(ex_exec_cause(ex) != NULL && strlen(ex_exec_cause(ex)) > 0);
    ex_exec_free(ex);
    te_fini(&e);
}

static void
test_timeout_seconds(void)
{
    te_env_t e;
    te_init(&e);
    te_add(&e, tk_http_new);
    uint64_t t0 = sx_mono_ns();
    ex_exec_t *ex = http_run(&e, "GET", "/delay/3000", ",\"TimeoutSeconds\":1");
    uint64_t ms = (sx_mono_ns() - t0) / 1000000u;
    CHECK_STR(ex_status_name(ex_exec_status(ex)), "FAILED");
    CHECK_STR(ex_exec_error(ex), "States.Timeout");
    CHECK(ms >= 900 && ms < 2500);
    tk_stats_t st;
    tk_resource_stats(&e.res[0], &st);
    CHECK_INT(st.cancelled, 1);
    CHECK_INT(st.inflight, 0);
    ex_exec_free(ex);
    te_spin(&e, 50); /* the aborted transfer must not complete anything later */
    te_fini(&e);
}

static void
test_socket_timeout(void)
{
    te_env_t e;
    te_init(&e);
    e.cfg.http_timeout_ms = 300;
    te_add(&e, tk_http_new);
    ex_exec_t *ex = http_run(&e, "GET", "/delay/2000", "");
    CHECK_STR(ex_exec_error(ex), "States.Http.Socket");
    CHECK(ex_exec_cause(ex) != NULL && strstr(ex_exec_cause(ex), "timed out") != NULL);
    ex_exec_free(ex);
    te_fini(&e);
}

static void
test_cancel_midflight(void)
{
    te_env_t e;
    te_init(&e);
    te_add(&e, tk_http_new);
    asl_machine_t *m = te_compile(TASK("{\"ApiEndpoint\":\"http://127.0.0.1:%d/delay/2000\","
                                       "\"Method\":\"GET\"}",
                                       ""),
                                  srv.port);
    ex_exec_t *ex = te_start(&e, m, "{}");
    asl_machine_unref(m);
    te_spin(&e, 200);
    tk_stats_t st;
    tk_resource_stats(&e.res[0], &st);
    CHECK_INT(st.inflight, 1);
    int before = atomic_load(&srv.requests);
    CHECK(before > 0);
    ex_exec_stop(ex);
    CHECK_STR(ex_status_name(ex_exec_status(ex)), "ABORTED");
    tk_resource_stats(&e.res[0], &st);
    CHECK_INT(st.cancelled, 1);
    CHECK_INT(st.inflight, 0);
    ex_exec_free(ex);
    te_spin(&e, 100);
    te_fini(&e);
}

static void
test_keepalive_reuse(void)
{
    te_env_t e;
    te_init(&e);
    te_add(&e, tk_http_new);
    /* wait for connections of earlier tests to be closed by their clients */
    for (int i = 0; i < 100 && atomic_load(&srv.open) > 0; i++)
        te_spin(&e, 10);
    int before = atomic_load(&srv.connections);
    for (int i = 0; i < 20; i++) {
        ex_exec_t *ex = http_run(&e, "GET", "/json", "");
        CHECK_STR(ex_status_name(ex_exec_status(ex)), "SUCCEEDED");
        ex_exec_free(ex);
    }
    CHECK_INT(atomic_load(&srv.connections) - before, 1);
    te_fini(&e);
}

static void
test_concurrent_100(void)
{
    te_env_t e;
    te_init(&e);
    e.cfg.max_host_connections = 16;
    te_add(&e, tk_http_new);
    asl_machine_t *m = te_compile(TASK("{\"ApiEndpoint\":\"http://127.0.0.1:%d/delay/100\","
                                       "\"Method\":\"GET\"}",
                                       ""),
                                  srv.port);
    ex_exec_t *xs[100];
    int before = atomic_load(&srv.connections);
    uint64_t t0 = sx_mono_ns();
    for (int i = 0; i < 100; i++)
        xs[i] = te_start(&e, m, "{}");
    asl_machine_unref(m);
    CHECK_INT(te_run(&e, xs, 100, 20000), SX_OK);
    uint64_t ms = (sx_mono_ns() - t0) / 1000000u;
    int ok = 0;
    for (int i = 0; i < 100; i++) {
        ok += ex_exec_status(xs[i]) == EX_SUCCEEDED;
        ex_exec_free(xs[i]);
    }
    CHECK_INT(ok, 100);
    int conns = atomic_load(&srv.connections) - before;
    CHECK(conns >= 1 && conns <= 16);
    /* 100 calls of 100 ms over at most 16 connections: 7 rounds, not 100 */
    CHECK(ms < 3000);
    fprintf(stderr, "  100 concurrent: %llu ms, %d connections\n", (unsigned long long)ms, conns);
    te_fini(&e);
}

static void
test_request_encoding(void)
{
    te_env_t e;
    te_init(&e);
    te_add(&e, tk_http_new);
    ex_exec_t *ex =
        te_run_def(&e, "{\"who\":\"me\"}", 10000,
                   TASK("{\"ApiEndpoint\":\"http://127.0.0.1:%d/echo\",\"Method\":\"PUT\","
                        "\"Headers\":{\"X-Test\":\"a b\",\"X-Num\":7},"
                        "\"QueryParameters\":{\"q\":\"x y&z\",\"list\":[\"1\",\"2\"]},"
                        "\"RequestBody\":{\"who.$\":\"$.who\",\"n\":[1,2]}}",
                        ""),
                   srv.port);
    CHECK_STR(ex_status_name(ex_exec_status(ex)), "SUCCEEDED");
    const val_t *b = te_get(ex_exec_output(ex), "ResponseBody", NULL);
    CHECK_STR(val_str_get(te_get(b, "method", NULL)), "PUT");
    CHECK_STR(val_str_get(te_get(b, "uri", NULL)), "/echo?q=x%20y%26z&list=1&list=2");
    CHECK_STR(val_str_get(te_get(b, "headers", "X-Test", NULL)), "a b");
    CHECK_STR(val_str_get(te_get(b, "headers", "X-Num", NULL)), "7");
    CHECK_STR(val_str_get(te_get(b, "headers", "Content-Type", NULL)), "application/json");
    CHECK_STR(val_str_get(te_get(b, "body", NULL)), "{\"who\":\"me\",\"n\":[1,2]}");
    ex_exec_free(ex);

    ex = te_run_def(&e, "{}", 10000,
                    TASK("{\"ApiEndpoint\":\"http://127.0.0.1:%d/echo\",\"Method\":\"POST\","
                         "\"RequestBody\":{\"a\":\"1 2\",\"arr\":[\"x\",\"y\"],\"o\":{\"k\":true}},"
                         "\"Transform\":{\"RequestBodyEncoding\":\"URL_ENCODED\","
                         "\"RequestEncodingOptions\":{\"ArrayFormat\":\"BRACKETS\"}}}",
                         ""),
                    srv.port);
    b = te_get(ex_exec_output(ex), "ResponseBody", NULL);
    CHECK_STR(val_str_get(te_get(b, "body", NULL)),
              "a=1%202&arr%5B%5D=x&arr%5B%5D=y&o%5Bk%5D=true");
    CHECK_STR(val_str_get(te_get(b, "headers", "Content-Type", NULL)),
              "application/x-www-form-urlencoded");
    ex_exec_free(ex);

    ex = te_run_def(&e, "{}", 10000,
                    TASK("{\"ApiEndpoint\":\"http://127.0.0.1:%d/echo\",\"Method\":\"POST\","
                         "\"RequestBody\":{\"arr\":[\"x\",\"y\"]},"
                         "\"Transform\":{\"RequestBodyEncoding\":\"URL_ENCODED\"}}",
                         ""),
                    srv.port);
    b = te_get(ex_exec_output(ex), "ResponseBody", NULL);
    CHECK_STR(val_str_get(te_get(b, "body", NULL)), "arr%5B0%5D=x&arr%5B1%5D=y");
    ex_exec_free(ex);
    te_fini(&e);
}

static void
test_bad_parameters(void)
{
    te_env_t e;
    te_init(&e);
    te_add(&e, tk_http_new);
    ex_exec_t *ex = te_run_def(
        &e, "{}", 10000, TASK("{\"ApiEndpoint\":\"http://127.0.0.1:%d/json\"}", ""), srv.port);
    CHECK_STR(ex_exec_error(ex), "States.Runtime");
    CHECK(ex_exec_cause(ex) != NULL && strstr(ex_exec_cause(ex), "Method") != NULL);
    ex_exec_free(ex);
    ex = te_run_def(&e, "{}", 10000,
                    TASK("{\"ApiEndpoint\":\"file:///etc/passwd\",\"Method\":\"GET\"}", ""));
    CHECK_STR(ex_exec_error(ex), "States.Runtime");
    ex_exec_free(ex);
    ex = http_run(&e, "GET", "/json", "");
    ex_exec_free(ex);
    ex = te_run_def(&e, "{}", 10000,
                    TASK("{\"ApiEndpoint\":\"http://127.0.0.1:%d/json\",\"Method\":\"GET\","
                         "\"Headers\":{\"Host\":\"evil\"}}",
                         ""),
                    srv.port);
    CHECK_STR(ex_exec_error(ex), "States.Runtime");
    ex_exec_free(ex);
    tk_stats_t st;
    tk_resource_stats(&e.res[0], &st);
    CHECK_INT(st.inflight, 0);
    te_fini(&e);
}

static void
test_data_limit(void)
{
    te_env_t e;
    te_init(&e);
    te_add(&e, tk_http_new);
    ex_exec_t *ex = http_run(&e, "GET", "/big/300000", "");
    CHECK_STR(ex_exec_error(ex), "States.DataLimitExceeded");
    CHECK_STR(ex_exec_cause(ex), "The state/task 'http' returned a result with a size exceeding "
                                 "the maximum number of bytes service limit.");
    ex_exec_free(ex);
    ex = http_run(&e, "GET", "/big/200000", "");
    CHECK_STR(ex_status_name(ex_exec_status(ex)), "SUCCEEDED");
    ex_exec_free(ex);
    te_fini(&e);
}

static void
test_end_to_end(void)
{
    te_env_t e;
    te_init(&e);
    te_add(&e, tk_http_new);
    ex_exec_t *ex = te_run_def(
        &e, "{\"path\":\"json\"}", 10000,
        "{\"StartAt\":\"Prep\",\"States\":{"
        "\"Prep\":{\"Type\":\"Pass\",\"Parameters\":{\"url.$\":"
        "\"States.Format('http://127.0.0.1:%d/{}', $.path)\"},\"Next\":\"Call\"},"
        "\"Call\":{\"Type\":\"Task\",\"Resource\":\"arn:aws:states:::http:invoke\","
        "\"Parameters\":{\"ApiEndpoint.$\":\"$.url\",\"Method\":\"GET\"},"
        "\"ResultSelector\":{\"code.$\":\"$.StatusCode\",\"greeting.$\":\"$.ResponseBody.hello\"},"
        "\"ResultPath\":\"$.http\",\"Retry\":[{\"ErrorEquals\":[\"States.Http.Socket\"],"
        "\"MaxAttempts\":1}],\"Next\":\"Check\"},"
        "\"Check\":{\"Type\":\"Choice\",\"Choices\":[{\"Variable\":\"$.http.code\","
        "\"NumericEquals\":200,\"Next\":\"Fail404\"}],\"Default\":\"Bad\"},"
        "\"Fail404\":{\"Type\":\"Task\",\"Resource\":\"arn:aws:states:::http:invoke\","
        "\"Parameters\":{\"ApiEndpoint\":\"http://127.0.0.1:%d/status/404\",\"Method\":\"GET\"},"
        "\"Catch\":[{\"ErrorEquals\":[\"States.ALL\"],\"ResultPath\":\"$.err\","
        "\"Next\":\"Done\"}],\"Next\":\"Bad\"},"
        "\"Bad\":{\"Type\":\"Fail\",\"Error\":\"Bad\"},"
        "\"Done\":{\"Type\":\"Pass\",\"Parameters\":{\"greeting.$\":\"$.http.greeting\","
        "\"error.$\":\"$.err.Error\"},\"End\":true}}}",
        srv.port, srv.port);
    CHECK_STR(ex_status_name(ex_exec_status(ex)), "SUCCEEDED");
    CHECK_STR(te_out(ex), "{\"greeting\":\"world\",\"error\":\"States.Http.StatusCode.404\"}");
    ex_exec_free(ex);
    te_fini(&e);
}

static const sx_test_t tests[] = {{"json_body", test_json_body},
                                  {"text_body", test_text_body},
                                  {"status_4xx_5xx", test_status_4xx_5xx},
                                  {"connection_refused", test_connection_refused},
                                  {"timeout_seconds", test_timeout_seconds},
                                  {"socket_timeout", test_socket_timeout},
                                  {"cancel_midflight", test_cancel_midflight},
                                  {"keepalive_reuse", test_keepalive_reuse},
                                  {"concurrent_100", test_concurrent_100},
                                  {"request_encoding", test_request_encoding},
                                  {"bad_parameters", test_bad_parameters},
                                  {"data_limit", test_data_limit},
                                  {"end_to_end", test_end_to_end},
                                  {NULL, NULL}};

int
main(int argc, char **argv)
{
    if (ts_start(&srv) != 0) {
        fprintf(stderr, "cannot start the test HTTP server\n");
        return 1;
    }
    int rc = sx_test_main("task_http", tests, argc, argv);
    ts_stop(&srv);
    return rc;
}
