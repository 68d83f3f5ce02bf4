/*
 * rs_consumer.c: one consumer of the group: startup checks, reading, dispatch.
 *
 * Startup (first connection only): CONFIG GET maxmemory-policy (anything but noeviction
 * makes the consumer FATAL: Redis could evict the streams), then XGROUP CREATE <events>
 * <group> <group_start> MKSTREAM (BUSYGROUP is fine). The group is never created again: when a
 * Redis restarted without persistence answers NOGROUP, that is logged loudly and the read is
 * retried with backoff until an operator acts.
 *
 * Every connection: SCRIPT LOAD of the commit script (EVALSHA falls back to EVAL anyway), then
 * the consumer's own pending entries are read from id 0 (history: entries delivered to this
 * consumer whose commit never landed, e.g. the connection died after XREADGROUP), then new
 * entries with ">". Every entry id read is put in the in-flight table until its commit
 * answered; an id already in the table is skipped, so re-reads never run an entry twice in
 * this consumer.
 *
 * Read policy (one connection per worker, so a BLOCK read delays everything queued after
 * it): BLOCK only when the consumer holds nothing; while it holds uncommitted entries it reads
 * without BLOCK, at once after a read that brought entries, or poll_interval after an empty
 * one; never more than max_inflight entries are held. A BLOCK read starts as soon as the
 * consumer holds nothing again, even in the middle of a poll wait.
 */
#include <event2/event.h>
#include <hiredis/hiredis.h>
#include <string.h>
#include <unistd.h>

#include "rs_int.h"

/* ---- lists and the in-flight table ---- */

void
rs_evlist_push(rs_evlist_t *l, rs_event_t *ev)
{
    ev->_next = NULL;
    ev->_prev = l->tail;
    if (l->tail)
        l->tail->_next = ev;
    else
        l->head = ev;
    l->tail = ev;
    l->n++;
}

void
rs_evlist_unshift_all(rs_evlist_t *l, rs_event_t **evs, size_t n)
{
    for (size_t i = n; i-- > 0;) {
        rs_event_t *ev = evs[i];
        ev->_prev = NULL;
        ev->_next = l->head;
        if (l->head)
            l->head->_prev = ev;
        else
            l->tail = ev;
        l->head = ev;
        l->n++;
    }
}

void
rs_evlist_remove(rs_evlist_t *l, rs_event_t *ev)
{
    if (ev->_prev)
        ev->_prev->_next = ev->_next;
    else
        l->head = ev->_next;
    if (ev->_next)
        ev->_next->_prev = ev->_prev;
    else
        l->tail = ev->_prev;
    ev->_prev = ev->_next = NULL;
    l->n--;
}

static size_t
id_hash(const char *id, size_t len)
{
    uint64_t h = 1469598103934665603ULL;
    for (size_t i = 0; i < len; i++)
        h = (h ^ (unsigned char)id[i]) * 1099511628211ULL;
    return (size_t)(h ^ (h >> 29));
}

rs_event_t *
rs_held_find(rs_consumer_t *c, const char *id, size_t len)
{
    for (rs_event_t *e = c->htab[id_hash(id, len) & (c->hcap - 1)]; e; e = e->_hnext)
        if (strlen(e->id) == len && memcmp(e->id, id, len) == 0)
            return e;
    return NULL;
}

static void
held_grow(rs_consumer_t *c)
{
    size_t ncap = c->hcap * 2;
    rs_event_t **nt = sx_calloc(ncap, sizeof(*nt));
    for (size_t i = 0; i < c->hcap; i++) {
        rs_event_t *e = c->htab[i];
        while (e) {
            rs_event_t *next = e->_hnext;
            size_t b = id_hash(e->id, strlen(e->id)) & (ncap - 1);
            e->_hnext = nt[b];
            nt[b] = e;
            e = next;
        }
    }
    sx_free(c->htab);
    c->htab = nt;
    c->hcap = ncap;
}

void
rs_held_add(rs_consumer_t *c, rs_event_t *ev)
{
    size_t b;
    if (c->nheld >= c->hcap)
        held_grow(c);
    b = id_hash(ev->id, strlen(ev->id)) & (c->hcap - 1);
    ev->_hnext = c->htab[b];
    c->htab[b] = ev;
    c->nheld++;
}

