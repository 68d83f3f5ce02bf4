/*
 * test_log_format.c: history event -> CloudWatch message: field formats (string ids,
 * epoch-ms timestamps from ISO and epoch-seconds inputs, execution_arn, redrive_count),
 * details as AWS shapes them, includeExecutionData stripping, payload truncation (budget,
 * UTF-8 boundary, truncated flags), level filtering, malformed events, log group / stream
 * names, and the FILE sink over a real engine history (a 3-state Pass machine).
 */
#include <stdlib.h>
#include <string.h>

#include "stepx/exec.h"
#include "stepx/log.h"
#include "../sx_test.h"

#define ARN "arn:aws:states:us-east-1:123456789012:express:SM:exec:0b8a-uuid"

static const log_exec_t X = {ARN, "SM", 1718040000123};

static sx_arena_t *A;

static const val_t *
J(const char *text)
{
    const val_t *v = NULL;
    val_json_err_t e;
    if (val_json_parse(A, text, strlen(text), &v, &e) != SX_OK)
        fprintf(stderr, "  bad test JSON: %s\n", e.msg);
    return v;
}

static log_config_t
cfg(log_level_t level, bool data)
{
    log_config_t c;
    log_config_init(&c);
    c.level = level;
    c.include_data = data;
    return c;
}

/* Formats ev and returns the message (static buffer), or "<rc>" when not SX_OK. */
static const char *
fmt(const log_config_t *c, const char *ev, size_t payload_max)
{
    static char buf[4096];
    sx_sbuf_t b = SX_SBUF_INIT;
    int rc;
    sx_sbuf_adds(&b, "");
    rc = log_event_format(&b, c, &X, J(ev), payload_max);
    if (rc == SX_OK)
        snprintf(buf, sizeof(buf), "%s", b.p);
    else
        snprintf(buf, sizeof(buf), "<%d:%zu>", rc, b.len);
    sx_sbuf_fini(&b);
    return buf;
}

#define TAIL "\"execution_arn\":\"" ARN "\",\"redrive_count\":\"0\"}"

static void
test_spec_example(void)
{
    /* express.md section 2's example message, from the matching history event */
    log_config_t c = cfg(LOG_LEVEL_ALL, true);
    CHECK_STR(fmt(&c,
                  "{\"id\":3,\"previousEventId\":2,\"timestamp\":\"2024-06-10T17:20:00.123Z\","
                  "\"type\":\"PassStateExited\",\"stateExitedEventDetails\":{\"name\":"
                  "\"State_1\",\"output\":\"{\\\"Arg1\\\":\\\"argument1\\\"}\","
                  "\"outputDetails\":{\"truncated\":false}}}",
                  0),
              "{\"id\":\"3\",\"type\":\"PassStateExited\",\"details\":{\"name\":\"State_1\","
              "\"output\":\"{\\\"Arg1\\\":\\\"argument1\\\"}\",\"outputDetails\":{\"truncated\":"
              "false}},\"previous_event_id\":\"2\",\"event_timestamp\":\"1718040000123\"," TAIL);
}

