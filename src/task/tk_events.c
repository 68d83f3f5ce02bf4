/*
 * tk_events.c: arn:aws:states:::events:putEvents onto Redis streams (one stream per event
 * bus), over the worker's hiredis async connection (rs_conn_t, stream.h).
 *
 * Parameters: {"Entries": [{"Source", "DetailType", "Detail" (object, or a string holding a
 * JSON object), "EventBusName" (name or ARN ...:event-bus/NAME; default "default"),
 * "Resources" [strings], "Time" (string), "TraceHeader"}]}: 1..10 entries, as PutEvents.
 *
 * Each valid entry becomes one XADD to the bus's stream (event_buses table, else
 * bus_stream_prefix + bus name; MAXLEN ~ bus_maxlen when > 0) with the fields
 *   id           the EventId (a UUID, as EventBridge's)
 *   source       Source
 *   detail-type  DetailType
 *   event        the EventBridge event envelope as JSON: {"version":"0","id","detail-type",
 *                "source","account","time","region","resources","detail"}
 * The XADDs of one call are pipelined; the call completes when every reply arrived.
 *
 * Result: PutEvents' response, {"Entries":[{"EventId":id} | {"ErrorCode","ErrorMessage"}],
 * "FailedEntryCount":n}. Entries that fail validation (missing Source/DetailType/Detail:
 * InvalidArgument; Detail not a JSON object: MalformedDetail) or whose XADD failed
 * (InternalFailure: Redis down, timeout, error reply) are reported per entry; when
 * FailedEntryCount > 0 the task fails with EventBridge.FailedEntry and the response as JSON
 * cause (Step Functions' documented behaviour for the optimized integration; the per-entry
 * texts are ours). A missing or malformed Entries array fails with States.Runtime.
 *
 * Cancellation cannot take back an XADD already sent: cancel() only detaches the call; the
 * replies still arrive and free the request. Delivery is therefore at-least-once across
 * retries, like EventBridge's.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <hiredis/hiredis.h>

#include "tk_int.h"

#define EVENTS_ARN "arn:aws:states:::events:putEvents"
#define MAX_ENTRIES 10

typedef struct tk_events {
    tk_res_t h;             /* header: kind, free, counters */
    const tk_config_t *cfg; /* borrowed */
    tk_table_t buses;       /* bus -> stream */
    tk_map_t live;          /* ex_call_t* -> ev_req_t* */
} tk_events_t;

typedef struct ev_ent {
    char id[40];      /* EventId on success */
    const char *code; /* ErrorCode (static) or NULL */
    const char *msg;  /* ErrorMessage (static) */
} ev_ent_t;

typedef struct ev_req {
    tk_events_t *r;   /* NULL once the resource is freed */
    ex_call_t *call;  /* NULL once cancelled */
    uint32_t n;       /* entries */
    uint32_t pending; /* XADD replies outstanding */
    ev_ent_t ent[];   /* per entry */
} ev_req_t;

typedef struct ev_slot {
    ev_req_t *q; /* request */
    uint32_t i;  /* entry index */
} ev_slot_t;

static void
finish(ev_req_t *q)
{
    tk_events_t *r = q->r;
    ex_call_t *c = q->call;
    if (r == NULL || c == NULL) {
        sx_free(q);
        return;
    }
    tk_map_del(&r->live, c);
    sx_arena_t *a = c->arena;
    val_arrb_t ab;
    uint32_t failed = 0;
    val_arrb_init(&ab, a, q->n);
    for (uint32_t i = 0; i < q->n; i++) {
        val_objb_t ob;
        val_objb_init(&ob, a, 2);
        if (q->ent[i].code != NULL) {
            failed++;
            val_objb_sets(&ob, "ErrorCode", val_strz(a, q->ent[i].code));
            val_objb_sets(&ob, "ErrorMessage", val_strz(a, q->ent[i].msg));
        } else {
            val_objb_sets(&ob, "EventId", val_strz(a, q->ent[i].id));
        }
        val_arrb_push(&ab, val_objb_done(&ob));
    }
    val_objb_t res;
    val_objb_init(&res, a, 2);
    val_objb_sets(&res, "Entries", val_arrb_done(&ab, 0));
    val_objb_sets(&res, "FailedEntryCount", val_num(a, failed));
    const val_t *out = val_objb_done(&res);
    sx_free(q);
    if (failed > 0)
        tk_res_fail(&r->h, c, "EventBridge.FailedEntry", val_json_str(a, out, NULL));
    else
        tk_res_succeed(&r->h, c, out);
}

