/*
 * rs_claim.c: taking over idle entries of dead consumers, dead-lettering poison entries, and
 * keeping this consumer's own long-running entries from being taken over.
 *
 * Every claim_interval (or rs_consumer_claim_now):
 *  1. Refresh: entries this consumer holds longer than claim_idle/2 are re-claimed to itself
 *     with XCLAIM <events> <group> <me> 0 <ids...> JUSTID, which resets their idle time
 *     without counting a delivery, so a 5-minute execution is not stolen at claim_idle.
 *  2. Reclaim: XAUTOCLAIM <events> <group> <me> <claim_idle> <cursor> COUNT n. Redis 7.0
 *     answers [cursor, entries, deleted-ids]; 6.2 answered [cursor, entries]: both are read.
 *     XAUTOCLAIM gives no delivery counts, so the new entries wait (held, in exec_list but not
 *     dispatched) for XPENDING <events> <group> <first> <last> <n> <me>, which does. An entry
 *     delivered more than max_deliveries times goes to the dead-letter stream; the others
 *     are dispatched. If XPENDING gets no answer the entries are dispatched anyway (their
 *     count unknown, 0) rather than stranded. The own-PEL history read after a reconnect goes
 *     through the same step (rs_take_counted), since a history read counts as a delivery
 *     too: a poison entry that kills its worker at once is dead-lettered even when the
 *     restarted worker (same consumer name) finds it in its own history.
 *  The cursor is kept between rounds; a round continues at once while it claims entries and
 *  the consumer has room (max_inflight).
 */
#include <event2/event.h>
#include <hiredis/hiredis.h>
#include <string.h>

#include "rs_int.h"

/* Claimed entries waiting for their delivery counts. */
typedef struct claim {
    rs_consumer_t *c; /* owner */
    bool reclaimed;   /* taken from other consumers (else: own history) */
    size_t n;         /* events */
    rs_event_t *ev[]; /* held, in exec_list, not yet dispatched */
} claim_t;

static void
claim_release(claim_t *cl, const redisReply *pend)
{
    rs_consumer_t *c = cl->c;
    char why[128];
    for (size_t i = 0; i < cl->n; i++) {
        rs_event_t *ev = cl->ev[i];
        uint32_t deliveries = 0;
        for (size_t j = 0; pend != NULL && j < pend->elements; j++) {
            const redisReply *p = pend->element[j];
            if (p->type == REDIS_REPLY_ARRAY && p->elements >= 4 &&
                p->element[0]->type == REDIS_REPLY_STRING &&
                strcmp(p->element[0]->str, ev->id) == 0 &&
                p->element[3]->type == REDIS_REPLY_INTEGER) {
                deliveries = (uint32_t)p->element[3]->integer;
                break;
            }
        }
        ev->deliveries = deliveries;
        rs_evlist_remove(&c->exec_list, ev);
        if ((int64_t)deliveries > c->conf->max_deliveries) {
            snprintf(why, sizeof(why), "delivered %u times, more than max_deliveries %lld",
                     deliveries, (long long)c->conf->max_deliveries);
            rs_log(RS_LOG_WARN, "%s: entry %s dead-lettered: %s", c->name, ev->id, why);
            rs_event_reject(ev, why);
            continue;
        }
        if (cl->reclaimed)
            c->st.reclaimed++;
        rs_dispatch(c, ev);
    }
    sx_free(cl);
}

static void
on_pending(rs_conn_t *conn, redisReply *r, void *ud)
{
    claim_t *cl = ud;
    SX_UNUSED(conn);
    claim_release(cl, r != NULL && r->type == REDIS_REPLY_ARRAY ? r : NULL);
}

size_t
rs_take_counted(rs_consumer_t *c, const redisReply *ents, bool reclaimed)
{
    claim_t *cl = sx_malloc(sizeof(*cl) + (ents->elements + 1) * sizeof(cl->ev[0]));
    size_t n;
    cl->c = c;
    cl->reclaimed = reclaimed;
    cl->n = 0;
    for (size_t i = 0; i < ents->elements; i++) {
        bool queued;
        rs_event_t *ev = rs_entry_take(c, ents->element[i], 0, &queued);
        if (ev == NULL || queued)
            continue;
        rs_evlist_push(&c->exec_list, ev); /* held until the counts arrive */
        cl->ev[cl->n++] = ev;
    }
    n = cl->n;
    if (cl->n == 0) {
        sx_free(cl);
        return 0;
    }
    const char *first = cl->ev[0]->id, *last = cl->ev[cl->n - 1]->id;
    char count[24];
    snprintf(count, sizeof(count), "%zu", cl->n + c->nheld); /* own entries may be in range */
    const char *argv[] = {"XPENDING", c->k_events, c->conf->group, first, last, count, c->name};
    if (rs_conn_argv(c->conn, 0, on_pending, cl, (int)SX_ARRAY_LEN(argv), argv, NULL) != SX_OK)
        claim_release(cl, NULL);
    return n;
}

