/*
 * asl_validate_states.c: one state: its fields, then the rules of its type.
 *
 * Fields are declared once, in a table (nginx directive style): for each field name the set
 * of state types that accept it in JSONPath mode and in JSONata mode (asl.md §2,
 * variables-jsonata.md §3), and the check that runs when the field is present and allowed.
 * A field unknown to the table, or not allowed for the state's type, is reported as not
 * supported; a field allowed only in the other query language says so. Checks that involve
 * several fields (required fields, Next/End, mutually exclusive pairs, Heartbeat <
 * Timeout) run after the table pass. Map and Choice have their own files; their fields are in
 * the table with no per-field check.
 *
 * Recorded AWS texts used here: "The field 'Type' should have one of these values: [Task,
 * Wait, Pass, Succeed, Fail, Choice, Parallel, Map]", "'QueryLanguage' can not be 'JSONPath'
 * if set to 'JSONata' for whole state machine" (at the state), "Value cannot be empty"
 * (Branches), "The field 'RoleArn' is required but was missing" (at Credentials), "String
 * does not match RFC3339 timestamp", and the three Express restriction texts (the
 * .waitForTaskToken one ends with a space).
 */
#include <string.h>

#include "asl/asl_validate_int.h"
#include "stepx/path.h"
#include "stepx/timestamp.h"

#define NEXTS (VT_TASK | VT_PARALLEL | VT_MAP | VT_PASS | VT_WAIT)
#define TPM (VT_TASK | VT_PARALLEL | VT_MAP)
#define TASK_SECONDS_MAX 99999999LL
#define RETRY_MAX 99999999LL
#define MAX_DELAY_MAX 31622400LL

typedef void (*check_fn)(vx_state_t *st, const char *field);

typedef struct field {
    const char *name; /* field name as written in the definition */
    unsigned path;    /* VT_* types accepting it in JSONPath mode */
    unsigned ata;     /* VT_* types accepting it in JSONata mode */
    check_fn check;   /* runs when present and allowed; NULL = checked by the type */
} field_t;

/* ======================================================================== field checks */

static void
ck_str(vx_state_t *st, const char *f)
{
    vx_str(st->vx, st->s, st->loc, f);
}

static void
ck_str_or_expr(vx_state_t *st, const char *f)
{
    const val_t *v = vx_str(st->vx, st->s, st->loc, f);
    if (v != NULL && st->jsonata)
        vx_jsonata(st->vx, v, vx_loc(st->vx, st->loc, f), f);
}

static void
ck_path(vx_state_t *st, const char *f)
{
    vx_path(st->vx, st->s, st->loc, f, 0, true);
}

static void
ck_result_path(vx_state_t *st, const char *f)
{
    vx_path(st->vx, st->s, st->loc, f, JP_F_REFERENCE | JP_F_NO_CONTEXT | JP_F_NO_VAR, true);
}

static void
ck_ref_path(vx_state_t *st, const char *f)
{
    vx_path(st->vx, st->s, st->loc, f, JP_F_REFERENCE, false);
}

static void
ck_path_or_fn(vx_state_t *st, const char *f)
{
    vx_path_or_fn(st->vx, st->s, st->loc, f);
}

static void
ck_params(vx_state_t *st, const char *f)
{
    /* Task/Parallel templates must be objects; Pass and Map also tolerate other JSON. */
    vx_tmpl(st->vx, st->s, st->loc, f, (st->type & (VT_TASK | VT_PARALLEL)) != 0);
}

static void
ck_tmpl(vx_state_t *st, const char *f)
{
    vx_tmpl(st->vx, st->s, st->loc, f, true);
}

static void
ck_jsonata(vx_state_t *st, const char *f)
{
    vx_jsonata_field(st->vx, st->s, st->loc, f);
}

static void
ck_arguments(vx_state_t *st, const char *f)
{
    const val_t *v = val_obj_gets(st->s, f);
    if (st->type == VT_TASK && !val_is(v, VAL_OBJ) && !vx_is_expr(v))
        vx_schema(st->vx, st->loc, f,
                  "The value for the field '%s' must be an object or a JSONata expression", f);
    else
        vx_jsonata_field(st->vx, st->s, st->loc, f);
}

static void
ck_assign(vx_state_t *st, const char *f)
{
    (void)f;
    vx_assign(st->vx, st->s, st->loc, st->jsonata);
}