static void
on_xadd(rs_conn_t *conn, struct redisReply *reply, void *ud)
{
    ev_slot_t *s = ud;
    ev_req_t *q = s->q;
    SX_UNUSED(conn);
    if (reply == NULL || reply->type != REDIS_REPLY_STRING) {
        q->ent[s->i].code = "InternalFailure";
        q->ent[s->i].msg =
            reply == NULL ? "The event store did not answer" : "The event store refused the event";
    }
    sx_free(s);
    if (--q->pending == 0)
        finish(q);
}

/* ---- building one entry ---- */

static const char *
bus_name(sx_arena_t *a, const val_t *v)
{
    if (!val_is(v, VAL_STR) || val_len(v) == 0)
        return "default";
    const char *s = val_str_get(v), *slash = strstr(s, ":event-bus/");
    if (strncmp(s, "arn:", 4) == 0 && slash != NULL)
        return sx_arena_strndup(a, slash + 11, strlen(slash + 11));
    return s;
}

/* Validates entry e; returns its detail (a JSON object value) or NULL with code/msg set. */
static const val_t *
entry_check(sx_arena_t *a, const val_t *e, ev_ent_t *out)
{
    const val_t *src = val_obj_gets(e, "Source"), *dt = val_obj_gets(e, "DetailType");
    const val_t *d = val_obj_gets(e, "Detail");
    out->code = "InvalidArgument";
    if (!val_is(e, VAL_OBJ)) {
        out->msg = "Parameter Entries is not valid. Reason: an entry must be an object.";
        return NULL;
    }
    if (!val_is(src, VAL_STR) || val_len(src) == 0) {
        out->msg = "Parameter Source is not valid. Reason: Source is a required argument.";
        return NULL;
    }
    if (!val_is(dt, VAL_STR) || val_len(dt) == 0) {
        out->msg = "Parameter DetailType is not valid. Reason: DetailType is a required "
                   "argument.";
        return NULL;
    }
    if (d == NULL) {
        out->msg = "Parameter Detail is not valid. Reason: Detail is a required argument.";
        return NULL;
    }
    if (val_is(d, VAL_STR) && val_json_parse(a, val_str_get(d), val_len(d), &d, NULL) != SX_OK)
        d = NULL;
    if (!val_is(d, VAL_OBJ)) {
        out->code = "MalformedDetail";
        out->msg = "Detail is malformed.";
        return NULL;
    }
    out->code = NULL;
    return d;
}

static const val_t *
envelope(sx_arena_t *a, const tk_config_t *cfg, const val_t *e, const val_t *detail, const char *id)
{
    char now[40];
    const val_t *t = val_obj_gets(e, "Time"), *res = val_obj_gets(e, "Resources");
    if (!val_is(t, VAL_STR)) {
        time_t secs = (time_t)(sx_wall_ms() / 1000);
        struct tm tm;
        gmtime_r(&secs, &tm);
        strftime(now, sizeof(now), "%Y-%m-%dT%H:%M:%SZ", &tm);
        t = val_strz(a, now);
    }
    val_objb_t ob;
    val_objb_init(&ob, a, 9);
    val_objb_sets(&ob, "version", val_strz(a, "0"));
    val_objb_sets(&ob, "id", val_strz(a, id));
    val_objb_sets(&ob, "detail-type", val_obj_gets(e, "DetailType"));
    val_objb_sets(&ob, "source", val_obj_gets(e, "Source"));
    val_objb_sets(&ob, "account", val_strz(a, cfg->account));
    val_objb_sets(&ob, "time", t);
    val_objb_sets(&ob, "region", val_strz(a, cfg->region));
    val_objb_sets(&ob, "resources", val_is(res, VAL_ARR) ? res : val_arr_empty());
    val_objb_sets(&ob, "detail", detail);
    return val_objb_done(&ob);
}

static const char *
stream_of(tk_events_t *r, sx_arena_t *a, const char *bus)
{
    const char *s = tk_table_get(&r->buses, bus);
    if (s != NULL)
        return s;
    return sx_arena_printf(a, NULL, "%s%s", r->cfg->bus_stream_prefix, bus);
}

