/*
 * test_log_config.c: the level filter (every history event type of express.md section 4 at
 * every level, against the lists of section 2), level names, loggingConfiguration parsing
 * and validation (error names and texts), DescribeStateMachine's form, and the directives.
 */
#include <string.h>

#include "stepx/log.h"
#include "../sx_test.h"

/* Every HistoryEventType (express.md section 4) with the lowest level that logs it
 * (express.md section 2): F = FATAL, E = ERROR, A = ALL only. */
static const struct {
    const char *type;
    char lvl;
} types[] = {
    {"ExecutionStarted", 'A'},
    {"ExecutionSucceeded", 'A'},
    {"ExecutionFailed", 'F'},
    {"ExecutionAborted", 'F'},
    {"ExecutionTimedOut", 'F'},
    {"ExecutionRedriven", 'A'},
    {"PassStateEntered", 'A'},
    {"PassStateExited", 'A'},
    {"TaskStateEntered", 'A'},
    {"TaskStateExited", 'A'},
    {"ChoiceStateEntered", 'A'},
    {"ChoiceStateExited", 'A'},
    {"WaitStateEntered", 'A'},
    {"WaitStateExited", 'A'},
    {"SucceedStateEntered", 'A'},
    {"SucceedStateExited", 'A'},
    {"MapStateEntered", 'A'},
    {"MapStateExited", 'A'},
    {"ParallelStateEntered", 'A'},
    {"ParallelStateExited", 'A'},
    {"FailStateEntered", 'E'},
    {"TaskScheduled", 'A'},
    {"TaskStarted", 'A'},
    {"TaskStartFailed", 'E'},
    {"TaskSubmitted", 'A'},
    {"TaskSubmitFailed", 'E'},
    {"TaskSucceeded", 'A'},
    {"TaskFailed", 'E'},
    {"TaskTimedOut", 'E'},
    {"TaskStateAborted", 'E'},
    {"WaitStateAborted", 'E'},
    {"LambdaFunctionScheduled", 'A'},
    {"LambdaFunctionScheduleFailed", 'E'},
    {"LambdaFunctionStarted", 'A'},
    {"LambdaFunctionStartFailed", 'E'},
    {"LambdaFunctionSucceeded", 'A'},
    {"LambdaFunctionFailed", 'E'},
    {"LambdaFunctionTimedOut", 'E'},
    {"ActivityScheduled", 'A'},
    {"ActivityScheduleFailed", 'A'},
    {"ActivityStarted", 'A'},
    {"ActivitySucceeded", 'A'},
    {"ActivityFailed", 'A'},
    {"ActivityTimedOut", 'A'},
    {"MapStateStarted", 'A'},
    {"MapStateSucceeded", 'A'},
    {"MapStateFailed", 'E'},
    {"MapStateAborted", 'E'},
    {"MapIterationStarted", 'A'},
    {"MapIterationSucceeded", 'A'},
    {"MapIterationFailed", 'E'},
    {"MapIterationAborted", 'E'},
    {"ParallelStateStarted", 'A'},
    {"ParallelStateSucceeded", 'A'},
    {"ParallelStateFailed", 'E'},
    {"ParallelStateAborted", 'E'},
    {"MapRunStarted", 'A'},
    {"MapRunSucceeded", 'A'},
    {"MapRunFailed", 'E'},
    {"MapRunAborted", 'E'},
    {"MapRunRedriven", 'A'},
    {"EvaluationFailed", 'A'},
};

static log_level_t
lvl_of(char c)
{
    return c == 'F' ? LOG_LEVEL_FATAL : c == 'E' ? LOG_LEVEL_ERROR : LOG_LEVEL_ALL;
}

static void
test_filter_every_type(void)
{
    int fatal = 0, error = 0;
    CHECK_INT(SX_ARRAY_LEN(types), 62);
    for (size_t i = 0; i < SX_ARRAY_LEN(types); i++) {
        const char *t = types[i].type;
        size_t n = strlen(t);
        log_level_t want = lvl_of(types[i].lvl);
        if (log_event_level(t, n) != want)
            fprintf(stderr, "  level of %s\n", t);
        CHECK_INT(log_event_level(t, n), want);
        CHECK(!log_event_included(LOG_LEVEL_OFF, t, n));
        CHECK(log_event_included(LOG_LEVEL_ALL, t, n));
        CHECK(log_event_included(LOG_LEVEL_ERROR, t, n) == (want <= LOG_LEVEL_ERROR));
        CHECK(log_event_included(LOG_LEVEL_FATAL, t, n) == (want == LOG_LEVEL_FATAL));
        fatal += want == LOG_LEVEL_FATAL;
        error += want == LOG_LEVEL_ERROR;
    }
    /* section 2: 3 FATAL types; ERROR = FATAL + 19 */
    CHECK_INT(fatal, 3);
    CHECK_INT(error, 19);
}

