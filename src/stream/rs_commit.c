/*
 * rs_commit.c: the ack-gated commit: one Lua script per batch of finished events.
 *
 * Why: a consumer paused past claim_idle wakes up and commits an entry that another consumer
 * already took over and committed. A plain pipelined XACK + XADD + HINCRBY would write a
 * second result and a second bill. The script writes only when its own XACK returns 1, so
 * only the first committer of an id writes and bills (spec/redis.md), and resending a commit
 * whose reply was lost is harmless.
 *
 * Script interface (one call per batch; every key shares the {tag} hash slot):
 *   KEYS[1] events stream, KEYS[2] results stream, KEYS[3] dead-letter stream,
 *   KEYS[4..] usage hashes of the tenants in the batch: all-time "{tag}:usage:<tenant>" and
 *   per UTC day of the execution's end "{tag}:usage:<tenant>:<YYYY-MM-DD>" (bill_usage.c
 *   reads both)
 *   ARGV[1] group, ARGV[2] results MAXLEN ~, ARGV[3] dead-letter MAXLEN ~, ARGV[4] number of
 *   usage groups G, ARGV[5] arguments per group W, then G groups of W arguments, one per
 *   (tenant, day, machine, status) among the batch's results:
 *     machine, tenant, status, requests, sum billed_ms, sum billed_mb_ms, sum transitions,
 *     then the KEYS index of each usage hash the group counts into (W - 7 of them)
 *   then per entry:
 *     id, <group number 1..G>, name ("" = the id), output (SUCCEEDED) or error and cause,
 *         start, stop, billed_ms, billed_mb, transitions           (9 or 10 arguments)
 *     nested results of the result entry just before (kind 'n', rs_event_nested_end), each
 *     written (and counted) only when that entry's XACK returned 1, with no result char:
 *     id, 'n<group>', parent ARN, name, output or error and cause, start, stop, billed_ms,
 *     billed_mb, transitions                                   (10 or 11 arguments)
 *     id, 'd', nf, nf field/value pairs of the dead-letter entry
 *     id, 'a'                                          (ack only: entry deleted)
 *   Returns a flat string with one '1' (this call acked and wrote) or '0' (already acked)
 *   per entry: never a nested table (hiredis 0.14 depth limits).
 * Why this shape (Redis is single-threaded and the ceiling's bottleneck; docs/events.md
 * measures it): Redis turns every argument into an object and then a Lua string, and every
 * Lua-side string operation or tonumber costs, so the common path per entry is XACK, XADD
 * and nothing else. Field names live in the script; machine, tenant and status come once per
 * group; the usage sums are computed in C for the whole batch, written with one HINCRBY per
 * (hash, group, metric) at the end, and only an entry whose XACK returns 0 (already
 * committed elsewhere: rare) is parsed, to take its share back out of its group's sums
 * before they are written. So usage counts exactly the entries this call wrote.
 * `#!lua` without allow-oom: under maxmemory Redis refuses the whole script up front, so a
 * commit is never half applied; the batch stays queued and is retried with backoff.
 *
 * Flow: finished events join c->commit_q; flush_ev (activated, so it runs once after the
 * current callbacks: the "before sleep" point of this loop turn) sends them in batches.
 * Reply NULL (timeout, lost connection) = unknown: the batch goes back to the front of the
 * queue and is resent on the next connection. NOSCRIPT: resent at once with EVAL. Other
 * errors (OOM, BUSY...): back to the queue, retried after a backoff.
 */
#include <event2/event.h>
#include <hiredis/hiredis.h>
#include <openssl/evp.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "rs_int.h"

