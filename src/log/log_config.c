/*
 * log_config.c: loggingConfiguration parsing and validation, log levels, the level filter,
 * and the sink's directive table.
 *
 * Validation follows CreateStateMachine. Three kinds of failure, as three API errors:
 * - the JSON shape is wrong (a member of the wrong JSON type): SerializationException, as
 *   AWS's JSON protocol rejects the request before the service sees it;
 * - a modelled constraint fails (enum value, string length): ValidationException with the
 *   "1 validation error detected: ..." text;
 * - the service's own rule fails (destination count, log group ARN): the
 *   InvalidLoggingConfiguration error.
 * The texts are kept in one place (the MSG_* strings below) so they are easy to correct:
 * express.md and api.md name the error but do not record its texts, so these are AWS's as
 * remembered, not as recorded (docs/logging.md says the same).
 *
 * The level filter is two sorted tables, the FATAL and the ERROR event types exactly as
 * express.md section 2 lists them; every other type (and any unknown one) is ALL only.
 */
#include <stdlib.h>
#include <string.h>

#include "stepx/log.h"

const char LOG_E_INVALID[] = "InvalidLoggingConfiguration";
const char LOG_E_VALIDATION[] = "ValidationException";
const char LOG_E_SERIALIZATION[] = "SerializationException";

#define MSG_ONE_DEST "Invalid Logging Configuration: Must specify exactly one Log Destination."
#define MSG_ARN_END                                                                                \
    "Invalid Logging Configuration: The CloudWatch Logs Resource ARN must end with ':*'."
#define MSG_ARN_FORM                                                                               \
    "Invalid Logging Configuration: The CloudWatch Logs Resource ARN '%s' is not a log group ARN."
#define MSG_ENUM                                                                                   \
    "1 validation error detected: Value '%s' at 'loggingConfiguration.level' failed to satisfy "   \
    "constraint: Member must satisfy enum value set: [ALL, ERROR, FATAL, OFF]"
#define ARN_PATH "loggingConfiguration.destinations.1.member.cloudWatchLogsLogGroup.logGroupArn"
#define MSG_ARN_LONG                                                                               \
    "1 validation error detected: Value '%s' at '" ARN_PATH "' failed to satisfy constraint: "     \
    "Member must have length less than or equal to 256"
#define MSG_ARN_SHORT                                                                              \
    "1 validation error detected: Value '' at '" ARN_PATH "' failed to satisfy constraint: "       \
    "Member must have length greater than or equal to 1"

/* ---- levels ---- */

static const char *const level_names[] = {"OFF", "FATAL", "ERROR", "ALL"};

const char *
log_level_name(log_level_t l)
{
    if ((unsigned)l >= SX_ARRAY_LEN(level_names))
        return "OFF";
    return level_names[l];
}

int
log_level_parse(const char *s, size_t n, log_level_t *out)
{
    for (size_t i = 0; i < SX_ARRAY_LEN(level_names); i++)
        if (strlen(level_names[i]) == n && memcmp(level_names[i], s, n) == 0) {
            *out = (log_level_t)i;
            return SX_OK;
        }
    return SX_ERR;
}

/* Sorted by strcmp (bsearch). express.md section 2, FATAL list. */
static const char *const fatal_types[] = {
    "ExecutionAborted",
    "ExecutionFailed",
    "ExecutionTimedOut",
};

/* Sorted by strcmp. express.md section 2, ERROR list minus the FATAL ones. */
static const char *const error_types[] = {
    "FailStateEntered",
    "LambdaFunctionFailed",
    "LambdaFunctionScheduleFailed",
    "LambdaFunctionStartFailed",
    "LambdaFunctionTimedOut",
    "MapIterationAborted",
    "MapIterationFailed",
    "MapRunAborted",
    "MapRunFailed",
    "MapStateAborted",
    "MapStateFailed",
    "ParallelStateAborted",
    "ParallelStateFailed",
    "TaskFailed",
    "TaskStartFailed",
    "TaskStateAborted",
    "TaskSubmitFailed",
    "TaskTimedOut",
    "WaitStateAborted",
};

typedef struct type_key {
    const char *s; /* borrowed, not NUL-terminated */
    size_t n;      /* bytes */
} type_key_t;

static int
type_cmp(const void *k, const void *e)
{
    const type_key_t *key = k;
    const char *name = *(const char *const *)e;
    size_t m = strlen(name);
    int c = memcmp(key->s, name, key->n < m ? key->n : m);
    if (c != 0)
        return c;
    return key->n < m ? -1 : key->n > m;
}

