/*
 * log_format.c: one history event -> one CloudWatch log message; log group and stream names.
 *
 * A history event (ex_exec_history, or AWS's GetExecutionHistory) is
 *   {"id":3, "previousEventId":2, "timestamp":..., "type":"PassStateExited",
 *    "stateExitedEventDetails":{"name":"S","output":"{...}","outputDetails":{"truncated":false}}}
 * and its log message (express.md section 2) is
 *   {"id":"3","type":"PassStateExited","details":{...},"previous_event_id":"2",
 *    "event_timestamp":"1718040000123","execution_arn":"arn:...","redrive_count":"0"}
 * Every top-level scalar is a string; details is the <type>EventDetails object as it is.
 *
 * Execution data: input and output (JSON text in AWS's history) are the payloads. Without
 * includeExecutionData they and their inputDetails / outputDetails are dropped. With it
 * they are printed as JSON strings (a non-string value, as a future engine might store, is
 * JSON-encoded first) and share one budget of payload_max bytes per event, spent in member
 * order: a payload that does not fit is cut at a UTF-8 character boundary and its *Details
 * says truncated:true (AWS: "payloads over ~248 KB are truncated"). The budget counts the
 * payload's own bytes, not the escapes JSON adds when it is quoted. *Details always carries
 * `truncated`, added when the history event has no *Details member.
 *
 * The message is built in two passes over details: the first decides what each payload
 * keeps, the second prints, so a *Details member printed before its payload is still right.
 */
#include <math.h>
#include <string.h>
#include <time.h>

#include "stepx/log.h"
#include "stepx/timestamp.h"

/* The two payload members and their *Details companions. */
typedef struct payload {
    const char *key;  /* "input" / "output" */
    const char *dkey; /* "inputDetails" / "outputDetails" */
    const char *text; /* payload text (borrowed from the event, or enc.p) */
    size_t keep;      /* bytes printed */
    bool present;     /* the event has this payload */
    bool has_details; /* the event has the *Details member */
    bool truncated;   /* keep < full length */
    sx_sbuf_t enc;    /* JSON encoding of a non-string payload */
} payload_t;

enum { P_INPUT = 0, P_OUTPUT = 1, P_N = 2 };

static bool
key_is(const val_t *k, const char *s)
{
    size_t n = strlen(s);
    return val_len(k) == n && memcmp(val_str_get(k), s, n) == 0;
}

/* Returns the payload slot a member key names (as payload or as details), or -1. */
static int
payload_slot(const payload_t *p, const val_t *k, bool *is_details)
{
    for (int i = 0; i < P_N; i++) {
        if (key_is(k, p[i].key)) {
            *is_details = false;
            return i;
        }
        if (key_is(k, p[i].dkey)) {
            *is_details = true;
            return i;
        }
    }
    return -1;
}

/* Largest length <= n that does not split a UTF-8 sequence of s. */
static size_t
utf8_floor(const char *s, size_t len, size_t n)
{
    if (n >= len)
        return len;
    while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
        n--;
    return n;
}

/* Pass 1: find the payloads of details and decide how much of each is kept. */
static void
payloads_plan(payload_t *p, const val_t *details, size_t budget)
{
    for (uint32_t i = 0; details != NULL && i < val_len(details); i++) {
        const val_member_t *m = val_obj_at(details, i);
        bool is_details;
        int slot = payload_slot(p, m->key, &is_details);
        size_t len;
        if (slot < 0)
            continue;
        if (is_details) {
            p[slot].has_details = true;
            continue;
        }
        if (val_is(m->val, VAL_STR)) {
            p[slot].text = val_str_get(m->val);
            len = val_len(m->val);
        } else {
            sx_sbuf_reset(&p[slot].enc);
            val_json_print(&p[slot].enc, m->val);
            p[slot].text = p[slot].enc.p;
            len = p[slot].enc.len;
        }
        p[slot].present = true;
        p[slot].keep = utf8_floor(p[slot].text, len, budget);
        p[slot].truncated = p[slot].keep < len;
        budget -= p[slot].keep;
    }
}

static void
print_details_obj(sx_sbuf_t *out, const val_t *d, bool truncated)
{
    sx_sbuf_addc(out, '{');
    for (uint32_t i = 0; val_is(d, VAL_OBJ) && i < val_len(d); i++) {
        const val_member_t *m = val_obj_at(d, i);
        if (key_is(m->key, "truncated"))
            continue;
        val_json_quote(out, val_str_get(m->key), val_len(m->key));
        sx_sbuf_addc(out, ':');
        val_json_print(out, m->val);
        sx_sbuf_addc(out, ',');
    }
    sx_sbuf_adds(out, truncated ? "\"truncated\":true}" : "\"truncated\":false}");
}