void
rs_held_remove(rs_consumer_t *c, rs_event_t *ev)
{
    rs_event_t **pp = &c->htab[id_hash(ev->id, strlen(ev->id)) & (c->hcap - 1)];
    while (*pp && *pp != ev)
        pp = &(*pp)->_hnext;
    if (SX_ALWAYS(*pp == ev)) {
        *pp = ev->_hnext;
        c->nheld--;
    }
    ev->_hnext = NULL;
}

void
rs_event_free(rs_event_t *ev)
{
    while (ev != NULL) {
        rs_event_t *sub = ev->_sub;
        sx_sbuf_fini(&ev->_buf);
        sx_free(ev->_tenant_own);
        sx_free(ev);
        ev = sub;
    }
}

/* ---- entries -> events ---- */

typedef struct entry_fields {
    const redisReply *machine, *input, *input_mp, *name, *tenant; /* borrowed or NULL */
} entry_fields_t;

static void
fields_find(const redisReply *f, entry_fields_t *out)
{
    memset(out, 0, sizeof(*out));
    for (size_t i = 0; i + 1 < f->elements; i += 2) {
        const redisReply *k = f->element[i], *v = f->element[i + 1];
        const redisReply **slot = NULL;
        if (k->type != REDIS_REPLY_STRING || v->type != REDIS_REPLY_STRING)
            continue;
        if (strcmp(k->str, RS_F_MACHINE) == 0)
            slot = &out->machine;
        else if (strcmp(k->str, RS_F_INPUT) == 0)
            slot = &out->input;
        else if (strcmp(k->str, RS_F_INPUT_MSGPACK) == 0)
            slot = &out->input_mp;
        else if (strcmp(k->str, RS_F_NAME) == 0)
            slot = &out->name;
        else if (strcmp(k->str, RS_F_TENANT) == 0)
            slot = &out->tenant;
        if (slot != NULL)
            *slot = v;
    }
}

static const char *
copy_field(char **pp, const redisReply *r)
{
    char *s = *pp;
    memcpy(s, r->str, r->len);
    s[r->len] = '\0';
    *pp += r->len + 1;
    return s;
}

/* True when s (n bytes) ends in ":DDDD-DD-DD": such a tenant's all-time usage key would read
 * as another tenant's day bucket. */
static bool
ends_like_day(const char *s, size_t n)
{
    static const char pat[] = ":0000-00-00";
    if (n < sizeof(pat) - 1)
        return false;
    s += n - (sizeof(pat) - 1);
    for (size_t i = 0; i < sizeof(pat) - 1; i++)
        if (pat[i] == '0' ? (s[i] < '0' || s[i] > '9') : s[i] != pat[i])
            return false;
    return true;
}

/* Returns the reason an entry is invalid, or NULL. buf holds formatted reasons. */
static const char *
entry_invalid(const rs_consumer_t *c, const entry_fields_t *f, char *buf, size_t len)
{
    if (f->machine == NULL || f->machine->len == 0)
        return "missing field 'machine'";
    if (f->machine->len > RS_NAME_MAX) {
        snprintf(buf, len, "machine name longer than %d bytes", RS_NAME_MAX);
        return buf;
    }
    if (f->input == NULL && f->input_mp == NULL)
        return "missing field 'input' or 'input_msgpack'";
    if (f->input != NULL && f->input_mp != NULL)
        return "both 'input' and 'input_msgpack' given";
    const redisReply *in = f->input ? f->input : f->input_mp;
    if ((int64_t)in->len > c->conf->max_input) {
        snprintf(buf, len, "input is %zu bytes, more than max_input %lld", in->len,
                 (long long)c->conf->max_input);
        return buf;
    }
    if (f->name != NULL && (f->name->len == 0 || f->name->len > RS_NAME_MAX)) {
        snprintf(buf, len, "execution name must be 1..%d bytes", RS_NAME_MAX);
        return buf;
    }
    if (f->tenant != NULL && (f->tenant->len == 0 || f->tenant->len > RS_TENANT_MAX)) {
        snprintf(buf, len, "tenant must be 1..%d bytes", RS_TENANT_MAX);
        return buf;
    }
    if (f->tenant != NULL && ends_like_day(f->tenant->str, f->tenant->len))
        return "tenant must not end in ':YYYY-MM-DD' (reserved for day buckets)";
    return NULL;
}

