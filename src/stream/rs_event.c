/*
 * rs_event.c: outcomes -> commit arguments, billing rounding, MessagePack -> JSON.
 *
 * An event finishing (rs_event_complete / rs_event_reject) is turned at once into the
 * arguments its part of the commit script needs, copied into the event's own buffer, so the
 * executor's strings may die right after the call. Layout (see rs_commit.c for the script):
 *
 *   kind 'r':  the values that differ per entry, in a fixed order (the script knows the
 *              field names, and machine, tenant and status come once per usage group of the
 *              batch, see rs_commit.c): name ("" when it is the entry id), then output when
 *              SUCCEEDED or error and cause otherwise, then start, stop, billed_ms, billed_mb,
 *              transitions; the numbers are also kept in the event (_status, _bms, _bmb, _tr)
 *              for the per-batch usage sums
 *   kind 'n':  a nested execution's result, chained to its parent's event (ev->_sub) and
 *              sent right after it in the same script call: id, parent ARN, name, output
 *              or error and cause, start, stop, billed_ms, billed_mb, transitions
 *   kind 'd':  field/value pairs of the dead-letter entry
 *   kind 'a':  nothing (ack only: the entry was deleted from the stream)
 *
 * MessagePack inputs are decoded by the value model (val_msgpack_decode), exactly as the
 * engine decodes them, then printed as JSON: one set of rules for both.
 */
#include <stdio.h>
#include <string.h>

#include "rs_int.h"
#include "stepx/val.h"

const char *
rs_status_name(rs_status_t s)
{
    switch (s) {
    case RS_SUCCEEDED:
        return "SUCCEEDED";
    case RS_FAILED:
        return "FAILED";
    case RS_TIMED_OUT:
        return "TIMED_OUT";
    case RS_ABORTED:
        return "ABORTED";
    }
    return "FAILED";
}

int64_t
rs_billed_ms(int64_t duration_ms)
{
    if (duration_ms <= 100)
        return 100;
    return (duration_ms + 99) / 100 * 100;
}

int64_t
rs_billed_mb(int64_t memory_mb)
{
    if (memory_mb <= 64)
        return 64;
    return (memory_mb + 63) / 64 * 64;
}

void
rs_event_arg(rs_event_t *ev, const char *p, size_t n)
{
    if (SX_NEVER(ev->_nargs >= SX_ARRAY_LEN(ev->_args)))
        return;
    ev->_args[ev->_nargs][0] = (uint32_t)ev->_buf.len;
    ev->_args[ev->_nargs][1] = (uint32_t)n;
    ev->_nargs++;
    sx_sbuf_add(&ev->_buf, p, n);
}

void
rs_event_argi(rs_event_t *ev, int64_t v)
{
    char num[24];
    size_t n = 0;
    if (v < 0) {
        num[n++] = '-';
        n += rs_u64_fmt((uint64_t)0 - (uint64_t)v, num + 1);
    } else {
        n = rs_u64_fmt((uint64_t)v, num);
    }
    rs_event_arg(ev, num, n);
}

static void
arg_pair(rs_event_t *ev, const char *field, const char *v, size_t n)
{
    rs_event_arg(ev, field, strlen(field));
    rs_event_arg(ev, v, n);
}

static void
arg_pairz(rs_event_t *ev, const char *field, const char *v)
{
    if (v != NULL)
        arg_pair(ev, field, v, strlen(v));
}

/* Writes ":YYYY-MM-DD" (UTC) of ms since the epoch into out (12 bytes); formats only when
 * ms leaves the day the consumer formatted last (results of one day share it). */
static void
day_fmt(rs_consumer_t *c, int64_t ms, char out[12])
{
    enum { DAY_MS = 86400000 };
    if (ms < c->day_lo || ms >= c->day_hi) {
        char iso[40];
        sx_fmt_iso_ms(ms, iso);
        c->day[0] = ':';
        memcpy(c->day + 1, iso, 10);
        c->day[11] = '\0';
        c->day_lo = ms - ((ms % DAY_MS) + DAY_MS) % DAY_MS;
        c->day_hi = c->day_lo + DAY_MS;
    }
    memcpy(out, c->day, 12);
}

/* Prints v as the next argument, straight into the event's buffer (no intermediate text). */
static void
output_print(rs_event_t *ev, const val_t *v)
{
    size_t start = ev->_buf.len;
    val_json_print(&ev->_buf, v);
    ev->consumer->out_hint = ev->_buf.len - start;
    if (SX_NEVER(ev->_nargs >= SX_ARRAY_LEN(ev->_args)))
        return;
    ev->_args[ev->_nargs][0] = (uint32_t)start;
    ev->_args[ev->_nargs][1] = (uint32_t)(ev->_buf.len - start);
    ev->_nargs++;
}