/* Pass 2: prints details without or with (planned) execution data. */
static void
print_details(sx_sbuf_t *out, const val_t *details, const payload_t *p, bool include)
{
    bool first = true;
    sx_sbuf_addc(out, '{');
    for (uint32_t i = 0; details != NULL && i < val_len(details); i++) {
        const val_member_t *m = val_obj_at(details, i);
        bool is_details;
        int slot = payload_slot(p, m->key, &is_details);
        if (slot >= 0 && !include)
            continue;
        if (!first)
            sx_sbuf_addc(out, ',');
        first = false;
        val_json_quote(out, val_str_get(m->key), val_len(m->key));
        sx_sbuf_addc(out, ':');
        if (slot < 0) {
            val_json_print(out, m->val);
        } else if (is_details) {
            print_details_obj(out, m->val, p[slot].truncated);
        } else {
            val_json_quote(out, p[slot].text, p[slot].keep);
            if (!p[slot].has_details) {
                sx_sbuf_addc(out, ',');
                val_json_quote(out, p[slot].dkey, strlen(p[slot].dkey));
                sx_sbuf_adds(out, p[slot].truncated ? ":{\"truncated\":true}"
                                                    : ":{\"truncated\":false}");
            }
        }
    }
    sx_sbuf_addc(out, '}');
}

/* The <type>EventDetails member of ev (the first object member whose key ends that way). */
static const val_t *
event_details(const val_t *ev)
{
    static const char sfx[] = "EventDetails";
    const size_t sl = sizeof(sfx) - 1;
    for (uint32_t i = 0; i < val_len(ev); i++) {
        const val_member_t *m = val_obj_at(ev, i);
        size_t n = val_len(m->key);
        if (n > sl && memcmp(val_str_get(m->key) + n - sl, sfx, sl) == 0 && val_is(m->val, VAL_OBJ))
            return m->val;
    }
    return NULL;
}

/* Appends the decimal digits of v (no printf: this runs for every logged event). */
static void
add_u64(sx_sbuf_t *out, uint64_t v)
{
    char buf[24], *p = buf + sizeof(buf);
    do {
        *--p = (char)('0' + v % 10);
        v /= 10;
    } while (v != 0);
    sx_sbuf_add(out, p, (size_t)(buf + sizeof(buf) - p));
}

/* Appends an integer-valued id (number or digit string) as a JSON string. */
static int
print_id(sx_sbuf_t *out, const val_t *v)
{
    if (val_is(v, VAL_NUM)) {
        double d = val_num_get(v);
        if (!(d >= 0 && d <= 9007199254740992.0) || d != floor(d))
            return SX_ERR;
        sx_sbuf_addc(out, '"');
        add_u64(out, (uint64_t)d);
        sx_sbuf_addc(out, '"');
        return SX_OK;
    }
    if (val_is(v, VAL_STR) && val_len(v) > 0 && val_len(v) <= 20 &&
        strspn(val_str_get(v), "0123456789") == val_len(v)) {
        val_json_quote(out, val_str_get(v), val_len(v));
        return SX_OK;
    }
    return SX_ERR;
}

/* Epoch ms of a history timestamp: an ISO-8601 string (stepx), or a number of epoch seconds
 * (AWS's JSON protocol; values above 1e11 are taken as ms already). */
static int
event_ms(const val_t *ts, int64_t *ms)
{
    if (val_is(ts, VAL_STR)) {
        sx_ts_t t;
        if (sx_ts_parse(val_str_get(ts), val_len(ts), &t) != SX_OK)
            return SX_ERR;
        *ms = sx_ts_epoch_ms(&t);
        return SX_OK;
    }
    if (val_is(ts, VAL_NUM) && isfinite(val_num_get(ts)) && fabs(val_num_get(ts)) < 1e15) {
        double d = val_num_get(ts);
        *ms = (int64_t)llround(fabs(d) > 1e11 ? d : d * 1000.0);
        return SX_OK;
    }
    return SX_ERR;
}