static void
test_filter_unknown_and_prefixes(void)
{
    /* prefixes, extensions and case variants of listed types are not listed types */
    CHECK_INT(log_event_level("TaskFaile", 9), LOG_LEVEL_ALL);
    CHECK_INT(log_event_level("TaskFailedX", 11), LOG_LEVEL_ALL);
    CHECK_INT(log_event_level("taskfailed", 10), LOG_LEVEL_ALL);
    CHECK_INT(log_event_level("", 0), LOG_LEVEL_ALL);
    CHECK_INT(log_event_level("Execution", 9), LOG_LEVEL_ALL);
    /* n bounds the comparison (not NUL-terminated input) */
    CHECK_INT(log_event_level("TaskFailedGarbage", 10), LOG_LEVEL_ERROR);
    CHECK(!log_event_included(LOG_LEVEL_FATAL, "SomethingNew", 12));
    CHECK(log_event_included(LOG_LEVEL_ALL, "SomethingNew", 12));
}

static void
test_level_names(void)
{
    log_level_t l;
    static const char *const names[] = {"OFF", "FATAL", "ERROR", "ALL"};
    for (int i = 0; i < 4; i++) {
        CHECK_STR(log_level_name((log_level_t)i), names[i]);
        CHECK_INT(log_level_parse(names[i], strlen(names[i]), &l), SX_OK);
        CHECK_INT(l, i);
    }
    CHECK_INT(log_level_parse("all", 3, &l), SX_ERR);
    CHECK_INT(log_level_parse("ALLX", 4, &l), SX_ERR);
    CHECK_INT(log_level_parse("AL", 2, &l), SX_ERR);
    CHECK_INT(log_level_parse("", 0, &l), SX_ERR);
}

/* Parses text into a config; returns the parse status. */
static int
parse(const char *text, log_config_t *c, log_config_err_t *err)
{
    sx_arena_t *a = sx_arena_new(0);
    const val_t *v = NULL;
    int rc;
    memset(err, 0, sizeof(*err));
    if (val_json_parse(a, text, strlen(text), &v, NULL) != SX_OK) {
        sx_arena_free(a);
        return 99;
    }
    rc = log_config_parse(c, v, err);
    sx_arena_free(a);
    return rc;
}

#define ARN "arn:aws:logs:us-east-1:123456789012:log-group:/aws/vendedlogs/states/M-Logs:*"
#define DEST(arn) "\"destinations\":[{\"cloudWatchLogsLogGroup\":{\"logGroupArn\":\"" arn "\"}}]"

static void
test_parse_valid(void)
{
    log_config_t c;
    log_config_err_t e;
    CHECK_INT(parse("{\"level\":\"ALL\",\"includeExecutionData\":true," DEST(ARN) "}", &c, &e),
              SX_OK);
    CHECK_INT(c.level, LOG_LEVEL_ALL);
    CHECK(c.include_data);
    CHECK_STR(c.group_arn, ARN);
    CHECK_STR(c.group_name, "/aws/vendedlogs/states/M-Logs");

    CHECK_INT(parse("{\"level\":\"FATAL\"," DEST("arn:aws-cn:logs:cn-north-1:1:log-group:g:*") "}",
                    &c, &e),
              SX_OK);
    CHECK_INT(c.level, LOG_LEVEL_FATAL);
    CHECK(!c.include_data);
    CHECK_STR(c.group_name, "g");

    /* defaults: {} and null are OFF without data; OFF may keep a destination */
    CHECK_INT(parse("{}", &c, &e), SX_OK);
    CHECK_INT(c.level, LOG_LEVEL_OFF);
    CHECK(!c.include_data);
    CHECK_STR(c.group_arn, "");
    CHECK_INT(parse("null", &c, &e), SX_OK);
    CHECK_INT(c.level, LOG_LEVEL_OFF);
    CHECK_INT(
        parse("{\"level\":\"OFF\",\"includeExecutionData\":false,\"destinations\":[]}", &c, &e),
        SX_OK);
    CHECK_INT(parse("{\"level\":\"OFF\"," DEST(ARN) "}", &c, &e), SX_OK);
    CHECK_STR(c.group_arn, ARN);
    /* null members are absent members; unknown members are ignored */
    CHECK_INT(parse("{\"level\":null,\"includeExecutionData\":null,\"destinations\":null,"
                    "\"x\":1}",
                    &c, &e),
              SX_OK);
    CHECK_INT(c.level, LOG_LEVEL_OFF);
    /* a log group name may itself contain ':' */
    CHECK_INT(parse("{\"level\":\"ERROR\"," DEST("arn:aws:logs:r:1:log-group:a:b:*") "}", &c, &e),
              SX_OK);
    CHECK_STR(c.group_name, "a:b");
}