static const char commit_lua[] =
    "#!lua\n"
    "local grp, rmax, dmax = ARGV[1], ARGV[2], ARGV[3]\n"
    "local ng, gw = tonumber(ARGV[4]), tonumber(ARGV[5])\n"
    "local gid, gnest, gm, gt, gs, dup = {}, {}, {}, {}, {}, {}\n"
    "local ok = false\n"
    "for k = 1, ng do\n"
    "  local b = 6 + (k - 1) * gw\n"
    "  gid[tostring(k)] = k\n"
    "  gnest['n' .. k] = k\n"
    "  gm[k], gt[k], gs[k] = ARGV[b], ARGV[b + 1], ARGV[b + 2]\n"
    "end\n"
    "local res, nr = {}, 0\n"
    "local i, n = 6 + ng * gw, #ARGV\n"
    "while i <= n do\n"
    "  local id, g = ARGV[i], ARGV[i + 1]\n"
    "  local k = gid[g]\n"
    "  nr = nr + 1\n"
    "  if k ~= nil then\n"
    "    local st, nm, e = gs[k], ARGV[i + 2], i + 4\n"
    "    if nm == '' then nm = id end\n"
    "    if st ~= 'SUCCEEDED' then e = i + 5 end\n"
    "    ok = redis.call('XACK', KEYS[1], grp, id) == 1\n"
    "    if ok then\n"
    "      res[nr] = '1'\n"
    "      if e == i + 4 then\n"
    "        redis.call('XADD', KEYS[2], 'MAXLEN', '~', rmax, '*', 'id', id, 'name', nm,\n"
    "          'machine', gm[k], 'tenant', gt[k], 'status', st, 'output', ARGV[i + 3],\n"
    "          'start', ARGV[e], 'stop', ARGV[e + 1], 'billed_ms', ARGV[e + 2],\n"
    "          'billed_mb', ARGV[e + 3])\n"
    "      else\n"
    "        redis.call('XADD', KEYS[2], 'MAXLEN', '~', rmax, '*', 'id', id, 'name', nm,\n"
    "          'machine', gm[k], 'tenant', gt[k], 'status', st, 'error', ARGV[i + 3],\n"
    "          'cause', ARGV[i + 4], 'start', ARGV[e], 'stop', ARGV[e + 1],\n"
    "          'billed_ms', ARGV[e + 2], 'billed_mb', ARGV[e + 3])\n"
    "      end\n"
    "    else\n"
    "      res[nr] = '0'\n"
    "      local d = dup[k]\n"
    "      if d == nil then d = {0, 0, 0, 0}; dup[k] = d end\n"
    "      local bms = tonumber(ARGV[e + 2])\n"
    "      d[1] = d[1] + 1\n"
    "      d[2] = d[2] + bms\n"
    "      d[3] = d[3] + bms * tonumber(ARGV[e + 3])\n"
    "      d[4] = d[4] + tonumber(ARGV[e + 4])\n"
    "    end\n"
    "    i = e + 5\n"
    "  elseif g == 'd' then\n"
    "    local fs = i + 3\n"
    "    local fe = fs + 2 * tonumber(ARGV[i + 2]) - 1\n"
    "    i = fe + 1\n"
    "    if redis.call('XACK', KEYS[1], grp, id) == 1 then\n"
    "      res[nr] = '1'\n"
    "      redis.call('XADD', KEYS[3], 'MAXLEN', '~', dmax, '*', 'id', id, unpack(ARGV, fs, fe))\n"
    "    else\n"
    "      res[nr] = '0'\n"
    "    end\n"
    "  elseif gnest[g] ~= nil then\n"
    "    nr = nr - 1\n"
    "    local k = gnest[g]\n"
    "    local st, nm, e = gs[k], ARGV[i + 3], i + 5\n"
    "    if nm == '' then nm = id end\n"
    "    if st ~= 'SUCCEEDED' then e = i + 6 end\n"
    "    if ok then\n"
    "      if e == i + 5 then\n"
    "        redis.call('XADD', KEYS[2], 'MAXLEN', '~', rmax, '*', 'id', id, 'name', nm,\n"
    "          'machine', gm[k], 'tenant', gt[k], 'status', st, 'output', ARGV[i + 4],\n"
    "          'start', ARGV[e], 'stop', ARGV[e + 1], 'billed_ms', ARGV[e + 2],\n"
    "          'billed_mb', ARGV[e + 3], 'parent', ARGV[i + 2])\n"
    "      else\n"
    "        redis.call('XADD', KEYS[2], 'MAXLEN', '~', rmax, '*', 'id', id, 'name', nm,\n"
    "          'machine', gm[k], 'tenant', gt[k], 'status', st, 'error', ARGV[i + 4],\n"
    "          'cause', ARGV[i + 5], 'start', ARGV[e], 'stop', ARGV[e + 1],\n"
    "          'billed_ms', ARGV[e + 2], 'billed_mb', ARGV[e + 3], 'parent', ARGV[i + 2])\n"
    "      end\n"
    "    else\n"
    "      local d = dup[k]\n"
    "      if d == nil then d = {0, 0, 0, 0}; dup[k] = d end\n"
    "      local bms = tonumber(ARGV[e + 2])\n"
    "      d[1] = d[1] + 1\n"
    "      d[2] = d[2] + bms\n"
    "      d[3] = d[3] + bms * tonumber(ARGV[e + 3])\n"
    "      d[4] = d[4] + tonumber(ARGV[e + 4])\n"
    "    end\n"
    "    i = e + 5\n"
    "  else\n"
    "    i = i + 2\n"
    "    res[nr] = redis.call('XACK', KEYS[1], grp, id) == 1 and '1' or '0'\n"
    "  end\n"
    "end\n"
    "for k = 1, ng do\n"
    "  local b = 6 + (k - 1) * gw\n"
    "  local c = {ARGV[b + 3], ARGV[b + 4], ARGV[b + 5], ARGV[b + 6]}\n"
    "  local d = dup[k]\n"
    "  if d ~= nil then\n"
    "    for j = 1, 4 do c[j] = tonumber(c[j]) - d[j] end\n"
    "  end\n"
    "  if d == nil or c[1] > 0 then\n"
    "    local m = gm[k]\n"
    "    for j = b + 7, b + gw - 1 do\n"
    "      local key = KEYS[tonumber(ARGV[j])]\n"
    "      redis.call('HINCRBY', key, m .. '|requests', c[1])\n"
    "      redis.call('HINCRBY', key, m .. '|billed_ms', c[2])\n"
    "      redis.call('HINCRBY', key, m .. '|billed_mb_ms', c[3])\n"
    "      redis.call('HINCRBY', key, m .. '|transitions', c[4])\n"
    "      redis.call('HINCRBY', key, m .. '|' .. gs[k], c[1])\n"
    "    end\n"
    "  end\n"
    "end\n"
    "return table.concat(res)\n";