static void
test_field_formats(void)
{
    log_config_t c = cfg(LOG_LEVEL_ALL, true);
    /* AWS JSON timestamps are epoch seconds with a fraction; ids may be strings */
    CHECK_STR(fmt(&c,
                  "{\"id\":\"1\",\"previousEventId\":\"0\",\"timestamp\":1718040000.123,"
                  "\"type\":\"ParallelStateStarted\"}",
                  0),
              "{\"id\":\"1\",\"type\":\"ParallelStateStarted\",\"details\":{},"
              "\"previous_event_id\":\"0\",\"event_timestamp\":\"1718040000123\"," TAIL);
    /* no previousEventId: "0"; numeric offsets in ISO timestamps; an epoch-ms number */
    CHECK_STR(fmt(&c,
                  "{\"id\":12,\"timestamp\":\"2024-06-10T19:20:00.5+02:00\","
                  "\"type\":\"X\"}",
                  0),
              "{\"id\":\"12\",\"type\":\"X\",\"details\":{},\"previous_event_id\":\"0\","
              "\"event_timestamp\":\"1718040000500\"," TAIL);
    CHECK_STR(fmt(&c,
                  "{\"id\":2,\"previousEventId\":null,\"timestamp\":1718040000999,"
                  "\"type\":\"X\"}",
                  0),
              "{\"id\":\"2\",\"type\":\"X\",\"details\":{},\"previous_event_id\":\"0\","
              "\"event_timestamp\":\"1718040000999\"," TAIL);
    /* details other than payloads are printed as they are (numbers stay numbers) */
    CHECK_STR(
        fmt(&c,
            "{\"id\":5,\"previousEventId\":4,\"timestamp\":\"2024-06-10T17:20:00Z\","
            "\"type\":\"MapIterationStarted\",\"mapIterationStartedEventDetails\":"
            "{\"name\":\"M\",\"index\":0}}",
            0),
        "{\"id\":\"5\",\"type\":\"MapIterationStarted\",\"details\":{\"name\":\"M\","
        "\"index\":0},\"previous_event_id\":\"4\",\"event_timestamp\":\"1718040000000\"," TAIL);
    /* the type string is escaped; a non-object *EventDetails is not the details */
    CHECK_STR(fmt(&c,
                  "{\"id\":1,\"timestamp\":\"2024-06-10T17:20:00Z\",\"type\":\"A\\\"B\","
                  "\"aEventDetails\":5}",
                  0),
              "{\"id\":\"1\",\"type\":\"A\\\"B\",\"details\":{},\"previous_event_id\":\"0\","
              "\"event_timestamp\":\"1718040000000\"," TAIL);
}

static void
test_execution_events(void)
{
    log_config_t c = cfg(LOG_LEVEL_ALL, true);
    CHECK_STR(fmt(&c,
                  "{\"id\":1,\"previousEventId\":0,\"timestamp\":\"2024-06-10T17:20:00.123Z\","
                  "\"type\":\"ExecutionStarted\",\"executionStartedEventDetails\":{\"input\":"
                  "\"{}\",\"inputDetails\":{\"truncated\":false},\"roleArn\":\"arn:r\"}}",
                  0),
              "{\"id\":\"1\",\"type\":\"ExecutionStarted\",\"details\":{\"input\":\"{}\","
              "\"inputDetails\":{\"truncated\":false},\"roleArn\":\"arn:r\"},"
              "\"previous_event_id\":\"0\",\"event_timestamp\":\"1718040000123\"," TAIL);
    /* stripped: input and inputDetails go, roleArn stays */
    c.include_data = false;
    CHECK_STR(fmt(&c,
                  "{\"id\":1,\"previousEventId\":0,\"timestamp\":\"2024-06-10T17:20:00.123Z\","
                  "\"type\":\"ExecutionStarted\",\"executionStartedEventDetails\":{\"input\":"
                  "\"{}\",\"inputDetails\":{\"truncated\":false},\"roleArn\":\"arn:r\"}}",
                  0),
              "{\"id\":\"1\",\"type\":\"ExecutionStarted\",\"details\":{\"roleArn\":\"arn:r\"},"
              "\"previous_event_id\":\"0\",\"event_timestamp\":\"1718040000123\"," TAIL);
    /* failures keep error and cause at every level that logs them */
    c.level = LOG_LEVEL_FATAL;
    CHECK_STR(fmt(&c,
                  "{\"id\":4,\"previousEventId\":3,\"timestamp\":\"2024-06-10T17:20:01Z\","
                  "\"type\":\"ExecutionFailed\",\"executionFailedEventDetails\":{\"error\":"
                  "\"E\",\"cause\":\"why \\\"\\n\"}}",
                  0),
              "{\"id\":\"4\",\"type\":\"ExecutionFailed\",\"details\":{\"error\":\"E\","
              "\"cause\":\"why \\\"\\n\"},\"previous_event_id\":\"3\","
              "\"event_timestamp\":\"1718040001000\"," TAIL);
}

#define EV_OUT(out, det)                                                                           \
    "{\"id\":3,\"previousEventId\":2,\"timestamp\":\"2024-06-10T17:20:00.123Z\",\"type\":"         \
    "\"TaskSucceeded\",\"taskSucceededEventDetails\":{\"resourceType\":\"lambda\",\"resource\":"   \
    "\"invoke\",\"output\":" out det "}}"
#define MSG_OUT(details)                                                                           \
    "{\"id\":\"3\",\"type\":\"TaskSucceeded\",\"details\":{\"resourceType\":\"lambda\","           \
    "\"resource\":\"invoke\"" details "},\"previous_event_id\":\"2\",\"event_timestamp\":"         \
    "\"1718040000123\"," TAIL