void
rs_event_complete(rs_event_t *ev, const rs_outcome_t *out)
{
    int64_t dur = out->stop_ms - out->start_ms;
    int64_t bms = rs_billed_ms(dur < 0 ? 0 : dur), bmb = rs_billed_mb(out->memory_mb);
    const char *name = out->exec_name ? out->exec_name : ev->name ? ev->name : ev->id;

    if (SX_NEVER(ev->_kind != 0))
        return;
    if (strcmp(name, ev->id) == 0)
        name = ""; /* the script writes the id (one copy fewer on the wire) */
    ev->_kind = 'r';
    ev->_status = (uint8_t)out->status;
    ev->_bms = bms;
    ev->_bmb = bmb;
    ev->_tr = out->transitions;
    day_fmt(ev->consumer, out->stop_ms, ev->_day);
    ev->_nargs = 0;
    sx_sbuf_reset(&ev->_buf);
    sx_sbuf_reserve(&ev->_buf, 120 + strlen(name) +
                                   (out->output       ? out->output_len
                                    : out->output_val ? ev->consumer->out_hint + 64
                                                      : 0) +
                                   (out->error ? strlen(out->error) : 0) +
                                   (out->cause ? strlen(out->cause) : 0));
    rs_event_arg(ev, name, strlen(name));
    if (out->status == RS_SUCCEEDED && out->output == NULL && out->output_val != NULL) {
        output_print(ev, out->output_val);
    } else if (out->status == RS_SUCCEEDED) {
        rs_event_arg(ev, out->output ? out->output : "null", out->output ? out->output_len : 4);
    } else {
        rs_event_arg(ev, out->error ? out->error : "", out->error ? strlen(out->error) : 0);
        rs_event_arg(ev, out->cause ? out->cause : "", out->cause ? strlen(out->cause) : 0);
    }
    rs_event_argi(ev, out->start_ms);
    rs_event_argi(ev, out->stop_ms);
    rs_event_argi(ev, bms);
    rs_event_argi(ev, bmb);
    rs_event_argi(ev, out->transitions);
    if (ev->_pend > 0) {
        ev->_ready = true; /* the last rs_event_nested_end queues it */
        return;
    }
    rs_consumer_enqueue_commit(ev->consumer, ev);
}

void
rs_event_set_tenant(rs_event_t *ev, const char *tenant)
{
    sx_free(ev->_tenant_own);
    ev->_tenant_own = sx_strdup(tenant);
    ev->tenant = ev->_tenant_own;
}

void
rs_event_nested_begin(rs_event_t *ev)
{
    ev->_pend++;
}

/* A nested result is an event of kind 'n' chained to its parent (ev->_sub), never queued on
 * its own. Arguments: id, parent ARN, name ("" = id), output or error and cause, start, stop,
 * billed_ms, billed_mb, transitions. */
void
rs_event_nested_end(rs_event_t *ev, const char *id, const char *parent_arn, const char *machine,
                    const rs_outcome_t *out)
{
    size_t ml = strlen(machine), tl = strlen(ev->tenant);
    rs_event_t *n = sx_calloc(1, sizeof(*n) + ml + tl + 2);
    char *p = (char *)(n + 1);
    int64_t dur = out->stop_ms - out->start_ms;
    const char *name = out->exec_name ? out->exec_name : "";

    if (SX_NEVER(ev->_pend == 0)) {
        sx_free(n);
        return;
    }
    memcpy(p, machine, ml + 1);
    n->machine = p;
    memcpy(p + ml + 1, ev->tenant, tl + 1);
    n->tenant = p + ml + 1;
    n->consumer = ev->consumer;
    n->_kind = 'n';
    n->_status = (uint8_t)out->status;
    n->_bms = rs_billed_ms(dur < 0 ? 0 : dur);
    n->_bmb = rs_billed_mb(out->memory_mb);
    n->_tr = out->transitions;
    day_fmt(ev->consumer, out->stop_ms, n->_day);
    rs_event_arg(n, id, strlen(id));
    rs_event_arg(n, parent_arn, strlen(parent_arn));
    rs_event_arg(n, strcmp(name, id) == 0 ? "" : name, strcmp(name, id) == 0 ? 0 : strlen(name));
    if (out->status == RS_SUCCEEDED && out->output == NULL && out->output_val != NULL) {
        output_print(n, out->output_val);
    } else if (out->status == RS_SUCCEEDED) {
        rs_event_arg(n, out->output ? out->output : "null", out->output ? out->output_len : 4);
    } else {
        rs_event_arg(n, out->error ? out->error : "", out->error ? strlen(out->error) : 0);
        rs_event_arg(n, out->cause ? out->cause : "", out->cause ? strlen(out->cause) : 0);
    }
    rs_event_argi(n, out->start_ms);
    rs_event_argi(n, out->stop_ms);
    rs_event_argi(n, n->_bms);
    rs_event_argi(n, n->_bmb);
    rs_event_argi(n, out->transitions);
    n->_sub = ev->_sub;
    ev->_sub = n;
    if (--ev->_pend == 0 && ev->_ready)
        rs_consumer_enqueue_commit(ev->consumer, ev);
}

void
rs_event_reject(rs_event_t *ev, const char *reason)
{
    if (SX_NEVER(ev->_kind != 0))
        return;
    ev->_kind = 'd';
    ev->_nargs = 0;
    sx_sbuf_reset(&ev->_buf);
    arg_pairz(ev, "reason", reason);
    arg_pairz(ev, "machine", ev->machine);
    arg_pairz(ev, "name", ev->name);
    arg_pairz(ev, "tenant", ev->tenant);
    rs_event_arg(ev, "deliveries", 10);
    rs_event_argi(ev, ev->deliveries);
    if (ev->input != NULL)
        arg_pair(ev, ev->input_msgpack ? RS_F_INPUT_MSGPACK : RS_F_INPUT, ev->input, ev->input_len);
    rs_consumer_enqueue_commit(ev->consumer, ev);
}

/* ---- MessagePack -> JSON ---- */

int
rs_msgpack_to_json(const char *p, size_t n, sx_sbuf_t *out, char *msg, size_t msglen)
{
    sx_arena_t *a = sx_arena_new(n + 256);
    const val_t *v;
    val_json_err_t err;
    int rc = val_msgpack_decode(a, p, n, &v, &err);
    if (rc == SX_OK)
        val_json_print(out, v);
    else
        snprintf(msg, msglen, "%s", err.msg);
    sx_arena_free(a);
    return rc;
}