rs_event_t *
rs_entry_take(rs_consumer_t *c, const redisReply *entry, uint32_t deliveries, bool *queued)
{
    const redisReply *id, *fr;
    entry_fields_t f;
    size_t extra = 0;
    rs_event_t *ev;
    char *p;
    char why[160];
    const char *bad;

    *queued = false;
    if (entry->type != REDIS_REPLY_ARRAY || entry->elements < 2 ||
        entry->element[0]->type != REDIS_REPLY_STRING || entry->element[0]->len >= RS_ID_MAX)
        return NULL;
    id = entry->element[0];
    fr = entry->element[1];
    if (rs_held_find(c, id->str, id->len) != NULL)
        return NULL;
    if (fr->type == REDIS_REPLY_ARRAY)
        fields_find(fr, &f);
    else
        memset(&f, 0, sizeof(f));
    const redisReply *parts[] = {f.machine, f.input, f.input_mp, f.name, f.tenant};
    for (size_t i = 0; i < SX_ARRAY_LEN(parts); i++)
        if (parts[i] != NULL)
            extra += parts[i]->len + 1;
    ev = sx_malloc(sizeof(*ev) + extra); /* zero the event, not its string tail */
    memset(ev, 0, sizeof(*ev));
    p = (char *)(ev + 1);
    memcpy(ev->id, id->str, id->len);
    ev->consumer = c;
    ev->deliveries = deliveries;
    ev->received_ms = sx_wall_ms();
    ev->_touch_ms = (uint64_t)ev->received_ms;
    ev->tenant = f.tenant ? copy_field(&p, f.tenant) : RS_TENANT_DEFAULT;
    ev->tenant_absent = f.tenant == NULL;
    ev->machine = f.machine ? copy_field(&p, f.machine) : NULL;
    ev->name = f.name ? copy_field(&p, f.name) : NULL;
    if (f.input != NULL || f.input_mp != NULL) {
        ev->input_msgpack = f.input == NULL;
        ev->input_len = (f.input ? f.input : f.input_mp)->len;
        ev->input = copy_field(&p, f.input ? f.input : f.input_mp);
    }
    rs_held_add(c, ev);
    c->st.read++;
    if (fr->type != REDIS_REPLY_ARRAY) {
        /* deleted from the stream while pending: only the ack is left to do */
        c->st.deleted++;
        ev->_kind = 'a';
        rs_consumer_enqueue_commit(c, ev);
        *queued = true;
        return ev;
    }
    bad = entry_invalid(c, &f, why, sizeof(why));
    if (bad != NULL) {
        rs_log(RS_LOG_WARN, "%s: entry %s dead-lettered: %s", c->name, ev->id, bad);
        rs_event_reject(ev, bad);
        *queued = true;
    }
    return ev;
}

void
rs_dispatch(rs_consumer_t *c, rs_event_t *ev)
{
    rs_evlist_push(&c->exec_list, ev);
    if (c->closing)
        return; /* freed with the consumer */
    c->st.dispatched++;
    c->exec(ev, c->ud);
}

void
rs_consumer_enqueue_commit(rs_consumer_t *c, rs_event_t *ev)
{
    if (ev->_prev != NULL || ev->_next != NULL || c->exec_list.head == ev)
        rs_evlist_remove(&c->exec_list, ev);
    rs_evlist_push(&c->commit_q, ev);
    event_active(c->flush_ev, EV_TIMEOUT, 1);
}

/* ---- reading ---- */

static void
read_wait_arm(rs_consumer_t *c, int64_t ms)
{
    struct timeval tv = {(time_t)(ms / 1000), (suseconds_t)(ms % 1000) * 1000};
    c->read_wait = true;
    evtimer_add(c->read_ev, &tv);
}

static void
on_read_timer(evutil_socket_t fd, short what, void *arg)
{
    rs_consumer_t *c = arg;
    SX_UNUSED(fd);
    SX_UNUSED(what);
    c->read_wait = false;
    rs_read_kick(c);
}