log_level_t
log_event_level(const char *type, size_t n)
{
    type_key_t k = {type, n};
    if (bsearch(&k, fatal_types, SX_ARRAY_LEN(fatal_types), sizeof(fatal_types[0]), type_cmp))
        return LOG_LEVEL_FATAL;
    if (bsearch(&k, error_types, SX_ARRAY_LEN(error_types), sizeof(error_types[0]), type_cmp))
        return LOG_LEVEL_ERROR;
    return LOG_LEVEL_ALL;
}

/* ---- loggingConfiguration ---- */

void
log_config_init(log_config_t *c)
{
    memset(c, 0, sizeof(*c));
    c->level = LOG_LEVEL_OFF;
}

static int
fail(log_config_err_t *err, const char *name, const char *fmt, const char *arg)
{
    if (err != NULL) {
        err->name = name;
        snprintf(err->msg, sizeof(err->msg), fmt, arg ? arg : "");
    }
    return SX_ERR;
}

/* Coral's wording for a JSON value of the wrong type in a request member. */
static int
fail_type(log_config_err_t *err, const val_t *v, const char *want)
{
    switch (val_type(v)) {
    case VAL_OBJ:
        return fail(err, LOG_E_SERIALIZATION, "Start of structure or map found where not expected.",
                    NULL);
    case VAL_ARR:
        return fail(err, LOG_E_SERIALIZATION, "Start of list found where not expected", NULL);
    case VAL_STR:
        return fail(err, LOG_E_SERIALIZATION, "STRING_VALUE can not be converted to %s", want);
    case VAL_NUM:
        return fail(err, LOG_E_SERIALIZATION, "NUMBER_VALUE can not be converted to %s", want);
    default:
        return fail(err, LOG_E_SERIALIZATION, "BOOLEAN_VALUE can not be converted to %s", want);
    }
}

/* JSON null in a request is the same as an absent member. */
static const val_t *
member(const val_t *obj, const char *key)
{
    const val_t *v = val_obj_gets(obj, key);
    return val_is(v, VAL_NULL) ? NULL : v;
}

/* Splits "arn:<partition>:logs:<region>:<account>:log-group:<name>:*" and copies <name>. */
static int
arn_group_name(const char *arn, size_t n, char *name)
{
    static const char *const fixed[] = {"arn", NULL, "logs", NULL, NULL, "log-group"};
    const char *p = arn, *end = arn + n - 2; /* before ":*" */
    for (size_t i = 0; i < SX_ARRAY_LEN(fixed); i++) {
        const char *colon = memchr(p, ':', (size_t)(end - p));
        if (colon == NULL)
            return SX_ERR;
        if (fixed[i] != NULL &&
            ((size_t)(colon - p) != strlen(fixed[i]) || memcmp(p, fixed[i], colon - p) != 0))
            return SX_ERR;
        if (fixed[i] == NULL && i == 1 && colon == p)
            return SX_ERR; /* empty partition */
        p = colon + 1;
    }
    if (p >= end)
        return SX_ERR;
    memcpy(name, p, (size_t)(end - p));
    name[end - p] = '\0';
    return SX_OK;
}

static int
parse_destination(log_config_t *c, const val_t *d, log_config_err_t *err)
{
    const val_t *g, *arn;
    size_t n;
    if (!val_is(d, VAL_OBJ))
        return d == NULL ? fail(err, LOG_E_INVALID, MSG_ONE_DEST, NULL)
                         : fail_type(err, d, "Structure");
    g = member(d, "cloudWatchLogsLogGroup");
    if (g == NULL)
        return fail(err, LOG_E_INVALID, MSG_ONE_DEST, NULL);
    if (!val_is(g, VAL_OBJ))
        return fail_type(err, g, "Structure");
    arn = member(g, "logGroupArn");
    if (arn == NULL)
        return fail(err, LOG_E_INVALID, MSG_ONE_DEST, NULL);
    if (!val_is(arn, VAL_STR))
        return fail_type(err, arn, "String");
    n = val_len(arn);
    if (n == 0)
        return fail(err, LOG_E_VALIDATION, MSG_ARN_SHORT, NULL);
    if (n > LOG_ARN_MAX)
        return fail(err, LOG_E_VALIDATION, MSG_ARN_LONG, val_str_get(arn));
    if (n < 2 || memcmp(val_str_get(arn) + n - 2, ":*", 2) != 0)
        return fail(err, LOG_E_INVALID, MSG_ARN_END, NULL);
    if (arn_group_name(val_str_get(arn), n, c->group_name) != SX_OK)
        return fail(err, LOG_E_INVALID, MSG_ARN_FORM, val_str_get(arn));
    memcpy(c->group_arn, val_str_get(arn), n + 1);
    return SX_OK;
}