static int
print_event(sx_sbuf_t *out, const log_config_t *c, const log_exec_t *x, const val_t *ev,
            const val_t *type, payload_t *p)
{
    const val_t *prev = val_obj_gets(ev, "previousEventId");
    const val_t *details = event_details(ev);
    int64_t ms;

    if (event_ms(val_obj_gets(ev, "timestamp"), &ms) != SX_OK)
        return SX_ERR;
    sx_sbuf_adds(out, "{\"id\":");
    if (print_id(out, val_obj_gets(ev, "id")) != SX_OK)
        return SX_ERR;
    sx_sbuf_adds(out, ",\"type\":");
    val_json_quote(out, val_str_get(type), val_len(type));
    sx_sbuf_adds(out, ",\"details\":");
    print_details(out, details, p, c->include_data);
    sx_sbuf_adds(out, ",\"previous_event_id\":");
    if (prev == NULL || val_is(prev, VAL_NULL))
        sx_sbuf_adds(out, "\"0\"");
    else if (print_id(out, prev) != SX_OK)
        return SX_ERR;
    sx_sbuf_adds(out, ms < 0 ? ",\"event_timestamp\":\"-" : ",\"event_timestamp\":\"");
    add_u64(out, ms < 0 ? (uint64_t)0 - (uint64_t)ms : (uint64_t)ms);
    sx_sbuf_adds(out, "\",\"execution_arn\":");
    val_json_quote(out, x->arn ? x->arn : "", x->arn ? strlen(x->arn) : 0);
    sx_sbuf_adds(out, ",\"redrive_count\":\"0\"}");
    return SX_OK;
}

int
log_event_format(sx_sbuf_t *out, const log_config_t *c, const log_exec_t *x, const val_t *ev,
                 size_t payload_max)
{
    payload_t p[P_N] = {{.key = "input", .dkey = "inputDetails", .enc = SX_SBUF_INIT},
                        {.key = "output", .dkey = "outputDetails", .enc = SX_SBUF_INIT}};
    const val_t *type = val_obj_gets(ev, "type");
    size_t start = out->len;
    int rc;

    if (!val_is(type, VAL_STR))
        return SX_ERR;
    if (!log_event_included(c->level, val_str_get(type), val_len(type)))
        return SX_DECLINED;
    if (c->include_data)
        payloads_plan(p, event_details(ev), payload_max ? payload_max : LOG_PAYLOAD_MAX);
    rc = print_event(out, c, x, ev, type, p);
    if (rc != SX_OK) {
        out->len = start;
        if (out->p != NULL)
            out->p[start] = '\0';
    }
    sx_sbuf_fini(&p[P_INPUT].enc);
    sx_sbuf_fini(&p[P_OUTPUT].enc);
    return rc;
}

/* ---- names ---- */

const char *
log_group_name(const log_config_t *c, const log_exec_t *x, char *buf)
{
    if (c != NULL && c->group_name[0] != '\0')
        snprintf(buf, LOG_NAME_MAX + 1, "%s", c->group_name);
    else
        snprintf(buf, LOG_NAME_MAX + 1, "/aws/vendedlogs/states/%s-Logs",
                 x->machine ? x->machine : "StateMachine");
    return buf;
}

const char *
log_stream_name(const log_exec_t *x, char *buf)
{
    const char *id = x->arn ? strrchr(x->arn, ':') : NULL;
    time_t secs = (time_t)(x->start_ms >= 0 ? x->start_ms / 1000 : (x->start_ms - 999) / 1000);
    struct tm tm;
    char day[16] = "1970-01-01";
    if (gmtime_r(&secs, &tm) != NULL)
        strftime(day, sizeof(day), "%Y-%m-%d", &tm);
    id = id != NULL ? id + 1 : (x->arn ? x->arn : "");
    snprintf(buf, LOG_NAME_MAX + 1, "states/%s/%s/%s", x->machine ? x->machine : "StateMachine",
             day, id);
    return buf;
}

/* ---- FILE sink ---- */

int
log_exec_fprint(FILE *f, const log_config_t *c, const log_exec_t *x, const val_t *history,
                size_t payload_max)
{
    sx_sbuf_t b = SX_SBUF_INIT;
    int n = 0;
    if (!val_is(history, VAL_ARR))
        return -1;
    for (uint32_t i = 0; i < val_len(history); i++) {
        sx_sbuf_reset(&b);
        if (log_event_format(&b, c, x, val_arr_at(history, i), payload_max) != SX_OK)
            continue;
        sx_sbuf_addc(&b, '\n');
        fwrite(b.p, 1, b.len, f);
        n++;
    }
    sx_sbuf_fini(&b);
    return n;
}