static void
on_poll_timer(evutil_socket_t fd, short what, void *arg)
{
    rs_consumer_t *c = arg;
    SX_UNUSED(fd);
    SX_UNUSED(what);
    c->drained = false;
    rs_read_kick(c);
}

static void
read_error(rs_consumer_t *c, const redisReply *r)
{
    int64_t delay = c->conf->reconnect_min_ms;
    for (uint32_t i = 0; i < c->read_errors && delay < c->conf->reconnect_max_ms; i++)
        delay *= 2;
    if (delay > c->conf->reconnect_max_ms)
        delay = c->conf->reconnect_max_ms;
    c->read_errors++;
    if (strncmp(r->str, "NOGROUP", 7) == 0) {
        c->st.nogroup++;
        snprintf(c->error, sizeof(c->error),
                 "NOGROUP: group '%s' of stream '%s' is gone (Redis restarted without "
                 "persistence?); not recreating it, waiting for an operator",
                 c->conf->group, c->k_events);
        rs_log(RS_LOG_ERROR, "%s: %s", c->name, c->error);
    } else {
        rs_log(RS_LOG_WARN, "%s: XREADGROUP: %s", c->name, r->str);
    }
    read_wait_arm(c, delay);
}

static void
on_read(rs_conn_t *conn, redisReply *r, void *ud)
{
    rs_consumer_t *c = ud;
    bool was_history = c->history;
    size_t got = 0;
    SX_UNUSED(conn);
    c->reading = false;
    if (r == NULL)
        return; /* connection lost: the next connection starts with history */
    if (r->type == REDIS_REPLY_ERROR) {
        read_error(c, r);
        return;
    }
    c->read_errors = 0;
    if (r->type == REDIS_REPLY_ARRAY && r->elements > 0 &&
        r->element[0]->type == REDIS_REPLY_ARRAY && r->element[0]->elements == 2 &&
        r->element[0]->element[1]->type == REDIS_REPLY_ARRAY) {
        const redisReply *ents = r->element[0]->element[1];
        got = ents->elements;
        if (was_history) {
            rs_take_counted(c, ents, false); /* a history read is a delivery too */
        } else {
            /* take every entry first, send the next read, then dispatch: Redis serves the
             * next read while the executor parses this batch's inputs */
            rs_event_t *fresh = NULL, **tail = &fresh;
            for (size_t i = 0; i < ents->elements; i++) {
                bool queued;
                rs_event_t *ev = rs_entry_take(c, ents->element[i], 1, &queued);
                if (ev != NULL && !queued) {
                    ev->_next = NULL;
                    *tail = ev;
                    tail = &ev->_next;
                }
            }
            c->drained = got == 0;
            rs_read_kick(c);
            while (fresh != NULL) {
                rs_event_t *ev = fresh;
                fresh = ev->_next;
                ev->_next = NULL;
                rs_dispatch(c, ev);
            }
            return;
        }
        if (was_history && got > 0) {
            const redisReply *last = ents->element[got - 1];
            if (last->type == REDIS_REPLY_ARRAY && last->elements > 0 &&
                last->element[0]->type == REDIS_REPLY_STRING && last->element[0]->len < RS_ID_MAX)
                memcpy(c->hist_cursor, last->element[0]->str, last->element[0]->len + 1);
        }
    }
    if (was_history) {
        if (got == 0)
            c->history = false;
    } else {
        c->drained = got == 0;
    }
    rs_read_kick(c);
}