static void
ck_any(vx_state_t *st, const char *f)
{
    (void)st, (void)f;
}

static void
ck_end(vx_state_t *st, const char *f)
{
    const val_t *v = vx_bool(st->vx, st->s, st->loc, f);
    if (v != NULL && !val_bool_get(v))
        vx_schema(st->vx, st->loc, f, "The field 'End' should have one of these values: [true]");
}

static void
ck_task_seconds(vx_state_t *st, const char *f)
{
    long long n;
    vx_int(st->vx, st->s, st->loc, f, 1, TASK_SECONDS_MAX, st->jsonata, &n);
}

static void
ck_wait_seconds(vx_state_t *st, const char *f)
{
    long long n;
    vx_int(st->vx, st->s, st->loc, f, 0, TASK_SECONDS_MAX, st->jsonata, &n);
}

static void
ck_timestamp(vx_state_t *st, const char *f)
{
    const val_t *v = vx_str(st->vx, st->s, st->loc, f);
    if (v == NULL)
        return;
    if (st->jsonata && vx_is_expr(v))
        vx_jsonata(st->vx, v, vx_loc(st->vx, st->loc, f), f);
    else if (!sx_ts_valid(val_str_get(v), val_len(v)))
        vx_schema(st->vx, st->loc, f, "String does not match RFC3339 timestamp");
}

static bool
ends_with(const char *s, size_t n, const char *suffix)
{
    size_t k = strlen(suffix);
    return n >= k && memcmp(s + n - k, suffix, k) == 0;
}

/* arn:<partition>:states:<region>:<account>:activity:<name> */
static bool
is_activity_arn(const char *s)
{
    const char *p = s;
    int field = 0;
    if (strncmp(s, "arn:", 4) != 0)
        return false;
    for (; *p != '\0' && field < 5; p++)
        if (*p == ':') {
            field++;
            if (field == 2 && strncmp(p + 1, "states:", 7) != 0)
                return false;
        }
    return field == 5 && strncmp(p, "activity:", 9) == 0;
}

static void
ck_resource(vx_state_t *st, const char *f)
{
    const val_t *v = vx_str(st->vx, st->s, st->loc, f);
    if (v == NULL)
        return;
    const char *r = val_str_get(v);
    size_t n = val_len(v);
    if (n == 0) {
        vx_schema(st->vx, st->loc, f, "Value cannot be empty");
        return;
    }
    if (st->vx->type != ASL_TYPE_EXPRESS)
        return;
    if (ends_with(r, n, ".waitForTaskToken"))
        vx_schema(st->vx, st->loc, f,
                  "Express state machine does not support '.waitForTaskToken' service "
                  "integration ");
    else if (ends_with(r, n, ".sync") || strstr(r, ".sync:") != NULL)
        vx_schema(st->vx, st->loc, f,
                  "Express state machine does not support '.sync' service integration");
    else if (is_activity_arn(r))
        vx_schema(st->vx, st->loc, f, "Express state machine does not support Activity ARN");
}

static void
ck_credentials(vx_state_t *st, const char *f)
{
    static const char *const path_keys[] = {"RoleArn", "RoleArn.$", NULL};
    static const char *const ata_keys[] = {"RoleArn", NULL};
    const val_t *c = vx_obj(st->vx, st->s, st->loc, f);
    if (c == NULL)
        return;
    const char *cloc = vx_loc(st->vx, st->loc, f);
    vx_known(st->vx, c, cloc, st->jsonata ? ata_keys : path_keys);
    if (val_obj_gets(c, "RoleArn") == NULL &&
        (st->jsonata || val_obj_gets(c, "RoleArn.$") == NULL))
        vx_schema(st->vx, cloc, NULL, "The field 'RoleArn' is required but was missing");
    const val_t *arn = vx_str(st->vx, c, cloc, "RoleArn");
    if (arn != NULL && st->jsonata)
        vx_jsonata(st->vx, arn, vx_loc(st->vx, cloc, "RoleArn"), "RoleArn");
    if (!st->jsonata)
        vx_tmpl(st->vx, st->s, st->loc, f, true);
}

static void
ck_branches(vx_state_t *st, const char *f)
{
    const val_t *b = vx_arr(st->vx, st->s, st->loc, f);
    if (b == NULL)
        return;
    const char *bloc = vx_loc(st->vx, st->loc, f);
    if (val_len(b) == 0)
        vx_schema(st->vx, bloc, NULL, "Value cannot be empty");
    for (size_t i = 0; i < val_len(b); i++)
        vx_machine(st->vx, val_arr_at(b, i), vx_loci(st->vx, bloc, i), 1);
}