static char commit_sha[41];
static pthread_once_t sha_once = PTHREAD_ONCE_INIT;

void
rs_sha1_hex(const char *s, size_t n, char out[41])
{
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    static const char hex[] = "0123456789abcdef";
    if (EVP_Digest(s, n, md, &len, EVP_sha1(), NULL) != 1 || len != 20) {
        out[0] = '\0'; /* EVALSHA then fails with NOSCRIPT and EVAL takes over */
        return;
    }
    for (unsigned i = 0; i < 20; i++) {
        out[2 * i] = hex[md[i] >> 4];
        out[2 * i + 1] = hex[md[i] & 15];
    }
    out[40] = '\0';
}

static void
sha_compute(void)
{
    rs_sha1_hex(commit_lua, sizeof(commit_lua) - 1, commit_sha);
}

const char *
rs_commit_script(void)
{
    return commit_lua;
}

const char *
rs_commit_sha(void)
{
    pthread_once(&sha_once, sha_compute);
    return commit_sha;
}

/* One commit script in flight. */
typedef struct batch {
    rs_consumer_t *c; /* owner */
    bool eval;        /* send the script text (after NOSCRIPT) */
    size_t n;         /* events */
    rs_event_t *ev[]; /* in queue order */
} batch_t;

static void on_commit(rs_conn_t *conn, redisReply *r, void *ud);

/* Usage keys of one batch: distinct strings in one buffer. */
typedef struct keyset {
    sx_sbuf_t buf; /* NUL-separated keys */
    size_t *off;   /* offset of each key in buf */
    size_t n;      /* keys */
} keyset_t;

/* Returns the index of key (prefix + a + b) in ks, adding it when new. */
static size_t
keyset_index(keyset_t *ks, const char *prefix, const char *a, const char *b)
{
    size_t start = ks->buf.len;
    sx_sbuf_adds(&ks->buf, prefix);
    sx_sbuf_adds(&ks->buf, a);
    sx_sbuf_adds(&ks->buf, b);
    sx_sbuf_addc(&ks->buf, '\0');
    for (size_t i = ks->n; i-- > 0;) { /* newest first: batches rarely mix tenants */
        if (strcmp(ks->buf.p + ks->off[i], ks->buf.p + start) == 0) {
            ks->buf.len = start; /* drop the duplicate */
            return i;
        }
    }
    ks->off[ks->n] = start;
    return ks->n++;
}