void
rs_read_kick(rs_consumer_t *c)
{
    const char *argv[12];
    char count[24], block[24];
    int argc = 0;
    int64_t room = c->conf->max_inflight - (int64_t)c->nheld, timeout = 0;
    int64_t n = room < c->conf->read_count ? room : c->conf->read_count;

    if (c->state != RS_ST_RUNNING || c->reading || c->read_wait || c->paused || n <= 0 ||
        !rs_conn_up(c->conn))
        return;
    snprintf(count, sizeof(count), "%lld", (long long)n);
    argv[argc++] = "XREADGROUP";
    argv[argc++] = "GROUP";
    argv[argc++] = c->conf->group;
    argv[argc++] = c->name;
    argv[argc++] = "COUNT";
    argv[argc++] = count;
    if (!c->history) {
        if (c->nheld == 0) {
            if (c->drained)
                evtimer_del(c->poll_ev); /* holding nothing: block instead of polling */
            c->drained = false;
            snprintf(block, sizeof(block), "%lld", (long long)c->conf->read_block_ms);
            argv[argc++] = "BLOCK";
            argv[argc++] = block;
            timeout = c->conf->cmd_timeout_ms + c->conf->read_block_ms;
        } else if (c->drained) {
            if (!evtimer_pending(c->poll_ev, NULL)) {
                struct timeval tv = {(time_t)(c->conf->poll_ms / 1000),
                                     (suseconds_t)(c->conf->poll_ms % 1000) * 1000};
                evtimer_add(c->poll_ev, &tv);
            }
            return;
        }
    }
    argv[argc++] = "STREAMS";
    argv[argc++] = c->k_events;
    argv[argc++] = c->history ? c->hist_cursor : ">";
    if (rs_conn_argv(c->conn, timeout, on_read, c, argc, argv, NULL) == SX_OK)
        c->reading = true;
}

/* ---- startup and connections ---- */

static void
fatal(rs_consumer_t *c, const char *fmt, const char *arg)
{
    c->state = RS_ST_FATAL;
    snprintf(c->error, sizeof(c->error), fmt, arg);
    rs_log(RS_LOG_ERROR, "%s: %s", c->name, c->error);
}

static void
on_running_up(rs_consumer_t *c)
{
    rs_conn_cmd(c->conn, 0, NULL, NULL, "SCRIPT LOAD %s", rs_commit_script());
    c->history = true;
    c->drained = false;
    strcpy(c->hist_cursor, "0");
    rs_read_kick(c);
    rs_commit_flush(c);
}

static void
on_group(rs_conn_t *conn, redisReply *r, void *ud)
{
    rs_consumer_t *c = ud;
    char buf[256];
    SX_UNUSED(conn);
    if (r == NULL)
        return; /* retried on the next connection */
    if (r->type == REDIS_REPLY_ERROR && strncmp(r->str, "BUSYGROUP", 9) != 0) {
        fatal(c, "XGROUP CREATE failed: %s", rs_reply_text(r, buf, sizeof(buf)));
        return;
    }
    c->state = RS_ST_RUNNING;
    on_running_up(c);
}

static void
group_create(rs_consumer_t *c)
{
    rs_conn_cmd(c->conn, 0, on_group, c, "XGROUP CREATE %s %s %s MKSTREAM", c->k_events,
                c->conf->group, c->conf->group_start);
}

static void
on_policy(rs_conn_t *conn, redisReply *r, void *ud)
{
    rs_consumer_t *c = ud;
    SX_UNUSED(conn);
    if (r == NULL)
        return;
    if (r->type == REDIS_REPLY_ARRAY && r->elements == 2 &&
        r->element[1]->type == REDIS_REPLY_STRING) {
        if (strcmp(r->element[1]->str, "noeviction") != 0) {
            fatal(c,
                  "Redis maxmemory-policy is '%s': it may evict the streams; set noeviction "
                  "(or check_eviction off)",
                  r->element[1]->str);
            return;
        }
    } else {
        rs_log(RS_LOG_WARN, "%s: cannot read maxmemory-policy (CONFIG disabled?); going on",
               c->name);
    }
    group_create(c);
}

static void
on_up(rs_conn_t *conn, void *ud)
{
    rs_consumer_t *c = ud;
    if (c->state == RS_ST_FATAL)
        return;
    if (c->state == RS_ST_RUNNING) {
        on_running_up(c);
        return;
    }
    if (c->conf->check_eviction)
        rs_conn_cmd(conn, 0, on_policy, c, "CONFIG GET maxmemory-policy");
    else
        group_create(c);
}