static void
test_strip(void)
{
    log_config_t c = cfg(LOG_LEVEL_ALL, false);
    CHECK_STR(fmt(&c, EV_OUT("\"[1,2]\"", ",\"outputDetails\":{\"truncated\":false}"), 0),
              MSG_OUT(""));
    /* a *Details member without its payload goes too */
    CHECK_STR(fmt(&c,
                  "{\"id\":2,\"previousEventId\":1,\"timestamp\":\"2024-06-10T17:20:00Z\","
                  "\"type\":\"PassStateEntered\",\"stateEnteredEventDetails\":{"
                  "\"inputDetails\":{\"truncated\":false},\"name\":\"P\"}}",
                  0),
              "{\"id\":\"2\",\"type\":\"PassStateEntered\",\"details\":{\"name\":\"P\"},"
              "\"previous_event_id\":\"1\",\"event_timestamp\":\"1718040000000\"," TAIL);
    /* only the four members go: other data-bearing members stay (spec lists exactly four) */
    CHECK_STR(fmt(&c,
                  "{\"id\":2,\"previousEventId\":1,\"timestamp\":\"2024-06-10T17:20:00Z\","
                  "\"type\":\"TaskScheduled\",\"taskScheduledEventDetails\":{"
                  "\"resource\":\"invoke\",\"parameters\":\"{}\"}}",
                  0),
              "{\"id\":\"2\",\"type\":\"TaskScheduled\",\"details\":{\"resource\":\"invoke\","
              "\"parameters\":\"{}\"},\"previous_event_id\":\"1\",\"event_timestamp\":"
              "\"1718040000000\"," TAIL);
}

static void
test_payload_forms(void)
{
    log_config_t c = cfg(LOG_LEVEL_ALL, true);
    /* missing outputDetails is added after the payload */
    CHECK_STR(fmt(&c, EV_OUT("\"[1,2]\"", ""), 0),
              MSG_OUT(",\"output\":\"[1,2]\",\"outputDetails\":{\"truncated\":false}"));
    /* a non-string payload is JSON-encoded into a string */
    CHECK_STR(fmt(&c, EV_OUT("{\"a\":[1,\"x\"]}", ""), 0),
              MSG_OUT(",\"output\":\"{\\\"a\\\":[1,\\\"x\\\"]}\",\"outputDetails\":{"
                      "\"truncated\":false}"));
    /* *Details keeps its other members, truncated is rewritten */
    CHECK_STR(
        fmt(&c, EV_OUT("\"1\"", ",\"outputDetails\":{\"truncated\":true,\"included\":true}"), 0),
        MSG_OUT(",\"output\":\"1\",\"outputDetails\":{\"included\":true,\"truncated\":"
                "false}"));
    /* *Details before its payload still gets the payload's flag */
    CHECK_STR(fmt(&c,
                  "{\"id\":3,\"previousEventId\":2,\"timestamp\":\"2024-06-10T17:20:00.123Z\","
                  "\"type\":\"TaskSucceeded\",\"taskSucceededEventDetails\":{\"outputDetails\":"
                  "{\"truncated\":false},\"output\":\"abcdef\"}}",
                  4),
              "{\"id\":\"3\",\"type\":\"TaskSucceeded\",\"details\":{\"outputDetails\":{"
              "\"truncated\":true},\"output\":\"abcd\"},\"previous_event_id\":\"2\","
              "\"event_timestamp\":\"1718040000123\"," TAIL);
}