static void
resp_argz(sx_sbuf_t *b, const char *s)
{
    rs_resp_arg(b, s, strlen(s));
}

static void
resp_argu(sx_sbuf_t *b, uint64_t v)
{
    char num[24];
    rs_resp_arg(b, num, rs_u64_fmt(v, num));
}

/* Result fields per usage group before the KEYS indexes, and the usage hashes per group. */
#define GROUP_FIELDS 7
#define GROUP_HASHES 2

/* One usage group of a batch: its results with the same tenant, day, machine and status. */
typedef struct ugroup {
    uint64_t h;               /* hash of the four (skips most comparisons) */
    const rs_event_t *ev;     /* first member: its tenant, day, machine and status name it */
    size_t key[GROUP_HASHES]; /* indexes in the keyset: all-time hash, day hash */
    int64_t n, bms, mbms, tr; /* requests, billed ms, billed MB x ms, transitions */
} ugroup_t;

static uint64_t
hash_str(uint64_t h, const char *s)
{
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ULL;
    return (h ^ 0xffu) * 1099511628211ULL; /* separator: ("ab","c") != ("a","bc") */
}

static bool
group_same(const rs_event_t *a, const rs_event_t *b)
{
    return a->_status == b->_status && strcmp(a->machine, b->machine) == 0 &&
           strcmp(a->tenant, b->tenant) == 0 && strcmp(a->_day, b->_day) == 0;
}

/* Results in the batch: its entries plus their nested results. */
static size_t
batch_results(const batch_t *b)
{
    size_t n = b->n;
    for (size_t i = 0; i < b->n; i++)
        for (const rs_event_t *s = b->ev[i]->_sub; s != NULL; s = s->_sub)
            n++;
    return n;
}

/* The usage group of result ev (creating it when new), 1-based; ng and last are updated. */
static size_t
group_of(const rs_event_t *ev, const char *prefix, keyset_t *ks, ugroup_t *g, size_t *ng,
         size_t *last)
{
    size_t k = SIZE_MAX;
    uint64_t h = hash_str(
        hash_str(hash_str(14695981039346656037ULL ^ ev->_status, ev->machine), ev->tenant),
        ev->_day);
    if (*ng > 0 && g[*last].h == h && group_same(g[*last].ev, ev)) {
        k = *last;
    } else {
        for (size_t j = *ng; j-- > 0;) /* newest first: batches rarely mix much */
            if (g[j].h == h && group_same(g[j].ev, ev)) {
                k = j;
                break;
            }
    }
    if (k == SIZE_MAX) {
        k = (*ng)++;
        memset(&g[k], 0, sizeof(g[k]));
        g[k].h = h;
        g[k].ev = ev;
        g[k].key[0] = keyset_index(ks, prefix, ev->tenant, "");
        g[k].key[1] = keyset_index(ks, prefix, ev->tenant, ev->_day);
    }
    g[k].n++;
    g[k].bms += ev->_bms;
    g[k].mbms += ev->_bms * ev->_bmb;
    g[k].tr += ev->_tr;
    *last = k;
    return k + 1;
}

/* Sums the batch's results into usage groups (g, room for batch_results(b)) and sets gidx[i]
 * to the 1-based group of event i (0 for dead letters and acks), and _gi of each nested
 * result. Returns the number of groups. */
static size_t
groups_build(const batch_t *b, const char *prefix, keyset_t *ks, ugroup_t *g, size_t *gidx)
{
    size_t ng = 0, last = 0;
    for (size_t i = 0; i < b->n; i++) {
        const rs_event_t *ev = b->ev[i];
        gidx[i] = 0;
        if (ev->_kind != 'r')
            continue;
        gidx[i] = group_of(ev, prefix, ks, g, &ng, &last);
        for (rs_event_t *s = ev->_sub; s != NULL; s = s->_sub)
            s->_gi = (uint32_t)group_of(s, prefix, ks, g, &ng, &last);
    }
    return ng;
}