/* ======================================================================== Retry, Catch */

static const char *const predefined[] = {
    "States.ALL",
    "States.Timeout",
    "States.HeartbeatTimeout",
    "States.TaskFailed",
    "States.Permissions",
    "States.ResultPathMatchFailure",
    "States.ParameterPathFailure",
    "States.IntrinsicFailure",
    "States.BranchFailed",
    "States.NoChoiceMatched",
    "States.DataLimitExceeded",
    "States.Runtime",
    "States.QueryEvaluationError",
    "States.ExceedToleratedFailureThreshold",
    "States.ItemReaderFailed",
    "States.ResultWriterFailed",
    "States.Http.Socket",
    NULL,
};

/* States.Http.StatusCode.<3 digits>: the HTTP Task's per-status errors (AWS documents them
 * for Retry and Catch). */
static bool
is_http_status_error(const char *s)
{
    static const char prefix[] = "States.Http.StatusCode.";
    if (strncmp(s, prefix, sizeof(prefix) - 1) != 0)
        return false;
    s += sizeof(prefix) - 1;
    return s[0] >= '1' && s[0] <= '5' && s[1] >= '0' && s[1] <= '9' && s[2] >= '0' &&
           s[2] <= '9' && s[3] == '\0';
}

void
vx_error_names(vx_t *vx, const val_t *errs, const char *loc, bool last, const char *what)
{
    if (val_len(errs) == 0)
        vx_schema(vx, loc, NULL, "Value cannot be empty");
    for (size_t i = 0; i < val_len(errs); i++) {
        const val_t *e = val_arr_at(errs, i);
        const char *eloc = vx_loci(vx, loc, i);
        if (!val_is(e, VAL_STR)) {
            vx_schema(vx, eloc, NULL, "The value for the field 'ErrorEquals' must be an array "
                                      "of strings");
            continue;
        }
        const char *s = val_str_get(e);
        if (strcmp(s, "States.ALL") == 0) {
            if (val_len(errs) > 1)
                vx_schema(vx, eloc, NULL,
                          "The error 'States.ALL' must be the only element of 'ErrorEquals'");
            if (!last)
                vx_schema(vx, eloc, NULL, "A %s with 'States.ALL' must be the last one", what);
        } else if (strncmp(s, "States.", 7) == 0) {
            const char *const *p = predefined;
            while (*p != NULL && strcmp(*p, s) != 0)
                p++;
            if (*p == NULL && !is_http_status_error(s))
                vx_schema(vx, eloc, NULL,
                          "The error name '%s' is not a predefined error: error names must not "
                          "start with 'States.'",
                          s);
        }
    }
}

static void
retrier(vx_t *vx, const val_t *r, const char *loc, bool last)
{
    static const char *const keys[] = {"ErrorEquals", "IntervalSeconds", "MaxAttempts",
                                       "BackoffRate", "MaxDelaySeconds", "JitterStrategy",
                                       "Comment",     NULL};
    long long n;
    double d;

    vx_known(vx, r, loc, keys);
    const val_t *errs = vx_arr(vx, r, loc, "ErrorEquals");
    if (val_obj_gets(r, "ErrorEquals") == NULL)
        vx_schema(vx, loc, NULL, "These fields are required: [ErrorEquals]");
    if (errs != NULL)
        vx_error_names(vx, errs, vx_loc(vx, loc, "ErrorEquals"), last, "Retrier");
    vx_int(vx, r, loc, "IntervalSeconds", 1, RETRY_MAX, false, &n);
    vx_int(vx, r, loc, "MaxAttempts", 0, RETRY_MAX, false, &n);
    vx_int(vx, r, loc, "MaxDelaySeconds", 1, MAX_DELAY_MAX, false, &n);
    vx_num(vx, r, loc, "BackoffRate", 1.0, (double)RETRY_MAX, false, &d);
    vx_str(vx, r, loc, "Comment");
    const val_t *j = vx_str(vx, r, loc, "JitterStrategy");
    if (j != NULL && strcmp(val_str_get(j), "FULL") != 0 && strcmp(val_str_get(j), "NONE") != 0)
        vx_schema(vx, loc, "JitterStrategy",
                  "The field 'JitterStrategy' should have one of these values: [FULL, NONE]");
}