static void
test_truncation(void)
{
    log_config_t c = cfg(LOG_LEVEL_ALL, true);
    /* exactly at the budget: kept; one byte more: cut */
    CHECK_STR(fmt(&c, EV_OUT("\"12345\"", ""), 5),
              MSG_OUT(",\"output\":\"12345\",\"outputDetails\":{\"truncated\":false}"));
    CHECK_STR(fmt(&c, EV_OUT("\"123456\"", ""), 5),
              MSG_OUT(",\"output\":\"12345\",\"outputDetails\":{\"truncated\":true}"));
    /* never inside a UTF-8 sequence: "ab" + e-acute (2 bytes) + "c", budget 3 -> "ab" */
    CHECK_STR(fmt(&c, EV_OUT("\"ab\\u00e9c\"", ""), 3),
              MSG_OUT(",\"output\":\"ab\",\"outputDetails\":{\"truncated\":true}"));
    CHECK_STR(fmt(&c, EV_OUT("\"ab\\u00e9c\"", ""), 4),
              MSG_OUT(",\"output\":\"ab\xc3\xa9\",\"outputDetails\":{\"truncated\":true}"));
    /* a 4-byte character (U+1F600) at the cut */
    CHECK_STR(fmt(&c, EV_OUT("\"a\\ud83d\\ude00\"", ""), 4),
              MSG_OUT(",\"output\":\"a\",\"outputDetails\":{\"truncated\":true}"));
    CHECK_STR(fmt(&c, EV_OUT("\"a\\ud83d\\ude00\"", ""), 5),
              MSG_OUT(",\"output\":\"a\xf0\x9f\x98\x80\",\"outputDetails\":{\"truncated\":false}"));
    /* a non-string payload is cut in its JSON text */
    CHECK_STR(fmt(&c, EV_OUT("{\"k\":\"vvvv\"}", ""), 6),
              MSG_OUT(",\"output\":\"{\\\"k\\\":\\\"\",\"outputDetails\":{\"truncated\":true}"));
    /* two payloads share one budget, in member order */
    CHECK_STR(
        fmt(&c,
            "{\"id\":1,\"timestamp\":\"2024-06-10T17:20:00Z\",\"type\":\"T\",\"tEventDetails\":"
            "{\"input\":\"aaaa\",\"output\":\"bbbb\"}}",
            6),
        "{\"id\":\"1\",\"type\":\"T\",\"details\":{\"input\":\"aaaa\",\"inputDetails\":{"
        "\"truncated\":false},\"output\":\"bb\",\"outputDetails\":{\"truncated\":true}},"
        "\"previous_event_id\":\"0\",\"event_timestamp\":\"1718040000000\"," TAIL);
}

static void
test_truncation_default_budget(void)
{
    /* the default budget is 248 KiB: a 300,000-byte output keeps exactly 253,952 bytes */
    log_config_t c = cfg(LOG_LEVEL_ALL, true);
    size_t n = 300000, ev_len;
    char *ev = malloc(n + 400), *p;
    sx_sbuf_t b = SX_SBUF_INIT;
    const char *out;
    p = ev + sprintf(ev, "{\"id\":3,\"previousEventId\":2,\"timestamp\":\"2024-06-10T17:20:00Z\","
                         "\"type\":\"PassStateExited\",\"stateExitedEventDetails\":{\"name\":"
                         "\"P\",\"output\":\"");
    memset(p, 'x', n);
    p += n;
    ev_len = (size_t)(p - ev) + (size_t)sprintf(p, "\"}}");
    CHECK_INT(log_event_format(&b, &c, &X, J(ev), 0), SX_OK);
    out = strstr(b.p, "\"output\":\"");
    CHECK(out != NULL);
    if (out != NULL) {
        out += 10;
        CHECK_INT(strspn(out, "x"), LOG_PAYLOAD_MAX);
        CHECK(strstr(out, "\"outputDetails\":{\"truncated\":true}") != NULL);
    }
    CHECK(b.len < ev_len);
    /* the formatted message is still JSON */
    CHECK(J(b.p) != NULL);
    sx_sbuf_fini(&b);
    free(ev);
}