static void
resp_argi(sx_sbuf_t *b, int64_t v)
{
    char num[24];
    size_t n = 0;
    if (v < 0) {
        num[n++] = '-';
        n += rs_u64_fmt((uint64_t)0 - (uint64_t)v, num + 1);
    } else {
        n = rs_u64_fmt((uint64_t)v, num);
    }
    rs_resp_arg(b, num, n);
}

/* Number of RESP arguments of the call for batch b with nkeys usage keys, ng groups. */
static size_t
batch_argc(const batch_t *b, size_t nkeys, size_t ng)
{
    size_t n = 3 + 3 + nkeys + 5 + ng * (GROUP_FIELDS + GROUP_HASHES);
    for (size_t i = 0; i < b->n; i++) {
        const rs_event_t *ev = b->ev[i];
        n += 2 + (ev->_kind == 'd' ? 1u : 0u) + ev->_nargs;
        for (const rs_event_t *s = ev->_sub; s != NULL; s = s->_sub)
            n += 1 + s->_nargs; /* its id is its first argument */
    }
    return n;
}

/* Builds the script call straight into RESP (no hiredis formatting) and sends it. Returns
 * SX_OK or SX_AGAIN (not connected). */
static int
batch_send(batch_t *b)
{
    rs_consumer_t *c = b->c;
    sx_sbuf_t req = c->req; /* reused: its capacity stays with the consumer */
    keyset_t ks = {SX_SBUF_INIT, NULL, 0};
    size_t nres = batch_results(b);
    ugroup_t *g = sx_malloc(nres * sizeof(*g));
    size_t *gidx = sx_malloc(b->n * sizeof(*gidx));
    size_t ng;
    int rc;

    ks.off = sx_malloc((GROUP_HASHES * nres + 1) * sizeof(*ks.off));
    ng = groups_build(b, c->k_usage, &ks, g, gidx);
    sx_sbuf_reserve(&req, 256 + b->n * 320);
    rs_resp_head(&req, batch_argc(b, ks.n, ng));
    resp_argz(&req, b->eval ? "EVAL" : "EVALSHA");
    resp_argz(&req, b->eval ? rs_commit_script() : rs_commit_sha());
    resp_argu(&req, 3 + ks.n);
    resp_argz(&req, c->k_events);
    resp_argz(&req, c->k_results);
    resp_argz(&req, c->k_dead);
    for (size_t t = 0; t < ks.n; t++)
        resp_argz(&req, ks.buf.p + ks.off[t]);
    resp_argz(&req, c->conf->group);
    resp_argu(&req, (uint64_t)c->conf->results_maxlen);
    resp_argu(&req, (uint64_t)c->conf->dead_maxlen);
    resp_argu(&req, ng);
    resp_argu(&req, GROUP_FIELDS + GROUP_HASHES);
    for (size_t k = 0; k < ng; k++) {
        resp_argz(&req, g[k].ev->machine);
        resp_argz(&req, g[k].ev->tenant);
        resp_argz(&req, rs_status_name((rs_status_t)g[k].ev->_status));
        resp_argi(&req, g[k].n);
        resp_argi(&req, g[k].bms);
        resp_argi(&req, g[k].mbms);
        resp_argi(&req, g[k].tr);
        for (size_t j = 0; j < GROUP_HASHES; j++)
            resp_argu(&req, 4 + g[k].key[j]);
    }
    for (size_t i = 0; i < b->n; i++) {
        rs_event_t *ev = b->ev[i];
        resp_argz(&req, ev->id);
        if (ev->_kind == 'r') {
            resp_argu(&req, gidx[i]);
        } else if (ev->_kind == 'd') {
            rs_resp_arg(&req, "d", 1);
            resp_argu(&req, ev->_nargs / 2u);
        } else {
            rs_resp_arg(&req, "a", 1);
        }
        for (size_t a = 0; a < ev->_nargs; a++)
            rs_resp_arg(&req, ev->_buf.p + ev->_args[a][0], ev->_args[a][1]);
        for (const rs_event_t *s = ev->_sub; s != NULL; s = s->_sub) {
            char gn[24];
            gn[0] = 'n';
            rs_resp_arg(&req, s->_buf.p + s->_args[0][0], s->_args[0][1]);
            rs_resp_arg(&req, gn, 1 + rs_u64_fmt(s->_gi, gn + 1));
            for (size_t a = 1; a < s->_nargs; a++)
                rs_resp_arg(&req, s->_buf.p + s->_args[a][0], s->_args[a][1]);
        }
    }
    rc = rs_conn_formatted(c->conn, 0, on_commit, b, req.p, req.len);
    if (req.cap > ((size_t)4 << 20))
        sx_sbuf_fini(&req); /* a rare huge batch does not pin its memory */
    else
        sx_sbuf_reset(&req);
    c->req = req;
    sx_free(g);
    sx_free(gidx);
    sx_free(ks.off);
    sx_sbuf_fini(&ks.buf);
    return rc;
}