static void
catcher(vx_state_t *st, const val_t *c, const char *loc, bool last)
{
    static const char *const path_keys[] = {"ErrorEquals", "Next", "ResultPath", "Assign",
                                            "Comment", NULL};
    static const char *const ata_keys[] = {"ErrorEquals", "Next", "Output", "Assign", "Comment",
                                           NULL};
    vx_t *vx = st->vx;

    vx_known(vx, c, loc, st->jsonata ? ata_keys : path_keys);
    const val_t *errs = vx_arr(vx, c, loc, "ErrorEquals");
    bool no_errs = val_obj_gets(c, "ErrorEquals") == NULL, no_next = !val_obj_gets(c, "Next");
    if (no_errs || no_next)
        vx_schema(vx, loc, NULL, "These fields are required: [%s]",
                  no_errs && no_next ? "ErrorEquals, Next" : no_errs ? "ErrorEquals" : "Next");
    if (errs != NULL)
        vx_error_names(vx, errs, vx_loc(vx, loc, "ErrorEquals"), last, "Catcher");
    vx_str(vx, c, loc, "Next");
    vx_str(vx, c, loc, "Comment");
    if (st->jsonata) {
        vx_jsonata_field(vx, c, loc, "Output");
    } else {
        vx_path(vx, c, loc, "ResultPath", JP_F_REFERENCE | JP_F_NO_CONTEXT | JP_F_NO_VAR, true);
    }
    vx_assign(vx, c, loc, st->jsonata);
}

static void
ck_retry(vx_state_t *st, const char *f)
{
    const val_t *a = vx_arr(st->vx, st->s, st->loc, f);
    const char *aloc = vx_loc(st->vx, st->loc, f);
    for (size_t i = 0; a != NULL && i < val_len(a); i++) {
        const char *rloc = vx_loci(st->vx, aloc, i);
        if (!val_is(val_arr_at(a, i), VAL_OBJ))
            vx_schema(st->vx, rloc, NULL, "The value for the field 'Retry' must be an array of "
                                          "objects");
        else
            retrier(st->vx, val_arr_at(a, i), rloc, i + 1 == val_len(a));
    }
}

static void
ck_catch(vx_state_t *st, const char *f)
{
    const val_t *a = vx_arr(st->vx, st->s, st->loc, f);
    const char *aloc = vx_loc(st->vx, st->loc, f);
    for (size_t i = 0; a != NULL && i < val_len(a); i++) {
        const char *cloc = vx_loci(st->vx, aloc, i);
        if (!val_is(val_arr_at(a, i), VAL_OBJ))
            vx_schema(st->vx, cloc, NULL, "The value for the field 'Catch' must be an array of "
                                          "objects");
        else
            catcher(st, val_arr_at(a, i), cloc, i + 1 == val_len(a));
    }
}

/* ======================================================================== field table */