static void
test_levels_and_errors(void)
{
    log_config_t c = cfg(LOG_LEVEL_ERROR, true);
    const char *entered = "{\"id\":2,\"previousEventId\":0,\"timestamp\":\"2024-06-10T17:20:00Z\","
                          "\"type\":\"PassStateEntered\"}";
    const char *failed = "{\"id\":3,\"previousEventId\":2,\"timestamp\":\"2024-06-10T17:20:00Z\","
                         "\"type\":\"TaskFailed\",\"taskFailedEventDetails\":{\"error\":\"E\"}}";
    CHECK_STR(fmt(&c, entered, 0), "<-5:0>");
    CHECK(strncmp(fmt(&c, failed, 0), "{\"id\":\"3\",\"type\":\"TaskFailed\",", 30) == 0);
    c.level = LOG_LEVEL_FATAL;
    CHECK_STR(fmt(&c, failed, 0), "<-5:0>");
    c.level = LOG_LEVEL_OFF;
    CHECK_STR(fmt(&c, failed, 0), "<-5:0>");
    /* malformed history events: SX_ERR and nothing appended */
    c.level = LOG_LEVEL_ALL;
    CHECK_STR(fmt(&c, "{\"id\":1,\"timestamp\":\"2024-06-10T17:20:00Z\"}", 0), "<-1:0>");
    CHECK_STR(fmt(&c, "{\"id\":1,\"timestamp\":\"2024-06-10T17:20:00Z\",\"type\":5}", 0), "<-1:0>");
    CHECK_STR(fmt(&c, "{\"timestamp\":\"2024-06-10T17:20:00Z\",\"type\":\"X\"}", 0), "<-1:0>");
    CHECK_STR(fmt(&c, "{\"id\":-1,\"timestamp\":\"2024-06-10T17:20:00Z\",\"type\":\"X\"}", 0),
              "<-1:0>");
    CHECK_STR(fmt(&c, "{\"id\":1.5,\"timestamp\":\"2024-06-10T17:20:00Z\",\"type\":\"X\"}", 0),
              "<-1:0>");
    CHECK_STR(fmt(&c, "{\"id\":\"1a\",\"timestamp\":\"2024-06-10T17:20:00Z\",\"type\":\"X\"}", 0),
              "<-1:0>");
    CHECK_STR(fmt(&c, "{\"id\":1,\"timestamp\":\"yesterday\",\"type\":\"X\"}", 0), "<-1:0>");
    CHECK_STR(fmt(&c, "{\"id\":1,\"type\":\"X\"}", 0), "<-1:0>");
    /* not an object at all */
    CHECK_STR(fmt(&c, "[1,2]", 0), "<-1:0>");
    CHECK_STR(fmt(&c, "\"ExecutionFailed\"", 0), "<-1:0>");
    CHECK_STR(fmt(&c, "null", 0), "<-1:0>");
    CHECK_STR(fmt(&c,
                  "{\"id\":1,\"previousEventId\":\"x\",\"timestamp\":\"2024-06-10T17:20:00Z\","
                  "\"type\":\"X\"}",
                  0),
              "<-1:0>");
}

static void
test_appends_and_restores(void)
{
    /* log_event_format appends; on error the buffer is back to its length on entry */
    log_config_t c = cfg(LOG_LEVEL_ALL, true);
    sx_sbuf_t b = SX_SBUF_INIT;
    sx_sbuf_adds(&b, "prefix|");
    CHECK_INT(log_event_format(&b, &c, &X, J("{\"id\":1,\"type\":\"X\",\"timestamp\":\"zz\"}"), 0),
              SX_ERR);
    CHECK_STR(b.p, "prefix|");
    CHECK_INT(
        log_event_format(&b, &c, &X,
                         J("{\"id\":1,\"type\":\"X\",\"timestamp\":\"2024-06-10T17:20:00Z\"}"), 0),
        SX_OK);
    CHECK(strncmp(b.p, "prefix|{\"id\":\"1\"", 16) == 0);
    sx_sbuf_fini(&b);
}

static void
test_names(void)
{
    char buf[LOG_NAME_MAX + 1];
    log_config_t c;
    log_exec_t x = {ARN, "SM", 1718040000123};
    log_config_init(&c);
    CHECK_STR(log_group_name(&c, &x, buf), "/aws/vendedlogs/states/SM-Logs");
    snprintf(c.group_name, sizeof(c.group_name), "my-group");
    CHECK_STR(log_group_name(&c, &x, buf), "my-group");
    CHECK_STR(log_stream_name(&x, buf), "states/SM/2024-06-10/0b8a-uuid");
    x.start_ms = 0;
    x.arn = "no-colons";
    CHECK_STR(log_stream_name(&x, buf), "states/SM/1970-01-01/no-colons");
    x.start_ms = 1735689599999; /* 2024-12-31T23:59:59.999Z */
    x.arn = NULL;
    x.machine = NULL;
    CHECK_STR(log_stream_name(&x, buf), "states/StateMachine/2024-12-31/");
}

/* ---- a real engine history ---- */

static const char PASS3[] = "{\"StartAt\":\"A\",\"States\":{"
                            "\"A\":{\"Type\":\"Pass\",\"Result\":{\"n\":1},\"Next\":\"B\"},"
                            "\"B\":{\"Type\":\"Pass\",\"ResultPath\":\"$.b\",\"Next\":\"C\"},"
                            "\"C\":{\"Type\":\"Pass\",\"End\":true}}}";