static int
parse_members(log_config_t *c, const val_t *v, log_config_err_t *err)
{
    const val_t *level = member(v, "level");
    const val_t *data = member(v, "includeExecutionData");
    const val_t *dests = member(v, "destinations");
    size_t ndest = 0;

    if (level != NULL) {
        if (!val_is(level, VAL_STR))
            return fail_type(err, level, "String");
        if (log_level_parse(val_str_get(level), val_len(level), &c->level) != SX_OK)
            return fail(err, LOG_E_VALIDATION, MSG_ENUM, val_str_get(level));
    }
    if (data != NULL) {
        if (!val_is(data, VAL_BOOL))
            return fail_type(err, data, "Boolean");
        c->include_data = val_bool_get(data);
    }
    if (dests != NULL) {
        if (!val_is(dests, VAL_ARR))
            return fail_type(err, dests, "List");
        ndest = val_len(dests);
    }
    if (ndest > 1 || (ndest == 0 && c->level != LOG_LEVEL_OFF))
        return fail(err, LOG_E_INVALID, MSG_ONE_DEST, NULL);
    if (ndest == 1)
        return parse_destination(c, val_arr_at(dests, 0), err);
    return SX_OK;
}

int
log_config_parse(log_config_t *c, const val_t *v, log_config_err_t *err)
{
    log_config_init(c);
    if (v == NULL || val_is(v, VAL_NULL))
        return SX_OK;
    if (!val_is(v, VAL_OBJ))
        return fail_type(err, v, "Structure");
    if (parse_members(c, v, err) == SX_OK)
        return SX_OK;
    log_config_init(c);
    return SX_ERR;
}

const val_t *
log_config_to_val(const log_config_t *c, sx_arena_t *a)
{
    val_objb_t b;
    val_objb_init(&b, a, 3);
    val_objb_sets(&b, "level", val_strz(a, log_level_name(c->level)));
    val_objb_sets(&b, "includeExecutionData", val_bool(c->include_data));
    if (c->group_arn[0] != '\0') {
        val_objb_t g, d;
        const val_t *item;
        val_objb_init(&g, a, 1);
        val_objb_sets(&g, "logGroupArn", val_strz(a, c->group_arn));
        val_objb_init(&d, a, 1);
        val_objb_sets(&d, "cloudWatchLogsLogGroup", val_objb_done(&g));
        item = val_objb_done(&d);
        val_objb_sets(&b, "destinations", val_arr(a, &item, 1, 0));
    }
    return val_objb_done(&b);
}

/* ---- directives ---- */

/* The stream name becomes part of a Redis key: no spaces, no braces (they would move the
 * hash tag). */
static int
check_key_part(const cfg_directive_t *d, const void *field, char *msg, size_t len)
{
    const char *s = *(char *const *)field;
    SX_UNUSED(d);
    if (s == NULL || *s == '\0' || strpbrk(s, " \t\r\n{}") != NULL) {
        snprintf(msg, len, "must be non-empty, without spaces or braces");
        return SX_ERR;
    }
    return SX_OK;
}

#define LOG_OFF(f) offsetof(log_conf_t, f)

const cfg_directive_t log_conf_directives[] = {
    {"log_stream", CFG_STR, LOG_OFF(stream_key), "logs", check_key_part, 0, 0,
     "execution log stream: {tag}:logs"},
    {"log_maxlen", CFG_INT, LOG_OFF(maxlen), "1000000", NULL, 1, INT64_MAX,
     "log stream MAXLEN ~ (entries kept, approximately)"},
    {"log_payload_max", CFG_SIZE, LOG_OFF(payload_max), "248k", NULL, 0, 16 * 1024 * 1024,
     "input/output bytes kept per log event before truncation (AWS: ~248 KB)"},
    {"log_timeout", CFG_MS, LOG_OFF(timeout_ms), "0", NULL, 0, 24LL * 3600 * 1000,
     "deadline of each log XADD (0 = cmd_timeout)"},
    {NULL, CFG_STR, 0, NULL, NULL, 0, 0, NULL},
};