static const field_t fields[] = {
    {"Type", VT_ALL, VT_ALL, ck_any},
    {"Comment", VT_ALL, VT_ALL, ck_str},
    {"QueryLanguage", VT_ALL, VT_ALL, ck_any},
    {"InputPath", VT_ALL & ~VT_FAIL, 0, ck_path},
    {"OutputPath", VT_ALL & ~VT_FAIL, 0, ck_path},
    {"Output", 0, VT_ALL & ~VT_FAIL, ck_jsonata},
    {"Assign", VT_ALL & ~(VT_SUCCEED | VT_FAIL), VT_ALL & ~(VT_SUCCEED | VT_FAIL), ck_assign},
    {"Next", NEXTS, NEXTS, ck_str},
    {"End", NEXTS, NEXTS, ck_end},
    {"ResultPath", TPM | VT_PASS, 0, ck_result_path},
    {"Parameters", TPM | VT_PASS, 0, ck_params},
    {"ResultSelector", TPM, 0, ck_tmpl},
    {"Retry", TPM, TPM, ck_retry},
    {"Catch", TPM, TPM, ck_catch},
    {"Arguments", 0, VT_TASK | VT_PARALLEL, ck_arguments},
    {"Result", VT_PASS, 0, ck_any},
    {"Resource", VT_TASK, VT_TASK, ck_resource},
    {"Credentials", VT_TASK, VT_TASK, ck_credentials},
    {"TimeoutSeconds", VT_TASK, VT_TASK, ck_task_seconds},
    {"HeartbeatSeconds", VT_TASK, VT_TASK, ck_task_seconds},
    {"TimeoutSecondsPath", VT_TASK, 0, ck_ref_path},
    {"HeartbeatSecondsPath", VT_TASK, 0, ck_ref_path},
    {"Choices", VT_CHOICE, VT_CHOICE, NULL},
    {"Default", VT_CHOICE, VT_CHOICE, ck_str},
    {"Seconds", VT_WAIT, VT_WAIT, ck_wait_seconds},
    {"Timestamp", VT_WAIT, VT_WAIT, ck_timestamp},
    {"SecondsPath", VT_WAIT, 0, ck_ref_path},
    {"TimestampPath", VT_WAIT, 0, ck_ref_path},
    {"Error", VT_FAIL, VT_FAIL, ck_str_or_expr},
    {"Cause", VT_FAIL, VT_FAIL, ck_str_or_expr},
    {"ErrorPath", VT_FAIL, 0, ck_path_or_fn},
    {"CausePath", VT_FAIL, 0, ck_path_or_fn},
    {"Branches", VT_PARALLEL, VT_PARALLEL, ck_branches},
    {"ItemProcessor", VT_MAP, VT_MAP, NULL},
    {"Iterator", VT_MAP, VT_MAP, NULL},
    {"ItemSelector", VT_MAP, VT_MAP, NULL},
    {"ItemsPath", VT_MAP, 0, NULL},
    {"Items", 0, VT_MAP, NULL},
    {"MaxConcurrency", VT_MAP, VT_MAP, NULL},
    {"MaxConcurrencyPath", VT_MAP, 0, NULL},
    {"ToleratedFailureCount", VT_MAP, VT_MAP, NULL},
    {"ToleratedFailureCountPath", VT_MAP, 0, NULL},
    {"ToleratedFailurePercentage", VT_MAP, VT_MAP, NULL},
    {"ToleratedFailurePercentagePath", VT_MAP, 0, NULL},
    {"ItemReader", VT_MAP, VT_MAP, NULL},
    {"ItemBatcher", VT_MAP, VT_MAP, NULL},
    {"ResultWriter", VT_MAP, VT_MAP, NULL},
    {"Label", VT_MAP, VT_MAP, NULL},
};

static const struct {
    const char *name; /* Type value */
    unsigned type;    /* VT_* bit */
} types[] = {
    {"Task", VT_TASK},       {"Wait", VT_WAIT},         {"Pass", VT_PASS},
    {"Succeed", VT_SUCCEED}, {"Fail", VT_FAIL},         {"Choice", VT_CHOICE},
    {"Parallel", VT_PARALLEL}, {"Map", VT_MAP},
};

static const field_t *
field_find(const char *name)
{
    for (size_t i = 0; i < SX_ARRAY_LEN(fields); i++)
        if (strcmp(fields[i].name, name) == 0)
            return &fields[i];
    return NULL;
}

static void
fields_pass(vx_state_t *st)
{
    for (size_t i = 0; i < val_len(st->s); i++) {
        const char *k = val_str_get(val_obj_at(st->s, i)->key);
        const field_t *f = field_find(k);
        unsigned mine = f ? (st->jsonata ? f->ata : f->path) : 0;
        unsigned other = f ? (st->jsonata ? f->path : f->ata) : 0;
        if (mine & st->type) {
            if (f->check != NULL)
                f->check(st, k);
        } else if (other & st->type) {
            vx_schema(st->vx, st->loc, k,
                      "The field \"%s\" is not supported when the query language is %s", k,
                      st->jsonata ? "JSONata" : "JSONPath");
        } else {
            vx_schema(st->vx, st->loc, k, "The field \"%s\" is not supported by Step Functions",
                      k);
        }
    }
}

/* ======================================================================== per type */

static void
required(vx_state_t *st, const char *field)
{
    if (val_obj_gets(st->s, field) == NULL)
        vx_schema(st->vx, st->loc, NULL, "These fields are required: [%s]", field);
}

static void
next_or_end(vx_state_t *st)
{
    bool next = val_obj_gets(st->s, "Next") != NULL, end = val_obj_gets(st->s, "End") != NULL;
    if (!next && !end)
        vx_schema(st->vx, st->loc, NULL, "Exactly one of these fields is required: [Next, End]");
    else if (next && end)
        vx_schema(st->vx, st->loc, NULL, "Only one of these fields can be specified: [Next, End]");
}