static void
batch_requeue(batch_t *b)
{
    rs_evlist_unshift_all(&b->c->commit_q, b->ev, b->n);
    sx_free(b);
}

static void
commit_wait_arm(rs_consumer_t *c)
{
    int64_t delay = c->conf->reconnect_min_ms;
    for (uint32_t i = 0; i < c->commit_errors && delay < c->conf->reconnect_max_ms; i++)
        delay *= 2;
    if (delay > c->conf->reconnect_max_ms)
        delay = c->conf->reconnect_max_ms;
    c->commit_errors++;
    c->commit_wait = true;
    struct timeval tv = {(time_t)(delay / 1000), (suseconds_t)(delay % 1000) * 1000};
    evtimer_add(c->commit_ev, &tv);
}

static void
batch_done(batch_t *b, const redisReply *r)
{
    rs_consumer_t *c = b->c;
    for (size_t i = 0; i < b->n; i++) {
        rs_event_t *ev = b->ev[i];
        bool written = r->str[i] == '1';
        if (!written)
            c->st.duplicates++;
        else if (ev->_kind == 'r')
            c->st.written++;
        else if (ev->_kind == 'd')
            c->st.dead++;
        if (c->committed != NULL && ev->_kind != 'a')
            c->committed(ev, written, c->ud);
        rs_held_remove(c, ev);
        rs_event_free(ev);
    }
    sx_free(b);
}

static void
on_commit(rs_conn_t *conn, redisReply *r, void *ud)
{
    batch_t *b = ud;
    rs_consumer_t *c = b->c;
    char buf[256];
    SX_UNUSED(conn);
    if (r == NULL) {
        c->st.commit_errors++;
        batch_requeue(b); /* unknown outcome: resent on the next connection */
        return;
    }
    if (r->type == REDIS_REPLY_ERROR && strncmp(r->str, "NOSCRIPT", 8) == 0 && !b->eval) {
        b->eval = true;
        if (batch_send(b) != SX_OK)
            batch_requeue(b);
        return;
    }
    if (r->type != REDIS_REPLY_STRING || r->len != b->n) {
        c->st.commit_errors++;
        rs_log(RS_LOG_WARN, "%s: commit of %zu entries refused: %s", c->name, b->n,
               rs_reply_text(r, buf, sizeof(buf)));
        batch_requeue(b);
        if (!c->commit_wait)
            commit_wait_arm(c);
        return;
    }
    c->commit_errors = 0;
    batch_done(b, r);
    rs_read_kick(c);
}

void
rs_commit_flush(rs_consumer_t *c)
{
    while (c->commit_q.head != NULL && !c->commit_wait && rs_conn_up(c->conn)) {
        size_t n = c->commit_q.n < (size_t)c->conf->commit_batch ? c->commit_q.n
                                                                 : (size_t)c->conf->commit_batch;
        batch_t *b = sx_malloc(sizeof(*b) + n * sizeof(b->ev[0]));
        b->c = c;
        b->eval = false;
        b->n = n;
        for (size_t i = 0; i < n; i++) {
            b->ev[i] = c->commit_q.head;
            rs_evlist_remove(&c->commit_q, b->ev[i]);
        }
        if (batch_send(b) != SX_OK) {
            batch_requeue(b);
            return;
        }
    }
}

void
rs_commit_on_flush(int fd, short what, void *arg)
{
    SX_UNUSED(fd);
    SX_UNUSED(what);
    rs_commit_flush(arg);
}

void
rs_commit_on_retry(int fd, short what, void *arg)
{
    rs_consumer_t *c = arg;
    SX_UNUSED(fd);
    SX_UNUSED(what);
    c->commit_wait = false;
    rs_commit_flush(c);
}