rs_consumer_t *
rs_consumer_new(struct event_base *base, const rs_conf_t *conf, int index, rs_exec_fn exec,
                rs_committed_fn committed, void *ud)
{
    rs_consumer_t *c = sx_calloc(1, sizeof(*c));
    const char *tag = conf->redis_tag;
    char host[64] = "stepxd";
    c->base = base;
    c->conf = conf;
    c->exec = exec;
    c->committed = committed;
    c->ud = ud;
    /* Default prefix: <host name>-<pid>, so that two processes on one host never share a
     * consumer name (they would share one pending list and each re-read the other's
     * history). */
    if (conf->consumer == NULL && gethostname(host, sizeof(host)) != 0)
        strcpy(host, "stepxd");
    host[sizeof(host) - 1] = '\0';
    if (conf->consumer != NULL)
        snprintf(c->name, sizeof(c->name), "%s-%d", conf->consumer, index);
    else
        snprintf(c->name, sizeof(c->name), "%s-%ld-%d", host, (long)getpid(), index);
    {
        sx_sbuf_t b = SX_SBUF_INIT;
        sx_sbuf_addf(&b, "{%s}:%s", tag, conf->events_key);
        c->k_events = sx_strdup(b.p);
        sx_sbuf_reset(&b);
        sx_sbuf_addf(&b, "{%s}:%s", tag, conf->results_key);
        c->k_results = sx_strdup(b.p);
        sx_sbuf_reset(&b);
        sx_sbuf_addf(&b, "{%s}:%s", tag, conf->dead_key);
        c->k_dead = sx_strdup(b.p);
        sx_sbuf_reset(&b);
        sx_sbuf_addf(&b, "{%s}:%s:", tag, conf->usage_key);
        c->k_usage = sx_strdup(b.p);
        sx_sbuf_fini(&b);
    }
    c->hcap = 64;
    c->htab = sx_calloc(c->hcap, sizeof(*c->htab));
    strcpy(c->claim_cursor, "0-0");
    c->flush_ev = event_new(base, -1, 0, rs_commit_on_flush, c);
    c->read_ev = evtimer_new(base, on_read_timer, c);
    c->poll_ev = evtimer_new(base, on_poll_timer, c);
    c->commit_ev = evtimer_new(base, rs_commit_on_retry, c);
    c->index = index;
    c->trim_ev = event_new(base, -1, EV_PERSIST, rs_trim_on_tick, c);
    if (index == 0 && conf->trim_interval_ms > 0) {
        struct timeval ttv = {(time_t)(conf->trim_interval_ms / 1000),
                              (suseconds_t)(conf->trim_interval_ms % 1000) * 1000};
        event_add(c->trim_ev, &ttv);
    }
    c->claim_ev = event_new(base, -1, EV_PERSIST, rs_claim_on_tick, c);
    struct timeval tv = {(time_t)(conf->claim_interval_ms / 1000),
                         (suseconds_t)(conf->claim_interval_ms % 1000) * 1000};
    event_add(c->claim_ev, &tv);
    c->conn = rs_conn_new(base, conf, on_up, c);
    return c;
}

void
rs_consumer_free(rs_consumer_t *c)
{
    if (c == NULL)
        return;
    c->closing = true; /* callbacks run by the teardown below dispatch nothing */
    rs_conn_free(c->conn);
    for (size_t i = 0; i < c->hcap; i++) {
        rs_event_t *e = c->htab[i];
        while (e) {
            rs_event_t *next = e->_hnext;
            rs_event_free(e);
            e = next;
        }
    }
    event_free(c->flush_ev);
    event_free(c->read_ev);
    event_free(c->poll_ev);
    event_free(c->commit_ev);
    event_free(c->claim_ev);
    event_free(c->trim_ev);
    sx_free(c->htab);
    sx_free(c->k_events);
    sx_free(c->k_results);
    sx_free(c->k_dead);
    sx_free(c->k_usage);
    sx_sbuf_fini(&c->req);
    sx_free(c);
}

void
rs_consumer_pause(rs_consumer_t *c, bool paused)
{
    c->paused = paused;
    if (!paused)
        rs_read_kick(c);
}

rs_state_t
rs_consumer_state(const rs_consumer_t *c)
{
    return c->state;
}

const char *
rs_consumer_error(const rs_consumer_t *c)
{
    return c->error[0] ? c->error : NULL;
}

const char *
rs_consumer_name(const rs_consumer_t *c)
{
    return c->name;
}

void
rs_consumer_stats(const rs_consumer_t *c, rs_stats_t *out)
{
    *out = c->st;
    out->inflight = c->nheld;
}

rs_conn_t *
rs_consumer_conn(rs_consumer_t *c)
{
    return c->conn;
}