static void on_autoclaim(rs_conn_t *conn, redisReply *r, void *ud);

static void
autoclaim_send(rs_consumer_t *c)
{
    char idle[24], count[24];
    int64_t room = c->conf->max_inflight - (int64_t)c->nheld;
    int64_t n = room < c->conf->claim_count ? room : c->conf->claim_count;
    if (n <= 0 || c->state != RS_ST_RUNNING)
        return;
    snprintf(idle, sizeof(idle), "%lld", (long long)c->conf->claim_idle_ms);
    snprintf(count, sizeof(count), "%lld", (long long)n);
    const char *argv[] = {"XAUTOCLAIM", c->k_events,     c->conf->group, c->name,
                          idle,         c->claim_cursor, "COUNT",        count};
    if (rs_conn_argv(c->conn, 0, on_autoclaim, c, (int)SX_ARRAY_LEN(argv), argv, NULL) == SX_OK)
        c->claiming = true;
}

static void
on_autoclaim(rs_conn_t *conn, redisReply *r, void *ud)
{
    rs_consumer_t *c = ud;
    size_t nnew;
    char buf[256];
    SX_UNUSED(conn);
    c->claiming = false;
    if (r == NULL)
        return;
    if (r->type != REDIS_REPLY_ARRAY || (r->elements != 2 && r->elements != 3) ||
        r->element[0]->type != REDIS_REPLY_STRING || r->element[1]->type != REDIS_REPLY_ARRAY) {
        rs_log(RS_LOG_WARN, "%s: XAUTOCLAIM: %s", c->name, rs_reply_text(r, buf, sizeof(buf)));
        if (r->type == REDIS_REPLY_ERROR && strncmp(r->str, "NOGROUP", 7) == 0)
            c->st.nogroup++;
        return;
    }
    if (r->element[0]->len < RS_ID_MAX)
        memcpy(c->claim_cursor, r->element[0]->str, r->element[0]->len + 1);
    if (r->elements == 3 && r->element[2]->type == REDIS_REPLY_ARRAY)
        c->st.deleted += r->element[2]->elements;
    nnew = rs_take_counted(c, r->element[1], true);
    if (nnew > 0 && strcmp(c->claim_cursor, "0-0") != 0)
        autoclaim_send(c);
}

static void
refresh_send(rs_consumer_t *c)
{
    uint64_t now = (uint64_t)sx_wall_ms();
    uint64_t age = (uint64_t)c->conf->claim_idle_ms / 2;
    const char **argv = NULL;
    int argc = 0, cap = 0;
    for (size_t b = 0; b < c->hcap; b++) {
        for (rs_event_t *e = c->htab[b]; e; e = e->_hnext) {
            if (now - e->_touch_ms < age)
                continue;
            if (argc + 7 >= cap) {
                cap = cap ? cap * 2 : 64;
                argv = sx_realloc(argv, (size_t)cap * sizeof(*argv));
            }
            if (argc == 0) {
                argv[argc++] = "XCLAIM";
                argv[argc++] = c->k_events;
                argv[argc++] = c->conf->group;
                argv[argc++] = c->name;
                argv[argc++] = "0";
            }
            argv[argc++] = e->id;
            e->_touch_ms = now;
        }
    }
    if (argc > 0) {
        argv[argc++] = "JUSTID";
        rs_conn_argv(c->conn, 0, NULL, NULL, argc, argv, NULL);
    }
    sx_free(argv);
}

void
rs_claim_round(rs_consumer_t *c)
{
    if (c->state != RS_ST_RUNNING || c->closing || !rs_conn_up(c->conn))
        return;
    refresh_send(c);
    if (!c->claiming)
        autoclaim_send(c);
}

void
rs_claim_on_tick(int fd, short what, void *arg)
{
    SX_UNUSED(fd);
    SX_UNUSED(what);
    rs_claim_round(arg);
}

void
rs_consumer_claim_now(rs_consumer_t *c)
{
    rs_claim_round(c);
}