/* True when v is an integer in the TimeoutSeconds range (already reported otherwise). */
static bool
task_seconds_ok(const val_t *v)
{
    return val_is(v, VAL_NUM) && (v->flags & VAL_F_INT) && val_num_get(v) >= 1 &&
           val_num_get(v) <= (double)TASK_SECONDS_MAX;
}

static void
task_rules(vx_state_t *st)
{
    const val_t *tv = val_obj_gets(st->s, "TimeoutSeconds");
    const val_t *hv = val_obj_gets(st->s, "HeartbeatSeconds");

    required(st, "Resource");
    vx_exclusive(st->vx, st->s, st->loc, "TimeoutSeconds", "TimeoutSecondsPath");
    vx_exclusive(st->vx, st->s, st->loc, "HeartbeatSeconds", "HeartbeatSecondsPath");
    if (task_seconds_ok(tv) && task_seconds_ok(hv) && val_num_get(hv) >= val_num_get(tv))
        vx_schema(st->vx, st->loc, "HeartbeatSeconds",
                  "The value for the field 'HeartbeatSeconds' must be less than the value for "
                  "the field 'TimeoutSeconds'");
}

static void
wait_rules(vx_state_t *st)
{
    static const char *const keys[] = {"Seconds", "Timestamp", "SecondsPath", "TimestampPath"};
    int n = 0;
    for (size_t i = 0; i < (st->jsonata ? 2 : 4); i++)
        n += val_obj_gets(st->s, keys[i]) != NULL;
    const char *list = st->jsonata ? "Seconds, Timestamp"
                                   : "Seconds, Timestamp, SecondsPath, TimestampPath";
    if (n == 0)
        vx_schema(st->vx, st->loc, NULL, "Exactly one of these fields is required: [%s]", list);
    else if (n > 1)
        vx_schema(st->vx, st->loc, NULL, "Only one of these fields can be specified: [%s]", list);
}

/* Sets st->jsonata from the state's QueryLanguage; false when the state cannot be checked. */
static void
state_language(vx_state_t *st)
{
    const val_t *ql = vx_str(st->vx, st->s, st->loc, "QueryLanguage");
    if (ql == NULL)
        return;
    if (strcmp(val_str_get(ql), "JSONata") == 0) {
        st->jsonata = true;
    } else if (strcmp(val_str_get(ql), "JSONPath") == 0) {
        if (st->vx->top_jsonata)
            vx_schema(st->vx, st->loc, NULL,
                      "'QueryLanguage' can not be 'JSONPath' if set to 'JSONata' for whole "
                      "state machine");
        st->jsonata = false;
    } else {
        vx_schema(st->vx, st->loc, "QueryLanguage",
                  "The field 'QueryLanguage' should have one of these values: "
                  "[JSONPath, JSONata]");
    }
}

void
vx_state(vx_state_t *st)
{
    if (!val_is(st->s, VAL_OBJ)) {
        vx_schema(st->vx, st->loc, NULL, "The value for the state '%s' must be an object",
                  st->name);
        return;
    }
    const val_t *type = val_obj_gets(st->s, "Type");
    if (type == NULL) {
        vx_schema(st->vx, st->loc, NULL, "These fields are required: [Type]");
        return;
    }
    for (size_t i = 0; val_is(type, VAL_STR) && i < SX_ARRAY_LEN(types); i++)
        if (strcmp(val_str_get(type), types[i].name) == 0)
            st->type = types[i].type;
    if (st->type == 0) {
        vx_schema(st->vx, st->loc, "Type",
                  "The field 'Type' should have one of these values: [Task, Wait, Pass, "
                  "Succeed, Fail, Choice, Parallel, Map]");
        return;
    }
    state_language(st);
    fields_pass(st);
    if (st->type & NEXTS)
        next_or_end(st);
    switch (st->type) {
    case VT_TASK:
        task_rules(st);
        break;
    case VT_WAIT:
        wait_rules(st);
        break;
    case VT_PARALLEL:
        required(st, "Branches");
        break;
    case VT_FAIL:
        vx_exclusive(st->vx, st->s, st->loc, "Error", "ErrorPath");
        vx_exclusive(st->vx, st->s, st->loc, "Cause", "CausePath");
        break;
    case VT_MAP:
        vx_state_map(st);
        break;
    case VT_CHOICE:
        vx_state_choice(st);
        break;
    default:
        break;
    }
}