static void
test_engine_history(void)
{
    asl_machine_t *m = NULL;
    char *why = NULL, *text = NULL;
    size_t len = 0;
    sch_t *s = sch_new(SCH_CLOCK_VIRTUAL, 1718040000123);
    ex_engine_t e;
    ex_opts_t o;
    ex_exec_t *ex;
    const val_t *hist;
    log_config_t c = cfg(LOG_LEVEL_ALL, true);
    FILE *f;
    int n;

    CHECK_INT(asl_machine_compile_text(PASS3, strlen(PASS3), ASL_TYPE_EXPRESS, &m, &why), SX_OK);
    if (m == NULL) {
        sx_free(why);
        sch_free(s);
        return;
    }
    ex_engine_init(&e, s);
    memset(&o, 0, sizeof(o));
    o.type = ASL_TYPE_EXPRESS;
    o.sm_name = "SM";
    o.history = true;
    ex = ex_exec_new(&e, m, &o);
    ex_exec_start(ex, J("{\"in\":true}"));
    sch_run(s);
    hist = ex_exec_history(ex);
    CHECK(val_is(hist, VAL_ARR));
    CHECK_INT(val_len(hist), 8);

    log_exec_t x = {ex_exec_arn(ex), "SM", ex_exec_start_ms(ex)};
    f = open_memstream(&text, &len);
    n = log_exec_fprint(f, &c, &x, hist, 0);
    fclose(f);
    CHECK_INT(n, 8);
    if (getenv("SX_DEBUG"))
        fputs(text, stderr);
    CHECK(strstr(text, "\"type\":\"ExecutionStarted\"") != NULL);
    CHECK(strstr(text, "\"type\":\"PassStateExited\",\"details\":{\"name\":\"C\"") != NULL);
    CHECK(strstr(text, "\"type\":\"ExecutionSucceeded\"") != NULL);
    /* every line is a JSON object with string scalars, ids 1..8, this execution's ARN */
    char *line = text, *nl;
    for (int i = 1; line != NULL && (nl = strchr(line, '\n')) != NULL; i++, line = nl + 1) {
        const val_t *v;
        char want[16];
        *nl = '\0';
        v = J(line);
        CHECK(val_is(v, VAL_OBJ));
        snprintf(want, sizeof(want), "%d", i);
        CHECK(val_is(val_obj_gets(v, "id"), VAL_STR) &&
              strcmp(val_str_get(val_obj_gets(v, "id")), want) == 0);
        CHECK(val_is(val_obj_gets(v, "previous_event_id"), VAL_STR));
        CHECK(val_is(val_obj_gets(v, "event_timestamp"), VAL_STR) &&
              strcmp(val_str_get(val_obj_gets(v, "event_timestamp")), "1718040000123") == 0);
        CHECK(val_is(val_obj_gets(v, "details"), VAL_OBJ));
        CHECK(val_is(val_obj_gets(v, "execution_arn"), VAL_STR) &&
              strcmp(val_str_get(val_obj_gets(v, "execution_arn")), ex_exec_arn(ex)) == 0);
        CHECK_STR(val_str_get(val_obj_gets(v, "redrive_count")), "0");
    }
    free(text);

    /* ERROR and FATAL log nothing of a successful execution */
    c.level = LOG_LEVEL_ERROR;
    f = open_memstream(&text, &len);
    CHECK_INT(log_exec_fprint(f, &c, &x, hist, 0), 0);
    fclose(f);
    CHECK_INT(len, 0);
    free(text);
    CHECK_INT(log_exec_fprint(stderr, &c, &x, J("{}"), 0), -1);

    ex_exec_free(ex);
    asl_machine_unref(m);
    sch_free(s);
}

/* Every level over a history with Parallel, Map, a caught Task failure, Wait and Fail:
 * each line is JSON, and exactly the included types are logged. */