/* Sends the XADD of entry i; on failure marks it. */
static void
entry_send(tk_events_t *r, ev_req_t *q, uint32_t i, const val_t *e, const val_t *detail)
{
    ex_call_t *c = q->call;
    sx_arena_t *a = c->arena;
    ev_ent_t *en = &q->ent[i];
    char maxlen[24];
    sx_uuid4(en->id);
    size_t elen;
    const char *ev = val_json_str(a, envelope(a, r->cfg, e, detail, en->id), &elen);
    const val_t *src = val_obj_gets(e, "Source"), *dt = val_obj_gets(e, "DetailType");
    const char *argv[14];
    size_t lens[14];
    int n = 0;
#define ARG(s, l) (argv[n] = (s), lens[n++] = (l))
    ARG("XADD", 4);
    const char *key = stream_of(r, a, bus_name(a, val_obj_gets(e, "EventBusName")));
    ARG(key, strlen(key));
    if (r->cfg->bus_maxlen > 0) {
        snprintf(maxlen, sizeof(maxlen), "%lld", (long long)r->cfg->bus_maxlen);
        ARG("MAXLEN", 6);
        ARG("~", 1);
        ARG(maxlen, strlen(maxlen));
    }
    ARG("*", 1);
    ARG("id", 2);
    ARG(en->id, strlen(en->id));
    ARG("source", 6);
    ARG(val_str_get(src), val_len(src));
    ARG("detail-type", 11);
    ARG(val_str_get(dt), val_len(dt));
    ARG("event", 5);
    ARG(ev, elen);
#undef ARG
    ev_slot_t *s = sx_malloc(sizeof(*s));
    s->q = q;
    s->i = i;
    if (r->cfg->redis == NULL ||
        rs_conn_argv(r->cfg->redis, r->cfg->redis_timeout_ms, on_xadd, s, n, argv, lens) != SX_OK) {
        sx_free(s);
        en->code = "InternalFailure";
        en->msg = "The event store is not connected";
        return;
    }
    q->pending++;
}

static int
events_start(void *ud, ex_call_t *c)
{
    tk_events_t *r = ud;
    if (strcmp(c->resource, EVENTS_ARN) != 0)
        return SX_DECLINED;
    r->h.stats.started++;
    r->h.stats.inflight++;
    const val_t *ents = val_obj_gets(c->input, "Entries");
    if (!val_is(ents, VAL_ARR) || val_len(ents) == 0 || val_len(ents) > MAX_ENTRIES)
        return tk_res_bad_params(&r->h, c,
                                 "The field 'Entries' must be an array of 1 to 10 "
                                 "entries");
    uint32_t n = val_len(ents);
    ev_req_t *q = sx_calloc(1, sizeof(*q) + n * sizeof(ev_ent_t));
    q->r = r;
    q->call = c;
    q->n = n;
    q->pending = 1; /* held while sending, so no reply can finish q early */
    for (uint32_t i = 0; i < n; i++) {
        const val_t *e = val_arr_at(ents, i);
        const val_t *detail = entry_check(c->arena, e, &q->ent[i]);
        if (detail != NULL)
            entry_send(r, q, i, e, detail);
    }
    tk_map_put(&r->live, c, q);
    if (--q->pending == 0)
        finish(q);
    return SX_OK;
}

static void
events_cancel(void *ud, ex_call_t *c)
{
    tk_events_t *r = ud;
    ev_req_t *q = tk_map_del(&r->live, c);
    if (q == NULL)
        return;
    q->call = NULL; /* the replies still come and free q */
    r->h.stats.cancelled++;
    r->h.stats.inflight--;
}

static void
detach(const void *key, void *val, void *ud)
{
    ev_req_t *q = val;
    SX_UNUSED(key);
    SX_UNUSED(ud);
    q->r = NULL;
}

static void
events_free(tk_res_t *h)
{
    tk_events_t *r = (tk_events_t *)h;
    tk_map_each(&r->live, detach, NULL);
    tk_map_fini(&r->live);
    tk_table_fini(&r->buses);
    sx_free(r);
}

int
tk_events_new(struct event_base *base, sch_t *sch, const tk_config_t *cfg, ex_resource_t *out,
              char *msg, size_t msglen)
{
    tk_table_t buses;
    SX_UNUSED(base);
    SX_UNUSED(sch);
    if (tk_table_parse(&buses, cfg->event_buses, msg, msglen) != SX_OK)
        return SX_ERR;
    tk_events_t *r = sx_calloc(1, sizeof(*r));
    r->h.kind = "events";
    r->h.free = events_free;
    r->cfg = cfg;
    r->buses = buses;
    out->start = events_start;
    out->cancel = events_cancel;
    out->ud = r;
    return SX_OK;
}