static void
check_err(const char *text, const char *name, const char *msg)
{
    log_config_t c;
    log_config_err_t e;
    int rc = parse(text, &c, &e);
    CHECK_INT(rc, SX_ERR);
    if (rc != SX_ERR)
        return;
    CHECK_STR(e.name, name);
    CHECK_STR(e.msg, msg);
    /* a failed parse leaves the default */
    CHECK_INT(c.level, LOG_LEVEL_OFF);
    CHECK_STR(c.group_arn, "");
}

#define ONE "Invalid Logging Configuration: Must specify exactly one Log Destination."

static void
test_parse_invalid(void)
{
    check_err("{\"level\":\"ALL\"}", LOG_E_INVALID, ONE);
    check_err("{\"level\":\"ERROR\",\"destinations\":[]}", LOG_E_INVALID, ONE);
    check_err("{\"level\":\"ALL\",\"destinations\":[{\"cloudWatchLogsLogGroup\":{\"logGroupArn\":"
              "\"" ARN "\"}},{\"cloudWatchLogsLogGroup\":{\"logGroupArn\":\"" ARN "\"}}]}",
              LOG_E_INVALID, ONE);
    check_err("{\"level\":\"OFF\",\"destinations\":[{},{}]}", LOG_E_INVALID, ONE);
    check_err("{\"level\":\"ALL\",\"destinations\":[{}]}", LOG_E_INVALID, ONE);
    check_err("{\"level\":\"ALL\",\"destinations\":[{\"cloudWatchLogsLogGroup\":{}}]}",
              LOG_E_INVALID, ONE);
    check_err("{\"level\":\"ALL\"," DEST("arn:aws:logs:us-east-1:1:log-group:g") "}", LOG_E_INVALID,
              "Invalid Logging Configuration: The CloudWatch Logs Resource ARN must end with "
              "':*'.");
    check_err("{\"level\":\"ALL\"," DEST("arn:aws:logs:us-east-1:1:log-group:g*") "}",
              LOG_E_INVALID,
              "Invalid Logging Configuration: The CloudWatch Logs Resource ARN must end with "
              "':*'.");
    check_err("{\"level\":\"ALL\"," DEST("arn:aws:s3:us-east-1:1:log-group:g:*") "}", LOG_E_INVALID,
              "Invalid Logging Configuration: The CloudWatch Logs Resource ARN "
              "'arn:aws:s3:us-east-1:1:log-group:g:*' is not a log group ARN.");
    check_err("{\"level\":\"ALL\"," DEST("arn:aws:logs:us-east-1:1:log-group::*") "}",
              LOG_E_INVALID,
              "Invalid Logging Configuration: The CloudWatch Logs Resource ARN "
              "'arn:aws:logs:us-east-1:1:log-group::*' is not a log group ARN.");
    check_err("{\"level\":\"ALL\"," DEST(":*") "}", LOG_E_INVALID,
              "Invalid Logging Configuration: The CloudWatch Logs Resource ARN ':*' is not a log "
              "group ARN.");
    check_err("{\"level\":\"ALL\"," DEST("") "}", LOG_E_VALIDATION,
              "1 validation error detected: Value '' at 'loggingConfiguration.destinations.1."
              "member.cloudWatchLogsLogGroup.logGroupArn' failed to satisfy constraint: Member "
              "must have length greater than or equal to 1");
    check_err("{\"level\":\"all\"}", LOG_E_VALIDATION,
              "1 validation error detected: Value 'all' at 'loggingConfiguration.level' failed "
              "to satisfy constraint: Member must satisfy enum value set: [ALL, ERROR, FATAL, "
              "OFF]");
    check_err("{\"level\":\"\"}", LOG_E_VALIDATION,
              "1 validation error detected: Value '' at 'loggingConfiguration.level' failed "
              "to satisfy constraint: Member must satisfy enum value set: [ALL, ERROR, FATAL, "
              "OFF]");
    /* JSON types */
    check_err("{\"level\":1}", LOG_E_SERIALIZATION, "NUMBER_VALUE can not be converted to String");
    check_err("{\"includeExecutionData\":\"true\"}", LOG_E_SERIALIZATION,
              "STRING_VALUE can not be converted to Boolean");
    check_err("{\"includeExecutionData\":1}", LOG_E_SERIALIZATION,
              "NUMBER_VALUE can not be converted to Boolean");
    check_err("{\"destinations\":{}}", LOG_E_SERIALIZATION,
              "Start of structure or map found where not expected.");
    check_err("{\"destinations\":true}", LOG_E_SERIALIZATION,
              "BOOLEAN_VALUE can not be converted to List");
    check_err("[]", LOG_E_SERIALIZATION, "Start of list found where not expected");
    check_err("\"ALL\"", LOG_E_SERIALIZATION, "STRING_VALUE can not be converted to Structure");
    check_err("{\"level\":\"ALL\",\"destinations\":[{\"cloudWatchLogsLogGroup\":{\"logGroupArn\":"
              "5}}]}",
              LOG_E_SERIALIZATION, "NUMBER_VALUE can not be converted to String");
    check_err("{\"level\":\"ALL\",\"destinations\":[{\"cloudWatchLogsLogGroup\":[]}]}",
              LOG_E_SERIALIZATION, "Start of list found where not expected");
}