static const char RICH[] =
    "{\"StartAt\":\"P\",\"States\":{"
    "\"P\":{\"Type\":\"Parallel\",\"Branches\":[{\"StartAt\":\"A\",\"States\":{\"A\":"
    "{\"Type\":\"Pass\",\"End\":true}}}],\"Next\":\"M\"},"
    "\"M\":{\"Type\":\"Map\",\"Iterator\":{\"StartAt\":\"B\",\"States\":{\"B\":{\"Type\":"
    "\"Pass\",\"End\":true}}},\"Next\":\"T\"},"
    "\"T\":{\"Type\":\"Task\",\"Resource\":\"arn:stepx:test:fail:E\",\"Catch\":[{"
    "\"ErrorEquals\":[\"States.ALL\"],\"Next\":\"W\"}],\"End\":true},"
    "\"W\":{\"Type\":\"Wait\",\"Seconds\":1,\"Next\":\"F\"},"
    "\"F\":{\"Type\":\"Fail\",\"Error\":\"X\",\"Cause\":\"y\"}}}";

static void
test_engine_levels(void)
{
    asl_machine_t *m = NULL;
    char *why = NULL;
    sch_t *s = sch_new(SCH_CLOCK_VIRTUAL, 1718040000123);
    ex_engine_t e;
    ex_opts_t o;
    ex_exec_t *ex;
    const val_t *hist;

    CHECK_INT(asl_machine_compile_text(RICH, strlen(RICH), ASL_TYPE_EXPRESS, &m, &why), SX_OK);
    if (m == NULL) {
        fprintf(stderr, "  %s\n", why ? why : "?");
        sx_free(why);
        sch_free(s);
        return;
    }
    ex_engine_init(&e, s);
    ex_engine_add_test_resource(&e);
    memset(&o, 0, sizeof(o));
    o.type = ASL_TYPE_EXPRESS;
    o.sm_name = "Rich";
    o.history = true;
    ex = ex_exec_new(&e, m, &o);
    ex_exec_start(ex, J("{\"k\":[1,2]}"));
    sch_run(s);
    CHECK_INT(ex_exec_status(ex), EX_FAILED);
    hist = ex_exec_history(ex);
    CHECK(val_is(hist, VAL_ARR) && val_len(hist) > 15);
    log_exec_t x = {ex_exec_arn(ex), "Rich", ex_exec_start_ms(ex)};
    for (int lv = LOG_LEVEL_OFF; lv <= LOG_LEVEL_ALL; lv++) {
        log_config_t c = cfg((log_level_t)lv, lv % 2 == 0);
        char *text = NULL, *line, *nl;
        size_t len = 0;
        int want = 0, lines = 0;
        FILE *f = open_memstream(&text, &len);
        int n = log_exec_fprint(f, &c, &x, hist, 0);
        fclose(f);
        for (uint32_t i = 0; i < val_len(hist); i++) {
            const val_t *t = val_obj_gets(val_arr_at(hist, i), "type");
            want += log_event_included(c.level, val_str_get(t), val_len(t));
        }
        CHECK_INT(n, want);
        for (line = text; (nl = strchr(line, '\n')) != NULL; line = nl + 1, lines++) {
            const val_t *v;
            *nl = '\0';
            v = J(line);
            CHECK(val_is(v, VAL_OBJ) && val_len(v) == 7);
            CHECK(c.include_data || strstr(line, "\"input\"") == NULL);
        }
        CHECK_INT(lines, want);
        if (lv == LOG_LEVEL_FATAL)
            CHECK_INT(want, 1); /* ExecutionFailed */
        if (lv == LOG_LEVEL_ERROR)
            CHECK_INT(want, 3); /* TaskFailed, FailStateEntered, ExecutionFailed */
        if (lv == LOG_LEVEL_ALL)
            CHECK_INT(want, (int)val_len(hist));
        free(text);
    }
    ex_exec_free(ex);
    asl_machine_unref(m);
    sch_free(s);
}

static const sx_test_t tests[] = {
    {"spec_example", test_spec_example},
    {"field_formats", test_field_formats},
    {"execution_events", test_execution_events},
    {"strip", test_strip},
    {"payload_forms", test_payload_forms},
    {"truncation", test_truncation},
    {"truncation_default_budget", test_truncation_default_budget},
    {"levels_and_errors", test_levels_and_errors},
    {"appends_and_restores", test_appends_and_restores},
    {"names", test_names},
    {"engine_history", test_engine_history},
    {"engine_levels", test_engine_levels},
    {NULL, NULL},
};

int
main(int argc, char **argv)
{
    int rc;
    A = sx_arena_new(0);
    rc = sx_test_main("log_format", tests, argc, argv);
    sx_arena_free(A);
    return rc;
}