static void
test_parse_arn_length(void)
{
    char arn[400], text[600], msg[800];
    log_config_t c;
    log_config_err_t e;
    /* 256 bytes: accepted; 257: ValidationException */
    for (int len = 256; len <= 257; len++) {
        int pre = snprintf(arn, sizeof(arn), "arn:aws:logs:us-east-1:123456789012:log-group:");
        memset(arn + pre, 'g', (size_t)(len - pre - 2));
        memcpy(arn + len - 2, ":*", 3);
        CHECK_INT(strlen(arn), len);
        snprintf(text, sizeof(text), "{\"level\":\"ALL\"," DEST("%s") "}", arn);
        if (len == 256) {
            CHECK_INT(parse(text, &c, &e), SX_OK);
            CHECK_STR(c.group_arn, arn);
            CHECK_INT(strlen(c.group_name), 256 - pre - 2);
        } else {
            snprintf(msg, sizeof(msg),
                     "1 validation error detected: Value '%s' at 'loggingConfiguration."
                     "destinations.1.member.cloudWatchLogsLogGroup.logGroupArn' failed to "
                     "satisfy constraint: Member must have length less than or equal to 256",
                     arn);
            check_err(text, LOG_E_VALIDATION, msg);
        }
    }
}

static void
test_to_val(void)
{
    sx_arena_t *a = sx_arena_new(0);
    log_config_t c;
    log_config_err_t e;
    log_config_init(&c);
    CHECK_STR(val_json_str(a, log_config_to_val(&c, a), NULL),
              "{\"level\":\"OFF\",\"includeExecutionData\":false}");
    CHECK_INT(parse("{\"level\":\"ERROR\",\"includeExecutionData\":true," DEST(ARN) "}", &c, &e),
              SX_OK);
    CHECK_STR(val_json_str(a, log_config_to_val(&c, a), NULL),
              "{\"level\":\"ERROR\",\"includeExecutionData\":true,\"destinations\":[{"
              "\"cloudWatchLogsLogGroup\":{\"logGroupArn\":\"" ARN "\"}}]}");
    sx_arena_free(a);
}

static void
test_directives(void)
{
    log_conf_t lc;
    cfg_section_t sec = {log_conf_directives, &lc};
    cfg_err_t err;
    const char *text = "log_stream execlogs\nlog_maxlen 500\nlog_payload_max 1k\n"
                       "log_timeout 250ms\n";
    memset(&lc, 0, sizeof(lc));
    CHECK_INT(cfg_defaults_apply(&sec, 1, &err), SX_OK);
    CHECK_STR(lc.stream_key, "logs");
    CHECK_INT(lc.maxlen, 1000000);
    CHECK_INT(lc.payload_max, 248 * 1024);
    CHECK_INT(lc.timeout_ms, 0);
    CHECK_INT(cfg_text_load(&sec, 1, "t.conf", text, strlen(text), &err), SX_OK);
    CHECK_STR(lc.stream_key, "execlogs");
    CHECK_INT(lc.maxlen, 500);
    CHECK_INT(lc.payload_max, 1024);
    CHECK_INT(lc.timeout_ms, 250);
    CHECK_INT(cfg_set(&sec, 1, "--log-stream", "log_stream", 10, "a{b}", &err), SX_ERR);
    CHECK_INT(cfg_set(&sec, 1, "--log-maxlen", "log_maxlen", 10, "0", &err), SX_ERR);
    cfg_sections_fini(&sec, 1);
}

static const sx_test_t tests[] = {
    {"filter_every_type", test_filter_every_type},
    {"filter_unknown_and_prefixes", test_filter_unknown_and_prefixes},
    {"level_names", test_level_names},
    {"parse_valid", test_parse_valid},
    {"parse_invalid", test_parse_invalid},
    {"parse_arn_length", test_parse_arn_length},
    {"to_val", test_to_val},
    {"directives", test_directives},
    {NULL, NULL},
};

int
main(int argc, char **argv)
{
    return sx_test_main("log_config", tests, argc, argv);
}
